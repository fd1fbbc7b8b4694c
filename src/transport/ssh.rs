//! Running commands on a host over SSH with libssh2 (the `ssh2` crate):
//! one session per host, kept for all the steps of a run.
//!
//! What libssh2 leaves to its caller is done here:
//! - every blocking call is bounded: the TCP connect and the whole setup
//!   (banner, key exchange, login) by `connect_timeout` together, cut at
//!   once by Ctrl-C ([`super::watch`]), the command by its own timeout,
//!   closing by a short grace; nothing waits forever, dropping a channel
//!   included;
//! - TCP_NODELAY, and keepalives while a command runs;
//! - host keys are checked against `known_hosts` by [`super::known_hosts`]
//!   (ports, hashed entries, `@revoked`), strictly: unknown, changed or
//!   revoked keys are refused before authenticating;
//! - every identity in ssh-agent is tried (libssh2 alone stops at the
//!   first), then the identity files.
//!
//! The command is wrapped so it can be stopped ([`super::remote`]): it
//! runs in a session of its own (`setsid`) under the user's login shell,
//! and a watcher on the
//! remote side stops that whole group (SIGTERM, then SIGKILL after the
//! grace period) when the channel's input closes. opsguard closes it on a
//! timeout or an interruption; the server closes it when the connection
//! drops. A command therefore never outlives the opsguard that started it,
//! unrecorded. The remote host needs a POSIX `/bin/sh` and `setsid`
//! (util-linux), as every Linux server has.

use std::collections::HashMap;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, MethodType, Session};

use super::auth;
use super::known_hosts::{self, HostKeyError, KnownHosts, Offered, Verdict};
use super::remote;
use super::ssh_config;
use super::watch::{Cut, Watch};
use super::{Capture, Limits, Outcome, Transport, TransportError, Which, signal_name};
use super::{ConnectError, HandshakeError, SetupError};
use crate::inventory::{Host, Settings};

/// When `settings.connect_timeout` does not say.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a keepalive goes out while a command runs, when
/// `ServerAliveInterval` does not say.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// After the grace period, how long the remote side gets to report the
/// end of a stopped command before the channel is abandoned.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Everything needed to reach one host, resolved from the host and the
/// inventory's settings.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub identity_files: Vec<PathBuf>,
    /// Whether the identity files were named (a missing one is then an
    /// error) or are ssh's defaults (missing ones are skipped).
    pub named_identities: bool,
    /// `IdentitiesOnly`: of the agent's identities, only those of the
    /// identity files are offered.
    pub identities_only: bool,
    pub known_hosts: Vec<PathBuf>,
    pub connect_timeout: Duration,
    /// How often a keepalive goes out while a command runs.
    pub keepalive: Duration,
    /// The user every command runs as, through sudo.
    pub become_user: Option<String>,
}

