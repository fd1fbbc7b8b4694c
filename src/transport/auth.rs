//! Logging in: the agent's identities, then the identity files, with a
//! message on failure that says what was offered and what to do. A key
//! with a passphrase is never asked about (opsguard prompts for roles, not
//! secrets): the message says to add it to ssh-agent.

use std::path::{Path, PathBuf};

use ssh2::Session;

use super::identity;

/// Why no login happened. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A file named in `identity_files` is not there.
    #[error("identity file {} does not exist; fix `identity_files`", .0.display())]
    MissingIdentity(PathBuf),
    /// The server took longer than `connect_timeout` to answer.
    #[error("authentication timed out{}", timeout_detail(.0.as_ref()))]
    TimedOut(#[source] Option<ssh2::Error>),
    /// The user name cannot be passed to libssh2.
    #[error("the user name holds a NUL byte")]
    NulInUser,
    /// Everything offered was refused: `tried` says what was offered (the
    /// agent's identities, identity files), `locked` the files skipped
    /// for their passphrase.
    #[error("authentication as `{user}` failed: {}", refusal(.user, .tried, .locked))]
    Refused {
        user: String,
        tried: Vec<String>,
        locked: Vec<PathBuf>,
    },
}

fn timeout_detail(source: Option<&ssh2::Error>) -> String {
    source
        .map(|e| format!(": {}", e.message()))
        .unwrap_or_default()
}

/// What was offered and what to do, for [`AuthError::Refused`].
fn refusal(user: &str, tried: &[String], locked: &[PathBuf]) -> String {
    if tried.is_empty() && locked.is_empty() {
        return "no identity to offer (no ssh-agent with keys, no identity file). \
                Start ssh-agent and `ssh-add` your key, or set `identity_files`"
            .into();
    }
    let mut message = String::new();
    if !tried.is_empty() {
        message.push_str(&format!(
            "the server accepted none of: {}. Check that the public key is in ~{user}/.ssh/authorized_keys on the host",
            tried.join(", ")
        ));
    }
    if !locked.is_empty() {
        if !tried.is_empty() {
            message.push_str("; ");
        }
        let locked: Vec<String> = locked.iter().map(|p| p.display().to_string()).collect();
        message.push_str(&format!(
            "{} need{} a passphrase, which opsguard does not ask for: add {} to ssh-agent with `ssh-add`",
            locked.join(", "),
            if locked.len() == 1 { "s" } else { "" },
            if locked.len() == 1 { "it" } else { "them" }
        ));
    }
    message
}

/// Log in as `user`: every ssh-agent identity (libssh2 alone stops at the
/// first), then each of `files`. `named`: the files were named in the
/// inventory, so a missing one is an error rather than skipped. `only`
/// (`IdentitiesOnly`): of the agent's identities, only those whose public
/// key is one of `files`' are offered.
pub fn authenticate(
    session: &Session,
    user: &str,
    files: &[PathBuf],
    named: bool,
    only: bool,
) -> Result<String, AuthError> {
    let mut tried = Vec::new();
    if std::env::var_os("SSH_AUTH_SOCK").is_some_and(|s| !s.is_empty())
        && let Ok(mut agent) = session.agent()
        && agent.connect().is_ok()
        && agent.list_identities().is_ok()
    {
        let mut identities = agent.identities().unwrap_or_default();
        let listed = identities.len();
        if only {
            let allowed: Vec<Vec<u8>> = files.iter().filter_map(|f| public_blob(f)).collect();
            identities.retain(|i| allowed.iter().any(|b| b.as_slice() == i.blob()));
        }
        for identity in &identities {
            if agent.userauth(user, identity).is_ok() && session.authenticated() {
                let _ = agent.disconnect();
                return Ok(format!("{} (ssh-agent)", blob_fingerprint(identity.blob())));
            }
        }
        let _ = agent.disconnect();
        let held_back = listed - identities.len();
        tried.push(format!(
            "{} ssh-agent identit{}{}",
            identities.len(),
            if identities.len() == 1 { "y" } else { "ies" },
            if held_back > 0 {
                format!(" ({held_back} more not offered: IdentitiesOnly yes)")
            } else {
                String::new()
            }
        ));
    }
    let mut locked = Vec::new();
    for file in files {
        if !file.exists() {
            if named {
                return Err(AuthError::MissingIdentity(file.clone()));
            }
            continue;
        }
        if has_passphrase(file) {
            locked.push(file.clone());
            continue;
        }
        tried.push(file.display().to_string());
        let used = || {
            let print = public_blob(file).map_or_else(|| "?".into(), |b| blob_fingerprint(&b));
            format!("{print} ({})", file.display())
        };
        if let Some(key) = identity::ed25519(file) {
            if identity::login(session, user, &key)? {
                return Ok(used());
            }
            continue;
        }
        match session.userauth_pubkey_file(user, None, file, None) {
            Ok(()) if session.authenticated() => return Ok(used()),
            Ok(()) => {}
            Err(e)
                if e.code() == ssh2::ErrorCode::Session(-9)
                    || e.code() == ssh2::ErrorCode::Session(-30) =>
            {
                // LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT
                return Err(AuthError::TimedOut(Some(e)));
            }
            Err(_) => {}
        }
    }
    Err(AuthError::Refused {
        user: user.to_string(),
        tried,
        locked,
    })
}

