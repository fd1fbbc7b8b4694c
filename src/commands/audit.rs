//! `opsguard audit verify|show|replay|note|init|export`: reading the log
//! for change reviewers, a writing subcommand for operators' notes, and
//! setting up a team's database.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use time::OffsetDateTime;

use super::{Format, GlobalArgs};
use crate::audit::event::{Event, Record};
use crate::audit::lines::Lines;
use crate::audit::query::{Filter, Hosts, Matcher, parse_time};
use crate::audit::{self, replay, verify};
use crate::error::{AppError, Exit};
use crate::inventory::{Inventory, Selector};
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; print the record count and head SEQ:HASH
    Verify {
        /// A SEQ:HASH pinned earlier (from a previous verify): the log must
        /// still hold that record with that hash
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<String>,
        /// The log is a part of a chain (`audit export --since`) that
        /// continues after record SEQ, whose hash is HASH
        #[arg(long, value_name = "SEQ:HASH")]
        after: Option<String>,
        /// text: a line; json: `{records, head, ok, problems}`
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List records, filtered
    Show(ShowArgs),
    /// One session as a transcript (an unambiguous prefix of its id is enough)
    Replay {
        #[arg(add = super::complete::session())]
        session: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Add a note to the log (a session of its own), e.g. when a window opens
    Note {
        /// The note; `-` reads notes from stdin, one per line
        message: String,
        /// The change ticket the note belongs to
        #[arg(long, value_name = "ID")]
        change: Option<String>,
    },
    /// Create or upgrade the opsguard schema in a PostgreSQL database, and
    /// print the GRANTs for writer and reviewer roles
    Init {
        /// postgresql://... [default: the audit log, when it is a database]
        url: Option<String>,
    },
    /// One session as a report to attach to a change ticket: a
    /// self-contained HTML page (timeline, guards, output, chain check) or
    /// Markdown
    Report {
        /// The session id, or an unambiguous prefix of it
        #[arg(add = super::complete::session())]
        session: String,
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        /// Write here (a new file) instead of stdout
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Send the records written to the offline spool (while the audit
    /// database was away) to the database
    Push,
    /// Move a file log into the audit database: each record appended to
    /// the chain, keeping its own seq, time and hashes as `original`
    Import {
        /// The file log (it must verify)
        file: PathBuf,
    },
    /// Write the whole chain as a JSON Lines file that `audit verify`
    /// checks (from a database, or a copy of a file)
    Export {
        /// Write here (a new file) instead of stdout
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// From the first record at or after this time (RFC 3339, or a
        /// time ago: 30m, 2h, 3d, 1w) to the end; verify the part with
        /// the --after SEQ:HASH it prints
        #[arg(long, value_name = "T")]
        since: Option<String>,
    },
}

/// What `audit report` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Session id, or a prefix of it
    #[arg(long, add = super::complete::session())]
    pub session: Option<String>,
    /// Records about these hosts (a selector; @group needs the inventory)
    #[arg(long, value_name = "SELECTOR", add = super::complete::selector())]
    pub host: Option<String>,
    #[arg(long, add = super::complete::role())]
    pub role: Option<String>,
    #[arg(long)]
    pub user: Option<String>,
    /// Sessions that name this change ticket
    #[arg(long, value_name = "ID")]
    pub change: Option<String>,
    /// An event (`command.end`) or a family (`guard.*`)
    #[arg(long)]
    pub event: Option<String>,
    /// From this time: RFC 3339, or a time ago (30m, 2h, 3d, 1w)
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Up to this time: RFC 3339, or a time ago
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Destructive commands only
    #[arg(long)]
    pub destructive: bool,
    /// Refusals only
    #[arg(long)]
    pub refused: bool,
    /// text: one line per record; json: the records as they are, one per line
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The inventory when there is one: a reviewer may have only the log.
pub fn inventory_if_any(g: &GlobalArgs) -> Option<Inventory> {
    let path = g.inventory_path();
    let mut report = crate::diagnostic::Report::default();
    let mut sources = crate::diagnostic::Sources::default();
    crate::inventory::load(&path, &mut report, &mut sources)
        .ok()
        .filter(|_| !report.has_errors())
}

pub fn log_path(g: &GlobalArgs, inv: Option<&Inventory>) -> Result<audit::Log, AppError> {
    let setting = inv.and_then(|i| i.settings.audit_log.as_deref());
    let mut log = audit::locate(g.audit_log.as_deref(), setting).map_err(|e| {
        AppError::of(Exit::Audit, e)
            .hint("name the log with --audit-log PATH|URL or OPSGUARD_AUDIT_LOG")
    })?;
    if let (audit::Log::Database(db), Some(inv)) = (&mut log, inv) {
        db.spool_when_offline = inv.settings.audit_offline_spool;
    }
    Ok(log)
}

/// The log's lines (those `filter` selects from a database).
fn open(log: &audit::Log, filter: Option<&str>) -> Result<Box<dyn BufRead>, AppError> {
    log.read(filter).map_err(|e| match &e {
        audit::AuditError::Open { path, source } => AppError::new(
            Exit::Audit,
            format!("cannot read the audit log {}: {source}", path.display()),
        ),
        _ => AppError::of(Exit::Audit, e),
    })
}

pub fn run(g: &GlobalArgs, args: &AuditArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = inventory_if_any(g);
    let path = log_path(g, inv.as_ref())?;
    match &args.command {
        AuditCommand::Verify {
            anchor,
            after,
            format,
        } => run_verify(&path, anchor.as_deref(), after.as_deref(), *format, ui),
        AuditCommand::Show(show) => run_show(&path, show, inv, ui),
        AuditCommand::Init { url } => run_init(url.as_deref(), &path, ui),
        AuditCommand::Export { out, since } => run_export(&path, out.as_deref(), time(since)?, ui),
        AuditCommand::Push => run_push(&path, ui),
        AuditCommand::Report {
            session,
            format,
            out,
        } => run_report(&path, session, *format, out.as_deref(), inv.as_ref(), ui),
        AuditCommand::Import { file } => run_import(&path, file, ui),
        AuditCommand::Replay { session, format } => {
            let filter = audit::database::pushdown(&Filter {
                session: Some(session.clone()),
                ..Filter::default()
            });
            let input = open(&path, filter.as_deref())?;
            let (records, lines) = replay::collect(input, session).map_err(|e| match e {
                replay::ReplayError::Read(_) => AppError::of(Exit::Audit, e),
                _ => AppError::of(Exit::Invalid, e),
            })?;
            match format {
                // The transcript quotes hosts and the log: data.
                Format::Text => ui.out(&ui.data(Stream::Out, &replay::transcript(&records))),
                Format::Json => ui.out(
                    &records
                        .iter()
                        .map(|r| format!("{}\n", audit::record::canonical(&r.fields)))
                        .collect::<String>(),
                ),
            }
            Ok(damage(&lines, ui))
        }
        AuditCommand::Note { message, change } => {
            let argv: Vec<String> = std::env::args().collect();
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
            let start = audit::Start {
                argv: &argv,
                terminal,
                inventory: None,
                playbook: None,
                change: None,
                emergency: None,
                confirm_role: None,
                plan: None,
            };
            let audit_err = |e: audit::AuditError| AppError::of(Exit::Audit, e);
            let mirror = inv.as_ref().and_then(|i| i.settings.audit_syslog.as_ref());
            let mut session = audit::Session::start(&path, mirror, start).map_err(audit_err)?;
            let mut note = |message: &str| {
                let note = audit::event::Note {
                    message: message.to_string(),
                    change: change.clone(),
                };
                session.record(audit::Event::Note(note)).map_err(audit_err)
            };
            let mut last = None;
            if message == "-" {
                for line in std::io::stdin().lock().lines() {
                    let line = line.map_err(|e| {
                        AppError::new(Exit::Failed, format!("cannot read stdin: {e}"))
                    })?;
                    if !line.trim().is_empty() {
                        last = Some(note(line.trim_end())?);
                    }
                }
            } else {
                last = Some(note(message)?);
            }
            session.end("ok", 0).map_err(audit_err)?;
            if let Some(at) = last {
                ui.status(&format!("noted up to seq {} in {}", at.seq, path.name()));
            }
            Ok(Exit::Ok)
        }
    }
}

fn run_verify(
    path: &audit::Log,
    anchor: Option<&str>,
    after: Option<&str>,
    format: Format,
    ui: &Ui,
) -> Result<Exit, AppError> {
    let anchor = anchor.map(|text| pin("--anchor", text)).transpose()?;
    let after = after.map(|text| pin("--after", text)).transpose()?;
    let found = match path {
        // Verify what was whole when we started: a writer appending
        // meanwhile holds the lock for whole records only.
        audit::Log::File(file_path) => {
            let file = File::open(file_path).map_err(|e| {
                AppError::new(
                    Exit::Audit,
                    format!("cannot read the audit log {}: {e}", file_path.display()),
                )
            })?;
            file.lock_shared().map_err(|e| {
                AppError::new(
                    Exit::Audit,
                    format!("cannot lock {}: {e}", file_path.display()),
                )
            })?;
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = file.unlock();
            let input = BufReader::with_capacity(1 << 20, file.take(len));
            verify::verify_after(input, after, anchor)
        }
        // One COPY: one snapshot of the table, each row's columns beside
        // its line, checked against the record (the filters of `show`
        // trust the columns).
        audit::Log::Database(db) => {
            let (lines, mut columns) = db
                .checked_lines()
                .map_err(|e| AppError::of(Exit::Audit, e))?;
            let input = BufReader::with_capacity(1 << 20, lines);
            verify::verify_with(input, after, anchor, |line, fields| {
                columns.agree(line, fields)
            })
        }
    };
    let (summary, broken) = found;
    for w in &summary.warnings {
        ui.warn(&format!("{}: {w}", path.name()));
    }
    if format == Format::Json {
        // For CI and reviewers' tools: the same facts as data.
        let problems: Vec<serde_json::Value> = broken
            .iter()
            .map(|b| serde_json::json!({"line": b.line, "seq": b.seq, "what": b.what}))
            .collect();
        let head = summary
            .head
            .as_ref()
            .map(|(seq, hash)| format!("{seq}:{hash}"));
        ui.out(&format!(
            "{}\n",
            serde_json::json!({
                "records": summary.records,
                "head": head,
                "ok": broken.is_none(),
                "problems": problems,
                "warnings": summary.warnings,
            })
        ));
        return Ok(if broken.is_some() {
            Exit::Audit
        } else {
            Exit::Ok
        });
    }
    if let Some(b) = broken {
        let seq = b.seq.map(|s| format!(" (seq {s})")).unwrap_or_default();
        ui.error(&format!(
            "{}: line {}{seq}: {}",
            path.name(),
            b.line,
            b.what
        ));
        ui.out(&format!(
            "broken at line {} after {} good records\n",
            b.line, summary.records
        ));
        return Ok(Exit::Audit);
    }
    let head = summary
        .head
        .map(|(seq, hash)| format!("{seq}:{hash}"))
        .unwrap_or_else(|| "none (empty log)".into());
    ui.out(&format!("{} records, head {head}\n", summary.records));
    Ok(Exit::Ok)
}

fn run_show(
    path: &audit::Log,
    args: &ShowArgs,
    inv: Option<Inventory>,
    ui: &Ui,
) -> Result<Exit, AppError> {
    let hosts = match &args.host {
        None => None,
        Some(text) => {
            let sel: Selector = text
                .parse()
                .map_err(|e| AppError::invalid(format!("invalid --host `{text}`: {e}")))?;
            let group = |g: &str| {
                inv.as_ref().map(|inv| {
                    inv.hosts
                        .iter()
                        .filter(|h| h.groups.iter().any(|x| x == g))
                        .map(|h| h.name.clone())
                        .collect()
                })
            };
            Some(Hosts::new(&sel, group).map_err(|e| AppError::of(Exit::Invalid, e))?)
        }
    };
    let mut filter = Matcher::new(Filter {
        session: args.session.clone(),
        hosts,
        role: args.role.clone(),
        user: args.user.clone(),
        change: args.change.clone(),
        event: args.event.clone(),
        since: time(&args.since)?,
        until: time(&args.until)?,
        destructive: args.destructive,
        refused: args.refused,
    });
    let colors = inv.unwrap_or_else(Inventory::with_default_roles);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0u64;
    let mut lines = Lines::default();
    let sql = match path {
        audit::Log::Database(_) => audit::database::pushdown(filter.filter()),
        audit::Log::File(_) => None,
    };
    let mut reader = audit::lines::Reader::new(open(path, sql.as_deref())?);
    while let Some(line) = reader
        .next_line()
        .map_err(|e| AppError::new(Exit::Audit, format!("cannot read {}: {e}", path.name())))?
    {
        let Some(record) = lines.read(&line) else {
            continue;
        };
        if !filter.matches(&record) {
            continue;
        }
        shown += 1;
        let text = match args.format {
            Format::Json => format!(
                "{}\n",
                String::from_utf8_lossy(line.bytes.unwrap_or_default())
            ),
            Format::Text => row(&Record::read(record), &colors, ui),
        };
        if std::io::Write::write_all(&mut out, text.as_bytes()).is_err() {
            break;
        }
    }
    let _ = std::io::Write::flush(&mut out);
    ui.status(&format!("{shown} record(s)"));
    lines.finish();
    Ok(damage(&lines, ui))
}

/// Lines of the log that were not records: warnings for torn lines, and
/// exit 4 for damage, as `verify` gives.
/// `audit init`: the schema in the database `url` names (or the log's).
fn run_init(url: Option<&str>, log: &audit::Log, ui: &Ui) -> Result<Exit, AppError> {
    let db = match (url, log) {
        (Some(url), _) => {
            audit::database::Database::parse(url).map_err(|e| AppError::of(Exit::Invalid, e))?
        }
        (None, audit::Log::Database(db)) => (**db).clone(),
        (None, audit::Log::File(p)) => {
            return Err(AppError::invalid(format!(
                "the audit log is the file {}; name the database: opsguard audit init postgresql://HOST/DB",
                p.display()
            )));
        }
    };
    let (before, now) = db.init().map_err(|e| AppError::of(Exit::Audit, e))?;
    ui.status(&match before {
        None => format!("{}: created the opsguard schema (version {now})", db.name()),
        Some(v) if v == now => format!(
            "{}: the opsguard schema is current (version {now})",
            db.name()
        ),
        Some(v) => format!(
            "{}: upgraded the opsguard schema from version {v} to {now}",
            db.name()
        ),
    });
    ui.out(audit::database::grants());
    Ok(Exit::Ok)
}

/// The database a command that writes to one is about.
fn database<'a>(
    log: &'a audit::Log,
    what: &str,
) -> Result<&'a audit::database::Database, AppError> {
    match log {
        audit::Log::Database(db) => Ok(db),
        audit::Log::File(p) => Err(AppError::invalid(format!(
            "{what} writes to the team's audit database, but the audit log is the file {}",
            p.display()
        ))
        .hint("name the database with --audit-log postgresql://HOST/DB or settings.audit_log")),
    }
}

/// The records of the file log at `path`, read as they stream past,
/// after checking its chain (a broken one is exit 4, and nothing is
/// moved); and the SHA-256 of the file. Lines noted as torn are not
/// records (the chain check accounted for them); a line too long for any
/// record is never held.
#[allow(clippy::type_complexity)]
fn verified_records(
    path: &std::path::Path,
) -> Result<
    (
        impl Iterator<Item = Result<serde_json::Map<String, serde_json::Value>, String>>,
        String,
    ),
    AppError,
> {
    let open = || {
        File::open(path)
            .map(|f| BufReader::with_capacity(1 << 20, f))
            .map_err(|e| AppError::new(Exit::Audit, format!("cannot read {}: {e}", path.display())))
    };
    // One pass checks the chain and hashes the file.
    let mut hashed = audit::lines::Hashing::new(open()?);
    let (_, broken) = verify::verify(&mut hashed, None);
    if let Some(b) = broken {
        return Err(AppError::new(
            Exit::Audit,
            format!(
                "{}: line {}: {}; nothing was moved",
                path.display(),
                b.line,
                b.what
            ),
        )
        .hint(format!(
            "see `opsguard audit verify --audit-log {}`",
            path.display()
        )));
    }
    let sha = hashed.sha256();
    let mut reader = audit::lines::Reader::new(open()?);
    let shown = path.display().to_string();
    let records = std::iter::from_fn(move || {
        loop {
            match reader.next_line() {
                Ok(None) => return None,
                Err(e) => return Some(Err(format!("cannot read {shown}: {e}"))),
                Ok(Some(line)) => {
                    if let Some(Ok(record)) = line.bytes.map(serde_json::from_slice) {
                        return Some(Ok(record));
                    }
                }
            }
        }
    });
    Ok((records, sha))
}

/// `audit push`: the spool's records into the database, then the spool
/// kept aside as pushed.
fn run_push(log: &audit::Log, ui: &Ui) -> Result<Exit, AppError> {
    let db = database(log, "audit push")?;
    let Some(spool) = db
        .spool()
        .filter(|s| s.metadata().is_ok_and(|m| m.len() > 0))
    else {
        ui.status(&format!(
            "nothing to push to {}: the spool is empty",
            db.name()
        ));
        return Ok(Exit::Ok);
    };
    // No session appends to the spool while it is pushed.
    let held = File::open(&spool)
        .map_err(|e| AppError::new(Exit::Audit, format!("cannot open {}: {e}", spool.display())))?;
    held.lock()
        .map_err(|e| AppError::new(Exit::Audit, format!("cannot lock {}: {e}", spool.display())))?;
    let (records, _) = verified_records(&spool)?;
    let mut writer = audit::database::DbWriter::open(
        db,
        audit::record::Identity::current(),
        audit::record::new_session_id(OffsetDateTime::now_utc()),
    )
    .map_err(|e| AppError::of(Exit::Audit, e))?;
    let n = writer
        .append_originals(records, &format!("spool {}", spool.display()))
        .map_err(|e| AppError::of(Exit::Audit, e))?;
    let kept = spool.with_extension(format!(
        "pushed-{}.jsonl",
        audit::record::new_session_id(OffsetDateTime::now_utc())
    ));
    std::fs::rename(&spool, &kept).map_err(|e| {
        AppError::new(
            Exit::Audit,
            format!(
                "pushed {n} records, but cannot move the spool {} aside: {e}; remove it before the next push, or its records are sent twice",
                spool.display()
            ),
        )
    })?;
    ui.status(&format!(
        "pushed {n} records to {}; the spool is kept as {}",
        db.name(),
        kept.display()
    ));
    Ok(Exit::Ok)
}

/// `audit import FILE`: a file log into the database.
fn run_import(log: &audit::Log, file: &std::path::Path, ui: &Ui) -> Result<Exit, AppError> {
    let db = database(log, "audit import")?;
    let (records, sha) = verified_records(file)?;
    let mut writer = audit::database::DbWriter::open(
        db,
        audit::record::Identity::current(),
        audit::record::new_session_id(OffsetDateTime::now_utc()),
    )
    .map_err(|e| AppError::of(Exit::Audit, e))?;
    let from = format!("{} (sha256 {sha})", file.display());
    let n = writer
        .append_originals(records, &from)
        .map_err(|e| AppError::of(Exit::Audit, e))?;
    ui.status(&format!(
        "imported {n} records from {from} into {}",
        db.name()
    ));
    Ok(Exit::Ok)
}

/// `audit report`: one session, with the chain checked.
fn run_report(
    log: &audit::Log,
    session: &str,
    format: ReportFormat,
    out: Option<&std::path::Path>,
    inv: Option<&Inventory>,
    ui: &Ui,
) -> Result<Exit, AppError> {
    let filter = audit::database::pushdown(&Filter {
        session: Some(session.to_string()),
        ..Filter::default()
    });
    let (records, _) =
        replay::collect(open(log, filter.as_deref())?, session).map_err(|e| match e {
            replay::ReplayError::Read(_) => AppError::of(Exit::Audit, e),
            _ => AppError::of(Exit::Invalid, e),
        })?;
    // The whole chain, and each of the session's records on its own.
    let (summary, broken) = verify::verify(open(log, None)?, None);
    let sealed = records
        .iter()
        .filter(|r| {
            let mut fields = match &r.fields {
                serde_json::Value::Object(m) => m.clone(),
                _ => return false,
            };
            let Some(serde_json::Value::String(hash)) = fields.remove("hash") else {
                return false;
            };
            audit::record::sha256_hex(
                audit::record::canonical(&serde_json::Value::Object(fields)).as_bytes(),
            ) == hash
        })
        .count();
    let chain = audit::report::Chain {
        ok: broken.is_none(),
        records: summary.records,
        head: summary.head.clone(),
        problem: broken.map(|b| format!("line {}: {}", b.line, b.what)),
        sealed: (sealed, records.len()),
    };
    let colours: std::collections::BTreeMap<String, String> = inv
        .map(|inv| {
            inv.roles
                .iter()
                .map(|(name, def)| (name.clone(), hex(def.color).to_string()))
                .collect()
        })
        .unwrap_or_default();
    let text = match format {
        ReportFormat::Html => audit::report::html_page(&records, &chain, &colours),
        ReportFormat::Md => audit::report::markdown(&records, &chain),
    };
    match out {
        None => ui.out(&text),
        Some(file) => {
            let mut f = new_file(file, "audit report -o")?;
            std::io::Write::write_all(&mut f, text.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| {
                    AppError::new(Exit::Failed, format!("writing {}: {e}", file.display()))
                })?;
            ui.status(&format!(
                "wrote the report of session {} to {}",
                records[0].header.session,
                file.display()
            ));
        }
    }
    Ok(if chain.ok { Exit::Ok } else { Exit::Audit })
}

/// A new file at `path` for `what` writes (never over an existing one).
/// `--since`/`--until` as a record timestamp (RFC 3339, or a time ago).
fn time(text: &Option<String>) -> Result<Option<String>, AppError> {
    text.as_deref()
        .map(|t| parse_time(t, OffsetDateTime::now_utc()))
        .transpose()
        .map_err(|e| AppError::of(Exit::Invalid, e))
}

/// A record named as SEQ:HASH (`--anchor`, `--after`).
fn pin<'a>(flag: &str, text: &'a str) -> Result<(u64, &'a str), AppError> {
    text.split_once(':')
        .and_then(|(seq, hash)| Some((seq.parse::<u64>().ok()?, hash)))
        .filter(|(_, hash)| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            AppError::invalid(format!(
                "{flag} `{text}` is not SEQ:HASH (a number, a colon, 64 hex digits)"
            ))
        })
}

