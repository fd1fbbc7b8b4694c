//! The local account opsguard runs as, from the password database (not
//! `$USER`, which anyone can set): its name and home folder.

use std::path::PathBuf;

pub fn uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

struct Entry {
    name: String,
    home: PathBuf,
}

fn entry() -> Option<Entry> {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid()).ok()??;
    Some(Entry {
        name: user.name,
        home: user.dir,
    })
}

/// The user name of this process's uid.
pub fn user_name() -> Option<String> {
    entry().map(|e| e.name)
}

/// `$HOME`, else the home folder in the password database.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            entry()
                .map(|e| e.home)
                .filter(|h| !h.as_os_str().is_empty())
        })
}

/// `~/x` → the home folder joined with `x`; other paths as they are.
pub fn expand_home(path: &str) -> Result<PathBuf, NoHome> {
    match path.strip_prefix("~/") {
        None => Ok(PathBuf::from(path)),
        Some(rest) => home_dir()
            .map(|h| h.join(rest))
            .ok_or_else(|| NoHome(path.to_string())),
    }
}

/// A path starts with `~` and no home folder is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` starts with ~ but no home folder is known")]
pub struct NoHome(pub String);
