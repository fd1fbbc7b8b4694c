//! The executor's observer: `command.start` is on disk before a command
//! starts, `command.end` carries how it ended, and the operator sees each
//! host's verdict as it comes. After an audit write fails, no further
//! command starts.

use crate::audit::Session;
use crate::audit::event::{self, Event, On};
use crate::execute::{HostResult, Observer, Status, Step, StepResult};
use crate::inventory::Inventory;
use crate::transport::{Connected, Which};
use crate::ui::{Progress, Stream as Out, Ui};

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
    /// How each host's connection was made, as its commands record it.
    connections: std::collections::HashMap<usize, Box<event::Connection>>,
    /// How many batches the rollout has.
    batches: usize,
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
            connections: Default::default(),
            batches: 0,
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

    fn record(&mut self, event: Event) -> bool {
        self.appended(event).is_some()
    }

    /// Record `event`: where the chain stands after it, or `None` once
    /// the log has failed.
    fn appended(&mut self, event: Event) -> Option<crate::audit::writer::Appended> {
        if self.audit_failed.is_some() {
            return None;
        }
        match self.session.record(event) {
            Ok(appended) => Some(appended),
            Err(e) => {
                self.audit_failed = Some(e.to_string());
                None
            }
        }
    }

    fn start(&self, host: usize, step: &Step) -> event::CommandStart {
        let numbered = step.number > 0;
        event::CommandStart {
            on: On::host(&self.inv.hosts[host]),
            cwd: None,
            step: numbered.then_some(step.number),
            step_name: numbered.then(|| step.name.clone()),
            command: step.command.clone(),
            destructive: step.destructive,
            verdict: step.verdict,
            become_user: step
                .become_user
                .clone()
                .or_else(|| self.inv.hosts[host].become_user.clone()),
            connection: self.connections.get(&host).cloned(),
        }
    }
}

impl Observer for Recorder<'_> {
    fn starting(
        &mut self,
        host: usize,
        step: &Step,
        connected: Option<&Connected>,
    ) -> Option<crate::execute::Start> {
        match connected {
            Some(c) => self.connections.insert(host, event::Connection::of(c)),
            None => self.connections.remove(&host),
        };
        let start = self.start(host, step);
        let at = self.appended(Event::CommandStart(start))?;
        Some(crate::execute::Start {
            trail: crate::transport::remote::Trail::before(
                &self.inv.settings,
                &self.inv.hosts[host],
                step.verdict,
                self.session.id(),
                &at,
                &step.command,
            ),
        })
    }

    fn output(&mut self, _host: usize, which: Which, chunk: &[u8]) {
        match which {
            Which::Stdout => self.ui.out_bytes(chunk),
            Which::Stderr => self.ui.err_bytes(chunk),
        }
    }

    fn finished(&mut self, host: usize, step: &Step, result: &StepResult) {
        let o = &result.outcome;
        let end = event::CommandEnd {
            start: self.start(host, step),
            status: result.status.as_str().to_string(),
            ran: Some(event::Ran::of(o)),
            message: result.message.clone(),
        };
        self.record(Event::CommandEnd(end));
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

    fn batch_start(&mut self, number: usize, of: usize, hosts: &[usize]) -> bool {
        // A rollout's batches; a one-off `exec` is one batch, unrecorded.
        if !self.steps {
            return true;
        }
        self.batches = of;
        self.record(Event::BatchStart(event::BatchStart {
            batch: number,
            of,
            targets: hosts
                .iter()
                .map(|&h| event::Target::of(&self.inv.hosts[h]))
                .collect(),
        }))
    }

    fn batch_end(&mut self, number: usize, results: &[HostResult]) {
        if !self.steps {
            return;
        }
        let mut statuses = std::collections::BTreeMap::new();
        for r in results {
            *statuses.entry(r.status.as_str().to_string()).or_insert(0) += 1;
        }
        self.record(Event::BatchEnd(event::BatchEnd {
            batch: number,
            of: self.batches,
            statuses,
        }));
    }

    fn host_done(&mut self, result: &HostResult) {
        if result.status == Status::Unreachable && result.steps.is_empty() {
            self.record(Event::HostUnreachable(event::HostUnreachable {
                on: On::host(&self.inv.hosts[result.host]),
                status: Some("unreachable".into()),
                message: result.message.clone(),
                become_user: self.inv.hosts[result.host].become_user.clone(),
                connection: result.attempted.as_ref().map(event::Connection::of),
            }));
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
