//! `opsguard exec SELECTOR -- COMMAND...`: one command on the selected
//! hosts, recorded in the audit log.

use clap::Args;
use serde_json::{Map, json};

use super::session::{self, Recorder};
use super::{report, select, shell_line};
use crate::classify::classify;
use crate::cli::{Format, GlobalArgs, RunOptions};
use crate::error::{AppError, Exit};
use crate::execute::{self, Step};
use crate::guard;
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
    let class = classify(&line, &inv.policy.destructive_patterns);
    let timeout = session::timeout(&args.opts, &inv)?;
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
    if args.opts.dry_run {
        let mut text = format!(
            "would run `{line}` on {} host(s): {}\n",
            hosts.len(),
            targets.join(", ")
        );
        for f in &class.rules {
            text.push_str(&format!("  destructive: {}: {}\n", f.rule, f.reason));
        }
        ui.out(&text);
        return Ok(Exit::Ok);
    }
    let cancel = session::interrupt_flag()?;
    let mut audit = session::start(g, &inv, &args.opts, None, args.opts.change.as_deref())?;
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
    plan.insert("rules".into(), json!(class.rules));
    audit.record("plan", plan).map_err(session::audit_error)?;
    let _identity = session::identify(&inv, &hosts, &audit, &format!("exec {line}"));
    let actions: Vec<guard::Action> = class
        .destructive
        .then(|| guard::Action {
            what: format!("`{line}`"),
            why: class
                .rules
                .iter()
                .map(|f| format!("{}: {}", f.rule, f.reason))
                .collect::<Vec<_>>()
                .join("; "),
            hosts: hosts.clone(),
        })
        .into_iter()
        .collect();
    let change = args.opts.change.as_deref();
    let lease = match session::guard(&mut audit, &inv, &actions, &args.opts, change, ui)? {
        session::Guarded::Go(lease) => lease,
        session::Guarded::Refused(exit) => return session::end_refused(audit, exit),
    };
    let step = Step {
        number: 0,
        name: String::new(),
        command: line,
        timeout,
        budget: None,
        destructive: class.destructive,
        hosts: None,
    };
    let stream = hosts.len() == 1 && args.opts.format == Format::Text;
    let renewer = lease.as_ref().map(|l| session::Renewer::start(&inv, l));
    let opts = execute::Options {
        forks: args.opts.forks.unwrap_or(inv.forks()) as usize,
        lease: lease.clone(),
        max_failures: usize::MAX,
        cancel,
        grace: std::time::Duration::from_secs(5),
        stream,
    };
    let mut recorder = Recorder {
        inv: &inv,
        ui,
        session: &mut audit,
        progress: ui.progress(hosts.len()),
        stream,
        steps: false,
        audit_failed: None,
    };
    let summary = execute::run(
        &inv,
        std::slice::from_ref(&hosts),
        &[step],
        &opts,
        &mut recorder,
    );
    recorder.progress.finish();
    let audit_failed = recorder.audit_failed.take();
    drop(renewer);
    if let Some(lease) = &lease {
        session::release(&mut audit, &inv, lease, opts.forks);
    }
    match args.opts.format {
        Format::Json => ui.out(&report::json(&inv, &summary, None)),
        Format::Text if !stream => ui.out(&report::grouped(&inv, &summary.hosts, ui)),
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
    let (exit, status) = report::outcome(&summary, audit_failed.is_some());
    if let Some(e) = audit_failed {
        return Err(AppError::new(
            Exit::Audit,
            format!("{e}; no command was started after that"),
        ));
    }
    audit
        .end(status, exit.code())
        .map_err(|e| AppError::new(Exit::Audit, e.to_string()))?;
    Ok(exit)
}
