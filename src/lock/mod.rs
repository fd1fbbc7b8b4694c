//! Host locks: taken on every target of destructive work before it runs,
//! on the host itself so they hold across workstations.
//!
//! A lock is a folder created with `mkdir` (atomic on any POSIX file
//! system) holding an `owner` file: one JSON object naming the user,
//! workstation, pid and session that hold it, since when and until when.
//! It is `opsguard.lock` in the host's `lock_dir` (or `settings.lock_dir`);
//! without one, `/run/lock/opsguard.lock` on SSH hosts and `.opsguard.lock`
//! in the workdir of `connection: local` hosts. A folder the login cannot
//! write is a clear error naming the setting, never a lock taken elsewhere. The holder renews it (a new
//! `expires`) before each command it runs there and removes it at the end,
//! Ctrl-C included. A lock past its expiry is *stale*: still refused, and
//! removed only by `opsguard lock break`, after its owner has been asked.
//!
//! Every operation is one short shell script through the host's
//! [`Transport`], with every value quoted.
//!
//! The locks a run holds while it runs (taken, renewed, released) are its
//! [`lease`].

pub mod lease;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::inventory::{Connection, Host};
use crate::transport::pool::Failure;
use crate::transport::remote::quote;
use crate::transport::{Limits, Transport};

/// How a lock operation failed: the connection (nothing is known about
/// the lock; safe to try again on a new one), or the lock script.
pub type LockError = Failure<String>;

/// When `settings.lock_ttl` does not say.
pub const DEFAULT_TTL: Duration = Duration::from_secs(30 * 60);

/// How long one lock operation may take.
const OP_TIMEOUT: Duration = Duration::from_secs(30);

/// Who holds a lock, as its `owner` file says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub user: String,
    pub workstation: String,
    pub pid: u32,
    pub session: String,
    /// RFC 3339, UTC.
    pub since: String,
    pub expires: String,
}

/// The owner as a record names it.
impl From<&Owner> for crate::audit::event::LockOwner {
    fn from(o: &Owner) -> Self {
        crate::audit::event::LockOwner {
            user: o.user.clone(),
            workstation: o.workstation.clone(),
            pid: o.pid,
            session: o.session.clone(),
            since: o.since.clone(),
            expires: o.expires.clone(),
        }
    }
}

impl Owner {
    pub fn new(session: &str, ttl: Duration, now: OffsetDateTime) -> Owner {
        let id = crate::audit::record::Identity::current();
        Owner {
            user: id.user,
            workstation: id.workstation,
            pid: id.pid,
            session: session.to_string(),
            since: stamp(now),
            expires: stamp(now + ttl),
        }
    }

    /// The same owner with its expiry moved to `now + ttl`.
    pub fn renewed(&self, ttl: Duration, now: OffsetDateTime) -> Owner {
        Owner {
            expires: stamp(now + ttl),
            ..self.clone()
        }
    }

    pub fn is_stale(&self, now: OffsetDateTime) -> bool {
        OffsetDateTime::parse(&self.expires, &Rfc3339).map_or(true, |e| e <= now)
    }

    /// `alice@ws-12 (pid 4411, session 2026...) since ... until ...`
    pub fn describe(&self) -> String {
        format!(
            "{}@{} (pid {}, session {}) since {}, expiring {}",
            self.user, self.workstation, self.pid, self.session, self.since, self.expires
        )
    }

    fn json(&self) -> String {
        serde_json::to_string(self).expect("plain JSON")
    }
}

fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// What is on a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Free,
    Held(Owner),
    /// The folder exists but its owner file cannot be read (being written
    /// this instant, or damaged): held, by someone unknown.
    Unknown(String),
}

/// Where the lock lives on `host`.
pub fn path(host: &Host) -> String {
    match (&host.lock_dir, &host.connection) {
        (Some(dir), _) => format!("{}/opsguard.lock", dir.trim_end_matches('/')),
        (None, Connection::Local { .. }) => ".opsguard.lock".to_string(),
        (None, Connection::Ssh) => format!("{DEFAULT_DIR}/opsguard.lock"),
    }
}

