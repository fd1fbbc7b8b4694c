//! The executor's observer: `command.start` is on disk before a command
//! starts, `command.end` carries how it ended, and the operator sees each
//! host's verdict as it comes. After an audit write fails, no further
//! command starts.

use serde_json::{Map, Value, json};

use crate::audit::{Session, host_fields, stream_json};
use crate::execute::{HostResult, Observer, Status, Step, StepResult};
use crate::inventory::Inventory;
use crate::transport::Which;
use crate::ui::{Progress, Stream as Out, Ui};

/// The fields of `command.end` that say how a command ended.
pub fn outcome_fields(f: &mut Map<String, Value>, o: &crate::transport::Outcome, status: &str) {
    f.insert("status".into(), json!(status));
    f.insert("exit_code".into(), json!(o.exit_code));
    f.insert("signal".into(), json!(o.signal));
    f.insert("duration_ms".into(), json!(o.duration.as_millis() as u64));
    f.insert("stdout".into(), stream_json(&o.stdout));
    f.insert("stderr".into(), stream_json(&o.stderr));
}

/// Records and reports each command as the executor runs it.
pub(super) struct Recorder<'a> {
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

impl<'a> Recorder<'a> {
    /// A recorder for `hosts` hosts; `stream` prints output as it arrives
    /// (one host), `steps` names the steps in status lines (`run`).
    pub(super) fn new(
        inv: &'a Inventory,
        ui: &'a Ui,
        session: &'a mut Session,
        hosts: usize,
        stream: bool,
        steps: bool,
    ) -> Recorder<'a> {
        Recorder {
            inv,
            ui,
            session,
            progress: ui.progress(hosts),
            stream,
            steps,
            audit_failed: None,
        }
    }

    /// Clear the progress bar; the first audit failure, if any.
    pub(super) fn finish(mut self) -> Option<String> {
        self.progress.finish();
        self.audit_failed.take()
    }

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
        let mut f = host_fields(h);
        if step.number > 0 {
            f.insert("step".into(), json!(step.number));
            f.insert("step_name".into(), json!(step.name));
        }
        f.insert("command".into(), json!(step.command));
        f.insert("destructive".into(), json!(step.destructive));
        f.insert("verdict".into(), json!(step.verdict));
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
        if self.stream {
            self.ui.end_bytes();
        }
        if self.steps {
            let line = format!(
                "{} step {} `{}`: {}",
                self.tag(host),
                step.number,
                self.ui.data(crate::ui::Stream::Err, &step.name),
                verdict(
                    self.ui,
                    result.status,
                    o.exit_code,
                    result.message.as_deref()
                )
            );
            self.progress.line(&line);
        }
    }

    fn host_done(&mut self, result: &HostResult) {
        if result.status == Status::Unreachable && result.steps.is_empty() {
            let h = &self.inv.hosts[result.host];
            let mut f = host_fields(h);
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
                verdict(self.ui, result.status, code, message)
            ));
        }
        self.progress.inc();
    }
}

/// `failed (exit 2): message`; the message may quote a host, so it is
/// shown as data.
fn verdict(ui: &Ui, status: Status, code: Option<i32>, message: Option<&str>) -> String {
    let mut text = match (status, code) {
        (Status::Failed, Some(c)) => format!("failed (exit {c})"),
        (s, _) => s.as_str().to_string(),
    };
    if let Some(m) = message {
        text.push_str(": ");
        text.push_str(&ui.data(crate::ui::Stream::Err, m));
    }
    text
}
