//! What a run would do: every step on every host, in which batches, and
//! which guards stand in the way of each guarded step. The typed hand-off
//! from the command to the guarded session: hosts are inventory indices,
//! timeouts durations; names appear only when it is rendered ([`Plan::json`],
//! [`Plan::record`]).
//!
//! A playbook's plan is built from the checked playbook and the facts
//! validation established, as a pure function of the inventory and a given
//! instant; `exec`'s is one step ([`Plan::command`]). Every host is planned
//! before any host runs: if the plan cannot be built, nothing runs.

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::audit::event;
use crate::classify::Classification;
use crate::duration::Duration;
use crate::guard::{self, Guard, Kind};
use crate::inventory::Inventory;
use crate::playbook::rules::StepFacts;
use crate::playbook::{Batch, Playbook};

/// Where the work comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// One command line (`exec`).
    Command,
    /// A playbook (`run`, `plan`).
    Playbook {
        name: String,
        file: String,
        description: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub source: Source,
    pub change: Option<String>,
    /// How many hosts may fail before the rollout stops; `None`: no limit.
    pub max_failures: Option<u32>,
    /// Every host any step touches, in inventory order.
    pub hosts: Vec<usize>,
    pub batches: Vec<Vec<usize>>,
    pub steps: Vec<PlanStep>,
}

#[derive(Clone, Debug)]
pub struct PlanStep {
    /// 1-based; 0 for `exec`'s one command.
    pub number: usize,
    pub name: String,
    pub command: String,
    pub hosts: Vec<usize>,
    pub role: Option<String>,
    /// Guarded as destructive: a rule says so, or the step itself.
    pub destructive: bool,
    /// The step says `destructive: true` itself.
    pub declared: bool,
    pub classification: Classification,
    /// Whether (and why) the guards stand in front of this step.
    pub guarded: Option<Kind>,
    pub timeout: Option<Duration>,
    pub budget: Option<u64>,
    pub guards: Vec<Guard>,
    /// The step's own `become`, over the hosts'.
    pub become_user: Option<String>,
}

/// Hosts as the plan's JSON and record name them: name and role.
pub fn targets(inv: &Inventory, hosts: &[usize]) -> Vec<event::Target> {
    hosts
        .iter()
        .map(|&h| event::Target::of(&inv.hosts[h]))
        .collect()
}

fn names(inv: &Inventory, hosts: &[usize]) -> Vec<String> {
    hosts.iter().map(|&h| inv.hosts[h].name.clone()).collect()
}

impl Plan {
    /// `exec`'s plan: `class` (the classification of the line) on `hosts`,
    /// one batch, no step name.
    pub fn command(inv: &Inventory, hosts: Vec<usize>, class: Classification) -> Plan {
        let guarded = guard::kind_of(inv, &class, false, &hosts);
        Plan {
            source: Source::Command,
            change: None,
            max_failures: None,
            batches: vec![hosts.clone()],
            steps: vec![PlanStep {
                number: 0,
                name: String::new(),
                command: class.command.clone(),
                hosts: hosts.clone(),
                role: None,
                destructive: class.destructive,
                declared: false,
                classification: class,
                guarded,
                timeout: None,
                budget: None,
                guards: Vec::new(),
                become_user: None,
            }],
            hosts,
        }
    }

    /// The playbook's name, or the command line of `exec`.
    pub fn title(&self) -> String {
        match &self.source {
            Source::Playbook { name, .. } => format!("run {name}"),
            Source::Command => format!(
                "exec {}",
                self.steps.first().map_or("", |s| s.command.as_str())
            ),
        }
    }

    /// The guarded actions of the plan, for the guards to decide on.
    pub fn actions(&self, inv: &Inventory) -> Vec<guard::Action> {
        self.steps
            .iter()
            .filter_map(|s| {
                let what = match &self.source {
                    Source::Command => format!("`{}`", s.command),
                    Source::Playbook { name, .. } => {
                        format!("step {} `{}` of {name}", s.number, s.name)
                    }
                };
                guard::Action::for_command(
                    inv,
                    what,
                    &s.classification,
                    s.declared,
                    s.hosts.clone(),
                )
            })
            .collect()
    }

