//! What runs on the remote side: every command goes to the server as one
//! quoted word, inside a small POSIX wrapper that stops the command's whole
//! process group when the channel's input closes (a timeout, Ctrl-C, or
//! the connection dropping). Nothing from the inventory or the command
//! line reaches a remote shell unquoted.

use std::time::Duration;

/// The remote wrapper; `$1` is the command, `$2` the grace period in
/// seconds. It holds no single quote, so it quotes as one word.
///
/// When the input closes, the watcher signals the command's process
/// group. If the input closed at once, `setsid` may not have made the
/// group yet; the watcher then tries again while the process lives,
/// instead of losing TERM and letting the command run until the KILL
/// after the grace period. It never signals the bare pid: that would end
/// the wrapper's `wait`, and the wrapper would kill the watcher before
/// the group got its signal.
const WRAPPER: &str = r#"exec 3<&0 </dev/null
case "$SHELL" in ""|*/nologin|*/false) SHELL=/bin/sh;; esac
setsid "$SHELL" -c "$1" 3<&- &
c=$!
{ cat >/dev/null
while ! kill -TERM -$c && kill -0 $c; do sleep 0.05 || sleep 1; done
sleep "$2"; kill -KILL -$c; } <&3 >/dev/null 2>&1 &
w=$!
exec 3<&-
wait $c 2>/dev/null
r=$?
kill $w 2>/dev/null
exit $r"#;

/// One word for a POSIX shell, whatever `s` holds.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The sudo password the operator gave (`--ask-become-pass`), for this
/// run: kept in memory only, never recorded, never in an argument list.
static BECOME_PASSWORD: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Keep the sudo password for every `become` of this run.
pub fn set_become_password(password: String) {
    let _ = BECOME_PASSWORD.set(password);
}

/// The password to send ahead of a `become` command, with its newline.
pub fn become_input() -> Option<String> {
    BECOME_PASSWORD.get().map(|p| format!("{p}\n"))
}

/// The prompt sudo shows when it reads the password: opsguard's own
/// words, whatever sudo's language or its `badpass_message`, so that a
/// second prompt can be told apart: the password was wrong.
pub const SUDO_PROMPT: &str = "[opsguard: sudo password]";

/// Set once sudo refused the password: no more commands go through sudo
/// with it in this run, on any host (a lockout policy such as
/// pam_faillock counts every try).
static PASSWORD_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether sudo refused the password earlier in this run.
pub fn password_refused() -> bool {
    PASSWORD_REFUSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The error for a `become` command after sudo refused the password.
pub fn refused_error(host: &str) -> super::TransportError {
    super::TransportError::Local {
        endpoint: Some(host.to_string()),
        message: "not run: sudo refused the password earlier in this run, and trying it again could lock the account".into(),
        source: None,
    }
}

/// Watches the start of a `become` command's stderr for sudo asking a
/// second time. The transports then close the input, so sudo gives up at
/// once instead of waiting for another try until the timeout.
#[derive(Default)]
pub struct PromptWatch {
    seen: Vec<u8>,
}

impl PromptWatch {
    /// Look at the next chunk of stderr; `true` once the password was
    /// refused.
    pub fn refused(&mut self, chunk: &[u8]) -> bool {
        if BECOME_PASSWORD.get().is_none() || self.seen.len() > 4096 {
            return false;
        }
        self.seen.extend_from_slice(chunk);
        let prompt = SUDO_PROMPT.as_bytes();
        let asked = self
            .seen
            .windows(prompt.len())
            .filter(|w| *w == prompt)
            .count();
        if asked >= 2 {
            PASSWORD_REFUSED.store(true, std::sync::atomic::Ordering::Relaxed);
            self.seen.clear();
            self.seen.resize(4097, 0);
            return true;
        }
        false
    }
}

/// What is sent to the server for `command`; with `become`, the whole
/// wrapper runs as that user through sudo, so the watcher can stop what
/// the command started. Without a password, `sudo -n`: never a prompt,
/// sudo fails instead. With one (`--ask-become-pass`), `sudo -S` with
/// opsguard's own prompt ([`SUDO_PROMPT`]):
/// the transport sends it as the first line of the input, which the
/// wrapper's watcher discards when sudo did not need it. sudo gives the
/// user's login shell in `$SHELL`; an account without one (`nologin`) runs
/// commands with `/bin/sh`.
/// The host's own record of a destructive command (`settings.host_syslog`):
/// one line written with `logger -t opsguard` before the command starts,
/// so the host remembers who changed it even if the workstation and its
/// log are gone. A host without `logger`, or whose syslog refuses, runs
/// the command all the same: the audit log is the record of truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trail {
    pub message: String,
    /// The syslog socket `logger` writes to (`-u`), when not its default.
    pub socket: Option<String>,
}

