//! The audit log: every session that touches a host, recorded so a
//! reviewer can tell, days later and without trusting the operator, who
//! ran what where, what they were asked, what they typed, what came back,
//! and whether anything in the record was changed or removed.
//!
//! JSON Lines, one record per line, each linked to the one before by a
//! SHA-256 hash ([`record`] says exactly how, so other programs can
//! check it). [`event`] holds every record's type: nothing writes a record
//! any other way. A session's records go to a [`Sink`]; [`writer`] is the
//! file sink and the only code that appends to the file; [`verify`] checks
//! the chain; [`query`] filters records for `audit show`; [`replay`] turns
//! one session into a transcript. Nothing here runs commands.

pub mod database;
pub mod event;
pub mod lines;
pub mod query;
pub mod record;
pub mod replay;
pub mod report;
pub mod syslog;
pub mod verify;
pub mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use writer::{AuditError, Writer};

/// Where the log is: a file, or the team's PostgreSQL database.
#[derive(Clone, Debug)]
pub enum Log {
    File(PathBuf),
    Database(Box<database::Database>),
}

impl Log {
    /// The file's path or the database's URL (without a password), for
    /// messages.
    pub fn name(&self) -> String {
        match self {
            Log::File(p) => p.display().to_string(),
            Log::Database(db) => db.name().to_string(),
        }
    }