impl Target {
    /// How to reach `host`: the inventory's values, then what ssh_config
    /// says for the host's address (as `ssh ADDRESS` would read it), then
    /// OpenSSH's defaults.
    pub fn new(settings: &Settings, host: &Host) -> Result<Target, TransportError> {
        let fail = |m: String| TransportError::Local {
            endpoint: Some(host.name.clone()),
            message: m,
            source: None,
        };
        let config = ssh_config::files(settings).map_err(|e| fail(e.to_string()))?;
        let from_config = match config {
            Some(files) => ssh_config::Config::load(&files)
                .and_then(|c| c.resolve(&host.address))
                .map_err(|e| match e {
                    ssh_config::ConfigError::NeedsOpenSsh { .. } => TransportError::NeedsOpenSsh {
                        endpoint: host.name.clone(),
                        reason: e.to_string(),
                    },
                    e => fail(format!("ssh_config: {e}")),
                })?,
            None => ssh_config::Resolved::default(),
        };
        for w in &from_config.warnings {
            crate::ui::warn_once(&format!("{}: ssh_config: {w}", host.name));
        }
        let login = host.login(settings);
        let user = match login.user.or(from_config.user.as_ref()) {
            Some(u) => u.clone(),
            None => crate::account::user_name()
                .ok_or_else(|| fail("no SSH user: this uid has no name; set `user`".into()))?,
        };
        let address = from_config
            .hostname
            .clone()
            .unwrap_or_else(|| host.address.clone());
        let port = login.port.or(from_config.port).unwrap_or(22);
        let tokens = ssh_config::Tokens {
            original: host.address.clone(),
            hostname: address.clone(),
            port,
            user: user.clone(),
        };
        let config_path = |p: &String| from_config.path(p, &tokens).map_err(&fail);
        let named = login.identity_files;
        let identity_files: Vec<PathBuf> = if !named.is_empty() {
            named
                .iter()
                .map(|p| crate::account::expand_home(p).map_err(|e| fail(e.to_string())))
                .collect::<Result<_, _>>()?
        } else if !from_config.identity_files.is_empty() {
            from_config
                .identity_files
                .iter()
                .map(config_path)
                .collect::<Result<_, _>>()?
        } else {
            ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"]
                .iter()
                .filter_map(|p| crate::account::expand_home(p).ok())
                .collect()
        };
        // User certificates are offered by the system ssh, not libssh2.
        let certificate = from_config
            .certificate_files
            .first()
            .map(|c| format!("ssh_config's `CertificateFile {c}`"))
            .or_else(|| {
                identity_files.iter().find_map(|f: &PathBuf| {
                    let mut cert = f.as_os_str().to_owned();
                    cert.push("-cert.pub");
                    let cert = PathBuf::from(cert);
                    cert.exists()
                        .then(|| format!("the certificate {}", cert.display()))
                })
            });
        if let Some(what) = certificate {
            return Err(TransportError::NeedsOpenSsh {
                endpoint: host.name.clone(),
                reason: format!("logging in with {what}, which only the system ssh offers"),
            });
        }
        let known_hosts = match login.known_hosts {
            Some(p) => vec![crate::account::expand_home(p).map_err(|e| fail(e.to_string()))?],
            None => {
                let global = match &from_config.global_known_hosts {
                    Some(files) => files.iter().map(config_path).collect::<Result<_, _>>()?,
                    None => vec![PathBuf::from("/etc/ssh/ssh_known_hosts")],
                };
                let user_files = match &from_config.user_known_hosts {
                    Some(files) => files.iter().map(config_path).collect::<Result<_, _>>()?,
                    None => crate::account::expand_home("~/.ssh/known_hosts")
                        .into_iter()
                        .collect(),
                };
                [global, user_files].concat()
            }
        };
        Ok(Target {
            name: host.name.clone(),
            address,
            port,
            user,
            identity_files,
            named_identities: !named.is_empty(),
            identities_only: from_config.identities_only.unwrap_or(false),
            known_hosts,
            connect_timeout: settings
                .connect_timeout
                .map(|d| d.0)
                .or(from_config.connect_timeout)
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            keepalive: from_config
                .server_alive_interval
                .filter(|d| !d.is_zero())
                .unwrap_or(KEEPALIVE),
            become_user: host.become_user.clone(),
        })
    }

    /// `user@address:port`, for messages.
    pub fn endpoint(&self) -> String {
        format!("{}@{}:{}", self.user, self.address, self.port)
    }
}

pub struct Ssh {
    session: Session,
    /// The session's socket (a second descriptor of it), to wait on.
    socket: TcpStream,
    target: Target,
    /// The host key's fingerprint and the key that logged in.
    host_key: String,
    auth: String,
}

impl Ssh {
    pub fn connect(target: Target) -> Result<Ssh, TransportError> {
        let deadline = Instant::now() + target.connect_timeout;
        let local = |message: &str, source| TransportError::Local {
            endpoint: Some(target.endpoint()),
            message: message.into(),
            source: Some(source),
        };
        // Read known_hosts first: a bad @revoked line stops before any
        // connection is made.
        let known = KnownHosts::load(&target.known_hosts).map_err(|e| TransportError::HostKey {
            endpoint: target.endpoint(),
            source: Box::new(e),
        })?;
        // Host certificates are checked by the system ssh, not libssh2.
        let name = known_hosts::host_name(&target.address, target.port);
        if let Some(place) = known.only_authority_for(&name) {
            return Err(TransportError::NeedsOpenSsh {
                endpoint: target.name.clone(),
                reason: format!(
                    "`{name}` is known through its host certificate (@cert-authority at {place}), which only the system ssh checks"
                ),
            });
        }
        let tcp = tcp_connect(&target, deadline)?;
        let socket = tcp
            .try_clone()
            .map_err(|e| local("cannot use the socket", e))?;
        // Every phase from here (banner, key exchange, host key, login)
        // ends by the deadline, or at Ctrl-C, whatever the server sends.
        let watch =
            Watch::start(&tcp, deadline).map_err(|e| local("cannot watch the connection", e))?;
        let setup = Self::setup(tcp, &known, &target);
        // A cut after a successful setup still cut the socket: it counts.
        let cut = |reason| TransportError::Connect {
            endpoint: target.endpoint(),
            reason,
        };
        let (session, host_key, auth) = match (setup, watch.finish()) {
            (Ok(done), None) => done,
            (Err(e), None) => return Err(e.at(target.endpoint())),
            (_, Some(Cut::Interrupted)) => return Err(cut(ConnectError::Interrupted)),
            (setup, Some(Cut::Deadline)) => {
                return Err(cut(ConnectError::Deadline {
                    timeout: target.connect_timeout,
                    during: setup.err().map(Box::new),
                }));
            }
        };
        session.set_keepalive(true, target.keepalive.as_secs().max(1) as u32);
        Ok(Ssh {
            session,
            socket,
            target,
            host_key,
            auth,
        })
    }

