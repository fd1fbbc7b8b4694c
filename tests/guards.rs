//! The guards through the real binary without a terminal, on
//! `connection: local` hosts (locks live in the workdir): confirmation by
//! flags, change tickets, replication checks, host locks held, stale and
//! broken, and the audit record of each.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Test, events, first_record, opsguard, records, signal, wait_for};

const LOCAL: &str = "settings:
  lock_ttl: 1h
hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, groups: [all], mirror: l2}
  l2: {connection: local, workdir: ../w/l2, role: live, groups: [all]}
  b1: {connection: local, workdir: ../w/b1, role: backup, groups: [all]}
";

fn site() -> Test {
    site_with(LOCAL)
}

fn site_with(inventory: &str) -> Test {
    Test::new()
        .file("inventory/local.yaml", inventory)
        .file("w/l1/old/x", "")
        .file("w/l2/old/x", "")
        .file("w/b1/old/x", "")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
}

/// The destructive command of these tests: leaves a marker, removes `old`.
const WIPE: &str = "touch marker; rm -rf old";

fn marked(dir: &Path, host: &str) -> bool {
    dir.join("w").join(host).join("marker").exists()
}

fn lock_dir(dir: &Path, host: &str) -> std::path::PathBuf {
    dir.join("w").join(host).join(".opsguard.lock")
}

fn owner(expires: &str) -> String {
    format!(
        "{{\"user\":\"alice\",\"workstation\":\"ws-12\",\"pid\":4411,\"session\":\"20261122T080000Z-abc\",\"since\":\"2026-11-22T08:00:00Z\",\"expires\":\"{expires}\"}}\n"
    )
}

#[test]
fn confirmed_by_flags_it_runs_under_a_lock_that_is_released() {
    let run = site()
        .args(["exec", "b1", "--confirm-role", "backup", "--", WIPE])
        .status(0);
    assert!(marked(run.path(), "b1"));
    assert!(!run.path().join("w/b1/old").exists());
    assert!(
        !lock_dir(run.path(), "b1").exists(),
        "the lock was left behind"
    );
    let r = records(run.path());
    assert_eq!(
        events(&r),
        [
            "session.start", "plan", "lock.acquire", "guard.confirmed", "command.start",
            "command.end", "lock.release", "session.end"
        ]
    );
    assert_eq!(r[2]["host"], "b1");
    assert_eq!(r[2]["path"], ".opsguard.lock");
    assert_eq!(r[3]["via"], "--confirm-role");
    assert_eq!(r[3]["role"], "backup");
    assert_eq!(r[4]["destructive"], true);
}

#[test]
fn a_protected_role_needs_the_change_too_and_then_runs_on_every_host() {
    let run = site()
        .args(["exec", "l1,l2", "--confirm-role", "live", "--", WIPE])
        .status(3);
    assert!(
        run.stderr.contains("refused (change-required)"),
        "{}",
        run.stderr
    );
    assert!(!marked(run.path(), "l1") && !marked(run.path(), "l2"));
    let run = site()
        .args([
            "exec", "l1,l2", "--confirm-role", "live", "--change", "CHG-7", "--", WIPE,
        ])
        .status(0);
    assert!(marked(run.path(), "l1") && marked(run.path(), "l2"));
    let r = records(run.path());
    assert_eq!(r[0]["change"], "CHG-7");
}

#[test]
fn a_failing_replication_check_refuses_with_its_output() {
    let inventory = LOCAL.replace(
        "mirror: l2}",
        "mirror: l2, replication_check: \"echo behind by 42 seconds; exit 1\"}",
    );
    let run = site_with(&inventory)
        .args([
            "exec", "l1", "--confirm-role", "live", "--change", "C", "--", WIPE,
        ])
        .status(3);
    assert!(
        run.stderr
            .contains("refused (replication-check-failed): the replication check of l1")
            && run.stderr.contains("exit 1: behind by 42 seconds"),
        "{}",
        run.stderr
    );
    assert!(!marked(run.path(), "l1"));
    assert!(!lock_dir(run.path(), "l1").exists());
    let r = records(run.path());
    // Announced before it ran, then its result.
    let events = events(&r);
    let announced = events
        .iter()
        .position(|e| e == "guard.check.start")
        .unwrap();
    assert!(announced < events.iter().position(|e| e == "guard.check").unwrap());
    assert_eq!(
        first_record(&r, "guard.check.start")["command"],
        "echo behind by 42 seconds; exit 1"
    );
    let check = first_record(&r, "guard.check");
    assert_eq!(check["ok"], false);
    assert_eq!(check["stdout"]["text"], "behind by 42 seconds\n");
    assert_eq!(
        first_record(&r, "guard.refused")["reason"],
        "replication-check-failed"
    );

    let passing = LOCAL.replace("mirror: l2}", "mirror: l2, replication_check: \"true\"}");
    let run = site_with(&passing)
        .args([
            "exec", "l1", "--confirm-role", "live", "--change", "C", "--", WIPE,
        ])
        .status(0);
    assert!(marked(run.path(), "l1"));
}