fn new_file(path: &std::path::Path, what: &str) -> Result<File, AppError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            AppError::new(
                Exit::Failed,
                format!(
                    "cannot create {}: {e} ({what} writes a new file)",
                    path.display()
                ),
            )
        })
}

/// A role's colour on a page.
fn hex(color: crate::inventory::Color) -> &'static str {
    use crate::inventory::Color;
    match color {
        Color::Red => "#c62828",
        Color::Green => "#2e7d32",
        Color::Yellow => "#f9a825",
        Color::Blue => "#1565c0",
        Color::Magenta => "#ad1457",
        Color::Cyan => "#00838f",
        Color::White => "#616161",
    }
}

/// `audit export`: the chain as a file.
fn run_export(
    log: &audit::Log,
    out: Option<&std::path::Path>,
    since: Option<String>,
    ui: &Ui,
) -> Result<Exit, AppError> {
    let failed =
        |e: std::io::Error| AppError::new(Exit::Audit, format!("exporting {}: {e}", log.name()));
    // The database skips to the record before the first since then, by
    // its index; the rest is read as from a file.
    let filter = match (&since, log) {
        (Some(t), audit::Log::Database(_)) => Some(format!(
            "seq >= (SELECT coalesce(min(seq), 9223372036854775807) FROM opsguard.audit WHERE ts >= {}::timestamptz) - 1",
            audit::database::literal(t)
        )),
        _ => None,
    };
    let mut input = crate::audit::lines::Reader::new(open(log, filter.as_deref())?);
    let mut output: Box<dyn std::io::Write> = match out {
        None => Box::new(std::io::stdout().lock()),
        Some(file) => Box::new(new_file(file, "audit export -o")?),
    };
    let broken = |what: String| {
        AppError::new(
            Exit::Audit,
            format!(
                "{}: {what}; nothing more is exported (`opsguard audit verify` says where the chain breaks)",
                log.name()
            ),
        )
    };
    // The part starts at a whole record, never at a torn line or the
    // record that notes one. The records before it are checked, so the
    // `--after` it prints is the hash of the record before the part, not
    // what the part says of it: a file's from its first record, and the
    // database's one row before the part by its own hash.
    let mut after = None;
    let mut written = 0;
    if let Some(since) = &since {
        let from_the_start = matches!(log, audit::Log::File(_));
        let mut before: Option<(u64, String)> = None;
        let mut reached = false;
        while let Some(line) = input.next_line().map_err(failed)? {
            let mut fields = verify::Members::default();
            // A torn line is in no hash: the chain goes on past it.
            let Some(bytes) = line.bytes.filter(|b| fields.read(b).is_ok()) else {
                continue;
            };
            let seq = fields.seq();
            reached |= fields.text("ts").is_some_and(|ts| *ts >= **since);
            if reached && fields.text("event").as_deref() != Some("audit.torn") {
                let (seq, prev) = (
                    seq.unwrap_or_default(),
                    fields.text("prev").unwrap_or_default(),
                );
                let follows = match &before {
                    Some((last, hash)) => seq == last + 1 && prev == *hash,
                    None => seq == 1 && prev == crate::audit::record::GENESIS,
                };
                if !follows {
                    return Err(broken(format!(
                        "record {seq} does not follow the record before it"
                    )));
                }
                output
                    .write_all(bytes)
                    .and_then(|()| output.write_all(b"\n"))
                    .map_err(failed)?;
                written = bytes.len() as u64 + 1;
                after = before;
                break;
            }
            let (last, prev) = match &before {
                Some((last, hash)) => (*last, hash.clone()),
                None if from_the_start => (0, crate::audit::record::GENESIS.to_string()),
                // The database's row before the part: its own hash.
                None => (
                    seq.unwrap_or_default().saturating_sub(1),
                    fields.text("prev").unwrap_or_default().into_owned(),
                ),
            };
            before = Some(verify::next_record(bytes, &prev, last).ok_or_else(|| {
                broken(format!(
                    "line {} (before the part) is not the record after record {last}",
                    line.number
                ))
            })?);
        }
        if written == 0 {
            ui.status(&format!("no record in {} since {since}", log.name()));
        }
    }
    if since.is_none() || written > 0 {
        written += std::io::copy(&mut input.into_inner(), &mut output).map_err(failed)?;
    }
    output.flush().map_err(failed)?;
    drop(output);
    if let Some(file) = out {
        File::open(file)
            .and_then(|f| f.sync_all())
            .map_err(failed)?;
    }
    ui.status(&format!("exported {written} bytes from {}", log.name()));
    if let Some((seq, prev)) = after {
        ui.status(&format!(
            "the part continues the chain after record {seq}: check it with `opsguard audit verify --after {seq}:{prev}`"
        ));
    }
    Ok(Exit::Ok)
}

