//! How reaching a host or running a command on it failed, by the step
//! that failed: resolving, connecting, the handshake, the host key, the
//! login, a connection lost mid-command, or a problem on this machine.
//!
//! Each message is what the user reads on the host's one line of the
//! report, so it carries its cause's text; the cause is also the error's
//! `source`, for callers that classify. The words are part of what users
//! see and scripts match on: reword one only on purpose.

use std::net::SocketAddr;
use std::time::Duration;

use super::auth::AuthError;
use super::known_hosts::HostKeyError;
use crate::duration::Duration as Shown;

/// Why a command could not be run at all, by the step that failed. The
/// SSH variants name the endpoint (`user@address:port`).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The address names no machine.
    #[error("{endpoint}: {}", resolve_reason(.address, .source.as_ref()))]
    Resolve {
        endpoint: String,
        address: String,
        /// The resolver's error; `None` when it answered with no address.
        #[source]
        source: Option<std::io::Error>,
    },
    /// No SSH session: no TCP connection, or none set up within
    /// `connect_timeout`, or an interruption while connecting.
    #[error("{endpoint}: {reason}")]
    Connect {
        endpoint: String,
        #[source]
        reason: ConnectError,
    },
    /// The SSH session could not start or its key exchange failed.
    #[error("{endpoint}: {source}")]
    Handshake {
        endpoint: String,
        #[source]
        source: HandshakeError,
    },
    /// The host key could not be checked, or was refused. (Boxed: the
    /// largest cause, kept off every `Result` that could carry it.)
    #[error("{endpoint}: {source}")]
    HostKey {
        endpoint: String,
        #[source]
        source: Box<HostKeyError>,
    },
    /// The server accepted no identity.
    #[error("{endpoint}: {source}")]
    Auth {
        endpoint: String,
        #[source]
        source: AuthError,
    },
    /// The connection died while a command was being started or ran.
    #[error("{endpoint}: connection lost: {source}")]
    Lost {
        endpoint: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The system ssh could not connect or log in; what it said.
    #[error("{endpoint}: {message}")]
    OpenSsh { endpoint: String, message: String },
    /// ssh_config asks for what only the system ssh does (a jump host, a
    /// proxy command, ...): `reason` names it and the line.
    #[error("{endpoint}: {reason}")]
    NeedsOpenSsh { endpoint: String, reason: String },
    /// A problem on this machine: a workdir that is not there, a shell
    /// that would not start, a socket or thread that could not be set up,
    /// no user name. `endpoint` when it happened on the way to a host.
    #[error("{}{message}{}", prefix(.endpoint.as_deref()), cause(.source.as_ref()))]
    Local {
        endpoint: Option<String>,
        message: String,
        #[source]
        source: Option<std::io::Error>,
    },
}

impl TransportError {
    /// A local problem that no other error caused.
    pub fn local(message: impl Into<String>) -> TransportError {
        TransportError::Local {
            endpoint: None,
            message: message.into(),
            source: None,
        }
    }
}

fn resolve_reason(address: &str, source: Option<&std::io::Error>) -> String {
    match source {
        Some(e) => format!("cannot resolve `{address}`: {e}"),
        None => format!("`{address}` resolves to no address"),
    }
}

fn prefix(endpoint: Option<&str>) -> String {
    endpoint.map(|e| format!("{e}: ")).unwrap_or_default()
}

fn cause(source: Option<&std::io::Error>) -> String {
    source.map(|e| format!(": {e}")).unwrap_or_default()
}

/// Why no SSH session was set up, once the address resolved.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no answer from {addr} within connect_timeout ({})", Shown(*.timeout))]
    NoAnswer { addr: SocketAddr, timeout: Duration },
    /// Refused, unreachable: what the TCP connect said.
    #[error("cannot connect to {addr}: {source}")]
    Failed {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The setup (banner, key exchange, host key, login) did not end
    /// within `connect_timeout`; `during` is how the step it was cut in
    /// failed, if it had yet.
    #[error(
        "no SSH session within connect_timeout ({}){}",
        Shown(*.timeout),
        .during.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
    )]
    Deadline {
        timeout: Duration,
        #[source]
        during: Option<Box<SetupError>>,
    },
    #[error("interrupted while connecting")]
    Interrupted,
}

