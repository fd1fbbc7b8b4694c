//! What a run would do: every step on every host, in which batches, and
//! which guards stand in the way of each destructive step.
//!
//! Built from a checked playbook and the facts validation established, as
//! a pure function of the inventory and a given instant. Every host is
//! planned before any host runs: if the plan cannot be built, nothing runs.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::classify::{Classification, Doubt, Finding, Verdict};
use crate::guard::Kind;
use crate::inventory::Inventory;
use crate::inventory::policy::WindowStatus;
use crate::playbook::rules::StepFacts;
use crate::playbook::{Batch, Playbook};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub playbook: String,
    pub file: String,
    pub description: Option<String>,
    pub change: Option<String>,
    pub max_failures: u32,
    /// Every host any step touches, in inventory order.
    pub hosts: Vec<Target>,
    pub batches: Vec<Vec<String>>,
    pub steps: Vec<PlanStep>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanStep {
    pub number: usize,
    pub name: String,
    pub command: String,
    pub hosts: Vec<Target>,
    pub role: Option<String>,
    pub destructive: bool,
    /// The step says `destructive: true` itself.
    pub declared: bool,
    pub verdict: Verdict,
    /// Whether (and why) the guards stand in front of this step.
    pub guarded: Option<Kind>,
    pub rules: Vec<Finding>,
    /// What in the command is not known to be safe.
    pub unknown: Vec<Doubt>,
    #[serde(skip)]
    pub classification: Classification,
    pub timeout: Option<String>,
    pub budget: Option<u64>,
    pub guards: Vec<Guard>,
}

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

/// Split `hosts` into rollout batches. Counts are hosts, percentages are of
/// all hosts (rounded down, at least one); the last size repeats until every
/// host has a batch. No `serial`: one batch of all.
pub fn batches<T: Clone>(hosts: &[T], serial: &[Batch]) -> Vec<Vec<T>> {
    if serial.is_empty() {
        return if hosts.is_empty() {
            vec![]
        } else {
            vec![hosts.to_vec()]
        };
    }
    let total = hosts.len();
    let size = |b: &Batch| match *b {
        Batch::Count(n) => n as usize,
        Batch::Percent(p) => (total * p as usize / 100).max(1),
    };
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < total {
        let n = size(&serial[i.min(serial.len() - 1)]).max(1);
        let end = (at + n).min(total);
        out.push(hosts[at..end].to_vec());
        at = end;
        i += 1;
    }
    out
}

/// The plan of `pb`, optionally narrowed to the hosts in `limit`.
pub fn build(
    inv: &Inventory,
    pb: &Playbook,
    facts: &[StepFacts],
    limit: Option<&[usize]>,
    now: OffsetDateTime,
) -> Plan {
    let target = |i: usize| Target {
        name: inv.hosts[i].name.clone(),
        role: inv.hosts[i].role.clone(),
    };
    let mut all: Vec<usize> = Vec::new();
    let steps = pb
        .steps
        .iter()
        .zip(facts)
        .map(|(step, fact)| {
            let hosts: Vec<usize> = fact
                .hosts
                .iter()
                .flatten()
                .copied()
                .filter(|i| limit.is_none_or(|l| l.contains(i)))
                .collect();
            all.extend(&hosts);
            let role = step
                .role
                .as_ref()
                .map(|r| r.value.clone())
                .or_else(|| single_role(inv, &hosts));
            let guards = if fact.guarded.is_some() {
                guards(inv, pb, &hosts, role.as_deref(), now)
            } else {
                vec![]
            };
            PlanStep {
                number: step.number,
                name: step.name.clone(),
                command: step.run.value.clone(),
                hosts: hosts.iter().map(|&i| target(i)).collect(),
                role,
                destructive: fact.destructive,
                declared: step.destructive.as_ref().is_some_and(|d| d.value),
                verdict: fact.classification.verdict,
                guarded: fact.guarded,
                rules: fact.classification.rules.clone(),
                unknown: fact.classification.unknown.clone(),
                classification: fact.classification.clone(),
                timeout: step.timeout.map(|t| t.to_string()),
                budget: step.budget,
                guards,
            }
        })
        .collect();
    all.sort_unstable();
    all.dedup();
    let serial: Vec<Batch> = pb.serial.iter().map(|b| b.value).collect();
    let names: Vec<String> = all.iter().map(|&i| inv.hosts[i].name.clone()).collect();
    Plan {
        playbook: pb.name.value.clone(),
        file: pb.file.to_string(),
        description: pb.description.clone(),
        change: pb.change.as_ref().map(|c| c.value.clone()),
        max_failures: pb.max_failures,
        hosts: all.iter().map(|&i| target(i)).collect(),
        batches: batches(&names, &serial),
        steps,
    }
}

fn single_role(inv: &Inventory, hosts: &[usize]) -> Option<String> {
    let first = &inv.hosts[*hosts.first()?].role;
    hosts
        .iter()
        .all(|&i| inv.hosts[i].role == *first)
        .then(|| first.clone())
}

