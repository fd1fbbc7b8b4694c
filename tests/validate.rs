//! `opsguard validate` and `opsguard plan` through the real binary: the
//! shipped examples pass, the broken fixture reports every problem in
//! every format, and hostile input is refused with a position.

mod support;

use support::{INVENTORY, Test, repo};

#[test]
fn shipped_examples_pass() {
    Test::new()
        .cwd(repo())
        .args(["validate", "--strict"])
        .status(0);
    Test::new()
        .cwd(repo())
        .args([
            "-i", "inventory/demo.yaml", "validate", "--strict", "playbooks",
        ])
        .status(0);
    Test::new()
        .cwd(repo())
        .args([
            "-i", "inventory/example-cluster.yaml", "validate", "--strict", "playbooks",
        ])
        .status(0);
}

#[test]
fn broken_playbook_reports_everything_in_text() {
    let run = Test::new()
        .cwd(repo())
        .args(["validate", "tests/fixtures/broken-playbook.yaml"])
        .status(2);
    insta::assert_snapshot!(run.stdout);
    assert!(
        run.stderr
            .contains("1 playbook(s): 7 error(s), 3 warning(s)"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_playbook_as_json_github_and_sarif() {
    let run = Test::new()
        .cwd(repo())
        .args([
            "validate", "--format", "json", "tests/fixtures/broken-playbook.yaml",
        ])
        .status(2);
    let items = run.json();
    let codes: Vec<(u64, u64, &str)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (1, 7, "W103"),
            (4, 5, "E003"),
            (5, 5, "E002"),
            (7, 10, "E020"),
            (8, 12, "E022"),
            (9, 5, "W101"),
            (9, 5, "W102"),
            (11, 18, "E023"),
            (15, 12, "E010"),
            (17, 14, "E004"),
        ]
    );
    assert_eq!(items[0]["file"], "tests/fixtures/broken-playbook.yaml");
    assert_eq!(items[0]["severity"], "warning");

    let run = Test::new()
        .cwd(repo())
        .args([
            "validate", "--format", "github", "tests/fixtures/broken-playbook.yaml",
        ])
        .status(2);
    assert!(run.stdout.contains("::error file=tests/fixtures/broken-playbook.yaml,line=8,col=12,title=E022::destructive step `wipe everything` selects hosts of more than one role"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "::warning file=tests/fixtures/broken-playbook.yaml,line=1,col=7,title=W103::"
        )
    );

    let run = Test::new()
        .cwd(repo())
        .args([
            "validate", "--format", "sarif", "tests/fixtures/broken-playbook.yaml",
        ])
        .status(2);
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 10);
    assert_eq!(sarif["runs"][0]["results"][3]["ruleId"], "E020");
}

#[test]
fn strict_fails_on_warnings() {
    let pb = "name: p\nhosts: backup-a1\nsteps:\n  - {name: look, run: df -h}\n";
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .file("p.yaml", pb)
        .args(["validate", "p.yaml"])
        .status(0);
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .file("p.yaml", pb)
        .args(["validate", "--strict", "p.yaml"])
        .status(2)
        .stdout_has("W103");
}

#[test]
fn folders_are_searched_recursively_and_inventories_recognised() {
    Test::new()
        .file("inventory/a.yaml", INVENTORY)
        .file(
            "ci/playbooks/a.yaml",
            "name: a\ndescription: d\nhosts: backup-a1\nsteps:\n  - {name: x, run: df}\n",
        )
        .file(
            "ci/playbooks/deep/b.yml",
            "name: b\ndescription: d\nhosts: nowhere\nsteps:\n  - {name: x, run: df}\n",
        )
        .file(
            "ci/other-inventory.yaml", "hosts:\n  z: {role: live, mirror: y}\n",
        )
        .file("ci/readme.md", "# not yaml")
        .args(["validate", "ci"])
        .status(2)
        .stdout_has("ci/playbooks/deep/b.yml:3:8: error[E010]: unknown host `nowhere`")
        .stdout_has("ci/other-inventory.yaml:2:27: error[E012]: mirror `y` names no host\n")
        .stderr_has("2 playbook(s), 1 other inventory file(s): 2 error(s)");
}

#[test]
fn every_inventory_problem_at_once() {
    let inv = "settings:\n  connect_timeout: 10\nhosts:\n  a: {role: prod}\n  b: {role: live, mirror: c}\n  d: {address: x}\n  e: {role: live, mirror: f}\n  f: {role: live, mirror: e}\n";
    let run = Test::new()
        .file("inventory/i.yaml", inv)
        .args(["validate", "--format", "json"])
        .status(2);
    let codes: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}",
                d["line"],
                d["column"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            "2:20:E004", "4:13:E004", "5:27:E012", "6:3:E003", "7:27:E004"
        ]
    );
}

