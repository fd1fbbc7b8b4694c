//! The audit log and the plan, byte for byte: a fixed sequence of
//! sessions on `connection: local` hosts (safe and destructive `exec`, a
//! refusal, a run with a failing step, a replication check, an unreachable
//! host, `lock break`, a note) and the JSON of `plan` and `--dry-run`,
//! compared with the snapshots beside this file. Only what changes from
//! one run to the next is masked (times, session ids, hashes, pids, the
//! user and workstation, the test's folder), by key; everything else,
//! key order and spelling included, must stay exactly as it was written.

mod support;

use std::path::Path;

use serde_json::Value;
use support::opsguard;

const INVENTORY: &str = "settings:
  lock_ttl: 1h
policy:
  require_change: [live]
hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, mirror: l2, replication_check: \"test -d old\"}
  l2: {connection: local, workdir: ../w/l2, role: live}
  b1: {connection: local, workdir: ../w/b1, role: backup, groups: [bk]}
  b2: {connection: local, workdir: ../w/b2, role: backup, groups: [bk]}
  gone: {connection: local, workdir: ../w/missing, role: backup}
";

const PLAYBOOK: &str = "name: tidy
description: Tidy the backups, one host first
hosts: \"@bk\"
serial: [1]
change: CHG-1
steps:
  - {name: look, run: ls old}
  - {name: wipe, run: rm -rf old, timeout: 30s, role: backup}
  - {name: count, run: ls | wc -l, budget: 10}
";

const FAILING: &str = "name: fails
description: The second step fails
hosts: b1
steps:
  - {name: first, run: \"true\"}
  - {name: second, run: \"exit 3\"}
  - {name: never, run: \"true\"}
";

fn site() -> tempfile::TempDir {
    support::folder(&[
        ("inventory/local.yaml", INVENTORY),
        ("pb.yaml", PLAYBOOK),
        ("fails.yaml", FAILING),
        ("w/l1/old/x", ""),
        ("w/l2/old/x", ""),
        ("w/b1/old/x", ""),
        ("w/b2/old/x", ""),
        (
            "w/b2/.opsguard.lock/owner",
            "{\"user\":\"alice\",\"workstation\":\"ws-12\",\"pid\":4411,\"session\":\"20261122T080000Z-abc\",\"since\":\"2026-11-22T08:00:00Z\",\"expires\":\"2026-11-22T09:00:00Z\"}\n",
        ),
    ])
}

/// Run opsguard in `dir`; its stdout, after checking its exit code.
fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let out = opsguard(dir, args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const VOLATILE: &[&str] = &[
    "ts", "session", "hash", "prev", "pid", "duration_ms", "user", "workstation", "version",
    "commit", "since", "expires",
];

fn mask(value: &mut Value, dir: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) && !v.is_null() {
                    *v = Value::String(format!("<{key}>"));
                } else if key == "argv" {
                    v[0] = Value::String("opsguard".into());
                } else {
                    mask(v, dir);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask(v, dir)),
        Value::String(s) if s.contains(dir) => *s = s.replace(dir, "<dir>"),
        _ => {}
    }
}

/// The log's lines with the volatile values masked; each line is checked
/// to be canonical first (sorted keys, no spaces), so masking a parsed
/// copy keeps its bytes.
fn masked_log(dir: &Path) -> String {
    let root = dir.canonicalize().unwrap().display().to_string();
    let text = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let mut value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), line);
        mask(&mut value, &root);
        out.push_str(&serde_json::to_string(&value).unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn the_audit_records_of_a_fixed_sequence_of_sessions() {
    let dir = site();
    let d = dir.path();
    run(d, &["exec", "b1", "--", "cat old/x; echo hi"], 0);
    run(
        d,
        &[
            "exec", "b1", "--confirm-role", "backup", "--change", "CHG-2", "--", "rm -rf old",
        ],
        0,
    );
    run(
        d,
        &["exec", "l1", "--confirm-role", "live", "--", "rm -rf old"],
        3,
    );
    run(
        d,
        &[
            "exec", "l1", "--confirm-role", "live", "--change", "CHG-3", "--", "rm -rf old",
        ],
        0,
    );
    run(d, &["exec", "l1,l2", "--forks", "1", "--", "ls"], 0);
    run(d, &["exec", "gone,b1", "--forks", "1", "--", "echo x"], 1);
    run(d, &["run", "fails.yaml", "--confirm-role", "backup"], 1);
    run(d, &["run", "pb.yaml", "--confirm-role", "backup"], 3);
    run(
        d,
        &[
            "lock", "break", "b2", "--reason", "alice left", "--confirm-role", "backup",
            "--change", "CHG-1",
        ],
        0,
    );
    std::fs::create_dir_all(d.join("w/b1/old")).unwrap();
    run(d, &["run", "pb.yaml", "--confirm-role", "backup"], 0);
    run(d, &["audit", "note", "checked by hand"], 0);
    run(d, &["audit", "verify"], 0);
    insta::assert_snapshot!(masked_log(d));
}

#[test]
fn the_json_of_plan_and_dry_runs() {
    let dir = site();
    let d = dir.path();
    let mut out = run(
        d,
        &[
            "plan", "pb.yaml", "--format", "json", "--at", "2026-11-24T12:00:00Z",
        ],
        0,
    );
    out.push_str(&run(
        d,
        &["run", "pb.yaml", "--dry-run", "--format", "json"],
        0,
    ));
    out.push_str(&run(
        d,
        &[
            "exec", "l1,l2", "--dry-run", "--format", "json", "--", "rm -rf old",
        ],
        0,
    ));
    out.push_str(&run(d, &["plan", "pb.yaml"], 0));
    let root = d.canonicalize().unwrap().display().to_string();
    insta::assert_snapshot!(out.replace(&root, "<dir>"));
    assert!(!d.join("audit.jsonl").exists(), "a dry run wrote the log");
}
