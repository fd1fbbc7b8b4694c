//! Shell completion as a shell drives it: `COMPLETE=bash opsguard --
//! WORDS...` with the index of the word under the cursor, against real
//! inventories and an audit log written by a real `opsguard exec`; and
//! the script of `opsguard completions bash` in an interactive bash.

mod support;

use std::time::Duration;

use expectrl::{Expect, Session};
use support::{Test, first_record, records};

const INVENTORY: &str = "hosts:
  l1: {connection: local, workdir: ../w/l1, role: live, groups: [mail]}
  l2: {connection: local, workdir: ../w/l2, role: live, groups: [mail]}
  b1: {connection: local, workdir: ../w/b1, role: backup, groups: [spare]}
";

/// What bash's script separates candidates with.
const IFS: char = '\u{0b}';

/// The candidates opsguard offers for the last of `words` (the command
/// line after `opsguard`), as the bash script asks for them.
#[track_caller]
fn complete(t: Test, words: &[&str]) -> Vec<String> {
    let index = words.len().to_string();
    let run = t
        .env("COMPLETE", "bash")
        .env("_CLAP_IFS", &IFS.to_string())
        .env("_CLAP_COMPLETE_INDEX", &index)
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "false")
        .args(["--", "opsguard"])
        .args(words.iter().copied())
        .status(0);
    assert_eq!(run.stderr, "", "completion never prints on the terminal");
    run.stdout
        .split(IFS)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The candidates that are not options.
