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
use crate::inventory::{Hop, Host, Settings};

/// How long a control master stays after its last command.
const PERSIST: &str = "300";

/// How long ssh's output may go on being read after it has exited.
const LINGER: Duration = Duration::from_millis(500);

/// After the grace period, how long the host gets to report the end of a
/// stopped command before ssh itself is stopped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// A host's ssh, resolved but not connected.
struct Prepared {
    ssh: OpenSsh,
    hops: Vec<Hop>,
    common: Vec<String>,
    control: PathBuf,
    timeout: Duration,
}

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
    /// How ssh will reach `host` (as `ssh -G` resolves it, with the
    /// inventory's values), before connecting.
    fn prepare(settings: &Settings, host: &Host) -> Result<Prepared, TransportError> {
        let local = |message: String| TransportError::Local {
            endpoint: Some(host.name.clone()),
            message,
            source: None,
        };
        let control = control_folder().map_err(local)?;
        let timeout = settings
            .connect_timeout
            .map_or(super::ssh::DEFAULT_CONNECT_TIMEOUT, |d| d.0);
        let common = common(settings).map_err(local)?;
        let login = Login {
            of: host.login(settings),
            timeout,
        };
        let mut base = common.clone();
        base.extend(login.options().map_err(local)?);
        let mut t = OpenSsh {
            base,
            destination: host.address.clone(),
            endpoint: host.name.clone(),
            become_user: host.become_user.clone(),
            connected: super::Connected::default(),
        };
        let (connected, config_jump) = t.resolved(timeout);
        t.connected = connected;
        // The inventory's hops, else ssh_config's `ProxyJump`, taken over
        // so that one connection to each hop carries every target's.
        let hops = if host.jump.is_empty() {
            config_jump
        } else {
            host.jump.clone()
        };
        if !hops.is_empty() {
            t.connected.via = hops.iter().map(|h| h.name.clone()).collect();
        }
        Ok(Prepared {
            ssh: t,
            hops,
            common,
            control,
            timeout,
        })
    }

    /// How a connection to `host` would be made, for the record of a host
    /// that could not be reached.
    pub fn attempted(settings: &Settings, host: &Host) -> Option<super::Connected> {
        Self::prepare(settings, host).ok().map(|p| p.ssh.connected)
    }

    /// A control master to `host`, started (or found running) within
    /// `connect_timeout`, through its jump hosts' masters when it has any.
    pub fn connect(settings: &Settings, host: &Host) -> Result<OpenSsh, TransportError> {
        let Prepared {
            ssh: mut t,
            hops,
            common,
            control,
            timeout,
        } = Self::prepare(settings, host)?;
        if !hops.is_empty() {
            let proxy = super::jump::through(settings, &common, &hops, &control, timeout).map_err(
                |(hop, message)| TransportError::OpenSsh {
                    endpoint: host.name.clone(),
                    message: format!("jump host {hop}: {message}"),
                },
            )?;
            t.base.push("-o".into());
            t.base.push(format!("ProxyCommand={proxy}"));
        }
        t.base.extend(master_options());
        // A master checked against these options is used only with them:
        // another inventory's known_hosts or ssh_config gets its own.
        let options = crate::audit::record::sha256_hex(t.base.join("\0").as_bytes());
        t.base.push("-o".into());
        t.base.push(format!(
            "ControlPath=\"{}/%C.{}\"",
            escaped(&control.display().to_string()),
            &options[..8]
        ));
        // ssh's debug lines name the host key it checked and the key
        // that logged in; `LogLevel` given first wins over the ERROR in
        // the options. A master that goes to the background stops
        // writing to this stderr (`-v` would keep it).
        let mut login = Command::new(&t.base[0]);
        login
            .args(["-o", "LogLevel=DEBUG1"])
            .args(&t.base[1..])
            .args(["--", &t.destination, "true"])
            .process_group(0);
        let said = login_with(login, timeout).map_err(|message| TransportError::OpenSsh {
            endpoint: host.name.clone(),
            message,
        })?;
        // A master already running says nothing of its login: what it
        // said when it started is kept beside its socket.
        let kept = control.join(format!(
            "k{}",
            &crate::audit::record::sha256_hex(
                format!("{}\0{}", t.base.join("\0"), t.destination).as_bytes()
            )[..16]
        ));
        let (host_key, auth) = match checked(&said) {
            (Some(key), auth) => {
                let text = format!("{key}\n{}\n", auth.as_deref().unwrap_or(""));
                let temp = kept.with_extension("new");
                if std::fs::write(&temp, text).is_ok() {
                    let _ = std::fs::rename(&temp, &kept);
                }
                (Some(key), auth)
            }
            (None, _) => {
                let text = std::fs::read_to_string(&kept).unwrap_or_default();
                let mut lines = text.lines().map(String::from);
                (
                    lines.next().filter(|l| !l.is_empty()),
                    lines.next().filter(|l| !l.is_empty()),
                )
            }
        };
        t.connected.host_key = host_key;
        t.connected.auth = auth;
        Ok(t)
    }

    /// The login and the jump hosts, as `ssh -G` (which connects to
    /// nothing) resolves them with these options and ssh_config.
    /// Bounded by `timeout`: `-G` runs ssh_config's `Match exec` commands.
    fn resolved(&self, timeout: Duration) -> (super::Connected, Vec<Hop>) {
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
        // Hops ssh_config names in a form opsguard does not take stay with
        // ssh itself.
        let hops: Option<Vec<Hop>> = match via.as_str() {
            "" | "none" => Some(Vec::new()),
            via => via.split(',').map(Hop::parse).collect(),
        };
        let connected = super::Connected {
            login: format!("{}@{}:{}", value("user"), value("hostname"), value("port")),
            via: if via.is_empty() || via == "none" {
                Vec::new()
            } else {
                via.split(',').map(String::from).collect()
            },
            host_key: None,
            auth: None,
        };
        (connected, hops.unwrap_or_default())
    }

    /// ssh with these options, in a process group of its own, so that
    /// giving up on it also ends what it started (a `Match exec`).
    fn command(&self, extra: &[&str]) -> Command {
        let mut c = Command::new(&self.base[0]);
        c.args(&self.base[1..]).args(extra).process_group(0);
        c
    }
}

