//! Fan-out: running steps on hosts, in batches, with a bounded number of
//! connections at once, timeouts, and a clean stop.
//!
//! Workers run hosts; the calling thread coordinates. Before a command
//! starts, its worker asks the [`Observer`] (which writes the audit record
//! and waits for it to be on disk) and only goes on when told to: a command
//! is never ahead of its record. A host that fails a step runs no further
//! steps. After each batch, if more hosts failed than `max_failures`
//! allows, the rollout stops and the hosts of later batches are reported
//! as never touched. An interruption stops new commands at once and gives
//! running ones a grace period. A host under a lease runs over the
//! connection that took its lock, proved alive by the renewal before each
//! command; a command itself is never retried.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::inventory::Inventory;
use crate::lock::lease::Lease;
use crate::transport::pool::Failure;
use crate::transport::{
    self, Connected, Limits, Outcome, Stream, Transport, TransportError, Which,
};

/// How many events (a chunk of output, a host starting or done) may wait
/// to be shown before the hosts sending them wait in turn.
const EVENTS: usize = 64;

/// One step as the executor runs it.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based; 0 for a one-off `exec` command.
    pub number: usize,
    pub name: String,
    pub command: String,
    pub timeout: Duration,
    pub budget: Option<u64>,
    pub destructive: bool,
    /// The classifier's verdict on the command.
    pub verdict: crate::classify::Verdict,
    /// The hosts this step runs on; `None`: every host of the run.
    pub hosts: Option<Vec<usize>>,
    /// The user the command runs as, over the host's `become`.
    pub become_user: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
    Unreachable,
    Timeout,
    Refused,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Unreachable => "unreachable",
            Status::Timeout => "timeout",
            Status::Refused => "refused",
            Status::Skipped => "skipped",
        }
    }

    /// Counts against `max_failures` and makes the exit code 1.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Unreachable | Status::Timeout)
    }
}

#[derive(Clone, Debug)]
pub struct StepResult {
    pub step: usize,
    pub status: Status,
    pub outcome: Outcome,
    /// Why, when the exit code alone does not say (budget, unreachable).
    pub message: Option<String>,
}

#[derive(Clone, Debug)]
pub struct HostResult {
    pub host: usize,
    pub status: Status,
    pub steps: Vec<StepResult>,
    pub message: Option<String>,
    /// How the connection was tried, when it could not be made.
    pub attempted: Option<Connected>,
}

/// What the coordinator is told, in order, on the calling thread.
/// What the observer lets a command start with.
#[derive(Clone, Debug, Default)]
pub struct Start {
    /// The line the host's own syslog gets first (a destructive command).
    pub trail: Option<crate::transport::remote::Trail>,
}

pub trait Observer {
    /// A command is about to start; `None` stops the whole run (the audit
    /// record could not be written).
    /// `connected`: how the host's connection was made (SSH hosts).
    fn starting(
        &mut self,
        host: usize,
        step: &Step,
        connected: Option<&Connected>,
    ) -> Option<Start>;
    fn output(&mut self, host: usize, which: Which, chunk: &[u8]);
    fn finished(&mut self, host: usize, step: &Step, result: &StepResult);
    /// A host is done (or could not be reached, or was never touched).
    fn host_done(&mut self, result: &HostResult);
    /// Batch `number` of `of` is about to start on `hosts`; `false` stops
    /// the run (the record could not be written).
    fn batch_start(&mut self, _number: usize, _of: usize, _hosts: &[usize]) -> bool {
        true
    }
    /// Batch `number` is done, with these results.
    fn batch_end(&mut self, _number: usize, _results: &[HostResult]) {}
}

pub struct Options {
    pub forks: usize,
    pub lease: Option<Lease>,
    pub max_failures: usize,
    /// Set by SIGINT/SIGTERM.
    pub cancel: Arc<AtomicBool>,
    pub grace: Duration,
    /// Send output to the observer as it arrives.
    pub stream: bool,
    /// How much of the head and of the tail of each output to keep once a
    /// host is done ([`keep_for`]).
    pub keep: usize,
}

/// What all finished outputs of a run may hold together: the report shows
/// a head and a tail of each, never all of a large one.
const RETAINED: usize = 32 * 1024 * 1024;

