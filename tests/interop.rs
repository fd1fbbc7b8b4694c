//! The pre-commit hook and the GitHub Action, run as pre-commit and a
//! runner would run them: their commands, from the files, on a site.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{INVENTORY, repo};

/// A field of a YAML file in the repository, read by Python's yaml.
fn field(file: &str, path: &str) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(d{path}, end='')"
        ))
        .arg(repo().join(file))
        .output()
        .expect("python3 with yaml (installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A site: the inventory in `inventory/`, a good playbook, and, when
/// `broken`, the broken one.
fn site(broken: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("inventory")).unwrap();
    std::fs::create_dir_all(dir.path().join("playbooks")).unwrap();
    std::fs::write(dir.path().join("inventory/site.yaml"), INVENTORY).unwrap();
    std::fs::write(
        dir.path().join("playbooks/look.yaml"),
        "name: look\ndescription: how full the disks are\nhosts: \"@cluster-a\"\nsteps:\n  - name: df\n    run: df -h\n",
    )
    .unwrap();
    if broken {
        std::fs::copy(
            repo().join("tests/fixtures/broken-playbook.yaml"),
            dir.path().join("playbooks/broken.yaml"),
        )
        .unwrap();
    }
    dir
}

/// PATH with the built opsguard first.
fn path_with_opsguard() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_opsguard")).parent().unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn bash(script: &str, dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path_with_opsguard())
        .env("HOME", dir)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hook_checks_the_whole_site() {
    assert_eq!(
        field(".pre-commit-hooks.yaml", "[0]['id']"),
        "opsguard-validate"
    );
    assert_eq!(
        field(".pre-commit-hooks.yaml", "[0]['pass_filenames']"),
        "False"
    );
    let entry = field(".pre-commit-hooks.yaml", "[0]['entry']");
    let good = site(false);
    let out = bash(&entry, good.path(), &[]);
    exits(&out, 0);
    let bad = site(true);
    let out = bash(&entry, bad.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("playbooks/broken.yaml:"), "{said}");
}

