//! `opsguard run` through the real binary on `connection: local` hosts:
//! steps in order, serial batches that stop after a failing canary, budgets,
//! refusal of destructive steps, `--limit`, `--dry-run`, JSON, and the audit
//! records of each.

mod support;

use serde_json::json;

use serde_json::Value;
use support::{Test, events, first_record, records};

const LOCAL: &str = "hosts:
  c1: {connection: local, workdir: ../w/c1, role: backup, groups: [pool]}
  c2: {connection: local, workdir: ../w/c2, role: backup, groups: [pool]}
  c3: {connection: local, workdir: ../w/c3, role: backup, groups: [pool]}
  c4: {connection: local, workdir: ../w/c4, role: backup, groups: [pool]}
";

fn site() -> Test {
    let mut t = Test::new().file("inventory/local.yaml", LOCAL);
    for h in ["c1", "c2", "c3", "c4"] {
        t = t.file(&format!("w/{h}/name"), format!("{h}\n"));
    }
    t.env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
}

fn touched(dir: &std::path::Path, host: &str, file: &str) -> bool {
    dir.join("w").join(host).join(file).exists()
}

#[test]
fn steps_run_in_order_on_every_host_and_outputs_are_grouped_per_step() {
    let run = site()
        .file(
            "pb.yaml",
            "name: look\nhosts: '@pool'\nsteps:\n  - name: first\n    run: echo a > order\n  - name: second\n    run: echo b >> order; cat order\n",
        )
        .args(["run", "pb.yaml"])
        .status(0);
    assert_eq!(
        run.stdout,
        "-- step 1 `first`: echo a > order\n\
         == c1 [BACKUP], c2 [BACKUP], c3 [BACKUP], c4 [BACKUP] (4 hosts, exit 0)\n\
         -- step 2 `second`: echo b >> order; cat order\n\
         == c1 [BACKUP], c2 [BACKUP], c3 [BACKUP], c4 [BACKUP] (4 hosts, exit 0)\na\nb\n"
    );
    assert!(
        run.stderr.contains("c3 [BACKUP] step 2 `second`: ok"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with("4 ok\n"), "{}", run.stderr);
    let r = records(run.path());
    assert_eq!(r[0]["playbook"]["path"], "pb.yaml");
    assert_eq!(r[1]["event"], "plan");
    assert_eq!(
        r[1]["batches"],
        serde_json::json!([["c1", "c2", "c3", "c4"]])
    );
    let ends: Vec<&Value> = r.iter().filter(|r| r["event"] == "command.end").collect();
    assert_eq!(ends.len(), 8);
    assert!(ends.iter().all(|e| e["status"] == "ok"));
    assert_eq!(r.last().unwrap()["status"], "ok");
}

#[test]
fn a_host_that_fails_a_step_runs_no_further_steps() {
    let run = site()
        .file("w/c2/broken", "")
        .file(
            "pb.yaml",
            "name: look\nhosts: '@pool'\nmax_failures: 3\nsteps:\n  - name: check\n    run: test ! -f broken\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml"])
        .status(1);
    assert!(!touched(run.path(), "c2", "marked"));
    for h in ["c1", "c3", "c4"] {
        assert!(touched(run.path(), h, "marked"), "{h} did not finish");
    }
    assert!(
        run.stderr
            .contains("c2 [BACKUP] step 1 `check`: failed (exit 1)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("3 ok; 1 failed: c2"), "{}", run.stderr);
    let starts = records(run.path())
        .into_iter()
        .filter(|r| r["event"] == "command.start" && r["host"] == "c2")
        .count();
    assert_eq!(starts, 1);
}

#[test]
fn a_failing_canary_stops_the_rollout_and_later_batches_are_never_touched() {
    let run = site()
        .file("w/c1/broken", "")
        .file(
            "pb.yaml",
            "name: roll\nhosts: '@pool'\nserial: [1, \"50%\"]\nsteps:\n  - name: check\n    run: test ! -f broken\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml"])
        .status(1);
    for h in ["c1", "c2", "c3", "c4"] {
        assert!(!touched(run.path(), h, "marked"), "{h} was touched");
    }
    assert!(
        run.stderr.contains("3 never touched: c2, c3, c4"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("stopped: 1 host(s) failed, more than max_failures (0): the rollout stopped after batch 1"),
        "{}",
        run.stderr
    );
    let r = records(run.path());
    assert_eq!(
        r[1]["batches"],
        serde_json::json!([["c1"], ["c2", "c3"], ["c4"]])
    );
    assert!(
        r.iter()
            .filter(|r| r["event"] == "command.start")
            .all(|r| r["host"] == "c1")
    );
    assert_eq!(r.last().unwrap()["status"], "failed");
    // The one batch that ran, between its records; none for the others.
    let batches: Vec<_> = r
        .iter()
        .filter(|r| r["event"].as_str().unwrap().starts_with("batch."))
        .collect();
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert_eq!(
        (
            &batches[0]["event"], &batches[0]["batch"], &batches[0]["of"]
        ),
        (&json!("batch.start"), &json!(1), &json!(3))
    );
    assert_eq!(
        batches[0]["targets"],
        json!([{"name": "c1", "role": "backup"}])
    );
    assert_eq!(batches[1]["event"], "batch.end");
    assert_eq!(batches[1]["statuses"], json!({"failed": 1}));
    let seq = |r: &serde_json::Value| r["seq"].as_u64().unwrap();
    let commands: Vec<u64> = r
        .iter()
        .filter(|r| r["event"] == "command.start")
        .map(seq)
        .collect();
    assert!(
        commands
            .iter()
            .all(|&s| seq(batches[0]) < s && s < seq(batches[1]))
    );
}

#[test]
fn batches_run_one_after_another() {
    // Each host records how many hosts had finished before it started: with
    // serial 1 they are strictly one after another.
    let run = site()
        .file(
            "pb.yaml",
            "name: roll\nhosts: '@pool'\nserial: 1\nsteps:\n  - name: count\n    run: ls ../*/done 2>/dev/null | wc -l > seen; touch done\n",
        )
        .args(["run", "pb.yaml", "--forks", "4"])
        .status(0);
    let mut seen: Vec<u32> = ["c1", "c2", "c3", "c4"]
        .iter()
        .map(|h| {
            std::fs::read_to_string(run.path().join("w").join(h).join("seen"))
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    seen.sort();
    assert_eq!(seen, [0, 1, 2, 3]);
}

#[test]
fn a_budget_exceeded_stops_the_run() {
    let run = site()
        .file(
            "pb.yaml",
            "name: est\nhosts: c1\nsteps:\n  - name: estimate\n    run: echo 30000\n    budget: 25000\n  - name: work\n    run: touch worked\n",
        )
        .args(["run", "pb.yaml"])
        .status(1);
    assert!(!touched(run.path(), "c1", "worked"));
    assert!(
        run.stderr
            .contains("stopped: c1: budget exceeded: 30000 > 25000"),
        "{}",
        run.stderr
    );
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["status"], "failed");
    assert_eq!(end["message"], "budget exceeded: 30000 > 25000");
}

#[test]
fn a_budget_output_that_is_not_a_number_stops_the_run() {
    let run = site()
        .file(
            "pb.yaml",
            "name: est\nhosts: c1\nsteps:\n  - name: estimate\n    run: echo lots\n    budget: 25000\n  - name: work\n    run: touch worked\n",
        )
        .args(["run", "pb.yaml"])
        .status(1);
    assert!(!touched(run.path(), "c1", "worked"));
    assert!(
        run.stderr
            .contains("budget: the output `lots` is not a non-negative number"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_budget_within_limits_lets_the_run_go_on() {
    let run = site()
        .file(
            "pb.yaml",
            "name: est\nhosts: c1\nsteps:\n  - name: estimate\n    run: echo 12.5\n    budget: 25000\n  - name: work\n    run: touch worked\n",
        )
        .args(["run", "pb.yaml"])
        .status(0);
    assert!(touched(run.path(), "c1", "worked"));
}

const WIPE: &str = "name: wipe\nhosts: '@pool'\nserial: 1\nsteps:\n  - name: before\n    run: touch marker\n  - name: wipe\n    run: rm -rf srv\n    role: backup\n";

#[test]
fn a_destructive_step_refuses_the_whole_run_before_anything_runs() {
    for (flags, reason, says) in [
        (
            vec![],
            "confirm-role-missing",
            "refused (confirm-role-missing): destructive work without a terminal needs --confirm-role ROLE",
        ),
        (
            vec!["--confirm-role", "live"],
            "confirm-role-mismatch",
            "--confirm-role live does not match",
        ),
    ] {
        let mut args = vec!["run", "pb.yaml"];
        args.extend(flags);
        let run = site().file("pb.yaml", WIPE).args(args).status(3);
        for h in ["c1", "c2", "c3", "c4"] {
            assert!(!touched(run.path(), h, "marker"), "ran on {h}");
        }
        assert!(run.stderr.contains(says), "{}", run.stderr);
        let r = records(run.path());
        assert_eq!(
            events(&r),
            ["session.start", "plan", "guard.refused", "session.end"]
        );
        assert_eq!(r[1]["destructive"], true);
        assert_eq!(r[2]["reason"], reason);
        assert_eq!(r[3]["exit_code"], 3);
    }
    // Confirmed, it runs, batch by batch.
    let run = site()
        .file("pb.yaml", WIPE)
        .args(["run", "pb.yaml", "--confirm-role", "backup"])
        .status(0);
    for h in ["c1", "c2", "c3", "c4"] {
        assert!(touched(run.path(), h, "marker"), "{h}");
    }
}

#[test]
fn an_invalid_playbook_runs_nothing_and_writes_no_audit() {
    let run = site()
        .file(
            "pb.yaml",
            "name: bad\nhosts: '@pool'\nstepz:\n  - name: mark\n    run: touch marker\n",
        )
        .args(["run", "pb.yaml"])
        .status(2);
    assert!(run.stderr.contains("pb.yaml:3:1"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was run"), "{}", run.stderr);
    assert!(!run.path().join("audit.jsonl").exists());
}

#[test]
fn limit_narrows_the_hosts() {
    let run = site()
        .file(
            "pb.yaml",
            "name: mark\nhosts: '@pool'\nsteps:\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml", "--limit", "c2,c4"])
        .status(0);
    for (h, want) in [("c1", false), ("c2", true), ("c3", false), ("c4", true)] {
        assert_eq!(touched(run.path(), h, "marked"), want, "{h}");
    }
}

#[test]
fn limit_outside_the_playbook_hosts_is_an_error() {
    site()
        .file(
            "pb.yaml",
            "name: mark\nhosts: 'c1'\nsteps:\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml", "--limit", "nosuch"])
        .status(2)
        .stderr_has("--limit");
}

#[test]
fn dry_run_prints_the_plan_and_runs_nothing() {
    let run = site()
        .file(
            "pb.yaml",
            "name: mark\nhosts: '@pool'\nserial: 2\nsteps:\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml", "--dry-run"])
        .status(0);
    assert!(run.stdout.contains("mark"), "{}", run.stdout);
    assert!(run.stdout.contains("c1"), "{}", run.stdout);
    for h in ["c1", "c2", "c3", "c4"] {
        assert!(!touched(run.path(), h, "marked"));
    }
    assert!(!run.path().join("audit.jsonl").exists());
}

#[test]
fn dry_run_in_json_prints_the_plan_as_json() {
    let run = site()
        .file(
            "pb.yaml",
            "name: mark\nhosts: '@pool'\nserial: 2\nsteps:\n  - name: mark\n    run: touch marked\n",
        )
        .args(["run", "pb.yaml", "--dry-run", "--format", "json"])
        .status(0);
    let plan = run.json();
    assert_eq!(plan["playbook"], "mark");
    assert_eq!(plan["steps"][0]["command"], "touch marked");
    assert_eq!(plan["batches"].as_array().unwrap().len(), 2);
    assert!(plan["decision"]["no_terminal"].is_string());
    assert!(!run.path().join("audit.jsonl").exists());
}

#[test]
fn json_lists_every_step_of_every_host() {
    let run = site()
        .file("w/c2/broken", "")
        .file(
            "pb.yaml",
            "name: look\nhosts: c1,c2\nmax_failures: 1\nsteps:\n  - name: check\n    run: test ! -f broken\n  - name: name\n    run: cat name\n",
        )
        .args(["run", "pb.yaml", "--format", "json"])
        .status(1);
    let hosts = run.json();
    let hosts = hosts.as_array().unwrap();
    let c1 = hosts.iter().find(|h| h["host"] == "c1").unwrap();
    let c2 = hosts.iter().find(|h| h["host"] == "c2").unwrap();
    assert_eq!(c1["status"], "ok");
    assert_eq!(c1["stdout"], "c1\n");
    assert_eq!(c1["steps"].as_array().unwrap().len(), 2);
    assert_eq!(c1["steps"][1]["name"], "name");
    assert_eq!(c1["steps"][1]["number"], 2);
    assert_eq!(c2["status"], "failed");
    assert_eq!(c2["steps"].as_array().unwrap().len(), 1);
    assert_eq!(c2["steps"][0]["exit_code"], 1);
}

#[test]
fn a_step_timeout_from_the_playbook_applies() {
    let run = site()
        .file(
            "pb.yaml",
            "name: slow\nhosts: c1\nsteps:\n  - name: slow\n    run: sleep 30\n    timeout: 1s\n",
        )
        .args(["run", "pb.yaml"])
        .status(1);
    assert!(
        run.stderr
            .contains("c1 [BACKUP] step 1 `slow`: timeout: timed out after 1s"),
        "{}",
        run.stderr
    );
}

#[test]
fn change_of_the_playbook_is_recorded_and_the_flag_wins() {
    let pb =
        "name: mark\nhosts: c1\nchange: CHG-1\nsteps:\n  - name: mark\n    run: touch marked\n";
    let run = site()
        .file("pb.yaml", pb)
        .args(["run", "pb.yaml"])
        .status(0);
    assert_eq!(records(run.path())[0]["change"], "CHG-1");
    let run = site()
        .file("pb.yaml", pb)
        .args(["run", "pb.yaml", "--change", "CHG-2"])
        .status(0);
    assert_eq!(records(run.path())[0]["change"], "CHG-2");
}

#[test]
fn the_demo_health_check_runs_on_the_demo_inventory() {
    let repo = support::repo();
    let log = tempfile::tempdir().unwrap();
    let log = log.path().join("audit.jsonl");
    Test::new()
        .cwd(&repo)
        .env("OPSGUARD_AUDIT_LOG", log.to_str().unwrap())
        .args([
            "-i", "inventory/demo.yaml", "run", "playbooks/health-check.yaml",
        ])
        .status(0)
        .stderr_has("3 ok");
}
