//! `opsguard plan PLAYBOOK [--limit SELECTOR]`: what a run would do, and
//! which guards apply. No network, no audit record.

use std::path::PathBuf;

use clap::Args;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Format, GlobalArgs};
use crate::error::{AppError, Exit};
use crate::guard;
use crate::inventory::Inventory;
use crate::plan::{self, Plan, Source};
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The playbook file
    pub playbook: PathBuf,
    /// Only these hosts (a selector), of those the playbook selects
    #[arg(long, value_name = "SELECTOR", add = super::complete::selector())]
    pub limit: Option<String>,
    /// Judge freezes and windows as at this time (RFC 3339) instead of now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also write the plan as a file to approve (`opsguard approve FILE`)
    /// and run exactly (`opsguard run --plan FILE`); a new file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How long the plan file may be run after it is made
    #[arg(long, value_name = "DURATION", default_value = "24h", requires = "out")]
    pub valid_for: String,
}

/// A file's full path, so a plan names the same file from any folder.
pub fn full(path: &std::path::Path) -> Result<PathBuf, AppError> {
    std::fs::canonicalize(path)
        .map_err(|e| AppError::invalid(format!("cannot read {}: {e}", path.display())))
}

pub fn run(g: &GlobalArgs, args: &PlanArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    // A plan file pins the playbook by its full path.
    let playbook = match &args.out {
        Some(_) => full(&args.playbook)?,
        None => args.playbook.clone(),
    };
    let (pb, facts) = super::load_playbook(&inv, &playbook, ui, "nothing to plan")?;
    let limit = match &args.limit {
        None => None,
        Some(text) => Some(super::select(&inv, text, "--limit")?),
    };
    let now = match &args.at {
        None => OffsetDateTime::now_utc(),
        Some(t) => OffsetDateTime::parse(t, &Rfc3339).map_err(|_| {
            AppError::invalid(format!(
                "--at `{t}` is not an RFC 3339 time like 2026-11-24T22:30:00Z"
            ))
        })?,
    };
    let plan = plan::build(&inv, &pb, &facts, limit.as_deref(), now);
    let verdicts = verdicts(&inv, &plan, now);
    if let Some(out) = &args.out {
        let valid_for: crate::duration::Duration = args
            .valid_for
            .parse()
            .map_err(|e| AppError::invalid(format!("--valid-for: {e}")))?;
        let inventory = inv
            .files
            .iter()
            .map(|f| full(f))
            .collect::<Result<Vec<_>, _>>()?;
        let file = crate::approval::PlanFile::new(
            plan.json(&inv),
            &playbook,
            &inventory,
            args.limit.as_deref(),
            now,
            valid_for.0,
        );
        file.save(out, true)
            .map_err(|e| AppError::of(Exit::Failed, e).hint("the plan is written to a new file"))?;
        let mut needs: Vec<String> = Vec::new();
        for step in plan.steps.iter().filter(|s| s.guarded.is_some()) {
            for &h in &step.hosts {
                let role = &inv.hosts[h].role;
                if let Some(n) = inv.policy.approvals_for(role) {
                    let need = format!("{role}: {n}");
                    if !needs.contains(&need) {
                        needs.push(need);
                    }
                }
            }
        }
        ui.status(&format!(
            "wrote plan {} to {}; it may run until {}; approvals needed: {}",
            &file.plan_id[..16],
            out.display(),
            file.text("expires"),
            if needs.is_empty() {
                "none".to_string()
            } else {
                needs.join(", ")
            }
        ));
    }
    match args.format {
        Format::Json => ui.out(&json(&inv, &plan, &verdicts)),
        Format::Text => {
            let mut out = text(&plan, &inv, ui);
            if plan.steps.iter().any(|s| s.guarded.is_some()) {
                out.push_str(&format!("\n{}\n", ui.bold(Stream::Out, "decision")));
                for (when, verdict) in &verdicts {
                    out.push_str(&format!("  {when}: {verdict}\n"));
                }
            }
            ui.out(&out)
        }
    }
    Ok(Exit::Ok)
}

