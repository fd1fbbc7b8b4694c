//! `opsguard approve FILE [--key PATH] [--show]`: a reviewer signs a plan
//! file, as a recorded audit session of their own.

use std::path::PathBuf;

use clap::Args;

use super::GlobalArgs;
use crate::approval::{self, PlanFile};
use crate::audit::{self, Event, event};
use crate::error::{AppError, Exit};
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan file (from `opsguard plan PLAYBOOK --out FILE`)
    pub file: PathBuf,
    /// Sign with this key: a private key, or a public key whose private
    /// half ssh-agent holds [default: ssh-agent's first key]
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// Only print what the plan does and who approved it so far
    #[arg(long)]
    pub show: bool,
    /// The name to approve as, as settings.allowed_signers names your key
    /// [default: your user name]
    #[arg(long, value_name = "NAME")]
    pub principal: Option<String>,
}

pub fn run(g: &GlobalArgs, args: &ApproveArgs, ui: &Ui) -> Result<Exit, AppError> {
    let mut file = PlanFile::load(&args.file).map_err(|e| AppError::of(Exit::Invalid, e))?;
    ui.out(&ui.data(Stream::Out, &summary(&file)));
    if args.show {
        return Ok(Exit::Ok);
    }
    let expires = file.text("expires").to_string();
    if crate::audit::record::timestamp(time::OffsetDateTime::now_utc()) > expires {
        return Err(AppError::invalid(format!(
            "the plan expired at {expires}; ask for a new one"
        )));
    }
    let principal = match &args.principal {
        Some(p) => p.clone(),
        None => crate::account::user_name()
            .ok_or_else(|| AppError::invalid("this uid has no user name; pass --principal NAME"))?,
    };
    // Shown in prompts and records: a name, never terminal control.
    if principal.is_empty()
        || principal
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(AppError::invalid(format!(
            "--principal `{}` is not a name",
            principal.escape_debug()
        )));
    }
    let inv = super::audit::inventory_if_any(g);
    let log = super::audit::log_path(g, inv.as_ref())?;
    let argv: Vec<String> = std::env::args().collect();
    let start = audit::Start {
        argv: &argv,
        terminal: crate::guard::prompt::terminal(),
        inventory: None,
        playbook: Some(&file.playbook()),
        change: None,
        emergency: None,
        confirm_role: None,
        plan: None,
    };
    let mirror = inv.as_ref().and_then(|i| i.settings.audit_syslog.as_ref());
    let mut session = audit::Session::start(&log, mirror, start).map_err(audit::nothing_ran)?;
    let (signature, key) = match approval::sign(&file.plan_id, args.key.as_deref()) {
        Ok(signed) => signed,
        Err(e) => {
            session
                .end("failed", Exit::Failed.code())
                .map_err(audit::nothing_more_ran)?;
            return Err(AppError::new(Exit::Failed, e));
        }
    };
    session
        .record(Event::PlanApprove(event::PlanApprove {
            plan_id: file.plan_id.clone(),
            file: args.file.display().to_string(),
            principal: principal.clone(),
            key: key.clone(),
            playbook: file.playbook().display().to_string(),
            expires,
        }))
        .map_err(audit::nothing_ran)?;
    // One approval per person: a new one replaces their old one.
    file.approvals.retain(|a| a.principal != principal);
    file.approvals.push(approval::Approval {
        principal: principal.clone(),
        key: key.clone(),
        signed: crate::audit::record::timestamp(time::OffsetDateTime::now_utc()),
        signature,
    });
    file.save(&args.file, false)
        .map_err(|e| AppError::of(Exit::Failed, e))?;
    session.end("ok", 0).map_err(audit::nothing_more_ran)?;
    ui.status(&format!(
        "approved plan {} as {principal} with {key}",
        &file.plan_id[..16]
    ));
    Ok(Exit::Ok)
}

/// What a reviewer approves: the plan id, its dates and files, each step
/// on its hosts with its guards, and the approvals so far.
fn summary(file: &PlanFile) -> String {
    let c = &file.content;
    let plan = &c["plan"];
    let mut out = format!(
        "plan {}\n  playbook {} ({})\n  made {}, runs until {}\n  change {}\n",
        file.plan_id,
        c["playbook"]["path"].as_str().unwrap_or(""),
        c["playbook"]["sha256"].as_str().unwrap_or(""),
        file.text("created"),
        file.text("expires"),
        plan["change"].as_str().unwrap_or("none"),
    );
    if let Some(limit) = c["limit"].as_str() {
        out.push_str(&format!("  limited to {limit}\n"));
    }
    for (i, batch) in plan["batches"].as_array().into_iter().flatten().enumerate() {
        let hosts: Vec<&str> = batch
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str())
            .collect();
        out.push_str(&format!("  batch {}: {}\n", i + 1, hosts.join(", ")));
    }
    let names = |hosts: &serde_json::Value| {
        hosts
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                format!(
                    "{} [{}]",
                    h["name"].as_str().unwrap_or(""),
                    h["role"].as_str().unwrap_or("").to_uppercase()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for step in plan["steps"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  step {} `{}`: {}\n    on {}\n",
            step["number"],
            step["name"].as_str().unwrap_or(""),
            step["command"].as_str().unwrap_or(""),
            names(&step["hosts"])
        ));
        if let Some(kind) = step["guarded"].as_str() {
            out.push_str(&format!("    guarded: {kind}\n"));
        }
        for (key, label) in [
            ("become", "as"),
            ("timeout", "timeout"),
            ("budget", "budget"),
        ] {
            let value = &step[key];
            if !value.is_null() {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), String::from);
                out.push_str(&format!("    {label} {text}\n"));
            }
        }
    }
    match file.approvals.len() {
        0 => out.push_str("  approvals: none yet\n"),
        _ => {
            for a in &file.approvals {
                out.push_str(&format!(
                    "  approved by {} ({}) at {}\n",
                    a.principal, a.key, a.signed
                ));
            }
        }
    }
    out
}
