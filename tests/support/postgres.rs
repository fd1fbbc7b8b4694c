//! A real PostgreSQL server for a test: a new cluster in a temporary
//! folder, reached only through a Unix socket in that folder, stopped by
//! its pid when the test ends.
//!
//! PostgreSQL refuses to run as root: when the tests run as root (CI), the
//! cluster belongs to the `postgres` user that Debian's `postgresql`
//! package makes (scripts/test installs it), and the server runs as that
//! user.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub struct Postgres {
    dir: tempfile::TempDir,
    server: Option<Child>,
}

/// The folder of PostgreSQL's programs (`/usr/lib/postgresql/15/bin`).
fn bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql (install postgresql; scripts/test does)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().expect("initdb (install postgresql)")
}

/// Run `command` as the user that owns the cluster.
fn as_owner(command: &mut Command) -> &mut Command {
    if nix::unistd::getuid().is_root() {
        let user = nix::unistd::User::from_name("postgres")
            .unwrap()
            .expect("the postgres user (install postgresql)");
        command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    command
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::Builder::new().prefix("pg").tempdir().unwrap();
        if nix::unistd::getuid().is_root() {
            let user = nix::unistd::User::from_name("postgres").unwrap().unwrap();
            nix::unistd::chown(dir.path(), Some(user.uid), Some(user.gid)).unwrap();
        }
        let data = dir.path().join("data");
        let out = as_owner(
            Command::new(bin().join("initdb"))
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
                .arg("-D")
                .arg(&data),
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut pg = Postgres { dir, server: None };
        pg.run();
        pg
    }

    /// Start the server on the cluster, and wait until it answers.
    pub fn run(&mut self) {
        let data = self.dir.path().join("data");
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = as_owner(
            Command::new(bin().join("postgres"))
                .arg("-D")
                .arg(&data)
                .arg("-k")
                .arg(self.dir.path())
                .args(["-c", "listen_addresses=", "-c", "max_connections=60"]),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("start postgres");
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = self.client_once()
                && c.simple_query("SELECT 1").is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "postgres did not start: {}",
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the server (a fast shutdown, by its pid) and wait for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGINT);
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = kill(Pid::from_raw(-(child.id() as i32)), Signal::SIGKILL);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// The socket's folder.
    pub fn socket(&self) -> &Path {
        self.dir.path()
    }

    /// The URL opsguard is given: the socket folder as `host`, the
    /// superuser, no password.
    pub fn url(&self) -> String {
        format!(
            "postgresql:///postgres?host={}&user=postgres",
            self.dir.path().display()
        )
    }

    fn client_once(&self) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host_path(self.dir.path())
            .user("postgres")
            .dbname("postgres")
            .connect(postgres::NoTls)
    }

    /// A connection as the superuser, for the test's own checks.
    pub fn client(&self) -> postgres::Client {
        self.client_once().expect("connect to the test's postgres")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