#[test]
fn the_action_annotates_and_writes_sarif() {
    let steps = |i: usize| field("action.yml", &format!("['runs']['steps'][{i}]['run']"));
    let bad = site(true);
    let temp = bad.path().join("runner-temp");
    let github_path: PathBuf = bad.path().join("github-path");
    let env = [
        ("GITHUB_ACTION_PATH", repo().to_str().unwrap().to_string()),
        ("RUNNER_TEMP", temp.to_str().unwrap().to_string()),
        ("GITHUB_PATH", github_path.to_str().unwrap().to_string()),
        ("INVENTORY", "inventory".into()),
        ("PATHS", "".into()),
        ("STRICT", "true".into()),
        ("SARIF", "out.sarif".into()),
        // As GitHub fills it from the action's own repository and ref.
        (
            "DOCS",
            "https://git.example.net/ops/opsguard/blob/v1/docs/commands.md".into(),
        ),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // opsguard is on PATH: the build step leaves it.
    let out = bash(&steps(0), bad.path(), &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!temp.exists() && !github_path.exists());
    let out = bash(&steps(1), bad.path(), &env);
    exits(&out, 2);
    let annotations = String::from_utf8_lossy(&out.stdout);
    assert!(
        annotations.contains("::error file=playbooks/broken.yaml,line="),
        "{annotations}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bad.path().join("out.sarif")).unwrap())
            .unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
        "https://git.example.net/ops/opsguard/blob/v1/docs/commands.md#opsguard-validate-path---format-textjsongithubsarif---strict"
    );
    let docs = field("action.yml", "['runs']['steps'][1]['env']['DOCS']");
    assert!(
        docs.contains("github.action_repository") && docs.contains("github.action_ref"),
        "{docs}"
    );
    // Used from a local path, GitHub gives no repository: no helpUri.
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|&(k, v)| match k {
            "DOCS" => (k, ""),
            "SARIF" => (k, "local.sarif"),
            _ => (k, v),
        })
        .collect();
    exits(&bash(&steps(1), bad.path(), &env), 2);
    let sarif = std::fs::read_to_string(bad.path().join("local.sarif")).unwrap();
    assert!(!sarif.contains("helpUri"), "{sarif}");
    // An address opsguard refuses: no report, and the step says so.
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|&(k, v)| match k {
            "DOCS" => (k, "https://x.example/docs#here"),
            "SARIF" => (k, "refused.sarif"),
            _ => (k, v),
        })
        .collect();
    let out = bash(&steps(1), bad.path(), &env);
    exits(&out, 1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("::error title=opsguard::no SARIF report"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `ansible-inventory --list` of `ini` (real Ansible), as a JSON file in
/// `dir`.
fn ansible_json(dir: &Path, ini: &str) -> PathBuf {
    std::fs::write(dir.join("hosts.ini"), ini).unwrap();
    let out = Command::new("ansible-inventory")
        .args(["-i", "hosts.ini", "--list"])
        .current_dir(dir)
        .env("HOME", dir)
        .env("ANSIBLE_LOCAL_TEMP", dir.join("ansible-tmp"))
        .output()
        .expect("ansible-inventory (ansible-core, installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = dir.join("inventory.json");
    std::fs::write(&json, out.stdout).unwrap();
    json
}

/// Check how a program ended, showing what it said when that is wrong.
#[track_caller]
fn exits(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn opsguard(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsguard"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .output()
        .unwrap()
}

#[test]
fn an_ansible_inventory_imports_into_one_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let json = ansible_json(
        dir.path(),
        "[live]\nstore-a1 ansible_host=10.0.1.11 ansible_user=ops\nstore-a2 ansible_port=2222\n\n\
         [backup]\nbackup-a1 ansible_host=10.0.2.11 ansible_ssh_private_key_file=~/.ssh/backup \
         ansible_become=true ansible_become_user=storage\n\n\
         [cluster_a:children]\nlive\nbackup\n\n[cluster_a:vars]\nntp=10.0.0.1\n",
    );
    let out = opsguard(
        dir.path(),
        &[
            "import",
            "ansible",
            json.to_str().unwrap(),
            "--role-groups",
            "live,backup",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("UNMAPPED (no opsguard equivalent, left out): ntp (3 hosts)"),
        "{stderr}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let sha = support::sha256_file(&json);
    assert!(text.contains(&format!("sha256 {sha}")), "{text}");
    std::fs::write(dir.path().join("site.yaml"), &text).unwrap();
    let hosts = opsguard(
        dir.path(),
        &["-i", "site.yaml", "hosts", "--format", "json"],
    );
    exits(&hosts, 0);
    let hosts: serde_json::Value = serde_json::from_slice(&hosts.stdout).unwrap();
    let row = |name: &str| {
        hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("store-a1")["role"], "live");
    assert_eq!(row("store-a1")["address"], "10.0.1.11");
    assert_eq!(row("backup-a1")["groups"], serde_json::json!(["cluster_a"]));
    assert!(text.contains("become: \"storage\""), "{text}");
    let check = opsguard(
        dir.path(),
        &["-i", "site.yaml", "validate", "--strict", "site.yaml"],
    );
    exits(&check, 0);
}

#[test]
fn an_import_that_cannot_be_right_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let json = ansible_json(
        dir.path(),
        "[live]\nstore-a1\nboth\n\n[backup]\nbackup-a1\nboth\n\n[lab]\nlab-1 opsguard_role=lab\n",
    );
    let out = opsguard(
        dir.path(),
        &[
            "import",
            "ansible",
            json.to_str().unwrap(),
            "--role-groups",
            "live,backup",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`both` is in two role groups (live, backup): a host has one role")
            && stderr.contains("`lab-1` is in none of the role groups"),
        "{stderr}"
    );
    // With roles from each host's `opsguard_role` instead, a role opsguard
    // does not know is declared protected.
    let json = ansible_json(
        dir.path(),
        "lab-1 opsguard_role=lab\nstore-a1 opsguard_role=live\n",
    );
    let out = opsguard(dir.path(), &["import", "ansible", json.to_str().unwrap()]);
    exits(&out, 0);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"lab\": {protected: true"), "{text}");
}