#[test]
fn hostile_files_get_a_position_and_exit_2() {
    let inv = ("inventory/a.yaml", INVENTORY);
    let big = "# filler\n".repeat(50 * 1024 * 1024 / 9);
    let long_list = "- a\n".repeat(1_500_000);
    let nested = "[".repeat(10_000);
    let mut block = String::new();
    for i in 0..200 {
        block.push_str(&" ".repeat(i * 2));
        block.push_str("a:\n");
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty.yaml",
            b"".to_vec(),
            "empty.yaml:1:1: error[E003]: the playbook is empty",
        ),
        (
            "garbage.yaml",
            vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff, 0xfe],
            "garbage.yaml:1:8: error[E001]: the file is not UTF-8 text",
        ),
        (
            "nul.yaml",
            b"name: x\n\0\0\0".to_vec(),
            "nul.yaml:2:1: error[E001]: the file holds binary data",
        ),
        (
            "latin1.yaml",
            b"name: caf\xe9\n".to_vec(),
            "latin1.yaml:1:10: error[E001]: the file is not UTF-8 text",
        ),
        (
            "big.yaml",
            big.into_bytes(),
            "big.yaml:1:1: error[E001]: the file is larger than 8 MiB",
        ),
        ("long.yaml", long_list.into_bytes(), "long.yaml:"),
        ("nested.yaml", nested.into_bytes(), "nested.yaml:1:"),
        ("block.yaml", block.into_bytes(), "block.yaml:"),
        (
            "tabs.yaml",
            b"name: x\nsteps:\n\t- {name: a, run: df}\n".to_vec(),
            "tabs.yaml:3:1: error[E001]: a tab in indentation",
        ),
        (
            "list.yaml",
            b"- name: x\n".to_vec(),
            "list.yaml:1:1: error[E004]: the playbook must be a mapping, found a list",
        ),
        (
            "types.yaml",
            b"name: [x]\nsteps: {a: 1}\n".to_vec(),
            "types.yaml:1:7: error[E004]: name must be a string, found a list",
        ),
    ];
    for (name, bytes, want) in cases {
        let run = Test::new()
            .file(inv.0, inv.1)
            .file(name, bytes)
            .args(["validate", name])
            .run();
        assert_eq!(run.status, 2, "{name}: {}", run.stderr);
        assert!(
            run.stdout.contains(want),
            "{name}: want {want:?}\n{}",
            run.stdout.chars().take(2000).collect::<String>()
        );
        assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    }
}

#[test]
fn plan_shows_steps_hosts_batches_and_guards() {
    let run = Test::new()
        .cwd(repo())
        .args([
            "-i", "inventory/example-cluster.yaml", "plan", "playbooks/rolling-restart-mail.yaml",
            "--at", "2026-11-24T12:00:00Z",
        ])
        .status(0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn plan_json_and_limit() {
    let run = Test::new()
        .cwd(repo())
        .args([
            "-i", "inventory/example-cluster.yaml", "plan", "playbooks/rolling-restart-mail.yaml",
            "--limit", "@cluster-b", "--format", "json", "--at", "2026-12-24T23:00:00Z",
        ])
        .status(0);
    let plan = run.json();
    assert_eq!(
        plan["batches"],
        serde_json::json!([["store-b1"], ["store-b1-m"]])
    );
    let restart = &plan["steps"][1];
    assert_eq!(restart["destructive"], true);
    assert_eq!(restart["rules"][0]["rule"], "service.systemctl");
    let guards: Vec<&str> = restart["guards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["guard"].as_str().unwrap())
        .collect();
    assert_eq!(
        guards,
        [
            "typed_role", "host_count", "change", "freeze", "window", "mirror",
            "replication_check", "lock"
        ]
    );
    assert_eq!(plan["steps"][0]["destructive"], false);
}

#[test]
fn plan_refuses_an_invalid_playbook_or_limit() {
    Test::new()
        .cwd(repo())
        .args(["plan", "tests/fixtures/broken-playbook.yaml"])
        .status(2)
        .stderr_has("error[E022]")
        .stderr_has("is invalid (7 error(s)); nothing to plan");
    Test::new()
        .cwd(repo())
        .args(["plan", "playbooks/health-check.yaml", "--limit", "nope"])
        .status(2)
        .stderr_has("--limit: unknown host `nope`");
    Test::new()
        .cwd(repo())
        .args(["plan", "playbooks/health-check.yaml", "--at", "tomorrow"])
        .status(2)
        .stderr_has("RFC 3339");
    Test::new()
        .cwd(repo())
        .args(["plan", "playbooks/missing.yaml"])
        .status(2)
        .stderr_has("cannot read the file");
}