#[test]
fn a_lock_held_by_someone_else_refuses_naming_them() {
    let run = site()
        .file("w/b1/.opsguard.lock/owner", owner("2999-01-01T00:00:00Z"))
        .args(["exec", "b1", "--confirm-role", "backup", "--", WIPE])
        .status(3);
    assert!(
        run.stderr.contains(
            "refused (locked): b1 is locked by alice@ws-12 (pid 4411, session 20261122T080000Z-abc) since 2026-11-22T08:00:00Z, expiring 2999-01-01T00:00:00Z"
        ),
        "{}",
        run.stderr
    );
    assert!(!marked(run.path(), "b1"));
    // Someone else's lock is never removed by a refused run.
    assert!(lock_dir(run.path(), "b1").join("owner").exists());
}

#[test]
fn a_lock_past_its_expiry_is_stale_and_still_refuses() {
    let run = site()
        .file("w/b1/.opsguard.lock/owner", owner("2026-01-01T00:00:00Z"))
        .args(["exec", "b1", "--confirm-role", "backup", "--", WIPE])
        .status(3);
    assert!(
        run.stderr
            .contains("refused (lock-stale): b1 has a stale lock (expired): alice@ws-12")
            && run.stderr.contains("opsguard lock break b1 --reason"),
        "{}",
        run.stderr
    );
    assert!(!marked(run.path(), "b1"));
}

#[test]
fn a_locked_host_among_several_releases_the_locks_already_taken() {
    let run = site()
        .file("w/l2/.opsguard.lock/owner", owner("2999-01-01T00:00:00Z"))
        .args([
            "exec", "l1,l2", "--confirm-role", "live", "--change", "C", "--", WIPE,
        ])
        .status(3);
    assert!(!lock_dir(run.path(), "l1").exists(), "l1's lock was kept");
    assert!(lock_dir(run.path(), "l2").exists());
    let r = records(run.path());
    assert!(
        r.iter()
            .any(|r| r["event"] == "lock.release" && r["host"] == "l1")
    );
}

/// `opsguard exec b1 --confirm-role backup -- COMMAND` in the background,
/// once its command has started (under the lock).
fn started_on_b1(dir: &Path, command: &str) -> std::process::Child {
    let child = opsguard(
        dir,
        &["exec", "b1", "--confirm-role", "backup", "--", command],
    )
    .spawn()
    .unwrap();
    wait_for(dir, |r| r.iter().any(|r| r["event"] == "command.start"));
    child
}

#[test]
fn two_runs_at_once_on_one_host_the_second_is_refused_naming_the_first() {
    let t = site();
    let dir = t.path().to_path_buf();
    let first = started_on_b1(&dir, "sleep 3; rm -rf old");
    let first_session = records(&dir)[0]["session"].as_str().unwrap().to_string();
    let second = opsguard(
        &dir,
        &["exec", "b1", "--confirm-role", "backup", "--", WIPE],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("refused (locked): b1 is locked by")
            && stderr.contains(&format!("session {first_session})")),
        "{stderr}"
    );
    assert!(!dir.join("w/b1/marker").exists());
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!lock_dir(&dir, "b1").exists());
    drop(t);
}