    /// The handshake, the host key check and the login, on a connected
    /// socket.
    /// The session, the host key's fingerprint and the key that logged in.
    fn setup(
        tcp: TcpStream,
        known: &KnownHosts,
        target: &Target,
    ) -> Result<(Session, String, String), SetupError> {
        let mut session = Session::new().map_err(HandshakeError::Session)?;
        session.set_tcp_stream(tcp);
        session.set_timeout(millis(target.connect_timeout));
        let name = known_hosts::host_name(&target.address, target.port);
        let types = known.types_for(&name);
        if !types.is_empty() {
            // Ask for the key types this host is known by first, as
            // OpenSSH does, so a host known by its RSA key is not refused
            // for offering its Ed25519 key.
            let _ = session.method_pref(MethodType::HostKey, &host_key_prefs(&types));
        }
        session.handshake().map_err(HandshakeError::KeyExchange)?;
        let (blob, _) = session.host_key().ok_or(HostKeyError::Missing)?;
        let host_key = check_host_key(known, &name, blob, target)?;
        let auth = auth::authenticate(
            &session, &target.user, &target.identity_files, target.named_identities,
            target.identities_only,
        )?;
        Ok((session, host_key, auth))
    }

    /// The key exchange method negotiated (for the benchmark's report).
    pub fn kex(&self) -> Option<String> {
        self.session.methods(MethodType::Kex).map(str::to_string)
    }

    fn lost(&self, e: impl std::error::Error + Send + Sync + 'static) -> TransportError {
        TransportError::Lost {
            endpoint: self.target.endpoint(),
            source: Box::new(e),
        }
    }
}

fn millis(d: Duration) -> u32 {
    d.as_millis().clamp(1, u32::MAX as u128) as u32
}

type Found = Result<Vec<SocketAddr>, (std::io::ErrorKind, String)>;

/// The addresses of `name`, looked up once per run: the connections a
/// run makes to one host again (lock renewals, a connection replaced)
/// reach the address its first one resolved. A failed lookup is kept too.
fn resolve(name: &str, port: u16) -> Found {
    static SEEN: OnceLock<Mutex<HashMap<(String, u16), Found>>> = OnceLock::new();
    resolve_in(
        SEEN.get_or_init(Default::default),
        name,
        port,
        |name, port| {
            (name, port)
                .to_socket_addrs()
                .map(Iterator::collect)
                .map_err(|e| (e.kind(), e.to_string()))
        },
    )
}

fn resolve_in(
    seen: &Mutex<HashMap<(String, u16), Found>>,
    name: &str,
    port: u16,
    lookup: impl Fn(&str, u16) -> Found,
) -> Found {
    let key = (name.to_string(), port);
    if let Some(known) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return known.clone();
    }
    // Looked up without the lock held (hosts resolve in parallel); should
    // two threads look one name up at once, the first answer is kept.
    let found = lookup(name, port);
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert(found)
        .clone()
}

