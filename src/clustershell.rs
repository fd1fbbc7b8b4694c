//! ClusterShell group files (the YAML of `groups.d/*.yaml`) read into plain
//! groups of host names, for `opsguard import clustershell`.
//!
//! A file maps group sources to groups, and each group to a node set:
//! `local: {live: 'store-a[1-4]', all: '@live,@backup'}`. Node sets are
//! expanded as ClusterShell's `nodeset -e` expands them: ranges
//! (`[01-10,12]`, `/STEP`, numbers only), `@group` and `@source:group`
//! references (a reference without a source means the group's own),
//! `@*` (the source's `all` group, else all its groups), whitespace and
//! `,` for union, `!` difference, `&` intersection and `^` symmetric
//! difference, applied left to right. Where ClusterShell would quietly
//! expand to nothing, this fails with the file, line and column: a
//! reference to a group that does not exist (a typo would leave hosts
//! out), and the node wildcards (`*`, `?`) it matches against the
//! source's nodes, which are refused rather than guessed. Nothing here
//! decides roles; that is the import's business.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::inventory::schema::valid_host_name;
use crate::yaml::{self, Node, Pos, Value};

/// The groups of the source being imported, each with the host names it
/// expands to, and the other sources of the file.
#[derive(Debug, PartialEq)]
pub struct Groups {
    pub source: String,
    pub groups: BTreeMap<String, BTreeSet<String>>,
    /// The file's other sources and how many groups each has.
    pub others: BTreeMap<String, usize>,
}

/// The groups of `source` (the only one when `None`) in the group file
/// `text`, named `file` in messages; or every problem.
pub fn read(file: &str, text: &str, source: Option<&str>) -> Result<Groups, Vec<String>> {
    let root = yaml::parse(text).map_err(|e| {
        vec![format!(
            "{file}:{}:{}: {}",
            e.pos.line, e.pos.column, e.message
        )]
    })?;
    let at = |pos: Pos, message: String| format!("{file}:{}:{}: {message}", pos.line, pos.column);
    let Value::Map(sources) = &root.value else {
        return Err(vec![at(
            root.pos,
            "a ClusterShell group file maps sources to groups (`local: {live: 'node[1-4]'}`)"
                .into(),
        )]);
    };
    let mut problems = Vec::new();
    let mut defined: HashMap<(String, String), (String, Pos)> = HashMap::new();
    let mut order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, body) in sources {
        let Some(src) = key.scalar_text() else {
            problems.push(at(key.pos, "a source name is a string".into()));
            continue;
        };
        let Value::Map(groups) = &body.value else {
            problems.push(at(
                body.pos,
                format!("source `{src}` is not a mapping of groups"),
            ));
            continue;
        };
        let names = order.entry(src.clone()).or_default();
        for (g, value) in groups {
            let Some(group) = g.scalar_text() else {
                problems.push(at(
                    g.pos,
                    format!("a group name in `{src}` is not a string"),
                ));
                continue;
            };
            match nodeset_text(value) {
                Some(text) => {
                    names.push(group.clone());
                    defined.insert((src.clone(), group), (text, value.pos));
                }
                None => problems.push(at(
                    value.pos,
                    format!("group `{group}` is not a node set string"),
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let source = match (source, order.len()) {
        (Some(s), _) if order.contains_key(s) => s.to_string(),
        (Some(s), _) => {
            let known: Vec<&str> = order.keys().map(String::as_str).collect();
            return Err(vec![format!(
                "{file} has no source `{s}` (sources: {})",
                known.join(", ")
            )]);
        }
        (None, 1) => order.keys().next().expect("one source").clone(),
        (None, 0) => return Err(vec![format!("{file} has no group source")]),
        (None, _) => {
            let known: Vec<&str> = order.keys().map(String::as_str).collect();
            return Err(vec![format!(
                "{file} has {} sources ({}): choose one with --source",
                known.len(),
                known.join(", ")
            )]);
        }
    };
    let mut r = Resolver {
        file,
        defined: &defined,
        order: &order,
        done: HashMap::new(),
        stack: Vec::new(),
    };
    let mut groups = BTreeMap::new();
    for group in &order[&source] {
        match r.group(&source, group) {
            Ok(nodes) => {
                groups.insert(group.clone(), nodes);
            }
            Err(e) => problems.push(e),
        }
    }
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems);
    }
    let others = order
        .iter()
        .filter(|(s, _)| **s != source)
        .map(|(s, g)| (s.clone(), g.len()))
        .collect();
    Ok(Groups {
        source,
        groups,
        others,
    })
}

/// A group's value as one node set string: ClusterShell joins a list with
/// `,`, and takes words apart at whitespace as separate node sets.
fn nodeset_text(value: &Node) -> Option<String> {
    let items: Vec<String> = match &value.value {
        Value::Seq(items) => items.iter().map(Node::scalar_text).collect::<Option<_>>()?,
        Value::Null => Vec::new(),
        _ => vec![value.scalar_text()?],
    };
    let words: Vec<&str> = items.iter().flat_map(|i| i.split_whitespace()).collect();
    Some(words.join(","))
}

struct Resolver<'a> {
    file: &'a str,
    defined: &'a HashMap<(String, String), (String, Pos)>,
    order: &'a BTreeMap<String, Vec<String>>,
    done: HashMap<(String, String), BTreeSet<String>>,
    stack: Vec<(String, String)>,
}

impl Resolver<'_> {
    /// The hosts of `group` in `src`, its references followed.
    fn group(&mut self, src: &str, group: &str) -> Result<BTreeSet<String>, String> {
        let key = (src.to_string(), group.to_string());
        if let Some(nodes) = self.done.get(&key) {
            return Ok(nodes.clone());
        }
        let (text, pos) = self
            .defined
            .get(&key)
            .cloned()
            .ok_or_else(|| format!("{}: no group `{group}` in source `{src}`", self.file))?;
        if self.stack.contains(&key) {
            return Err(format!(
                "{}:{}:{}: group `{group}` includes itself",
                self.file, pos.line, pos.column
            ));
        }
        self.stack.push(key.clone());
        let nodes = self.nodeset(src, &text).map_err(|e| {
            if e.starts_with(self.file) {
                e
            } else {
                format!(
                    "{}:{}:{}: group `{group}`: {e}",
                    self.file, pos.line, pos.column
                )
            }
        });
        self.stack.pop();
        let nodes = nodes?;
        self.done.insert(key, nodes.clone());
        Ok(nodes)
    }

    /// A node set string of source `src`, its operators applied left to
    /// right.
    fn nodeset(&mut self, src: &str, text: &str) -> Result<BTreeSet<String>, String> {
        let mut out = BTreeSet::new();
        for (op, term) in terms(text)? {
            let set = self.term(src, term)?;
            out = match op {
                ',' => out.union(&set).cloned().collect(),
                '!' => out.difference(&set).cloned().collect(),
                '&' => out.intersection(&set).cloned().collect(),
                _ => out.symmetric_difference(&set).cloned().collect(),
            };
        }
        Ok(out)
    }

    fn term(&mut self, src: &str, term: &str) -> Result<BTreeSet<String>, String> {
        if let Some(name) = term.strip_prefix('@') {
            if name.starts_with('@') {
                return Err(format!("`{term}` lists groups, not nodes"));
            }
            let (src, name) = match name.split_once(':') {
                Some((s, n)) if self.order.contains_key(s) => (s.to_string(), n),
                Some((s, _)) => return Err(format!("`{term}` names no source `{s}`")),
                None => (src.to_string(), name),
            };
            let mut out = BTreeSet::new();
            if name == "*" {
                let all: Vec<String> = if self.defined.contains_key(&(src.clone(), "all".into())) {
                    vec!["all".into()]
                } else {
                    self.order[&src].clone()
                };
                for g in all {
                    out.extend(self.group(&src, &g)?);
                }
                return Ok(out);
            }
            for g in names(name).map_err(|e| format!("`{term}`: {e}"))? {
                if !self.defined.contains_key(&(src.clone(), g.clone())) {
                    return Err(format!("`{term}`: no group `{g}` in source `{src}`"));
                }
                out.extend(self.group(&src, &g)?);
            }
            return Ok(out);
        }
        if term.contains(['*', '?']) {
            return Err(format!(
                "`{term}` is a node wildcard, which the import does not expand: name the nodes"
            ));
        }
        let nodes = names(term).map_err(|e| format!("`{term}`: {e}"))?;
        if let Some(bad) = nodes.iter().find(|n| !valid_host_name(n)) {
            return Err(format!(
                "`{term}` gives `{bad}`, not a host name opsguard takes"
            ));
        }
        Ok(nodes.into_iter().collect())
    }
}

