//! The typed-back role through a real pseudo-terminal (`expectrl`) against
//! the real binary, on `connection: local` hosts: the wrong-window
//! scenario, the count, `[y/N]`, Ctrl-C and EOF at each prompt; and over a
//! real sshd, a connection that dies while the operator is at the prompt.

mod support;

use std::path::Path;
use std::time::Duration;

use expectrl::{ControlCode, Expect};
use serde_json::Value;
use support::pty::{exit_code, spawn};
use support::{first_record, folder, opsguard, records};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, mirror: l2}
  l2: {connection: local, workdir: ../w/l2, role: live}
  b1: {connection: local, workdir: ../w/b1, role: backup}
";

const WIPE: &str = "touch marker; rm -rf old";

fn site() -> tempfile::TempDir {
    folder(&[
        ("inventory/local.yaml", LOCAL),
        ("w/l1/old/x", ""),
        ("w/l2/old/x", ""),
        ("w/b1/old/x", ""),
    ])
}

fn refusal(dir: &Path) -> Value {
    first_record(&records(dir), "guard.refused")
}

fn marked(dir: &Path, host: &str) -> bool {
    dir.join("w").join(host).join("marker").exists()
}

const ROLE: &str = "Type the role of the target hosts to continue:";
const COUNT: &str = "Type the number of target hosts to continue:";

#[test]
fn typing_the_other_consoles_role_refuses_and_nothing_runs_anywhere() {
    let dir = site();
    let mut p = spawn(dir.path(), &["exec", "l1", "--", WIPE]);
    p.expect("DESTRUCTIVE").unwrap();
    p.expect("l1 [LIVE]").unwrap();
    p.expect("changes on l1 [LIVE] are copied at once to its mirror l2 [LIVE]")
        .unwrap();
    p.expect(ROLE).unwrap();
    p.send_line("backup").unwrap();
    p.expect("refused (role-mismatch): `backup` is not the role of the target hosts")
        .unwrap();
    assert_eq!(exit_code(&mut p), 3);
    for host in ["l1", "l2", "b1"] {
        assert!(!marked(dir.path(), host), "ran on {host}");
    }
    let r = refusal(dir.path());
    assert_eq!(r["reason"], "role-mismatch");
    assert_eq!(r["typed"], "backup");
    let events: Vec<Value> = records(dir.path())
        .iter()
        .map(|r| r["event"].clone())
        .collect();
    assert!(events.contains(&"guard.prompt".into()), "{events:?}");
    assert!(!dir.path().join("w/l1/.opsguard.lock").exists());
}

#[test]
fn the_right_role_count_and_yes_run_it() {
    let dir = site();
    let mut p = spawn(dir.path(), &["exec", "l1,l2", "--", WIPE]);
    p.expect(ROLE).unwrap();
    p.send_line("LIVE").unwrap();
    p.expect(COUNT).unwrap();
    p.send_line("2").unwrap();
    p.expect("Run it on 2 hosts? [y/N]").unwrap();
    p.send_line("y").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(marked(dir.path(), "l1") && marked(dir.path(), "l2"));
    assert!(!marked(dir.path(), "b1"));
    let confirmed = first_record(&records(dir.path()), "guard.confirmed");
    assert_eq!(confirmed["via"], "prompt");
    assert_eq!(confirmed["count"], 2);
}

#[test]
fn a_wrong_count_or_no_refuses() {
    let dir = site();
    let mut p = spawn(dir.path(), &["exec", "l1,l2", "--", WIPE]);
    p.expect(ROLE).unwrap();
    p.send_line("live").unwrap();
    p.expect(COUNT).unwrap();
    p.send_line("3").unwrap();
    assert_eq!(exit_code(&mut p), 3);
    assert_eq!(refusal(dir.path())["reason"], "count-mismatch");
    assert_eq!(refusal(dir.path())["typed"], "3");

    let dir = site();
    let mut p = spawn(dir.path(), &["exec", "b1", "--", WIPE]);
    p.expect(ROLE).unwrap();
    p.send_line("backup").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("").unwrap();
    assert_eq!(exit_code(&mut p), 3);
    assert_eq!(refusal(dir.path())["reason"], "declined");
    assert!(!marked(dir.path(), "b1"));
}

