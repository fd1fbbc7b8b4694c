//! A YAML document as a tree of nodes that each remember where they stand.
//!
//! The inventory and playbook readers walk this tree themselves instead of
//! deriving `Deserialize` on their schema structs: a derived struct stops at
//! the first problem, and opsguard must report every problem in a file at
//! once, each at its exact line and column. This module only parses; it never
//! decides what a value means.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span, Tag};

/// Where a value stands in its source: 1-based line and column, and the
/// length in characters of its token (0 when unknown, or when it spans
/// lines); and where the value ends, the line and column just after it,
/// when the reader knows (a collection ends where its last value does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
    pub end: Option<(u32, u32)>,
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
/// Nodes that aliases may copy in all ("billion laughs").
const MAX_ALIAS_NODES: usize = 100_000;

fn pos_of(span: &Span) -> Pos {
    let (start, end) = (&span.start, &span.end);
    let len = if start.line() == end.line() {
        end.index().saturating_sub(start.index())
    } else {
        0
    };
    Pos {
        line: start.line() as u32,
        column: start.col() as u32 + 1,
        len: len as u32,
        end: (end.index() > start.index()).then(|| (end.line() as u32, end.col() as u32 + 1)),
    }
}

/// `pos` of a collection, ending where its last value ends.
fn ending_with(mut pos: Pos, last: Option<&Node>) -> Pos {
    pos.end = last.and_then(|n| n.pos.end);
    pos
}

/// A collection being filled while its events arrive.
enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Parse one YAML document into a tree of positioned nodes.
///
/// The tree is built straight from serde-saphyr's event parser (its
/// re-exported `granit_parser`): the serde layer with a `Spanned` wrapper
/// on every value was three times slower on a 1,000-host inventory, and
/// events carry exact spans. Scalars are resolved by the YAML 1.2 core
/// schema: only `true`/`false` are booleans (`yes`, `no`, `on` are
/// strings, so a host called `no` stays a host), and numbers with leading
/// zeros (`007`) stay text. An empty document is a null node at 1:1.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if let Some(offset) = text.find('\0') {
        return Err(SyntaxError {
            pos: pos_of_offset(text, offset),
            message: "the file holds binary data (a NUL byte), not YAML text".into(),
        });
    }
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        alias_nodes: 0,
    };
    let mut documents = 0;
    for (count, event) in Parser::new_from_str(text).enumerate() {
        let (event, span) = event.map_err(|e| {
            let mut error = SyntaxError {
                pos: Pos {
                    line: e.marker().line().max(1) as u32,
                    column: e.marker().col() as u32 + 1,
                    len: 0,
                    end: None,
                },
                message: e
                    .info()
                    .lines()
                    .next()
                    .unwrap_or("invalid YAML")
                    .to_string(),
            };
            if error.message.contains("tab") {
                point_at_tab(text, &mut error);
            }
            error
        })?;
        let pos = pos_of(&span);
        let fail = |message: String| Err(SyntaxError { pos, message });
        if count > MAX_EVENTS {
            return fail(format!("the file has more than {MAX_EVENTS} YAML nodes"));
        }
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return fail(
                        "a second YAML document (`---`): put one document in each file".into(),
                    );
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let value = resolve(&value, style, tag.as_deref());
                b.value(Node { pos, value }, anchor);
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if b.stack.len() >= MAX_DEPTH {
                    return fail(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let frame = if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        pos,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        pos,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    }
                };
                b.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Frame::Seq { pos, anchor, items }) => (
                        Node {
                            pos: ending_with(pos, items.last()),
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        pos,
                        anchor,
                        entries,
                        ..
                    }) => (
                        Node {
                            pos: ending_with(pos, entries.last().map(|(_, v)| v)),
                            value: Value::Map(entries),
                        },
                        anchor,
                    ),
                    None => return fail("unbalanced collection end".into()),
                };
                b.value(node, anchor);
            }
            Event::Alias(id) => {
                let Some(target) = b.anchors.get(&id) else {
                    return fail("alias to an unknown anchor".into());
                };
                b.alias_nodes += size(target);
                if b.alias_nodes > MAX_ALIAS_NODES {
                    return fail(format!(
                        "aliases expand to more than {MAX_ALIAS_NODES} nodes"
                    ));
                }
                let mut node = target.clone();
                node.pos = pos;
                b.value(node, 0);
            }
            _ => {}
        }
    }
    Ok(b.root.unwrap_or(Node {
        pos: Pos {
            line: 1,
            column: 1,
            len: 0,
            end: None,
        },
        value: Value::Null,
    }))
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    alias_nodes: usize,
}

impl Builder {
    fn value(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

fn size(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| size(k) + size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The YAML 1.2 core schema, for plain scalars; anything quoted, block or
/// tagged `!!str` is a string.
fn resolve(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if style != ScalarStyle::Plain || tag.is_some_and(|t| t.is_yaml_core_schema_tag("str")) {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let leading_zero =
        digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit();
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        if leading_zero {
            return Value::Str(text.to_string());
        }
        return match text.parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Str(text.to_string()),
        };
    }
    let radix = [("0x", 16), ("0o", 8)]
        .iter()
        .find_map(|(prefix, radix)| i64::from_str_radix(text.strip_prefix(prefix)?, *radix).ok());
    if let Some(n) = radix {
        return Value::Int(n);
    }
    let float_like = digits.bytes().any(|c| c.is_ascii_digit())
        && digits
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'))
        && !leading_zero;
    match float_like.then(|| text.parse::<f64>().ok()).flatten() {
        Some(f) => Value::Float(f),
        None => Value::Str(text.to_string()),
    }
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
        end: None,
    }
}

#[cfg(test)]
mod tests;
