//! The audit commands through the real binary: verify with and without an
//! anchor, concurrent writers, torn tails, unwritable logs, show filters and
//! replay.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use opsguard::audit::event::{self, Event, On};
use opsguard::audit::record::Identity;
use opsguard::audit::writer::Writer;
use opsguard::classify::Verdict;
use serde_json::json;
use support::{INVENTORY, Test};

/// A log as a real session would leave it: a refusal, then a run.
fn sample_log(path: &Path) {
    let who = Identity {
        user: "alice".into(),
        workstation: "ws-12".into(),
        pid: 4411,
    };
    let argv = |words: &str| words.split(' ').map(String::from).collect();
    let start = |words: &str, terminal: bool, change: Option<&str>| {
        Event::SessionStart(event::SessionStart {
            argv: argv(words),
            cwd: "/home/alice".into(),
            version: "0.1.0".into(),
            commit: None,
            terminal,
            inventory: None,
            playbook: None,
            change: change.map(String::from),
            emergency: None,
            confirm_role: None,
            plan: None,
        })
    };
    let end = |status: &str, exit_code: u8| {
        Event::SessionEnd(event::SessionEnd {
            status: status.into(),
            exit_code,
        })
    };
    let on = |host: &str, role: &str| On {
        host: host.into(),
        role: role.into(),
    };
    let mut w = Writer::open(path, who.clone(), "20261122T100000Z-aaaaaa".into()).unwrap();
    for e in [
        start(
            "opsguard exec store-a1 -- wipefs -a /dev/sdb",
            true,
            Some("CHG-7"),
        ),
        Event::Plan(event::Plan {
            targets: vec![event::Target {
                name: "store-a1".into(),
                role: "live".into(),
            }],
            command: Some("wipefs -a /dev/sdb".into()),
            destructive: true,
            ..event::Plan::default()
        }),
        Event::GuardPrompt(event::GuardPrompt {
            question: event::Question {
                role: "live".into(),
                hosts: vec!["store-a1".into()],
                count: None,
                overrides: vec![],
            },
            banner: String::new(),
            prompt: "Type the role of the target hosts to continue:".into(),
        }),
        Event::GuardRefused(event::GuardRefused {
            reason: "role-mismatch".into(),
            typed: Some("backup".into()),
            message: String::new(),
        }),
        end("refused", 3),
    ] {
        w.append(&e).unwrap();
    }
    let mut w = Writer::open(path, who, "20261122T110000Z-bbbbbb".into()).unwrap();
    let df = event::CommandStart {
        on: on("backup-a1", "backup"),
        cwd: None,
        step: None,
        step_name: None,
        command: "df -h".into(),
        destructive: false,
        verdict: Verdict::Safe,
        become_user: None,
        connection: None,
    };
    for e in [
        start("opsguard exec backup-a1 -- df -h", false, None),
        Event::CommandStart(df.clone()),
        Event::CommandEnd(event::CommandEnd {
            start: df,
            status: "ok".into(),
            ran: Some(event::Ran {
                exit_code: Some(0),
                signal: None,
                duration_ms: 12,
                stdout: event::Output::of_bytes(b"/dev/sdb 1T 10G\n"),
                stderr: event::Output::of_bytes(b""),
            }),
            message: None,
        }),
        end("ok", 0),
    ] {
        w.append(&e).unwrap();
    }
}

#[test]
fn verify_prints_count_and_head_and_catches_edits() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    sample_log(&log);
    let run = Test::new()
        .args(["--audit-log", log.to_str().unwrap(), "audit", "verify"])
        .status(0);
    let head = run
        .stdout
        .trim()
        .strip_prefix("9 records, head ")
        .expect(&run.stdout)
        .to_string();
    assert!(head.starts_with("9:"), "{head}");
    let json = Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "verify",
            "--format",
            "json",
        ])
        .status(0)
        .json();
    assert_eq!(
        json,
        json!({"records": 9, "head": head, "ok": true, "problems": [], "warnings": []})
    );

    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "verify",
            "--anchor",
            &head,
        ])
        .status(0);
    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "verify",
            "--anchor",
            "9:xyz",
        ])
        .status(2)
        .stderr_has("not SEQ:HASH");

    let text = std::fs::read_to_string(&log)
        .unwrap()
        .replace("\"typed\":\"backup\"", "\"typed\":\"live\"");
    std::fs::write(&log, text).unwrap();
    Test::new()
        .env("OPSGUARD_AUDIT_LOG", log.to_str().unwrap())
        .args(["audit", "verify"])
        .status(4)
        .stderr_has("audit.jsonl: line 4 (seq 4): hash mismatch")
        .stdout_has("broken at line 4 after 3 good records");
    // The same as data, for tools.
    let json = Test::new()
        .env("OPSGUARD_AUDIT_LOG", log.to_str().unwrap())
        .args(["audit", "verify", "--format", "json"])
        .status(4)
        .json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["records"], 3);
    assert_eq!(json["problems"][0]["line"], 4);
    assert!(
        json["problems"][0]["what"]
            .as_str()
            .unwrap()
            .starts_with("hash mismatch")
    );
}

