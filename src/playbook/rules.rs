//! The checks that need the inventory: what each step selects, whether it
//! is destructive, and whether its hosts agree on one role.
//!
//! [`check`] returns what it learned about each step (hosts, destructive
//! or not and why) so the plan is built from the same facts the validator
//! judged, never from a second reading.

use super::{Playbook, SelectorAt, Step};
use crate::classify::{Classification, classify};
use crate::diagnostic::{Code, Diagnostic, Report};
use crate::guard::{Kind, kind_of};
use crate::inventory::Inventory;
use crate::inventory::selector::Problem;

/// What validation found out about one step.
#[derive(Clone, Debug)]
pub struct StepFacts {
    /// Selected host indices; `None` when the selector had problems.
    pub hosts: Option<Vec<usize>>,
    pub classification: Classification,
    pub destructive: bool,
    /// Whether (and why) the guards stand in front of the step.
    pub guarded: Option<Kind>,
}

/// Hosts a selector picks, or its problems reported as E010/E011.
pub fn resolve(sel: &SelectorAt, inv: &Inventory, report: &mut Report) -> Option<Vec<usize>> {
    match sel.selector.resolve(inv) {
        Ok(hosts) => Some(hosts),
        Err(problems) => {
            for p in problems {
                let d = match p {
                    Problem::Unknown { term, message } => {
                        Diagnostic::new(sel.term_loc(Some(term)), Code::E010, message)
                    }
                    Problem::NoMatch { term, message } => {
                        Diagnostic::new(sel.term_loc(term), Code::E011, message)
                    }
                };
                report.push(d);
            }
            None
        }
    }
}

fn listed(inv: &Inventory, hosts: &[usize]) -> String {
    let mut names: Vec<String> = hosts
        .iter()
        .take(5)
        .map(|&i| format!("{} [{}]", inv.hosts[i].name, inv.hosts[i].role))
        .collect();
    if hosts.len() > 5 {
        names.push(format!("and {} more", hosts.len() - 5));
    }
    names.join(", ")
}

pub fn check(pb: &Playbook, inv: &Inventory, report: &mut Report) -> Vec<StepFacts> {
    if pb.description.is_none() {
        report.push(
            Diagnostic::new(pb.name.loc.clone(), Code::W103, format!("playbook `{}` has no description", pb.name.value))
                .help("say what the playbook is for in `description`, for the reviewer reading the audit log"),
        );
    }
    pb.steps
        .iter()
        .map(|step| check_step(pb, step, inv, report))
        .collect()
}

