//! Running commands on a host with the system's OpenSSH client, for what
//! libssh2 does not do: jump hosts, proxy commands, host certificates,
//! Kerberos, security keys. Chosen with `connection: openssh` (per host or
//! in settings), or automatically, with a note, for a host whose
//! ssh_config asks for one of those ([`super::ssh_config`]).
//!
//! What opsguard insists on is given on the command line, where it wins
//! over any ssh_config: `BatchMode=yes` (never a prompt),
//! `StrictHostKeyChecking=yes` (never a key accepted unseen), and the
//! inventory's user, port, identity files, known_hosts and connect
//! timeout. Each host gets a control master (`ControlMaster`,
//! `ControlPersist` 5 minutes) whose socket is in a private folder (mode
//! 0700, see [`control_folder`]), so the commands of a run, and of the
//! runs that follow, share one login.
//!
//! The command goes through the same remote wrapper as with libssh2
//! ([`super::remote`]): closing ssh's input (a timeout, Ctrl-C) stops the
//! command's whole process group on the host.

use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::local::{finished, reader};
use super::{Limits, Outcome, Transport, TransportError, remote, signal_name};
use crate::inventory::{Host, Settings};

/// How long a control master stays after its last command.
const PERSIST: &str = "300";

/// How long ssh's output may go on being read after it has exited.
const LINGER: Duration = Duration::from_millis(500);

/// After the grace period, how long the host gets to report the end of a
/// stopped command before ssh itself is stopped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

pub struct OpenSsh {
    /// `ssh` and its options, up to the destination.
    base: Vec<String>,
    destination: String,
    /// The host's name, for messages.
    endpoint: String,
    become_user: Option<String>,
    /// Where ssh connects, as `ssh -G` resolves it.
    connected: super::Connected,
}

impl OpenSsh {
    /// A control master to `host`, started (or found running) within
    /// `connect_timeout`.
    pub fn connect(settings: &Settings, host: &Host) -> Result<OpenSsh, TransportError> {
        let local = |message: String| TransportError::Local {
            endpoint: Some(host.name.clone()),
            message,
            source: None,
        };
        let control = control_folder().map_err(local)?;
        let mut base = vec![
            "ssh".to_string(),
            "-T".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "StrictHostKeyChecking=yes".into(),
            "-o".into(),
            "LogLevel=ERROR".into(),
            "-o".into(),
            "UpdateHostKeys=no".into(),
            "-o".into(),
            "VerifyHostKeyDNS=no".into(),
            "-o".into(),
            "ControlMaster=auto".into(),
            "-o".into(),
            format!("ControlPersist={PERSIST}"),
        ];
        match settings.ssh_config.as_deref() {
            Some("none") => {
                base.push("-F".into());
                base.push("none".into());
            }
            Some(path) => {
                let path = crate::account::expand_home(path).map_err(|e| local(e.to_string()))?;
                base.push("-F".into());
                base.push(path.display().to_string());
            }
            None => {}
        }
        let mut opt_pushes = Vec::new();
        if let Some(user) = host.user.as_ref().or(settings.user.as_ref()) {
            opt_pushes.push(format!("User={user}"));
        }
        if let Some(port) = host.port.or(settings.port) {
            opt_pushes.push(format!("Port={port}"));
        }
        let identities = if host.identity_files.is_empty() {
            &settings.identity_files
        } else {
            &host.identity_files
        };
        for file in identities {
            let file = crate::account::expand_home(file).map_err(|e| local(e.to_string()))?;
            opt_pushes.push(format!(
                "IdentityFile={}",
                value(&file.display().to_string())
            ));
        }
        if let Some(kh) = host.known_hosts.as_ref().or(settings.known_hosts.as_ref()) {
            let kh = crate::account::expand_home(kh).map_err(|e| local(e.to_string()))?;
            opt_pushes.push(format!(
                "UserKnownHostsFile={}",
                value(&kh.display().to_string())
            ));
            opt_pushes.push("GlobalKnownHostsFile=/dev/null".into());
            // Only that file: no other source of trust.
            opt_pushes.push("KnownHostsCommand=none".into());
        }
        let timeout = settings
            .connect_timeout
            .map_or(super::ssh::DEFAULT_CONNECT_TIMEOUT, |d| d.0);
        opt_pushes.push(format!("ConnectTimeout={}", timeout.as_secs().max(1)));
        for o in opt_pushes {
            base.push("-o".into());
            base.push(o);
        }
        // A master checked against these options is used only with them:
        // another inventory's known_hosts or ssh_config gets its own.
        let options = crate::audit::record::sha256_hex(base.join("\0").as_bytes());
        base.push("-o".into());
        base.push(format!(
            "ControlPath=\"{}/%C.{}\"",
            escaped(&control.display().to_string()),
            &options[..8]
        ));
        let mut t = OpenSsh {
            base,
            destination: host.address.clone(),
            endpoint: host.name.clone(),
            become_user: host.become_user.clone(),
            connected: super::Connected::default(),
        };
        t.connected = t.resolved(timeout);
        t.start_master(timeout)?;
        Ok(t)
    }