#[test]
fn eight_concurrent_writers_keep_one_chain() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    let notes: String = (0..248).map(|i| format!("note {i}\n")).collect();
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_opsguard"))
                .args([
                    "--audit-log",
                    log.to_str().unwrap(),
                    "-q",
                    "audit",
                    "note",
                    "-",
                ])
                .stdin(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(notes.as_bytes())
                .unwrap();
            child
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let run = Test::new()
        .args(["--audit-log", log.to_str().unwrap(), "audit", "verify"])
        .status(0);
    assert!(
        run.stdout.starts_with("2000 records, head 2000:"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let seqs: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, (1..=2000).collect::<Vec<_>>());
}

#[test]
fn a_writer_killed_mid_write_leaves_a_torn_line_the_next_session_notes() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    let log_arg = log.to_str().unwrap().to_string();
    Test::new()
        .args(["--audit-log", &log_arg, "audit", "note", "before"])
        .status(0);
    // What kill -9 between write and newline leaves: half a record.
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(br#"{"event":"command.start","host":"store-a1","comm"#)
        .unwrap();
    drop(f);
    Test::new()
        .args(["--audit-log", &log_arg, "audit", "verify"])
        .status(4)
        .stderr_has("line 4: torn tail");
    // The independent verifier agrees, and says so rather than crashing.
    let python = |log: &std::path::Path| {
        Command::new("python3")
            .arg(support::repo().join("tests/fixtures/verify_audit.py"))
            .arg(log)
            .output()
            .expect("python3 (installed by scripts/test)")
    };
    let theirs = python(&log);
    let err = String::from_utf8_lossy(&theirs.stderr);
    assert_eq!(theirs.status.code(), Some(1), "{err}");
    assert!(
        err.contains("line 4: not a record") && !err.contains("Traceback"),
        "{err}"
    );
    // show and replay say so too, and exit 4 as verify does.
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let session = first["session"].as_str().unwrap().to_string();
    for args in [
        vec!["audit", "show"],
        vec!["audit", "replay", session.as_str()],
    ] {
        let mut all = vec!["--audit-log", log_arg.as_str()];
        all.extend(args);
        Test::new()
            .args(all)
            .status(4)
            .stderr_has("the audit log has 1 line(s) that are not records (line 4)");
    }
    Test::new()
        .args(["--audit-log", &log_arg, "audit", "note", "after"])
        .status(0);
    Test::new()
        .args(["--audit-log", &log_arg, "audit", "verify"])
        .status(0)
        .stdout_has("7 records")
        .stderr_has("warning: ")
        .stderr_has("line 4: a record torn by a crash (48 bytes at byte");
    let theirs = python(&log);
    let err = String::from_utf8_lossy(&theirs.stderr);
    assert!(theirs.status.success(), "{err}");
    assert!(String::from_utf8_lossy(&theirs.stdout).starts_with("7 records"));
    assert!(err.contains("warning: line 4 was torn by a crash"), "{err}");
    Test::new()
        .args(["--audit-log", &log_arg, "audit", "show"])
        .status(0)
        .stderr_has("warning: line 4 was torn by a crash (noted by the record after it)");
    Test::new()
        .args([
            "--audit-log", &log_arg, "audit", "show", "--event", "audit.torn", "--format", "json",
        ])
        .status(0)
        .stdout_has("\"length\":48");
}

#[test]
fn an_unwritable_log_stops_with_exit_4_and_names_the_path() {
    // A read-only file: root ignores file modes, so as root the command
    // runs as nobody (setpriv, util-linux), as an operator would.
    let logs = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        logs.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let log = logs.path().join("ro.jsonl");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::os::unix::fs::PermissionsExt::from_mode(0o444)).unwrap();
    let opsguard = env!("CARGO_BIN_EXE_opsguard");
    let args = ["--audit-log", log.to_str().unwrap(), "audit", "note", "x"];
    let out = if support::is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", opsguard])
            .args(args)
            .output()
            .unwrap()
    } else {
        Command::new(opsguard).args(args).output().unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("cannot open the audit log") && stderr.contains("ro.jsonl"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "",
        "nothing was written"
    );

    // A device (no log: a full disk is tests/hostile.rs), and a folder
    // that cannot be created.
    for (path, says) in [
        ("/dev/full", "the audit log /dev/full is not a regular file"),
        (
            "/proc/no-such-dir/audit.jsonl",
            "cannot open the audit log /proc/no-such-dir/audit.jsonl",
        ),
    ] {
        Test::new()
            .args(["--audit-log", path, "audit", "note", "x"])
            .status(4)
            .stderr_has(says);
    }
}

