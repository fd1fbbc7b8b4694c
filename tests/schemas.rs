//! The JSON Schemas in `schemas/`: what `opsguard schema` prints, and
//! every example file validates against them, by two validators: the
//! `jsonschema` crate, and Python's jsonschema (independent of the Rust
//! YAML reading, as editors' yaml-language-server is).

mod support;

use std::process::Command;

use support::{Test, repo};

/// `python3` validating each YAML file against `schema`; the files that
/// do not validate, with why.
fn invalid(schema: &str, files: &[std::path::PathBuf]) -> Vec<String> {
    let script = r#"
import json, sys, yaml, jsonschema
# YAML 1.2 as editors read it: a date is a string (PyYAML's 1.1 would
# make it a datetime).
class Loader(yaml.SafeLoader):
    pass
Loader.yaml_implicit_resolvers = {
    k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
for f in sys.argv[2:]:
    for e in v.iter_errors(yaml.load(open(f), Loader=Loader)):
        print(f"{f}: {list(e.path)}: {e.message}")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(repo().join("schemas").join(schema))
        .args(files)
        .output()
        .expect("python3 with jsonschema and yaml (installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// The same check with the `jsonschema` crate (draft-07, the schemas'
/// `$schema`), each file read as YAML 1.2 into JSON.
fn invalid_in_rust(schema: &str, files: &[std::path::PathBuf]) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("schemas").join(schema)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let instance: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        for e in validator.iter_errors(&instance) {
            found.push(format!("{}: {}: {e}", file.display(), e.instance_path()));
        }
    }
    found
}

fn yaml_files(folder: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn the_command_prints_the_files() {
    for which in ["inventory", "playbook"] {
        let printed = Test::new().args(["schema", which]).status(0).stdout;
        let file =
            std::fs::read_to_string(repo().join(format!("schemas/{which}.schema.json"))).unwrap();
        assert_eq!(printed, file, "{which}");
    }
}

#[test]
fn every_example_validates_and_a_wrong_field_does_not() {
    assert_eq!(
        invalid("inventory.schema.json", &yaml_files("inventory")),
        Vec::<String>::new()
    );
    assert_eq!(
        invalid("playbook.schema.json", &yaml_files("playbooks")),
        Vec::<String>::new()
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "settings:\n  forks: 0\nhosts:\n  a: {role: live, colour: red}\n",
    )
    .unwrap();
    let found = invalid("inventory.schema.json", std::slice::from_ref(&bad));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|e| e.contains("'colour' was unexpected")),
        "{found:?}"
    );
    let found = invalid_in_rust("inventory.schema.json", &[bad]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|e| e.contains("/settings/forks"))
            && found
                .iter()
                .any(|e| e.contains("/hosts/a") && e.contains("colour")),
        "{found:?}"
    );
}

#[test]
fn every_example_validates_with_the_jsonschema_crate() {
    assert_eq!(
        invalid_in_rust("inventory.schema.json", &yaml_files("inventory")),
        Vec::<String>::new()
    );
    assert_eq!(
        invalid_in_rust("playbook.schema.json", &yaml_files("playbooks")),
        Vec::<String>::new()
    );
}