/// What every ssh opsguard starts is given first, where it wins over any
/// ssh_config: never a prompt, never a host key accepted unseen, and the
/// site's ssh_config (or none).
pub(super) fn common(settings: &Settings) -> Result<Vec<String>, String> {
    let mut base: Vec<String> = [
        "ssh", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
        "LogLevel=ERROR", "-o", "UpdateHostKeys=no", "-o", "VerifyHostKeyDNS=no",
    ]
    .map(String::from)
    .into();
    match settings.ssh_config.as_deref() {
        Some("none") => base.extend(["-F".into(), "none".into()]),
        Some(path) => {
            let path = crate::account::expand_home(path).map_err(|e| e.to_string())?;
            base.extend(["-F".into(), path.display().to_string()]);
        }
        None => {}
    }
    Ok(base)
}

/// A control master that stays [`PERSIST`] seconds after its last use.
pub(super) fn master_options() -> [String; 4] {
    [
        "-o".into(),
        "ControlMaster=auto".into(),
        "-o".into(),
        format!("ControlPersist={PERSIST}"),
    ]
}

/// The login to one machine (a target or a jump host), as `-o` options.
pub(super) struct Login<'a> {
    pub of: crate::inventory::Login<'a>,
    pub timeout: Duration,
}

impl Login<'_> {
    pub fn options(&self) -> Result<Vec<String>, String> {
        let mut options = Vec::new();
        if let Some(user) = self.of.user {
            options.push(format!("User={user}"));
        }
        if let Some(port) = self.of.port {
            options.push(format!("Port={port}"));
        }
        for file in self.of.identity_files {
            let file = crate::account::expand_home(file).map_err(|e| e.to_string())?;
            options.push(format!(
                "IdentityFile={}",
                value(&file.display().to_string())
            ));
        }
        if let Some(kh) = self.of.known_hosts {
            let kh = crate::account::expand_home(kh).map_err(|e| e.to_string())?;
            options.push(format!(
                "UserKnownHostsFile={}",
                value(&kh.display().to_string())
            ));
            options.push("GlobalKnownHostsFile=/dev/null".into());
            // Only that file: no other source of trust.
            options.push("KnownHostsCommand=none".into());
        }
        options.push(format!("ConnectTimeout={}", self.timeout.as_secs().max(1)));
        Ok(options
            .into_iter()
            .flat_map(|o| ["-o".to_string(), o])
            .collect())
    }
}

/// The host key's fingerprint and the key that logged in (as the libssh2
/// path writes it: `SHA256:... (FILE)` or `(ssh-agent)`, and a
/// certificate's key id), from ssh's debug lines of a login.
fn checked(said: &str) -> (Option<String>, Option<String>) {
    // IDENT TYPE FINGERPRINT HOW, where IDENT may hold blanks.
    let key = |rest: &str| -> Option<(String, String, String, String)> {
        let words: Vec<&str> = rest.rsplitn(4, ' ').collect();
        match words[..] {
            [how, print, kind, ident] => {
                Some((ident.into(), kind.into(), print.into(), how.into()))
            }
            _ => None,
        }
    };
    let mut host_key = None;
    let mut auth = None;
    // The identities ssh will offer: their type says which are
    // certificates ("Server accepts key" gives the plain type).
    let mut kinds = std::collections::HashMap::new();
    // Only ssh's own lines before the login count: once logged in, what
    // follows may be the host's (a banner, a shell's startup output).
    for line in said.lines() {
        let line = line.trim_end();
        if line.starts_with("Authenticated to ") {
            break;
        }
        if let Some(rest) = line
            .strip_prefix("debug1: Server host key: ")
            .or_else(|| line.strip_prefix("debug1: Server host certificate: "))
            .filter(|_| host_key.is_none())
        {
            host_key = rest
                .split([' ', ','])
                .find(|w| w.starts_with("SHA256:"))
                .map(String::from);
        } else if let Some((ident, kind, print, _)) = line
            .strip_prefix("debug1: Will attempt key: ")
            .and_then(key)
        {
            kinds.insert((ident, print), kind);
        } else if let Some((ident, _, print, how)) = line
            .strip_prefix("debug1: Server accepts key: ")
            .and_then(key)
        {
            let from = match how.as_str() {
                "agent" => "ssh-agent".to_string(),
                _ => ident.clone(),
            };
            let kind = kinds.get(&(ident.clone(), print.clone()));
            auth = Some(match kind.and_then(|k| certificate_id(k, &ident)) {
                Some(id) => format!("{print} ({from}, certificate {id:?})"),
                None => format!("{print} ({from})"),
            });
        }
    }
    (host_key, auth)
}