#[test]
fn show_filters_and_formats() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    sample_log(&log);
    let run = Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "show",
            "--host",
            "backup-*",
        ])
        .status(0);
    assert_eq!(
        run.stdout
            .lines()
            .map(|l| l.split_once("  ").unwrap())
            .map(|(ts, rest)| {
                // The time as recorded, its `Z` kept.
                assert!(ts.starts_with("2026-") && ts.ends_with('Z'), "{ts}");
                rest
            })
            .collect::<Vec<_>>(),
        [
            "20261122T110000Z-bbbbbb  alice  backup-a1 [BACKUP]  command.start  df -h",
            "20261122T110000Z-bbbbbb  alice  backup-a1 [BACKUP]  command.end  df -h  ok (exit 0)"
        ]
    );
    let show = |args: &[&str]| {
        let mut all = vec![
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "show",
            "--format",
            "json",
        ];
        all.extend(args);
        Test::new()
            .args(all.iter().map(|s| s.to_string()))
            .status(0)
            .stdout
            .lines()
            .count()
    };
    assert_eq!(show(&[]), 9);
    assert_eq!(show(&["--session", "20261122T10"]), 5);
    assert_eq!(show(&["--refused"]), 2);
    assert_eq!(show(&["--role", "live"]), 1);
    assert_eq!(show(&["--event", "guard.*"]), 2);
    assert_eq!(show(&["--change", "CHG-7"]), 5);
    assert_eq!(show(&["--user", "bob"]), 0);
    // The sample was written just now.
    assert_eq!(show(&["--since", "1h"]), 9);
    assert_eq!(show(&["--until", "1h"]), 0);
    assert_eq!(
        show(&["--since", "2020-01-01T00:00:00Z", "--host", "store-a1"]),
        1
    );
    let run = Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "show",
            "--format",
            "json",
            "--event",
            "plan",
        ])
        .status(0);
    let line = run.stdout.lines().next().unwrap();
    assert_eq!(
        line,
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap(),
        "json shows the record as it is"
    );
    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "show",
            "--host",
            "@cluster-a",
        ])
        .status(2)
        .stderr_has("needs the inventory");
    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "show",
            "--since",
            "yesterday",
        ])
        .status(2);
}

/// `audit replay SESSION` of `log`, each line without its timestamp.
fn replay(log: &Path, session: &str) -> Vec<String> {
    let run = Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "replay",
            session,
        ])
        .status(0);
    run.stdout
        .lines()
        .map(|l| l.split_once("Z  ").map_or(l, |(_, rest)| rest).to_string())
        .collect()
}

#[test]
fn replay_reads_top_to_bottom() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    sample_log(&log);
    assert_eq!(
        replay(&log, "20261122T10"),
        [
            "session 20261122T100000Z-aaaaaa",
            "alice@ws-12 (pid 4411) started: opsguard exec store-a1 -- wipefs -a /dev/sdb",
            "  in /home/alice, opsguard 0.1.0, at a terminal",
            "plan (destructive): store-a1 [LIVE]",
            "asked: Type the role of the target hosts to continue:",
            "REFUSED (role-mismatch): typed \"backup\"",
            "ended: refused, exit 3",
        ]
    );
    let run = Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "replay",
            "20261122T11",
        ])
        .status(0);
    assert!(
        run.stdout.contains("backup-a1 [BACKUP] $ df -h\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  out| /dev/sdb 1T 10G\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("backup-a1 [BACKUP] exit 0 after 12 ms\n"),
        "{}",
        run.stdout
    );
    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "replay",
            "2026",
        ])
        .status(2)
        .stderr_has("more than one session");
    Test::new()
        .args([
            "--audit-log",
            log.to_str().unwrap(),
            "audit",
            "replay",
            "1999",
        ])
        .status(2)
        .stderr_has("no session `1999`");
}