    /// The plan as `plan --format json` shows it (a playbook's).
    pub fn json(&self, inv: &Inventory) -> Value {
        let (name, file, description) = match &self.source {
            Source::Playbook {
                name,
                file,
                description,
            } => (Some(name), Some(file), description.as_ref()),
            Source::Command => (None, None, None),
        };
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "number": s.number,
                    "name": s.name,
                    "command": s.command,
                    "hosts": targets(inv, &s.hosts),
                    "role": s.role,
                    "destructive": s.destructive,
                    "declared": s.declared,
                    "verdict": s.classification.verdict,
                    "guarded": s.guarded,
                    "rules": s.classification.rules,
                    "unknown": s.classification.unknown,
                    "timeout": s.timeout.map(|t| t.to_string()),
                    "budget": s.budget,
                    "become": s.become_user,
                    "guards": s.guards,
                })
            })
            .collect();
        json!({
            "playbook": name,
            "file": file,
            "description": description,
            "change": self.change,
            "max_failures": self.max_failures,
            "hosts": targets(inv, &self.hosts),
            "batches": self.batches.iter().map(|b| names(inv, b)).collect::<Vec<_>>(),
            "steps": steps,
        })
    }

    /// The audit log's `plan` record.
    pub fn record(&self, inv: &Inventory) -> event::Plan {
        match &self.source {
            Source::Command => {
                let class = &self.steps[0].classification;
                event::Plan {
                    targets: targets(inv, &self.hosts),
                    command: Some(self.steps[0].command.clone()),
                    destructive: class.destructive,
                    verdict: Some(class.verdict),
                    rules: Some(event::Finding::all(&class.rules)),
                    unknown: Some(event::Doubt::all(&class.unknown)),
                    ..event::Plan::default()
                }
            }
            Source::Playbook { name, .. } => event::Plan {
                targets: targets(inv, &self.hosts),
                playbook: Some(name.clone()),
                batches: Some(self.batches.iter().map(|b| names(inv, b)).collect()),
                destructive: self.steps.iter().any(|s| s.destructive),
                steps: Some(
                    self.steps
                        .iter()
                        .map(|s| event::PlannedStep {
                            number: s.number,
                            name: s.name.clone(),
                            command: s.command.clone(),
                            destructive: s.destructive,
                            verdict: s.classification.verdict,
                            guarded: s.guarded.map(Into::into),
                            rules: event::Finding::all(&s.classification.rules),
                            unknown: event::Doubt::all(&s.classification.unknown),
                            hosts: targets(inv, &s.hosts),
                            become_user: s.become_user.clone(),
                            budget: s.budget,
                        })
                        .collect(),
                ),
                ..event::Plan::default()
            },
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
    let ticket = pb.change.as_ref().map(|c| c.value.as_str());
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
                guard::applying(inv, &hosts, role.as_deref(), ticket, now)
            } else {
                vec![]
            };
            PlanStep {
                number: step.number,
                name: step.name.clone(),
                command: step.run.value.clone(),
                hosts,
                role,
                destructive: fact.destructive,
                declared: step.destructive.as_ref().is_some_and(|d| d.value),
                classification: fact.classification.clone(),
                guarded: fact.guarded,
                timeout: step.timeout,
                budget: step.budget,
                guards,
                become_user: step.become_user.as_ref().map(|b| b.value.clone()),
            }
        })
        .collect();
    all.sort_unstable();
    all.dedup();
    let serial: Vec<Batch> = pb.serial.iter().map(|b| b.value).collect();
    Plan {
        source: Source::Playbook {
            name: pb.name.value.clone(),
            file: pb.file.to_string(),
            description: pb.description.clone(),
        },
        change: ticket.map(str::to_string),
        max_failures: Some(pb.max_failures),
        batches: batches(&all, &serial),
        hosts: all,
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
        let (s1, s2) = (inv.host_index("s1").unwrap(), inv.host_index("s2").unwrap());
        assert_eq!(plan.batches, vec![vec![s1], vec![s2]]);
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

        let limited = build(
            &inv,
            &pb,
            &facts,
            Some(&[s2]),
            datetime!(2026-11-24 23:00 UTC),
        );
        assert_eq!(limited.hosts, vec![s2]);
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
