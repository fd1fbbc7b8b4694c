//! `opsguard shell` through a real pseudo-terminal (`expectrl`) against the
//! real binary: the prompt, `cd`, guarded destructive lines, Ctrl-C during
//! a command, `exit`, and the replay of the session; on a local host and
//! over SSH.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Expect};
use support::pty::{exit_code, spawn};
use support::sshd::Sshd;
use support::{folder, opsguard, records, wait_for};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, mirror: l2}
  l2: {connection: local, workdir: ../w/l2, role: live}
  b1: {connection: local, workdir: ../w/b1, role: backup}
";

fn site() -> tempfile::TempDir {
    let dir = folder(&[
        ("inventory/local.yaml", LOCAL),
        ("w/l1/srv/mail/inbox", "hello\n"),
        ("w/l1/old/x", ""),
        ("w/b1/old/x", ""),
    ]);
    std::fs::create_dir_all(dir.path().join("w/l2")).unwrap();
    dir
}

/// How many commands the session has started.
fn count_starts(records: &[serde_json::Value]) -> usize {
    records
        .iter()
        .filter(|r| r["event"] == "command.start")
        .count()
}

fn command_starts(dir: &Path) -> usize {
    count_starts(&records(dir))
}

fn replay(dir: &Path) -> String {
    let session = records(dir)[0]["session"].as_str().unwrap().to_string();
    let out = opsguard(dir, &["audit", "replay", &session])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_session_on_a_local_host_from_prompt_to_replay() {
    let dir = site();
    let root = dir.path().join("w/l1").canonicalize().unwrap();
    let root = root.display().to_string();
    let mut p = spawn(dir.path(), &["shell", "l1"]);
    p.expect("opsguard shell on l1 [LIVE]").unwrap();
    p.expect("changes here are copied at once to its mirror l2 [LIVE]")
        .unwrap();
    // The prompt names host, role and folder; cd persists.
    p.expect(format!("l1 [LIVE] {root} $ ")).unwrap();
    p.send_line("cd srv/mail").unwrap();
    p.expect(format!("l1 [LIVE] {root}/srv/mail $ ")).unwrap();
    p.send_line("cat inbox").unwrap();
    p.expect("hello").unwrap();
    p.expect(format!("l1 [LIVE] {root}/srv/mail $ ")).unwrap();
    // A failing command says so and the session goes on.
    p.send_line("ls nothing-here").unwrap();
    p.expect("[exit 2]").unwrap();
    // A destructive line with the wrong role: refused, the session goes on.
    p.send_line("cd && rm -rf old").unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("backup").unwrap();
    p.expect("refused (role-mismatch)").unwrap();
    p.expect(format!("l1 [LIVE] {root}/srv/mail $ ")).unwrap();
    assert!(dir.path().join("w/l1/old").exists());
    // With the right role it runs, and its cd moves, as in a shell.
    p.send_line("cd ../.. && rm -rf old && echo removed")
        .unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("live").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("y").unwrap();
    p.expect("removed").unwrap();
    p.expect(format!("l1 [LIVE] {root} $ ")).unwrap();
    assert!(!dir.path().join("w/l1/old").exists());
    assert!(!dir.path().join("w/l1/.opsguard.lock").exists());
    // A cd in a subshell does not move; one that fails does not either.
    p.send_line("(cd srv) && echo sub").unwrap();
    p.expect("sub").unwrap();
    p.expect(format!("l1 [LIVE] {root} $ ")).unwrap();
    p.send_line("cd nowhere && echo never; cd srv; ls").unwrap();
    p.expect("mail").unwrap();
    p.expect(format!("l1 [LIVE] {root}/srv $ ")).unwrap();
    // Ctrl-C stops a running command, not the session; the folder stays.
    let before = command_starts(dir.path());
    p.send_line("cd mail; sleep 2; echo late").unwrap();
    let sent = std::time::Instant::now();
    wait_for(dir.path(), |r| count_starts(r) > before);
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("^C: the command was stopped").unwrap();
    p.expect(format!("l1 [LIVE] {root}/srv $ ")).unwrap();
    // Had the line gone on, it would print `late` 2 s after it started,
    // into the session and its record.
    std::thread::sleep(Duration::from_secs(3).saturating_sub(sent.elapsed()));
    // A full-screen program is refused, not started.
    p.send_line("vim inbox").unwrap();
    p.expect("`vim` needs a full terminal").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let r = records(dir.path());
    assert_eq!(r.last().unwrap()["event"], "session.end");
    assert_eq!(r.last().unwrap()["status"], "ok");
    assert!(
        r.iter()
            .any(|r| r["event"] == "guard.refused" && r["reason"] == "role-mismatch")
    );
    let text = replay(dir.path());
    for line in [
        format!("l1 [LIVE] {root} $ cd srv/mail"),
        format!("now in {root}/srv/mail"),
        format!("l1 [LIVE] {root}/srv/mail $ cat inbox"),
        "out| hello".to_string(),
        format!("l1 [LIVE] {root}/srv/mail $ cd && rm -rf old  [destructive]"),
        "REFUSED (role-mismatch): typed \"backup\"".to_string(),
        "answered: \"live\", \"y\"".to_string(),
        "out| removed".to_string(),
        format!("now in {root}\n"),
        format!("now in {root}/srv\n"),
        format!("l1 [LIVE] {root}/srv $ cd mail; sleep 2; echo late"),
        "not started: `vim` needs a full terminal".to_string(),
        "ended: ok, exit 0".to_string(),
    ] {
        assert!(text.contains(&line), "replay lacks {line:?}:\n{text}");
    }
    assert!(
        !text.contains("out| late"),
        "the stopped line went on:\n{text}"
    );
    // The folder files were removed after each line.
    let session = r[0]["session"].as_str().unwrap();
    let left: Vec<_> = std::fs::read_dir("/tmp")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(session))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // History is kept per host.
    let history = std::fs::read_to_string(dir.path().join("state/opsguard/history/l1")).unwrap();
    assert!(history.contains("cat inbox"), "{history}");
}