/// Answer the prompts up to `at` (0: role, 1: count, 2: yes/no), then send
/// `key` there.
fn interrupt_at(at: usize, key: ControlCode, reason: &str) {
    let dir = site();
    let mut p = spawn(dir.path(), &["exec", "l1,l2", "--", WIPE]);
    let prompts = [ROLE, COUNT, "Run it on 2 hosts? [y/N]"];
    let answers = ["live", "2"];
    for (i, prompt) in prompts.iter().enumerate().take(at + 1) {
        p.expect(*prompt).unwrap();
        if i < at {
            p.send_line(answers[i]).unwrap();
        }
    }
    p.send(key).unwrap();
    assert_eq!(exit_code(&mut p), 3, "{key:?} at prompt {at}");
    assert_eq!(
        refusal(dir.path())["reason"],
        reason,
        "{key:?} at prompt {at}"
    );
    assert!(!marked(dir.path(), "l1") && !marked(dir.path(), "l2"));
    assert!(
        !dir.path().join("w/l1/.opsguard.lock").exists(),
        "the lock was left behind"
    );
    let end = records(dir.path()).pop().unwrap();
    assert_eq!(end["event"], "session.end");
    assert_eq!(end["status"], "refused");
}

#[test]
fn ctrl_c_at_each_prompt_refuses() {
    for at in 0..3 {
        interrupt_at(at, ControlCode::EndOfText, "interrupted");
    }
}

#[test]
fn eof_at_each_prompt_refuses() {
    for at in 0..3 {
        interrupt_at(at, ControlCode::EndOfTransmission, "eof");
    }
}

#[test]
fn the_prompt_names_a_session_open_on_another_role_and_the_title_names_the_target() {
    let dir = site();
    // "The other console": a session on the backup host, still running.
    let mut other = opsguard(dir.path(), &["exec", "b1", "--", "sleep 20"])
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let registry = dir.path().join("state/opsguard/sessions");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(&registry).map_or(0, |d| d.count()) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the other session did not register"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut p = spawn(dir.path(), &["exec", "l1", "--", WIPE]);
    p.expect("\x1b]2;l1 [LIVE]\x07").unwrap();
    p.expect(format!(
        "NOTE: you also have a session open on b1 [BACKUP] in another terminal (pid {}: exec sleep 20)",
        other.id()
    ))
    .unwrap();
    p.expect(ROLE).unwrap();
    p.send_line("backup").unwrap();
    assert_eq!(exit_code(&mut p), 3);
    other.kill().unwrap();
    other.wait().unwrap();
    // The dead session is pruned by the next reader; ours removed itself.
    let mut p = spawn(dir.path(), &["exec", "l1", "--", WIPE]);
    p.expect(ROLE).unwrap();
    p.send_line("").unwrap();
    assert_eq!(exit_code(&mut p), 3);
    assert_eq!(std::fs::read_dir(&registry).unwrap().count(), 0);
}

#[test]
fn a_connection_that_died_at_the_prompt_is_replaced_before_the_command_runs() {
    let sshd = support::sshd::Sshd::start(1);
    let dir = tempfile::tempdir().unwrap();
    let marks = tempfile::tempdir().unwrap();
    std::fs::create_dir(marks.path().join("old")).unwrap();
    let kh = dir.path().join("known_hosts");
    std::fs::write(&kh, sshd.known_hosts()).unwrap();
    std::fs::create_dir(dir.path().join("inventory")).unwrap();
    std::fs::write(
        dir.path().join("inventory/ssh.yaml"),
        sshd.inventory("backup", &kh),
    )
    .unwrap();
    let wipe = format!("rm -rf {}/old", marks.path().display());
    let mut p = spawn(dir.path(), &["exec", "s1", "--", &wipe]);
    p.expect(ROLE).unwrap();
    // The lock was taken over a connection kept for the command; it dies
    // while the operator reads the banner.
    assert_eq!(sshd.logins(), 1);
    sshd.drop_connections();
    p.send_line("backup").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("y").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(!marks.path().join("old").exists());
    assert!(!Path::new("/run/lock/opsguard.lock").exists());
    // One new login, for the renewal before the command, the command and
    // the release.
    assert_eq!(sshd.logins(), 2);
    let r = records(dir.path());
    assert!(
        r.iter()
            .any(|r| r["event"] == "command.end" && r["status"] == "ok"),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|r| r["event"] == "lock.release" && r["error"].is_null())
    );
}

