//! Which opsguard session is which: a registry of this user's running
//! sessions on this workstation, and the terminal title.
//!
//! Each session that touches hosts writes `sessions/PID.json` in the user's
//! state folder (`$XDG_STATE_HOME/opsguard`, else `~/.local/state/opsguard`)
//! naming its targets and their roles, and removes it when it ends. Files
//! of processes that are gone (a crash, kill -9) are pruned by whoever
//! reads them next. The prompt uses it to say "you also have a session
//! open on backup-a1 \[BACKUP\] in another terminal": the two-consoles
//! mistake, named.
//!
//! While opsguard runs, the terminal's title is `host [ROLE]`; the old
//! title is pushed on xterm's title stack before and popped after.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::inventory::Inventory;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub pid: u32,
    pub user: String,
    pub session: String,
    pub command: String,
    pub targets: Vec<Target>,
}

fn folder() -> Option<PathBuf> {
    crate::state::folder("sessions")
}

fn alive(pid: u32) -> bool {
    // No signal: only whether the process exists (EPERM: it does, as
    // another user's).
    let pid = nix::unistd::Pid::from_raw(pid as i32);
    matches!(
        nix::sys::signal::kill(pid, None),
        Ok(()) | Err(nix::errno::Errno::EPERM)
    )
}

/// This session's entry; removed on drop. Registration is best effort: a
/// registry that cannot be written never stops work (the audit log is the
/// record; this is a courtesy to the operator).
pub struct Registration {
    path: Option<PathBuf>,
}

pub fn register(entry: &Entry) -> Registration {
    let path = folder().and_then(|dir| {
        let path = dir.join(format!("{}.json", entry.pid));
        let text = serde_json::to_string(entry).ok()?;
        // Never through a planted link; private.
        crate::state::write(&path, text.as_bytes()).ok()?;
        Some(path)
    });
    Registration { path }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The other running sessions of this user, pruning dead ones.
pub fn others() -> Vec<Entry> {
    let Some(dir) = folder() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(entry) = serde_json::from_str::<Entry>(&text) else {
            continue;
        };
        if entry.pid == me {
            continue;
        }
        if !alive(entry.pid) {
            let _ = std::fs::remove_file(e.path());
            continue;
        }
        out.push(entry);
    }
    out.sort_by_key(|e| e.pid);
    out
}

/// `store-a1 [LIVE]`, `store-a1 +2 [LIVE]`, `3 hosts [LIVE, BACKUP]`.
pub fn title(inv: &Inventory, hosts: &[usize]) -> String {
    let mut roles: Vec<String> = Vec::new();
    for &h in hosts {
        let r = inv.hosts[h].role.to_uppercase();
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    let names = match hosts {
        [] => String::new(),
        [one] => inv.hosts[*one].name.clone(),
        [first, rest @ ..] if roles.len() == 1 => {
            format!("{} +{}", inv.hosts[*first].name, rest.len())
        }
        _ => format!("{} hosts", hosts.len()),
    };
    format!("{names} [{}]", roles.join(", "))
}

/// The terminal title while `Title` lives (only when stderr is a terminal).
pub struct Title {
    set: bool,
}

impl Title {
    pub fn set(text: &str) -> Title {
        let set = std::io::IsTerminal::is_terminal(&std::io::stderr());
        if set {
            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
            let mut err = std::io::stderr().lock();
            // Push the current title, then set ours (OSC 2).
            let _ = write!(err, "\x1b[22;0t\x1b]2;{clean}\x07");
            let _ = err.flush();
        }
        Title { set }
    }
}

impl Drop for Title {
    fn drop(&mut self) {
        if self.set {
            let mut err = std::io::stderr().lock();
            // Pop the title that was there before.
            let _ = write!(err, "\x1b[23;0t");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::tests::inventory;

    #[test]
    fn titles_name_the_host_and_the_role() {
        let inv =
            inventory("hosts:\n  a1: {role: live}\n  a2: {role: live}\n  b1: {role: backup}\n");
        assert_eq!(title(&inv, &[0]), "a1 [LIVE]");
        assert_eq!(title(&inv, &[0, 1]), "a1 +1 [LIVE]");
        assert_eq!(title(&inv, &[0, 2]), "2 hosts [LIVE, BACKUP]");
    }

    #[test]
    fn dead_sessions_are_pruned() {
        assert!(alive(std::process::id()));
        // A pid far above pid_max is never alive.
        assert!(!alive(i32::MAX as u32 - 1));
    }
}
