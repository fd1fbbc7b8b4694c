//! The offline commands through the real binary: hosts, classify,
//! completions, man, usage and exit codes.

mod support;

use support::{INVENTORY, Test};

#[test]
fn hosts_lists_every_host_plainly_when_not_a_terminal() {
    let run = Test::new()
        .file("inventory/main.yaml", INVENTORY)
        .args(["hosts"])
        .status(0);
    assert_eq!(
        run.stdout,
        "\
NAME        ROLE    ADDRESS    GROUPS               MIRROR
store-a1    LIVE    10.0.1.11  cluster-a,mailstore  store-a1-m
store-a1-m  LIVE    10.0.1.12  cluster-a            -
backup-a1   BACKUP  10.0.2.11  cluster-a            -
"
    );
    assert!(!run.stdout.contains('\x1b'));
}

#[test]
fn hosts_colours_roles_when_asked() {
    let run = Test::new()
        .file("inventory/main.yaml", INVENTORY)
        .args(["hosts", "--color", "always"])
        .status(0);
    assert!(
        run.stdout.contains("\x1b[31m\x1b[1mLIVE") || run.stdout.contains("\x1b[1m\x1b[31mLIVE"),
        "{:?}",
        run.stdout
    );
    assert!(run.stdout.contains("\x1b[32mBACKUP"), "{:?}", run.stdout);
    let run = Test::new()
        .file("inventory/main.yaml", INVENTORY)
        .env("CLICOLOR_FORCE", "1")
        .args(["hosts"])
        .status(0);
    assert!(run.stdout.contains('\x1b'), "CLICOLOR_FORCE colours a pipe");
    let run = Test::new()
        .file("inventory/main.yaml", INVENTORY)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["hosts"])
        .status(0);
    assert!(!run.stdout.contains('\x1b'), "NO_COLOR wins");
}

#[test]
fn hosts_selector_and_json() {
    let run = Test::new()
        .file("inv.yaml", INVENTORY)
        .args([
            "-i", "inv.yaml", "hosts", "@cluster-a,!role:live", "--format", "json",
        ])
        .status(0);
    assert_eq!(
        run.json(),
        serde_json::json!([{"name": "backup-a1", "role": "backup", "address": "10.0.2.11", "connection": "ssh", "groups": ["cluster-a"], "mirror": null}])
    );
    let run = Test::new()
        .file("inv.yaml", INVENTORY)
        .env("OPSGUARD_INVENTORY", "inv.yaml")
        .args(["hosts", "store-a*", "--format", "json"])
        .status(0);
    assert_eq!(run.json()[0]["mirror"], "store-a1-m");
    assert_eq!(run.json().as_array().unwrap().len(), 2);
}

#[test]
fn hosts_selector_that_matches_nothing_is_an_error() {
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["hosts", "stor-a1"])
        .status(2)
        .stderr_has("unknown host `stor-a1` (did you mean `store-a1`?)");
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["hosts", "!store-a1"])
        .status(2)
        .stderr_has("selects none");
}

#[test]
fn missing_or_broken_inventory_stops_with_exit_2() {
    Test::new()
        .args(["hosts"])
        .status(2)
        .stderr_has("cannot read inventory inventory")
        .stderr_has("\nhint: name the inventory with -i PATH or OPSGUARD_INVENTORY");
    Test::new()
        .file("inventory/a.yaml", "hosts:\n  a: {role: prod}\n")
        .args(["hosts"])
        .status(2)
        .stderr_has("inventory/a.yaml:2:13: error[E004]: unknown role `prod`")
        .stderr_has("nothing was run")
        .stderr_has("\nhint: `opsguard validate` lists every problem with its file and line");
}

#[test]
fn inventory_folder_merges_and_names_both_places_of_a_duplicate() {
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .file("inventory/b.yml", "hosts:\n  extra: {role: backup}\n")
        .file("inventory/notes.txt", "not yaml, not read")
        .args(["hosts", "extra"])
        .status(0)
        .stdout_has("extra");
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .file("inventory/b.yaml", "hosts:\n  backup-a1: {role: backup}\n")
        .args(["hosts"])
        .status(2)
        .stderr_has("inventory/b.yaml:2:3: error[E005]: duplicate host `backup-a1`; first defined at inventory/a.yaml:11:3");
}

