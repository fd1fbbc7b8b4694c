//! A small builder so tests read like the user's session:
//! `Test::new().file("inv.yaml", ..).args(["hosts"]).status(0).stdout_has("..")`.
#![allow(dead_code)]

pub mod postgres;
pub mod pty;
pub mod sshd;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Each test owns its home and state folders: `HOME` is `home` and
/// `XDG_STATE_HOME` is `state` in the test's folder unless it says
/// otherwise, so no test reads or writes the real ones.
#[must_use = "a test does nothing until it is run"]
pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    /// Set (`Some`) or removed (`None`), after the defaults.
    env: Vec<(String, Option<String>)>,
    cwd: Option<PathBuf>,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    /// stdout as it came, byte for byte.
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    /// The test's folder, kept until the run is dropped.
    dir: tempfile::TempDir,
}

/// Root ignores file modes: tests of unwritable files run opsguard as
/// nobody (setpriv) when they run as root.
pub fn is_root() -> bool {
    nix::unistd::getuid().is_root()
}

/// The repository root, for tests that check the shipped examples.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file under the test's folder.
    pub fn file(self, name: &str, text: impl AsRef<[u8]>) -> Test {
        write(self.dir.path(), name, text);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Test {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    /// Run without `key` in the environment (not even the default).
    pub fn env_remove(mut self, key: &str) -> Test {
        self.env.push((key.into(), None));
        self
    }

    /// Run in this folder instead of the test's own.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Test {
        self.cwd = Some(dir.into());
        self
    }

    pub fn run(self) -> Run {
        let mut cmd = Command::cargo_bin("opsguard").expect("binary");
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"));
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(
            self.cwd
                .clone()
                .unwrap_or_else(|| self.dir.path().to_path_buf()),
        );
        cmd.args(&self.args);
        cmd.timeout(std::time::Duration::from_secs(60));
        let out = cmd.output().expect("run opsguard");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stdout_bytes: out.stdout.clone(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: self.dir,
        }
    }

    /// Run and check the exit code, showing the output when it differs.
    #[track_caller]
    pub fn status(self, code: i32) -> Run {
        let run = self.run();
        assert_eq!(
            run.status, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        );
        run
    }
}

impl Run {
    /// The folder the test ran in.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, text: &str) -> Run {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}\n{}",
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

pub const INVENTORY: &str = "roles:
  live: {protected: true, color: red}
  backup: {color: green}
policy:
  require_change: [live]
  destructive_patterns: [\"storctl pool reinit*\"]
  safe_patterns: [\"storctl * show*\"]
hosts:
  store-a1: {address: 10.0.1.11, role: live, groups: [cluster-a, mailstore], mirror: store-a1-m}
  store-a1-m: {address: 10.0.1.12, role: live, groups: [cluster-a]}
  backup-a1: {address: 10.0.2.11, role: backup, groups: [cluster-a]}
";

/// The audit log `audit.jsonl` of a test folder, as records.
pub fn records(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The processes `pgrep ARGS` finds (`["-f", "sleep 20"]`), as it lists
/// them: empty when nothing matches.
pub fn running(args: &[&str]) -> String {
    let out = std::process::Command::new("pgrep")
        .args(args)
        .output()
        .expect("pgrep (install procps)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The records of `event` in the audit log of a test folder.
pub fn records_of(dir: &Path, event: &str) -> Vec<serde_json::Value> {
    records(dir)
        .into_iter()
        .filter(|r| r["event"] == event)
        .collect()
}

/// The `event` of each record.
pub fn events(records: &[serde_json::Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["event"].as_str().unwrap().to_string())
        .collect()
}

/// opsguard as a process of its own in `dir` (for tests that signal it or
/// run two at once): a clean environment but PATH, `HOME` and
/// `XDG_STATE_HOME` in `dir`, the log in `audit.jsonl`, no input, output
/// piped.
pub fn opsguard(dir: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opsguard"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// Write `text` to `dir/name`, making the folders on the way.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A new folder holding `files`, each a path in it and its text.
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

/// The first record of `event` in `records`; a test failure naming the
/// events there are if there is none.
pub fn first_record(records: &[serde_json::Value], event: &str) -> serde_json::Value {
    records
        .iter()
        .find(|r| r["event"] == event)
        .unwrap_or_else(|| panic!("no {event} record in {:?}", events(records)))
        .clone()
}

/// Send `signal` (`libc::SIGTERM`, ...) to `child`, an opsguard this test
/// started.
pub fn signal(child: &std::process::Child, signal: i32) {
    let signal = nix::sys::signal::Signal::try_from(signal).expect("a signal");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)
        .expect("the child is there to signal");
}

/// Wait (at most 20 s) until the audit log of `dir` satisfies `what`.
pub fn wait_for(dir: &Path, what: impl Fn(&[serde_json::Value]) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !what(&records(dir)) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {:?}",
            events(&records(dir))
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The SHA-256 of a file, as hex.
pub fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `--after SEQ:HASH` that `audit export --since` said checks its part.
#[track_caller]
pub fn after_printed(stderr: &str) -> String {
    stderr
        .split("audit verify --after ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no --after in: {stderr}"))
        .to_string()
}

/// A syslog socket the test listens on, as a host's `logger -u` writes.
pub struct Syslog(std::os::unix::net::UnixDatagram);

impl Syslog {
    pub fn bind(path: &Path) -> Syslog {
        Syslog(std::os::unix::net::UnixDatagram::bind(path).unwrap())
    }

    /// The next message, if one comes within `wait_ms`.
    pub fn heard(&self, wait_ms: u64) -> Option<String> {
        self.0
            .set_read_timeout(Some(std::time::Duration::from_millis(wait_ms)))
            .unwrap();
        let mut buf = vec![0u8; 4096];
        self.0
            .recv(&mut buf)
            .ok()
            .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
    }

    /// The host's trail of `command`, recorded as `start`: the line names
    /// the session, the operator, the record and the command.
    #[track_caller]
    pub fn assert_trail(&self, start: &serde_json::Value, command: &str) {
        let said = self.heard(5000).expect("a line in the host's syslog");
        for part in [
            "opsguard".to_string(),
            format!("session={}", start["session"].as_str().unwrap()),
            format!("operator={}", start["user"].as_str().unwrap()),
            format!(
                "seq={} hash={}",
                start["seq"],
                start["hash"].as_str().unwrap()
            ),
            format!("command={command}"),
        ] {
            assert!(said.contains(&part), "{part} not in {said}");
        }
    }
}