fn tcp_connect(target: &Target, deadline: Instant) -> Result<TcpStream, TransportError> {
    let endpoint = target.endpoint();
    let addrs = resolve(&target.address, target.port).map_err(|(kind, message)| {
        TransportError::Resolve {
            endpoint: endpoint.clone(),
            address: target.address.clone(),
            source: Some(std::io::Error::new(kind, message)),
        }
    })?;
    let no_answer = |addr| ConnectError::NoAnswer {
        addr,
        timeout: target.connect_timeout,
    };
    let mut last = None;
    for &addr in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            last = last.or(Some(no_answer(addr)));
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                tcp.set_nodelay(true).map_err(|e| TransportError::Local {
                    endpoint: Some(endpoint.clone()),
                    message: "cannot use the socket".into(),
                    source: Some(e),
                })?;
                return Ok(tcp);
            }
            Err(e) if e.kind() == ErrorKind::TimedOut => last = Some(no_answer(addr)),
            Err(e) => last = Some(ConnectError::Failed { addr, source: e }),
        }
    }
    Err(match last {
        Some(reason) => TransportError::Connect { endpoint, reason },
        None => TransportError::Resolve {
            endpoint,
            address: target.address.clone(),
            source: None,
        },
    })
}

fn host_key_prefs(types: &[String]) -> String {
    let mut prefs: Vec<&str> = Vec::new();
    for t in types {
        match t.as_str() {
            "ssh-rsa" => prefs.extend(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]),
            other => prefs.push(other),
        }
    }
    prefs.join(",")
}

/// The key's fingerprint when it is the known one.
fn check_host_key(
    known: &KnownHosts,
    name: &str,
    blob: &[u8],
    target: &Target,
) -> Result<String, HostKeyError> {
    let offered = Offered::read(blob)?;
    let name = name.to_string();
    match known.check(&name, &offered.0) {
        Verdict::Known => Ok(known_hosts::fingerprint(&offered.0).to_string()),
        Verdict::Unknown => Err(HostKeyError::Unknown {
            name,
            offered,
            files: target.known_hosts.clone(),
        }),
        Verdict::Changed(places) => Err(HostKeyError::Changed {
            name,
            offered,
            places,
        }),
        Verdict::Revoked(place) => Err(HostKeyError::Revoked {
            name,
            offered,
            place,
        }),
    }
}

impl Transport for Ssh {
    fn connected(&self) -> Option<super::Connected> {
        Some(super::Connected {
            login: self.target.endpoint(),
            via: Vec::new(),
            host_key: Some(self.host_key.clone()),
            auth: Some(self.auth.clone()),
        })
    }

