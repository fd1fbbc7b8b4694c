//! How `exec` and `run` report at the end: identical outputs grouped under
//! one host list (like `dshbak -c`), a summary of who failed, JSON per host.

use serde_json::{Value, json};

use crate::execute::{HostResult, Status, Step, StepResult, Summary};
use crate::inventory::Inventory;
use crate::ui::{Stream, Ui};

/// Identical outputs (of each host's last command) under one host list:
/// bytes, since in a pipe the hosts' output is passed on byte for byte.
pub fn grouped(inv: &Inventory, hosts: &[HostResult], ui: &Ui) -> Vec<u8> {
    grouped_by(inv, hosts, ui, |r| r.steps.last())
}

/// Identical outputs of step `step` (an index into the run's steps) under
/// one host list; hosts that did not run it are left out.
pub fn grouped_step(inv: &Inventory, hosts: &[HostResult], ui: &Ui, step: usize) -> Vec<u8> {
    grouped_by(inv, hosts, ui, |r| r.steps.iter().find(|s| s.step == step))
}

fn grouped_by<'a>(
    inv: &Inventory,
    hosts: &'a [HostResult],
    ui: &Ui,
    pick: impl Fn(&'a HostResult) -> Option<&'a StepResult>,
) -> Vec<u8> {
    let mut groups: Vec<(Vec<&str>, &StepResult)> = Vec::new();
    for (r, s) in hosts.iter().filter_map(|r| pick(r).map(|s| (r, s))) {
        let same = |other: &StepResult| {
            let (a, b) = (&s.outcome, &other.outcome);
            // The hashes of all of it: what is kept may be cut.
            (a.stdout.total, &a.stdout.sha256) == (b.stdout.total, &b.stdout.sha256)
                && (a.stderr.total, &a.stderr.sha256) == (b.stderr.total, &b.stderr.sha256)
                && a.exit_code == b.exit_code
                && a.signal == b.signal
                && s.status == other.status
        };
        match groups.iter_mut().find(|(_, first)| same(first)) {
            Some((names, _)) => names.push(&inv.hosts[r.host].name),
            None => groups.push((vec![&inv.hosts[r.host].name], s)),
        }
    }
    let mut out: Vec<u8> = Vec::new();
    for (names, s) in groups {
        let o = &s.outcome;
        let tagged: Vec<String> = names
            .iter()
            .filter_map(|n| inv.host(n))
            .map(|h| format!("{} {}", h.name, ui.role_tag(Stream::Out, inv, &h.role)))
            .collect();
        let result = match o.exit_code {
            Some(c) => format!("exit {c}"),
            None => o.signal.clone().unwrap_or_else(|| s.status.as_str().into()),
        };
        let count = format!(
            "{} host{}",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        );
        out.extend_from_slice(format!("== {} ({count}, {result})\n", tagged.join(", ")).as_bytes());
        // What the hosts printed is data: escaped on a terminal.
        out.extend_from_slice(&ui.data_bytes(Stream::Out, &o.stdout.shown()));
        if o.stderr.total > 0 {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(&ui.data_bytes(Stream::Out, &o.stderr.shown()));
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

/// `3 ok; 1 failed: store-c1; 1 unreachable: store-d1`
pub fn summary_line(inv: &Inventory, summary: &Summary) -> String {
    let mut parts = Vec::new();
    for status in [
        Status::Ok,
        Status::Failed,
        Status::Timeout,
        Status::Unreachable,
        Status::Refused,
        Status::Skipped,
    ] {
        let names: Vec<&str> = summary
            .hosts
            .iter()
            .filter(|h| h.status == status)
            .map(|h| inv.hosts[h.host].name.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        let label = if status == Status::Skipped {
            "never touched"
        } else {
            status.as_str()
        };
        parts.push(if status == Status::Ok {
            format!("{} ok", names.len())
        } else {
            format!("{} {label}: {}", names.len(), names.join(", "))
        });
    }
    let mut line = parts.join("; ");
    if let Some(why) = &summary.stopped {
        line.push_str(&format!("\nstopped: {why}"));
    }
    if summary.interrupted {
        line.push_str("\ninterrupted: no new command was started after the signal");
    }
    line
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `[{host, role, status, exit_code, signal, duration_ms, stdout, stderr,
/// stdout_bytes, stderr_bytes}]`, with `steps` when `steps` is given
/// (`run`). An output larger than what is kept of it holds a line saying
/// how much was left out between its head and its tail; `*_bytes` is the
/// size of all of it.
pub fn json(inv: &Inventory, summary: &Summary, steps: Option<&[Step]>) -> String {
    let items: Vec<Value> = summary
        .hosts
        .iter()
        .map(|r| {
            let h = &inv.hosts[r.host];
            let last = r.steps.last().map(|s| &s.outcome);
            let duration: u128 = r.steps.iter().map(|s| s.outcome.duration.as_millis()).sum();
            let mut v = json!({
                "host": h.name,
                "role": h.role,
                "status": r.status,
                "exit_code": last.and_then(|o| o.exit_code),
                "signal": last.and_then(|o| o.signal.clone()),
                "duration_ms": duration as u64,
                "stdout": last.map(|o| text(&o.stdout.shown())).unwrap_or_default(),
                "stderr": last.map(|o| text(&o.stderr.shown())).unwrap_or_default(),
                "stdout_bytes": last.map_or(0, |o| o.stdout.total),
                "stderr_bytes": last.map_or(0, |o| o.stderr.total),
            });
            if let Some(m) = &r.message {
                v["message"] = json!(m);
            }
            if let Some(steps) = steps {
                v["steps"] = r
                    .steps
                    .iter()
                    .map(|s| {
                        json!({
                            "number": steps[s.step].number,
                            "name": steps[s.step].name,
                            "status": s.status,
                            "exit_code": s.outcome.exit_code,
                            "signal": s.outcome.signal,
                            "duration_ms": s.outcome.duration.as_millis() as u64,
                            "stdout": text(&s.outcome.stdout.shown()),
                            "stderr": text(&s.outcome.stderr.shown()),
                            "stdout_bytes": s.outcome.stdout.total,
                            "stderr_bytes": s.outcome.stderr.total,
                            "message": s.message,
                        })
                    })
                    .collect();
            }
            v
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&items).expect("plain JSON")
    )
}