/// The head and tail kept of each output once a host is done, for a run of
/// `hosts` hosts and `steps` steps: as much as the stream holds on a few
/// hosts, less on many, never under 1 KiB.
pub fn keep_for(hosts: usize, steps: usize) -> usize {
    let outputs = hosts.max(1) * steps.max(1) * 2;
    (RETAINED / outputs / 2).clamp(1024, transport::HEAD.max(transport::TAIL))
}

/// How the run ended.
#[derive(Debug, Default)]
pub struct Summary {
    pub hosts: Vec<HostResult>,
    pub interrupted: bool,
    /// The observer refused a start (the audit log failed).
    pub aborted: bool,
    /// Why the rollout stopped early, if it did.
    pub stopped: Option<String>,
}

enum Event {
    Starting {
        host: usize,
        step: usize,
        connected: Option<Connected>,
        reply: Sender<Option<Start>>,
    },
    Output {
        host: usize,
        which: Which,
        chunk: Vec<u8>,
    },
    Finished {
        host: usize,
        step: usize,
        result: Box<StepResult>,
    },
    HostDone(HostResult),
}

/// The hosts of `batch`, never touched, and why.
fn skip(batch: &[usize], why: &str, observer: &mut dyn Observer, summary: &mut Summary) {
    for &host in batch {
        let result = HostResult {
            host,
            status: Status::Skipped,
            steps: vec![],
            message: Some(why.into()),
            attempted: None,
        };
        observer.host_done(&result);
        summary.hosts.push(result);
    }
}

/// Run `steps` on every host of every batch.
pub fn run(
    inv: &Inventory,
    batches: &[Vec<usize>],
    steps: &[Step],
    opts: &Options,
    observer: &mut dyn Observer,
) -> Summary {
    let mut summary = Summary::default();
    // No new command starts once this is set (budget, audit, interrupt).
    let halt = Arc::new(AtomicBool::new(false));
    let mut failures = 0;
    for (b, batch) in batches.iter().enumerate() {
        if summary.stopped.is_some() || summary.interrupted || summary.aborted {
            skip(
                batch, "never touched: the rollout stopped", observer, &mut summary,
            );
            continue;
        }
        if !observer.batch_start(b + 1, batches.len(), batch) {
            summary.aborted = true;
            halt.store(true, Ordering::Relaxed);
            skip(
                batch, "never touched: the audit log failed", observer, &mut summary,
            );
            continue;
        }
        let results = run_batch(inv, batch, steps, opts, &halt, observer, &mut summary);
        observer.batch_end(b + 1, &results);
        failures += results.iter().filter(|r| r.status.is_failure()).count();
        summary.hosts.extend(results);
        if opts.cancel.load(Ordering::Relaxed) {
            summary.interrupted = true;
        }
        if summary.stopped.is_none() && failures > opts.max_failures && b + 1 < batches.len() {
            summary.stopped = Some(format!(
                "{failures} host(s) failed, more than max_failures ({}): the rollout stopped after batch {}",
                opts.max_failures,
                b + 1
            ));
        }
    }
    summary
}

