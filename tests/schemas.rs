//! The JSON Schemas in `schemas/`: what `opsguard schema` prints, and
//! every example file validates against them (with Python's jsonschema, an
//! independent validator, as editors' yaml-language-server is).

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
    let found = invalid("inventory.schema.json", &[bad]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|e| e.contains("'colour' was unexpected")),
        "{found:?}"
    );
}