/// Why the SSH session could not start or its key exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// libssh2 could not make a session.
    #[error("{0}")]
    Session(#[source] ssh2::Error),
    #[error("SSH handshake failed: {}", .0.message())]
    KeyExchange(#[source] ssh2::Error),
}

/// How the setup on a connected socket failed; the step decides which
/// [`TransportError`] it is.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    HostKey(#[from] HostKeyError),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl SetupError {
    /// The error this is, for the host at `endpoint`.
    pub fn at(self, endpoint: String) -> TransportError {
        match self {
            SetupError::Handshake(source) => TransportError::Handshake { endpoint, source },
            SetupError::HostKey(source) => TransportError::HostKey {
                endpoint,
                source: Box::new(source),
            },
            SetupError::Auth(source) => TransportError::Auth { endpoint, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::io;

    use super::*;

    const AT: &str = "ops@store-a1:2222";

    fn at() -> String {
        AT.to_string()
    }

    fn timed_out() -> ssh2::Error {
        ssh2::Error::new(ssh2::ErrorCode::Session(-9), "Timed out waiting on socket")
    }

    #[test]
    fn each_step_reads_as_before_with_its_cause_kept() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        for (error, text) in [
            (
                TransportError::Resolve {
                    endpoint: at(),
                    address: "store-a1".into(),
                    source: Some(io::Error::other("Name or service not known")),
                },
                "ops@store-a1:2222: cannot resolve `store-a1`: Name or service not known",
            ),
            (
                TransportError::Resolve {
                    endpoint: at(),
                    address: "store-a1".into(),
                    source: None,
                },
                "ops@store-a1:2222: `store-a1` resolves to no address",
            ),
            (
                TransportError::Connect {
                    endpoint: at(),
                    reason: ConnectError::Failed {
                        addr,
                        source: io::Error::other("Connection refused"),
                    },
                },
                "ops@store-a1:2222: cannot connect to 127.0.0.1:1: Connection refused",
            ),
            (
                TransportError::Connect {
                    endpoint: at(),
                    reason: ConnectError::NoAnswer {
                        addr,
                        timeout: Duration::from_secs(10),
                    },
                },
                "ops@store-a1:2222: no answer from 127.0.0.1:1 within connect_timeout (10s)",
            ),
            (
                TransportError::Connect {
                    endpoint: at(),
                    reason: ConnectError::Deadline {
                        timeout: Duration::from_secs(1),
                        during: Some(Box::new(HandshakeError::KeyExchange(timed_out()).into())),
                    },
                },
                "ops@store-a1:2222: no SSH session within connect_timeout (1s): \
                 SSH handshake failed: Timed out waiting on socket",
            ),
            (
                TransportError::Connect {
                    endpoint: at(),
                    reason: ConnectError::Deadline {
                        timeout: Duration::from_millis(1500),
                        during: None,
                    },
                },
                "ops@store-a1:2222: no SSH session within connect_timeout (1s500ms)",
            ),
            (
                TransportError::Connect {
                    endpoint: at(),
                    reason: ConnectError::Interrupted,
                },
                "ops@store-a1:2222: interrupted while connecting",
            ),
            (
                SetupError::from(HandshakeError::KeyExchange(timed_out())).at(at()),
                "ops@store-a1:2222: SSH handshake failed: Timed out waiting on socket",
            ),
            (
                SetupError::from(HandshakeError::Session(ssh2::Error::new(
                    ssh2::ErrorCode::Session(-6),
                    "Unable to allocate memory",
                )))
                .at(at()),
                "ops@store-a1:2222: [Session(-6)] Unable to allocate memory",
            ),
            (
                SetupError::from(HostKeyError::Missing).at(at()),
                "ops@store-a1:2222: the server sent no host key",
            ),
            (
                SetupError::from(AuthError::TimedOut(None)).at(at()),
                "ops@store-a1:2222: authentication timed out",
            ),
            (
                TransportError::Lost {
                    endpoint: at(),
                    source: Box::new(io::Error::other("Broken pipe")),
                },
                "ops@store-a1:2222: connection lost: Broken pipe",
            ),
            (
                TransportError::local("workdir demo/backup is not a folder"),
                "workdir demo/backup is not a folder",
            ),
            (
                TransportError::Local {
                    endpoint: None,
                    message: "cannot start sh in w".into(),
                    source: Some(io::Error::other("No such file or directory")),
                },
                "cannot start sh in w: No such file or directory",
            ),
            (
                TransportError::Local {
                    endpoint: Some(at()),
                    message: "cannot use the socket".into(),
                    source: Some(io::Error::other("Bad file descriptor")),
                },
                "ops@store-a1:2222: cannot use the socket: Bad file descriptor",
            ),
        ] {
            assert_eq!(error.to_string(), text);
            let has_cause = !matches!(
                &error,
                TransportError::Resolve { source: None, .. }
                    | TransportError::Local { source: None, .. }
            );
            assert_eq!(error.source().is_some(), has_cause, "{text}");
        }
    }

    #[test]
    fn the_step_decides_the_kind() {
        let handshake = SetupError::from(HandshakeError::KeyExchange(timed_out())).at(at());
        assert!(matches!(handshake, TransportError::Handshake { .. }));
        let host_key = SetupError::from(HostKeyError::Missing).at(at());
        assert!(matches!(host_key, TransportError::HostKey { .. }));
        let auth = SetupError::from(AuthError::NulInUser).at(at());
        assert!(matches!(auth, TransportError::Auth { .. }));
    }
}