    /// The login and the jump hosts, as `ssh -G` (which connects to
    /// nothing) resolves them with these options and ssh_config.
    /// Bounded by `timeout`: `-G` runs ssh_config's `Match exec` commands.
    fn resolved(&self, timeout: Duration) -> super::Connected {
        let out = self
            .command(&["-G", "--", &self.destination])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map(|child| wait_bounded(child, timeout).1)
            .unwrap_or_default();
        let value = |key: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
                .unwrap_or("")
                .to_string()
        };
        let via = value("proxyjump");
        super::Connected {
            login: format!("{}@{}:{}", value("user"), value("hostname"), value("port")),
            via: if via.is_empty() || via == "none" {
                Vec::new()
            } else {
                via.split(',').map(String::from).collect()
            },
            host_key: None,
            auth: None,
        }
    }

    /// ssh with these options, in a process group of its own, so that
    /// giving up on it also ends what it started (a `Match exec`).
    fn command(&self, extra: &[&str]) -> Command {
        let mut c = Command::new(&self.base[0]);
        c.args(&self.base[1..]).args(extra).process_group(0);
        c
    }

    /// Log in (host key, authentication) by running `true`, bounded by
    /// `timeout`: the first ssh to a host becomes its control master,
    /// which stays in the background for [`PERSIST`] seconds; later ones
    /// use it. Two that start at once each work, one of them without
    /// sharing; none is left behind.
    fn start_master(&self, timeout: Duration) -> Result<(), TransportError> {
        let child = self
            .command(&["--", &self.destination, "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| TransportError::Local {
                endpoint: Some(self.endpoint.clone()),
                message: "cannot start ssh (install openssh-client)".into(),
                source: Some(e),
            })?;
        let (status, stderr) = wait_bounded(child, timeout + Duration::from_secs(2));
        match status {
            Some(s) if s.success() => Ok(()),
            Some(_) => Err(self.failed(&stderr)),
            None => Err(TransportError::OpenSsh {
                endpoint: self.endpoint.clone(),
                message: format!(
                    "no SSH session within connect_timeout ({}s)",
                    timeout.as_secs()
                ),
            }),
        }
    }

    /// What ssh said when it could not connect or log in.
    fn failed(&self, stderr: &str) -> TransportError {
        let said: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        TransportError::OpenSsh {
            endpoint: self.endpoint.clone(),
            message: if said.is_empty() {
                "ssh failed and said nothing".into()
            } else {
                said.join("; ")
            },
        }
    }
}

/// The longest folder a control socket fits in: a Unix socket's path is
/// at most 107 bytes, and ssh adds `/`, the 40 hex digits of `%C` and a
/// 17-byte suffix while it sets the socket up.
const SOCKET_FOLDER_MAX: usize = 107 - 1 - 40 - 9 - 17;

/// A value for `-o KEY=VALUE`: quoted (ssh splits unquoted values at
/// spaces) with `%` doubled (ssh expands `%` tokens in file names).
fn value(text: &str) -> String {
    format!("\"{}\"", escaped(text))
}

fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
}

