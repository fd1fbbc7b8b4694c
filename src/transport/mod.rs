//! How a command reaches a host: the [`Transport`] trait, with `local`
//! (this machine, in the host's workdir) and `ssh` (libssh2).
//!
//! A transport runs one shell line and returns what happened; it never
//! decides whether the line may run (the guards did that before) and never
//! prints (the executor reports). Every blocking wait is bounded by the
//! command's timeout and by the run's cancel flag.

pub mod auth;
mod error;
mod identity;
mod jump;
pub mod known_hosts;
pub mod local;
pub mod openssh;
pub mod pool;
pub mod remote;
pub mod ssh;
pub mod ssh_config;
mod watch;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use error::{ConnectError, HandshakeError, SetupError, TransportError};

use crate::inventory::{Connection, Host, Settings, SshClient};

#[cfg(test)]
mod tests;

/// One output stream of a command as kept in memory: its first bytes
/// (`bytes`, at most [`HEAD`]: what the audit log records), its last bytes
/// after those (`tail`, at most [`TAIL`]), and the size and SHA-256 of all
/// of it. Whatever the command prints, a stream holds at most
/// `HEAD + TAIL` bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    pub bytes: Vec<u8>,
    pub tail: Vec<u8>,
    pub total: u64,
    pub sha256: String,
}

/// How much of the start of each stream is kept: the audit log's share.
pub const HEAD: usize = 64 * 1024;

/// How much of the end of each stream is kept, after the head.
pub const TAIL: usize = 64 * 1024;

impl Stream {
    /// Bytes between the head and the tail that were not kept.
    pub fn omitted(&self) -> u64 {
        self.total
            .saturating_sub((self.bytes.len() + self.tail.len()) as u64)
    }

    /// The last byte the command printed.
    pub fn last_byte(&self) -> Option<u8> {
        self.tail.last().or(self.bytes.last()).copied()
    }

    /// What to show of it: the head, a line saying how much was left out
    /// when something was, and the tail.
    pub fn shown(&self) -> std::borrow::Cow<'_, [u8]> {
        if self.tail.is_empty() && self.omitted() == 0 {
            return std::borrow::Cow::Borrowed(&self.bytes);
        }
        let mut out = self.bytes.clone();
        if self.omitted() > 0 {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(
                format!(
                    "[opsguard: {} bytes not kept; {} bytes in all, sha256 {}]\n",
                    self.omitted(),
                    self.total,
                    self.sha256
                )
                .as_bytes(),
            );
        }
        out.extend_from_slice(&self.tail);
        std::borrow::Cow::Owned(out)
    }

    /// Keep at most `n` bytes of the head and `n` of the tail (once the
    /// audit log has the head), freeing the rest.
    pub fn trim(&mut self, n: usize) {
        let kept = self.bytes.len() + self.tail.len();
        if kept <= 2 * n {
            return;
        }
        // The last `n` kept bytes, from the tail and, when it is shorter,
        // from the end of the head. Fresh allocations of the kept size:
        // the large ones are freed whole rather than shrunk in place.
        let from_head = n.saturating_sub(self.tail.len());
        let mut tail = self.bytes[self.bytes.len() - from_head..].to_vec();
        tail.extend_from_slice(&self.tail[self.tail.len() - (n - from_head)..]);
        self.tail = tail;
        self.bytes = self.bytes[..n].to_vec();
    }
}

/// Collects a stream as it arrives: the head, a ring of the last [`TAIL`]
/// bytes after it, and the hash of everything.
pub struct Capture {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    total: u64,
    hasher: sha2::Sha256,
}

impl Default for Capture {
    fn default() -> Self {
        Capture {
            head: Vec::new(),
            tail: std::collections::VecDeque::new(),
            total: 0,
            hasher: <sha2::Sha256 as sha2::Digest>::new(),
        }
    }
}

impl Capture {
    pub fn push(&mut self, chunk: &[u8]) {
        sha2::Digest::update(&mut self.hasher, chunk);
        self.total += chunk.len() as u64;
        let room = HEAD.saturating_sub(self.head.len());
        let (head, rest) = chunk.split_at(chunk.len().min(room));
        self.head.extend_from_slice(head);
        let rest = &rest[rest.len().saturating_sub(TAIL)..];
        self.tail.extend(rest);
        if self.tail.len() > TAIL {
            self.tail.drain(..self.tail.len() - TAIL);
        }
    }

    pub fn finish(self) -> Stream {
        let digest = sha2::Digest::finalize(self.hasher);
        Stream {
            bytes: self.head,
            tail: self.tail.into(),
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
    /// The user to run this command as (a playbook step's `become`), over
    /// the host's own; SSH hosts only.
    pub become_user: Option<String>,
    /// A line for the host's own syslog before the command starts (a
    /// destructive one, [`remote::Trail`]); SSH hosts only.
    pub trail: Option<remote::Trail>,
}

pub trait Transport: Send {
    fn run(&mut self, command: &str, limits: &Limits) -> Result<Outcome, TransportError>;

    /// How the connection was made, for the records; `None` on a local
    /// host.
    fn connected(&self) -> Option<Connected> {
        None
    }
}

/// How an SSH connection was made, as the audit log records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connected {
    /// `user@address:port` as connected.
    pub login: String,
    /// The jump hosts on the way, in order.
    pub via: Vec<String>,
    /// The host key's `SHA256:` fingerprint, when opsguard checked it.
    pub host_key: Option<String>,
    /// The key that logged in (`SHA256:...` and where it came from), when
    /// opsguard logged in.
    pub auth: Option<String>,
}

/// A transport to `host`, connected (and, for SSH, authenticated).
pub fn connect(settings: &Settings, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
    match &host.connection {
        Connection::Local { workdir } => Ok(Box::new(local::Local::new(workdir)?)),
        Connection::Ssh if host.ssh_client == SshClient::OpenSsh => {
            Ok(Box::new(openssh::OpenSsh::connect(settings, host)?))
        }
        Connection::Ssh => {
            let reason = match ssh::Target::new(settings, host).and_then(ssh::Ssh::connect) {
                Ok(ssh) => return Ok(Box::new(ssh)),
                Err(TransportError::NeedsOpenSsh { reason, .. }) => reason,
                Err(e) => return Err(e),
            };
            crate::ui::warn_once(&format!(
                "{}: {reason}; connecting with the system ssh (connection: openssh)",
                host.name
            ));
            Ok(Box::new(openssh::OpenSsh::connect(settings, host)?))
        }
    }
}

/// How a connection to `host` is made, as far as that is known without
/// making it: for the record of a host that could not be reached.
pub fn attempted(settings: &Settings, host: &Host) -> Option<Connected> {
    match &host.connection {
        Connection::Local { .. } => None,
        Connection::Ssh if host.ssh_client == SshClient::OpenSsh => {
            openssh::OpenSsh::attempted(settings, host)
        }
        Connection::Ssh => match ssh::Target::new(settings, host) {
            Ok(target) => Some(Connected {
                login: target.endpoint(),
                ..Connected::default()
            }),
            Err(TransportError::NeedsOpenSsh { .. }) => openssh::OpenSsh::attempted(settings, host),
            Err(_) => None,
        },
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
