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
use crate::execute::{HostResult, Observer, Status, Step, StepResult};
use crate::guard;
use crate::inventory::Inventory;
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
pub fn interrupt_flag() -> Result<Arc<AtomicBool>, AppError> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, flag.clone())
            .map_err(|e| AppError::new(Exit::Failed, format!("cannot handle signals: {e}")))?;
    }
    Ok(flag)
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
        ("emergency", opts.emergency.as_deref()),
        ("confirm_role", opts.confirm_role.as_deref()),
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

/// The guards, before anything connects. `Ok(None)`: go ahead (nothing
/// destructive). `Ok(Some(exit))`: refused, recorded, the session ended.
///
/// The offline guards (one role, change ticket, freezes and windows, the
/// flags that stand in for a person without a terminal) decide first, with
/// their own reason codes. Destructive work that passes them is still
/// refused, as `destructive-unguarded`, until the replication checks and
/// host locks exist: nothing destructive runs with only some guards.
pub fn guard(
    session: &mut Session,
    inv: &Inventory,
    actions: &[guard::Action],
    opts: &RunOptions,
    change: Option<&str>,
    ui: &Ui,
) -> Result<Option<Exit>, AppError> {
    let ctx = guard::Context {
        terminal: terminal(),
        confirm_role: opts.confirm_role.as_deref(),
        change,
        emergency: opts.emergency.as_deref(),
        now: time::OffsetDateTime::now_utc(),
    };
    let refusal = match guard::decide(inv, actions, &ctx) {
        guard::Decision::Run => return Ok(None),
        guard::Decision::Refuse(r) => r,
        guard::Decision::Ask(_) | guard::Decision::Confirmed(_) => {
            let what: Vec<String> = actions
                .iter()
                .map(|a| format!("{} ({})", a.what, a.why))
                .collect();
            guard::Refusal {
                reason: guard::Reason::DestructiveUnguarded,
                message: format!(
                    "{} is destructive. Destructive work is refused until all of opsguard's guards \
                     (replication checks and host locks, after the typed-back role) are in place",
                    what.join(", ")
                ),
                typed: None,
            }
        }
    };
    let mut fields = Map::new();
    fields.insert("reason".into(), json!(refusal.reason.code()));
    fields.insert("typed".into(), json!(refusal.typed));
    fields.insert("message".into(), json!(refusal.message));
    session
        .record("guard.refused", fields)
        .map_err(audit_error)?;
    ui.error(&format!(
        "refused ({}): {}; nothing was run on any host.",
        refusal.reason, refusal.message
    ));
    Ok(Some(Exit::Refused))
}

/// End a refused session: `session.end` with status `refused`.
pub fn end_refused(session: Session, exit: Exit) -> Result<Exit, AppError> {
    session.end("refused", exit.code()).map_err(audit_error)?;
    Ok(exit)
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

/// Records and reports each command as the executor runs it.
pub struct Recorder<'a> {
    pub inv: &'a Inventory,
    pub ui: &'a Ui,
    pub session: &'a mut Session,
    pub progress: Progress,
    /// Print output as it arrives (one host).
    pub stream: bool,
    /// Show step names in status lines (`run`).
    pub steps: bool,
    /// The first audit failure: nothing starts after it.
    pub audit_failed: Option<String>,
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
        f.insert("status".into(), json!(result.status.as_str()));
        f.insert("exit_code".into(), json!(o.exit_code));
        f.insert("signal".into(), json!(o.signal));
        f.insert("duration_ms".into(), json!(o.duration.as_millis() as u64));
        f.insert("stdout".into(), stream_json(&o.stdout));
        f.insert("stderr".into(), stream_json(&o.stderr));
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
