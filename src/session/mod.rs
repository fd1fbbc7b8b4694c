//! The guarded session: what `exec`, `run`, `shell` and `lock break`
//! share. The audit session around the work (`session.start` on disk
//! before anything else, `session.end` after), the guards before it
//! ([`crate::guard::online`]), the host locks held during it
//! ([`crate::lock::lease`]) and the observer that records every command
//! before it starts and reports it as it ends ([`recorder`]). Nothing here
//! lets a command start before its record is on disk.
//!
//! Commands hand it [`RunSettings`], resolved from their flags and the
//! inventory: nothing of the command line reaches below `commands/`.

mod recorder;

use recorder::Recorder;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::audit::{self, Event, Session};
use crate::error::{AppError, Exit};
use crate::execute::{self, Step};
use crate::guard;
use crate::guard::online::Guarded;
use crate::inventory::Inventory;
use crate::lock::lease::{self, Renewer};
use crate::plan::{Plan, Source};
use crate::presence;
use crate::ui::Ui;

/// The default per-command timeout when neither the step, `--timeout` nor
/// `settings.command_timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// How a guarded session runs, decided once from the flags and the
/// inventory.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Where the audit log is.
    pub audit_log: audit::Log,
    /// Where every record is mirrored, if anywhere.
    pub audit_syslog: Option<audit::syslog::Target>,
    /// The approved plan file this run runs (`run --plan`).
    pub plan: Option<audit::event::PlanRun>,
    /// The inventory file or folder, for `session.start`'s hashes.
    pub inventory: PathBuf,
    /// How many hosts at once.
    pub forks: usize,
    /// The per-command timeout of commands that do not set their own.
    pub timeout: Duration,
    /// What stands in for a person at the guards.
    pub flags: guard::Flags,
}

/// Open the audit session: `session.start` is on disk before anything else
/// happens. `playbook` is the file a run reads.
pub fn start(settings: &RunSettings, playbook: Option<&Path>) -> Result<Session, AppError> {
    let argv: Vec<String> = std::env::args().collect();
    let flags = &settings.flags;
    let start = audit::Start {
        argv: &argv,
        terminal: guard::prompt::terminal(),
        inventory: Some(&settings.inventory),
        playbook,
        change: flags.change.as_deref(),
        emergency: flags.emergency.as_deref(),
        confirm_role: flags.confirm_role.as_deref(),
        plan: settings.plan.clone(),
    };
    Session::start(&settings.audit_log, settings.audit_syslog.as_ref(), start)
        .map_err(audit::nothing_ran)
}

/// Who this session is, for the operator: the terminal title and the
/// registry entry, both undone when the returned values drop.
pub fn identify(
    inv: &Inventory,
    hosts: &[usize],
    session: &Session,
    command: &str,
) -> (presence::Title, presence::Registration) {
    let entry = presence::Entry {
        pid: std::process::id(),
        user: audit::record::Identity::current().user,
        session: session.id().to_string(),
        command: command.to_string(),
        targets: hosts
            .iter()
            .map(|&h| presence::Target {
                name: inv.hosts[h].name.clone(),
                role: inv.hosts[h].role.clone(),
            })
            .collect(),
    };
    (
        presence::Title::set(&presence::title(inv, hosts)),
        presence::register(&entry),
    )
}

/// The guards before `actions`, with the replication checks and host
/// locks when `locks` (see [`guard::online::check`]).
pub fn guard(
    session: &mut Session,
    inv: &Inventory,
    actions: &[guard::Action],
    settings: &RunSettings,
    locks: bool,
    ui: &Ui,
) -> Result<Guarded, AppError> {
    let online = guard::online::Online {
        flags: &settings.flags,
        forks: settings.forks,
        timeout: settings.timeout,
        locks,
    };
    guard::online::check(session, inv, actions, &online, ui)
}