#[test]
fn the_log_path_follows_flag_then_inventory_then_xdg() {
    let run = Test::new()
        .file(
            "inventory/a.yaml",
            format!("settings:\n  audit_log: team/audit.jsonl\n{INVENTORY}"),
        )
        .env("XDG_STATE_HOME", "state")
        .args(["audit", "note", "hello"])
        .status(0);
    // Relative to the inventory file's folder, not the current one.
    assert!(run.path().join("inventory/team/audit.jsonl").exists());
    assert!(!run.path().join("team/audit.jsonl").exists());
    let run = Test::new()
        .file(
            "inventory/a.yaml",
            format!("settings:\n  audit_log: team/audit.jsonl\n{INVENTORY}"),
        )
        .args(["--audit-log", "flag.jsonl", "audit", "note", "hello"])
        .status(0);
    assert!(run.path().join("flag.jsonl").exists());
    assert!(!run.path().join("inventory/team/audit.jsonl").exists());
    let run = Test::new()
        .env("XDG_STATE_HOME", "state")
        .env("HOME", "home")
        .args(["audit", "note", "hello"])
        .status(0);
    assert!(run.path().join("state/opsguard/audit.jsonl").exists());
    let run = Test::new()
        .env("HOME", "home")
        .env_remove("XDG_STATE_HOME")
        .args(["audit", "note", "hi"])
        .status(0);
    assert!(
        run.path()
            .join("home/.local/state/opsguard/audit.jsonl")
            .exists()
    );
    Test::new()
        .env_remove("HOME")
        .env_remove("XDG_STATE_HOME")
        .args(["audit", "note", "hi"])
        .status(4)
        .stderr_has("HOME is not set");
}

#[test]
fn an_independent_verifier_agrees() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    sample_log(&log);
    let mut w = Writer::open(
        &log,
        Identity {
            user: "zoë".into(),
            workstation: "ws".into(),
            pid: 1,
        },
        "s".into(),
    )
    .unwrap();
    let odd = json!({"message": "tab\there \"quoted\" back\\slash \u{1} é 日本 \u{2028}", "n": -5});
    w.append_fields("note", odd.as_object().unwrap().clone())
        .unwrap();
    let ours = Test::new()
        .args(["--audit-log", log.to_str().unwrap(), "audit", "verify"])
        .status(0);
    let script = support::repo().join("tests/fixtures/verify_audit.py");
    let theirs = Command::new("python3")
        .arg(script)
        .arg(&log)
        .output()
        .expect("python3 (installed by .ci/run)");
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&theirs.stdout), ours.stdout);
}

/// A record this version does not know, or a known kind it cannot read
/// (a field of the wrong type), is shown with its fields, never dropped.
#[test]
fn replay_shows_records_it_cannot_read() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    let who = Identity {
        user: "alice".into(),
        workstation: "ws-12".into(),
        pid: 4411,
    };
    let mut w = Writer::open(&log, who, "20261201T090000Z-cccccc".into()).unwrap();
    for (event, fields) in [
        ("quota.raised", json!({"host": "store-a1", "to": "2T"})),
        ("command.end", json!({"host": "store-a1", "command": 7})),
    ] {
        w.append_fields(event, fields.as_object().unwrap().clone())
            .unwrap();
    }
    assert_eq!(
        replay(&log, "20261201T09"),
        [
            r#"quota.raised host="store-a1" to="2T""#, r#"command.end command=7 host="store-a1""#,
        ]
    );
}

