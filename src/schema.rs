//! Reading YAML nodes against a schema, one field at a time.
//!
//! The inventory and playbook readers use these helpers to turn [`Node`]s
//! into checked values. Each helper reports what is wrong into the
//! [`Report`] and returns `None`, so the caller can go on and find the next
//! problem; nothing here stops at the first error.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Loc, Report, nearest};
use crate::duration::Duration;
use crate::yaml::{Node, Pos, Value};

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Sp<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Sp { value, loc }
    }
}

/// The file being read and the report its problems go to.
pub struct Ctx<'r> {
    pub file: Arc<str>,
    pub report: &'r mut Report,
}

impl<'r> Ctx<'r> {
    pub fn new(file: Arc<str>, report: &'r mut Report) -> Self {
        Ctx { file, report }
    }

    pub fn loc(&self, pos: Pos) -> Loc {
        Loc {
            file: self.file.clone(),
            pos,
        }
    }

    pub fn emit(&mut self, pos: Pos, code: Code, message: impl Into<String>) {
        let d = Diagnostic::new(self.loc(pos), code, message);
        self.report.push(d);
    }

    pub fn emit_help(
        &mut self,
        pos: Pos,
        code: Code,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::new(self.loc(pos), code, message).help(help);
        self.report.push(d);
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.emit(
            node.pos,
            Code::E004,
            format!("{what} must be {expected}, found {}", node.value.kind()),
        );
    }

    /// The entries of a mapping, checked against the known field names:
    /// unknown fields (E002, with the nearest known one) and repeated ones
    /// (E005, naming the first) are reported and left out.
    pub fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let entries = self.mapping(node, what)?;
        let mut kept: Vec<(&'n str, &'n Node, &'n Node)> = Vec::new();
        for (key, name, value) in entries {
            if !known.contains(&name) {
                let message = format!("unknown field `{name}` in {what}");
                match nearest(name, known) {
                    Some(near) => self.emit_help(
                        key.pos,
                        Code::E002,
                        message,
                        format!("did you mean `{near}`?"),
                    ),
                    None => self.emit_help(
                        key.pos,
                        Code::E002,
                        message,
                        format!("known fields: {}", known.join(", ")),
                    ),
                }
                continue;
            }
            kept.push((name, key, value));
        }
        Some(Fields {
            pos: node.pos,
            entries: kept,
        })
    }

    /// The entries of a mapping whose keys are names (hosts, roles): keys
    /// must be strings and appear once.
    pub fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
    ) -> Option<Vec<(&'n Node, &'n str, &'n Node)>> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut seen: std::collections::HashMap<&str, Pos> =
            std::collections::HashMap::with_capacity(entries.len());
        let mut out = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let Value::Str(name) = &key.value else {
                self.emit(
                    key.pos,
                    Code::E004,
                    format!("keys in {what} must be names, found {}", key.value.kind()),
                );
                continue;
            };
            if let Some(&first) = seen.get(name.as_str()) {
                self.emit(
                    key.pos,
                    Code::E005,
                    format!(
                        "duplicate key `{name}` in {what}; first defined at line {}",
                        first.line
                    ),
                );
                continue;
            }
            seen.insert(name, key.pos);
            out.push((key, name.as_str(), value));
        }
        Some(out)
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        match &node.value {
            Value::Str(s) if s.trim().is_empty() => {
                self.emit(node.pos, Code::E004, format!("{what} must not be empty"));
                None
            }
            Value::Str(s) => Some(Sp::new(s.clone(), self.loc(node.pos))),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let text = node.scalar_text().unwrap_or_default();
                self.emit_help(
                    node.pos,
                    Code::E004,
                    format!("{what} must be a string, found {}", node.value.kind()),
                    format!("quote it: \"{text}\""),
                );
                None
            }
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<Sp<bool>> {
        match node.value {
            Value::Bool(b) => Some(Sp::new(b, self.loc(node.pos))),
            _ => {
                self.wrong_type(node, what, "true or false");
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub fn number(&mut self, node: &Node, what: &str, min: i64, max: i64) -> Option<Sp<i64>> {
        match node.value {
            Value::Int(n) if (min..=max).contains(&n) => Some(Sp::new(n, self.loc(node.pos))),
            Value::Int(n) => {
                self.emit(
                    node.pos,
                    Code::E004,
                    format!("{what} must be between {min} and {max}, found {n}"),
                );
                None
            }
            _ => {
                self.wrong_type(node, what, "a whole number");
                None
            }
        }
    }

    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// A list of non-empty strings; bad items are reported and skipped.
    pub fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<Sp<String>>> {
        let items = self.seq(node, what)?;
        Some(items.iter().filter_map(|i| self.string(i, what)).collect())
    }

    pub fn duration(&mut self, node: &Node, what: &str) -> Option<Sp<Duration>> {
        let Value::Str(text) = &node.value else {
            if let Value::Int(n) = node.value {
                self.emit_help(
                    node.pos,
                    Code::E004,
                    format!("{what} needs a unit"),
                    format!("write `{n}s` for seconds or `{n}m` for minutes"),
                );
            } else {
                self.wrong_type(node, what, "a duration like `30s`, `10m` or `1h30m`");
            }
            return None;
        };
        match text.parse::<Duration>() {
            Ok(d) => Some(Sp::new(d, self.loc(node.pos))),
            Err(e) => {
                self.emit_help(
                    node.pos,
                    Code::E004,
                    format!("{what}: {e}"),
                    "write a duration like `30s`, `10m` or `1h30m`",
                );
                None
            }
        }
    }
}

/// The known fields of one mapping.
pub struct Fields<'n> {
    pub pos: Pos,
    entries: Vec<(&'n str, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, v)| *v)
    }

    /// The key node of a field, for diagnostics about the field as a whole.
    pub fn key(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, k, _)| *k)
    }

    /// A required field: reported as missing (E003) at the mapping's
    /// position when absent or null.
    pub fn require(&self, ctx: &mut Ctx, name: &str, what: &str) -> Option<&'n Node> {
        match self.get(name) {
            Some(node) if node.value != Value::Null => Some(node),
            _ => {
                ctx.emit(self.pos, Code::E003, format!("{what} is missing `{name}`"));
                None
            }
        }
    }
}
