//! `opsguard exec` through the real binary on `connection: local` hosts:
//! output, grouping, exit codes, refusals, timeouts, unreachable hosts,
//! interruption, and the audit records of each.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Test, events, first_record, opsguard, records, wait_for};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, groups: [all]}
  l2: {connection: local, workdir: ../w/l2, role: live, groups: [all]}
  b1: {connection: local, workdir: ../w/b1, role: backup, groups: [all]}
  gone: {connection: local, workdir: ../w/missing, role: backup}
  far: {address: 127.0.0.1, port: 1, role: backup}
";

fn site() -> Test {
    Test::new()
        .file("inventory/local.yaml", LOCAL)
        .file("w/l1/name", "one\n")
        .file("w/l2/name", "one\n")
        .file("w/b1/name", "two\n")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
}

fn verify(dir: &std::path::Path) {
    let out = opsguard(dir, &["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_host_streams_its_output_and_every_step_is_recorded() {
    let run = site()
        .args(["exec", "l1", "--", "cat name; echo oops >&2"])
        .status(0);
    assert_eq!(run.stdout, "one\n");
    assert!(run.stderr.contains("oops"), "{}", run.stderr);
    let r = records(run.path());
    assert_eq!(
        events(&r),
        [
            "session.start", "plan", "command.start", "command.end", "session.end"
        ]
    );
    assert_eq!(
        r[1]["targets"],
        serde_json::json!([{"name": "l1", "role": "live"}])
    );
    assert_eq!(r[2]["host"], "l1");
    assert_eq!(r[2]["command"], "cat name; echo oops >&2");
    assert_eq!(r[3]["exit_code"], 0);
    assert_eq!(r[3]["stdout"]["text"], "one\n");
    assert_eq!(r[3]["stderr"]["bytes"], 5);
    assert_eq!(r[4]["status"], "ok");
    assert_eq!(r[0]["inventory"]["path"], "inventory");
    verify(run.path());
}

#[test]
fn many_hosts_group_identical_output_and_summarise() {
    let run = site()
        .args(["exec", "@all,!gone", "--", "cat", "name"])
        .status(0);
    assert_eq!(
        run.stdout,
        "== l1 [LIVE], l2 [LIVE] (2 hosts, exit 0)\none\n== b1 [BACKUP] (1 host, exit 0)\ntwo\n"
    );
    assert!(run.stderr.ends_with("3 ok\n"), "{}", run.stderr);
}

#[test]
fn mixed_exit_codes_exit_1_and_name_the_failures() {
    let run = site()
        .file("w/l2/flag", "")
        .args(["exec", "@all,!gone", "--", "test -f flag"])
        .status(1);
    assert!(
        run.stderr.contains("1 ok; 2 failed: l1, b1"),
        "{}",
        run.stderr
    );
    assert_eq!(records(run.path()).last().unwrap()["status"], "failed");
}

#[test]
fn json_has_one_object_per_host() {
    let run = site()
        .args([
            "exec", "l1,b1", "--format", "json", "--", "cat name; exit 2",
        ])
        .status(1);
    let hosts = run.json();
    assert_eq!(hosts.as_array().unwrap().len(), 2);
    let l1 = hosts
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "l1")
        .unwrap();
    assert_eq!(l1["role"], "live");
    assert_eq!(l1["status"], "failed");
    assert_eq!(l1["exit_code"], 2);
    assert_eq!(l1["signal"], Value::Null);
    assert_eq!(l1["stdout"], "one\n");
    assert_eq!(l1["stderr"], "");
    assert!(l1["duration_ms"].is_u64());
}

/// Run a destructive `touch marker; rm -rf old` on `selector` with `flags`;
/// check it was refused with `reason`, ran nowhere, and was recorded.
fn refused(selector: &str, flags: &[&str], reason: &str, says: &str) {
    let mut args = vec!["exec", selector];
    args.extend_from_slice(flags);
    args.extend(["--", "touch marker; rm -rf old"]);
    let run = site().args(args).status(3);
    assert!(
        run.stderr.contains(&format!("refused ({reason}): ")) && run.stderr.contains(says),
        "{selector} {flags:?}: {}",
        run.stderr
    );
    for host in ["l1", "l2", "b1"] {
        assert!(
            !run.path().join("w").join(host).join("marker").exists(),
            "ran on {host}"
        );
    }
    let r = records(run.path());
    assert_eq!(
        events(&r),
        ["session.start", "plan", "guard.refused", "session.end"],
        "{selector} {flags:?}"
    );
    assert_eq!(r[1]["destructive"], true);
    assert_eq!(r[2]["reason"], reason, "{selector} {flags:?}");
    assert_eq!(r[3]["status"], "refused");
    assert_eq!(r[3]["exit_code"], 3);
    verify(run.path());
}

const POLICY: &str = "policy:
  freeze:
    - {from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z, roles: [beta], reason: forever}
";

#[test]
fn without_a_terminal_destructive_commands_need_the_role_confirmed() {
    refused(
        "b1",
        &[],
        "confirm-role-missing",
        "destructive work without a terminal needs --confirm-role ROLE",
    );
    refused(
        "b1",
        &["--confirm-role", "live"],
        "confirm-role-mismatch",
        "--confirm-role live does not match the role of the target hosts",
    );
    let run = site()
        .args(["exec", "b1", "--confirm-role", "live", "--", "rm -rf x"])
        .status(3);
    assert_eq!(records(run.path())[2]["typed"], "live");
}

#[test]
fn protected_roles_without_a_terminal_need_a_change_ticket() {
    refused(
        "l1",
        &["--confirm-role", "live"],
        "change-required",
        "live is protected: without a terminal, destructive work on it needs a change ticket; pass --change ID",
    );
}

#[test]
fn destructive_work_is_aimed_at_one_role() {
    refused(
        "@all,!gone,!far",
        &["--confirm-role", "live", "--change", "C-1"],
        "mixed-roles",
        "destructive work aimed at hosts of 2 roles (live: l1, l2; backup: b1)",
    );
}

#[test]
fn a_freeze_refuses_unless_emergency() {
    let run = site()
        .file("inventory/policy.yaml", POLICY)
        .file("inventory/beta.yaml", "hosts:\n  t1: {connection: local, workdir: ../w/t1, role: beta}\nroles:\n  beta: {color: yellow}\n  live: {protected: true, color: red}\n  backup: {color: green}\n")
        .args(["exec", "t1", "--confirm-role", "beta", "--", "touch marker; rm -rf old"])
        .status(3);
    assert!(
        run.stderr
            .contains("refused (freeze): beta is frozen until 2100-01-01T00:00:00Z (forever)"),
        "{}",
        run.stderr
    );
    assert_eq!(records(run.path())[2]["reason"], "freeze");
    assert!(!run.path().join("w/t1/marker").exists());
}

#[test]
fn a_timeout_stops_the_command_and_everything_it_started() {
    let started = Instant::now();
    let run = site()
        .args([
            "exec", "l1", "--timeout", "1s", "--confirm-role", "live", "--change", "CHG-1", "--",
            "(sleep 2; touch late) & sleep 30",
        ])
        .status(1);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        run.stderr.contains("l1 [LIVE] timeout: timed out after 1s"),
        "{}",
        run.stderr
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !run.path().join("w/l1/late").exists(),
        "a child of the timed-out command lived on"
    );
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["status"], "timeout");
    assert_eq!(end["signal"], "SIGTERM");
}