    fn run(&mut self, command: &str, limits: &Limits) -> Result<Outcome, TransportError> {
        let started = Instant::now();
        self.session.set_blocking(true);
        let become_user = limits
            .become_user
            .as_deref()
            .or(self.target.become_user.as_deref());
        if become_user.is_some() && remote::password_refused() {
            return Err(remote::refused_error(&self.target.name));
        }
        let mut channel = self.session.channel_session().map_err(|e| self.lost(e))?;
        channel
            .exec(&remote::line(
                command,
                limits.grace,
                become_user,
                limits.trail.as_ref(),
            ))
            .map_err(|e| self.lost(e))?;
        let mut prompts = remote::PromptWatch::default();
        if let (Some(_), Some(input)) = (become_user, remote::become_input()) {
            std::io::Write::write_all(&mut channel, input.as_bytes()).map_err(|e| self.lost(e))?;
        }
        self.session.set_blocking(false);
        let mut out = Capture::default();
        let mut err = Capture::default();
        let mut buf = vec![0u8; 32 * 1024];
        let mut stop: Option<Instant> = None;
        let mut eof_sent = false;
        let (mut timed_out, mut interrupted, mut abandoned) = (false, false, false);
        let mut keepalive = Instant::now();
        loop {
            let mut progressed = false;
            for which in [Which::Stdout, Which::Stderr] {
                loop {
                    let read = match which {
                        Which::Stdout => channel.read(&mut buf),
                        Which::Stderr => channel.stderr().read(&mut buf),
                    };
                    match read {
                        Ok(0) => break,
                        Ok(n) => {
                            progressed = true;
                            let chunk = &buf[..n];
                            match which {
                                Which::Stdout => out.push(chunk),
                                Which::Stderr => err.push(chunk),
                            }
                            if which == Which::Stderr
                                && become_user.is_some()
                                && stop.is_none()
                                && prompts.refused(chunk)
                            {
                                // sudo would wait for another try: close
                                // the input and it gives up.
                                stop = Some(Instant::now());
                            }
                            if let Some(tap) = &limits.tap {
                                let _ = tap.send((which, chunk.to_vec()));
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => return Err(self.lost(e)),
                    }
                }
            }
            if channel.eof() {
                break;
            }
            if stop.is_none() {
                if started.elapsed() >= limits.timeout {
                    timed_out = true;
                    stop = Some(Instant::now());
                } else if limits.cancel.load(Ordering::Relaxed) {
                    interrupted = true;
                    stop = Some(Instant::now());
                }
            }
            if let Some(at) = stop {
                if !eof_sent {
                    match channel.send_eof() {
                        Ok(()) => eof_sent = true,
                        Err(e) if would_block(&e) => {}
                        Err(e) => return Err(self.lost(e)),
                    }
                }
                if at.elapsed() > limits.grace + CLOSE_GRACE {
                    abandoned = true;
                    break;
                }
            }
            if keepalive.elapsed() >= self.target.keepalive {
                keepalive = Instant::now();
                if let Err(e) = self.session.keepalive_send()
                    && !would_block(&e)
                {
                    return Err(self.lost(e));
                }
            }
            if !progressed {
                self.wait_socket(Duration::from_millis(100));
            }
        }
        let code = (!abandoned).then(|| self.finish(&mut channel)).flatten();
        let (exit_code, signal) = match code {
            // The wrapper reports a command ended by signal N as 128+N;
            // for one opsguard stopped, say which signal it was.
            Some(c) if (timed_out || interrupted) && c > 128 => (None, Some(signal_name(c - 128))),
            Some(c) => (Some(c), None),
            None => (None, None),
        };
        Ok(Outcome {
            exit_code,
            signal,
            stdout: out.finish(),
            stderr: err.finish(),
            duration: started.elapsed(),
            timed_out,
            interrupted,
        })
    }
}

fn would_block(e: &ssh2::Error) -> bool {
    e.code() == ssh2::ErrorCode::Session(-37)
}

impl Ssh {
    /// Close the channel (bounded) and read its exit code.
    fn finish(&self, channel: &mut Channel) -> Option<i32> {
        let deadline = Instant::now() + CLOSE_GRACE;
        loop {
            match channel.close().and_then(|()| channel.wait_close()) {
                Ok(()) => break,
                Err(e) if would_block(&e) && Instant::now() < deadline => {
                    self.wait_socket(Duration::from_millis(50))
                }
                Err(_) => return None,
            }
        }
        channel.exit_status().ok()
    }

    /// Sleep until the socket can move data in the direction libssh2 is
    /// waiting on, or `most` has passed.
    fn wait_socket(&self, most: Duration) {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let events = match self.session.block_directions() {
            BlockDirections::Outbound => PollFlags::POLLOUT,
            BlockDirections::Both => PollFlags::POLLIN | PollFlags::POLLOUT,
            _ => PollFlags::POLLIN,
        };
        let mut fds = [PollFd::new(self.socket.as_fd(), events)];
        let most = PollTimeout::try_from(most).unwrap_or(PollTimeout::MAX);
        let _ = poll(&mut fds, most);
    }
}

impl Drop for Ssh {
    fn drop(&mut self) {
        // Non-blocking, so a dead server cannot hold up the goodbye.
        self.session.set_blocking(false);
        let _ = self.session.disconnect(None, "opsguard is done", None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_hosts_ask_for_sha2_signatures_first() {
        assert_eq!(
            host_key_prefs(&["ssh-ed25519".into(), "ssh-rsa".into()]),
            "ssh-ed25519,rsa-sha2-512,rsa-sha2-256,ssh-rsa"
        );
    }

    #[test]
    fn a_name_is_looked_up_once_per_run_failures_included() {
        let seen = Mutex::new(HashMap::new());
        let lookups = std::cell::Cell::new(0);
        let lookup = |name: &str, port: u16| -> Found {
            lookups.set(lookups.get() + 1);
            match name {
                "store-a1" => Ok(vec![SocketAddr::from(([10, 0, 1, 11], port))]),
                _ => Err((ErrorKind::Other, "Name or service not known".into())),
            }
        };
        for _ in 0..3 {
            assert_eq!(
                resolve_in(&seen, "store-a1", 22, lookup),
                Ok(vec![SocketAddr::from(([10, 0, 1, 11], 22))])
            );
            assert!(resolve_in(&seen, "gone", 22, lookup).is_err());
        }
        assert_eq!(lookups.get(), 2);
        // Another port is another question.
        let _ = resolve_in(&seen, "store-a1", 2222, lookup);
        assert_eq!(lookups.get(), 3);
    }
}
