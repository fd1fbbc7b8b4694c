//! The guards on the targets, around the pure decision: in the design's
//! order, [`decide`](super::decide) first, then on the targets the
//! mirrors' replication checks and the host locks, last the typed-back
//! role at the terminal. Every refusal is recorded with its reason code
//! before it is reported; none of this ever lets work through that a
//! guard could not decide on.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::audit::event::{self, Event, On};
use crate::audit::{self, Session};
use crate::error::{AppError, Exit};
use crate::guard;
use crate::inventory::Inventory;
use crate::lock;
use crate::lock::lease::{self, Lease};
use crate::parallel::each;
use crate::presence::Entry;
use crate::ui::{Stream as Out, Ui};

/// What the guards said: go (with the host locks taken, for destructive
/// work), or refused (recorded; end the session with this exit code).
pub enum Guarded {
    Go(Option<Lease>),
    Refused(Exit),
}

/// How the online guards work: the flags standing in for a person, how
/// many hosts at once, the replication checks' timeout, and whether to
/// check and lock the targets at all (`lock break` confirms like
/// destructive work, but must not lock the host whose lock it removes).
pub struct Online<'a> {
    pub flags: &'a guard::Flags,
    pub forks: usize,
    pub timeout: Duration,
    pub locks: bool,
}

/// The guards, in the design's order. The offline ones first (one role,
/// change ticket, freezes and windows, `--confirm-role` without a
/// terminal); then, on the targets, the mirrors' replication checks and
/// the host locks; last the typed-back role at the terminal. Any refusal
/// releases the locks already taken and is recorded with its reason code.
pub fn check(
    session: &mut Session,
    inv: &Inventory,
    actions: &[guard::Action],
    online: &Online,
    ui: &Ui,
) -> Result<Guarded, AppError> {
    let flags = online.flags;
    let ctx = guard::Context {
        terminal: guard::prompt::terminal(),
        confirm_role: flags.confirm_role.as_deref(),
        change: flags.change.as_deref(),
        emergency: flags.emergency.as_deref(),
        now: time::OffsetDateTime::now_utc(),
        approval: &flags.approval,
    };
    let (question, interactive) = match guard::decide(inv, actions, &ctx) {
        guard::Decision::Run => return Ok(Guarded::Go(None)),
        guard::Decision::Refuse(r) => return refuse(session, r, ui),
        guard::Decision::Ask(q) => (q, true),
        guard::Decision::Confirmed(q) => (q, false),
    };
    let forks = online.forks;
    let ttl = inv.settings.lock_ttl.map_or(lock::DEFAULT_TTL, |d| d.0);
    let mut lease = Lease::new(session.id(), ttl, forks);
    // Without locks (`lock break`), only the person or the flags confirm.
    if online.locks {
        if let Some(r) = replication_checks(session, inv, &question, &lease, forks, online.timeout)?
        {
            return refuse(session, r, ui);
        }
        lease = match lease::take(session, inv, &question.hosts, lease, forks)
            .map_err(audit::nothing_ran)?
        {
            Ok(lease) => lease,
            Err(r) => {
                let reason = if r.stale {
                    guard::Reason::LockStale
                } else {
                    guard::Reason::Locked
                };
                let refusal = guard::Refusal {
                    reason,
                    message: r.message,
                    typed: None,
                };
                return refuse(session, refusal, ui);
            }
        };
    }
    let asked = event::Question {
        role: question.role.clone(),
        hosts: names(inv, &question.hosts),
        count: question.count,
        overrides: question.overrides.clone(),
    };
    let (typed, via) = if interactive {
        // Read once, so the record names the same sessions as the screen.
        let others = crate::presence::others();
        let banner = |ui: &Ui| banner(inv, actions, &question, flags, online.locks, &others, ui);
        ui.err(&banner(ui));
        // The record keeps what the operator saw, without colour.
        let plain = Ui::new(crate::ui::ColorWhen::Never, false, false);
        session
            .record(Event::GuardPrompt(event::GuardPrompt {
                question: asked.clone(),
                banner: banner(&plain),
                prompt: "Type the role of the target hosts to continue:".into(),
            }))
            .map_err(audit::nothing_ran)?;
        let mut prompt = guard::prompt::Terminal::new(crate::interrupt::flag()?);
        match guard::ask(&mut prompt, &question) {
            Ok(typed) => (typed, "prompt"),
            Err(r) => {
                lease::release(session, inv, &lease, forks);
                return refuse(session, r, ui);
            }
        }
    } else {
        let typed = flags.confirm_role.iter().cloned().collect();
        (typed, "--confirm-role")
    };
    session
        .record(Event::GuardConfirmed(event::GuardConfirmed {
            question: asked,
            typed,
            via: via.into(),
        }))
        .map_err(audit::nothing_ran)?;
    Ok(Guarded::Go(Some(lease)))
}

fn names(inv: &Inventory, hosts: &[usize]) -> Vec<String> {
    hosts.iter().map(|&h| inv.hosts[h].name.clone()).collect()
}

