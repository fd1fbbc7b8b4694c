//! opsguard in a real pseudo-terminal (`expectrl`), as an operator meets it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

/// opsguard in a pseudo-terminal in `dir`: no colour, the log in
/// `audit.jsonl`, `HOME` and the state folder in `dir`.
pub fn spawn(dir: &Path, args: &[&str]) -> OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsguard"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("HOME", dir.join("home"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .args(args);
    let mut p = Session::spawn(cmd).expect("spawn in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p
}

/// Wait for the end of its output, then its exit code.
pub fn exit_code(p: &mut OsSession) -> i32 {
    p.expect(Eof).unwrap();
    match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    }
}

/// Everything it writes to the terminal until it ends, and its exit code.
pub fn transcript(p: &mut OsSession) -> (Vec<u8>, i32) {
    let found = p.expect(Eof).unwrap();
    let text = [found.before(), found.as_bytes()].concat();
    let code = match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    (text, code)
}