fn guards(
    inv: &Inventory,
    pb: &Playbook,
    hosts: &[usize],
    role: Option<&str>,
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
                ticket: pb.change.as_ref().map(|c| c.value.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Report;
    use crate::inventory::tests::inventory;
    use time::macros::datetime;

    #[test]
    fn batches_from_serial() {
        let hosts: Vec<u32> = (1..=10).collect();
        let sizes = |serial: &[Batch], n: usize| -> Vec<usize> {
            batches(&hosts[..n], serial).iter().map(Vec::len).collect()
        };
        use Batch::{Count as C, Percent as P};
        for (serial, n, want) in [
            (vec![], 10, vec![10]),
            (vec![], 0, vec![]),
            (vec![C(1)], 3, vec![1, 1, 1]),
            (vec![C(2)], 5, vec![2, 2, 1]),
            (vec![C(1), P(50)], 5, vec![1, 2, 2]),
            (vec![C(1), P(25), P(100)], 10, vec![1, 2, 7]),
            (vec![P(30)], 10, vec![3, 3, 3, 1]),
            (vec![P(10)], 4, vec![1, 1, 1, 1]),
            (vec![C(1), C(3), C(100)], 10, vec![1, 3, 6]),
            (vec![C(20)], 10, vec![10]),
            (vec![P(100)], 1, vec![1]),
        ] {
            assert_eq!(sizes(&serial, n), want, "{serial:?} on {n}");
        }
        assert_eq!(
            batches(&hosts[..4], &[C(1), C(2)]),
            vec![vec![1], vec![2, 3], vec![4]]
        );
    }

    #[test]
    fn plan_shows_guards_and_limit() {
        let inv = inventory(
            "policy:\n  require_change: [live]\n  windows:\n    live: [\"tue 22:00-02:00 UTC\"]\n  freeze:\n    - {from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, roles: [live], reason: year-end}\nhosts:\n  s1: {role: live, mirror: s1-m, replication_check: \"storctl repl ok\"}\n  s1-m: {role: live}\n  s2: {role: live}\n",
        );
        let text = "name: r\ndescription: d\nhosts: s1,s2\nserial: [1]\nchange: C-7\nsteps:\n  - {name: look, run: df}\n  - {name: restart, run: systemctl restart dovecot, role: live}\n";
        let mut report = Report::default();
        let pb = crate::playbook::schema::read("p.yaml".into(), text, &mut report).unwrap();
        let facts = crate::playbook::rules::check(&pb, &inv, &mut report);
        assert!(!report.has_errors(), "{:?}", report.items);

        let plan = build(&inv, &pb, &facts, None, datetime!(2026-11-24 12:00 UTC));
        assert_eq!(
            plan.batches,
            vec![vec!["s1".to_string()], vec!["s2".to_string()]]
        );
        assert!(!plan.steps[0].destructive);
        assert!(plan.steps[0].guards.is_empty());
        let g = &plan.steps[1].guards;
        assert_eq!(
            g[0],
            Guard::TypedRole {
                role: "live".into()
            }
        );
        assert_eq!(g[1], Guard::HostCount { count: 2 });
        assert_eq!(
            g[2],
            Guard::Change {
                role: "live".into(),
                ticket: Some("C-7".into())
            }
        );
        assert_eq!(
            g[3],
            Guard::Window {
                role: "live".into(),
                inside: false,
                windows: vec!["tue 22:00-02:00 UTC".into()]
            }
        );
        assert!(g.contains(&Guard::Mirror {
            host: "s1".into(),
            mirror: "s1-m".into()
        }));
        assert!(g.contains(&Guard::ReplicationCheck {
            host: "s1".into(),
            command: "storctl repl ok".into()
        }));
        assert_eq!(g.last(), Some(&Guard::Lock { hosts: 2 }));

        let frozen = build(&inv, &pb, &facts, None, datetime!(2026-12-24 23:00 UTC));
        assert!(
            frozen.steps[1]
                .guards
                .iter()
                .any(|g| matches!(g, Guard::Freeze { .. }))
        );

        let s2 = inv.host_index("s2").unwrap();
        let limited = build(
            &inv,
            &pb,
            &facts,
            Some(&[s2]),
            datetime!(2026-11-24 23:00 UTC),
        );
        assert_eq!(
            limited.hosts,
            vec![Target {
                name: "s2".into(),
                role: "live".into()
            }]
        );
        let g = &limited.steps[1].guards;
        assert!(
            !g.iter()
                .any(|g| matches!(g, Guard::HostCount { .. } | Guard::Mirror { .. }))
        );
        assert!(g.contains(&Guard::Window {
            role: "live".into(),
            inside: true,
            windows: vec!["tue 22:00-02:00 UTC".into()]
        }));
    }
}
