//! What `exec` and `run` share: the audit session around the work, the
//! guards before it, and the observer
//! that records every command before it starts and reports it as it ends.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::audit::{self, Session, record};
use crate::cli::{GlobalArgs, RunOptions};
use crate::error::{AppError, Exit};
use crate::execute;
use crate::execute::{HostResult, Observer, Status, Step, StepResult};
use crate::guard;
use crate::inventory::Inventory;
use crate::lock;
use crate::transport::{Stream, Which};
use crate::ui::{Progress, Stream as Out, Ui};

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
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    if let Some(flag) = FLAG.get() {
        return Ok(flag.clone());
    }
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, flag.clone())
            .map_err(|e| AppError::new(Exit::Failed, format!("cannot handle signals: {e}")))?;
    }
    Ok(FLAG.get_or_init(|| flag).clone())
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

/// Whether a terminal is on stdin and on stderr: only then can a person be
/// asked.
pub fn terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stdin())
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// What the guards said: go (with the host locks taken, for destructive
/// work), or refused (recorded; end the session with this exit code).
pub enum Guarded {
    Go(Option<execute::Lease>),
    Refused(Exit),
}

/// The guards, in the design's order. The offline ones first (one role,
/// change ticket, freezes and windows, `--confirm-role` without a
/// terminal); then, on the targets, the mirrors' replication checks and
/// the host locks; last the typed-back role at the terminal. Any refusal
/// releases the locks already taken and is recorded with its reason code.
pub fn guard(
    session: &mut Session,
    inv: &Inventory,
    actions: &[guard::Action],
    opts: &RunOptions,
    change: Option<&str>,
    ui: &Ui,
) -> Result<Guarded, AppError> {
    guard_with(session, inv, actions, opts, change, true, ui)
}

/// [`guard`], with or without the replication checks and host locks
/// (`lock break` confirms like destructive work, but must not lock the
/// host whose lock it removes).
pub fn guard_with(
    session: &mut Session,
    inv: &Inventory,
    actions: &[guard::Action],
    opts: &RunOptions,
    change: Option<&str>,
    locks: bool,
    ui: &Ui,
) -> Result<Guarded, AppError> {
    let ctx = guard::Context {
        terminal: terminal(),
        confirm_role: opts.guard.confirm_role.as_deref(),
        change,
        emergency: opts.guard.emergency.as_deref(),
        now: time::OffsetDateTime::now_utc(),
    };
    let (question, interactive) = match guard::decide(inv, actions, &ctx) {
        guard::Decision::Run => return Ok(Guarded::Go(None)),
        guard::Decision::Refuse(r) => return refuse(session, r, ui),
        guard::Decision::Ask(q) => (q, true),
        guard::Decision::Confirmed(q) => (q, false),
    };
    let forks = opts.forks.unwrap_or(inv.forks()) as usize;
    let ttl = inv.settings.lock_ttl.map_or(lock::DEFAULT_TTL, |d| d.0);
    let mut lease = execute::Lease {
        owner: lock::Owner::new(session.id(), ttl, time::OffsetDateTime::now_utc()),
        hosts: Vec::new(),
        ttl,
    };
    // Without locks (`lock break`), only the person or the flags confirm.
    if locks {
        let timeout = timeout(opts, inv)?;
        if let Some(r) = replication_checks(session, inv, &question, forks, timeout)? {
            return refuse(session, r, ui);
        }
        lease = match take_locks(session, inv, &question, lease, forks)? {
            Ok(lease) => lease,
            Err(r) => return refuse(session, r, ui),
        };
    }
    let mut fields = Map::new();
    fields.insert("role".into(), json!(question.role));
    fields.insert("hosts".into(), json!(names(inv, &question.hosts)));
    fields.insert("count".into(), json!(question.count));
    fields.insert("overrides".into(), json!(question.overrides));
    if interactive {
        ui.err(&banner(inv, actions, &question, opts, locks, ui));
        // The record keeps what the operator saw, without colour.
        let plain = Ui::new(crate::ui::ColorWhen::Never, false, false);
        let mut asked = fields.clone();
        asked.insert(
            "banner".into(),
            json!(banner(inv, actions, &question, opts, locks, &plain)),
        );
        asked.insert(
            "prompt".into(),
            json!("Type the role of the target hosts to continue:"),
        );
        session.record("guard.prompt", asked).map_err(audit_error)?;
        let mut prompt = guard::prompt::Terminal::new(interrupt_flag()?);
        match guard::ask(&mut prompt, &question) {
            Ok(typed) => {
                fields.insert("typed".into(), json!(typed));
            }
            Err(r) => {
                release(session, inv, &lease, forks);
                return refuse(session, r, ui);
            }
        }
        fields.insert("via".into(), json!("prompt"));
    } else {
        fields.insert("via".into(), json!("--confirm-role"));
        fields.insert("typed".into(), json!([opts.guard.confirm_role]));
    }
    session
        .record("guard.confirmed", fields)
        .map_err(audit_error)?;
    Ok(Guarded::Go(Some(lease)))
}

