//! `opsguard run PLAYBOOK [--limit SELECTOR] [--dry-run]`: a playbook's
//! steps on its hosts, batch by batch, recorded in the audit log.

use std::path::PathBuf;

use clap::Args;
use serde_json::{Map, json};
use time::OffsetDateTime;

use super::{Format, GlobalArgs, RunOptions};
use super::{report, select};
use crate::error::{AppError, Exit};
use crate::execute::{self, Step};
use crate::guard::{self, online::Guarded};
use crate::plan;
use crate::session;
use crate::ui::Ui;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The playbook file
    pub playbook: PathBuf,
    /// Only these hosts (a selector), of those the playbook selects
    #[arg(long, value_name = "SELECTOR")]
    pub limit: Option<String>,
    #[command(flatten)]
    pub opts: RunOptions,
}

pub fn run(g: &GlobalArgs, args: &RunArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    let (pb, facts) = super::load_playbook(&inv, &args.playbook, ui, "nothing was run")?;
    let limit = args
        .limit
        .as_deref()
        .map(|l| select(&inv, l, "--limit"))
        .transpose()?;
    let plan = plan::build(
        &inv,
        &pb,
        &facts,
        limit.as_deref(),
        OffsetDateTime::now_utc(),
    );
    if args.opts.dry_run {
        match args.opts.format {
            Format::Json => {
                let verdicts = super::plan::verdicts(&inv, &plan, OffsetDateTime::now_utc());
                ui.out(&super::plan::json(&plan, &verdicts));
            }
            Format::Text => ui.out(&super::plan::text(&plan, &inv, ui)),
        }
        return Ok(Exit::Ok);
    }
    let settings = args.opts.settings(g, &inv, plan.change.as_deref())?;
    let index = |name: &String| {
        inv.host_index(name)
            .expect("planned hosts are in the inventory")
    };
    let steps: Vec<Step> = plan
        .steps
        .iter()
        .zip(&pb.steps)
        .map(|(p, s)| Step {
            number: p.number,
            name: p.name.clone(),
            command: p.command.clone(),
            timeout: s.timeout.map_or(settings.timeout, |t| t.0),
            budget: p.budget,
            destructive: p.destructive,
            verdict: p.verdict,
            hosts: Some(p.hosts.iter().map(|t| index(&t.name)).collect()),
        })
        .collect();
    let batches: Vec<Vec<usize>> = plan
        .batches
        .iter()
        .map(|b| b.iter().map(index).collect())
        .collect();
    let cancel = crate::interrupt::flag()?;
    let mut audit = session::start(&settings, Some(&args.playbook))?;
    let mut record = Map::new();
    record.insert("playbook".into(), json!(plan.playbook));
    record.insert("targets".into(), json!(plan.hosts));
    record.insert("batches".into(), json!(plan.batches));
    record.insert(
        "destructive".into(),
        json!(plan.steps.iter().any(|s| s.destructive)),
    );
    let planned: Vec<_> = plan
        .steps
        .iter()
        .map(|s| json!({"number": s.number, "name": s.name, "command": s.command, "destructive": s.destructive, "verdict": s.verdict, "guarded": s.guarded, "rules": s.rules, "unknown": s.unknown, "hosts": s.hosts}))
        .collect();
    record.insert("steps".into(), json!(planned));
    audit.record("plan", record).map_err(session::audit_error)?;
    let targets: Vec<usize> = plan.hosts.iter().map(|t| index(&t.name)).collect();
    let _identity = session::identify(&inv, &targets, &audit, &format!("run {}", plan.playbook));
    let actions: Vec<guard::Action> = plan
        .steps
        .iter()
        .filter_map(|s| {
            guard::Action::for_command(
                &inv,
                format!("step {} `{}` of {}", s.number, s.name, plan.playbook),
                &s.classification,
                s.declared,
                s.hosts.iter().map(|t| index(&t.name)).collect(),
            )
        })
        .collect();
    let lease = match session::guard(&mut audit, &inv, &actions, &settings, true, ui)? {
        Guarded::Go(lease) => lease,
        Guarded::Refused(exit) => return session::end_refused(audit, exit),
    };
    let opts = execute::Options {
        forks: settings.forks,
        lease,
        max_failures: plan.max_failures as usize,
        cancel,
        grace: std::time::Duration::from_secs(5),
        stream: false,
        keep: execute::keep_for(batches.iter().map(Vec::len).sum(), steps.len()),
    };
    let (summary, audit_failed) =
        session::run_recorded(&mut audit, &inv, ui, &batches, &steps, &opts, true);
    match args.opts.format {
        Format::Json => ui.out(&report::json(&inv, &summary, Some(&steps))),
        Format::Text => {
            let mut text: Vec<u8> = Vec::new();
            for (i, step) in steps.iter().enumerate() {
                let outputs = report::grouped_step(&inv, &summary.hosts, ui, i);
                if !outputs.is_empty() {
                    let head = format!(
                        "-- step {} `{}`: {}\n",
                        step.number,
                        ui.data(crate::ui::Stream::Out, &step.name),
                        ui.data(crate::ui::Stream::Out, &step.command)
                    );
                    text.extend_from_slice(head.as_bytes());
                    text.extend_from_slice(&outputs);
                }
            }
            ui.out_raw(&text);
        }
    }
    ui.status(&report::summary_line(&inv, &summary));
    session::end_run(audit, &summary, audit_failed)
}