/// The guarded pipeline of `exec` and `run`: `session.start`, the `plan`
/// record, the guards, the steps on their batches with every command
/// recorded, `report` (the command's output, given the summary and the
/// steps as run), `session.end`. `stream` prints one host's output as it
/// comes.
pub fn execute(
    inv: &Inventory,
    plan: &Plan,
    settings: &RunSettings,
    stream: bool,
    ui: &Ui,
    report: impl FnOnce(&execute::Summary, &[Step]),
) -> Result<Exit, AppError> {
    let playbook = match &plan.source {
        Source::Playbook { file, .. } => Some(Path::new(file)),
        Source::Command => None,
    };
    let steps: Vec<Step> = plan
        .steps
        .iter()
        .map(|s| Step {
            number: s.number,
            name: s.name.clone(),
            command: s.command.clone(),
            timeout: s.timeout.map_or(settings.timeout, |t| t.0),
            budget: s.budget,
            destructive: s.destructive,
            verdict: s.classification.verdict,
            hosts: playbook.is_some().then(|| s.hosts.clone()),
            become_user: s.become_user.clone(),
        })
        .collect();
    let cancel = crate::interrupt::flag()?;
    let mut audit = start(settings, playbook)?;
    audit
        .record(Event::Plan(plan.record(inv)))
        .map_err(audit::nothing_ran)?;
    let _identity = identify(inv, &plan.hosts, &audit, &plan.title());
    let lease = match guard(&mut audit, inv, &plan.actions(inv), settings, true, ui)? {
        Guarded::Go(lease) => lease,
        Guarded::Refused(exit) => return end_refused(audit, exit),
    };
    let opts = execute::Options {
        forks: settings.forks,
        lease,
        max_failures: plan.max_failures.map_or(usize::MAX, |m| m as usize),
        cancel,
        grace: Duration::from_secs(5),
        stream,
        keep: execute::keep_for(plan.batches.iter().map(Vec::len).sum(), steps.len()),
    };
    let (summary, audit_failed) = run_recorded(
        &mut audit,
        inv,
        ui,
        &plan.batches,
        &steps,
        &opts,
        playbook.is_some(),
    );
    report(&summary, &steps);
    end_run(audit, &summary, audit_failed)
}

/// End a refused session: `session.end` with status `refused`.
pub fn end_refused(session: Session, exit: Exit) -> Result<Exit, AppError> {
    session
        .end("refused", exit.code())
        .map_err(audit::nothing_ran)?;
    Ok(exit)
}

/// Run `steps` on `batches` with every command recorded: under the locks
/// of `opts.lease` (renewed in the background, released after, Ctrl-C
/// included). The summary, and the first audit failure if there was one
/// (no command started after it).
fn run_recorded(
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
        lease::release(audit, inv, lease, opts.forks);
    }
    (summary, audit_failed)
}

/// End the session of a finished run: its exit code, recorded.
fn end_run(
    audit: Session,
    summary: &execute::Summary,
    audit_failed: Option<String>,
) -> Result<Exit, AppError> {
    let (exit, status) = outcome(summary, audit_failed.is_some());
    if let Some(e) = audit_failed {
        return Err(AppError::new(
            Exit::Audit,
            format!("{e}; no command was started after that"),
        ));
    }
    audit
        .end(status, exit.code())
        .map_err(|e| AppError::of(Exit::Audit, e))?;
    Ok(exit)
}

/// The exit code and `session.end` status of a finished run.
fn outcome(summary: &execute::Summary, audit_failed: bool) -> (Exit, &'static str) {
    if audit_failed || summary.aborted {
        (Exit::Audit, "audit-failed")
    } else if summary.interrupted {
        (Exit::Interrupted, "interrupted")
    } else if summary.stopped.is_some()
        || summary
            .hosts
            .iter()
            .any(|h| h.status != execute::Status::Ok)
    {
        (Exit::Failed, "failed")
    } else {
        (Exit::Ok, "ok")
    }
}