/// Where SSH hosts keep their lock when no `lock_dir` says: the FHS
/// folder for lock files, which `/var/lock` links to.
pub const DEFAULT_DIR: &str = "/run/lock";

fn limits() -> Limits {
    Limits {
        timeout: OP_TIMEOUT,
        // Locks are released after an interruption too: never cancelled.
        cancel: Arc::new(AtomicBool::new(false)),
        grace: Duration::from_secs(1),
        tap: None,
        become_user: None,
        trail: None,
    }
}

fn run(t: &mut dyn Transport, script: &str) -> Result<String, LockError> {
    let out = t.run(script, &limits()).map_err(Failure::Transport)?;
    let stdout = String::from_utf8_lossy(&out.stdout.bytes).into_owned();
    match out.exit_code {
        Some(0) => Ok(stdout),
        _ => Err(Failure::Work(format!(
            "the lock script failed ({}): {}",
            out.exit_code
                .map_or_else(|| out.signal.unwrap_or_default(), |c| format!("exit {c}")),
            String::from_utf8_lossy(&out.stderr.bytes).trim()
        ))),
    }
}

/// What the scripts print about a lock folder that exists: who owns it and
/// its owner file, and its mode (`stat -c`), before the owner file.
const ABOUT: &str =
    "stat -c 'folder %u %U %a' \"$d\" 2>/dev/null; stat -c 'file %u' \"$d/owner\" 2>/dev/null; ";

/// A lock folder anyone could have made or changed is not trusted: one
/// that others may write, or whose owner file belongs to someone else.
fn untrusted(folder: Option<(&str, &str, &str)>, file_uid: Option<&str>) -> Option<String> {
    let (uid, user, mode) = folder?;
    let writable = u32::from_str_radix(mode, 8).map_or(true, |m| m & 0o022 != 0);
    if writable {
        return Some(format!(
            "the lock folder (owned by {user}, uid {uid}) has mode {mode}: others may write it, so its owner file proves nothing; check it, then `opsguard lock break`"
        ));
    }
    match file_uid {
        Some(f) if f != uid => Some(format!(
            "the lock folder belongs to {user} (uid {uid}) but its owner file to uid {f}: it may have been planted; check it, then `opsguard lock break`"
        )),
        _ => None,
    }
}

/// `held\n[folder ...\n][file ...\n]{json}` or `free`, as the scripts
/// print it.
fn parse_state(text: &str) -> State {
    let mut lines = text.lines().peekable();
    if lines.next() == Some("free") {
        return State::Free;
    }
    let mut folder = None;
    let mut file = None;
    while let Some(line) = lines.peek() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            ["folder", uid, user, mode] => folder = Some((uid, user, mode)),
            ["file", uid] => file = Some(uid),
            _ => break,
        }
        lines.next();
    }
    if let Some(why) = untrusted(folder, file) {
        return State::Unknown(why);
    }
    let rest: String = lines.collect::<Vec<_>>().join("\n");
    match serde_json::from_str::<Owner>(rest.trim()) {
        Ok(o) => State::Held(o),
        Err(_) if rest.trim().is_empty() => State::Unknown("no owner file".into()),
        Err(e) => State::Unknown(format!("owner file unreadable: {e}")),
    }
}

/// Take the lock, or say who has it. A lock this session already holds
/// counts as taken, so trying again after a lost reply is safe.
pub fn acquire(t: &mut dyn Transport, host: &Host, owner: &Owner) -> Result<State, LockError> {
    let d = quote(&path(host));
    let script = format!(
        "d={d}; if err=$(mkdir -m 755 \"$d\" 2>&1); then \
         printf '%s\\n' {o} > \"$d/owner.new\" && mv -f \"$d/owner.new\" \"$d/owner\" && echo acquired; \
         elif [ -d \"$d\" ]; then echo held; {ABOUT}cat \"$d/owner\" 2>/dev/null; \
         else echo \"cannot create the lock $d as $(id -un 2>/dev/null || id -u): ${{err#mkdir: }}; \
         set lock_dir (on the host or in settings) to a folder this login can write\" >&2; exit 1; fi",
        o = quote(&owner.json())
    );
    let out = run(t, &script)?;
    if out.starts_with("acquired") {
        return Ok(State::Free);
    }
    match parse_state(&out) {
        State::Held(o) if o.session == owner.session => Ok(State::Free),
        state => Ok(state),
    }
}

