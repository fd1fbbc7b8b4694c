use super::*;

#[test]
fn keeps_positions_of_keys_and_values() {
    let node = parse("a: 1\nhosts:\n  x:\n    role: live\n  y: [1, two]\n").unwrap();
    let Value::Map(entries) = &node.value else {
        panic!("{node:?}")
    };
    assert_eq!(entries[0].0.pos.line, 1);
    let (k, v) = &entries[1];
    assert_eq!((k.pos.line, k.pos.column), (2, 1));
    let Value::Map(hosts) = &v.value else {
        panic!()
    };
    let Value::Map(x) = &hosts[0].1.value else {
        panic!()
    };
    assert_eq!(x[0].1.value, Value::Str("live".into()));
    assert_eq!(
        (x[0].1.pos.line, x[0].1.pos.column, x[0].1.pos.len),
        (4, 11, 4)
    );
    let Value::Seq(y) = &hosts[1].1.value else {
        panic!()
    };
    assert_eq!((y[1].pos.line, y[1].pos.column), (5, 10));
}

#[test]
fn yaml_1_1_booleans_are_strings() {
    let node = parse("a: [y, no, on, off, yes, true, 007]\n").unwrap();
    let Value::Map(entries) = &node.value else {
        panic!()
    };
    let Value::Seq(items) = &entries[0].1.value else {
        panic!()
    };
    let values: Vec<&Value> = items.iter().map(|n| &n.value).collect();
    let s = |t: &str| Value::Str(t.into());
    assert_eq!(
        values,
        [
            &s("y"),
            &s("no"),
            &s("on"),
            &s("off"),
            &s("yes"),
            &Value::Bool(true),
            &s("007")
        ]
    );
}

#[test]
fn duplicate_keys_are_kept() {
    let node = parse("a: 1\na: 2\n").unwrap();
    let Value::Map(entries) = &node.value else {
        panic!()
    };
    assert_eq!(entries.len(), 2);
}

#[test]
fn syntax_errors_have_positions() {
    let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
    assert!(e.pos.line >= 1, "{e:?}");
    let e = parse("a:\n\tb: 1\n").unwrap_err();
    assert_eq!(e.pos.line, 2, "{e:?}");
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = "[".repeat(100_000);
    assert!(parse(&deep).is_err());
    let mut block = String::new();
    for i in 0..40 {
        block.push_str(&" ".repeat(i * 2));
        block.push_str("a:\n");
    }
    assert!(parse(&block).is_err());
}

#[test]
fn scalars_follow_the_core_schema() {
    for (text, want) in [
        ("a: 22", Value::Int(22)),
        ("a: -5", Value::Int(-5)),
        ("a: 0x1F", Value::Int(31)),
        ("a: 1.5", Value::Float(1.5)),
        ("a: 10.0.1.11", Value::Str("10.0.1.11".into())),
        ("a: '22'", Value::Str("22".into())),
        ("a: !!str 22", Value::Str("22".into())),
        ("a: ~", Value::Null),
        ("a:", Value::Null),
        (
            "a: 99999999999999999999",
            Value::Str("99999999999999999999".into()),
        ),
    ] {
        let node = parse(text).unwrap();
        let Value::Map(entries) = &node.value else {
            panic!()
        };
        assert_eq!(entries[0].1.value, want, "{text}");
    }
}

#[test]
fn aliases_copy_and_are_bounded() {
    let node = parse("a: &x {k: 1}\nb: *x\n").unwrap();
    let Value::Map(entries) = &node.value else {
        panic!()
    };
    assert_eq!(entries[1].1.value, entries[0].1.value);
    assert_eq!(entries[1].1.pos.line, 2);
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(
        parse(&laughs)
            .unwrap_err()
            .message
            .contains("aliases expand")
    );
    assert!(parse("a: *nope\n").is_err());
}

#[test]
fn one_document_per_file() {
    let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
    assert_eq!(e.pos.line, 2);
}

#[test]
fn messages_carry_no_position_suffix() {
    let e = parse("a:\n\tb: 1\n").unwrap_err();
    assert!(e.message.contains("tab"), "{e:?}");
    assert_eq!((e.pos.line, e.pos.column), (2, 1));
    assert!(!e.message.contains("line"), "{e:?}");
    let e = parse("a: 'x\n").unwrap_err();
    assert_eq!((e.pos.line, e.pos.column), (1, 4));
}

#[test]
fn empty_and_binary() {
    assert_eq!(parse("").unwrap().value, Value::Null);
    assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
    assert!(parse("a: \0\u{1}").is_err());
}

#[test]
fn values_and_collections_know_where_they_end() {
    let text = "hosts:\n  x:\n    role: live\n    note: \"two\n      lines\"\n  y: [1, two]\n";
    let node = parse(text).unwrap();
    let Value::Map(top) = &node.value else {
        panic!("{node:?}")
    };
    let hosts = &top[0].1;
    let Value::Map(entries) = &hosts.value else {
        panic!()
    };
    let x = &entries[0].1;
    let Value::Map(fields) = &x.value else {
        panic!()
    };
    // A token on one line: its end is after its last character.
    assert_eq!(fields[0].1.pos.end, Some((3, 15)));
    // A value over two lines: no length, but an end.
    let note = &fields[1].1.pos;
    assert_eq!((note.line, note.column, note.len), (4, 11, 0));
    assert_eq!(note.end, Some((5, 13)));
    // A mapping ends where its last value does, and so on up.
    assert_eq!(x.pos.end, Some((5, 13)));
    let y = &entries[1].1;
    assert_eq!(y.pos.end, Some((6, 13)));
    assert_eq!(hosts.pos.end, Some((6, 13)));
    assert_eq!(node.pos.end, Some((6, 13)));
}