/// `SHA256:...` of a public key blob.
fn blob_fingerprint(blob: &[u8]) -> String {
    ssh_key::PublicKey::from_bytes(blob)
        .map(|k| super::known_hosts::fingerprint(&k).to_string())
        .unwrap_or_else(|_| "?".into())
}

/// The public key of an identity file, as the agent lists it: from
/// `FILE.pub`, else from the private key file (whose public half OpenSSH
/// keeps unencrypted).
fn public_blob(file: &Path) -> Option<Vec<u8>> {
    let mut pub_file = file.as_os_str().to_owned();
    pub_file.push(".pub");
    if let Ok(text) = std::fs::read_to_string(&pub_file)
        && let Ok(key) = ssh_key::PublicKey::from_openssh(text.trim())
    {
        return key.to_bytes().ok();
    }
    let text = std::fs::read_to_string(file).ok()?;
    let key = ssh_key::PrivateKey::from_openssh(text).ok()?;
    key.public_key().to_bytes().ok()
}

/// Whether a private key file is encrypted (OpenSSH format with a cipher,
/// or PEM with `ENCRYPTED`): libssh2 would only say it could not read it.
fn has_passphrase(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    if text.contains("ENCRYPTED") {
        return true;
    }
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let Ok(bytes) = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.trim())
    else {
        return false;
    };
    // "openssh-key-v1\0", then the cipher name as an SSH string.
    let Some(rest) = bytes.strip_prefix(b"openssh-key-v1\0") else {
        return false;
    };
    let Some(len) = rest
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    else {
        return false;
    };
    rest.get(4..4 + len).is_some_and(|cipher| cipher != b"none")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(tried: &[&str], locked: &[&str]) -> String {
        AuthError::Refused {
            user: "ops".into(),
            tried: tried.iter().map(|t| t.to_string()).collect(),
            locked: locked.iter().map(PathBuf::from).collect(),
        }
        .to_string()
    }

    #[test]
    fn a_refusal_says_what_was_offered_and_what_to_do() {
        assert_eq!(
            refused(&[], &[]),
            "authentication as `ops` failed: no identity to offer (no ssh-agent with keys, \
             no identity file). Start ssh-agent and `ssh-add` your key, or set `identity_files`"
        );
        assert_eq!(
            refused(&["1 ssh-agent identity", "/k/id_ed25519"], &[]),
            "authentication as `ops` failed: the server accepted none of: 1 ssh-agent identity, \
             /k/id_ed25519. Check that the public key is in ~ops/.ssh/authorized_keys on the host"
        );
        assert_eq!(
            refused(&[], &["/k/a"]),
            "authentication as `ops` failed: /k/a needs a passphrase, which opsguard does not \
             ask for: add it to ssh-agent with `ssh-add`"
        );
        assert!(refused(&["/k/a"], &["/k/b", "/k/c"]).ends_with(
            "on the host; /k/b, /k/c need a passphrase, which opsguard does not ask for: \
                 add them to ssh-agent with `ssh-add`"
        ));
    }

    #[test]
    fn other_failures_read_as_before() {
        let timeout = ssh2::Error::new(ssh2::ErrorCode::Session(-9), "Timed out");
        for (error, text) in [
            (
                AuthError::MissingIdentity("/k/gone".into()),
                "identity file /k/gone does not exist; fix `identity_files`",
            ),
            (
                AuthError::TimedOut(Some(timeout)),
                "authentication timed out: Timed out",
            ),
            (AuthError::TimedOut(None), "authentication timed out"),
            (AuthError::NulInUser, "the user name holds a NUL byte"),
        ] {
            assert_eq!(error.to_string(), text);
        }
    }
}
