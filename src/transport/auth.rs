//! Logging in: the agent's identities, then the identity files, with a
//! message on failure that says what was offered and what to do. A key
//! with a passphrase is never asked about (opsguard prompts for roles, not
//! secrets): the message says to add it to ssh-agent.

use std::path::{Path, PathBuf};

use ssh2::Session;

use super::identity;

/// Log in as `user`: every ssh-agent identity (libssh2 alone stops at the
/// first), then each of `files`. `named`: the files were named in the
/// inventory, so a missing one is an error rather than skipped. On
/// failure, a message that says what was offered and what to do.
pub fn authenticate(
    session: &Session,
    user: &str,
    files: &[PathBuf],
    named: bool,
) -> Result<(), String> {
    let mut tried = Vec::new();
    if std::env::var_os("SSH_AUTH_SOCK").is_some_and(|s| !s.is_empty())
        && let Ok(mut agent) = session.agent()
        && agent.connect().is_ok()
        && agent.list_identities().is_ok()
    {
        let identities = agent.identities().unwrap_or_default();
        for identity in &identities {
            if agent.userauth(user, identity).is_ok() && session.authenticated() {
                let _ = agent.disconnect();
                return Ok(());
            }
        }
        let _ = agent.disconnect();
        tried.push(format!(
            "{} ssh-agent identit{}",
            identities.len(),
            if identities.len() == 1 { "y" } else { "ies" }
        ));
    }
    let mut locked = Vec::new();
    for file in files {
        if !file.exists() {
            if named {
                return Err(format!(
                    "identity file {} does not exist; fix `identity_files`",
                    file.display()
                ));
            }
            continue;
        }
        if has_passphrase(file) {
            locked.push(file.display().to_string());
            continue;
        }
        tried.push(file.display().to_string());
        if let Some(key) = identity::ed25519(file) {
            if identity::login(session, user, &key)? {
                return Ok(());
            }
            continue;
        }
        match session.userauth_pubkey_file(user, None, file, None) {
            Ok(()) if session.authenticated() => return Ok(()),
            Ok(()) => {}
            Err(e)
                if e.code() == ssh2::ErrorCode::Session(-9)
                    || e.code() == ssh2::ErrorCode::Session(-30) =>
            {
                // LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT
                return Err(format!("authentication timed out: {}", e.message()));
            }
            Err(_) => {}
        }
    }
    let mut message = format!("authentication as `{user}` failed: ");
    if tried.is_empty() && locked.is_empty() {
        message.push_str(
            "no identity to offer (no ssh-agent with keys, no identity file). \
             Start ssh-agent and `ssh-add` your key, or set `identity_files`",
        );
    } else {
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
            message.push_str(&format!(
                "{} need{} a passphrase, which opsguard does not ask for: add {} to ssh-agent with `ssh-add`",
                locked.join(", "),
                if locked.len() == 1 { "s" } else { "" },
                if locked.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    Err(message)
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
