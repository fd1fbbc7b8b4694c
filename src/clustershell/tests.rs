//! The expansion of ClusterShell node sets and group files, as a table.

use super::*;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// The hosts of `group` in a one-source file whose groups are `groups`
/// (`name: value` lines).
fn expand_in(groups: &str, group: &str) -> Result<BTreeSet<String>, Vec<String>> {
    let text = format!("local:\n{}", indent(groups));
    read("g.yaml", &text, None).map(|g| g.groups[group].clone())
}

fn indent(lines: &str) -> String {
    lines.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn node_sets_expand_as_nodeset_does() {
    for (value, want) in [
        (
            "'store-a[1-4]'",
            vec!["store-a1", "store-a2", "store-a3", "store-a4"],
        ),
        ("'n[01-03,12]'", vec!["n01", "n02", "n03", "n12"]),
        ("'n[1-9/4]'", vec!["n1", "n5", "n9"]),
        ("'n[1-2]c[1-2]'", vec!["n1c1", "n1c2", "n2c1", "n2c2"]),
        ("'n[1-2]-ilo'", vec!["n1-ilo", "n2-ilo"]),
        ("'x[009-011]'", vec!["x009", "x010", "x011"]),
        ("'a[1-5]!a3'", vec!["a1", "a2", "a4", "a5"]),
        ("'a[1-5]&a[3-8]'", vec!["a3", "a4", "a5"]),
        ("'a[1-3]^a[2-4]'", vec!["a1", "a4"]),
        // Left to right, one precedence: (a1..a3 ∪ b1) \ a2.
        ("'a[1-3],b1!a2'", vec!["a1", "a3", "b1"]),
        ("'a1 a2'", vec!["a1", "a2"]),
        ("['b[1-2]', b4]", vec!["b1", "b2", "b4"]),
        ("''", vec![]),
    ] {
        let got = expand_in(&format!("g: {value}"), "g");
        assert_eq!(got, Ok(set(&want)), "{value}");
    }
}

#[test]
fn groups_refer_to_groups() {
    let groups = "live: 'store-a[1-2]'\nbackup: 'backup-a1'\nall: '@live,@backup'\n\
                  rack: '@all!@backup'\nboth: '@live&@rack'\nracks: '@r[1-2]'\nr1: n1\nr2: n2\n\
                  star: '@*'";
    assert_eq!(
        expand_in(groups, "all"),
        Ok(set(&["store-a1", "store-a2", "backup-a1"]))
    );
    assert_eq!(
        expand_in(groups, "rack"),
        Ok(set(&["store-a1", "store-a2"]))
    );
    assert_eq!(
        expand_in(groups, "both"),
        Ok(set(&["store-a1", "store-a2"]))
    );
    assert_eq!(expand_in(groups, "racks"), Ok(set(&["n1", "n2"])));
    // `@*` is the source's `all` group when it has one.
    assert_eq!(
        expand_in(groups, "star"),
        Ok(set(&["store-a1", "store-a2", "backup-a1"]))
    );
    // Another source's group, by name.
    let text = "a:\n  live: 'n[1-2]'\nb:\n  mine: '@a:live,m1'\n";
    let g = read("g.yaml", text, Some("b")).unwrap();
    assert_eq!(g.groups["mine"], set(&["n1", "n2", "m1"]));
    assert_eq!(g.others, BTreeMap::from([("a".to_string(), 1)]));
}

#[test]
fn what_cannot_be_expanded_is_named_with_its_place() {
    for (groups, says) in [
        (
            "g: 'n[a-c]'",
            "g.yaml:2:6: group `g`: `n[a-c]`: `a` in a range: ranges are numbers",
        ),
        (
            "g: 'a1, a2'", "g.yaml:2:6: group `g`: `a1,,a2`: an operand of `,` is missing",
        ),
        (
            "g: '!a1'", "g.yaml:2:6: group `g`: `!a1`: an operand of `!` is missing",
        ),
        (
            "g: 'a1&'", "g.yaml:2:6: group `g`: `a1&`: an operand of `&` is missing",
        ),
        (
            "g: 'n[1-3'", "g.yaml:2:6: group `g`: `n[1-3`: a `[` is never closed",
        ),
        (
            "g: 'n[3-1]'", "g.yaml:2:6: group `g`: `n[3-1]`: `3-1` runs backwards",
        ),
        (
            "g: '@nope'",
            "g.yaml:2:6: group `g`: `@nope`: no group `nope` in source `local`",
        ),
        (
            "g: '@x:y'", "g.yaml:2:6: group `g`: `@x:y` names no source `x`",
        ),
        (
            "g: '@@local'", "g.yaml:2:6: group `g`: `@@local` lists groups, not nodes",
        ),
        ("g: 'n*'", "g.yaml:2:6: group `g`: `n*` is a node wildcard"),
        (
            "g: 'bad/name'",
            "g.yaml:2:6: group `g`: `bad/name` gives `bad/name`, not a host name",
        ),
        ("g: '@h'\nh: '@g'", "g.yaml:2:6: group `g` includes itself"),
        (
            "g: {a: 1}", "g.yaml:2:6: group `g` is not a node set string",
        ),
    ] {
        let problems = expand_in(groups, "g").unwrap_err();
        assert!(problems[0].starts_with(says), "{groups}: {problems:?}");
    }
}

#[test]
fn sources_are_chosen_not_merged() {
    let text = "a:\n  g: n1\nb:\n  g: n2\n";
    assert_eq!(
        read("g.yaml", text, None).unwrap_err(),
        vec!["g.yaml has 2 sources (a, b): choose one with --source".to_string()]
    );
    assert_eq!(
        read("g.yaml", text, Some("b")).unwrap().groups["g"],
        set(&["n2"])
    );
    assert_eq!(
        read("g.yaml", text, Some("c")).unwrap_err(),
        vec!["g.yaml has no source `c` (sources: a, b)".to_string()]
    );
    assert!(
        read("g.yaml", "- a\n", None).unwrap_err()[0]
            .starts_with("g.yaml:1:1: a ClusterShell group file maps sources")
    );
    assert!(read("g.yaml", "a: [\n", None).unwrap_err()[0].starts_with("g.yaml:"));
}