/// Whether every folder above `dir` belongs to root or to `uid` and only
/// its owner may write it (a sticky one like /tmp aside): otherwise whoever
/// can write one could swap the socket folder for their own, and be handed
/// a command's input (a sudo password) by ssh.
fn ancestors_safe(dir: &Path, uid: u32) -> bool {
    dir.ancestors().skip(1).all(|a| match std::fs::metadata(a) {
        Ok(m) => {
            let mode = m.permissions().mode();
            (m.uid() == 0 || m.uid() == uid) && (mode & 0o022 == 0 || mode & 0o1000 != 0)
        }
        // Not made yet: it will be made here, private.
        Err(_) => true,
    })
}

/// The private folder of control sockets: `$XDG_RUNTIME_DIR/opsguard-ssh`,
/// else `ssh` in opsguard's state folder, else `/tmp/opsguard-ssh-UID`,
/// the first short enough for a socket path; made 0700 if missing, and
/// used only when it is ours and no one else can enter it.
fn control_folder() -> Result<PathBuf, String> {
    let uid = nix::unistd::getuid();
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("opsguard-ssh"));
    let state = crate::state::base().map(|b| b.join("ssh"));
    let tmp = PathBuf::from(format!("/tmp/opsguard-ssh-{uid}"));
    let dir = [runtime, state, Some(tmp)]
        .into_iter()
        .flatten()
        .find(|d| d.as_os_str().len() <= SOCKET_FOLDER_MAX && ancestors_safe(d, uid.as_raw()))
        .ok_or("no folder short enough for ssh's control sockets, under folders only you or root may write")?;
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
    {
        Ok(()) => {}
        Err(e) => return Err(format!("cannot make {}: {e}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if !meta.is_dir() || meta.uid() != uid.as_raw() || mode & 0o077 != 0 {
        return Err(format!(
            "{} holds ssh's control sockets but is not a folder of yours with mode 700 (it has {mode:o}); remove it and run again",
            dir.display()
        ));
    }
    Ok(dir)
}

/// Wait for `child` at most `limit`; what it wrote (its stderr, or its
/// stdout when only that is piped), and its status when it ended in time
/// (killed otherwise).
fn wait_bounded(mut child: Child, limit: Duration) -> (Option<std::process::ExitStatus>, String) {
    let pipe: Option<Box<dyn Read + Send>> = match child.stderr.take() {
        Some(e) => Some(Box::new(e)),
        None => child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
    };
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let group = nix::unistd::Pid::from_raw(child.id() as i32);
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    // The pipe closes when ssh exits (a master going to the background
    // closes its copy); should anything still hold it, take what came
    // within a second.
    let until = Instant::now() + Duration::from_secs(1);
    while !reader.is_finished() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    let text = if reader.is_finished() {
        reader.join().unwrap_or_default()
    } else {
        String::new()
    };
    (status, text)
}

impl Transport for OpenSsh {
    fn connected(&self) -> Option<super::Connected> {
        Some(self.connected.clone())
    }

    fn run(&mut self, command: &str, limits: &Limits) -> Result<Outcome, TransportError> {
        let started = Instant::now();
        let become_user = limits
            .become_user
            .as_deref()
            .or(self.become_user.as_deref());
        if become_user.is_some() && remote::password_refused() {
            return Err(remote::refused_error(&self.endpoint));
        }
        let line = remote::line(command, limits.grace, become_user);
        let mut child = self
            .command(&["--", &self.destination, &line])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| TransportError::Local {
                endpoint: Some(self.endpoint.clone()),
                message: "cannot start ssh".into(),
                source: Some(e),
            })?;
        // Held open while the command runs: closing it stops the command.
        let mut input = child.stdin.take();
        if let (Some(_), Some(password), Some(pipe)) =
            (become_user, remote::become_input(), input.as_mut())
        {
            let _ = std::io::Write::write_all(pipe, password.as_bytes());
        }
        let out = reader(
            child.stdout.take().expect("piped"),
            super::Which::Stdout,
            limits.tap.clone(),
        );
        // stderr comes through here, to see sudo refuse a password.
        let (err_tx, err_rx) = std::sync::mpsc::sync_channel::<(super::Which, Vec<u8>)>(64);
        let err = reader(
            child.stderr.take().expect("piped"),
            super::Which::Stderr,
            Some(err_tx),
        );
        let mut wrong_password = false;
        let mut prompts = remote::PromptWatch::default();
        let mut timed_out = false;
        let mut interrupted = false;
        let mut stop: Option<Instant> = None;
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) => {}
                Err(e) => {
                    return Err(TransportError::Local {
                        endpoint: Some(self.endpoint.clone()),
                        message: "lost ssh".into(),
                        source: Some(e),
                    });
                }
            }
            pass_on(&err_rx, limits, |chunk| {
                wrong_password |= become_user.is_some() && prompts.refused(chunk);
            });
            if stop.is_none() && wrong_password {
                // sudo would wait for another try: close the input and it
                // gives up.
                input.take();
                stop = Some(Instant::now());
            }
            if stop.is_none() {
                let overdue = started.elapsed() >= limits.timeout;
                let cancelled = limits.cancel.load(Ordering::Relaxed);
                if overdue || cancelled {
                    timed_out = overdue;
                    interrupted = cancelled && !overdue;
                    input.take();
                    stop = Some(Instant::now());
                }
            }
            if stop.is_some_and(|at| at.elapsed() > limits.grace + CLOSE_GRACE) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        drop(input);
        // The pipes close when ssh has exited; give the readers a moment to
        // take the last bytes (and pass stderr on), but never wait on a
        // pipe something else still holds.
        let deadline = Instant::now() + LINGER;
        while !(out.is_finished() && err.is_finished()) && Instant::now() < deadline {
            pass_on(&err_rx, limits, |_| {});
            std::thread::sleep(Duration::from_millis(2));
        }
        pass_on(&err_rx, limits, |_| {});
        let stdout = finished(out);
        let stderr = finished(err);
        let code = status.and_then(|s| s.code());
        if code == Some(255) && stop.is_none() && lost(&stderr.bytes) {
            return Err(TransportError::Lost {
                endpoint: self.endpoint.clone(),
                source: String::from_utf8_lossy(&stderr.bytes)
                    .trim()
                    .to_string()
                    .into(),
            });
        }
        let (exit_code, signal) = match code {
            Some(c) if (timed_out || interrupted) && c > 128 && c != 255 => {
                (None, Some(signal_name(c - 128)))
            }
            Some(c) => (Some(c), None),
            None => (None, None),
        };
        Ok(Outcome {
            exit_code,
            signal,
            stdout,
            stderr,
            duration: started.elapsed(),
            timed_out,
            interrupted,
        })
    }
}

