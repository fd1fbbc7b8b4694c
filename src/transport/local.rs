//! Running a command on this machine, in the host's workdir: for the demo,
//! for tests, and for hosts that are this machine.
//!
//! The command runs as `sh -c LINE` in a process group of its own, so a
//! timeout or an interruption stops everything it started (SIGTERM to the
//! group, then SIGKILL after the grace period), never just the shell; and
//! a watchdog stops that group if opsguard itself dies.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::{Capture, Limits, Outcome, Transport, TransportError, Which, signal_name};

pub struct Local {
    workdir: PathBuf,
}

impl Local {
    pub fn new(workdir: &Path) -> Result<Local, TransportError> {
        if !workdir.is_dir() {
            return Err(TransportError::local(format!(
                "workdir {} is not a folder",
                workdir.display()
            )));
        }
        Ok(Local {
            workdir: workdir.to_path_buf(),
        })
    }
}

/// Signal the process group made for this command.
fn signal_group(pgid: u32, signal: Signal) {
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid as i32), signal);
}

/// How long output may go on after the command's shell has exited.
const LINGER: Duration = Duration::from_millis(500);

pub(super) type Reader = std::thread::JoinHandle<Capture>;

pub(super) fn reader(
    mut pipe: impl Read + Send + 'static,
    which: Which,
    tap: Option<SyncSender<(Which, Vec<u8>)>>,
) -> Reader {
    std::thread::spawn(move || {
        let mut capture = Capture::default();
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            capture.push(&buf[..n]);
            if let Some(tap) = &tap {
                let _ = tap.send((which, buf[..n].to_vec()));
            }
        }
        capture
    })
}

/// A reader's capture; empty if it is still stuck on an escaped process.
pub(super) fn finished(reader: Reader) -> super::Stream {
    if reader.is_finished() {
        reader.join().unwrap_or_default().finish()
    } else {
        Capture::default().finish()
    }
}

/// A dead man's switch: a small `sh` that waits on a pipe only opsguard
/// holds, and stops the command's process group (SIGTERM, SIGKILL after the
/// grace period) when that pipe closes without being disarmed first, which
/// is when opsguard died (even by SIGKILL). So a local command never
/// outlives the opsguard that recorded it, as over SSH.
struct Watchdog {
    child: Option<std::process::Child>,
}

impl Watchdog {
    fn start(pgid: u32, grace: Duration) -> Watchdog {
        let child = Command::new("sh")
            .arg("-c")
            .arg("cat >/dev/null 2>&1; kill -TERM -\"$1\" 2>/dev/null; sleep \"$2\"; kill -KILL -\"$1\" 2>/dev/null")
            .arg("opsguard-watchdog")
            .arg(pgid.to_string())
            .arg(grace.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .ok();
        Watchdog { child }
    }

    /// The command is over: stop the watchdog without it firing.
    fn disarm(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.disarm();
    }
}

impl Transport for Local {
    fn run(&mut self, command: &str, limits: &Limits) -> Result<Outcome, TransportError> {
        let started = Instant::now();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&self.workdir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| TransportError::Local {
                endpoint: None,
                message: format!("cannot start sh in {}", self.workdir.display()),
                source: Some(e),
            })?;
        let pgid = child.id();
        let mut watchdog = Watchdog::start(pgid, limits.grace);
        let out_reader = reader(
            child.stdout.take().expect("piped"),
            Which::Stdout,
            limits.tap.clone(),
        );
        let err_reader = reader(
            child.stderr.take().expect("piped"),
            Which::Stderr,
            limits.tap.clone(),
        );
        let mut outcome = Outcome::default();
        let mut stop_sent: Option<Instant> = None;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => {
                    return Err(TransportError::Local {
                        endpoint: None,
                        message: "lost the command".into(),
                        source: Some(e),
                    });
                }
            }
            let overdue = started.elapsed() >= limits.timeout;
            let cancelled = limits.cancel.load(Ordering::Relaxed);
            match stop_sent {
                None if overdue || cancelled => {
                    outcome.timed_out = overdue;
                    outcome.interrupted = cancelled && !overdue;
                    signal_group(pgid, Signal::SIGTERM);
                    stop_sent = Some(Instant::now());
                }
                Some(at) if at.elapsed() >= limits.grace => {
                    signal_group(pgid, Signal::SIGKILL);
                }
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Whatever the shell left behind in its group goes with it.
        if stop_sent.is_some() {
            signal_group(pgid, Signal::SIGKILL);
        }
        // A background child can hold the pipes open after the shell is
        // gone: wait a little, then end the group, then stop waiting.
        let deadline = Instant::now() + LINGER;
        while !(out_reader.is_finished() && err_reader.is_finished()) {
            if Instant::now() >= deadline {
                signal_group(pgid, Signal::SIGKILL);
                if Instant::now() >= deadline + LINGER {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        watchdog.disarm();
        outcome.stdout = finished(out_reader);
        outcome.stderr = finished(err_reader);
        outcome.exit_code = status.code();
        outcome.signal = status.signal().map(signal_name);
        outcome.duration = started.elapsed();
        Ok(outcome)
    }
}
