//! `opsguard exec SELECTOR -- COMMAND...`: one command on the selected
//! hosts, recorded in the audit log.

use clap::Args;
use serde_json::json;

use super::{Format, GlobalArgs, RunOptions, report, select, shell_line};
use crate::classify::classify;
use crate::error::{AppError, Exit};
use crate::execute::Status;
use crate::inventory::Inventory;
use crate::plan::{self, Plan};
use crate::session;
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Which hosts: `store-a1`, `store-*`, `@group`, `role:backup`, `!term`, comma-separated (no default)
    #[arg(add = super::complete::selector())]
    pub selector: String,
    #[command(flatten)]
    pub opts: RunOptions,
    /// The command, as one shell line or as words (joined with spaces)
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(g: &GlobalArgs, args: &ExecArgs, ui: &Ui) -> Result<Exit, AppError> {
    let mut inv = super::load_inventory(g, ui)?;
    let hosts = select(&inv, &args.selector, "selector")?;
    args.opts.become_on(&mut inv, &hosts)?;
    let line = shell_line(&args.command);
    let plan = Plan::command(&inv, hosts, classify(&line, &inv.policy.patterns()));
    if args.opts.dry_run {
        ui.out(&dry_run(&inv, &plan, args.opts.format, ui));
        return Ok(Exit::Ok);
    }
    let settings = args.opts.settings(g, &inv, None)?;
    if args.opts.ask_become_pass {
        super::args::ask_become_pass()?;
    }
    let many = plan.hosts.len() > 1;
    let stream = !many && args.opts.format == Format::Text;
    session::execute(&inv, &plan, &settings, stream, ui, |summary, _| {
        match args.opts.format {
            Format::Json => ui.out(&report::json(&inv, summary, None)),
            Format::Text if !stream => ui.out_raw(&report::grouped(&inv, &summary.hosts, ui)),
            Format::Text => {}
        }
        if many || summary.hosts.iter().any(|h| h.status != Status::Ok) {
            ui.status(&report::summary_line(&inv, summary));
        }
    })
}

/// What `--dry-run` prints: the classification and the hosts.
fn dry_run(inv: &Inventory, plan: &Plan, format: Format, ui: &Ui) -> String {
    let class = &plan.steps[0].classification;
    if format == Format::Json {
        let mut value = serde_json::to_value(class).expect("plain JSON");
        value["hosts"] = json!(plan::targets(inv, &plan.hosts));
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("plain JSON")
        );
    }
    let targets: Vec<String> = plan
        .hosts
        .iter()
        .map(|&i| {
            format!(
                "{} {}",
                inv.hosts[i].name,
                ui.role_tag(Stream::Out, inv, &inv.hosts[i].role)
            )
        })
        .collect();
    let mut text = format!(
        "would run `{}` on {} host(s): {}\n",
        class.command,
        plan.hosts.len(),
        targets.join(", ")
    );
    for f in &class.rules {
        text.push_str(&format!("  destructive: {f}\n"));
    }
    for d in &class.unknown {
        text.push_str(&format!("  not known to be safe: {d}\n"));
    }
    text
}
