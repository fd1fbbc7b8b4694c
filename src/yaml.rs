//! A YAML document as a tree of nodes that each remember where they stand.
//!
//! The inventory and playbook readers walk this tree themselves instead of
//! deriving `Deserialize` on their schema structs: a derived struct stops at
//! the first problem, and opsguard must report every problem in a file at
//! once, each at its exact line and column. This module only parses; it never
//! decides what a value means.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Spanned};

/// Where a value stands in its source: 1-based line and column, and the
/// length in characters of its token (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

/// A scalar, sequence or mapping with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order; duplicate keys are kept so the reader can
    /// report both places.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What the value is, in words, for "expected a list, found a number".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The scalar as text, the way a user wrote it: strings as they are,
    /// numbers and booleans in their usual spelling. `None` for collections
    /// and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// A YAML problem that stops the file from being read at all.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Limits that keep a hostile or broken file from exhausting the machine.
const MAX_DEPTH: usize = 32;
const MAX_EVENTS: usize = 2_000_000;

/// Parse one YAML document. An empty document is a null node at 1:1.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.contains('\0') {
        let offset = text.find('\0').unwrap_or(0);
        return Err(SyntaxError {
            pos: pos_of_offset(text, offset),
            message: "the file holds binary data (a NUL byte), not YAML text".into(),
        });
    }
    if text.trim().is_empty() {
        return Ok(Node {
            pos: Pos {
                line: 1,
                column: 1,
                len: 0,
            },
            value: Value::Null,
        });
    }
    let mut options = serde_saphyr::Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.with_snippet = false;
    // YAML 1.2 core only: `y`, `no`, `on` are names (a host called `no`
    // must not turn into a boolean), and `007` stays text.
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_events = MAX_EVENTS;
    budget.flow_nesting_limit = MAX_DEPTH;
    options.budget = Some(budget);
    match serde_saphyr::from_str_with_options::<Option<Spanned<RawNode>>>(text, options) {
        Ok(Some(node)) => Ok(node.into()),
        Ok(None) => Ok(Node {
            pos: Pos {
                line: 1,
                column: 1,
                len: 0,
            },
            value: Value::Null,
        }),
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Pos {
                    line: l.line().max(1) as u32,
                    column: l.column().max(1) as u32,
                    len: 0,
                })
                .unwrap_or(Pos {
                    line: 1,
                    column: 1,
                    len: 0,
                });
            let mut error = SyntaxError {
                pos,
                message: clean_message(&e),
            };
            if error.message.contains("tab") {
                point_at_tab(text, &mut error);
            }
            Err(error)
        }
    }
}

/// The parser's message without its own snippet and position suffix: the
/// diagnostic renderer adds both in opsguard's format.
fn clean_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    cut.trim_end_matches('.').to_string()
}

/// YAML forbids tabs for indentation; the parser notices one column late.
/// Point at the tab itself and say what to do.
fn point_at_tab(text: &str, error: &mut SyntaxError) {
    let line = text.lines().nth(error.pos.line as usize - 1).unwrap_or("");
    if let Some(i) = line.find('\t') {
        error.pos.column = line[..i].chars().count() as u32 + 1;
        error.pos.len = 1;
        error.message = "a tab in indentation; YAML is indented with spaces only".into();
    }
}

fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos {
        line: line as u32,
        column: column as u32,
        len: 1,
    }
}

/// The serde-facing twin of [`Node`]: positions come from `Spanned`
/// wrappers around every child.
struct RawNode(Value);

impl From<Spanned<RawNode>> for Node {
    fn from(s: Spanned<RawNode>) -> Node {
        let len = s.referenced.span().len() as u32;
        Node {
            pos: Pos {
                line: s.referenced.line() as u32,
                column: s.referenced.column() as u32,
                len,
            },
            value: s.value.0,
        }
    }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode(Value::Null))
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode(Value::Null))
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(|v| RawNode(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(|v| RawNode(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(|v| RawNode(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode(Value::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode(Value::Str(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode(Value::Str(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawNode>>()? {
            items.push(item.into());
        }
        Ok(RawNode(Value::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<RawNode>>()? {
            let value = map.next_value::<Spanned<RawNode>>()?;
            entries.push((key.into(), value.into()));
        }
        Ok(RawNode(Value::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
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
}
