//! One session as a transcript a reviewer reads top to bottom: how it was
//! started, what was planned, what was asked and answered, each command
//! with its output and exit code, and how it ended.
//!
//! Plain text: the caller adds colour for a terminal. Records of kinds this
//! version does not know are shown with their fields, never dropped.

use std::io::BufRead;

use serde_json::Value;

use super::event::{Event, On, Output, Record};
use super::lines::{Lines, Reader};

/// The records of the one session whose id starts with `prefix`.
pub fn collect(input: impl BufRead, prefix: &str) -> Result<(Vec<Record>, Lines), ReplayError> {
    let mut records = Vec::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut lines = Lines::default();
    let mut reader = Reader::new(input);
    while let Some(line) = reader.next_line().map_err(ReplayError::Read)? {
        let Some(r) = lines.read(&line) else {
            continue;
        };
        let Some(session) = r["session"].as_str() else {
            continue;
        };
        if !session.starts_with(prefix) {
            continue;
        }
        if !sessions.iter().any(|s| s == session) {
            sessions.push(session.to_string());
        }
        if sessions.len() > 1 {
            return Err(ReplayError::Ambiguous {
                prefix: prefix.to_string(),
                sessions,
            });
        }
        records.push(Record::read(r));
    }
    lines.finish();
    if records.is_empty() {
        return Err(ReplayError::NoSession(prefix.to_string()));
    }
    Ok((records, lines))
}

/// Why there is no one session to replay.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read the log: {0}")]
    Read(#[source] std::io::Error),
    #[error("`{prefix}` names more than one session: {} …; give more of the id", sessions.join(", "))]
    Ambiguous {
        prefix: String,
        sessions: Vec<String>,
    },
    #[error("no session `{0}` in the log")]
    NoSession(String),
}

fn host_tag(on: &On) -> String {
    format!("{} [{}]", on.host, on.role.to_uppercase())
}

/// `  [destructive]` after a command or line the record marks so.
fn destructive_mark(destructive: bool) -> &'static str {
    if destructive { "  [destructive]" } else { "" }
}

fn indented(out: &mut String, label: &str, stream: &Output) {
    if stream.text.is_empty() {
        return;
    }
    for line in stream.text.lines() {
        out.push_str(&format!("  {label}| {line}\n"));
    }
    if stream.truncated {
        out.push_str(&format!(
            "  {label}| … cut at 64 KiB of {} bytes (sha256 {})\n",
            stream.bytes, stream.sha256
        ));
    }
}