fn refuse(session: &mut Session, r: guard::Refusal, ui: &Ui) -> Result<Guarded, AppError> {
    session
        .record(Event::GuardRefused(event::GuardRefused {
            reason: r.reason.code().into(),
            typed: r.typed.clone(),
            message: r.message.clone(),
        }))
        .map_err(audit::nothing_ran)?;
    // The message may quote a host (a replication check's output) or what
    // was typed: data.
    ui.error(&format!(
        "refused ({}): {}; nothing was run on any host.",
        r.reason,
        ui.data(Out::Err, &r.message)
    ));
    Ok(Guarded::Refused(Exit::Refused))
}

/// What the operator sees before typing the role back.
fn banner(
    inv: &Inventory,
    actions: &[guard::Action],
    q: &guard::Question,
    flags: &guard::Flags,
    locked: bool,
    others: &[Entry],
    ui: &Ui,
) -> String {
    let tag = |h: usize| ui.host_tag(Out::Err, inv, &inv.hosts[h].name, &inv.hosts[h].role);
    let destructive = actions.iter().any(|a| a.kind == guard::Kind::Destructive);
    let header = if destructive {
        "DESTRUCTIVE"
    } else {
        "NOT KNOWN TO BE SAFE"
    };
    let mut text = format!("{}\n", ui.bold(Out::Err, header));
    // Commands come from files and lines; reasons quote them.
    for a in actions {
        text.push_str(&format!(
            "  {}\n    because {}\n",
            ui.data(Out::Err, &a.what),
            ui.data(Out::Err, &a.why)
        ));
    }
    if actions.iter().any(|a| a.kind == guard::Kind::NotKnownSafe) {
        text.push_str(
            "  opsguard does not know this command to be read-only, so it is guarded like \
             destructive work here; if it only reads, declare it in the inventory's \
             policy.safe_patterns\n",
        );
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
            flags.emergency.as_deref().unwrap_or_default()
        ));
    }
    text.push_str(&other_sessions(inv, ui, others, Some(&q.role)));
    if locked {
        text.push_str(&format!(
            "  locked for this session on {} host{}\n",
            q.hosts.len(),
            if q.hosts.len() == 1 { "" } else { "s" }
        ));
    }
    text
}

/// A `NOTE:` line for each of `others` (the other running opsguard
/// sessions of this user), naming its hosts (those not of `except_role`,
/// when given).
pub fn other_sessions(
    inv: &Inventory,
    ui: &Ui,
    others: &[Entry],
    except_role: Option<&str>,
) -> String {
    let mut text = String::new();
    for other in others {
        let elsewhere: Vec<String> = other
            .targets
            .iter()
            .filter(|t| except_role != Some(t.role.as_str()))
            // Read from the registry's files: data.
            .map(|t| {
                ui.host_tag(
                    Out::Err,
                    inv,
                    &ui.data(Out::Err, &t.name),
                    &ui.data(Out::Err, &t.role),
                )
            })
            .collect();
        if !elsewhere.is_empty() {
            text.push_str(&format!(
                "  {} you also have a session open on {} in another terminal (pid {}: {})\n",
                ui.bold(Out::Err, "NOTE:"),
                elsewhere.join(", "),
                other.pid,
                ui.data(Out::Err, &other.command)
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
    lease: &Lease,
    forks: usize,
    timeout: Duration,
) -> Result<Option<guard::Refusal>, AppError> {
    let checked: Vec<usize> = q
        .hosts
        .iter()
        .copied()
        .filter(|&h| inv.hosts[h].replication_check.is_some())
        .collect();
    // Announced before it runs, like every command opsguard sends.
    for &h in &checked {
        let host = &inv.hosts[h];
        session
            .record(Event::GuardCheckStart(event::GuardCheckStart {
                on: On::host(host),
                command: host.replication_check.clone().unwrap_or_default(),
            }))
            .map_err(audit::nothing_ran)?;
    }
    let results = each(&checked, forks, |h| {
        let host = &inv.hosts[h];
        let command = host.replication_check.as_deref().unwrap_or_default();
        let limits = crate::transport::Limits {
            timeout,
            cancel: Arc::new(AtomicBool::new(false)),
            grace: Duration::from_secs(1),
            tap: None,
            become_user: None,
            trail: None,
        };
        // The connection is kept for the lock and the run.
        let mut t = lease
            .connections
            .take(&inv.settings, h, host)
            .map_err(|e| e.to_string())?
            .transport;
        let outcome = t.run(command, &limits).map_err(|e| e.to_string())?;
        lease.connections.put(h, t);
        Ok::<_, String>(outcome)
    });
    let mut failed = None;
    for (&h, result) in checked.iter().zip(results) {
        let host = &inv.hosts[h];
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
        let check = event::GuardCheck {
            on: On::host(host),
            command: host.replication_check.clone().unwrap_or_default(),
            ran: result.as_ref().ok().map(|o| event::CheckRan {
                exit_code: o.exit_code,
                stdout: event::Output::of(&o.stdout),
                stderr: event::Output::of(&o.stderr),
            }),
            ok: verdict.is_none(),
        };
        session
            .record(Event::GuardCheck(check))
            .map_err(audit::nothing_ran)?;
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