impl Trail {
    /// The trail of `command` (recorded as `seq` with `hash` by session
    /// `session`) on `host`: before a command not known to be safe, on an
    /// SSH host, unless `settings.host_syslog` is off.
    pub fn before(
        settings: &crate::inventory::Settings,
        host: &crate::inventory::Host,
        verdict: crate::classify::Verdict,
        session: &str,
        at: &crate::audit::writer::Appended,
        command: &str,
    ) -> Option<Trail> {
        use crate::inventory::HostSyslog;
        if verdict == crate::classify::Verdict::Safe
            || !matches!(host.connection, crate::inventory::Connection::Ssh)
        {
            return None;
        }
        let socket = match &settings.host_syslog {
            HostSyslog::Off => return None,
            HostSyslog::On => None,
            HostSyslog::Socket(path) => Some(path.clone()),
        };
        let who = crate::audit::record::Identity::current();
        Some(Trail {
            message: format!(
                "session={session} operator={} workstation={} seq={} hash={} command={command}",
                who.user, who.workstation, at.seq, at.hash,
            ),
            socket,
        })
    }

    /// The `logger` command, ending in `;`.
    fn command(&self) -> String {
        // One line, printable, bounded: it is data for the host's log.
        let message: String = self
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(900)
            .collect();
        let socket = match &self.socket {
            Some(path) => format!("-u {} ", quote(path)),
            None => String::new(),
        };
        format!(
            "logger -t opsguard -p authpriv.notice {socket}-- {} >/dev/null 2>&1; ",
            quote(&message)
        )
    }
}

pub fn line(
    command: &str,
    grace: Duration,
    become_user: Option<&str>,
    trail: Option<&Trail>,
) -> String {
    let sudo = match (become_user, BECOME_PASSWORD.get()) {
        (Some(user), None) => format!("sudo -n -u {} -- ", quote(user)),
        (Some(user), Some(_)) => format!(
            "sudo -S -p {} -u {} -- ",
            quote(&format!("{SUDO_PROMPT} ")),
            quote(user)
        ),
        (None, _) => String::new(),
    };
    format!(
        "{}exec {sudo}/bin/sh -c {} opsguard {} {}",
        trail.map(Trail::command).unwrap_or_default(),
        quote(WRAPPER),
        quote(command),
        grace.as_secs().max(1)
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::time::Instant;

    use super::*;

    /// The trail goes first, one printable line, quoted; without it the
    /// line is the wrapper alone.
    #[test]
    fn a_trail_is_logged_before_the_command() {
        let trail = Trail {
            message: "session=S command=rm -rf '/x'\nnext".into(),
            socket: Some("/run/log".into()),
        };
        let line = line("rm -rf /x", Duration::from_secs(5), None, Some(&trail));
        assert!(
            line.starts_with(
                "logger -t opsguard -p authpriv.notice -u '/run/log' -- 'session=S command=rm -rf '\\''/x'\\'' next' >/dev/null 2>&1; exec "
            ),
            "{line}"
        );
        assert!(
            super::line("true", Duration::from_secs(5), None, None).starts_with("exec /bin/sh")
        );
    }

    #[test]
    fn quoting_survives_any_text() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert!(!WRAPPER.contains('\''));
    }

    #[test]
    fn the_remote_line_runs_the_command_as_one_word() {
        use std::process::{Command, Stdio};
        // Input held open, as an SSH channel's is until opsguard closes it
        // (closing it is what stops the command).
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(line(
                "printf '%s|' \"$0\" 'x y'; echo; exit 3",
                Duration::from_secs(1),
                None,
                None,
            ))
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(out, "/bin/sh|x y|\n");
        assert_eq!(status.code(), Some(3));
    }

    #[test]
    fn closing_the_input_stops_the_command_and_its_children() {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let late = dir.path().join("late");
        let started = Instant::now();
        let status = Command::new("sh")
            .arg("-c")
            .arg(line(
                &format!("(sleep 2; touch {}) & sleep 30", late.display()),
                Duration::from_secs(1),
                None,
                None,
            ))
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(128 + 15));
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_secs(3));
        assert!(!late.exists());
    }
}