/// `settings.audit_syslog`: every record, once in the log, also goes to
/// syslog as an RFC 5424 message (a Unix datagram socket, and TCP with
/// octet counting); a mirror that cannot be reached is a warning, and the
/// work and the log go on.
#[test]
fn every_record_is_mirrored_to_syslog_and_a_dead_mirror_only_warns() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let listener = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    listener
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let site = |mirror: &str| {
        Test::new()
            .file(
                "inventory.yaml",
                format!(
                    "settings:\n  audit_syslog: {mirror}\nhosts:\n  l1: {{connection: local, workdir: w, role: backup}}\n"
                ),
            )
            .file("w/name", "one\n")
            .env("OPSGUARD_INVENTORY", "inventory.yaml")
            .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
    };
    let run = site(&format!("unix:{}", socket.display()))
        .args(["exec", "l1", "--", "cat name"])
        .status(0);
    let lines: Vec<String> = std::fs::read_to_string(run.path().join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert!(lines.len() >= 5);
    for line in &lines {
        let mut buf = vec![0u8; 1 << 17];
        let n = listener.recv(&mut buf).unwrap();
        let message = String::from_utf8(buf[..n].to_vec()).unwrap();
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let head = format!(
            "<86>1 {} {} opsguard {} {} [opsguard@32473 session=\"{}\" seq=\"{}\" hash=\"{}\"] \u{feff}",
            r["ts"].as_str().unwrap(),
            r["workstation"].as_str().unwrap(),
            r["pid"],
            r["event"].as_str().unwrap(),
            r["session"].as_str().unwrap(),
            r["seq"],
            r["hash"].as_str().unwrap()
        );
        assert_eq!(message, format!("{head}{line}"));
    }

    // TCP, framed by octet counting.
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = tcp.local_addr().unwrap().port();
    let received = std::thread::spawn(move || {
        let (mut stream, _) = tcp.accept().unwrap();
        let mut all = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut all).unwrap();
        String::from_utf8(all).unwrap()
    });
    let run = site(&format!("tcp://127.0.0.1:{port}"))
        .args(["exec", "l1", "--", "cat name"])
        .status(0);
    let text = received.join().unwrap();
    let records = std::fs::read_to_string(run.path().join("audit.jsonl")).unwrap();
    let mut rest = text.as_str();
    let mut count = 0;
    while !rest.is_empty() {
        let (len, after) = rest.split_once(' ').unwrap();
        let len: usize = len.parse().unwrap();
        let message = &after[..len];
        let line = message.split_once('\u{feff}').unwrap().1;
        assert!(records.lines().any(|l| l == line));
        rest = &after[len..];
        count += 1;
    }
    assert_eq!(count, records.lines().count());

    // UDP: one datagram per record.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = udp.local_addr().unwrap().port();
    let run = site(&format!("udp://127.0.0.1:{port}"))
        .args(["exec", "l1", "--", "cat name"])
        .status(0);
    let records = std::fs::read_to_string(run.path().join("audit.jsonl")).unwrap();
    for line in records.lines() {
        let mut buf = vec![0u8; 1 << 16];
        let n = udp.recv(&mut buf).unwrap();
        let message = String::from_utf8(buf[..n].to_vec()).unwrap();
        assert!(message.ends_with(&format!("\u{feff}{line}")), "{message}");
    }

    // Nobody listening: a warning, once; the work and the log go on.
    let run = site(&format!("unix:{}", dir.path().join("nobody").display()))
        .args(["exec", "l1", "--", "cat name"])
        .status(0);
    assert_eq!(run.stdout, "one\n");
    assert_eq!(
        run.stderr
            .matches("warning: the audit mirror unix:")
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the records are in the audit log all the same")
    );
    assert!(
        std::fs::read_to_string(run.path().join("audit.jsonl"))
            .unwrap()
            .lines()
            .count()
            >= 5
    );
}

/// `audit export --since` of a file log: the records from the first at
/// that time on, which verify as the continuation of the chain after the
/// record it names.
#[test]
fn an_export_since_a_time_verifies_after_the_record_before_it() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    sample_log(&log);
    let log_arg = log.to_str().unwrap();
    for note in ["one", "two", "three"] {
        std::thread::sleep(std::time::Duration::from_millis(5));
        Test::new()
            .args(["--audit-log", log_arg, "audit", "note", note])
            .status(0);
    }
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let two = records.iter().position(|r| r["message"] == "two").unwrap();
    let since = records[two]["ts"].as_str().unwrap();
    let first = records
        .iter()
        .position(|r| r["ts"].as_str().unwrap() >= since)
        .unwrap();
    assert!(first > 0);
    let part = logs.path().join("part.jsonl");
    let run = Test::new()
        .args(["--audit-log", log_arg, "audit", "export", "--since", since])
        .args(["-o", part.to_str().unwrap()])
        .status(0);
    let whole = std::fs::read_to_string(&log).unwrap();
    let kept: String = whole
        .lines()
        .skip(first)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(std::fs::read_to_string(&part).unwrap(), kept);
    let after = format!(
        "{}:{}",
        records[first - 1]["seq"],
        records[first - 1]["hash"].as_str().unwrap()
    );
    assert!(
        run.stderr
            .contains(&format!("opsguard audit verify --after {after}`")),
        "{}",
        run.stderr
    );
    let head = Test::new()
        .args(["--audit-log", log_arg, "audit", "verify"])
        .status(0)
        .stdout;
    let verified = Test::new()
        .args(["--audit-log", part.to_str().unwrap(), "audit", "verify"])
        .args(["--after", &after])
        .status(0);
    assert_eq!(
        verified.stdout,
        format!(
            "{} records, head {}",
            records.len() - first,
            head.split("head ").nth(1).unwrap()
        )
    );
}

