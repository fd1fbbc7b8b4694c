//! How a command reaches a host: the [`Transport`] trait, with `local`
//! (this machine, in the host's workdir) and `ssh` (libssh2).
//!
//! A transport runs one shell line and returns what happened; it never
//! decides whether the line may run (the guards did that before) and never
//! prints (the executor reports). Every blocking wait is bounded by the
//! command's timeout and by the run's cancel flag.

mod auth;
mod identity;
pub mod known_hosts;
pub mod local;
pub mod pool;
pub mod remote;
pub mod ssh;
mod watch;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::inventory::{Connection, Host, Settings};

/// One output stream of a command: the first [`KEEP`] bytes, and the size
/// and SHA-256 of all of it (which the audit log records).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    pub bytes: Vec<u8>,
    pub total: u64,
    pub sha256: String,
}

/// How much of each stream is kept in memory for display and JSON.
pub const KEEP: usize = 8 * 1024 * 1024;

/// Collects a stream as it arrives.
pub struct Capture {
    kept: Vec<u8>,
    total: u64,
    hasher: sha2::Sha256,
}

impl Default for Capture {
    fn default() -> Self {
        Capture {
            kept: Vec::new(),
            total: 0,
            hasher: <sha2::Sha256 as sha2::Digest>::new(),
        }
    }
}

impl Capture {
    pub fn push(&mut self, chunk: &[u8]) {
        sha2::Digest::update(&mut self.hasher, chunk);
        self.total += chunk.len() as u64;
        let room = KEEP.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    pub fn finish(self) -> Stream {
        let digest = sha2::Digest::finalize(self.hasher);
        Stream {
            bytes: self.kept,
            total: self.total,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// Which stream a live chunk came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Stdout,
    Stderr,
}

/// What one command did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    /// The signal that ended it (`SIGKILL`), if one did.
    pub signal: Option<String>,
    pub stdout: Stream,
    pub stderr: Stream,
    pub duration: Duration,
    /// It ran past its timeout and was stopped.
    pub timed_out: bool,
    /// It was stopped because the run was interrupted.
    pub interrupted: bool,
}

/// Why a command could not be run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("{0}")]
    Unreachable(String),
}

/// Bounds on one command.
#[derive(Clone, Debug)]
pub struct Limits {
    pub timeout: Duration,
    /// Set when the run is interrupted: stop within the grace period.
    pub cancel: Arc<AtomicBool>,
    /// How long a stopped command gets between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Where to send output as it arrives (single-host `exec` streams, the
    /// shell). Bounded: a slow reader holds the command back rather than
    /// letting its output pile up in memory.
    pub tap: Option<std::sync::mpsc::SyncSender<(Which, Vec<u8>)>>,
}

pub trait Transport: Send {
    fn run(&mut self, command: &str, limits: &Limits) -> Result<Outcome, TransportError>;
}

/// A transport to `host`, connected (and, for SSH, authenticated).
pub fn connect(settings: &Settings, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
    match &host.connection {
        Connection::Local { workdir } => Ok(Box::new(local::Local::new(workdir)?)),
        Connection::Ssh => Ok(Box::new(ssh::Ssh::connect(ssh::Target::new(
            settings, host,
        )?)?)),
    }
}

/// `SIGKILL` for 9, and so on; the number when it has no common name.
pub fn signal_name(n: i32) -> String {
    let name = match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {n}"),
    };
    name.to_string()
}
