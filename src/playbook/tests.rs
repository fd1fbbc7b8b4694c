//! Every validation code on a playbook, at its exact line:column.

use crate::diagnostic::{Code, Report};
use crate::inventory::tests::inventory;

const INVENTORY: &str = "roles:
  live: {protected: true, color: red}
  backup: {color: green}
  beta: {color: yellow}
hosts:
  store-a1: {role: live, groups: [cluster-a], mirror: store-a1-m}
  store-a1-m: {role: live, groups: [cluster-a]}
  backup-a1: {role: backup, groups: [cluster-a]}
  backup-b1: {role: backup}
";

/// Line, column and code of each finding.
type Found = Vec<(u32, u32, Code)>;

fn codes(playbook: &str) -> Found {
    let inv = inventory(INVENTORY);
    let mut report = Report::default();
    if let Some(pb) = super::schema::read("p.yaml".into(), playbook, &mut report) {
        super::rules::check(&pb, &inv, &mut report);
    }
    report.sort();
    report
        .items
        .iter()
        .map(|d| (d.loc.pos.line, d.loc.pos.column, d.code))
        .collect()
}

const HEAD: &str = "name: t\ndescription: d\n";

#[test]
fn a_clean_playbook_has_no_findings() {
    let pb = format!(
        "{HEAD}hosts: role:backup\nserial: [1, \"50%\"]\nsteps:\n  - name: wipe\n    run: wipefs -a /dev/sdb\n    role: backup\n  - name: look\n    run: df -h\n"
    );
    assert_eq!(codes(&pb), vec![]);
}

#[test]
fn every_code_at_its_place() {
    let cases: Vec<(String, Found)> = vec![
        ("name: t\nsteps: [\n".into(), vec![(2, 8, Code::E001)]),
        (
            format!("{HEAD}hosts: backup-a1\nstep:\n  - {{name: x, run: df}}\n"),
            vec![(1, 1, Code::E003), (4, 1, Code::E002)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - name: x\n    rnu: df\n"),
            vec![(5, 5, Code::E003), (6, 5, Code::E002)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - {{name: x, run: df, timeout: 10}}\n"),
            vec![(5, 33, Code::E004)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nserial: [0]\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(4, 10, Code::E004)],
        ),
        (
            format!(
                "{HEAD}hosts: backup-a1\nserial: [\"150%\"]\nsteps:\n  - {{name: x, run: df}}\n"
            ),
            vec![(4, 10, Code::E004)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - {{name: x, run: df, budget: lots}}\n"),
            vec![(5, 32, Code::E004)],
        ),
        (
            format!(
                "{HEAD}hosts: backup-a1\nsteps:\n  - {{name: x, run: df, destructive: maybe}}\n"
            ),
            vec![(5, 37, Code::E004)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - {{name: x, run: df, role: prod}}\n"),
            vec![(5, 30, Code::E004)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nhosts: backup-b1\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(4, 1, Code::E005)],
        ),
        (
            format!("{HEAD}hosts: backup-a1,stor-a1\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(3, 18, Code::E010)],
        ),
        (
            format!("{HEAD}hosts: \"backup-a1, @nogroup\"\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(3, 20, Code::E010)],
        ),
        (
            format!("{HEAD}hosts: role:beta\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(3, 8, Code::E011)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - {{name: x, run: df, hosts: \"db-*\"}}\n"),
            vec![(5, 32, Code::E011)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps:\n  - name: x\n    run: wipefs -a /dev/sdb\n"),
            vec![(6, 10, Code::E020)],
        ),
        (
            format!(
                "{HEAD}hosts: backup-a1\nsteps:\n  - name: x\n    run: storctl pack reinit\n    destructive: true\n"
            ),
            vec![(7, 18, Code::E020)],
        ),
        (
            format!(
                "{HEAD}hosts: \"@cluster-a\"\nserial: [1]\nchange: C-1\nsteps:\n  - name: x\n    run: df -h\n    role: backup\n"
            ),
            vec![(9, 11, Code::E021)],
        ),
        (
            format!(
                "{HEAD}hosts: \"@cluster-a\"\nserial: [1]\nchange: C-1\nsteps:\n  - name: x\n    run: reboot\n    role: live\n"
            ),
            vec![(3, 8, Code::E022), (9, 11, Code::E021)],
        ),
        (
            format!(
                "{HEAD}hosts: backup-a1\nsteps:\n  - name: x\n    run: rm -rf /srv\n    role: backup\n    destructive: false\n"
            ),
            vec![(8, 18, Code::E023)],
        ),
        (
            format!(
                "{HEAD}hosts: store-a1\nserial: [1]\nsteps:\n  - name: x\n    run: reboot\n    role: live\n"
            ),
            vec![(6, 5, Code::W101)],
        ),
        (
            format!(
                "{HEAD}hosts: store-a1\nchange: C-1\nsteps:\n  - name: x\n    run: reboot\n    role: live\n"
            ),
            vec![(6, 5, Code::W102)],
        ),
        (
            "name: t\nhosts: backup-a1\nsteps:\n  - {name: x, run: df}\n".into(),
            vec![(1, 7, Code::W103)],
        ),
        (
            format!("{HEAD}steps:\n  - {{name: x, run: df}}\n"),
            vec![(4, 5, Code::E003)],
        ),
        (
            format!("{HEAD}hosts: backup-a1\nsteps: []\n"),
            vec![(4, 8, Code::E003)],
        ),
        ("".into(), vec![(1, 1, Code::E003)]),
        (
            format!("{HEAD}hosts: \"a,,b\"\nsteps:\n  - {{name: x, run: df}}\n"),
            vec![(3, 11, Code::E004)],
        ),
    ];
    let wrong: Vec<String> = cases
        .into_iter()
        .filter_map(|(text, want)| {
            let got = codes(&text);
            (got != want).then(|| format!("{text}\n  got  {got:?}\n  want {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
}