#[test]
fn an_answer_typed_ahead_of_the_banner_does_not_count() {
    // The replication check holds opsguard back for two seconds before it
    // shows the banner; the operator (or a paste) answers meanwhile.
    let dir = folder(&[
        (
            "inventory/local.yaml",
            "hosts:\n  b1: {connection: local, workdir: ../w/b1, role: backup, replication_check: sleep 2}\n",
        ),
        ("w/b1/old/x", ""),
    ]);
    let mut p = spawn(dir.path(), &["exec", "b1", "--", WIPE]);
    support::wait_for(dir.path(), |r| r.iter().any(|r| r["event"] == "plan"));
    p.send_line("backup").unwrap();
    p.send_line("y").unwrap();
    p.expect(ROLE).unwrap();
    // The early answers were thrown away: the question waits for one.
    p.send(ControlCode::EndOfTransmission).unwrap();
    assert_eq!(exit_code(&mut p), 3);
    assert_eq!(refusal(dir.path())["reason"], "eof");
    assert!(!marked(dir.path(), "b1"));
}

/// While it lives, `opsguard-sudo` (made by scripts/test: sudo only to
/// `nobody`, password locked) has a random password; locked again after.
struct SudoPassword(String);

impl SudoPassword {
    fn set() -> SudoPassword {
        let password = format!(
            "pw-{}-{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut chpasswd = std::process::Command::new("chpasswd")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("chpasswd (as root; scripts/test makes the opsguard-sudo login)");
        std::io::Write::write_all(
            chpasswd.stdin.as_mut().unwrap(),
            format!("opsguard-sudo:{password}\n").as_bytes(),
        )
        .unwrap();
        assert!(
            chpasswd.wait().unwrap().success(),
            "no opsguard-sudo login: run scripts/test (as root) once"
        );
        SudoPassword(password)
    }
}

impl Drop for SudoPassword {
    fn drop(&mut self) {
        let _ = std::process::Command::new("passwd")
            .args(["-l", "opsguard-sudo"])
            .output();
    }
}

/// `--ask-become-pass`: the sudo password is asked once, without echo, and
/// sudo takes it; it is in no record. A wrong one fails at once (sudo
/// would otherwise wait for another try); without it, `sudo -n` fails.
#[test]
fn ask_become_pass_gives_sudo_its_password_once_and_records_none_of_it() {
    let sshd = support::sshd::Sshd::start(2);
    let password = SudoPassword::set();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    std::fs::write(&kh, sshd.known_hosts()).unwrap();
    std::fs::write(
        dir.path().join("inventory.yaml"),
        sshd.inventory("backup", &kh)
            .replace("settings:\n", "settings:\n  user: opsguard-sudo\n"),
    )
    .unwrap();
    let args = ["-i", "inventory.yaml", "exec", "s1", "--become", "nobody"];

    let mut p = spawn(
        dir.path(),
        &[&args[..], &["--ask-become-pass", "--", "id -un"]].concat(),
    );
    p.expect("sudo password for become:").unwrap();
    p.send_line(&password.0).unwrap();
    let (text, code) = support::pty::transcript(&mut p);
    let text = String::from_utf8_lossy(&text);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("nobody"), "{text}");
    assert!(
        !text.contains(&password.0),
        "the password was echoed: {text}"
    );
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(!log.contains(&password.0), "the password is in the log");
    assert!(
        records(dir.path())
            .iter()
            .any(|r| r["event"] == "command.start" && r["become"] == "nobody")
    );

    // A wrong password: refused at once on the first host, and never
    // tried on the next (a lockout policy counts every try).
    let started = std::time::Instant::now();
    let all = [
        "-i", "inventory.yaml", "exec", "@all", "--forks", "1", "--become", "nobody",
    ];
    let mut p = spawn(
        dir.path(),
        &[&all[..], &["--ask-become-pass", "--", "id -un"]].concat(),
    );
    p.expect("sudo password for become:").unwrap();
    p.send_line("not the password").unwrap();
    let (text, code) = support::pty::transcript(&mut p);
    let text = String::from_utf8_lossy(&text);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("[opsguard: sudo password]"), "{text}");
    assert!(
        text.contains("not run: sudo refused the password earlier in this run"),
        "{text}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited for another try"
    );

    let out = opsguard(dir.path(), &[&args[..], &["--", "id -un"]].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a password is required"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