fn names(inv: &Inventory, hosts: &[usize]) -> Vec<String> {
    hosts.iter().map(|&h| inv.hosts[h].name.clone()).collect()
}

fn refuse(session: &mut Session, r: guard::Refusal, ui: &Ui) -> Result<Guarded, AppError> {
    let mut fields = Map::new();
    fields.insert("reason".into(), json!(r.reason.code()));
    fields.insert("typed".into(), json!(r.typed));
    fields.insert("message".into(), json!(r.message));
    session
        .record("guard.refused", fields)
        .map_err(audit_error)?;
    ui.error(&format!(
        "refused ({}): {}; nothing was run on any host.",
        r.reason, r.message
    ));
    Ok(Guarded::Refused(Exit::Refused))
}

/// What the operator sees before typing the role back.
fn banner(
    inv: &Inventory,
    actions: &[guard::Action],
    q: &guard::Question,
    opts: &RunOptions,
    locked: bool,
    ui: &Ui,
) -> String {
    let tag = |h: usize| ui.host_tag(Out::Err, inv, &inv.hosts[h].name, &inv.hosts[h].role);
    let mut text = format!("{}\n", ui.bold(Out::Err, "DESTRUCTIVE"));
    for a in actions {
        text.push_str(&format!("  {}\n    because {}\n", a.what, a.why));
    }
    text.push_str(&format!(
        "  on {} host{}:\n",
        q.hosts.len(),
        if q.hosts.len() == 1 { "" } else { "s" }
    ));
    for &h in &q.hosts {
        text.push_str(&format!("    {}\n", tag(h)));
    }
    for &h in &q.hosts {
        if let Some(m) = inv.hosts[h]
            .mirror
            .as_deref()
            .and_then(|m| inv.host_index(m))
        {
            text.push_str(&format!(
                "  changes on {} are copied at once to its mirror {}\n",
                tag(h),
                tag(m)
            ));
        }
    }
    for o in &q.overrides {
        text.push_str(&format!(
            "  emergency override: {o} ({})\n",
            opts.guard.emergency.as_deref().unwrap_or_default()
        ));
    }
    text.push_str(&other_sessions(inv, ui, Some(&q.role)));
    if locked {
        text.push_str(&format!(
            "  locked for this session on {} host{}\n",
            q.hosts.len(),
            if q.hosts.len() == 1 { "" } else { "s" }
        ));
    }
    text
}

/// A `NOTE:` line for each other running opsguard session of this user,
/// naming its hosts (those not of `except_role`, when given).
pub fn other_sessions(inv: &Inventory, ui: &Ui, except_role: Option<&str>) -> String {
    let mut text = String::new();
    for other in crate::sessions::others() {
        let elsewhere: Vec<String> = other
            .targets
            .iter()
            .filter(|t| except_role != Some(t.role.as_str()))
            .map(|t| ui.host_tag(Out::Err, inv, &t.name, &t.role))
            .collect();
        if !elsewhere.is_empty() {
            text.push_str(&format!(
                "  {} you also have a session open on {} in another terminal (pid {}: {})\n",
                ui.bold(Out::Err, "NOTE:"),
                elsewhere.join(", "),
                other.pid,
                other.command
            ));
        }
    }
    text
}

