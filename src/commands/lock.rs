//! `opsguard lock status [SELECTOR]` and `opsguard lock break HOST
//! --reason TEXT`: the host locks opsguard takes for destructive work.

use clap::{Args, Subcommand};
use serde_json::json;

use super::{Format, GlobalArgs, GuardOptions, RunOptions};
use crate::audit::event::{self, Event, On};
use crate::error::{AppError, Exit};
use crate::guard::{self, online::Guarded};
use crate::lock::{self, LockError, State};
use crate::parallel::each;
use crate::session;
use crate::transport::pool::Failure;
use crate::ui::{Cell, Stream, Ui, table};

#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(subcommand)]
    pub command: LockCommand,
}

#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Show the locks on hosts: owner, since, expiry, stale or not
    Status {
        /// Which hosts (all when omitted)
        #[arg(add = super::complete::selector())]
        selector: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Remove a host's lock, after typing its role back (recorded)
    Break(BreakArgs),
}

#[derive(Debug, Args)]
pub struct BreakArgs {
    /// The host whose lock to remove
    #[arg(add = super::complete::host())]
    pub host: String,
    /// Why (recorded): who was asked, what happened to the holder
    #[arg(long, required = true)]
    pub reason: String,
    #[command(flatten)]
    pub guard: GuardOptions,
}

pub fn run(g: &GlobalArgs, args: &LockArgs, ui: &Ui) -> Result<Exit, AppError> {
    match &args.command {
        LockCommand::Status { selector, format } => status(g, selector.as_deref(), *format, ui),
        LockCommand::Break(b) => break_lock(g, b, ui),
    }
}

fn read_all(inv: &crate::inventory::Inventory, hosts: &[usize]) -> Vec<Result<State, LockError>> {
    each(hosts, inv.forks() as usize, |h| {
        crate::transport::connect(&inv.settings, &inv.hosts[h])
            .map_err(Failure::Transport)
            .and_then(|mut t| lock::read(t.as_mut(), &inv.hosts[h]))
    })
}

fn status(
    g: &GlobalArgs,
    selector: Option<&str>,
    format: Format,
    ui: &Ui,
) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    let hosts: Vec<usize> = match selector {
        None => (0..inv.hosts.len()).collect(),
        Some(text) => super::select(&inv, text, "selector")?,
    };
    let states = read_all(&inv, &hosts);
    let now = time::OffsetDateTime::now_utc();
    let mut unreachable = false;
    let mut items = Vec::new();
    let mut rows = vec![
        ["HOST", "ROLE", "LOCK", "OWNER", "SINCE", "EXPIRES"]
            .map(|h| Cell {
                plain: h.into(),
                shown: ui.bold(Stream::Out, h),
            })
            .into(),
    ];
    for (&h, state) in hosts.iter().zip(&states) {
        let host = &inv.hosts[h];
        let (word, owner, detail) = match state {
            Ok(State::Free) => ("free", None, None),
            Ok(State::Held(o)) if o.is_stale(now) => ("stale", Some(o), None),
            Ok(State::Held(o)) => ("held", Some(o), None),
            Ok(State::Unknown(why)) => ("held", None, Some(why.clone())),
            Err(e) => {
                unreachable = true;
                ("unreachable", None, Some(e.to_string()))
            }
        };
        items.push(json!({
            "host": host.name,
            "role": host.role,
            "state": word,
            "owner": owner,
            "detail": detail,
        }));
        let role = host.role.to_uppercase();
        rows.push(vec![
            Cell::plain(&host.name),
            Cell {
                shown: ui.paint_role(Stream::Out, &inv, &host.role, &role),
                plain: role,
            },
            Cell::plain(word),
            // The owner file is written on the host: data.
            Cell::plain(ui.data(
                Stream::Out,
                &match (owner, &detail) {
                    (Some(o), _) => format!(
                        "{}@{} pid {} session {}",
                        o.user, o.workstation, o.pid, o.session
                    ),
                    (None, Some(d)) => d.clone(),
                    (None, None) => "-".into(),
                },
            )),
            Cell::plain(ui.data(Stream::Out, owner.map_or("-", |o| &o.since))),
            Cell::plain(ui.data(Stream::Out, owner.map_or("-", |o| &o.expires))),
        ]);
    }
    match format {
        Format::Json => ui.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&items).expect("plain JSON")
        )),
        Format::Text => ui.out(&table(&rows)),
    }
    Ok(if unreachable { Exit::Failed } else { Exit::Ok })
}

fn break_lock(g: &GlobalArgs, args: &BreakArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    let h = super::host_named(&inv, &args.host)?;
    let host = &inv.hosts[h];
    let before = read_all(&inv, &[h]).remove(0).map_err(|e| {
        AppError::new(
            Exit::Failed,
            format!("{}: cannot read its lock: {e}", host.name),
        )
    })?;
    if before == State::Free {
        ui.status(&format!("{} is not locked; nothing to break", host.name));
        return Ok(Exit::Ok);
    }
    let opts = RunOptions {
        guard: args.guard.clone(),
        ..RunOptions::default()
    };
    let settings = opts.settings(g, &inv, None)?;
    let mut audit = session::start(&settings, None)?;
    let held = match &before {
        State::Held(o) => o.describe(),
        State::Unknown(why) => format!("someone unknown ({why})"),
        State::Free => unreachable!("returned above"),
    };
    // Read from the host: shown as data wherever it is printed.
    let held = crate::ui::escape::visible(&held).into_owned();
    let plan = event::Plan {
        targets: vec![event::Target::of(host)],
        command: Some(format!("lock break {}", host.name)),
        destructive: true,
        ..event::Plan::default()
    };
    audit
        .record(Event::Plan(plan))
        .map_err(crate::audit::nothing_ran)?;
    let action = guard::Action {
        what: format!("breaking the lock on {} held by {held}", host.name),
        why: "the holder's work may still be running there".into(),
        hosts: vec![h],
        kind: guard::Kind::Destructive,
    };
    match session::guard(&mut audit, &inv, &[action], &settings, false, ui)? {
        Guarded::Go(_) => {}
        Guarded::Refused(exit) => return session::end_refused(audit, exit),
    }
    // The break is recorded before the lock is touched, like every
    // action; how the removal went follows as the lock's release.
    let broken = event::LockBreak {
        on: On::host(host),
        reason: args.reason.clone(),
        owner: match &before {
            State::Held(o) => Some(o.into()),
            _ => None,
        },
    };
    audit
        .record(Event::LockBreak(broken))
        .map_err(crate::audit::nothing_ran)?;
    let removed = crate::transport::connect(&inv.settings, host)
        .map_err(|e| e.to_string())
        .and_then(|mut t| {
            let held = match &before {
                State::Held(o) => Some(o),
                _ => None,
            };
            lock::remove(t.as_mut(), host, held).map_err(|e| e.to_string())
        });
    let released = event::LockRelease {
        on: On::host(host),
        error: removed.as_ref().err().cloned(),
    };
    audit
        .record(Event::LockRelease(released))
        .map_err(crate::audit::nothing_more_ran)?;
    let (exit, status) = match &removed {
        Ok(()) => {
            ui.status(&format!("{}: the lock of {held} is removed", host.name));
            (Exit::Ok, "ok")
        }
        Err(e) => {
            ui.error(&format!(
                "{}: the lock could not be removed: {e}",
                host.name
            ));
            (Exit::Failed, "failed")
        }
    };
    audit
        .end(status, exit.code())
        .map_err(crate::audit::nothing_more_ran)?;
    Ok(exit)
}