    /// Where a new session's records go.
    pub fn sink(
        &self,
        identity: record::Identity,
        session: String,
    ) -> Result<Box<dyn Sink>, AuditError> {
        Ok(match self {
            Log::File(p) => Box::new(Writer::open(p, identity, session)?),
            Log::Database(db) => {
                match database::DbWriter::open(db, identity.clone(), session.clone()) {
                    Ok(writer) => Box::new(writer),
                    Err(AuditError::Unreachable { server, message }) if db.spool_when_offline => {
                        let spool = db.spool().ok_or(AuditError::Unreachable {
                        server: server.clone(),
                        message: format!("{message}; and there is no state folder for the spool (HOME is not set)"),
                    })?;
                        crate::ui::warn_once(&format!(
                            "cannot reach the audit database {server} ({message}): recording in the spool {} (settings.audit_offline: spool); only work known to be safe runs",
                            spool.display()
                        ));
                        Box::new(database::Spool {
                            writer: Writer::open(&spool, identity, session)?,
                            server,
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
        })
    }

    /// The log's lines as the file holds them: the file, or the
    /// database's rows (those `filter`, a WHERE clause on the columns,
    /// selects; the whole log for a file).
    pub fn read(&self, filter: Option<&str>) -> Result<Box<dyn std::io::BufRead>, AuditError> {
        Ok(match self {
            Log::File(p) => Box::new(std::io::BufReader::with_capacity(
                1 << 20,
                std::fs::File::open(p).map_err(|source| AuditError::Open {
                    path: p.clone(),
                    source,
                })?,
            )),
            Log::Database(db) => Box::new(std::io::BufReader::with_capacity(
                1 << 20,
                db.lines(filter)?,
            )),
        })
    }
}

/// Where the log is: `--audit-log`/`OPSGUARD_AUDIT_LOG`, else the
/// inventory's `settings.audit_log`, else `$XDG_STATE_HOME/opsguard/
/// audit.jsonl`, else `~/.local/state/opsguard/audit.jsonl`. A
/// `postgresql://` (or `postgres://`) URL names a database.
pub fn locate(flag: Option<&Path>, setting: Option<&str>) -> Result<Log, LogPathError> {
    let url = |text: &str| database::Database::parse(text).map(|db| Log::Database(Box::new(db)));
    if let Some(p) = flag {
        return match p.to_str() {
            Some(text) if database::is_url(text) => Ok(url(text)?),
            _ => Ok(Log::File(p.to_path_buf())),
        };
    }
    if let Some(s) = setting {
        if database::is_url(s) {
            return Ok(url(s)?);
        }
        return crate::account::expand_home(s)
            .map(Log::File)
            .map_err(LogPathError::Setting);
    }
    crate::state::base()
        .map(|b| Log::File(b.join("audit.jsonl")))
        .ok_or(LogPathError::NoHome)
}

/// Why there is no audit log to name.
#[derive(Debug, thiserror::Error)]
pub enum LogPathError {
    #[error("settings.audit_log: {0}")]
    Setting(#[source] crate::account::NoHome),
    #[error("no audit log: pass --audit-log PATH (HOME is not set)")]
    NoHome,
    #[error(transparent)]
    Url(#[from] database::UrlError),
}

pub use event::Event;

/// An audit write failed before any work ran: the error (exit 4) says so.
pub fn nothing_ran(e: AuditError) -> crate::error::AppError {
    crate::error::AppError::new(crate::error::Exit::Audit, format!("{e}; nothing was run"))
        .because(e)
}

/// An audit write failed after work had run (a shell line, a lock
/// removed): nothing more runs, but what ran did run.
pub fn nothing_more_ran(e: AuditError) -> crate::error::AppError {
    crate::error::AppError::new(
        crate::error::Exit::Audit,
        format!("{e}; nothing more was run"),
    )
    .because(e)
}

/// Where a session's records go: the file today ([`Writer`]); another
/// destination (a database, syslog) is one more implementation. A sink
/// seals and chains each record and has it durable before it returns: the
/// caller starts nothing until then, and nothing after an error.
pub trait Sink: Send {
    /// The session id the sink writes its records under.
    fn session(&self) -> &str;
    /// Append one record, durably.
    fn append(&mut self, event: &Event) -> Result<writer::Appended, AuditError>;
}

impl Sink for Writer {
    fn session(&self) -> &str {
        Writer::session(self)
    }

    fn append(&mut self, event: &Event) -> Result<writer::Appended, AuditError> {
        Writer::append(self, event)
    }
}

/// A sink whose records also go to the syslog mirror, once written.
struct Mirrored {
    inner: Box<dyn Sink>,
    mirror: syslog::Mirror,
}

impl Sink for Mirrored {
    fn session(&self) -> &str {
        self.inner.session()
    }

    fn append(&mut self, event: &Event) -> Result<writer::Appended, AuditError> {
        let appended = self.inner.append(event)?;
        for line in &appended.lines {
            self.mirror.send(line);
        }
        Ok(appended)
    }
}

/// What `session.start` records about how opsguard was started. The
/// environment is never copied: it is where secrets live.
pub struct Start<'a> {
    pub argv: &'a [String],
    pub terminal: bool,
    pub inventory: Option<&'a Path>,
    pub playbook: Option<&'a Path>,
    /// The change ticket, emergency reason and typed role, when given.
    pub change: Option<&'a str>,
    pub emergency: Option<&'a str>,
    pub confirm_role: Option<&'a str>,
    /// The approved plan a `run --plan` runs.
    pub plan: Option<event::PlanRun>,
}

/// A file's path and the SHA-256 of its bytes (of each file, in order, for
/// a folder inventory), so a reviewer can tell which version ran.
fn file_facts(path: &Path) -> event::Files {
    let files = crate::inventory::files_of(path).unwrap_or_default();
    event::Files {
        path: path.display().to_string(),
        files: files
            .iter()
            .map(|f| event::FileHash {
                path: f.display().to_string(),
                sha256: std::fs::read(f)
                    .map(|b| record::sha256_hex(&b))
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// One opsguard session in the log, from `session.start` to `session.end`.
pub struct Session {
    sink: Box<dyn Sink>,
}

impl Session {
    /// Open `log` and record `session.start`; every record also goes to
    /// `mirror` once it is in the log.
    pub fn start(
        log: &Log,
        mirror: Option<&syslog::Target>,
        start: Start,
    ) -> Result<Session, AuditError> {
        let now = time::OffsetDateTime::now_utc();
        let mut sink = log.sink(record::Identity::current(), record::new_session_id(now))?;
        if let Some(target) = mirror {
            sink = Box::new(Mirrored {
                inner: sink,
                mirror: syslog::Mirror::new(target.clone()),
            });
        }
        Session::start_in(sink, start)
    }

    /// Record `session.start` in `sink`.
    pub fn start_in(mut sink: Box<dyn Sink>, start: Start) -> Result<Session, AuditError> {
        let owned = |s: Option<&str>| s.map(str::to_string);
        sink.append(&Event::SessionStart(event::SessionStart {
            argv: start.argv.to_vec(),
            cwd: std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: Some(env!("OPSGUARD_COMMIT").to_string()),
            terminal: start.terminal,
            inventory: start.inventory.map(file_facts),
            playbook: start.playbook.map(file_facts),
            change: owned(start.change),
            emergency: owned(start.emergency),
            confirm_role: owned(start.confirm_role),
            plan: start.plan,
        }))?;
        Ok(Session { sink })
    }

    pub fn id(&self) -> &str {
        self.sink.session()
    }

    pub fn record(&mut self, event: Event) -> Result<writer::Appended, AuditError> {
        self.sink.append(&event)
    }

    pub fn end(mut self, status: &str, exit_code: u8) -> Result<writer::Appended, AuditError> {
        self.sink.append(&Event::SessionEnd(event::SessionEnd {
            status: status.to_string(),
            exit_code,
        }))
    }
}