/// The stderr chunks waiting in `rx`: each shown to `look`, then passed
/// on to the tap.
fn pass_on(
    rx: &std::sync::mpsc::Receiver<(super::Which, Vec<u8>)>,
    limits: &Limits,
    mut look: impl FnMut(&[u8]),
) {
    while let Ok(chunk) = rx.try_recv() {
        look(&chunk.1);
        if let Some(tap) = &limits.tap {
            let _ = tap.send(chunk);
        }
    }
}

/// Whether ssh's own words say the connection failed (exit 255 is also
/// what a command may return).
fn lost(stderr: &[u8]) -> bool {
    let text = String::from_utf8_lossy(stderr);
    text.lines().any(|l| {
        l.starts_with("ssh: ")
            || l.starts_with("Connection to ")
            || l.starts_with("Connection closed")
            || l.starts_with("client_loop: ")
            || l.contains("Control socket")
            || l.starts_with("mux_client_")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_are_quoted_and_percent_doubled() {
        assert_eq!(
            value("/home/ops/My Inventory/kh"),
            "\"/home/ops/My Inventory/kh\""
        );
        assert_eq!(value("/k/%h\"\\x"), "\"/k/%%h\\\"\\\\x\"");
    }

    /// A socket folder under a folder another user may write is not used.
    #[test]
    fn a_folder_under_one_others_may_write_is_not_safe() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let uid = nix::unistd::getuid().as_raw();
        assert!(!ancestors_safe(&open.join("opsguard-ssh"), uid));
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(ancestors_safe(&open.join("opsguard-ssh"), uid));
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(ancestors_safe(&open.join("opsguard-ssh"), uid));
    }
}