/// The operands of a node set with the operator before each (`,` for the
/// first): `a[1-5]!a3` is `(',', "a[1-5]"), ('!', "a3")`. Operators inside
/// `[...]` are range separators.
fn terms(text: &str) -> Result<Vec<(char, &str)>, String> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut op) = (0usize, 0, ',');
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' | '!' | '&' | '^' if depth == 0 => {
                out.push((op, text[start..i].trim()));
                (start, op) = (i + 1, c);
            }
            _ => {}
        }
    }
    out.push((op, text[start..].trim()));
    if out.len() == 1 && out[0].1.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(i) = out.iter().position(|(_, t)| t.is_empty()) {
        // The operator next to the missing operand: the one before it, or
        // the one after the first.
        let op = if i == 0 { out[1].0 } else { out[i].0 };
        return Err(format!("`{text}`: an operand of `{op}` is missing"));
    }
    Ok(out)
}

/// The names one operand expands to: ClusterShell's ranges are numbers
/// only (`[a-c]` is an error there, so here too).
fn names(pattern: &str) -> Result<Vec<String>, String> {
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        let inner = &rest[open + 1..];
        let close = inner.find(']').unwrap_or(inner.len());
        if let Some(bad) = inner[..close]
            .chars()
            .find(|c| !(c.is_ascii_digit() || matches!(c, '-' | ',' | '/' | ' ')))
        {
            return Err(format!(
                "`{bad}` in a range: ranges are numbers (`[1-4]`, `[01-10/2]`)"
            ));
        }
        rest = &inner[close.min(inner.len())..];
    }
    crate::inventory::selector::expand(pattern)
}

#[cfg(test)]
mod tests;
