//! The guards: whether destructive work may go ahead, decided before
//! anything connects.
//!
//! [`decide`] is a pure function of what is about to run, the inventory's
//! roles and policy, how opsguard was started (terminal or not, flags) and
//! the clock. It answers *run* (nothing destructive), *confirmed* (no
//! terminal, and the flags say exactly what a person would have typed),
//! *ask* (a person at a terminal types the role back), or *refuse* with a
//! reason code that the audit log records. It never decides to run when it
//! cannot tell: anything it does not recognise is a refusal.
//!
//! [`ask`] puts the question to the operator through a [`Prompt`].

mod applies;
pub mod online;
pub mod prompt;

use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::classify::{Classification, Verdict};
use crate::inventory::Inventory;
use crate::inventory::policy::WindowStatus;

pub use applies::{Guard, applying};
pub use prompt::{Answer, Prompt};

/// Why a guard refused, as the audit log's `reason` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Destructive work aimed at hosts of more than one role.
    MixedRoles,
    /// The role needs a change ticket and none was given.
    ChangeRequired,
    /// A freeze is in force on the role.
    Freeze,
    /// The role takes destructive work only inside its windows.
    OutsideWindow,
    /// No terminal, and no `--confirm-role`.
    ConfirmRoleMissing,
    /// `--confirm-role` names another role.
    ConfirmRoleMismatch,
    /// The operator typed another role.
    RoleMismatch,
    /// The operator typed another number of hosts.
    CountMismatch,
    /// The operator did not answer yes.
    Declined,
    /// The input ended at a prompt.
    Eof,
    /// Ctrl-C at a prompt.
    Interrupted,
    /// A target's `replication_check` did not exit 0.
    ReplicationCheckFailed,
    /// A target is locked by another session.
    Locked,
    /// A target's lock has expired: it stays until `lock break`.
    LockStale,
    /// The role takes guarded work only from an approved plan.
    ApprovalRequired,
    /// The plan has fewer approvers than the role's policy asks.
    ApprovalMissing,
    /// An approval's signature does not hold, or its key is not the
    /// approver's in allowed_signers.
    ApprovalInvalid,
    /// The operator approved their own plan.
    SelfApproval,
    /// The playbook, the inventory or the resolved plan changed since the
    /// plan was made.
    PlanStale,
    /// The plan is past its expiry.
    PlanExpired,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::MixedRoles => "mixed-roles",
            Reason::ChangeRequired => "change-required",
            Reason::Freeze => "freeze",
            Reason::OutsideWindow => "outside-window",
            Reason::ConfirmRoleMissing => "confirm-role-missing",
            Reason::ConfirmRoleMismatch => "confirm-role-mismatch",
            Reason::RoleMismatch => "role-mismatch",
            Reason::CountMismatch => "count-mismatch",
            Reason::Declined => "declined",
            Reason::Eof => "eof",
            Reason::Interrupted => "interrupted",
            Reason::ReplicationCheckFailed => "replication-check-failed",
            Reason::Locked => "locked",
            Reason::LockStale => "lock-stale",
            Reason::ApprovalRequired => "approval-required",
            Reason::ApprovalMissing => "approval-missing",
            Reason::ApprovalInvalid => "approval-invalid",
            Reason::SelfApproval => "self-approval",
            Reason::PlanStale => "plan-stale",
            Reason::PlanExpired => "plan-expired",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why the guards stand in front of an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A rule says it destroys (or the step says so itself).
    Destructive,
    /// It is not known to be safe, on a role whose `unknown_commands` is
    /// `guard`.
    NotKnownSafe,
}

/// The kind as a record names it.
impl From<Kind> for crate::audit::event::Guarded {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Destructive => crate::audit::event::Guarded::Destructive,
            Kind::NotKnownSafe => crate::audit::event::Guarded::NotKnownSafe,
        }
    }
}

/// One guarded action: a command or a playbook step and its hosts.
#[derive(Clone, Debug)]
pub struct Action {
    /// "`rm -rf /srv/old`" or "step 2 `wipe` of reinit-pack".
    pub what: String,
    /// Why it is guarded, for the prompt and the refusal.
    pub why: String,
    /// Inventory indices.
    pub hosts: Vec<usize>,
    pub kind: Kind,
}

/// Whether running what `class` says on `hosts` is guarded, and why:
/// destructive work everywhere, work not known to be safe when one of the
/// hosts' roles guards unknown commands. `declared` is a step's own
/// `destructive: true`.
pub fn kind_of(
    inv: &Inventory,
    class: &Classification,
    declared: bool,
    hosts: &[usize],
) -> Option<Kind> {
    if class.destructive || declared {
        Some(Kind::Destructive)
    } else if class.verdict == Verdict::Unknown
        && hosts
            .iter()
            .any(|&h| inv.guards_unknown(&inv.hosts[h].role))
    {
        Some(Kind::NotKnownSafe)
    } else {
        None
    }
}

