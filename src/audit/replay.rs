//! One session as a transcript a reviewer reads top to bottom: how it was
//! started, what was planned, what was asked and answered, each command
//! with its output and exit code, and how it ended.
//!
//! Plain text: the caller adds colour for a terminal. Records of kinds this
//! version does not know are shown with their fields, never dropped.

use std::io::BufRead;

use serde_json::Value;

use super::lines::{Lines, Reader};

/// The records of the one session whose id starts with `prefix`.
pub fn collect(input: impl BufRead, prefix: &str) -> Result<(Vec<Value>, Lines), String> {
    let mut records = Vec::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut lines = Lines::default();
    let mut reader = Reader::new(input);
    while let Some(line) = reader
        .next_line()
        .map_err(|e| format!("cannot read the log: {e}"))?
    {
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
            return Err(format!(
                "`{prefix}` names more than one session: {} …; give more of the id",
                sessions.join(", ")
            ));
        }
        records.push(r);
    }
    lines.finish();
    if records.is_empty() {
        return Err(format!("no session `{prefix}` in the log"));
    }
    Ok((records, lines))
}

fn s<'a>(r: &'a Value, k: &str) -> &'a str {
    r[k].as_str().unwrap_or("")
}

fn host_tag(r: &Value) -> String {
    match (r["host"].as_str(), r["role"].as_str()) {
        (Some(h), Some(role)) => format!("{h} [{}]", role.to_uppercase()),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

/// `  [destructive]` after a command or line the record marks so.
fn destructive_mark(r: &Value) -> &'static str {
    if r["destructive"] == Value::Bool(true) {
        "  [destructive]"
    } else {
        ""
    }
}

fn indented(out: &mut String, label: &str, stream: &Value) {
    let text = stream["text"].as_str().unwrap_or("");
    if text.is_empty() {
        return;
    }
    for line in text.lines() {
        out.push_str(&format!("  {label}| {line}\n"));
    }
    if stream["truncated"] == Value::Bool(true) {
        out.push_str(&format!(
            "  {label}| … cut at 64 KiB of {} bytes (sha256 {})\n",
            stream["bytes"],
            s(stream, "sha256")
        ));
    }
}

pub fn transcript(records: &[Value]) -> String {
    let mut out = String::new();
    for r in records {
        let ts = s(r, "ts");
        match s(r, "event") {
            "session.start" => {
                let argv: Vec<&str> = r["argv"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                out.push_str(&format!("session {}\n", s(r, "session")));
                out.push_str(&format!(
                    "{ts}  {}@{} (pid {}) started: {}\n",
                    s(r, "user"),
                    s(r, "workstation"),
                    r["pid"],
                    argv.join(" ")
                ));
                out.push_str(&format!(
                    "  in {}, opsguard {}, {}\n",
                    s(r, "cwd"),
                    s(r, "version"),
                    if r["terminal"] == Value::Bool(true) {
                        "at a terminal"
                    } else {
                        "no terminal"
                    }
                ));
                for key in ["inventory", "playbook"] {
                    if r[key].is_object() {
                        out.push_str(&format!("  {key}: {}\n", s(&r[key], "path")));
                    }
                }
            }
            "plan" => {
                let targets: Vec<String> = r["targets"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|t| format!("{} [{}]", s(t, "name"), s(t, "role").to_uppercase()))
                            .collect()
                    })
                    .unwrap_or_default();
                let what = if r["destructive"] == Value::Bool(true) {
                    "destructive"
                } else {
                    "read-only"
                };
                out.push_str(&format!("{ts}  plan ({what}): {}\n", targets.join(", ")));
            }
            "guard.prompt" => {
                for line in s(r, "banner").lines() {
                    out.push_str(&format!("  shown| {line}\n"));
                }
                out.push_str(&format!("{ts}  asked: {}\n", s(r, "prompt")));
            }
            "guard.confirmed" => {
                let typed: Vec<String> = match &r["typed"] {
                    Value::Array(a) => a
                        .iter()
                        .map(|t| format!("{:?}", t.as_str().unwrap_or_default()))
                        .collect(),
                    Value::String(t) => vec![format!("{t:?}")],
                    _ => vec![],
                };
                if s(r, "via") == "--confirm-role" {
                    out.push_str(&format!(
                        "{ts}  confirmed by --confirm-role {}\n",
                        typed.join(" ")
                    ));
                } else {
                    out.push_str(&format!("{ts}  answered: {}\n", typed.join(", ")));
                }
            }
            "guard.refused" => {
                out.push_str(&format!("{ts}  REFUSED ({})", s(r, "reason")));
                if let Some(t) = r["typed"].as_str() {
                    out.push_str(&format!(": typed {t:?}"));
                }
                out.push('\n');
                if !s(r, "message").is_empty() {
                    out.push_str(&format!("  {}\n", s(r, "message")));
                }
            }
            "shell.line" => {
                out.push_str(&format!(
                    "{ts}  {} {} $ {}{}\n",
                    host_tag(r),
                    s(r, "cwd"),
                    s(r, "line"),
                    destructive_mark(r)
                ));
            }
            "shell.cd" => out.push_str(&format!("{ts}  now in {}\n", s(r, "to"))),
            "shell.unsupported" => out.push_str(&format!(
                "{ts}  not started: `{}` needs a full terminal\n",
                s(r, "program")
            )),
            // In a shell session the line was shown with its prompt.
            "command.start" if r["cwd"].is_string() => {}
            "command.start" => {
                out.push_str(&format!(
                    "{ts}  {} $ {}{}\n",
                    host_tag(r),
                    s(r, "command"),
                    destructive_mark(r)
                ));
            }
            "command.end" => {
                indented(&mut out, "out", &r["stdout"]);
                indented(&mut out, "err", &r["stderr"]);
                let result = match (r["exit_code"].as_i64(), r["signal"].as_str()) {
                    (Some(code), _) => format!("exit {code}"),
                    (None, Some(sig)) => format!("killed by {sig}"),
                    _ => s(r, "status").to_string(),
                };
                out.push_str(&format!(
                    "{ts}  {} {result} after {} ms\n",
                    host_tag(r),
                    r["duration_ms"]
                ));
            }
            "session.end" => out.push_str(&format!(
                "{ts}  ended: {}, exit {}\n",
                s(r, "status"),
                r["exit_code"]
            )),
            "note" => out.push_str(&format!("{ts}  note: {}\n", s(r, "message"))),
            other => {
                let skip = [
                    "v", "seq", "ts", "session", "event", "user", "workstation", "pid", "prev",
                    "hash",
                ];
                let fields: Vec<String> = r
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .filter(|(k, _)| !skip.contains(&k.as_str()))
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push_str(&format!("{ts}  {other} {}\n", fields.join(" ")));
            }
        }
    }
    out
}