pub fn transcript(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let h = &r.header;
        let ts = &h.ts;
        let Some(event) = &r.event else {
            out.push_str(&unknown(r));
            continue;
        };
        match event {
            Event::SessionStart(e) => {
                out.push_str(&format!("session {}\n", h.session));
                let pid = h.pid.map_or("?".to_string(), |p| p.to_string());
                out.push_str(&format!(
                    "{ts}  {}@{} (pid {pid}) started: {}\n",
                    h.user,
                    h.workstation,
                    e.argv
                        .iter()
                        .map(|w| shell_word(w))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                let terminal = if e.terminal {
                    "at a terminal"
                } else {
                    "no terminal"
                };
                out.push_str(&format!(
                    "  in {}, opsguard {}, {terminal}\n",
                    e.cwd, e.version
                ));
                for (key, files) in [("inventory", &e.inventory), ("playbook", &e.playbook)] {
                    if let Some(f) = files {
                        out.push_str(&format!("  {key}: {}\n", f.path));
                    }
                }
            }
            Event::Plan(p) => {
                let targets: Vec<String> = p
                    .targets
                    .iter()
                    .map(|t| format!("{} [{}]", t.name, t.role.to_uppercase()))
                    .collect();
                let what = if p.destructive {
                    "destructive"
                } else {
                    "read-only"
                };
                out.push_str(&format!("{ts}  plan ({what}): {}\n", targets.join(", ")));
            }
            Event::GuardPrompt(e) => {
                for line in e.banner.lines() {
                    out.push_str(&format!("  shown| {line}\n"));
                }
                out.push_str(&format!("{ts}  asked: {}\n", e.prompt));
            }
            Event::GuardConfirmed(e) => {
                let typed: Vec<String> = e.typed.iter().map(|t| format!("{t:?}")).collect();
                if e.via == "--confirm-role" {
                    out.push_str(&format!(
                        "{ts}  confirmed by --confirm-role {}\n",
                        typed.join(" ")
                    ));
                } else {
                    out.push_str(&format!("{ts}  answered: {}\n", typed.join(", ")));
                }
            }
            Event::GuardRefused(e) => {
                out.push_str(&format!("{ts}  REFUSED ({})", e.reason));
                if let Some(t) = &e.typed {
                    out.push_str(&format!(": typed {t:?}"));
                }
                out.push('\n');
                if !e.message.is_empty() {
                    out.push_str(&format!("  {}\n", e.message));
                }
            }
            Event::ShellLine(e) => {
                out.push_str(&format!(
                    "{ts}  {} {} $ {}{}\n",
                    host_tag(&e.on),
                    e.cwd,
                    e.line,
                    destructive_mark(e.destructive)
                ));
            }
            Event::ShellCd(e) => out.push_str(&format!("{ts}  now in {}\n", e.to)),
            Event::ShellUnsupported(e) => out.push_str(&format!(
                "{ts}  not started: `{}` needs a full terminal\n",
                e.program
            )),
            // In a shell session the line was shown with its prompt.
            Event::CommandStart(e) if e.cwd.is_some() => {}
            Event::CommandStart(e) => {
                out.push_str(&format!(
                    "{ts}  {} $ {}{}\n",
                    host_tag(&e.on),
                    e.command,
                    destructive_mark(e.destructive)
                ));
            }
            Event::CommandEnd(e) => {
                let result = match &e.ran {
                    Some(ran) => {
                        indented(&mut out, "out", &ran.stdout);
                        indented(&mut out, "err", &ran.stderr);
                        let result = match (ran.exit_code, &ran.signal) {
                            (Some(code), _) => format!("exit {code}"),
                            (None, Some(sig)) => format!("killed by {sig}"),
                            _ => e.status.clone(),
                        };
                        format!("{result} after {} ms", ran.duration_ms)
                    }
                    None => e.status.clone(),
                };
                out.push_str(&format!("{ts}  {} {result}\n", host_tag(&e.start.on)));
            }
            Event::SessionEnd(e) => out.push_str(&format!(
                "{ts}  ended: {}, exit {}\n",
                e.status, e.exit_code
            )),
            Event::Note(e) => out.push_str(&format!("{ts}  note: {}\n", e.message)),
            _ => out.push_str(&unknown(r)),
        }
    }
    out
}

/// A record shown as its event name and fields: the kinds a transcript
/// does not tell as a sentence, and records this version cannot read.
fn unknown(r: &Record) -> String {
    let skip = [
        "v", "seq", "ts", "session", "event", "user", "workstation", "pid", "prev", "hash",
    ];
    let fields: Vec<String> = r
        .fields
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !skip.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        })
        .unwrap_or_default();
    let name = match &r.fields["event"] {
        Value::String(e) => e.clone(),
        other => other.to_string(),
    };
    format!("{}  {name} {}\n", r.header.ts, fields.join(" "))
}

/// `word` as a shell would need it typed: as it is when that is plain,
/// else in single quotes, so an argv with blanks reads unambiguously.
fn shell_word(word: &str) -> std::borrow::Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,^".contains(c));
    if plain {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

#[cfg(test)]
mod argv_tests {
    use super::shell_word;

    /// An argv word with blanks or quotes is shown quoted, as typed.
    #[test]
    fn argv_words_are_shown_as_a_shell_takes_them() {
        assert_eq!(shell_word("--confirm-role"), "--confirm-role");
        assert_eq!(shell_word("/dev/sdb"), "/dev/sdb");
        assert_eq!(shell_word("df -h"), "'df -h'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