/// The key id of the user certificate ssh offered for `ident` (the
/// identity file, whose certificate is beside it as `-cert.pub`, or the
/// certificate itself), when `kind` says it was one, as `ssh-keygen -L`
/// reads it (certificates valid "forever" do not read with `ssh-key`).
fn certificate_id(kind: &str, ident: &str) -> Option<String> {
    if !kind.ends_with("-CERT") {
        return None;
    }
    [format!("{ident}-cert.pub"), ident.to_string()]
        .iter()
        .filter(|file| Path::new(file).is_file())
        .find_map(|file| {
            let out = Command::new("ssh-keygen")
                .args(["-L", "-f", file])
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines().find_map(|l| {
                let id = l.trim().strip_prefix("Key ID: ")?;
                Some(id.trim_matches('"').to_string())
            })
        })
}

/// Log in (host key, authentication) by running `true` with `ssh`,
/// bounded by `timeout`: the first ssh to a machine becomes its control
/// master, which stays in the background for [`PERSIST`] seconds; later
/// ones use it. Two that start at once each work, one of them without
/// sharing; none is left behind. Any status but ssh's own 255 means the
/// login worked (a jump host may refuse to run commands): then what ssh
/// said; else its words, without debug lines.
pub(super) fn login_with(mut ssh: Command, timeout: Duration) -> Result<String, String> {
    let child = ssh
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start ssh (install openssh-client): {e}"))?;
    let (status, stderr) = wait_bounded(child, timeout + Duration::from_secs(2));
    match status {
        Some(s) if s.code() != Some(255) => Ok(stderr),
        Some(_) => {
            let said: Vec<&str> = stderr
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("debug"))
                .collect();
            Err(if said.is_empty() {
                "ssh failed and said nothing".into()
            } else {
                said.join("; ")
            })
        }
        None => Err(format!(
            "no SSH session within connect_timeout ({}s)",
            timeout.as_secs()
        )),
    }
}

/// The longest folder a control socket fits in: a Unix socket's path is
/// at most 107 bytes, and ssh adds `/`, the 40 hex digits of `%C` and a
/// 17-byte suffix while it sets the socket up.
const SOCKET_FOLDER_MAX: usize = 107 - 1 - 40 - 9 - 17;

/// A value for `-o KEY=VALUE`: quoted (ssh splits unquoted values at
/// spaces) with `%` doubled (ssh expands `%` tokens in file names).
pub(super) fn value(text: &str) -> String {
    format!("\"{}\"", escaped(text))
}

pub(super) fn escaped(text: &str) -> String {
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
pub(super) fn control_folder() -> Result<PathBuf, String> {
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
        let line = remote::line(command, limits.grace, become_user, limits.trail.as_ref());
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

    /// What a login's debug lines say: the host key (or host
    /// certificate) checked, and the key that logged in, from a file or
    /// the agent (whose comment may hold blanks).
    #[test]
    fn the_host_key_and_the_key_are_read_from_a_login() {
        let said = "debug1: Server host key: ssh-ed25519 SHA256:hostprint\n\
                    debug1: Will attempt key: ops laptop ED25519 SHA256:keyprint agent\n\
                    debug1: Server accepts key: ops laptop ED25519 SHA256:keyprint agent\n\
                    Authenticated to x ([x]:22) using \"publickey\".\n";
        assert_eq!(
            checked(said),
            (
                Some("SHA256:hostprint".into()),
                Some("SHA256:keyprint (ssh-agent)".into())
            )
        );
        let said = "debug1: Server host certificate: ssh-ed25519-cert-v01@openssh.com SHA256:certprint, serial 1 ID \"h\" CA ssh-ed25519 SHA256:ca valid forever\n\
                    debug1: Server accepts key: /k/id ED25519 SHA256:keyprint explicit\n";
        assert_eq!(
            checked(said),
            (
                Some("SHA256:certprint".into()),
                Some("SHA256:keyprint (/k/id)".into())
            )
        );
        assert_eq!(
            checked("debug1: mux_client_hello_exchange: master version 4\n"),
            (None, None)
        );
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