impl Action {
    /// The guarded action for `class` on `hosts`, if the guards must see
    /// it (see [`kind_of`]).
    pub fn for_command(
        inv: &Inventory,
        what: String,
        class: &Classification,
        declared: bool,
        hosts: Vec<usize>,
    ) -> Option<Action> {
        let kind = kind_of(inv, class, declared, &hosts)?;
        let why = match kind {
            Kind::Destructive if class.rules.is_empty() => {
                "declared `destructive: true`".to_string()
            }
            _ => class.why(5),
        };
        Some(Action {
            what,
            why,
            hosts,
            kind,
        })
    }
}

/// "destructive work", or "work not known to be safe" when none of the
/// actions is destructive: what the refusals talk about.
fn work(actions: &[Action]) -> &'static str {
    if actions.iter().any(|a| a.kind == Kind::Destructive) {
        "destructive work"
    } else {
        "work not known to be safe"
    }
}

/// What stands in for a person at the guards, and what they record: the
/// flags of `exec`, `run`, `shell` and `lock break`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// The targets' role, typed back, for use without a terminal.
    pub confirm_role: Option<String>,
    /// The change ticket (`--change`, else the playbook's).
    pub change: Option<String>,
    /// Override a freeze or window, with the reason.
    pub emergency: Option<String>,
    /// The approved plan this run is (`run --plan`).
    pub approval: Approval,
}

/// Where a run stands with approvals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Approval {
    /// No plan: a role with `policy.approvals` refuses guarded work
    /// (`--emergency` overrides, recorded).
    #[default]
    NoPlan,
    /// `run --plan`: the approvers whose signatures held.
    Approved(Vec<crate::approval::Approver>),
    /// `run --plan`, and the plan itself was refused (stale, expired, a
    /// signature that does not hold, the operator's own approval).
    Refused(Refusal),
}

/// How opsguard was started, and when.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// A terminal on stdin and on stderr.
    pub terminal: bool,
    pub confirm_role: Option<&'a str>,
    /// `--change`, else the playbook's `change`.
    pub change: Option<&'a str>,
    pub emergency: Option<&'a str>,
    pub now: OffsetDateTime,
    pub approval: &'a Approval,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub message: String,
    /// What the operator typed, when a prompt was refused.
    pub typed: Option<String>,
}

impl Refusal {
    fn new(reason: Reason, message: impl Into<String>) -> Refusal {
        Refusal {
            reason,
            message: message.into(),
            typed: None,
        }
    }
}

/// What a person has to confirm: the role of every target, and for a
/// protected role with several hosts their number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub role: String,
    /// Inventory indices of every target of destructive work, in order.
    pub hosts: Vec<usize>,
    /// The number to type back, when asked for.
    pub count: Option<usize>,
    /// A freeze or window `--emergency` overrides, to show and record.
    pub overrides: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing destructive.
    Run,
    /// No terminal; `--confirm-role` (and `--change` where needed) confirm.
    Confirmed(Question),
    /// Ask the person at the terminal.
    Ask(Question),
    Refuse(Refusal),
}

fn equal_role(typed: &str, role: &str) -> bool {
    typed.trim().eq_ignore_ascii_case(role)
}

