//! The audit log: every session that touches a host, recorded so a
//! reviewer can tell, days later and without trusting the operator, who
//! ran what where, what they were asked, what they typed, what came back,
//! and whether anything in the record was changed or removed.
//!
//! JSON Lines, one record per line, each linked to the one before by a
//! SHA-256 hash ([`record`] says exactly how, so other programs can
//! check it). [`writer`] is the only code that appends; [`verify`] checks
//! the chain; [`query`] filters records for `audit show`; [`replay`] turns
//! one session into a transcript. Nothing here runs commands.

pub mod lines;
pub mod query;
pub mod record;
pub mod replay;
pub mod verify;
pub mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

pub use writer::{AuditError, Writer};

/// Where the log is: `--audit-log`/`OPSGUARD_AUDIT_LOG`, else the
/// inventory's `settings.audit_log`, else `$XDG_STATE_HOME/opsguard/
/// audit.jsonl`, else `~/.local/state/opsguard/audit.jsonl`.
pub fn log_path(flag: Option<&Path>, setting: Option<&str>) -> Result<PathBuf, String> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    if let Some(s) = setting {
        return match (s.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => Ok(home.join(rest)),
            (Some(_), None) => Err(format!(
                "settings.audit_log `{s}` starts with ~ but HOME is not set"
            )),
            (None, _) => Ok(PathBuf::from(s)),
        };
    }
    if let Some(state) = std::env::var_os("XDG_STATE_HOME").filter(|s| !s.is_empty()) {
        return Ok(PathBuf::from(state).join("opsguard/audit.jsonl"));
    }
    home.map(|h| h.join(".local/state/opsguard/audit.jsonl"))
        .ok_or_else(|| "no audit log: pass --audit-log PATH (HOME is not set)".into())
}

/// What `session.start` records about how opsguard was started. The
/// environment is never copied: it is where secrets live.
pub struct Start<'a> {
    pub argv: &'a [String],
    pub terminal: bool,
    pub inventory: Option<&'a Path>,
    pub playbook: Option<&'a Path>,
    /// Options worth keeping: change ticket, emergency reason, typed role.
    pub extra: Map<String, Value>,
}

/// A file's path and the SHA-256 of its bytes (of each file, in order, for
/// a folder inventory), so a reviewer can tell which version ran.
fn file_facts(path: &Path) -> Value {
    let files = crate::inventory::files_of(path).unwrap_or_default();
    let hashes: Vec<Value> = files
        .iter()
        .map(|f| {
            let sha = std::fs::read(f)
                .map(|b| record::sha256_hex(&b))
                .unwrap_or_default();
            json!({"path": f.display().to_string(), "sha256": sha})
        })
        .collect();
    json!({"path": path.display().to_string(), "files": hashes})
}

/// The fields every audit record about one host starts with: its name and
/// role.
pub fn host_fields(host: &crate::inventory::Host) -> Map<String, Value> {
    let mut f = Map::new();
    f.insert("host".into(), json!(host.name));
    f.insert("role".into(), json!(host.role));
    f
}

/// A command's output as a record keeps it: the text (cut at
/// [`record::OUTPUT_LIMIT`]), whether it was cut, its size and its hash.
pub fn stream_json(s: &crate::transport::Stream) -> Value {
    let cut = record::output(&s.bytes[..s.bytes.len().min(record::OUTPUT_LIMIT)]);
    json!({
        "text": cut["text"],
        "truncated": s.total as usize > record::OUTPUT_LIMIT,
        "bytes": s.total,
        "sha256": s.sha256,
    })
}

/// One opsguard session in the log, from `session.start` to `session.end`.
pub struct Session {
    writer: Writer,
}

impl Session {
    pub fn start(path: &Path, start: Start) -> Result<Session, AuditError> {
        let now = time::OffsetDateTime::now_utc();
        let mut writer = Writer::open(
            path,
            record::Identity::current(),
            record::new_session_id(now),
        )?;
        let mut fields = start.extra;
        fields.insert("argv".into(), json!(start.argv));
        fields.insert(
            "cwd".into(),
            json!(
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            ),
        );
        fields.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
        fields.insert("terminal".into(), json!(start.terminal));
        if let Some(p) = start.inventory {
            fields.insert("inventory".into(), file_facts(p));
        }
        if let Some(p) = start.playbook {
            fields.insert("playbook".into(), file_facts(p));
        }
        writer.append("session.start", fields)?;
        Ok(Session { writer })
    }

    pub fn id(&self) -> &str {
        self.writer.session()
    }

    pub fn record(
        &mut self,
        event: &str,
        fields: Map<String, Value>,
    ) -> Result<writer::Appended, AuditError> {
        self.writer.append(event, fields)
    }

    pub fn end(mut self, status: &str, exit_code: u8) -> Result<writer::Appended, AuditError> {
        let mut fields = Map::new();
        fields.insert("status".into(), json!(status));
        fields.insert("exit_code".into(), json!(exit_code));
        self.writer.append("session.end", fields)
    }
}
