//! `opsguard run PLAYBOOK [--limit SELECTOR] [--dry-run]`: a playbook's
//! steps on its hosts, batch by batch, recorded in the audit log.

use std::path::PathBuf;

use clap::Args;
use time::OffsetDateTime;

use super::{Format, GlobalArgs, RunOptions, report, select};
use crate::approval::PlanFile;
use crate::audit::event;
use crate::error::{AppError, Exit};
use crate::execute::{Step, Summary};
use crate::guard;
use crate::inventory::Inventory;
use crate::plan;
use crate::session;
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The playbook file
    #[arg(required_unless_present = "plan", conflicts_with = "plan")]
    pub playbook: Option<PathBuf>,
    /// Only these hosts (a selector), of those the playbook selects
    #[arg(long, value_name = "SELECTOR", conflicts_with = "plan", add = super::complete::selector())]
    pub limit: Option<String>,
    /// Run exactly this approved plan file (from `plan --out`, signed with
    /// `approve`): refused when stale, expired or short of approvals
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub opts: RunOptions,
}

pub fn run(g: &GlobalArgs, args: &RunArgs, ui: &Ui) -> Result<Exit, AppError> {
    // What was approved runs as it was approved.
    let o = &args.opts;
    if args.plan.is_some()
        && (o.become_user.is_some() || o.guard.change.is_some() || o.timeout.is_some())
    {
        return Err(AppError::invalid(
            "--plan runs exactly the approved plan: --become, --change and --timeout are the plan's (its playbook's and inventory's), not the run's",
        ));
    }
    let mut inv = super::load_inventory(g, ui)?;
    let file = match &args.plan {
        Some(path) => Some((
            path,
            PlanFile::read(path).map_err(|e| AppError::of(Exit::Invalid, e))?,
        )),
        None => None,
    };
    let playbook = match (&file, &args.playbook) {
        (Some((_, (f, _))), _) => f.playbook(),
        (None, Some(p)) => p.clone(),
        (None, None) => unreachable!("clap requires a playbook or --plan"),
    };
    let (pb, facts) = super::load_playbook(&inv, &playbook, ui, "nothing was run")?;
    let limit_text = match &file {
        Some((_, (f, _))) => f.content["limit"].as_str().map(String::from),
        None => args.limit.clone(),
    };
    let limit = limit_text
        .as_deref()
        .map(|l| select(&inv, l, "--limit"))
        .transpose()?;
    let now = OffsetDateTime::now_utc();
    // A plan file's plan is rebuilt as at its making, to compare.
    let built_at = match &file {
        Some((_, (f, _))) => OffsetDateTime::parse(
            f.text("created"),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap_or(now),
        None => now,
    };
    let plan = plan::build(&inv, &pb, &facts, limit.as_deref(), built_at);
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
    let mut settings = args.opts.settings(g, &inv, plan.change.as_deref())?;
    if let Some((path, (file, intact))) = &file {
        let (approval, allowed_signers) = approved(&inv, &plan, file, *intact, now)?;
        let approvers = match &approval {
            guard::Approval::Approved(a) => a
                .iter()
                .map(|a| event::Approver {
                    principal: a.principal.clone(),
                    key: a.key.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        settings.plan = Some(event::PlanRun {
            id: file.plan_id.clone(),
            file: path.display().to_string(),
            approvers,
            allowed_signers,
        });
        settings.flags.approval = approval;
    }
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

/// Where a plan file stands now: its approvers, or why it may not run
/// (recorded as the run's refusal).
fn approved(
    inv: &Inventory,
    plan: &plan::Plan,
    file: &PlanFile,
    intact: bool,
    now: OffsetDateTime,
) -> Result<(guard::Approval, Option<event::FileHash>), AppError> {
    let refused = |reason, message: String| {
        (
            guard::Approval::Refused(guard::Refusal {
                reason,
                message,
                typed: None,
            }),
            None,
        )
    };
    if !intact {
        return Ok(refused(
            guard::Reason::ApprovalInvalid,
            "the plan file was changed after it was made: its approvals are over another plan"
                .into(),
        ));
    }
    let signers_file = inv.settings.allowed_signers.as_deref();
    let signers = match signers_file {
        None => None,
        Some(path) => match crate::approval::Signers::load(std::path::Path::new(path)) {
            Ok(s) => Some(s),
            Err(e) => {
                return Ok(refused(
                    guard::Reason::ApprovalInvalid,
                    format!("settings.allowed_signers: {e}"),
                ));
            }
        },
    };
    let inventory = inv
        .files
        .iter()
        .map(|f| super::plan::full(f))
        .collect::<Result<Vec<_>, _>>()?;
    let operator = crate::account::user_name().unwrap_or_default();
    let json = plan.json(inv);
    let at = crate::approval::Now {
        plan: &json,
        inventory: &inventory,
        at: now,
        signers: signers.as_ref(),
        signers_file,
        operator: &operator,
    };
    let checked_against = signers
        .as_ref()
        .zip(signers_file)
        .map(|(s, path)| event::FileHash {
            path: path.to_string(),
            sha256: s.sha256().to_string(),
        });
    Ok((
        match crate::approval::check(file, &at) {
            Ok(approvers) => guard::Approval::Approved(approvers),
            Err(r) => guard::Approval::Refused(r),
        },
        checked_against,
    ))
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