fn damage(lines: &Lines, ui: &Ui) -> Exit {
    let (warnings, error) = lines.report();
    for w in warnings {
        ui.warn(&w);
    }
    match error {
        Some(e) => {
            ui.error(&e);
            Exit::Audit
        }
        None => Exit::Ok,
    }
}

/// `time  user  host [ROLE]  event  command  result`
fn row(r: &Record, inv: &Inventory, ui: &Ui) -> String {
    // Every field is data from the log (which may quote a host): shown
    // escaped on a terminal.
    let data = |text: &str| ui.data(Stream::Out, text).into_owned();
    let h = &r.header;
    // As recorded: RFC 3339 in UTC, its `Z` kept.
    let ts = data(&h.ts);
    let host = match crate::audit::query::hosts_of(&r.fields).as_slice() {
        [(name, "")] => data(name),
        [(name, role)] => format!(
            "{} {}",
            data(name),
            ui.role_tag(Stream::Out, inv, &data(role))
        ),
        _ => "-".to_string(),
    };
    let (what, result) = match &r.event {
        Some(Event::CommandStart(e)) => (data(&e.command), String::new()),
        Some(Event::CommandEnd(e)) => {
            let result = match e.ran.as_ref().and_then(|ran| ran.exit_code) {
                Some(code) if e.status.is_empty() => format!("exit {code}"),
                Some(code) => format!("{} (exit {code})", data(&e.status)),
                None => data(&e.status),
            };
            (data(&e.start.command), result)
        }
        Some(Event::SessionStart(e)) => (
            e.argv.iter().map(|w| data(w)).collect::<Vec<_>>().join(" "),
            String::new(),
        ),
        Some(Event::SessionEnd(e)) => (
            String::new(),
            format!("{} (exit {})", data(&e.status), e.exit_code),
        ),
        Some(Event::GuardRefused(e)) => (
            format!(
                "{}: typed {:?}",
                data(&e.reason),
                data(e.typed.as_deref().unwrap_or(""))
            ),
            String::new(),
        ),
        Some(Event::Note(e)) => (data(&e.message), String::new()),
        Some(Event::GuardCheck(e)) => (
            String::new(),
            e.ran
                .as_ref()
                .and_then(|ran| ran.exit_code)
                .map_or(String::new(), |code| format!("exit {code}")),
        ),
        Some(Event::HostUnreachable(e)) => (String::new(), data(e.status.as_deref().unwrap_or(""))),
        _ => (String::new(), String::new()),
    };
    let line = format!(
        "{ts}  {}  {}  {host}  {}  {what}  {result}",
        data(&h.session),
        data(&h.user),
        data(&h.event)
    );
    format!("{}\n", line.trim_end())
}
