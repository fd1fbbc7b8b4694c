//! Which guards apply to guarded work on a set of hosts: the list `plan`
//! shows and the guards enforce, in one place. A new guard is a variant
//! here, its check in [`decide`](super::decide) or [`super::online`], and
//! its row in the decision-table test.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::inventory::Inventory;
use crate::inventory::policy::WindowStatus;

/// A guard that applies to a destructive step, as the plan shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "guard", rename_all = "snake_case")]
pub enum Guard {
    /// The operator types the role back (or passes `--confirm-role`).
    TypedRole { role: String },
    /// On a protected role with several hosts, the operator types the count.
    HostCount { count: usize },
    /// The role needs a change ticket; `ticket` is the one the playbook names.
    Change {
        role: String,
        ticket: Option<String>,
    },
    /// A freeze is in force: refused unless `--emergency`.
    Freeze {
        role: String,
        reason: String,
        until: String,
    },
    /// The role only takes destructive work inside its windows.
    Window {
        role: String,
        inside: bool,
        windows: Vec<String>,
    },
    /// Changes on `host` are copied to `mirror`.
    Mirror { host: String, mirror: String },
    /// Runs on `host` first and must succeed.
    ReplicationCheck { host: String, command: String },
    /// opsguard locks each target host while the step runs.
    Lock { hosts: usize },
}

impl Guard {
    pub fn describe(&self) -> String {
        match self {
            Guard::TypedRole { role } => format!("type the role back: {role}"),
            Guard::HostCount { count } => format!("type the number of hosts back: {count}"),
            Guard::Change {
                role,
                ticket: Some(t),
            } => format!("{role} needs a change ticket: {t}"),
            Guard::Change { role, ticket: None } => {
                format!("{role} needs a change ticket: none in the playbook, pass --change")
            }
            Guard::Freeze {
                role,
                reason,
                until,
            } => format!("{role} is frozen until {until} ({reason}): refused without --emergency"),
            Guard::Window {
                role,
                inside: true,
                windows,
            } => format!("{role} window open now ({})", windows.join(", ")),
            Guard::Window {
                role,
                inside: false,
                windows,
            } => {
                format!(
                    "{role} is outside its windows ({}): refused without --emergency",
                    windows.join(", ")
                )
            }
            Guard::Mirror { host, mirror } => {
                format!("changes on {host} are copied to its mirror {mirror}")
            }
            Guard::ReplicationCheck { host, command } => {
                format!("replication check on {host} must pass first: {command}")
            }
            Guard::Lock { hosts } => format!("host lock taken on {hosts} host(s) while it runs"),
        }
    }
}

/// The guards that stand in front of guarded work on `hosts` (inventory
/// indices) of `role` at `now`, in the order the plan shows them;
/// `ticket` is the change ticket the work names. [`decide`](super::decide)
/// and the online guards ([`super::online`]) enforce the same list.
pub fn applying(
    inv: &Inventory,
    hosts: &[usize],
    role: Option<&str>,
    ticket: Option<&str>,
    now: OffsetDateTime,
) -> Vec<Guard> {
    let mut out = Vec::new();
    if let Some(role) = role {
        out.push(Guard::TypedRole {
            role: role.to_string(),
        });
        if inv.is_protected(role) && hosts.len() > 1 {
            out.push(Guard::HostCount { count: hosts.len() });
        }
        let policy = &inv.policy;
        if policy.requires_change(role) {
            out.push(Guard::Change {
                role: role.to_string(),
                ticket: ticket.map(str::to_string),
            });
        }
        if let Some(f) = policy.freeze_at(role, now) {
            out.push(Guard::Freeze {
                role: role.to_string(),
                reason: f.reason.clone(),
                until: f.to.format(&Rfc3339).unwrap_or_default(),
            });
        }
        match policy.window_status(role, now) {
            WindowStatus::Unrestricted => {}
            WindowStatus::Inside(w) => out.push(Guard::Window {
                role: role.to_string(),
                inside: true,
                windows: vec![w.to_string()],
            }),
            WindowStatus::Outside(ws) => out.push(Guard::Window {
                role: role.to_string(),
                inside: false,
                windows: ws.iter().map(ToString::to_string).collect(),
            }),
        }
    }
    for &i in hosts {
        let h = &inv.hosts[i];
        if let Some(m) = &h.mirror {
            out.push(Guard::Mirror {
                host: h.name.clone(),
                mirror: m.clone(),
            });
        }
        if let Some(c) = &h.replication_check {
            out.push(Guard::ReplicationCheck {
                host: h.name.clone(),
                command: c.clone(),
            });
        }
    }
    if !hosts.is_empty() {
        out.push(Guard::Lock { hosts: hosts.len() });
    }
    out
}
