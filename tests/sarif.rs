//! `opsguard validate --format sarif` through the real binary: the log
//! validates against the SARIF 2.1.0 JSON Schema (kept in
//! tests/fixtures, checked with the `jsonschema` crate and Python's
//! jsonschema as the other schemas are), points at the offending token's start and end relative to
//! `%SRCROOT%`, and keeps each result's fingerprint when lines move.
//!
//! tests/fixtures/sarif-schema-2.1.0.json is the schema of the OASIS SARIF
//! TC's repository (oasis-tcs/sarif-spec, `Schemata/sarif-schema-2.1.0.json`,
//! its draft-07 form, as the serde-sarif 0.8.0 crate ships it); it is
//! never fetched while testing.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{Test, repo};

const BROKEN: &str = "tests/fixtures/broken-playbook.yaml";

/// What the SARIF 2.1.0 schema finds wrong with `log`, one line each.
fn schema_errors(log: &str) -> Vec<String> {
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
log = json.loads(sys.stdin.read())
for e in jsonschema.Draft7Validator(schema).iter_errors(log):
    print(f"{list(e.path)}: {e.message}")
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(repo().join("tests/fixtures/sarif-schema-2.1.0.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with jsonschema (installed by scripts/test)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    // The crate says the same of the log. The schema's pattern for a
    // run's `language` has a stray `]`, which Python's validator lets pass
    // and the crate's check of the schema itself does not: it is read
    // here as what it means (two letters, or two, a dash and two), a
    // property opsguard does not write.
    let text = std::fs::read_to_string(repo().join("tests/fixtures/sarif-schema-2.1.0.json"))
        .unwrap()
        .replace(
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
            r#""^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$""#,
        );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    let rust: Vec<String> = validator
        .iter_errors(&serde_json::from_str::<Value>(log).unwrap())
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert_eq!(rust.is_empty(), python.is_empty(), "{rust:?} / {python:?}");
    python
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// `(ruleId, startLine, startColumn, endLine, endColumn)`, the ends `None`
/// when absent.
type Region = (String, u64, u64, Option<u64>, Option<u64>);

fn regions(log: &Value) -> Vec<Region> {
    results(log)
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
                region["endLine"].as_u64(),
                region["endColumn"].as_u64(),
            )
        })
        .collect()
}

fn fingerprints(log: &Value) -> Vec<String> {
    results(log)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["opsguard/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A URI reference made only of what RFC 3986 allows in a relative path:
/// unreserved characters, `%XX` and `/`, not starting with `/`.
fn plain_relative(uri: &str) -> bool {
    !uri.starts_with('/')
        && !uri.contains(':')
        && uri
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~/%".contains(c))
}

#[test]
fn the_log_of_a_broken_playbook_is_valid_sarif() {
    let run = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif", BROKEN])
        .status(2);
    assert_eq!(schema_errors(&run.stdout), Vec::<String>::new());
    let clean = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif"])
        .status(0);
    assert_eq!(schema_errors(&clean.stdout), Vec::<String>::new());
    assert!(results(&clean.json()).is_empty());
    // The schema is not blind: a log without its version is refused.
    let mut broken = run.json();
    broken.as_object_mut().unwrap().remove("version");
    assert_eq!(
        schema_errors(&broken.to_string()),
        vec!["[]: 'version' is a required property".to_string()]
    );
}

/// A rule's helpUri is there only when the address of the docs is given
/// (the Action gives its own repository's), absolute, at the code list;
/// an address that is not absolute is refused before anything is read.
#[test]
fn rules_link_to_the_codes_only_where_the_docs_are_published() {
    let rules = |log: &serde_json::Value| log["runs"][0]["tool"]["driver"]["rules"].clone();
    let plain = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif", BROKEN])
        .status(2)
        .json();
    assert!(
        rules(&plain)
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("helpUri").is_none())
    );
    let docs = "https://git.example.net/ops/opsguard/blob/v1/docs/commands.md";
    let run = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif", "--docs-url", docs, BROKEN])
        .status(2);
    assert_eq!(schema_errors(&run.stdout), Vec::<String>::new());
    let log = run.json();
    let rules = rules(&log);
    let rules = rules.as_array().unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        assert_eq!(
            rule["helpUri"],
            format!("{docs}#opsguard-validate-path---format-textjsongithubsarif---strict")
        );
    }
    // The anchor is the heading above the code table.
    let page = std::fs::read_to_string(repo().join("docs/commands.md")).unwrap();
    let table = page.find("| E001 |").unwrap();
    let heading = page[..table].rfind("\n## ").unwrap();
    assert!(page[heading..].starts_with(
        "\n## `opsguard validate [PATH...] [--format text|json|github|sarif] [--strict]`"
    ));
    for bad in [
        "docs/commands.md", "https://x.example/a#b", "ftp://x.example/a", "https://x.example/a\tb",
        "https://x.example/<b>", "https://x.example/%zz", "https://x.example/é",
        "https:///no-host",
    ] {
        Test::new()
            .cwd(repo())
            .args(["validate", "--format", "sarif", "--docs-url", bad])
            .status(2)
            .stderr_has("--docs-url");
    }
    Test::new()
        .cwd(repo())
        .args(["validate", "--docs-url", docs])
        .status(2)
        .stderr_has("--docs-url is for --format sarif");
}