#[test]
fn unreachable_hosts_are_reported_while_the_others_run() {
    let run = site()
        .args(["exec", "@all,gone,far", "--", "cat name"])
        .status(1);
    assert!(
        run.stderr.contains("gone [BACKUP] unreachable: workdir"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("far [BACKUP] unreachable: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("@127.0.0.1:1: cannot connect to 127.0.0.1:1: Connection refused"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 ok; 2 unreachable: gone, far"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("== l1 [LIVE], l2 [LIVE] (2 hosts, exit 0)")
    );
    let r = records(run.path());
    assert_eq!(
        r.iter()
            .filter(|r| r["event"] == "host.unreachable")
            .count(),
        2
    );
}

#[test]
fn an_unwritable_audit_log_means_nothing_runs() {
    for log in ["/dev/full", "/proc/no-such-dir/audit.jsonl"] {
        let run = site()
            .args(["--audit-log", log, "exec", "l1", "--", "touch marker"])
            .status(4);
        assert!(run.stderr.contains(log), "{}", run.stderr);
        assert!(run.stderr.contains("nothing was run"), "{}", run.stderr);
        assert!(
            !run.path().join("w/l1/marker").exists(),
            "ran without a record"
        );
    }
}

#[test]
fn dry_run_prints_the_plan_and_records_nothing() {
    let run = site()
        .args(["exec", "@all,!gone", "--dry-run", "--", "touch marker"])
        .status(0);
    assert_eq!(
        run.stdout,
        "would run `touch marker` on 3 host(s): l1 [LIVE], l2 [LIVE], b1 [BACKUP]\n  \
         not known to be safe: `touch marker`: `touch` is not a command opsguard knows to be read-only\n"
    );
    assert!(!run.path().join("audit.jsonl").exists());
    assert!(!run.path().join("w/l1/marker").exists());
}

#[test]
fn dry_run_in_json_prints_the_verdict_and_hosts() {
    let run = site()
        .args([
            "exec", "@all,!gone", "--dry-run", "--format", "json", "--", "touch marker",
        ])
        .status(0);
    let v = run.json();
    assert_eq!(v["command"], "touch marker");
    assert_eq!(v["verdict"], "unknown");
    assert_eq!(v["hosts"][0]["name"], "l1");
    assert_eq!(v["hosts"][0]["role"], "live");
    assert!(!run.path().join("audit.jsonl").exists());
}

#[test]
fn there_is_no_default_selector() {
    site().args(["exec", "--", "ls"]).status(2);
    site()
        .args(["exec", "nope", "--", "ls"])
        .status(2)
        .stderr_has("unknown host `nope`");
}

#[test]
fn an_interrupt_stops_running_commands_and_is_recorded() {
    let t = site();
    let dir = t.path().to_path_buf();
    let _keep = t;
    let mut child = opsguard(&dir, &["exec", "l1,l2", "--", "sleep 30"])
        .spawn()
        .unwrap();
    // Wait until both commands are recorded as started.
    wait_for(&dir, |r| {
        r.iter().filter(|r| r["event"] == "command.start").count() >= 2
    });
    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the grace period is bounded"
    );
    let r = records(&dir);
    let ends: Vec<&Value> = r.iter().filter(|r| r["event"] == "command.end").collect();
    assert_eq!(ends.len(), 2);
    assert!(ends.iter().all(|e| e["signal"] == "SIGTERM"), "{ends:?}");
    assert_eq!(r.last().unwrap()["status"], "interrupted");
    assert_eq!(r.last().unwrap()["exit_code"], 130);
    verify(&dir);
}

#[test]
fn a_read_only_audit_log_means_nothing_runs() {
    use std::os::unix::fs::PermissionsExt;
    let t = site().file("audit.jsonl", "");
    let dir = t.path().to_path_buf();
    let _keep = t;
    // As an operator without write access: root ignores file modes, so as
    // root the command runs as nobody (setpriv, util-linux).
    for (path, mode) in [
        ("", 0o755),
        ("w", 0o755),
        ("w/l1", 0o777),
        ("inventory", 0o755),
        ("inventory/local.yaml", 0o644),
        ("audit.jsonl", 0o444),
    ] {
        std::fs::set_permissions(dir.join(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let opsguard = env!("CARGO_BIN_EXE_opsguard");
    let args = [
        "--audit-log", "audit.jsonl", "exec", "l1", "--", "touch marker",
    ];
    let out = if support::is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", opsguard])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    } else {
        Command::new(opsguard)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("cannot open the audit log audit.jsonl")
            && stderr.contains("nothing was run"),
        "{stderr}"
    );
    assert!(!dir.join("w/l1/marker").exists(), "ran without a record");
}

#[test]
fn large_outputs_keep_their_ends_and_say_what_was_left_out() {
    // 588,895 bytes: the numbers 1 to 100,000, one per line.
    let run = site()
        .args(["exec", "b1", "--format", "json", "--", "seq 1 100000"])
        .status(0);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let host = &v[0];
    assert_eq!(host["stdout_bytes"], 588_895);
    let text = host["stdout"].as_str().unwrap();
    assert!(text.starts_with("1\n2\n3\n"), "{}", &text[..20]);
    assert!(text.ends_with("99999\n100000\n"));
    let left_out = 588_895 - 2 * 64 * 1024;
    assert!(
        text.contains(&format!(
            "[opsguard: {left_out} bytes not kept; 588895 bytes in all, sha256 "
        )),
        "no gap line"
    );
    // The audit log has the head, the size and the hash of all of it.
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["stdout"]["bytes"], 588_895);
    assert_eq!(end["stdout"]["truncated"], true);
    assert_eq!(end["stdout"]["text"].as_str().unwrap().len(), 64 * 1024);
    let seq: Vec<u8> = (1..=100_000)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    let digest = sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&seq));
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(end["stdout"]["sha256"], hash.as_str());
    assert!(text.contains(&hash));
}

#[test]
fn hosts_printing_the_same_large_output_are_grouped_by_its_hash() {
    // Same head and tail, different middles: two groups.
    let run = site()
        .args([
            "exec", "@all", "--", "seq 1 100000 | sed \"50000s/.*/$(cat name)/\"",
        ])
        .status(0);
    assert!(
        run.stdout
            .contains("== l1 [LIVE], l2 [LIVE] (2 hosts, exit 0)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("== b1 [BACKUP] (1 host, exit 0)"),
        "{}",
        run.stdout
    );
}

#[test]
fn grouped_output_in_a_pipe_is_byte_for_byte() {
    // Invalid UTF-8 and a control character, from two hosts.
    let run = site()
        .args(["exec", "l1,l2", "--", "printf 'a\\377\\376b\\033[2Jc\\n'"])
        .status(0);
    let want = b"a\xff\xfeb\x1b[2Jc\n";
    assert!(
        run.stdout_bytes.windows(want.len()).any(|w| w == want),
        "{:?}",
        run.stdout_bytes
    );
}