fn check_step(pb: &Playbook, step: &Step, inv: &Inventory, report: &mut Report) -> StepFacts {
    let classification = classify(&step.run.value, &inv.policy.patterns());
    let declared = step.destructive.as_ref().map(|d| d.value);
    let destructive = declared == Some(true) || classification.destructive;
    if let (Some(d), true) = (
        &step.destructive,
        declared == Some(false) && classification.destructive,
    ) {
        let why = &classification.rules[0];
        report.push(
            Diagnostic::new(
                d.loc.clone(),
                Code::E023,
                format!("step `{}` declares `destructive: false` but its command is destructive ({}: {})", step.name, why.rule, why.reason),
            )
            .help("a step cannot declare itself safe: remove `destructive: false` and name its `role`"),
        );
    }
    let selector = step.hosts.as_ref().or(pb.hosts.as_ref());
    let hosts = match selector {
        Some(sel) => resolve(sel, inv, report),
        None if step.hosts_given || pb.hosts_given => None,
        None => {
            report.push(
                Diagnostic::new(
                    step.loc.clone(),
                    Code::E003,
                    format!("step `{}` has no hosts", step.name),
                )
                .help("set `hosts` on the playbook, or on this step"),
            );
            None
        }
    };
    let role_known = step
        .role
        .as_ref()
        .is_none_or(|r| inv.roles.contains_key(&r.value));
    if let Some(role) = &step.role
        && !role_known
    {
        let known: Vec<&str> = inv.roles.keys().map(String::as_str).collect();
        report.push(
            Diagnostic::new(
                role.loc.clone(),
                Code::E004,
                format!("unknown role `{}`", role.value),
            )
            .help(format!("declared roles: {}", known.join(", "))),
        );
    }
    if let Some(user) = &step.become_user
        && let Some(&local) = hosts
            .iter()
            .flatten()
            .find(|&&i| !matches!(inv.hosts[i].connection, crate::inventory::Connection::Ssh))
    {
        report.push(
            Diagnostic::new(
                user.loc.clone(),
                Code::E004,
                format!(
                    "step `{}` has `become` but runs on `{}`, a local host",
                    step.name, inv.hosts[local].name
                ),
            )
            .help("`become` is for SSH hosts: a local host runs commands as you"),
        );
    }
    let mut roles: Vec<&str> = hosts
        .iter()
        .flatten()
        .map(|&i| inv.hosts[i].role.as_str())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    if destructive && step.role.is_none() {
        let at = match &step.destructive {
            Some(d) if d.value => d.loc.clone(),
            _ => step.run.loc.clone(),
        };
        let help = match roles[..] {
            [one] => format!(
                "add `role: {one}`: the role of the hosts it selects, asserted before anything runs"
            ),
            _ => "add `role:` with the one role of the hosts this step may touch".to_string(),
        };
        report.push(
            Diagnostic::new(
                at,
                Code::E020,
                format!("destructive step `{}` has no `role`", step.name),
            )
            .help(help),
        );
    }
    if let (Some(hosts), Some(sel)) = (&hosts, selector) {
        if destructive && roles.len() > 1 {
            report.push(
                Diagnostic::new(
                    sel.loc.clone(),
                    Code::E022,
                    format!("destructive step `{}` selects hosts of more than one role: {}", step.name, listed(inv, hosts)),
                )
                .help("a destructive action targets exactly one role: split the step or narrow `hosts`"),
            );
        }
        if let Some(role) = step.role.as_ref().filter(|_| role_known) {
            let wrong: Vec<usize> = hosts
                .iter()
                .copied()
                .filter(|&i| inv.hosts[i].role != role.value)
                .collect();
            if !wrong.is_empty() {
                report.push(Diagnostic::new(
                    role.loc.clone(),
                    Code::E021,
                    format!(
                        "step `{}` has role {} but selects {}",
                        step.name,
                        role.value,
                        listed(inv, &wrong)
                    ),
                ));
            }
        }
    }
    let role = step
        .role
        .as_ref()
        .map(|r| r.value.as_str())
        .or(match roles[..] {
            [one] => Some(one),
            _ => None,
        });
    if destructive && role.is_some_and(|r| inv.is_protected(r)) {
        let role = role.unwrap_or_default();
        if pb.change.is_none() {
            report.push(
                Diagnostic::new(step.loc.clone(), Code::W101, format!("destructive step `{}` on protected role {role} without a `change` ticket", step.name))
                    .help("add `change: <ticket>` to the playbook so the audit log ties the work to its change"),
            );
        }
        if pb.serial.is_empty() {
            report.push(
                Diagnostic::new(step.loc.clone(), Code::W102, format!("destructive step `{}` on protected role {role} without `serial`: every host at once", step.name))
                    .help("roll out in batches, a canary first: `serial: [1, \"50%\"]`"),
            );
        }
    }
    let guarded = match &hosts {
        Some(hosts) => kind_of(inv, &classification, destructive, hosts),
        None => destructive.then_some(Kind::Destructive),
    };
    if guarded == Some(Kind::NotKnownSafe) {
        report.push(not_known_safe(step, inv, &classification, &roles));
    }
    StepFacts {
        hosts,
        classification,
        destructive,
        guarded,
    }
}

/// W104: the step will meet the guards although nothing says it destroys.
fn not_known_safe(
    step: &Step,
    inv: &Inventory,
    class: &Classification,
    roles: &[&str],
) -> Diagnostic {
    let guarding: Vec<&str> = roles
        .iter()
        .copied()
        .filter(|r| inv.guards_unknown(r))
        .collect();
    let mut message = format!(
        "step `{}` runs a command not known to be safe ({}) on {}: it is guarded like destructive work",
        step.name,
        class.why(2),
        guarding.join(", ")
    );
    if roles.len() > 1 {
        message.push_str(&format!(
            ", and it selects hosts of {} roles, so `run` refuses it (mixed-roles)",
            roles.len()
        ));
    }
    Diagnostic::new(step.run.loc.clone(), Code::W104, message).help(
        "if the command only reads, declare it in the inventory's `policy.safe_patterns`; \
         if it changes things, say `destructive: true` and name its `role`",
    )
}