/// What `audit export --since` makes of a log that is not whole: a record
/// damaged at the boundary stops the export (its `--after` would vouch
/// for nothing); a torn line inside the part still verifies (by its length
/// and hash: offsets are the whole file's); and a part never starts at
/// the record that notes a torn line.
#[test]
fn an_export_since_checks_what_is_before_the_part_and_keeps_torn_lines_whole() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("audit.jsonl");
    let log_arg = log.to_str().unwrap();
    let note = |text: &str| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        Test::new()
            .args(["--audit-log", log_arg, "audit", "note", text])
            .status(0);
    };
    note("zero");
    note("one");
    // What kill -9 between write and newline leaves; the next session
    // notes it (`audit.torn`) before its own records.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .unwrap()
        .write_all(br#"{"event":"command.start","host":"store-a1","comm"#)
        .unwrap();
    note("two");
    note("three");
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let record = |i: usize| serde_json::from_str::<serde_json::Value>(&lines[i]).unwrap();
    let at = |event: &str, message: Option<&str>| {
        (0..lines.len())
            .find(|&i| {
                serde_json::from_str::<serde_json::Value>(&lines[i])
                    .is_ok_and(|r| r["event"] == event && message.is_none_or(|m| r["message"] == m))
            })
            .unwrap()
    };
    let export = |since: &str, name: &str| {
        let part = logs.path().join(name);
        let run = Test::new()
            .args(["--audit-log", log_arg, "audit", "export", "--since", since])
            .args(["-o", part.to_str().unwrap()])
            .status(0);
        let after = support::after_printed(&run.stderr);
        (part, after)
    };
    let verified = |part: &std::path::Path, after: &str| {
        Test::new()
            .args(["--audit-log", part.to_str().unwrap(), "audit", "verify"])
            .args(["--after", after])
            .status(0);
        let python = Command::new("python3")
            .arg(support::repo().join("tests/fixtures/verify_audit.py"))
            .arg(part)
            .arg(after)
            .output()
            .unwrap();
        assert!(
            python.status.success(),
            "{}",
            String::from_utf8_lossy(&python.stderr)
        );
    };

    // From "one": the torn line and its note are inside the part.
    let one = at("note", Some("one"));
    let (part, after) = export(record(one)["ts"].as_str().unwrap(), "from-one.jsonl");
    let text = std::fs::read_to_string(&part).unwrap();
    assert!(text.contains(r#""comm"#) && text.contains("audit.torn"));
    verified(&part, &after);

    // From the note of the torn line: the part starts after it.
    let noted = at("audit.torn", None);
    let (part, after) = export(record(noted)["ts"].as_str().unwrap(), "from-note.jsonl");
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&part)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["seq"], record(noted)["seq"].as_u64().unwrap() + 1);
    assert_eq!(
        after,
        format!(
            "{}:{}",
            record(noted)["seq"],
            record(noted)["hash"].as_str().unwrap()
        )
    );
    verified(&part, &after);

    // The first record at the time asked for damaged: nothing to vouch
    // for the part, exit 4. (Records of one millisecond share their time:
    // the first may be the session's start rather than the note.)
    let since = record(one)["ts"].as_str().unwrap().to_string();
    let boundary = (0..lines.len())
        .find(|&i| {
            serde_json::from_str::<serde_json::Value>(&lines[i])
                .is_ok_and(|r| r["ts"].as_str().is_some_and(|t| t >= since.as_str()))
        })
        .unwrap();
    let mut damaged = lines.clone();
    damaged[boundary] = damaged[boundary].replacen('{', "{x", 1);
    std::fs::write(&log, damaged.join("\n") + "\n").unwrap();
    let run = Test::new()
        .args(["--audit-log", log_arg, "audit", "export", "--since", &since])
        .status(4);
    assert!(run.stderr.contains("does not follow"), "{}", run.stderr);
    assert!(!run.stderr.contains("--after"), "{}", run.stderr);
}
