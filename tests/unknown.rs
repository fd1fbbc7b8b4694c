//! Fail closed, end to end: a command that is not known to be safe meets
//! the guards on protected roles (and on roles whose `unknown_commands` is
//! `guard`), runs unguarded elsewhere, and stops being unknown once the
//! inventory declares it in `safe_patterns`. Through the real binary on
//! `connection: local` hosts, without a terminal and at a real
//! pseudo-terminal (`exec` and `shell`).

mod support;

use expectrl::Expect;
use support::pty::{exit_code, spawn};
use support::{Test, events, first_record, folder, records};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, groups: [all]}
  b1: {connection: local, workdir: ../w/b1, role: backup, groups: [all]}
";

fn site(inventory: &str) -> Test {
    Test::new()
        .file("inventory/local.yaml", inventory)
        .file("w/l1/.keep", "")
        .file("w/b1/.keep", "")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
}

/// Not known to be safe, and no rule says it destroys anything.
const TOUCH: &str = "touch marker";

#[test]
fn on_a_protected_role_it_is_refused_without_confirmation() {
    let run = site(LOCAL)
        .args(["exec", "l1", "--change", "CHG-1", "--", TOUCH])
        .status(3)
        .stderr_has("refused (confirm-role-missing): work not known to be safe without a terminal needs --confirm-role ROLE");
    assert!(!run.path().join("w/l1/marker").exists());
    let r = records(run.path());
    let plan = first_record(&r, "plan");
    assert_eq!(plan["verdict"], "unknown");
    assert_eq!(plan["destructive"], false);
    assert_eq!(plan["unknown"][0]["command"], "touch marker");
    assert_eq!(
        first_record(&r, "guard.refused")["reason"],
        "confirm-role-missing"
    );
    // Without a change ticket the protected role refuses first.
    site(LOCAL)
        .args(["exec", "l1", "--confirm-role", "live", "--", TOUCH])
        .status(3)
        .stderr_has("refused (change-required): live is protected: without a terminal, work not known to be safe on it needs a change ticket");
}

#[test]
fn confirmed_it_runs_under_a_lock_like_destructive_work() {
    let run = site(LOCAL)
        .args([
            "exec", "l1", "--confirm-role", "live", "--change", "CHG-1", "--", TOUCH,
        ])
        .status(0);
    assert!(run.path().join("w/l1/marker").exists());
    let r = records(run.path());
    assert_eq!(
        events(&r),
        [
            "session.start", "plan", "lock.acquire", "guard.confirmed", "command.start",
            "command.end", "lock.release", "session.end"
        ]
    );
    let start = first_record(&r, "command.start");
    assert_eq!(start["verdict"], "unknown");
    assert_eq!(start["destructive"], false);
}

#[test]
fn on_an_unprotected_role_it_runs_unguarded() {
    let run = site(LOCAL).args(["exec", "b1", "--", TOUCH]).status(0);
    assert!(run.path().join("w/b1/marker").exists());
    assert!(!events(&records(run.path())).contains(&"guard.confirmed".to_string()));
}

#[test]
fn unknown_commands_guard_or_allow_per_role() {
    let inventory = "roles:
  live: {protected: true, color: red, unknown_commands: allow}
  backup: {color: green, unknown_commands: guard}
hosts:
  l1: {connection: local, workdir: ../w/l1, role: live}
  b1: {connection: local, workdir: ../w/b1, role: backup}
";
    let run = site(inventory)
        .args(["exec", "b1", "--", TOUCH])
        .status(3)
        .stderr_has("refused (confirm-role-missing)");
    assert!(!run.path().join("w/b1/marker").exists());
    let run = site(inventory).args(["exec", "l1", "--", TOUCH]).status(0);
    assert!(run.path().join("w/l1/marker").exists());
    // Destructive work is guarded whatever `unknown_commands` says.
    site(inventory)
        .args(["exec", "l1", "--", "rm -rf old"])
        .status(3)
        .stderr_has("refused (change-required)");
    Test::new()
        .file(
            "inventory/local.yaml",
            "roles:\n  live: {protected: true, unknown_commands: maybe}\nhosts:\n  l1: {role: live}\n",
        )
        .args(["validate"])
        .status(2)
        .stdout_has("inventory/local.yaml:2:45: error[E004]: `unknown_commands: maybe` is neither `guard` nor `allow`");
}

#[test]
fn safe_patterns_declare_site_tools_read_only() {
    let inventory = format!("policy:\n  safe_patterns: [\"touch *\"]\n{LOCAL}");
    let run = site(&inventory).args(["exec", "l1", "--", TOUCH]).status(0);
    assert!(run.path().join("w/l1/marker").exists());
    assert_eq!(
        first_record(&records(run.path()), "plan")["verdict"],
        "safe"
    );
    // A destructive pattern wins over a safe one.
    let inventory = format!(
        "policy:\n  safe_patterns: [\"touch *\"]\n  destructive_patterns: [\"touch mark*\"]\n{LOCAL}"
    );
    site(&inventory)
        .args(["exec", "l1", "--", TOUCH])
        .status(3)
        .stderr_has("refused (change-required)");
}

