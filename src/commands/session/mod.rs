//! What `exec`, `run`, `shell` and `lock break` share: the audit session
//! around the work, the guards before it (`guards.rs`), the host locks
//! held during it (`leases.rs`) and the observer that records every command
//! before it starts and reports it as it ends (`recorder.rs`). Nothing here
//! lets a command start before its record is on disk.

mod guards;
mod leases;
mod recorder;

pub use guards::{Guarded, guard, guard_with, other_sessions};
pub use leases::{Renewer, release};
use recorder::Recorder;
pub use recorder::outcome_fields;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde_json::{Map, json};

use crate::audit::{self, Session};
use crate::cli::{GlobalArgs, RunOptions};
use crate::error::{AppError, Exit};
use crate::execute;
use crate::execute::Step;
use crate::inventory::Inventory;
use crate::ui::Ui;

/// The default per-command timeout when neither the step, `--timeout` nor
/// `settings.command_timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

pub fn timeout(opts: &RunOptions, inv: &Inventory) -> Result<Duration, AppError> {
    match &opts.timeout {
        Some(t) => t
            .parse::<crate::duration::Duration>()
            .map(|d| d.0)
            .map_err(|e| AppError::invalid(format!("--timeout: {e}"))),
        None => Ok(inv
            .settings
            .command_timeout
            .map_or(DEFAULT_TIMEOUT, |d| d.0)),
    }
}

/// SIGINT and SIGTERM set the flag instead of killing opsguard, so running
/// commands are stopped cleanly and the interruption is recorded.
/// One flag per process: asking again returns the same one.
pub fn interrupt_flag() -> Result<Arc<AtomicBool>, AppError> {
    crate::interrupt::flag()
        .map_err(|e| AppError::new(Exit::Failed, format!("cannot handle signals: {e}")))
}

pub fn audit_error(e: audit::AuditError) -> AppError {
    AppError::new(Exit::Audit, format!("{e}; nothing was run"))
}

/// Open the audit session: `session.start` is on disk before anything else
/// happens. `change` is the ticket the work belongs to (`--change`, else
/// the playbook's).
pub fn start(
    g: &GlobalArgs,
    inv: &Inventory,
    opts: &RunOptions,
    playbook: Option<&std::path::Path>,
    change: Option<&str>,
) -> Result<Session, AppError> {
    let path = super::audit::log_path(g, Some(inv))?;
    let argv: Vec<String> = std::env::args().collect();
    let terminal = terminal();
    let inventory = g.inventory_path();
    let mut extra = Map::new();
    for (key, value) in [
        ("change", change),
        ("emergency", opts.guard.emergency.as_deref()),
        ("confirm_role", opts.guard.confirm_role.as_deref()),
    ] {
        if let Some(v) = value {
            extra.insert(key.into(), json!(v));
        }
    }
    let start = audit::Start {
        argv: &argv,
        terminal,
        inventory: Some(&inventory),
        playbook,
        extra,
    };
    Session::start(&path, start).map_err(audit_error)
}

/// The fields every audit record about one host starts with: its name and
/// role.
pub fn host_fields(host: &crate::inventory::Host) -> Map<String, serde_json::Value> {
    let mut f = Map::new();
    f.insert("host".into(), json!(host.name));
    f.insert("role".into(), json!(host.role));
    f
}

/// Whether a terminal is on stdin and on stderr: only then can a person be
/// asked.
pub fn terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stdin())
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// Who this session is, for the operator: the terminal title and the
/// registry entry, both undone when the returned values drop.
pub fn identify(
    inv: &Inventory,
    hosts: &[usize],
    session: &Session,
    command: &str,
) -> (
    crate::lock::sessions::Title,
    crate::lock::sessions::Registration,
) {
    let entry = crate::lock::sessions::Entry {
        pid: std::process::id(),
        user: crate::audit::record::Identity::current().user,
        session: session.id().to_string(),
        command: command.to_string(),
        targets: hosts
            .iter()
            .map(|&h| crate::lock::sessions::Target {
                name: inv.hosts[h].name.clone(),
                role: inv.hosts[h].role.clone(),
            })
            .collect(),
    };
    (
        crate::lock::sessions::Title::set(&crate::lock::sessions::title(inv, hosts)),
        crate::lock::sessions::register(&entry),
    )
}

/// End a refused session: `session.end` with status `refused`.
pub fn end_refused(session: Session, exit: Exit) -> Result<Exit, AppError> {
    session.end("refused", exit.code()).map_err(audit_error)?;
    Ok(exit)
}

/// Run `steps` on `batches` with every command recorded: under the locks
/// of `opts.lease` (renewed in the background, released after, Ctrl-C
/// included). The summary, and the first audit failure if there was one
/// (no command started after it).
pub fn run_recorded(
    audit: &mut Session,
    inv: &Inventory,
    ui: &Ui,
    batches: &[Vec<usize>],
    steps: &[Step],
    opts: &execute::Options,
    show_steps: bool,
) -> (execute::Summary, Option<String>) {
    let renewer = opts
        .lease
        .as_ref()
        .map(|l| Renewer::start(inv, l, opts.forks));
    let hosts = batches.iter().map(Vec::len).sum();
    let mut recorder = Recorder::new(inv, ui, audit, hosts, opts.stream, show_steps);
    let summary = execute::run(inv, batches, steps, opts, &mut recorder);
    let audit_failed = recorder.finish();
    drop(renewer);
    if let Some(lease) = &opts.lease {
        release(audit, inv, lease, opts.forks);
    }
    (summary, audit_failed)
}

/// End the session of a finished run: its exit code, recorded.
pub fn end_run(
    audit: Session,
    summary: &execute::Summary,
    audit_failed: Option<String>,
) -> Result<Exit, AppError> {
    let (exit, status) = super::report::outcome(summary, audit_failed.is_some());
    if let Some(e) = audit_failed {
        return Err(AppError::new(
            Exit::Audit,
            format!("{e}; no command was started after that"),
        ));
    }
    audit
        .end(status, exit.code())
        .map_err(|e| AppError::new(Exit::Audit, e.to_string()))?;
    Ok(exit)
}
