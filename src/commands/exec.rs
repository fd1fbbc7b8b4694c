//! `opsguard exec SELECTOR -- COMMAND...`: one command on the selected
//! hosts, recorded in the audit log.

use clap::Args;
use serde_json::{Map, json};

use super::{Format, GlobalArgs, RunOptions};
use super::{report, select, shell_line};
use crate::classify::classify;
use crate::error::{AppError, Exit};
use crate::execute::{self, Step};
use crate::guard::{self, online::Guarded};
use crate::session;
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Which hosts: `store-a1`, `store-*`, `@group`, `role:backup`, `!term`, comma-separated (no default)
    pub selector: String,
    #[command(flatten)]
    pub opts: RunOptions,
    /// The command, as one shell line or as words (joined with spaces)
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(g: &GlobalArgs, args: &ExecArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    let hosts = select(&inv, &args.selector, "selector")?;
    let line = shell_line(&args.command);
    let class = classify(&line, &inv.policy.patterns());
    let targets: Vec<String> = hosts
        .iter()
        .map(|&i| {
            format!(
                "{} {}",
                inv.hosts[i].name,
                ui.role_tag(Stream::Out, &inv, &inv.hosts[i].role)
            )
        })
        .collect();
    if args.opts.dry_run && args.opts.format == Format::Json {
        let hosts: Vec<_> = hosts
            .iter()
            .map(|&i| json!({"name": inv.hosts[i].name, "role": inv.hosts[i].role}))
            .collect();
        let mut value = serde_json::to_value(&class).expect("plain JSON");
        value["hosts"] = json!(hosts);
        ui.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("plain JSON")
        ));
        return Ok(Exit::Ok);
    }
    if args.opts.dry_run {
        let mut text = format!(
            "would run `{line}` on {} host(s): {}\n",
            hosts.len(),
            targets.join(", ")
        );
        for f in &class.rules {
            text.push_str(&format!("  destructive: {f}\n"));
        }
        for d in &class.unknown {
            text.push_str(&format!("  not known to be safe: {d}\n"));
        }
        ui.out(&text);
        return Ok(Exit::Ok);
    }
    let settings = args.opts.settings(g, &inv, None)?;
    let cancel = crate::interrupt::flag()?;
    let mut audit = session::start(&settings, None)?;
    let mut plan = Map::new();
    plan.insert(
        "targets".into(),
        json!(
            hosts
                .iter()
                .map(|&i| json!({"name": inv.hosts[i].name, "role": inv.hosts[i].role}))
                .collect::<Vec<_>>()
        ),
    );
    plan.insert("command".into(), json!(line));
    plan.insert("destructive".into(), json!(class.destructive));
    plan.insert("verdict".into(), json!(class.verdict));
    plan.insert("rules".into(), json!(class.rules));
    plan.insert("unknown".into(), json!(class.unknown));
    audit.record("plan", plan).map_err(session::audit_error)?;
    let _identity = session::identify(&inv, &hosts, &audit, &format!("exec {line}"));
    let actions: Vec<guard::Action> =
        guard::Action::for_command(&inv, format!("`{line}`"), &class, false, hosts.clone())
            .into_iter()
            .collect();
    let lease = match session::guard(&mut audit, &inv, &actions, &settings, true, ui)? {
        Guarded::Go(lease) => lease,
        Guarded::Refused(exit) => return session::end_refused(audit, exit),
    };
    let step = Step {
        number: 0,
        name: String::new(),
        command: line,
        timeout: settings.timeout,
        budget: None,
        destructive: class.destructive,
        verdict: class.verdict,
        hosts: None,
    };
    let stream = hosts.len() == 1 && args.opts.format == Format::Text;
    let opts = execute::Options {
        forks: settings.forks,
        lease,
        max_failures: usize::MAX,
        cancel,
        grace: std::time::Duration::from_secs(5),
        stream,
        keep: execute::keep_for(hosts.len(), 1),
    };
    let (summary, audit_failed) = session::run_recorded(
        &mut audit,
        &inv,
        ui,
        std::slice::from_ref(&hosts),
        &[step],
        &opts,
        false,
    );
    match args.opts.format {
        Format::Json => ui.out(&report::json(&inv, &summary, None)),
        Format::Text if !stream => ui.out_raw(&report::grouped(&inv, &summary.hosts, ui)),
        Format::Text => {}
    }
    if hosts.len() > 1
        || summary
            .hosts
            .iter()
            .any(|h| h.status != execute::Status::Ok)
    {
        ui.status(&report::summary_line(&inv, &summary));
    }
    session::end_run(audit, &summary, audit_failed)
}