/// Each target's `replication_check`, on the host; the first failure.
fn replication_checks(
    session: &mut Session,
    inv: &Inventory,
    q: &guard::Question,
    forks: usize,
    timeout: Duration,
) -> Result<Option<guard::Refusal>, AppError> {
    let checked: Vec<usize> = q
        .hosts
        .iter()
        .copied()
        .filter(|&h| inv.hosts[h].replication_check.is_some())
        .collect();
    let results = execute::each(&checked, forks, |h| {
        let host = &inv.hosts[h];
        let command = host.replication_check.as_deref().unwrap_or_default();
        let limits = crate::transport::Limits {
            timeout,
            cancel: Arc::new(AtomicBool::new(false)),
            grace: Duration::from_secs(1),
            tap: None,
        };
        crate::transport::connect(&inv.settings, host)
            .and_then(|mut t| t.run(command, &limits))
            .map_err(|e| e.to_string())
    });
    let mut failed = None;
    for (&h, result) in checked.iter().zip(results) {
        let host = &inv.hosts[h];
        let mut f = Map::new();
        f.insert("host".into(), json!(host.name));
        f.insert("role".into(), json!(host.role));
        f.insert("command".into(), json!(host.replication_check));
        let verdict = match &result {
            Ok(o) if o.exit_code == Some(0) && !o.timed_out => None,
            Ok(o) => {
                let out = format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout.bytes),
                    String::from_utf8_lossy(&o.stderr.bytes)
                );
                let how = if o.timed_out {
                    "timed out".to_string()
                } else {
                    o.exit_code.map_or_else(
                        || o.signal.clone().unwrap_or_default(),
                        |c| format!("exit {c}"),
                    )
                };
                Some(format!("{how}: {}", out.trim()))
            }
            Err(e) => Some(format!("could not run: {e}")),
        };
        if let Ok(o) = &result {
            f.insert("exit_code".into(), json!(o.exit_code));
            f.insert("stdout".into(), stream_json(&o.stdout));
            f.insert("stderr".into(), stream_json(&o.stderr));
        }
        f.insert("ok".into(), json!(verdict.is_none()));
        session.record("guard.check", f).map_err(audit_error)?;
        if let (Some(v), None) = (verdict, &failed) {
            failed = Some(guard::Refusal {
                reason: guard::Reason::ReplicationCheckFailed,
                message: format!(
                    "the replication check of {} (`{}`) failed, {v}; its mirror may not be in step",
                    host.name,
                    host.replication_check.as_deref().unwrap_or_default()
                ),
                typed: None,
            });
        }
    }
    Ok(failed)
}

/// Lock every target; on any refusal, release those taken.
fn take_locks(
    session: &mut Session,
    inv: &Inventory,
    q: &guard::Question,
    mut lease: execute::Lease,
    forks: usize,
) -> Result<Result<execute::Lease, guard::Refusal>, AppError> {
    let results = execute::each(&q.hosts, forks, |h| {
        crate::transport::connect(&inv.settings, &inv.hosts[h])
            .map_err(|e| e.to_string())
            .and_then(|mut t| lock::acquire(t.as_mut(), &inv.hosts[h], &lease.owner))
    });
    let now = time::OffsetDateTime::now_utc();
    let mut refusal = None;
    for (&h, result) in q.hosts.iter().zip(results) {
        let host = &inv.hosts[h];
        let problem = match result {
            Ok(lock::State::Free) => {
                lease.hosts.push(h);
                let mut f = Map::new();
                f.insert("host".into(), json!(host.name));
                f.insert("role".into(), json!(host.role));
                f.insert("path".into(), json!(lock::path(host)));
                f.insert("expires".into(), json!(lease.owner.expires));
                session.record("lock.acquire", f).map_err(audit_error)?;
                continue;
            }
            Ok(lock::State::Held(o)) if o.is_stale(now) => (
                guard::Reason::LockStale,
                format!(
                    "{} has a stale lock (expired): {}. If its owner is gone, remove it with \
                     `opsguard lock break {} --reason ...`",
                    host.name,
                    o.describe(),
                    host.name
                ),
            ),
            Ok(lock::State::Held(o)) => (
                guard::Reason::Locked,
                format!("{} is locked by {}", host.name, o.describe()),
            ),
            Ok(lock::State::Unknown(why)) => (
                guard::Reason::Locked,
                format!("{} is locked by someone unknown ({why})", host.name),
            ),
            Err(e) => (
                guard::Reason::Locked,
                format!("{}: the lock could not be taken: {e}", host.name),
            ),
        };
        if refusal.is_none() {
            refusal = Some(guard::Refusal {
                reason: problem.0,
                message: problem.1,
                typed: None,
            });
        }
    }
    match refusal {
        None => Ok(Ok(lease)),
        Some(r) => {
            release(session, inv, &lease, forks);
            Ok(Err(r))
        }
    }
}