#[test]
fn across_two_roles_it_is_refused_as_mixed_roles() {
    site(LOCAL)
        .args([
            "exec", "@all", "--confirm-role", "live", "--change", "C", "--", TOUCH,
        ])
        .status(3)
        .stderr_has("refused (mixed-roles): work not known to be safe aimed at hosts of 2 roles");
    // Read-only work runs on both.
    site(LOCAL).args(["exec", "@all", "--", "ls -a"]).status(0);
}

#[test]
fn validate_warns_plan_shows_and_run_guards_a_step_not_known_to_be_safe() {
    let playbook = "name: touch
description: leave a marker
hosts: l1
steps:
  - name: mark
    run: touch marker
  - name: look
    run: ls -a
";
    let t = || site(LOCAL).file("playbooks/touch.yaml", playbook);
    t().args(["validate", "playbooks/touch.yaml"])
        .status(0)
        .stdout_has("playbooks/touch.yaml:6:10: warning[W104]: step `mark` runs a command not known to be safe (not known to be safe: `touch marker`: `touch` is not a command opsguard knows to be read-only) on live: it is guarded like destructive work")
        .stdout_has("policy.safe_patterns");
    t().args(["validate", "--strict", "playbooks/touch.yaml"])
        .status(2);
    let run = t()
        .args(["plan", "playbooks/touch.yaml"])
        .status(0)
        .stdout_has("step 1: mark  NOT KNOWN TO BE SAFE")
        .stdout_has("not known to be safe: `touch marker`")
        .stdout_has("- type the role back: live")
        .stdout_has("without a terminal: refused (change-required)");
    assert!(!run.stdout.contains("step 2: look  NOT"), "{}", run.stdout);
    let run = t()
        .args(["plan", "--format", "json", "playbooks/touch.yaml"])
        .status(0);
    let plan = run.json();
    assert_eq!(plan["steps"][0]["verdict"], "unknown");
    assert_eq!(plan["steps"][0]["guarded"], "not-known-safe");
    assert_eq!(plan["steps"][1]["verdict"], "safe");
    assert_eq!(plan["steps"][1]["guarded"], serde_json::Value::Null);
    let run = t().args(["run", "playbooks/touch.yaml"]).status(3);
    assert!(!run.path().join("w/l1/marker").exists());
    let run = t()
        .args([
            "run", "playbooks/touch.yaml", "--confirm-role", "live", "--change", "C",
        ])
        .status(0);
    assert!(run.path().join("w/l1/marker").exists());
}

#[test]
fn at_a_terminal_the_banner_says_not_known_to_be_safe_and_how_to_declare_it() {
    let dir = folder(&[
        ("inventory/local.yaml", LOCAL),
        ("w/l1/.keep", ""),
        ("w/b1/.keep", ""),
    ]);
    let mut p = spawn(dir.path(), &["exec", "l1", "--", TOUCH]);
    p.expect("NOT KNOWN TO BE SAFE").unwrap();
    p.expect("because not known to be safe: `touch marker`: `touch` is not a command opsguard knows to be read-only")
        .unwrap();
    p.expect("declare it in the inventory's policy.safe_patterns")
        .unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("live").unwrap();
    p.expect("Run it on 1 host? [y/N]").unwrap();
    p.send_line("y").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(dir.path().join("w/l1/marker").exists());
    let prompt = first_record(&records(dir.path()), "guard.prompt");
    assert!(
        prompt["banner"]
            .as_str()
            .unwrap()
            .starts_with("NOT KNOWN TO BE SAFE\n"),
        "{prompt}"
    );
}

#[test]
fn in_the_shell_an_unknown_line_on_live_asks_and_a_safe_one_does_not() {
    let dir = folder(&[
        ("inventory/local.yaml", LOCAL),
        ("w/l1/.keep", ""),
        ("w/b1/.keep", ""),
    ]);
    let mut p = spawn(dir.path(), &["shell", "l1"]);
    p.expect(" $ ").unwrap();
    p.send_line("ls -a").unwrap();
    p.expect(".keep").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line(TOUCH).unwrap();
    p.expect("NOT KNOWN TO BE SAFE").unwrap();
    p.expect("Type the role of the target hosts to continue:")
        .unwrap();
    p.send_line("backup").unwrap();
    p.expect("refused (role-mismatch)").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line("exit").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    assert!(!dir.path().join("w/l1/marker").exists());
    let line = records(dir.path())
        .into_iter()
        .find(|r| r["event"] == "shell.line" && r["line"] == TOUCH)
        .unwrap();
    assert_eq!(line["verdict"], "unknown");
}
