//! opsguard's own files on this workstation: the state folder
//! (`$XDG_STATE_HOME/opsguard`, else `~/.local/state/opsguard`), made
//! private (0700), and files in it written without following links.
//!
//! A link planted where opsguard writes (the session registry, a shell
//! history) must not make it write somewhere else: files are written to a
//! new private file (created exclusively, mode 0600, never through a link)
//! and renamed into place, which replaces a planted link rather than its
//! target; a file that is read and appended to in place (history) is used
//! only when it is a regular file.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// opsguard's state folder as the environment names it:
/// `$XDG_STATE_HOME/opsguard`, else `$HOME/.local/state/opsguard` (not
/// created): the one place that reads those variables. The audit log's
/// default lives here and nowhere else: with neither set it has none,
/// rather than a guess the operator would not look for.
pub fn base() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let state = var("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("opsguard"))
}

/// `sub` in the state folder, created private when missing. The
/// session registry and the shell's history are a courtesy, not a record:
/// without the variables they go under the home folder the password
/// database names.
pub fn folder(sub: &str) -> Option<PathBuf> {
    let base =
        base().or_else(|| crate::account::home_dir().map(|h| h.join(".local/state/opsguard")))?;
    let dir = base.join(sub);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    Some(dir)
}

fn private(path: &Path) -> std::io::Result<std::fs::File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .mode(0o600)
        .open(path)
}

/// Write `bytes` to `path`, private, replacing whatever is there (a link
/// included) without writing through it.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let new = path.with_file_name(format!(".{name}.{}.new", std::process::id()));
    let _ = std::fs::remove_file(&new);
    let written = private(&new).and_then(|mut f| f.write_all(bytes));
    match written.and_then(|()| std::fs::rename(&new, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&new);
            Err(e)
        }
    }
}

/// `path` as a private regular file to read and append to: created (0600)
/// when missing; `None` when something else is there (a link, a folder).
pub fn regular(path: &Path) -> Option<&Path> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Some(path),
        Ok(_) => None,
        Err(_) => private(path).ok().map(|_| path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_planted_link_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "keep").unwrap();
        let path = dir.path().join("1.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        write(&path, b"entry").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "entry");
        let m = std::fs::symlink_metadata(&path).unwrap();
        assert!(m.file_type().is_file());
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn only_a_regular_file_is_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("h1");
        assert_eq!(regular(&new), Some(new.as_path()));
        let mode = std::fs::metadata(&new).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let link = dir.path().join("h2");
        std::os::unix::fs::symlink(dir.path().join("victim"), &link).unwrap();
        assert_eq!(regular(&link), None);
        assert!(!dir.path().join("victim").exists());
    }
}
