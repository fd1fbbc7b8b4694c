//! The decision table: every reason code, window and freeze boundaries,
//! mixed roles, counts; and the questions, answered by a script.

use time::OffsetDateTime;
use time::macros::datetime;

use super::prompt::Scripted;
use super::*;
use crate::inventory::tests::inventory;

const INV: &str = "roles:
  live: {protected: true, color: red}
  backup: {color: green}
  beta: {color: yellow}
  gold: {color: yellow}
policy:
  require_change: [beta]
  approvals: {gold: 2}
  freeze:
    - {from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, roles: [live], reason: year-end}
  windows:
    live: [\"tue 22:00-02:00 UTC\"]
hosts:
  l1: {role: live}
  l2: {role: live}
  b1: {role: backup}
  b2: {role: backup}
  t1: {role: beta}
  g1: {role: gold}
";

/// Tuesday 2026-11-24, 23:00 UTC: inside live's window.
const INSIDE: OffsetDateTime = datetime!(2026-11-24 23:00 UTC);

fn on(inv: &Inventory, names: &[&str]) -> Vec<Action> {
    vec![Action {
        what: "`wipefs -a /dev/sdb`".into(),
        why: "disk.wipefs".into(),
        hosts: names.iter().map(|n| inv.host_index(n).unwrap()).collect(),
        kind: Kind::Destructive,
    }]
}

struct Case {
    hosts: &'static [&'static str],
    terminal: bool,
    confirm: Option<&'static str>,
    change: Option<&'static str>,
    emergency: Option<&'static str>,
    now: OffsetDateTime,
}

const BASE: Case = Case {
    hosts: &["b1"],
    terminal: true,
    confirm: None,
    change: None,
    emergency: None,
    now: INSIDE,
};

fn decide_case(c: &Case) -> Decision {
    let inv = inventory(INV);
    let ctx = Context {
        terminal: c.terminal,
        confirm_role: c.confirm,
        change: c.change,
        emergency: c.emergency,
        now: c.now,
        approval: &Approval::NoPlan,
    };
    decide(&inv, &on(&inv, c.hosts), &ctx)
}

fn reason(d: &Decision) -> Option<Reason> {
    match d {
        Decision::Refuse(r) => Some(r.reason),
        _ => None,
    }
}

#[test]
fn nothing_destructive_runs() {
    let inv = inventory(INV);
    let ctx = Context {
        terminal: false,
        confirm_role: None,
        change: None,
        emergency: None,
        now: INSIDE,
        approval: &Approval::NoPlan,
    };
    assert_eq!(decide(&inv, &[], &ctx), Decision::Run);
}

#[test]
fn the_decision_table() {
    use Reason::*;
    let cases: Vec<(&str, Case, Option<Reason>)> = vec![
        ("backup at a terminal: ask", Case { ..BASE }, None),
        (
            "two roles in one action",
            Case {
                hosts: &["b1", "l1"],
                change: Some("C1"),
                ..BASE
            },
            Some(MixedRoles),
        ),
        (
            "require_change without --change",
            Case {
                hosts: &["t1"],
                ..BASE
            },
            Some(ChangeRequired),
        ),
        (
            "require_change with --change",
            Case {
                hosts: &["t1"],
                change: Some("C1"),
                ..BASE
            },
            None,
        ),
        (
            "protected, no terminal, no change",
            Case {
                hosts: &["l1"],
                terminal: false,
                confirm: Some("live"),
                ..BASE
            },
            Some(ChangeRequired),
        ),
        (
            "protected at a terminal without change: ask",
            Case {
                hosts: &["l1"],
                ..BASE
            },
            None,
        ),
        (
            "no terminal, no --confirm-role",
            Case {
                terminal: false,
                ..BASE
            },
            Some(ConfirmRoleMissing),
        ),
        (
            "no terminal, wrong --confirm-role",
            Case {
                terminal: false,
                confirm: Some("live"),
                ..BASE
            },
            Some(ConfirmRoleMismatch),
        ),
        (
            "no terminal, right --confirm-role",
            Case {
                terminal: false,
                confirm: Some(" BACKUP "),
                ..BASE
            },
            None,
        ),
        (
            "terminal, wrong --confirm-role",
            Case {
                confirm: Some("live"),
                ..BASE
            },
            Some(ConfirmRoleMismatch),
        ),
        (
            "live in a freeze",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-12-22 23:00 UTC),
                ..BASE
            },
            Some(Freeze),
        ),
        (
            "live in a freeze, emergency",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-12-22 23:00 UTC),
                emergency: Some("outage"),
                ..BASE
            },
            None,
        ),
        (
            "backup not frozen",
            Case {
                now: datetime!(2026-12-22 23:00 UTC),
                ..BASE
            },
            None,
        ),
        (
            "live outside its window",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-11-24 21:59 UTC),
                ..BASE
            },
            Some(OutsideWindow),
        ),
        (
            "live at the window's opening",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-11-24 22:00 UTC),
                ..BASE
            },
            None,
        ),
        (
            "live after midnight, still inside",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-11-25 01:59 UTC),
                ..BASE
            },
            None,
        ),
        (
            "live at the window's end",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-11-25 02:00 UTC),
                ..BASE
            },
            Some(OutsideWindow),
        ),
        (
            "live outside, emergency",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-11-25 12:00 UTC),
                emergency: Some("disk dying"),
                ..BASE
            },
            None,
        ),
        (
            "freeze starts inclusive",
            Case {
                hosts: &["l1"],
                now: datetime!(2026-12-20 00:00 UTC),
                ..BASE
            },
            Some(Freeze),
        ),
    ];
    for (name, case, want) in cases {
        let got = decide_case(&case);
        assert_eq!(reason(&got), want, "{name}: {got:?}");
    }
}