/// The plan as JSON, with the offline guards' `decision`.
pub fn json(inv: &Inventory, plan: &Plan, verdicts: &[(&'static str, String); 2]) -> String {
    let mut value = plan.json(inv);
    value["decision"] = serde_json::json!({
        "terminal": verdicts[0].1,
        "no_terminal": verdicts[1].1,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("plain JSON")
    )
}

/// What the offline guards would say now (or `--at`), with the playbook's
/// change and no other flags, at a terminal and without one.
pub fn verdicts(inv: &Inventory, plan: &Plan, now: OffsetDateTime) -> [(&'static str, String); 2] {
    let actions = plan.actions(inv);
    let say = |terminal: bool| {
        let ctx = guard::Context {
            terminal,
            confirm_role: None,
            change: plan.change.as_deref(),
            emergency: None,
            now,
            approval: &guard::Approval::NoPlan,
        };
        match guard::decide(inv, &actions, &ctx) {
            guard::Decision::Run => "runs (nothing guarded)".to_string(),
            guard::Decision::Ask(q) => format!(
                "asks for the role `{}`{}, after the replication checks and locks",
                q.role,
                q.count
                    .map(|c| format!(" and the count {c}"))
                    .unwrap_or_default()
            ),
            guard::Decision::Confirmed(q) => format!("runs with --confirm-role {}", q.role),
            guard::Decision::Refuse(r) => format!("refused ({}): {}", r.reason, r.message),
        }
    };
    [
        ("at a terminal", say(true)),
        ("without a terminal", say(false)),
    ]
}

fn targets(hosts: &[usize], inv: &Inventory, ui: &Ui) -> String {
    if hosts.is_empty() {
        return "none (skipped)".into();
    }
    hosts
        .iter()
        .map(|&h| {
            let h = &inv.hosts[h];
            format!("{} {}", h.name, ui.role_tag(Stream::Out, inv, &h.role))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn text(plan: &Plan, inv: &Inventory, ui: &Ui) -> String {
    let mut out = String::new();
    if let Source::Playbook {
        name,
        file,
        description,
    } = &plan.source
    {
        out.push_str(&format!(
            "{} {}  ({})\n",
            ui.bold(Stream::Out, "playbook"),
            ui.data(Stream::Out, name),
            ui.data(Stream::Out, file)
        ));
        if let Some(d) = description {
            out.push_str(&format!("  {}\n", ui.data(Stream::Out, d)));
        }
    }
    out.push_str(&format!(
        "  change: {}   max_failures: {}\n",
        plan.change.as_deref().unwrap_or("none"),
        plan.max_failures
            .map_or_else(|| "none".to_string(), |m| m.to_string())
    ));
    out.push_str(&format!("  hosts: {}\n", targets(&plan.hosts, inv, ui)));
    let batches: Vec<String> = plan
        .batches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let names: Vec<&str> = b.iter().map(|&h| inv.hosts[h].name.as_str()).collect();
            format!("{}) {}", i + 1, names.join(", "))
        })
        .collect();
    out.push_str(&format!("  batches: {}\n", batches.join("  ")));
    for s in &plan.steps {
        out.push('\n');
        let mark = match s.guarded {
            Some(guard::Kind::Destructive) => format!("  {}", ui.bold(Stream::Out, "DESTRUCTIVE")),
            Some(guard::Kind::NotKnownSafe) => {
                format!("  {}", ui.bold(Stream::Out, "NOT KNOWN TO BE SAFE"))
            }
            None => String::new(),
        };
        // Names and commands come from the playbook file: data.
        let data = |t: &str| ui.data(Stream::Out, t).into_owned();
        out.push_str(&format!("step {}: {}{mark}\n", s.number, data(&s.name)));
        out.push_str(&format!("  run:    {}\n", data(&s.command)));
        match &s.become_user {
            Some(user) => out.push_str(&format!("  as:     {user} (become, through sudo -n)\n")),
            // The hosts' own `become` (or settings'), where they have one.
            None => {
                let mut users: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
                for &h in &s.hosts {
                    if let Some(user) = &inv.hosts[h].become_user {
                        users.entry(user).or_default().push(&inv.hosts[h].name);
                    }
                }
                for (user, hosts) in users {
                    out.push_str(&format!(
                        "  as:     {user} on {} (the hosts' become, through sudo -n)\n",
                        hosts.join(", ")
                    ));
                }
            }
        }
        if s.declared {
            out.push_str("  why:    declared `destructive: true`\n");
        }
        for f in &s.classification.rules {
            out.push_str(&format!("  why:    {}\n", data(&f.to_string())));
        }
        if !s.destructive {
            for d in &s.classification.unknown {
                out.push_str(&format!(
                    "  not known to be safe: {}\n",
                    data(&d.to_string())
                ));
            }
        }
        if let Some(role) = &s.role {
            out.push_str(&format!(
                "  role:   {}\n",
                ui.paint_role(Stream::Out, inv, role, role)
            ));
        }
        out.push_str(&format!("  on:     {}\n", targets(&s.hosts, inv, ui)));
        if let Some(t) = &s.timeout {
            out.push_str(&format!("  timeout: {t}\n"));
        }
        if let Some(b) = s.budget {
            out.push_str(&format!("  budget: output must be a number <= {b}\n"));
        }
        if !s.guards.is_empty() {
            out.push_str("  guards:\n");
            for guard in &s.guards {
                out.push_str(&format!("    - {}\n", data(&guard.describe())));
            }
        }
    }
    out
}