/// Decide, before anything connects, whether `actions` may go ahead.
pub fn decide(inv: &Inventory, actions: &[Action], ctx: &Context) -> Decision {
    // A refused plan runs nothing, guarded or not.
    if let Approval::Refused(r) = ctx.approval {
        return Decision::Refuse(r.clone());
    }
    let mut hosts: Vec<usize> = Vec::new();
    for &h in actions.iter().flat_map(|a| &a.hosts) {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    let Some(&first) = hosts.first() else {
        return Decision::Run;
    };
    let role = inv.hosts[first].role.clone();
    let mut roles: Vec<&str> = Vec::new();
    for &h in &hosts {
        let r = inv.hosts[h].role.as_str();
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.len() > 1 {
        let each: Vec<String> = roles
            .iter()
            .map(|r| {
                let names: Vec<&str> = hosts
                    .iter()
                    .filter(|&&h| inv.hosts[h].role == *r)
                    .map(|&h| inv.hosts[h].name.as_str())
                    .collect();
                format!("{r}: {}", names.join(", "))
            })
            .collect();
        return Decision::Refuse(Refusal::new(
            Reason::MixedRoles,
            format!(
                "{} aimed at hosts of {} roles ({}); one run touches one role: \
                 narrow the selector or split the playbook",
                work(actions),
                roles.len(),
                each.join("; ")
            ),
        ));
    }
    let policy = &inv.policy;
    let protected = inv.is_protected(&role);
    if ctx.change.is_none() && (policy.requires_change(&role) || (protected && !ctx.terminal)) {
        let work = work(actions);
        let why = if policy.requires_change(&role) {
            format!("the policy requires a change ticket for {work} on {role}")
        } else {
            format!("{role} is protected: without a terminal, {work} on it needs a change ticket")
        };
        return Decision::Refuse(Refusal::new(
            Reason::ChangeRequired,
            format!("{why}; pass --change ID"),
        ));
    }
    let mut overrides = Vec::new();
    if let Some(need) = policy.approvals_for(&role) {
        match (ctx.approval, ctx.emergency) {
            (Approval::NoPlan, None) => {
                return Decision::Refuse(Refusal::new(
                    Reason::ApprovalRequired,
                    format!(
                        "{} on {role} needs a plan approved by {need} other {}: \
                         opsguard plan PLAYBOOK --out FILE, then opsguard approve FILE (by them), \
                         then opsguard run --plan FILE; only --emergency REASON overrides, and it is recorded",
                        work(actions),
                        if need == 1 { "person" } else { "people" }
                    ),
                ));
            }
            (Approval::NoPlan, Some(_)) => {
                overrides.push(format!("no approved plan ({need} approval(s) required)"))
            }
            (Approval::Approved(approvers), _) if approvers.len() < need => {
                let names: Vec<&str> = approvers.iter().map(|a| a.principal.as_str()).collect();
                return Decision::Refuse(Refusal::new(
                    Reason::ApprovalMissing,
                    format!(
                        "{} on {role} needs {need} approver(s) other than you; the plan has {}{}",
                        work(actions),
                        approvers.len(),
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", names.join(", "))
                        }
                    ),
                ));
            }
            _ => {}
        }
    }
    if let Some(f) = policy.freeze_at(&role, ctx.now) {
        let until = f.to.format(&Rfc3339).unwrap_or_default();
        match ctx.emergency {
            None => {
                return Decision::Refuse(Refusal::new(
                    Reason::Freeze,
                    format!(
                        "{role} is frozen until {until} ({}); only --emergency REASON overrides a freeze, and it is recorded",
                        f.reason
                    ),
                ));
            }
            Some(_) => overrides.push(format!("freeze until {until} ({})", f.reason)),
        }
    }
    if let WindowStatus::Outside(windows) = policy.window_status(&role, ctx.now) {
        let list: Vec<String> = windows.iter().map(ToString::to_string).collect();
        match ctx.emergency {
            None => {
                return Decision::Refuse(Refusal::new(
                    Reason::OutsideWindow,
                    format!(
                        "{} on {role} is allowed only inside its windows ({}); \
                         now is outside them. Wait, or pass --emergency REASON (recorded)",
                        work(actions),
                        list.join(", ")
                    ),
                ));
            }
            Some(_) => overrides.push(format!("outside the windows ({})", list.join(", "))),
        }
    }
    let question = Question {
        role: role.clone(),
        count: (protected && hosts.len() > 1).then_some(hosts.len()),
        hosts,
        overrides,
    };
    match (ctx.terminal, ctx.confirm_role) {
        (_, Some(typed)) if !equal_role(typed, &role) => Decision::Refuse(Refusal {
            reason: Reason::ConfirmRoleMismatch,
            message: format!("--confirm-role {typed} does not match the role of the target hosts"),
            typed: Some(typed.to_string()),
        }),
        (false, Some(_)) => Decision::Confirmed(question),
        (false, None) => Decision::Refuse(Refusal::new(
            Reason::ConfirmRoleMissing,
            format!(
                "{} without a terminal needs --confirm-role ROLE, naming the role of the target hosts",
                work(actions)
            ),
        )),
        (true, _) => Decision::Ask(question),
    }
}

/// Put `question` to the operator: the role, then the count when asked
/// for, then `[y/N]`. `Ok` (with what was typed) only when every answer
/// was right.
pub fn ask(prompt: &mut dyn Prompt, question: &Question) -> Result<Vec<String>, Refusal> {
    let mut typed_all = Vec::new();
    let refused = |reason: Reason, message: &str, typed: Option<String>| Refusal {
        reason,
        message: message.to_string(),
        typed,
    };
    let answer = |a: Answer| match a {
        Answer::Line(s) => Ok(s),
        Answer::Eof => Err(refused(Reason::Eof, "the input ended at the prompt", None)),
        Answer::Interrupted => Err(refused(
            Reason::Interrupted,
            "interrupted at the prompt",
            None,
        )),
    };
    let typed = answer(prompt.line("Type the role of the target hosts to continue:"))?;
    typed_all.push(typed.clone());
    if !equal_role(&typed, &question.role) {
        let message = if typed.trim().is_empty() {
            "no role typed".to_string()
        } else {
            format!("`{}` is not the role of the target hosts", typed.trim())
        };
        return Err(refused(Reason::RoleMismatch, &message, Some(typed)));
    }
    if let Some(count) = question.count {
        let typed = answer(prompt.line("Type the number of target hosts to continue:"))?;
        typed_all.push(typed.clone());
        if typed.trim().parse::<usize>().ok() != Some(count) {
            return Err(refused(
                Reason::CountMismatch,
                &format!("`{}` is not the number of target hosts", typed.trim()),
                Some(typed),
            ));
        }
    }
    let n = question.hosts.len();
    let typed = answer(prompt.line(&format!(
        "Run it on {n} host{}? [y/N]",
        if n == 1 { "" } else { "s" }
    )))?;
    if !matches!(typed.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Err(refused(Reason::Declined, "not confirmed", Some(typed)));
    }
    typed_all.push(typed);
    Ok(typed_all)
}

#[cfg(test)]
mod tests;