#[test]
fn the_freeze_ends_exclusive_then_the_window_decides() {
    // 2027-01-04 00:00 UTC is a Monday: the freeze is over, and Monday
    // midnight is outside Tuesday's window.
    let got = decide_case(&Case {
        hosts: &["l1"],
        now: datetime!(2027-01-04 00:00 UTC),
        ..BASE
    });
    assert_eq!(reason(&got), Some(Reason::OutsideWindow));
}

#[test]
fn counts_are_asked_on_protected_roles_with_several_hosts() {
    let ask = |hosts: &'static [&'static str]| match decide_case(&Case { hosts, ..BASE }) {
        Decision::Ask(q) => q,
        other => panic!("{other:?}"),
    };
    assert_eq!(ask(&["l1", "l2"]).count, Some(2));
    assert_eq!(ask(&["l1"]).count, None);
    assert_eq!(ask(&["b1", "b2"]).count, None);
    assert_eq!(ask(&["b1", "b2"]).role, "backup");
}

#[test]
fn emergency_overrides_are_named_for_the_record() {
    match decide_case(&Case {
        hosts: &["l1"],
        now: datetime!(2026-12-22 12:00 UTC),
        emergency: Some("raid degraded"),
        ..BASE
    }) {
        Decision::Ask(q) => {
            assert_eq!(q.overrides.len(), 2, "{:?}", q.overrides);
            assert!(q.overrides[0].starts_with("freeze until 2027-01-04"));
            assert!(q.overrides[1].starts_with("outside the windows"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hosts_of_several_actions_are_one_target_list() {
    let inv = inventory(INV);
    let mut actions = on(&inv, &["b1"]);
    actions.extend(on(&inv, &["b2", "b1"]));
    let ctx = Context {
        terminal: false,
        confirm_role: Some("backup"),
        change: None,
        emergency: None,
        now: INSIDE,
        approval: &Approval::NoPlan,
    };
    match decide(&inv, &actions, &ctx) {
        Decision::Confirmed(q) => assert_eq!(q.hosts.len(), 2),
        other => panic!("{other:?}"),
    }
    actions.extend(on(&inv, &["l1"]));
    let got = decide(&inv, &actions, &ctx);
    let Decision::Refuse(r) = got else {
        panic!("{got:?}")
    };
    assert_eq!(r.reason, Reason::MixedRoles);
    assert!(
        r.message.contains("backup: b1, b2; live: l1"),
        "{}",
        r.message
    );
}

fn question(count: Option<usize>) -> Question {
    Question {
        role: "live".into(),
        hosts: vec![0, 1],
        count,
        overrides: vec![],
    }
}

#[test]
fn the_questions_in_order() {
    let mut p = Scripted::lines(&["Live", "2", "y"]);
    assert_eq!(
        ask(&mut p, &question(Some(2))),
        Ok(vec!["Live".to_string(), "2".to_string(), "y".to_string()])
    );
    assert_eq!(
        p.asked,
        [
            "Type the role of the target hosts to continue:",
            "Type the number of target hosts to continue:", "Run it on 2 hosts? [y/N]"
        ]
    );
    let mut p = Scripted::lines(&[" live ", "yes"]);
    assert!(ask(&mut p, &question(None)).is_ok());
}

#[test]
fn every_wrong_answer_refuses_and_keeps_what_was_typed() {
    for (answers, want, typed) in [
        (
            vec![Answer::Line("backup".into())],
            Reason::RoleMismatch,
            Some("backup"),
        ),
        (
            vec![Answer::Line("".into())],
            Reason::RoleMismatch,
            Some(""),
        ),
        (vec![Answer::Eof], Reason::Eof, None),
        (vec![Answer::Interrupted], Reason::Interrupted, None),
        (
            vec![Answer::Line("live".into()), Answer::Line("3".into())],
            Reason::CountMismatch,
            Some("3"),
        ),
        (
            vec![Answer::Line("live".into()), Answer::Interrupted],
            Reason::Interrupted,
            None,
        ),
        (
            vec![
                Answer::Line("live".into()),
                Answer::Line("2".into()),
                Answer::Line("".into()),
            ],
            Reason::Declined,
            Some(""),
        ),
        (
            vec![
                Answer::Line("live".into()),
                Answer::Line("2".into()),
                Answer::Line("n".into()),
            ],
            Reason::Declined,
            Some("n"),
        ),
        (
            vec![
                Answer::Line("live".into()),
                Answer::Line("2".into()),
                Answer::Eof,
            ],
            Reason::Eof,
            None,
        ),
        (
            vec![
                Answer::Line("live".into()),
                Answer::Line("2".into()),
                Answer::Interrupted,
            ],
            Reason::Interrupted,
            None,
        ),
    ] {
        let mut p = Scripted::new(answers.clone());
        let got = ask(&mut p, &question(Some(2))).unwrap_err();
        assert_eq!(got.reason, want, "{answers:?}");
        assert_eq!(got.typed.as_deref(), typed, "{answers:?}");
    }
}

#[test]
fn reason_codes_are_kebab_case_in_json_too() {
    assert_eq!(
        serde_json::to_string(&Reason::ConfirmRoleMissing).unwrap(),
        "\"confirm-role-missing\""
    );
    assert_eq!(Reason::OutsideWindow.code(), "outside-window");
}

/// A role with `policy.approvals` takes guarded work only from a plan
/// approved by enough people (`--emergency` overrides the want of a plan,
/// and says so in the prompt); a refused plan runs nothing at all.
#[test]
fn approvals_come_before_the_prompt() {
    let inv = inventory(INV);
    let approver = |p: &str| crate::approval::Approver {
        principal: p.into(),
        key: "SHA256:x".into(),
    };
    let decide_with = |hosts: &[&str], approval: &Approval, emergency: Option<&str>| {
        let ctx = Context {
            terminal: true,
            confirm_role: None,
            change: None,
            emergency,
            now: INSIDE,
            approval,
        };
        decide(&inv, &on(&inv, hosts), &ctx)
    };
    use Reason::*;
    assert_eq!(
        reason(&decide_with(&["g1"], &Approval::NoPlan, None)),
        Some(ApprovalRequired)
    );
    match decide_with(&["g1"], &Approval::NoPlan, Some("outage")) {
        Decision::Ask(q) => assert!(q.overrides[0].contains("no approved plan"), "{q:?}"),
        other => panic!("{other:?}"),
    }
    let one = Approval::Approved(vec![approver("bob")]);
    assert_eq!(
        reason(&decide_with(&["g1"], &one, None)),
        Some(ApprovalMissing)
    );
    let two = Approval::Approved(vec![approver("bob"), approver("carol")]);
    assert!(matches!(decide_with(&["g1"], &two, None), Decision::Ask(_)));
    // Roles without approvals ask no plan.
    assert!(matches!(
        decide_with(&["b1"], &Approval::NoPlan, None),
        Decision::Ask(_)
    ));
    let refused = Approval::Refused(Refusal::new(PlanStale, "changed"));
    let ctx = Context {
        terminal: true,
        confirm_role: None,
        change: None,
        emergency: None,
        now: INSIDE,
        approval: &refused,
    };
    assert_eq!(reason(&decide(&inv, &[], &ctx)), Some(PlanStale));
}