#[track_caller]
fn values(t: Test, words: &[&str]) -> Vec<String> {
    complete(t, words)
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

fn site() -> Test {
    Test::new().file("inventory/site.yaml", INVENTORY)
}

#[test]
fn selectors_complete_hosts_groups_and_roles_from_the_inventory() {
    let all = [
        "l1", "l2", "b1", "@mail", "@spare", "role:backup", "role:live",
    ];
    assert_eq!(values(site(), &["exec", ""]), all);
    assert_eq!(values(site(), &["exec", "l"]), ["l1", "l2"]);
    assert_eq!(values(site(), &["exec", "@"]), ["@mail", "@spare"]);
    assert_eq!(values(site(), &["hosts", "role:l"]), ["role:live"]);
    assert_eq!(
        values(site(), &["run", "p.yaml", "--limit", "@mail,!l"]),
        ["@mail,!l1", "@mail,!l2"]
    );
    assert_eq!(values(site(), &["lock", "status", "b"]), ["b1"]);
    assert_eq!(
        values(site(), &["audit", "show", "--host", "role:b"]),
        ["role:backup"]
    );
    // Where a host, not a selector, is wanted: hosts only.
    assert_eq!(values(site(), &["shell", ""]), ["l1", "l2", "b1"]);
    assert_eq!(values(site(), &["lock", "break", "l"]), ["l1", "l2"]);
    // Roles by name.
    assert_eq!(
        values(site(), &["exec", "b1", "--confirm-role", ""]),
        ["backup", "live"]
    );
    assert_eq!(values(site(), &["audit", "show", "--role", "l"]), ["live"]);
}

#[test]
fn the_inventory_is_found_as_the_command_would_find_it() {
    let elsewhere = || Test::new().file("sites/a.yaml", INVENTORY);
    assert_eq!(
        values(elsewhere(), &["exec", "b"]),
        Vec::<String>::new(),
        "no ./inventory here"
    );
    assert_eq!(
        values(elsewhere(), &["-i", "sites/a.yaml", "exec", "b"]),
        ["b1"]
    );
    assert_eq!(
        values(elsewhere(), &["exec", "--inventory=sites/a.yaml", "b"]),
        ["b1"]
    );
    assert_eq!(
        values(elsewhere(), &["exec", "-i", "sites", "b"]),
        ["b1"],
        "a folder"
    );
    let env = elsewhere().env("OPSGUARD_INVENTORY", "sites/a.yaml");
    assert_eq!(values(env, &["exec", "b"]), ["b1"]);
    // The flag wins over the variable, as it does when the command runs.
    let both = elsewhere()
        .file("other.yaml", "hosts:\n  bx: {role: backup}\n")
        .env("OPSGUARD_INVENTORY", "sites/a.yaml");
    assert_eq!(values(both, &["-i", "other.yaml", "exec", "b"]), ["bx"]);
}

#[test]
fn a_missing_or_broken_inventory_gives_no_candidates_and_no_error() {
    let cases = [
        Test::new(),
        Test::new().file("inventory/site.yaml", "hosts: [\n"),
        Test::new().file("inventory/site.yaml", "hosts:\n  l1: {role: nosuchrole}\n"),
        Test::new().file("inventory", [0xff, 0xfe, 0x00]),
    ];
    for t in cases {
        assert_eq!(values(t, &["exec", ""]), Vec::<String>::new());
    }
    // Options are still offered: completion goes on without the inventory.
    assert!(complete(Test::new(), &["exec", "-"]).contains(&"--confirm-role".to_string()));
}

#[test]
fn sessions_complete_from_the_audit_log_the_inventory_names() {
    let inventory = format!("settings:\n  audit_log: ../audit.jsonl\n{INVENTORY}");
    let site = support::folder(&[
        ("inventory/site.yaml", &inventory),
        ("w/l1/name", "one\n"),
        ("w/b1/name", "two\n"),
    ]);
    let dir = site.path();
    let ran = |args: &[&str]| {
        let out = support::opsguard(dir, args)
            .env_remove("OPSGUARD_AUDIT_LOG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ran(&["exec", "l1", "--", "cat name"]);
    ran(&["exec", "b1", "--", "cat name"]);
    let log = records(dir);
    let first = first_record(&log, "session.start")["session"]
        .as_str()
        .unwrap()
        .to_string();
    let last = log.last().unwrap()["session"].as_str().unwrap().to_string();
    assert_ne!(first, last);

    let here = || Test::new().cwd(dir);
    assert_eq!(
        values(here(), &["audit", "replay", ""]),
        [last.clone(), first.clone()],
        "the latest first"
    );
    let prefix = &first[..first.len() - 2];
    let got = values(here(), &["audit", "report", prefix]);
    assert!(
        got.contains(&first) && got.iter().all(|s| s.starts_with(prefix)),
        "{got:?}"
    );
    assert_eq!(
        values(here(), &["audit", "show", "--session", "nosuch"]),
        Vec::<String>::new()
    );
    // --audit-log names another log: its sessions, here none.
    let t = here().file("empty.jsonl", "");
    let empty = t.path().join("empty.jsonl").display().to_string();
    assert_eq!(
        values(t, &["--audit-log", &empty, "audit", "replay", ""]),
        Vec::<String>::new()
    );
}

/// An interactive bash with the script of `opsguard completions bash`
/// loaded, in the folder of `t`.
fn bash(t: &Test) -> expectrl::session::OsSession {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_opsguard"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"])
        .current_dir(t.path())
        .env_clear()
        .env("PATH", path)
        .env("TERM", "dumb")
        .env("HOME", t.path().join("home"))
        .env("XDG_STATE_HOME", t.path().join("state"))
        .env("NO_COLOR", "1")
        .env("PS1", "ready$ ");
    let mut p = Session::spawn(cmd).expect("bash in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.send_line("source <(opsguard completions bash); echo loaded-$?")
        .unwrap();
    p.expect("loaded-0").unwrap();
    p.expect("ready$ ").unwrap();
    p
}

#[test]
fn bash_completes_roles_and_groups_despite_its_word_breaks() {
    // bash splits `role:li` at `:` and `@spa` at `@`; the script joins
    // them back, so a Tab completes the term and the line runs as typed
    // and completed.
    let t = site();
    let mut p = bash(&t);
    p.send("opsguard hosts role:ba\t").unwrap();
    p.send("\r").unwrap();
    p.expect("BACKUP").unwrap();
    p.expect("ready$ ").unwrap();
    p.send("opsguard hosts @spa\t").unwrap();
    p.send(" --format json\r").unwrap();
    p.expect(r#""spare""#).unwrap();
    p.expect("ready$ ").unwrap();
    // A host's name, unique after its first letter: the row of b1.
    p.send("opsguard hosts b\t\r").unwrap();
    p.expect("spare").unwrap();
    p.expect("ready$ ").unwrap();
    p.send("\x03").unwrap();
    p.send_line("exit").unwrap();
}

/// fish, from the script of `opsguard completions fish`: what its own
/// `complete -C` offers for a command line, in the folder of a site.
#[test]
fn fish_completes_from_the_inventory_and_the_log() {
    let t = site();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_opsguard"))
        .parent()
        .unwrap();
    let fish = |line: &str| {
        let script = format!("opsguard completions fish | source; complete -C '{line}'");
        let out = std::process::Command::new("fish")
            .args(["--no-config", "-c", &script])
            .current_dir(t.path())
            .env_clear()
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("HOME", t.path().join("home"))
            .env("XDG_STATE_HOME", t.path().join("state"))
            .output()
            .expect("fish (installed by scripts/test)");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut words: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect();
        words.sort();
        words
    };
    assert_eq!(fish("opsguard exec role:"), ["role:backup", "role:live"]);
    assert_eq!(fish("opsguard exec @"), ["@mail", "@spare"]);
    assert_eq!(fish("opsguard shell b"), ["b1"]);
    assert_eq!(fish("opsguard exec l1,@s"), ["l1,@spare"]);
}
