//! Signed plans through the real binary: `plan --out`, `approve` (SSH
//! signatures made with ssh-keygen-generated keys, checked both ways with
//! `ssh-keygen -Y`), `run --plan`, and every refusal code on local hosts.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::sshd::{keygen, must};
use support::{Test, first_record, records};

const PLAYBOOK: &str = "name: wipe
description: remove the old export on the live host
hosts: l1
change: CHG-7
serial: [1]
steps:
  - name: remove
    role: live
    run: rm -f old-export
    timeout: 5m
";

/// A site: a protected live host whose guarded work needs one approval,
/// a backup host without that policy, `bob` in allowed_signers, and the
/// operator (whoever runs the tests) with a key of their own there too.
fn site() -> Test {
    let t = Test::new();
    for name in ["bob", "mallory", "me"] {
        keygen(&t.path().join(name), "");
    }
    let key = |name: &str| {
        std::fs::read_to_string(t.path().join(format!("{name}.pub")))
            .unwrap()
            .trim()
            .to_string()
    };
    let operator = operator();
    // The operator's own key also under another name: still theirs.
    let signers = format!(
        "bob {}\n{operator} {}\ncarol {}\n",
        key("bob"),
        key("me"),
        key("me")
    );
    t.file("allowed_signers", signers)
        .file(
            "inventory.yaml",
            "settings:\n  allowed_signers: allowed_signers\nroles:\n  live: {protected: true, color: red}\n  backup: {color: green}\n\
             policy:\n  approvals: {live: 1}\nhosts:\n  l1: {connection: local, workdir: w/l1, role: live}\n  \
             b1: {connection: local, workdir: w/b1, role: backup}\n",
        )
        .file("wipe.yaml", PLAYBOOK)
        .file("w/l1/old-export", "x\n")
        .file("w/b1/old-export", "x\n")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
}

/// The user running the tests, as opsguard names the operator.
fn operator() -> String {
    must(Command::new("id").arg("-un")).trim().to_string()
}

/// Run opsguard in `dir` (a site kept across steps).
fn og(dir: &Path, args: &[&str]) -> std::process::Output {
    support::opsguard(dir, args)
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .output()
        .unwrap()
}