fn run_batch(
    inv: &Inventory,
    batch: &[usize],
    steps: &[Step],
    opts: &Options,
    halt: &Arc<AtomicBool>,
    observer: &mut dyn Observer,
    summary: &mut Summary,
) -> Vec<HostResult> {
    let queue = Mutex::new(batch.iter().copied().collect::<VecDeque<_>>());
    // Bounded: when the output cannot be shown as fast as hosts send it (a
    // slow terminal, a paused pipe), the hosts wait; it never piles up here.
    let (tx, rx) = sync_channel::<Event>(EVENTS);
    let mut results = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..opts.forks.clamp(1, batch.len().max(1)) {
            let tx = tx.clone();
            let queue = &queue;
            scope.spawn(move || {
                while let Some(host) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let result = run_host(inv, host, steps, opts, halt, &tx);
                    if tx.send(Event::HostDone(result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for event in rx {
            match event {
                Event::Starting {
                    host,
                    step,
                    connected,
                    reply,
                } => {
                    let go = match halt.load(Ordering::Relaxed) {
                        true => None,
                        false => observer.starting(host, &steps[step], connected.as_ref()),
                    };
                    if go.is_none() && !halt.load(Ordering::Relaxed) {
                        summary.aborted = true;
                        halt.store(true, Ordering::Relaxed);
                    }
                    let _ = reply.send(go);
                }
                Event::Output { host, which, chunk } => observer.output(host, which, &chunk),
                Event::Finished { host, step, result } => {
                    if let Some(message) = result
                        .message
                        .as_ref()
                        .filter(|_| steps[step].budget.is_some() && result.status == Status::Failed)
                    {
                        summary
                            .stopped
                            .get_or_insert_with(|| format!("{}: {message}", inv.hosts[host].name));
                        halt.store(true, Ordering::Relaxed);
                    }
                    observer.finished(host, &steps[step], &result);
                }
                Event::HostDone(result) => {
                    observer.host_done(&result);
                    results.push(result);
                }
            }
            if opts.cancel.load(Ordering::Relaxed) {
                halt.store(true, Ordering::Relaxed);
            }
        }
    });
    // Reported in the order of the batch, not of completion.
    results.sort_by_key(|r| batch.iter().position(|&h| h == r.host));
    results
}

fn run_host(
    inv: &Inventory,
    host: usize,
    steps: &[Step],
    opts: &Options,
    halt: &AtomicBool,
    tx: &SyncSender<Event>,
) -> HostResult {
    let mut result = HostResult {
        host,
        status: Status::Ok,
        steps: Vec::new(),
        message: None,
        attempted: None,
    };
    let stopped = || halt.load(Ordering::Relaxed) || opts.cancel.load(Ordering::Relaxed);
    if stopped() {
        result.status = Status::Skipped;
        result.message = Some("never touched: the run stopped".into());
        return result;
    }
    let lease = opts.lease.as_ref().filter(|l| l.hosts.contains(&host));
    let mut transport = match connection(inv, host, lease) {
        Ok(t) => t,
        Err(e) => {
            result.status = Status::Unreachable;
            result.message = Some(e.to_string());
            result.attempted = transport::attempted(&inv.settings, &inv.hosts[host]);
            return result;
        }
    };
    for (i, step) in steps.iter().enumerate() {
        if step.hosts.as_ref().is_some_and(|h| !h.contains(&host)) {
            continue;
        }
        if stopped() {
            stopped_early(&mut result);
            break;
        }
        if let Some(lease) = lease
            && let Err(e) = renew(inv, host, lease, &mut transport)
        {
            result.status = match e {
                Failure::Transport(_) => Status::Unreachable,
                Failure::Work(_) => Status::Refused,
            };
            result.message = Some(format!("{e}; nothing more runs there"));
            break;
        }
        let (reply, answer) = channel();
        let start = match tx.send(Event::Starting {
            host,
            step: i,
            connected: transport.connected(),
            reply,
        }) {
            Ok(()) => answer.recv().ok().flatten(),
            Err(_) => None,
        };
        let Some(start) = start else {
            stopped_early(&mut result);
            break;
        };
        let (tap, forwarder) = match opts.stream {
            false => (None, None),
            true => {
                let (chunk_tx, chunk_rx) = sync_channel::<(Which, Vec<u8>)>(EVENTS);
                let tx = tx.clone();
                let forwarder = std::thread::spawn(move || {
                    for (which, chunk) in chunk_rx {
                        let _ = tx.send(Event::Output { host, which, chunk });
                    }
                });
                (Some(chunk_tx), Some(forwarder))
            }
        };
        let limits = Limits {
            timeout: step.timeout,
            cancel: opts.cancel.clone(),
            grace: opts.grace,
            tap,
            become_user: step.become_user.clone(),
            trail: start.trail,
        };
        let ran = transport.run(&step.command, &limits);
        // Every chunk is passed on before the step is reported finished.
        drop(limits);
        if let Some(f) = forwarder {
            let _ = f.join();
        }
        let step_result = match ran {
            Ok(outcome) => judge(step, i, outcome),
            Err(e) => StepResult {
                step: i,
                status: Status::Unreachable,
                outcome: Outcome::default(),
                message: Some(e.to_string()),
            },
        };
        let status = step_result.status;
        // The audit log records the head of each output; the report shows
        // a head and a tail within the run's share of memory.
        let mut kept = step_result.clone();
        kept.outcome.stdout.trim(opts.keep);
        kept.outcome.stderr.trim(opts.keep);
        let _ = tx.send(Event::Finished {
            host,
            step: i,
            result: Box::new(step_result),
        });
        result.steps.push(kept);
        if status != Status::Ok {
            result.status = status;
            break;
        }
    }
    if let Some(lease) = lease {
        // Kept for the release (which reconnects if it has died).
        lease.connections.put(host, transport);
    }
    result
}

/// The connection for `host`: the one that took its lock, if it is leased.
fn connection(
    inv: &Inventory,
    host: usize,
    lease: Option<&Lease>,
) -> Result<Box<dyn Transport>, TransportError> {
    match lease {
        Some(l) => l
            .connections
            .take(&inv.settings, host, &inv.hosts[host])
            .map(|t| t.transport),
        None => transport::connect(&inv.settings, &inv.hosts[host]),
    }
}

/// Renew the lease on `host` before a command. The connection may have
/// died while it waited (at the prompt, say): then renew over a new one.
/// Renewing twice is harmless; the command itself is never retried.
fn renew(
    inv: &Inventory,
    host: usize,
    lease: &Lease,
    transport: &mut Box<dyn Transport>,
) -> Result<(), crate::lock::LockError> {
    let h = &inv.hosts[host];
    let owner = lease
        .owner
        .renewed(lease.ttl, time::OffsetDateTime::now_utc());
    transport::pool::redo_if_lost(&inv.settings, h, transport, |t| {
        crate::lock::renew(t, h, &owner)
    })
}

/// The run stopped before this host finished: skipped if nothing ran.
fn stopped_early(result: &mut HostResult) {
    if result.steps.is_empty() {
        result.status = Status::Skipped;
    }
    result.message = Some("the run stopped before this host finished".into());
}

/// The status of a finished command, budget included.
fn judge(step: &Step, index: usize, outcome: Outcome) -> StepResult {
    let (status, message) = if outcome.timed_out {
        (
            Status::Timeout,
            Some(format!(
                "timed out after {}",
                crate::duration::Duration(step.timeout)
            )),
        )
    } else if outcome.exit_code != Some(0) {
        (
            Status::Failed,
            outcome.interrupted.then(|| "interrupted".to_string()),
        )
    } else if let Some(budget) = step.budget {
        budget_verdict(&outcome.stdout, budget)
    } else {
        (Status::Ok, None)
    };
    StepResult {
        step: index,
        status,
        outcome,
        message,
    }
}

fn budget_verdict(stdout: &Stream, budget: u64) -> (Status, Option<String>) {
    let text = String::from_utf8_lossy(&stdout.bytes);
    let text = text.trim();
    // An estimate is a non-negative number in digits (`25000`, `12.5`):
    // never negative, never an exponent or `inf`.
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = (digits(whole) && digits(fraction))
        .then(|| text.parse::<f64>().ok())
        .flatten();
    match number {
        Some(n) if n <= budget as f64 => (Status::Ok, None),
        Some(_) => (
            Status::Failed,
            Some(format!("budget exceeded: {text} > {budget}")),
        ),
        None => (
            Status::Failed,
            Some(format!(
                "budget: the output `{}` is not a non-negative number",
                text.chars().take(40).collect::<String>()
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets() {
        let s = |t: &str| Stream {
            bytes: t.as_bytes().to_vec(),
            ..Stream::default()
        };
        assert_eq!(budget_verdict(&s("  24999\n"), 25000), (Status::Ok, None));
        assert_eq!(budget_verdict(&s("25000"), 25000), (Status::Ok, None));
        assert_eq!(budget_verdict(&s("25001\n"), 25000).0, Status::Failed);
        assert_eq!(
            budget_verdict(&s("lots"), 25000).1.unwrap(),
            "budget: the output `lots` is not a non-negative number"
        );
        assert_eq!(budget_verdict(&s("12.5\n"), 25000), (Status::Ok, None));
        for not_a_count in [
            "", "inf", "-1", "-0.5", "1e3", "+3", ".5", "1.", "0x10", "1.2.3",
        ] {
            assert_eq!(
                budget_verdict(&s(not_a_count), 25000).0,
                Status::Failed,
                "{not_a_count}"
            );
        }
    }
}