#[test]
fn ctrl_d_ends_the_session_and_without_a_terminal_it_refuses_to_start() {
    let dir = site();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect("b1 [BACKUP]").unwrap();
    p.expect(" $ ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let out = Command::new(env!("CARGO_BIN_EXE_opsguard"))
        .args(["shell", "b1"])
        .current_dir(dir.path())
        .env("OPSGUARD_AUDIT_LOG", "other.jsonl")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}

#[test]
fn a_session_over_ssh() {
    let sshd = Sshd::start(1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("known_hosts"), sshd.known_hosts()).unwrap();
    let marks = tempfile::tempdir().unwrap();
    std::fs::create_dir(marks.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("inventory.yaml"),
        sshd.inventory("backup", &dir.path().join("known_hosts")),
    )
    .unwrap();
    let mut p = spawn(dir.path(), &["-i", "inventory.yaml", "shell", "s1"]);
    p.expect("opsguard shell on s1 [BACKUP]").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line(format!("cd {}", marks.path().display()))
        .unwrap();
    p.expect(format!("s1 [BACKUP] {} $ ", marks.path().display()))
        .unwrap();
    p.send_line("cd sub && pwd").unwrap();
    p.expect(format!("{}/sub", marks.path().display())).unwrap();
    p.expect(format!("s1 [BACKUP] {}/sub $ ", marks.path().display()))
        .unwrap();
    let before = command_starts(dir.path());
    p.send_line("sleep 2; touch late").unwrap();
    let sent = std::time::Instant::now();
    wait_for(dir.path(), |r| count_starts(r) > before);
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("^C: the command was stopped").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    // Had it gone on on the server, `late` would be there 2 s after it
    // started.
    std::thread::sleep(Duration::from_secs(3).saturating_sub(sent.elapsed()));
    assert!(!marks.path().join("sub/late").exists());
}

#[test]
fn a_folder_whose_name_holds_a_newline_is_followed_exactly() {
    let dir = site();
    let root = dir.path().join("w/b1").canonicalize().unwrap();
    let root = root.display().to_string();
    // `x\ny/etc`: read as lines, the last would say the console is in
    // `y/etc` while its commands run elsewhere.
    std::fs::create_dir_all(dir.path().join("w/b1/x\ny/etc")).unwrap();
    std::fs::write(dir.path().join("w/b1/x\ny/etc/mark"), "inside\n").unwrap();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect(format!("b1 [BACKUP] {root} $ ")).unwrap();
    p.send_line("cd \"$(printf 'x\\ny')\"").unwrap();
    p.expect(format!("b1 [BACKUP] '{root}/x\\ny' $ ")).unwrap();
    p.send_line("cd etc").unwrap();
    p.expect(format!("b1 [BACKUP] '{root}/x\\ny/etc' $ "))
        .unwrap();
    p.send_line("cat mark").unwrap();
    p.expect("inside").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let r = records(dir.path());
    let moves: Vec<&str> = r
        .iter()
        .filter(|r| r["event"] == "shell.cd")
        .filter_map(|r| r["to"].as_str())
        .collect();
    assert_eq!(moves, [format!("{root}/x\ny"), format!("{root}/x\ny/etc")]);
}

#[test]
fn a_session_takes_a_change_ticket_and_an_emergency_reason() {
    let dir = folder(&[
        (
            "inventory/local.yaml",
            "policy:
  require_change: [live]
  freeze:
    - {from: 2020-01-01T00:00:00Z, to: 2099-01-01T00:00:00Z, roles: [live], reason: migration}
hosts:
  l1: {connection: local, workdir: ../w/l1, role: live}
",
        ),
        ("w/l1/old/x", ""),
    ]);
    // Without a ticket, the policy refuses and says which flag to pass.
    let mut p = spawn(dir.path(), &["shell", "l1"]);
    p.expect(" $ ").unwrap();
    p.send_line("rm -rf old").unwrap();
    p.expect("refused (change-required)").unwrap();
    p.expect("pass --change ID").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(dir.path().join("w/l1/old").exists());

    // With one and an emergency reason, the freeze is overridden, shown
    // and recorded, and the role is still typed back.
    let mut p = spawn(
        dir.path(),
        &["shell", "l1", "--change", "C-9", "--emergency", "disk full"],
    );
    p.expect(" $ ").unwrap();
    p.send_line("rm -rf old && echo removed").unwrap();
    p.expect("emergency override: freeze until 2099-01-01T00:00:00Z (migration) (disk full)")
        .unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("live").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("y").unwrap();
    p.expect("removed").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(!dir.path().join("w/l1/old").exists());
    let r = records(dir.path());
    let start = r
        .iter()
        .rev()
        .find(|r| r["event"] == "session.start")
        .unwrap();
    assert_eq!(start["change"], "C-9");
    assert_eq!(start["emergency"], "disk full");
}

#[test]
fn an_audit_failure_after_a_line_ran_says_nothing_more_was_run() {
    let dir = site();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect(" $ ").unwrap();
    p.send_line("echo first").unwrap();
    p.expect("first").unwrap();
    p.expect(" $ ").unwrap();
    // The log goes away mid-session: the next line cannot be recorded.
    std::fs::remove_file(dir.path().join("audit.jsonl")).unwrap();
    p.send_line("echo second").unwrap();
    p.expect("was removed while this session ran").unwrap();
    // Work did run before the failure: the message must not deny it.
    p.expect("; nothing more was run").unwrap();
    assert_eq!(exit_code(&mut p), 4);
}

/// As `exec` does, a console line not known to be safe leaves a line in
/// the SSH host's own syslog (`settings.host_syslog`) naming the session,
/// the operator, the line's record and the line; a safe line leaves none.
/// (The test's host writes to a socket the test listens on.)
#[test]
fn a_console_line_not_known_to_be_safe_leaves_the_host_its_own_trail() {
    let sshd = Sshd::start(1);
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let syslog = support::Syslog::bind(&socket);
    std::fs::write(dir.path().join("known_hosts"), sshd.known_hosts()).unwrap();
    // A lock folder of its own: other tests lock in /run/lock at once.
    let inventory = sshd
        .inventory("backup", &dir.path().join("known_hosts"))
        .replace(
            "settings:\n",
            &format!(
                "settings:\n  host_syslog: unix:{}\n  lock_dir: {}\n",
                socket.display(),
                dir.path().display()
            ),
        );
    std::fs::write(dir.path().join("inventory.yaml"), inventory).unwrap();
    let mut p = spawn(dir.path(), &["-i", "inventory.yaml", "shell", "s1"]);
    p.expect(" $ ").unwrap();
    p.send_line("df -h /").unwrap();
    p.expect("Filesystem").unwrap();
    p.expect(" $ ").unwrap();
    assert_eq!(syslog.heard(500), None, "nothing for a safe line");
    let line = "rm -rf /nonexistent-opsguard-console-trail && echo gone";
    p.send_line(line).unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("backup").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("y").unwrap();
    p.expect("gone").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let start = records(dir.path())
        .into_iter()
        .find(|r| r["event"] == "command.start" && r["command"] == line)
        .expect("the line's record");
    syslog.assert_trail(&start, line);
}