#[track_caller]
fn status(out: &std::process::Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// The reason of the last refusal in the site's log.
fn refused(dir: &Path) -> String {
    records(dir)
        .iter()
        .rev()
        .find(|r| r["event"] == "guard.refused")
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

const RUN: &[&str] = &["run", "--plan", "p.json", "--confirm-role", "live"];

#[test]
fn an_approved_plan_runs_and_everything_else_is_refused_with_its_code() {
    let run = site().run();
    let dir = run.path();

    // Without a plan, guarded work on live is refused; --emergency
    // overrides, recorded.
    let exec = [
        "exec", "l1", "--confirm-role", "live", "--change", "CHG-7", "--", "rm -f old-export",
    ];
    let stderr = status(&og(dir, &exec), 3);
    assert!(
        stderr.contains("needs a plan approved by 1 other person"),
        "{stderr}"
    );
    assert_eq!(refused(dir), "approval-required");
    assert!(dir.join("w/l1/old-export").exists());
    // The backup role has no such policy.
    status(
        &og(
            dir,
            &[
                "exec", "b1", "--confirm-role", "backup", "--", "rm -f old-export",
            ],
        ),
        0,
    );

    // The plan file, then a run without approvals.
    let stderr = status(&og(dir, &["plan", "wipe.yaml", "--out", "p.json"]), 0);
    assert!(stderr.contains("approvals needed: live: 1"), "{stderr}");
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "approval-missing");

    // An approval by someone the inventory does not know for that key.
    std::fs::copy(dir.join("p.json"), dir.join("clean.json")).unwrap();
    status(
        &og(
            dir,
            &[
                "approve", "p.json", "--key", "mallory", "--principal", "bob",
            ],
        ),
        0,
    );
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "approval-invalid");

    // The operator's own approval.
    std::fs::copy(dir.join("clean.json"), dir.join("p.json")).unwrap();
    status(&og(dir, &["approve", "p.json", "--key", "me"]), 0);
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "self-approval");

    // The operator's key under another name is still the operator's.
    std::fs::copy(dir.join("clean.json"), dir.join("p.json")).unwrap();
    status(
        &og(
            dir,
            &["approve", "p.json", "--key", "me", "--principal", "carol"],
        ),
        0,
    );
    let stderr = status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "self-approval", "{stderr}");

    // A signers file others may write vouches for nobody.
    std::fs::copy(dir.join("clean.json"), dir.join("p.json")).unwrap();
    status(
        &og(
            dir,
            &["approve", "p.json", "--key", "bob", "--principal", "bob"],
        ),
        0,
    );
    std::fs::create_dir(dir.join("open")).unwrap();
    std::fs::copy(
        dir.join("allowed_signers"),
        dir.join("open/allowed_signers"),
    )
    .unwrap();
    std::fs::set_permissions(
        dir.join("open"),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let inventory = std::fs::read_to_string(dir.join("inventory.yaml")).unwrap();
    std::fs::write(
        dir.join("inventory.yaml"),
        inventory.replace(
            "allowed_signers: allowed_signers", "allowed_signers: open/allowed_signers",
        ),
    )
    .unwrap();
    let stderr = status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "approval-invalid");
    assert!(stderr.contains("others may write"), "{stderr}");
    std::fs::write(dir.join("inventory.yaml"), &inventory).unwrap();

    // What was approved runs as approved: no --become on top.
    let stderr = status(
        &og(
            dir,
            &[
                "run", "--plan", "p.json", "--confirm-role", "live", "--become", "root",
            ],
        ),
        2,
    );
    assert!(
        stderr.contains("--plan runs exactly the approved plan"),
        "{stderr}"
    );

    // bob approves: ssh-keygen -Y verify accepts his signature, and the
    // plan runs, still after the typed-back role.
    std::fs::copy(dir.join("clean.json"), dir.join("p.json")).unwrap();
    let out = og(
        dir,
        &["approve", "p.json", "--key", "bob", "--principal", "bob"],
    );
    status(&out, 0);
    // What the reviewer sees: the batches and what each step runs with.
    let shown =
        String::from_utf8_lossy(&og(dir, &["approve", "--show", "p.json"]).stdout).into_owned();
    for part in [
        "approved by bob", "batch 1: l1", "guarded: destructive", "timeout 5m",
    ] {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("p.json")).unwrap()).unwrap();
    let plan_id = file["plan_id"].as_str().unwrap();
    std::fs::write(
        dir.join("sig"),
        file["approvals"][0]["signature"].as_str().unwrap(),
    )
    .unwrap();
    let mut verify = Command::new("ssh-keygen")
        .args([
            "-Y", "verify", "-f", "allowed_signers", "-I", "bob", "-n", "opsguard-plan", "-s",
            "sig",
        ])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(verify.stdin.as_mut().unwrap(), plan_id.as_bytes()).unwrap();
    drop(verify.stdin.take());
    assert!(
        verify.wait().unwrap().success(),
        "ssh-keygen -Y verify refused it"
    );
    let approve = records(dir)
        .into_iter()
        .rev()
        .find(|r| r["event"] == "plan.approve")
        .unwrap();
    assert_eq!(
        (approve["principal"].as_str(), approve["plan_id"].as_str()),
        (Some("bob"), Some(plan_id))
    );

    status(&og(dir, &["run", "--plan", "p.json"]), 3);
    assert_eq!(
        refused(dir),
        "confirm-role-missing",
        "an approval never replaces the role"
    );
    status(&og(dir, RUN), 0);
    assert!(!dir.join("w/l1/old-export").exists());
    let start = records(dir)
        .into_iter()
        .rev()
        .find(|r| r["event"] == "session.start")
        .unwrap();
    assert_eq!(start["plan"]["id"], plan_id);
    assert_eq!(start["plan"]["approvers"][0]["principal"], "bob");
    assert!(
        start["plan"]["allowed_signers"]["sha256"]
            .as_str()
            .is_some_and(|s| s.len() == 64)
    );
    assert!(
        start["plan"]["approvers"][0]["key"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );

    // The plan's content changed after bob signed: his signature is over
    // another plan.
    let edited = std::fs::read_to_string(dir.join("p.json"))
        .unwrap()
        .replace("rm -f old-export", "rm -rf /srv");
    std::fs::write(dir.join("p.json"), edited).unwrap();
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "approval-invalid");

    // The playbook changed since: stale.
    std::fs::copy(dir.join("clean.json"), dir.join("p.json")).unwrap();
    status(
        &og(
            dir,
            &["approve", "p.json", "--key", "bob", "--principal", "bob"],
        ),
        0,
    );
    std::fs::write(
        dir.join("wipe.yaml"),
        PLAYBOOK.replace("old-export", "older-export"),
    )
    .unwrap();
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "plan-stale");
    std::fs::write(dir.join("wipe.yaml"), PLAYBOOK).unwrap();

    // Past its time: expired.
    std::fs::remove_file(dir.join("p.json")).unwrap();
    status(
        &og(
            dir,
            &["plan", "wipe.yaml", "--out", "p.json", "--valid-for", "1s"],
        ),
        0,
    );
    status(
        &og(
            dir,
            &["approve", "p.json", "--key", "bob", "--principal", "bob"],
        ),
        0,
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    status(&og(dir, RUN), 3);
    assert_eq!(refused(dir), "plan-expired");
    // Nor is an expired plan approved.
    let stderr = status(
        &og(
            dir,
            &["approve", "p.json", "--key", "bob", "--principal", "bob"],
        ),
        2,
    );
    assert!(stderr.contains("the plan expired at"), "{stderr}");
}

/// A signature made by hand with `ssh-keygen -Y sign` over the plan id is
/// an approval like one `opsguard approve` adds.
#[test]
fn a_signature_made_with_ssh_keygen_approves_the_plan() {
    let run = site().run();
    let dir = run.path();
    status(&og(dir, &["plan", "wipe.yaml", "--out", "p.json"]), 0);
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("p.json")).unwrap()).unwrap();
    let plan_id = file["plan_id"].as_str().unwrap().to_string();
    let mut sign = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "opsguard-plan", "-f", "bob"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(sign.stdin.as_mut().unwrap(), plan_id.as_bytes()).unwrap();
    drop(sign.stdin.take());
    let out = sign.wait_with_output().unwrap();
    assert!(out.status.success());
    file["approvals"] = serde_json::json!([{
        "principal": "bob",
        "key": "",
        "signed": "2026-12-03T00:00:00.000Z",
        "signature": String::from_utf8(out.stdout).unwrap(),
    }]);
    std::fs::write(dir.join("p.json"), serde_json::to_string(&file).unwrap()).unwrap();
    status(&og(dir, RUN), 0);
    assert!(!dir.join("w/l1/old-export").exists());
    let _ = first_record(&records(dir), "command.end");
}
