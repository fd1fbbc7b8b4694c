//! `opsguard run PLAYBOOK [--limit SELECTOR] [--dry-run]`: a playbook's
//! steps on its hosts, batch by batch, recorded in the audit log.

use std::path::PathBuf;

use clap::Args;
use time::OffsetDateTime;

use super::{Format, GlobalArgs, RunOptions, report, select};
use crate::error::{AppError, Exit};
use crate::execute::{Step, Summary};
use crate::inventory::Inventory;
use crate::plan;
use crate::session;
use crate::ui::{Stream, Ui};

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
    let mut inv = super::load_inventory(g, ui)?;
    let (pb, facts) = super::load_playbook(&inv, &args.playbook, ui, "nothing was run")?;
    let limit = args
        .limit
        .as_deref()
        .map(|l| select(&inv, l, "--limit"))
        .transpose()?;
    let now = OffsetDateTime::now_utc();
    let plan = plan::build(&inv, &pb, &facts, limit.as_deref(), now);
    args.opts.become_on(&mut inv, &plan.hosts)?;
    if args.opts.dry_run {
        match args.opts.format {
            Format::Json => {
                let verdicts = super::plan::verdicts(&inv, &plan, now);
                ui.out(&super::plan::json(&inv, &plan, &verdicts));
            }
            Format::Text => ui.out(&super::plan::text(&plan, &inv, ui)),
        }
        return Ok(Exit::Ok);
    }
    let settings = args.opts.settings(g, &inv, plan.change.as_deref())?;
    if args.opts.ask_become_pass {
        super::args::ask_become_pass()?;
    }
    session::execute(&inv, &plan, &settings, false, ui, |summary, steps| {
        match args.opts.format {
            Format::Json => ui.out(&report::json(&inv, summary, Some(steps))),
            Format::Text => ui.out_raw(&outputs(&inv, summary, steps, ui)),
        }
        ui.status(&report::summary_line(&inv, summary));
    })
}

/// Each step's outputs, grouped, under a line naming the step.
fn outputs(inv: &Inventory, summary: &Summary, steps: &[Step], ui: &Ui) -> Vec<u8> {
    let mut text: Vec<u8> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let outputs = report::grouped_step(inv, &summary.hosts, ui, i);
        if !outputs.is_empty() {
            let head = format!(
                "-- step {} `{}`: {}\n",
                step.number,
                ui.data(Stream::Out, &step.name),
                ui.data(Stream::Out, &step.command)
            );
            text.extend_from_slice(head.as_bytes());
            text.extend_from_slice(&outputs);
        }
    }
    text
}