/// Renews the locks of a lease in the background, every third of their
/// time to live, for as long as it lives: a command that runs longer than
/// `lock_ttl` keeps its lock fresh. Each renewal connects anew, so it
/// never waits on the connection a command is using.
pub struct Renewer {
    stop: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Renewer {
    pub fn start(inv: &Inventory, lease: &execute::Lease) -> Renewer {
        let stop = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let settings = inv.settings.clone();
        let hosts: Vec<crate::inventory::Host> =
            lease.hosts.iter().map(|&h| inv.hosts[h].clone()).collect();
        let (owner, ttl) = (lease.owner.clone(), lease.ttl);
        let every = (ttl / 3).max(Duration::from_millis(200));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (lock, wake) = &*flag;
            loop {
                let Ok(guard) = lock.lock() else { return };
                let Ok((stopped, _)) = wake.wait_timeout_while(guard, every, |s| !*s) else {
                    return;
                };
                if *stopped {
                    return;
                }
                drop(stopped);
                let renewed = owner.renewed(ttl, time::OffsetDateTime::now_utc());
                let all: Vec<usize> = (0..hosts.len()).collect();
                execute::each(&all, all.len(), |i| {
                    crate::transport::connect(&settings, &hosts[i])
                        .map_err(|e| e.to_string())
                        .and_then(|mut t| lock::renew(t.as_mut(), &hosts[i], &renewed))
                });
            }
        });
        Renewer {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Renewer {
    fn drop(&mut self) {
        if let Ok(mut s) = self.stop.0.lock() {
            *s = true;
        }
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Release the locks of `lease`, recording each; failures are recorded and
/// reported, never fatal (the lock then goes stale at its expiry).
pub fn release(session: &mut Session, inv: &Inventory, lease: &execute::Lease, forks: usize) {
    let results = execute::each(&lease.hosts, forks, |h| {
        crate::transport::connect(&inv.settings, &inv.hosts[h])
            .map_err(|e| e.to_string())
            .and_then(|mut t| lock::release(t.as_mut(), &inv.hosts[h], &lease.owner))
    });
    for (&h, result) in lease.hosts.iter().zip(results) {
        let mut f = Map::new();
        f.insert("host".into(), json!(inv.hosts[h].name));
        f.insert("role".into(), json!(inv.hosts[h].role));
        if let Err(e) = &result {
            f.insert("error".into(), json!(e));
        }
        let _ = session.record("lock.release", f);
    }
}

/// Who this session is, for the operator: the terminal title and the
/// registry entry, both undone when the returned values drop.
pub fn identify(
    inv: &Inventory,
    hosts: &[usize],
    session: &Session,
    command: &str,
) -> (crate::sessions::Title, crate::sessions::Registration) {
    let entry = crate::sessions::Entry {
        pid: std::process::id(),
        user: crate::audit::record::Identity::current().user,
        session: session.id().to_string(),
        command: command.to_string(),
        targets: hosts
            .iter()
            .map(|&h| crate::sessions::Target {
                name: inv.hosts[h].name.clone(),
                role: inv.hosts[h].role.clone(),
            })
            .collect(),
    };
    (
        crate::sessions::Title::set(&crate::sessions::title(inv, hosts)),
        crate::sessions::register(&entry),
    )
}

/// End a refused session: `session.end` with status `refused`.
pub fn end_refused(session: Session, exit: Exit) -> Result<Exit, AppError> {
    session.end("refused", exit.code()).map_err(audit_error)?;
    Ok(exit)
}

/// The fields of `command.end` that say how a command ended.
pub fn outcome_fields(f: &mut Map<String, Value>, o: &crate::transport::Outcome, status: &str) {
    f.insert("status".into(), json!(status));
    f.insert("exit_code".into(), json!(o.exit_code));
    f.insert("signal".into(), json!(o.signal));
    f.insert("duration_ms".into(), json!(o.duration.as_millis() as u64));
    f.insert("stdout".into(), stream_json(&o.stdout));
    f.insert("stderr".into(), stream_json(&o.stderr));
}

fn stream_json(s: &Stream) -> Value {
    let cut = record::output(&s.bytes[..s.bytes.len().min(record::OUTPUT_LIMIT)]);
    json!({
        "text": cut["text"],
        "truncated": s.total as usize > record::OUTPUT_LIMIT,
        "bytes": s.total,
        "sha256": s.sha256,
    })
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
    let renewer = opts.lease.as_ref().map(|l| Renewer::start(inv, l));
    let mut recorder = Recorder {
        inv,
        ui,
        session: audit,
        progress: ui.progress(batches.iter().map(Vec::len).sum()),
        stream: opts.stream,
        steps: show_steps,
        audit_failed: None,
    };
    let summary = execute::run(inv, batches, steps, opts, &mut recorder);
    recorder.progress.finish();
    let audit_failed = recorder.audit_failed.take();
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

/// Records and reports each command as the executor runs it.
struct Recorder<'a> {
    inv: &'a Inventory,
    ui: &'a Ui,
    session: &'a mut Session,
    progress: Progress,
    /// Print output as it arrives (one host).
    stream: bool,
    /// Show step names in status lines (`run`).
    steps: bool,
    /// The first audit failure: nothing starts after it.
    audit_failed: Option<String>,
}

impl Recorder<'_> {
    fn tag(&self, host: usize) -> String {
        let h = &self.inv.hosts[host];
        format!(
            "{} {}",
            h.name,
            self.ui.role_tag(Out::Err, self.inv, &h.role)
        )
    }

    fn record(&mut self, event: &str, fields: Map<String, Value>) -> bool {
        if self.audit_failed.is_some() {
            return false;
        }
        match self.session.record(event, fields) {
            Ok(_) => true,
            Err(e) => {
                self.audit_failed = Some(e.to_string());
                false
            }
        }
    }

    fn host_fields(&self, host: usize, step: &Step) -> Map<String, Value> {
        let h = &self.inv.hosts[host];
        let mut f = Map::new();
        f.insert("host".into(), json!(h.name));
        f.insert("role".into(), json!(h.role));
        if step.number > 0 {
            f.insert("step".into(), json!(step.number));
            f.insert("step_name".into(), json!(step.name));
        }
        f.insert("command".into(), json!(step.command));
        f.insert("destructive".into(), json!(step.destructive));
        f
    }
}

impl Observer for Recorder<'_> {
    fn starting(&mut self, host: usize, step: &Step) -> bool {
        let fields = self.host_fields(host, step);
        self.record("command.start", fields)
    }

    fn output(&mut self, _host: usize, which: Which, chunk: &[u8]) {
        match which {
            Which::Stdout => self.ui.out_bytes(chunk),
            Which::Stderr => self.ui.err_bytes(chunk),
        }
    }

    fn finished(&mut self, host: usize, step: &Step, result: &StepResult) {
        let o = &result.outcome;
        let mut f = self.host_fields(host, step);
        outcome_fields(&mut f, o, result.status.as_str());
        if let Some(m) = &result.message {
            f.insert("message".into(), json!(m));
        }
        self.record("command.end", f);
        if self.steps {
            let line = format!(
                "{} step {} `{}`: {}",
                self.tag(host),
                step.number,
                step.name,
                verdict(result.status, o.exit_code, result.message.as_deref())
            );
            self.progress.line(&line);
        }
    }

    fn host_done(&mut self, result: &HostResult) {
        if result.status == Status::Unreachable && result.steps.is_empty() {
            let h = &self.inv.hosts[result.host];
            let mut f = Map::new();
            f.insert("host".into(), json!(h.name));
            f.insert("role".into(), json!(h.role));
            f.insert("status".into(), json!("unreachable"));
            f.insert("message".into(), json!(result.message));
            self.record("host.unreachable", f);
        }
        if (!self.stream && !self.steps)
            || result.steps.is_empty()
            || (self.stream && result.status != Status::Ok)
        {
            let code = result.steps.last().and_then(|s| s.outcome.exit_code);
            let message = result
                .message
                .as_deref()
                .or_else(|| result.steps.last().and_then(|s| s.message.as_deref()));
            self.progress.line(&format!(
                "{} {}",
                self.tag(result.host),
                verdict(result.status, code, message)
            ));
        }
        self.progress.inc();
    }
}

fn verdict(status: Status, code: Option<i32>, message: Option<&str>) -> String {
    let mut text = match (status, code) {
        (Status::Failed, Some(c)) => format!("failed (exit {c})"),
        (s, _) => s.as_str().to_string(),
    };
    if let Some(m) = message {
        text.push_str(": ");
        text.push_str(m);
    }
    text
}