#[test]
fn classify_says_why() {
    Test::new()
        .args([
            "classify", "--", "df", "-h", "&&", "sudo", "wipefs", "-a", "/dev/sdb",
        ])
        .status(0)
        .stdout_has("destructive: df -h && sudo wipefs -a /dev/sdb")
        .stdout_has("disk.wipefs: `wipefs` erases filesystem and partition signatures")
        .stdout_has("in: wipefs -a /dev/sdb");
    Test::new()
        .args(["classify", "--", "grep mkfs notes.txt"])
        .status(0)
        .stdout_has("safe: grep mkfs notes.txt");
    Test::new()
        .args(["classify", "--", "storctl pool show | grep ok"])
        .status(0)
        .stdout_has("unknown: storctl pool show | grep ok")
        .stdout_has(
            "not known to be safe: `storctl` is not a command opsguard knows to be read-only",
        )
        .stdout_has("in: storctl pool show")
        .stdout_has("policy.safe_patterns");
    let run = Test::new()
        .args(["classify", "--format", "json", "--", "echo 'rm -rf /'"])
        .status(0);
    assert_eq!(run.json()["verdict"], "safe");
    assert_eq!(run.json()["destructive"], false);
    let run = Test::new()
        .args(["classify", "--format", "json", "--", "reboot"])
        .status(0);
    assert_eq!(run.json()["verdict"], "destructive");
    assert_eq!(run.json()["destructive"], true);
    assert_eq!(run.json()["rules"][0]["rule"], "power.off");
    let run = Test::new()
        .args(["classify", "--format", "json", "--", "storctl pool show"])
        .status(0);
    assert_eq!(run.json()["verdict"], "unknown");
    assert_eq!(run.json()["destructive"], false);
    assert_eq!(run.json()["unknown"][0]["command"], "storctl pool show");
}

#[test]
fn classify_uses_the_inventory_patterns() {
    let run = Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args([
            "classify", "--format", "json", "--", "storctl pool reinit --all",
        ])
        .status(0);
    assert_eq!(run.json()["rules"][0]["rule"], "site.pattern");
    let run = Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["classify", "--format", "json", "--", "storctl pool show -v"])
        .status(0);
    assert_eq!(run.json()["verdict"], "safe", "declared in safe_patterns");
    let run = Test::new()
        .args([
            "classify", "--format", "json", "--", "storctl pool reinit --all",
        ])
        .status(0);
    assert_eq!(
        run.json()["destructive"],
        false,
        "without an inventory there are no site patterns"
    );
    Test::new()
        .args(["-i", "missing.yaml", "classify", "--", "ls"])
        .status(2)
        .stderr_has("missing.yaml");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    Test::new()
        .args(["frobnicate"])
        .status(2)
        .stderr_has("unrecognized subcommand");
    Test::new().args(["classify"]).status(2);
    Test::new().args(["hosts", "--format", "yaml"]).status(2);
    Test::new()
        .args(["--help"])
        .status(0)
        .stdout_has("validate");
    Test::new()
        .args(["--version"])
        .status(0)
        .stdout_has(env!("CARGO_PKG_VERSION"));
}

#[test]
fn completions_and_man_page() {
    // The scripts ask `opsguard` on PATH (tests/completions.rs runs them).
    Test::new()
        .args(["completions", "bash"])
        .status(0)
        .stdout_has("COMPLETE=\"bash\"")
        .stdout_has("-F _opsguard_complete opsguard");
    Test::new()
        .args(["completions", "zsh"])
        .status(0)
        .stdout_has("#compdef opsguard")
        .stdout_has("COMPLETE=\"zsh\"");
    Test::new()
        .args(["completions", "fish"])
        .status(0)
        .stdout_has("COMPLETE=fish opsguard");
    Test::new()
        .args(["man"])
        .status(0)
        .stdout_has(".TH opsguard");
}

#[test]
fn become_is_refused_for_local_hosts_and_bad_user_names() {
    let local = "hosts:\n  l1: {role: backup, connection: local, workdir: .}\n";
    Test::new()
        .file("inventory/a.yaml", local)
        .args(["exec", "l1", "--become", "--", "touch ran"])
        .status(2)
        .stderr_has("--become is for SSH hosts; `l1` is a local host");
    let t = Test::new()
        .file("inventory/a.yaml", local)
        .args(["exec", "l1", "--become=Ops Team", "--", "touch ran"])
        .status(2)
        .stderr_has("--become `Ops Team` is not a user name");
    assert!(!t.path().join("inventory/ran").exists());
}

