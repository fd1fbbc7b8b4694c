//! The local account opsguard runs as, from the password database (not
//! `$USER`, which anyone can set): its name and home folder.

use std::path::PathBuf;

pub fn uid() -> u32 {
    // SAFETY: getuid cannot fail and touches no memory of ours.
    unsafe { libc::getuid() }
}

struct Entry {
    name: String,
    home: PathBuf,
}

fn entry() -> Option<Entry> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: a zeroed passwd is a valid out-parameter; getpwuid_r writes
    // only into it and into `buf` (whose length it is given), and sets
    // `found` to it on success, or to null. The strings it points to live
    // in `buf`, which outlives their use here.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut pw,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() || pw.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pw.pw_name)
            .to_str()
            .ok()?
            .to_string();
        let home = if pw.pw_dir.is_null() {
            PathBuf::new()
        } else {
            PathBuf::from(std::ffi::CStr::from_ptr(pw.pw_dir).to_str().ok()?)
        };
        Some(Entry { name, home })
    }
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
pub fn expand_home(path: &str) -> Result<PathBuf, String> {
    match path.strip_prefix("~/") {
        None => Ok(PathBuf::from(path)),
        Some(rest) => home_dir()
            .map(|h| h.join(rest))
            .ok_or_else(|| format!("`{path}` starts with ~ but no home folder is known")),
    }
}