#[test]
fn results_point_at_the_token_from_start_to_end() {
    let log = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif", BROKEN])
        .status(2)
        .json();
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    let s = |c: &str| c.to_string();
    assert_eq!(
        regions(&log),
        vec![
            // `broken` in `name: broken`
            (s("W103"), 1, 7, Some(1), Some(13)),
            // a whole step: it ends where its last value does (`df -h`)
            (s("E003"), 4, 5, Some(5), Some(15)),
            (s("E002"), 5, 5, Some(5), Some(8)),
            (s("E020"), 7, 10, Some(7), Some(28)),
            // `"store-a1,backup-a1"`, quotes included
            (s("E022"), 8, 12, Some(8), Some(32)),
            // a step over four lines, to the end of `role: live`
            (s("W101"), 9, 5, Some(12), Some(15)),
            (s("W102"), 9, 5, Some(12), Some(15)),
            (s("E023"), 11, 18, Some(11), Some(23)),
            (s("E010"), 15, 12, Some(15), Some(19)),
            (s("E004"), 17, 14, Some(17), Some(16)),
        ]
    );
}

#[test]
fn files_are_relative_to_srcroot_the_folder_validation_ran_from() {
    let log = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif", BROKEN])
        .status(2)
        .json();
    let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let want = format!("file://{}/", repo().canonicalize().unwrap().display());
    assert_eq!(root, want);
    for r in results(&log) {
        let at = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(at["uri"], BROKEN, "{r}");
        assert_eq!(at["uriBaseId"], "%SRCROOT%");
        assert!(plain_relative(at["uri"].as_str().unwrap()));
    }
    // Named however the user likes, a file inside is still relative; a
    // name with a space is percent-encoded.
    let t = Test::new()
        .file("inventory/a.yaml", support::INVENTORY)
        .file("my playbooks/p.yaml", "name: p\nhosts: nope\nsteps: []\n");
    let inside = t.path().join("my playbooks/../my playbooks/p.yaml");
    let log = t
        .args(["validate", "--format", "sarif"])
        .args([inside.display().to_string()])
        .status(2)
        .json();
    let uris: Vec<&Value> = results(&log)
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        .collect();
    assert!(!uris.is_empty());
    for uri in uris {
        assert_eq!(uri, "my%20playbooks/p.yaml");
    }
}

#[test]
fn fingerprints_are_stable_when_lines_move() {
    let broken = std::fs::read_to_string(repo().join(BROKEN)).unwrap();
    let run = |text: &str| {
        let mut t = Test::new().file("playbooks/broken.yaml", text);
        for inv in ["demo.yaml", "example-cluster.yaml"] {
            t = t.file(
                &format!("inventory/{inv}"),
                std::fs::read_to_string(repo().join("inventory").join(inv)).unwrap(),
            );
        }
        t.args(["validate", "--format", "sarif", "playbooks/broken.yaml"])
            .status(2)
            .json()
    };
    let before = run(&broken);
    let again = run(&broken);
    let moved = run(&format!("# a comment above everything\n\n{broken}"));
    let lines = |log: &Value| -> Vec<u64> { regions(log).iter().map(|r| r.1).collect() };
    assert_eq!(
        lines(&moved),
        lines(&before).iter().map(|l| l + 2).collect::<Vec<_>>()
    );
    assert_eq!(fingerprints(&before), fingerprints(&again));
    assert_eq!(fingerprints(&before), fingerprints(&moved));
    // Each result has its own, W101 and W102 on one step included.
    let mut unique = fingerprints(&before);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), results(&before).len());
    // A different offending value is a different result.
    let fixed = run(&broken.replace("hosts: stor-a1", "hosts: stro-a1"));
    let e010 = |log: &Value| {
        results(log)
            .iter()
            .find(|r| r["ruleId"] == "E010")
            .unwrap()["partialFingerprints"]["opsguard/v1"]
            .clone()
    };
    assert_ne!(e010(&before), e010(&fixed));
}

#[test]
fn every_rule_is_described_as_the_docs_describe_it() {
    let log = Test::new()
        .cwd(repo())
        .args(["validate", "--format", "sarif"])
        .status(0)
        .json();
    let docs = std::fs::read_to_string(repo().join("docs/commands.md")).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 17);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        let row = format!("| {id} | {full} |");
        assert!(docs.contains(&row), "docs/commands.md lacks `{row}`");
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(help.starts_with(full) && help.contains("docs/commands.md"));
        assert!(rule.get("helpUri").is_none(), "{rule}");
    }
}
