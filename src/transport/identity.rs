//! Ed25519 identity files signed by opsguard itself.
//!
//! libssh2 reads a private key file on every login, and twice (once for the
//! public half, once to sign), through OpenSSL 3's decoders, which try
//! every format they know: about 40% of opsguard's CPU time when it logs
//! in to 50 hosts. An unencrypted Ed25519 key in OpenSSH's format (what
//! `ssh-keygen` writes by default) is read once per process here, by the
//! `ssh-key` crate, and signs through libssh2's callback API; every other
//! key goes through libssh2's own file reading, unchanged.

use std::collections::HashMap;
use std::ffi::{CString, c_int, c_uchar, c_void};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ed25519_dalek::{Signer, SigningKey};
use libssh2_sys::LIBSSH2_SESSION;

use super::auth::AuthError;

pub struct Ed25519 {
    /// The public key blob, as the server sees it.
    public: Vec<u8>,
    key: SigningKey,
}

/// Read `file` as an unencrypted OpenSSH Ed25519 key, once per process;
/// `None` for any other kind of key (or an unreadable file).
pub fn ed25519(file: &Path) -> Option<Arc<Ed25519>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Option<Arc<Ed25519>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().ok()?;
    cache
        .entry(file.to_path_buf())
        .or_insert_with(|| parse(&std::fs::read_to_string(file).ok()?).map(Arc::new))
        .clone()
}

/// An unencrypted Ed25519 key in OpenSSH's format, read by `ssh-key`;
/// `None` for any other kind of key, an encrypted one (its passphrase is
/// never asked for) or a damaged one (libssh2 then says what is wrong).
fn parse(text: &str) -> Option<Ed25519> {
    let file = ssh_key::PrivateKey::from_openssh(text).ok()?;
    if file.is_encrypted() || file.kdf().is_some() {
        return None;
    }
    let pair = file.key_data().ed25519()?;
    let key = SigningKey::from_bytes(&pair.private.to_bytes());
    // The file's public half must be the seed's.
    if key.verifying_key().as_bytes() != &pair.public.0 {
        return None;
    }
    let public = file.public_key().to_bytes().ok()?;
    Some(Ed25519 { public, key })
}

unsafe extern "C" {
    /// libssh2's public-key login with a signing callback (not bound by
    /// libssh2-sys; the symbol is in the libssh2 it links).
    fn libssh2_userauth_publickey(
        session: *mut LIBSSH2_SESSION,
        username: *const std::ffi::c_char,
        pubkeydata: *const c_uchar,
        pubkeydata_len: usize,
        sign_callback: Option<
            unsafe extern "C" fn(
                *mut LIBSSH2_SESSION,
                *mut *mut c_uchar,
                *mut usize,
                *const c_uchar,
                usize,
                *mut *mut c_void,
            ) -> c_int,
        >,
        abstract_: *mut *mut c_void,
    ) -> c_int;
}

/// Called by libssh2 with the data to sign; answers with the raw 64-byte
/// signature in memory from `malloc` (libssh2 frees it with its default
/// allocator, which the ssh2 crate keeps).
unsafe extern "C" fn sign(
    _session: *mut LIBSSH2_SESSION,
    sig: *mut *mut c_uchar,
    sig_len: *mut usize,
    data: *const c_uchar,
    data_len: usize,
    abstract_: *mut *mut c_void,
) -> c_int {
    // SAFETY: `abstract_` points at the pointer to the `Ed25519` that
    // `login` passed in, alive for the whole call; `data` is `data_len`
    // bytes owned by libssh2 for the duration of this call; `sig` and
    // `sig_len` are out-parameters libssh2 gave us.
    unsafe {
        let key = &*(*abstract_ as *const Ed25519);
        let message = std::slice::from_raw_parts(data, data_len);
        let signature = key.key.sign(message).to_bytes();
        let out = libc::malloc(signature.len()) as *mut c_uchar;
        if out.is_null() {
            return -1;
        }
        std::ptr::copy_nonoverlapping(signature.as_ptr(), out, signature.len());
        *sig = out;
        *sig_len = signature.len();
    }
    0
}

/// Log in as `user` with `key`; the session must be in blocking mode.
/// `Ok(true)` when the server accepted the key.
pub fn login(session: &ssh2::Session, user: &str, key: &Ed25519) -> Result<bool, AuthError> {
    let user = CString::new(user).map_err(|_| AuthError::NulInUser)?;
    let mut ptr = key as *const Ed25519 as *mut c_void;
    let rc = {
        let mut raw = session.raw();
        // SAFETY: `raw` is the live session, locked for this call; the
        // strings and the key outlive it; `sign` matches libssh2's
        // LIBSSH2_USERAUTH_PUBLICKEY_SIGN_FUNC.
        unsafe {
            libssh2_userauth_publickey(
                &mut *raw,
                user.as_ptr(),
                key.public.as_ptr(),
                key.public.len(),
                Some(sign),
                &mut ptr,
            )
        }
    };
    match rc {
        0 => Ok(session.authenticated()),
        // LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT
        -9 | -30 => Err(AuthError::TimedOut(None)),
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_ssh_keygen_writes_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(ok.success());
        let parsed = ed25519(&key).expect("an unencrypted ed25519 key");
        let public = std::fs::read_to_string(dir.path().join("k.pub")).unwrap();
        let blob = public.split_whitespace().nth(1).unwrap();
        assert_eq!(
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &parsed.public),
            blob
        );
        let locked = dir.path().join("locked");
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "words", "-f"])
            .arg(&locked)
            .status()
            .unwrap();
        assert!(ed25519(&locked).is_none());
        let rsa = dir.path().join("rsa");
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
            .arg(&rsa)
            .status()
            .unwrap();
        assert!(ed25519(&rsa).is_none());
        assert!(parse("not a key").is_none());
    }
}