#[test]
fn a_killed_holder_leaves_a_lock_that_goes_stale_and_lock_break_removes() {
    let t = site_with(&LOCAL.replace("lock_ttl: 1h", "lock_ttl: 1s"));
    let dir = t.path().to_path_buf();
    let mut first = started_on_b1(&dir, "sleep 5; rm -rf old");
    let started = Instant::now();
    first.kill().unwrap();
    first.wait().unwrap();
    // The command did not outlive its opsguard: the watchdog stopped it.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if support::running(&["-f", "sleep 5; rm -rf old"]).is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the command outlived opsguard");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Had it lived on, `old` would be gone 5 s after it started (a wide
    // margin: under load the start is seen late, the kill comes later).
    std::thread::sleep(Duration::from_secs(6).saturating_sub(started.elapsed()));
    assert!(dir.join("w/b1/old").exists());
    assert!(lock_dir(&dir, "b1").join("owner").exists());
    std::thread::sleep(Duration::from_millis(1500));

    let status = opsguard(&dir, &["lock", "status", "b1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    let items: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(items[0]["state"], "stale");
    assert_eq!(items[0]["owner"]["session"], records(&dir)[0]["session"]);
    let text = opsguard(&dir, &["lock", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("b1") && l.contains("stale")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("l1") && l.contains("free")),
        "{text}"
    );

    // Without a terminal, breaking needs the role confirmed.
    let refused = opsguard(&dir, &["lock", "break", "b1", "--reason", "holder killed"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(3));
    assert!(lock_dir(&dir, "b1").exists());

    let broke = opsguard(
        &dir,
        &[
            "lock", "break", "b1", "--reason", "holder killed", "--confirm-role", "backup",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        broke.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&broke.stderr)
    );
    assert!(!lock_dir(&dir, "b1").exists());
    let r = records(&dir);
    let b = first_record(&r, "lock.break");
    assert_eq!(b["host"], "b1");
    assert_eq!(b["reason"], "holder killed");
    assert_eq!(b["owner"]["session"], r[0]["session"]);
    assert!(
        r.iter()
            .any(|r| r["event"] == "guard.refused" && r["reason"] == "confirm-role-missing")
    );
    // And the host takes destructive work again.
    let again = opsguard(
        &dir,
        &["exec", "b1", "--confirm-role", "backup", "--", WIPE],
    )
    .output()
    .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    drop(t);
}

#[test]
fn run_locks_the_targets_of_destructive_steps_only() {
    let run = site()
        .file(
            "pb.yaml",
            "name: wipe\nhosts: '@all'\nsteps:\n  - name: look\n    run: ls\n  - name: wipe\n    hosts: b1\n    role: backup\n    run: touch marker; rm -rf old\n",
        )
        .args(["run", "pb.yaml", "--confirm-role", "backup"])
        .status(0);
    assert!(marked(run.path(), "b1"));
    let r = records(run.path());
    let locked: Vec<&Value> = r.iter().filter(|r| r["event"] == "lock.acquire").collect();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0]["host"], "b1");
    assert!(!lock_dir(run.path(), "b1").exists());
}

#[test]
fn sigterm_during_locked_work_stops_it_and_releases_the_lock() {
    let t = site();
    let dir = t.path().to_path_buf();
    let child = started_on_b1(&dir, "sleep 2; rm -rf old");
    let started = Instant::now();
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Had it gone on, `old` would be gone 2 s after it started.
    std::thread::sleep(Duration::from_secs(3).saturating_sub(started.elapsed()));
    assert!(dir.join("w/b1/old").exists(), "the command went on");
    assert!(!lock_dir(&dir, "b1").exists(), "the lock was left behind");
    let r = records(&dir);
    let tail: Vec<String> = events(&r).into_iter().rev().take(3).collect();
    assert_eq!(tail, ["session.end", "lock.release", "command.end"]);
    assert_eq!(r.last().unwrap()["status"], "interrupted");
    drop(t);
}

#[test]
fn a_lock_is_renewed_while_a_long_command_runs() {
    let t = site_with(&LOCAL.replace("lock_ttl: 1h", "lock_ttl: 2s"));
    let dir = t.path().to_path_buf();
    let child = started_on_b1(&dir, "sleep 5; rm -rf old");
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(lock_dir(&dir, "b1").join("owner")).unwrap())
            .unwrap();
    // Past the first expiry, the lock is still held, not stale.
    std::thread::sleep(Duration::from_millis(3500));
    let status = opsguard(&dir, &["lock", "status", "b1", "--format", "json"])
        .output()
        .unwrap();
    let items: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(items[0]["state"], "held", "{items}");
    assert_ne!(items[0]["owner"]["expires"], first["expires"]);
    assert_eq!(items[0]["owner"]["since"], first["since"]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!lock_dir(&dir, "b1").exists());
    drop(t);
}