/// The lock on the host as it is now.
pub fn read(t: &mut dyn Transport, host: &Host) -> Result<State, LockError> {
    let script = format!(
        "d={}; if [ -d \"$d\" ]; then echo held; {ABOUT}cat \"$d/owner\" 2>/dev/null; else echo free; fi",
        quote(&path(host))
    );
    run(t, &script).map(|out| parse_state(&out))
}

fn mark(owner: &Owner) -> String {
    quote(&format!("\"session\":\"{}\"", owner.session))
}

/// Move our lock's expiry on; an error if it is no longer ours.
pub fn renew(t: &mut dyn Transport, host: &Host, owner: &Owner) -> Result<(), LockError> {
    let script = format!(
        "d={}; grep -qF {} \"$d/owner\" 2>/dev/null && printf '%s\\n' {} > \"$d/owner.new\" && mv -f \"$d/owner.new\" \"$d/owner\" && echo renewed",
        quote(&path(host)),
        mark(owner),
        quote(&owner.json())
    );
    match run(t, &script) {
        Ok(out) if out.starts_with("renewed") => Ok(()),
        Err(Failure::Transport(e)) => Err(Failure::Transport(e)),
        Ok(_) | Err(Failure::Work(_)) => Err(Failure::Work(format!(
            "the lock on {} is no longer held by this session",
            host.name
        ))),
    }
}

/// Remove our lock (only if it is still ours).
pub fn release(t: &mut dyn Transport, host: &Host, owner: &Owner) -> Result<(), LockError> {
    let script = format!(
        "d={}; if grep -qF {} \"$d/owner\" 2>/dev/null; then rm -rf \"$d\" && echo released; else echo gone; fi",
        quote(&path(host)),
        mark(owner)
    );
    run(t, &script).map(|_| ())
}

