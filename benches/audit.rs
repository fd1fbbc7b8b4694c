//! The audit log at scale: `audit verify` and `audit show --host X` on a
//! 1,000,000-record log, their peak memory, and the cost of one append
//! (lock, read the tail, write, fsync) against a bare write and fsync.
//!
//! Run with `cargo bench --bench audit` (needs GNU time at /usr/bin/time
//! for the memory figures: `apt-get install time`). Targets (issue 3):
//! verify >= 500,000 records/s; peak memory under 50 MB whatever the log
//! size; an append costs no more than one fsync plus 100 us.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsguard::audit::event::{self, Event};
use opsguard::audit::record::{self, GENESIS, Identity};
use opsguard::audit::writer::Writer;
use opsguard::classify::Verdict;
use serde_json::{Map, Value, json};

const RECORDS: u64 = 1_000_000;

/// A realistic log: sessions of a start, a plan, four commands with
/// output, and an end, on 1,000 hosts. Written without fsync (only the
/// chain matters here), once, and kept in the target folder.
fn big_log() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit-1m-typed.jsonl");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return path;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut prev = GENESIS.to_string();
    let mut seq = 0u64;
    let mut session = 0u64;
    while seq < RECORDS {
        session += 1;
        let host = format!("store-{:04}", session % 1000);
        let on = event::On {
            host: host.clone(),
            role: "live".into(),
        };
        let mut events = vec![
            Event::SessionStart(event::SessionStart {
                argv: ["opsguard", "exec", &host, "--", "df", "-h"]
                    .map(String::from)
                    .to_vec(),
                cwd: "/home/alice".into(),
                version: "0.1.0".into(),
                commit: None,
                terminal: true,
                inventory: None,
                playbook: None,
                change: None,
                emergency: None,
                confirm_role: None,
                plan: None,
            }),
            Event::Plan(event::Plan {
                targets: vec![event::Target {
                    name: host.clone(),
                    role: "live".into(),
                }],
                command: Some("df -h".into()),
                ..event::Plan::default()
            }),
        ];
        for i in 0..4 {
            let start = event::CommandStart {
                on: on.clone(),
                cwd: None,
                step: None,
                step_name: None,
                command: format!("df -h /srv/{i}"),
                destructive: false,
                verdict: Verdict::Safe,
                become_user: None,
                connection: None,
            };
            events.push(Event::CommandStart(start.clone()));
            events.push(Event::CommandEnd(event::CommandEnd {
                start,
                status: "ok".into(),
                ran: Some(event::Ran {
                    exit_code: Some(0),
                    signal: None,
                    duration_ms: 12,
                    stdout: event::Output::of_bytes(b"Filesystem Size Used Avail Use% Mounted on\n/dev/sdb 1.8T 1.2T 600G 67% /srv\n"),
                    stderr: event::Output::of_bytes(b""),
                }),
                message: None,
            }));
        }
        events.push(Event::SessionEnd(event::SessionEnd {
            status: "ok".into(),
            exit_code: 0,
        }));
        for e in events {
            if seq == RECORDS {
                break;
            }
            seq += 1;
            let mut m: Map<String, Value> = e.fields();
            m.insert("v".into(), json!(1));
            m.insert("seq".into(), json!(seq));
            m.insert("ts".into(), json!("2026-11-22T10:01:02.123Z"));
            m.insert(
                "session".into(),
                json!(format!("20261122T100102Z-{session:012x}")),
            );
            m.insert("user".into(), json!("alice"));
            m.insert("workstation".into(), json!("ws-12"));
            m.insert("pid".into(), json!(4411));
            let (line, hash) = record::seal(m, &prev);
            out.write_all(line.as_bytes()).unwrap();
            out.write_all(b"\n").unwrap();
            prev = hash;
        }
    }
    out.flush().unwrap();
    path
}

/// Peak resident memory of one run of opsguard, in MB, from GNU time.
fn peak_mb(args: &[&str]) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(env!("CARGO_BIN_EXE_opsguard"))
        .args(args)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let kb: f64 = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn benches(c: &mut Criterion) {
    let log = big_log();
    let log_arg = log.to_str().unwrap().to_string();
    let exe = env!("CARGO_BIN_EXE_opsguard");
    let run = |args: &[&str]| {
        let status = Command::new(exe)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    };
    let verify = ["--audit-log", &log_arg, "-q", "audit", "verify"];
    let show = [
        "--audit-log", &log_arg, "-q", "audit", "show", "--host", "store-0042",
    ];
    run(&verify);
    // The filter must find the host's records, or the figure means nothing.
    let shown = Command::new(exe).args(show).output().unwrap();
    assert!(shown.status.success());
    let lines = shown.stdout.iter().filter(|&&b| b == b'\n').count();
    assert!(lines > 800, "{lines} records of store-0042");
    for (what, args) in [
        ("verify", &verify[..]),
        ("show --host store-0042", &show[..]),
    ] {
        match peak_mb(args) {
            Some(mb) => eprintln!("peak memory of audit {what} on {RECORDS} records: {mb:.1} MB"),
            None => eprintln!(
                "peak memory of audit {what}: /usr/bin/time not found (apt-get install time)"
            ),
        }
    }

    let mut g = c.benchmark_group("audit 1M records");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(RECORDS));
    g.bench_function("verify", |b| b.iter(|| run(&verify)));
    g.bench_function("show --host store-0042", |b| b.iter(|| run(&show)));
    g.finish();

    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let who = Identity {
        user: "alice".into(),
        workstation: "ws-12".into(),
        pid: 1,
    };
    let mut writer = Writer::open(&dir.path().join("append.jsonl"), who, "s".into()).unwrap();
    let event = Event::CommandStart(event::CommandStart {
        on: event::On {
            host: "store-a1".into(),
            role: "live".into(),
        },
        cwd: None,
        step: None,
        step_name: None,
        command: "df -h".into(),
        destructive: false,
        verdict: Verdict::Safe,
        become_user: None,
        connection: None,
    });
    let mut bare = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("bare.jsonl"))
        .unwrap();
    let line = format!("{}\n", "x".repeat(330));
    let mut g = c.benchmark_group("append");
    g.sample_size(200);
    g.bench_function("bare write + fsync", |b| {
        b.iter(|| {
            bare.write_all(line.as_bytes()).unwrap();
            bare.sync_data().unwrap();
        })
    });
    g.bench_function("audit append (lock, tail, seal, write, fsync)", |b| {
        b.iter(|| writer.append(&event).unwrap())
    });
    g.finish();
}

criterion_group!(audit, benches);
criterion_main!(audit);