#[test]
fn ranges_select_as_clustershell_writes_them() {
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["hosts", "[store,backup]-a1,!backup-a[1]"])
        .status(0)
        .stdout_has("store-a1")
        .stdout_lacks("backup-a1");
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["hosts", "store-a[1-2]"])
        .status(2)
        .stderr_has("unknown host `store-a2` in `store-a[1-2]`");
}

/// `--version` names the commit opsguard was built from, and every
/// session's first record says the same.
#[test]
fn the_version_and_every_session_name_the_build_commit() {
    let run = Test::new().args(["--version"]).status(0);
    let commit = run
        .stdout
        .trim()
        .strip_prefix(&format!("opsguard {} (commit ", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(')'))
        .expect(&run.stdout)
        .to_string();
    assert!(!commit.is_empty());
    let run = Test::new()
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .args(["audit", "note", "hello"])
        .status(0);
    let start = support::first_record(&support::records(run.path()), "session.start");
    assert_eq!(start["commit"], commit);
}

/// `exec HOST ls -l` without `--` says the line that works; the help shows
/// which environment variables it reads, never their values.
#[test]
fn usage_mistakes_get_the_line_that_works() {
    let run = Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .args(["exec", "backup-a1", "ls", "-l"])
        .status(2);
    assert!(
        run.stderr
            .contains("hint: the command goes after `--`: opsguard exec backup-a1 -- ls -l"),
        "{}",
        run.stderr
    );
    let run = Test::new()
        .env("OPSGUARD_AUDIT_LOG", "postgresql://db.example/secret-name")
        .args(["exec", "--help"])
        .status(0);
    assert!(
        run.stdout.contains("[env: OPSGUARD_AUDIT_LOG]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("secret-name"));
    // A refusal says once that nothing ran.
    let run = Test::new()
        .file(
            "inventory.yaml", "hosts:\n  b1: {connection: local, workdir: w, role: backup}\n",
        )
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .args([
            "-i", "inventory.yaml", "exec", "b1", "--confirm-role", "live", "--", "rm -rf x",
        ])
        .status(3);
    assert!(
        run.stderr.contains(
            "--confirm-role live does not match the role of the target hosts; nothing was run on any host."
        ),
        "{}",
        run.stderr
    );
}

/// Help that teaches: options under headings, examples, and for the
/// commands that act on hosts the one fact that matters.
#[test]
fn help_groups_options_shows_examples_and_says_what_is_guarded() {
    for command in ["exec", "run"] {
        let help = Test::new().args([command, "--help"]).status(0).stdout;
        for part in [
            "Command options:", "Guard options:", "Global options:", "Examples:",
            "without a terminal it needs --confirm-role ROLE",
        ] {
            assert!(
                help.contains(part),
                "{command} --help lacks {part:?}:\n{help}"
            );
        }
    }
    for command in ["plan", "shell", "audit"] {
        let help = Test::new().args([command, "--help"]).status(0).stdout;
        assert!(
            help.contains("Examples:\n  opsguard "),
            "{command}:\n{help}"
        );
    }
}

/// `plan` says who a step runs as: its own `become`, else the hosts'
/// (their own or `settings.become`), host by host; a host without one
/// runs as the login, and the plan says nothing of it.
#[test]
fn the_plan_shows_the_hosts_become_where_a_step_has_none() {
    let t = Test::new()
        .file(
            "inventory.yaml",
            "settings:\n  become: root\nhosts:\n  a1: {role: backup}\n  a2: {role: backup, become: backup-op}\n  a3: {role: backup, become: false}\n",
        )
        .file(
            "who.yaml",
            "name: who\nhosts: a1,a2,a3\nsteps:\n  - name: theirs\n    run: id -un\n  - name: its own\n    run: id -un\n    become: nobody\n",
        );
    let plan = t
        .args(["-i", "inventory.yaml", "plan", "who.yaml"])
        .status(0);
    let step = |n: &str| {
        plan.stdout
            .split("\nstep ")
            .find(|s| s.starts_with(n))
            .unwrap_or_else(|| panic!("no step {n} in {}", plan.stdout))
            .to_string()
    };
    let theirs = step("1:");
    assert!(
        theirs.contains("  as:     backup-op on a2 (the hosts' become, through sudo -n)\n")
            && theirs.contains("  as:     root on a1 (the hosts' become, through sudo -n)\n")
            && !theirs.contains("a3 ("),
        "{theirs}"
    );
    let own = step("2:");
    assert!(
        own.contains("  as:     nobody (become, through sudo -n)\n")
            && !own.contains("hosts' become"),
        "{own}"
    );
}
