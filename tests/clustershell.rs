//! `opsguard import clustershell` through the real binary: a group file
//! written by ClusterShell's documentation becomes an inventory that
//! validates, each group expanded to the hosts ClusterShell's own
//! `nodeset -e` expands it to (the `clustershell` package, installed by
//! scripts/test), roles from the role groups, and nothing written when a
//! host has two roles.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{Test, repo};

const CLUSTER: &str = "tests/fixtures/clustershell/cluster.yaml";

/// What ClusterShell's `nodeset -e @SOURCE:GROUP` prints for the group
/// file `file`, with a configuration of the test's own (`CLUSTERSHELL_CFGDIR`
/// takes precedence over every other).
fn nodeset(dir: &Path, file: &Path, source: &str, group: &str) -> BTreeSet<String> {
    let cfg = dir.join("clustershell");
    let groups = cfg.join("groups.d");
    std::fs::create_dir_all(&groups).unwrap();
    std::fs::copy(file, groups.join("cluster.yaml")).unwrap();
    std::fs::write(
        cfg.join("groups.conf"),
        format!("[Main]\ndefault: {source}\nautodir: {}\n", groups.display()),
    )
    .unwrap();
    let out = Command::new("nodeset")
        .args(["-e", &format!("@{source}:{group}")])
        .env("CLUSTERSHELL_CFGDIR", &cfg)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .expect("nodeset (the clustershell package, installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// `opsguard hosts --format json` of the inventory `yaml`.
fn hosts(yaml: &str) -> Vec<Value> {
    let run = Test::new()
        .file("site.yaml", yaml)
        .args(["-i", "site.yaml", "hosts", "--format", "json"])
        .status(0);
    run.json().as_array().unwrap().clone()
}

/// The hosts of `group` in the imported inventory: a role group's are the
/// hosts of that role, `all` is every host, any other is a `groups` entry.
fn members(hosts: &[Value], group: &str) -> BTreeSet<String> {
    hosts
        .iter()
        .filter(|h| match group {
            "all" => true,
            "live" | "backup" => h["role"] == group,
            _ => h["groups"].as_array().unwrap().iter().any(|g| g == group),
        })
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_group_file_imports_as_clustershell_expands_it() {
    let run = Test::new()
        .cwd(repo())
        .args([
            "import", "clustershell", CLUSTER, "--source", "site", "--role-groups", "live,backup",
        ])
        .status(0)
        .stderr_has("UNMAPPED (no opsguard equivalent, left out): source `lab` (2 groups)");
    let sha = support::sha256_file(&repo().join(CLUSTER));
    assert!(
        run.stdout.starts_with(&format!(
            "# Imported by `opsguard import clustershell` from {CLUSTER} (ClusterShell groups, source `site`),\n# sha256 {sha}."
        )),
        "{}",
        run.stdout
    );
    let hosts = hosts(&run.stdout);
    assert_eq!(hosts.len(), 10);
    let dir = tempfile::tempdir().unwrap();
    for group in ["live", "backup", "rack1", "rack2", "canary", "edges", "all"] {
        let theirs = nodeset(dir.path(), &repo().join(CLUSTER), "site", group);
        assert!(!theirs.is_empty(), "{group}");
        assert_eq!(members(&hosts, group), theirs, "@site:{group}");
    }
    // Spelled out, for the reader: `!`, `&` and `^` as ClusterShell has them.
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(members(&hosts, "canary"), names(&["store-a1", "store-a4"]));
    assert_eq!(members(&hosts, "edges"), names(&["store-a1", "store-a4"]));
    assert!(!members(&hosts, "rack2").contains("store-a1"));
    // The inventory passes validation as it is.
    Test::new()
        .file("site.yaml", &run.stdout)
        .args(["-i", "site.yaml", "validate", "--strict", "site.yaml"])
        .status(0);
}

#[test]
fn another_source_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::opsguard(
        dir.path(),
        &[
            "import", "clustershell", "-", "--source", "lab", "--role-groups", "beta,restore",
        ],
    )
    .stdin(std::fs::File::open(repo().join(CLUSTER)).unwrap())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stdin cannot be imported"), "{stderr}");
    // lab-1 is in both of lab's groups.
    assert!(
        stderr.contains("`lab-1` is in two role groups (beta, restore): a host has one role"),
        "{stderr}"
    );
    // A source's reference to another source's group expands there.
    assert_eq!(
        nodeset(dir.path(), &repo().join(CLUSTER), "lab", "restore"),
        ["backup-a1", "backup-a2", "backup-b1", "lab-1"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    // Which source is imported is never guessed.
    Test::new()
        .cwd(repo())
        .args(["import", "clustershell", CLUSTER, "--role-groups", "live"])
        .status(2)
        .stderr_has("has 2 sources (lab, site): choose one with --source");
}

#[test]
fn a_host_in_two_role_groups_writes_nothing() {
    let run = Test::new()
        .cwd(repo())
        .args([
            "import", "clustershell", "tests/fixtures/clustershell/two-roles.yaml",
            "--role-groups", "live,backup",
        ])
        .status(2)
        .stderr_has("`store-a2` is in two role groups (live, backup): a host has one role");
    assert!(run.stdout.is_empty());
    // Role groups must exist, and a host must be in one.
    Test::new()
        .file("g.yaml", "site:\n  live: 'n[1-2]'\n  spare: n3\n")
        .args([
            "import", "clustershell", "g.yaml", "--role-groups", "live,bakup",
        ])
        .status(2)
        .stderr_has("--role-groups names `bakup`, which is not a group of source `site`")
        .stderr_has("`n3` is in none of the role groups");
}

#[test]
fn what_cannot_be_expanded_is_named_with_its_file_and_line() {
    Test::new()
        .file("g.yaml", "site:\n  live: 'n[1-2]'\n  backup: '@bakup,b1'\n")
        .args([
            "import", "clustershell", "g.yaml", "--role-groups", "live,backup",
        ])
        .status(2)
        .stderr_has("g.yaml:3:11: group `backup`: `@bakup`: no group `bakup` in source `site`");
    Test::new()
        .file("g.yaml", "site:\n  live: 'n[1-2]'\n  backup: 'b*'\n")
        .args([
            "import", "clustershell", "g.yaml", "--role-groups", "live,backup",
        ])
        .status(2)
        .stderr_has("g.yaml:3:11: group `backup`: `b*` is a node wildcard");
}