/// Remove the lock `lock break` was confirmed for: the one `held` names
/// (only while its owner file still names that session, so a lock taken
/// since by someone else stays), or, when its owner could not be read,
/// whatever is there.
pub fn remove(t: &mut dyn Transport, host: &Host, held: Option<&Owner>) -> Result<(), LockError> {
    let d = quote(&path(host));
    let Some(owner) = held else {
        return run(t, &format!("rm -rf {d}")).map(|_| ());
    };
    let out = run(
        t,
        &format!(
            "d={d}; if grep -qF {} \"$d/owner\" 2>/dev/null; then rm -rf \"$d\" && echo removed; \
             elif [ -d \"$d\" ]; then echo changed; else echo gone; fi",
            mark(owner)
        ),
    )?;
    if out.starts_with("changed") {
        return Err(Failure::Work(format!(
            "the lock on {} changed after it was read (another session holds it now); it was left; run `opsguard lock status` and break it again if you must",
            host.name
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn taking_a_lock_again_is_safe_for_its_session_only() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::local_for_tests("backup", dir.path());
        let mut t = crate::transport::local::Local::new(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc();
        let ours = Owner::new("S1", Duration::from_secs(60), now);
        let theirs = Owner::new("S2", Duration::from_secs(60), now);
        assert_eq!(acquire(&mut t, &host, &ours).unwrap(), State::Free);
        // A retry after a lost reply finds the session's own lock.
        assert_eq!(acquire(&mut t, &host, &ours).unwrap(), State::Free);
        assert_eq!(
            acquire(&mut t, &host, &theirs).unwrap(),
            State::Held(ours.clone())
        );
        assert!(matches!(
            renew(&mut t, &host, &theirs),
            Err(Failure::Work(_))
        ));
        release(&mut t, &host, &theirs).unwrap();
        assert_eq!(read(&mut t, &host).unwrap(), State::Held(ours.clone()));
        release(&mut t, &host, &ours).unwrap();
        assert_eq!(read(&mut t, &host).unwrap(), State::Free);
    }

    /// `lock break` removes the lock it was confirmed for, never one taken
    /// since by another session.
    #[test]
    fn a_break_leaves_a_lock_taken_since_by_someone_else() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::local_for_tests("backup", dir.path());
        let mut t = crate::transport::local::Local::new(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc();
        let first = Owner::new("S1", Duration::from_secs(60), now);
        let second = Owner::new("S2", Duration::from_secs(60), now);
        acquire(&mut t, &host, &first).unwrap();
        release(&mut t, &host, &first).unwrap();
        acquire(&mut t, &host, &second).unwrap();
        assert!(matches!(
            remove(&mut t, &host, Some(&first)),
            Err(Failure::Work(_))
        ));
        assert_eq!(read(&mut t, &host).unwrap(), State::Held(second.clone()));
        remove(&mut t, &host, Some(&second)).unwrap();
        assert_eq!(read(&mut t, &host).unwrap(), State::Free);
    }

    #[test]
    fn a_lock_folder_others_could_write_or_plant_is_not_trusted() {
        let owner = Owner::new("S1", Duration::from_secs(60), OffsetDateTime::now_utc()).json();
        let ours = format!("held\nfolder 1000 ops 755\nfile 1000\n{owner}\n");
        assert!(matches!(parse_state(&ours), State::Held(_)));
        for (planted, says) in [
            (
                format!("held\nfolder 1001 eve 777\nfile 1001\n{owner}\n"),
                "has mode 777",
            ),
            (
                format!("held\nfolder 1000 ops 775\nfile 1000\n{owner}\n"),
                "has mode 775",
            ),
            (
                format!("held\nfolder 1000 ops 755\nfile 1001\n{owner}\n"),
                "owner file to uid 1001",
            ),
        ] {
            match parse_state(&planted) {
                State::Unknown(why) => assert!(why.contains(says), "{why}"),
                other => panic!("{planted}: {other:?}"),
            }
        }
        // Without stat (an old busybox), the owner file alone decides.
        assert!(matches!(
            parse_state(&format!("held\n{owner}\n")),
            State::Held(_)
        ));
    }

    #[test]
    fn the_scripts_report_the_folder_and_make_it_755() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::local_for_tests("backup", dir.path());
        let mut t = crate::transport::local::Local::new(dir.path()).unwrap();
        let ours = Owner::new("S1", Duration::from_secs(60), OffsetDateTime::now_utc());
        assert_eq!(acquire(&mut t, &host, &ours).unwrap(), State::Free);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(".opsguard.lock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(read(&mut t, &host).unwrap(), State::Held(ours.clone()));
        std::fs::set_permissions(
            dir.path().join(".opsguard.lock"),
            std::fs::Permissions::from_mode(0o777),
        )
        .unwrap();
        assert!(matches!(read(&mut t, &host), Ok(State::Unknown(_))));
        let theirs = Owner::new("S2", Duration::from_secs(60), OffsetDateTime::now_utc());
        assert!(matches!(
            acquire(&mut t, &host, &theirs),
            Ok(State::Unknown(_))
        ));
    }

    #[test]
    fn owners_round_trip_and_go_stale_at_expiry() {
        let now = datetime!(2026-11-22 08:00:00.5 UTC);
        let o = Owner::new("S1", Duration::from_secs(1800), now);
        assert_eq!(o.since, "2026-11-22T08:00:00Z");
        assert_eq!(o.expires, "2026-11-22T08:30:00Z");
        assert!(!o.is_stale(datetime!(2026-11-22 08:29:59 UTC)));
        assert!(o.is_stale(datetime!(2026-11-22 08:30:00 UTC)));
        assert_eq!(
            parse_state(&format!("held\n{}\n", o.json())),
            State::Held(o.clone())
        );
        assert_eq!(parse_state("free\n"), State::Free);
        assert!(matches!(parse_state("held\n"), State::Unknown(_)));
        assert!(matches!(parse_state("held\n{garbage"), State::Unknown(_)));
        let r = o.renewed(Duration::from_secs(60), datetime!(2026-11-22 09:00 UTC));
        assert_eq!(r.expires, "2026-11-22T09:01:00Z");
        assert_eq!(r.since, o.since);
    }
}
