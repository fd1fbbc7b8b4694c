//! Selectors: which hosts a command or step is aimed at.
//!
//! `store-a1,store-b*,@cluster-a,role:backup,!store-b9`: the union of the
//! terms, minus the `!` terms. A term may be a ClusterShell-style range,
//! `store-a[1-4]`, `store-[a-c]1`, `node[01-10,12]` (zero-padding kept,
//! `/STEP` allowed), which names each host it expands to. There is no
//! "all": a selector names what it
//! wants, so live hosts are never picked up by accident. Every term must
//! mean something in the inventory; a term that names nothing is an error,
//! even in an exclusion (a typo in `!store-a1` would otherwise quietly
//! include the host the operator meant to leave out).

use std::fmt;
use std::str::FromStr;

use super::Inventory;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub text: String,
    pub terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub exclude: bool,
    pub kind: TermKind,
    /// Byte offset of the term in the selector text, for pointing at it.
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermKind {
    Host(String),
    Glob(String),
    Group(String),
    Role(String),
    /// A range as written, and the names it expands to.
    Range(String, Vec<String>),
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.exclude {
            f.write_str("!")?;
        }
        match &self.kind {
            TermKind::Host(n) | TermKind::Glob(n) | TermKind::Range(n, _) => f.write_str(n),
            TermKind::Group(g) => write!(f, "@{g}"),
            TermKind::Role(r) => write!(f, "role:{r}"),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SelectorError {
    pub offset: usize,
    pub message: String,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut terms = Vec::new();
        let mut offset = 0;
        for raw in split_terms(text) {
            let lead = raw.len() - raw.trim_start().len();
            let term = raw.trim();
            let at = offset + lead;
            offset += raw.len() + 1;
            let err = |message: String| SelectorError {
                offset: at,
                message,
            };
            if term.is_empty() {
                return Err(err(format!("empty term in selector `{text}`")));
            }
            let (exclude, body) = match term.strip_prefix('!') {
                Some(rest) => (true, rest.trim_start()),
                None => (false, term),
            };
            let kind = if let Some(group) = body.strip_prefix('@') {
                if !valid_name(group) {
                    return Err(err(format!("`{body}` is not a group name")));
                }
                TermKind::Group(group.to_string())
            } else if let Some(role) = body.strip_prefix("role:") {
                if !valid_name(role) {
                    return Err(err(format!("`{body}` is not a role name")));
                }
                TermKind::Role(role.to_string())
            } else if body.contains(['[', ']']) {
                if body.contains(['*', '?']) {
                    return Err(err(format!(
                        "`{body}` mixes a range with a `*` pattern: use one or the other"
                    )));
                }
                let names = expand(body).map_err(|e| err(format!("`{body}`: {e}")))?;
                if let Some(bad) = names.iter().find(|n| !valid_name(n)) {
                    return Err(err(format!("`{body}` expands to `{bad}`, not a host name")));
                }
                TermKind::Range(body.to_string(), names)
            } else if body.contains(['*', '?']) {
                let plain = body.replace(['*', '?'], "");
                if !(plain.is_empty() || valid_name(&plain)) {
                    return Err(err(format!("`{body}` is not a host name pattern")));
                }
                TermKind::Glob(body.to_string())
            } else if valid_name(body) {
                TermKind::Host(body.to_string())
            } else {
                return Err(err(format!(
                    "`{body}` is not a host name, `*` pattern, `@group` or `role:NAME`"
                )));
            };
            terms.push(Term {
                exclude,
                kind,
                offset: at,
            });
        }
        Ok(Selector {
            text: text.to_string(),
            terms,
        })
    }
}

/// The terms of a selector: split at commas outside `[...]`.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

/// The most names one range may expand to.
const MOST_NAMES: usize = 100_000;

/// The names a range expands to, in order: `a[1-3]b[x,y]` is a1bx, a1by,
/// a2bx, ... Numbers keep the width of a zero-padded start (`[01-10]`);
/// letters go one by one (`[a-c]`); `/STEP` steps (`[1-9/2]`).
pub(crate) fn expand(pattern: &str) -> Result<Vec<String>, String> {
    let mut names = vec![String::new()];
    let mut rest = pattern;
    while !rest.is_empty() {
        let (literal, after) = match rest.find('[') {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        if literal.contains(']') {
            return Err("a `]` without its `[`".into());
        }
        for n in &mut names {
            n.push_str(literal);
        }
        let Some(after) = after else {
            break;
        };
        let close = after.find(']').ok_or("a `[` is never closed")?;
        let inner = &after[..close];
        if inner.contains('[') {
            return Err("ranges do not nest".into());
        }
        let items = range_items(inner)?;
        if names.len().saturating_mul(items.len()) > MOST_NAMES {
            return Err(format!("expands to more than {MOST_NAMES} names"));
        }
        names = names
            .iter()
            .flat_map(|n| items.iter().map(move |i| format!("{n}{i}")))
            .collect();
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// `01-10,12,a-c,1-9/2`: each item of one bracket.
fn range_items(inner: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for item in inner.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err("an empty item in `[...]`".into());
        }
        let (span, step) = match item.split_once('/') {
            Some((span, step)) => (
                span,
                step.parse::<usize>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("`/{step}` is not a step"))?,
            ),
            None => (item, 1),
        };
        let Some((lo, hi)) = span.split_once('-') else {
            if step != 1 {
                return Err(format!("`{item}`: a step needs a range"));
            }
            out.push(span.to_string());
            continue;
        };
        let numbers = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let letter = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic());
        if numbers(lo) && numbers(hi) {
            let (a, b): (u64, u64) = (
                lo.parse().map_err(|_| format!("`{lo}` is too large"))?,
                hi.parse().map_err(|_| format!("`{hi}` is too large"))?,
            );
            if b < a {
                return Err(format!("`{span}` runs backwards"));
            }
            if out.len() + ((b - a) / step as u64) as usize >= MOST_NAMES {
                return Err(format!("expands to more than {MOST_NAMES} names"));
            }
            let width = if lo.len() > 1 && lo.starts_with('0') {
                lo.len()
            } else {
                0
            };
            out.extend((a..=b).step_by(step).map(|n| format!("{n:0width$}")));
        } else if letter(lo) && letter(hi) {
            let (a, b) = (lo.as_bytes()[0], hi.as_bytes()[0]);
            if b < a || a.is_ascii_lowercase() != b.is_ascii_lowercase() {
                return Err(format!("`{span}` is not a range of letters"));
            }
            out.extend((a..=b).step_by(step).map(|c| (c as char).to_string()));
        } else {
            return Err(format!("`{span}` is not a range: write 1-4, 01-10 or a-c"));
        }
        if out.len() > MOST_NAMES {
            return Err(format!("expands to more than {MOST_NAMES} names"));
        }
    }
    Ok(out)
}

/// Why a term or a whole selector selects nothing useful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The term names a host, group or role the inventory does not have (E010).
    Unknown { term: usize, message: String },
    /// The term, or the whole selector (`term: None`), matches no host (E011).
    NoMatch {
        term: Option<usize>,
        message: String,
    },
}

impl Problem {
    pub fn message(&self) -> &str {
        match self {
            Problem::Unknown { message, .. } | Problem::NoMatch { message, .. } => message,
        }
    }
}

impl Selector {
    /// Indices of the selected hosts, in inventory order, or every problem
    /// with the selector.
    pub fn resolve(&self, inv: &Inventory) -> Result<Vec<usize>, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut included = vec![false; inv.hosts.len()];
        let mut excluded = vec![false; inv.hosts.len()];
        for (t, term) in self.terms.iter().enumerate() {
            let matched = self.term_matches(inv, term);
            match &matched {
                Err(message) => problems.push(Problem::Unknown {
                    term: t,
                    message: message.clone(),
                }),
                Ok(hosts) if hosts.is_empty() && !term.exclude => problems.push(Problem::NoMatch {
                    term: Some(t),
                    message: format!("`{term}` matches no host"),
                }),
                Ok(_) => {}
            }
            let marks = if term.exclude {
                &mut excluded
            } else {
                &mut included
            };
            for i in matched.unwrap_or_default() {
                marks[i] = true;
            }
        }
        let selected: Vec<usize> = (0..inv.hosts.len())
            .filter(|&i| included[i] && !excluded[i])
            .collect();
        if problems.is_empty() && selected.is_empty() {
            let message = if self.terms.iter().all(|t| t.exclude) {
                format!(
                    "`{}` only excludes hosts, so it selects none: name the hosts you want",
                    self.text
                )
            } else {
                format!(
                    "`{}` matches no host once the exclusions are taken out",
                    self.text
                )
            };
            problems.push(Problem::NoMatch {
                term: None,
                message,
            });
        }
        if problems.is_empty() {
            Ok(selected)
        } else {
            Err(problems)
        }
    }

    fn term_matches(&self, inv: &Inventory, term: &Term) -> Result<Vec<usize>, String> {
        let all = 0..inv.hosts.len();
        match &term.kind {
            TermKind::Host(name) => inv
                .host_index(name)
                .map(|i| vec![i])
                .ok_or_else(|| match inv.nearest_host(name) {
                    Some(near) => format!("unknown host `{name}` (did you mean `{near}`?)"),
                    None => format!("unknown host `{name}`"),
                }),
            TermKind::Glob(pattern) => Ok(all
                .filter(|&i| crate::glob::matches(pattern, &inv.hosts[i].name))
                .collect()),
            TermKind::Range(text, names) => {
                let unknown: Vec<&str> = names
                    .iter()
                    .filter(|n| inv.host_index(n).is_none())
                    .map(String::as_str)
                    .collect();
                match unknown[..] {
                    [] => Ok(names.iter().filter_map(|n| inv.host_index(n)).collect()),
                    [one] => Err(format!("unknown host `{one}` in `{text}`")),
                    [first, ..] => Err(format!(
                        "unknown hosts in `{text}`: `{first}` and {} more",
                        unknown.len() - 1
                    )),
                }
            }
            TermKind::Group(group) => {
                let hosts: Vec<usize> = all
                    .filter(|&i| inv.hosts[i].groups.iter().any(|g| g == group))
                    .collect();
                if hosts.is_empty() {
                    Err(format!(
                        "unknown group `@{group}`: no host lists it in `groups`"
                    ))
                } else {
                    Ok(hosts)
                }
            }
            TermKind::Role(role) => {
                if !inv.roles.contains_key(role.as_str()) {
                    let known: Vec<&str> = inv.roles.keys().map(|r| r.as_str()).collect();
                    return Err(format!(
                        "unknown role `{role}` (roles: {})",
                        known.join(", ")
                    ));
                }
                Ok(all.filter(|&i| inv.hosts[i].role == *role).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::tests::inventory;

    fn sample() -> Inventory {
        inventory(
            "hosts:
  store-a1: {role: live, groups: [cluster-a], mirror: store-a1-m}
  store-a1-m: {role: live, groups: [cluster-a]}
  store-b1: {role: live, groups: [cluster-b]}
  backup-a1: {role: backup, groups: [cluster-a]}
  beta-1: {role: beta}
roles:
  live: {protected: true, color: red}
  backup: {color: green}
  beta: {color: yellow}
  lab: {color: blue}
",
        )
    }

    fn names(inv: &Inventory, sel: &str) -> Result<Vec<String>, Vec<Problem>> {
        let s: Selector = sel.parse().unwrap();
        s.resolve(inv)
            .map(|v| v.into_iter().map(|i| inv.hosts[i].name.clone()).collect())
    }

    #[test]
    fn selects() {
        let inv = sample();
        for (sel, want) in [
            ("store-a1", vec!["store-a1"]),
            ("store-*", vec!["store-a1", "store-a1-m", "store-b1"]),
            ("store-?1", vec!["store-a1", "store-b1"]),
            ("*-m", vec!["store-a1-m"]),
            ("@cluster-a", vec!["store-a1", "store-a1-m", "backup-a1"]),
            ("role:backup", vec!["backup-a1"]),
            ("role:live,!store-a1-m", vec!["store-a1", "store-b1"]),
            ("@cluster-a, !role:live", vec!["backup-a1"]),
            ("beta-1,backup-a1", vec!["backup-a1", "beta-1"]),
            ("store-a1,store-a1", vec!["store-a1"]),
            ("store-*,!store-b*", vec!["store-a1", "store-a1-m"]),
        ] {
            assert_eq!(names(&inv, sel).unwrap(), want, "{sel}");
        }
    }

    #[test]
    fn refuses_what_names_nothing() {
        let inv = sample();
        for (sel, want) in [
            ("stor-a1", Problem::Unknown { term: 0, message: "unknown host `stor-a1` (did you mean `store-a1`?)".into() }),
            ("store-a1,@nope", Problem::Unknown { term: 1, message: "unknown group `@nope`: no host lists it in `groups`".into() }),
            ("role:prod", Problem::Unknown { term: 0, message: "unknown role `prod` (roles: backup, beta, lab, live)".into() }),
            ("role:lab", Problem::NoMatch { term: Some(0), message: "`role:lab` matches no host".into() }),
            ("db-*", Problem::NoMatch { term: Some(0), message: "`db-*` matches no host".into() }),
            ("store-a1,!stroe-a1", Problem::Unknown { term: 1, message: "unknown host `stroe-a1` (did you mean `store-a1`?)".into() }),
            ("!store-a1", Problem::NoMatch { term: None, message: "`!store-a1` only excludes hosts, so it selects none: name the hosts you want".into() }),
            ("store-a1,!role:live", Problem::NoMatch { term: None, message: "`store-a1,!role:live` matches no host once the exclusions are taken out".into() }),
        ] {
            assert_eq!(names(&inv, sel).unwrap_err(), vec![want], "{sel}");
        }
    }

    #[test]
    fn ranges_expand_as_clustershell_does() {
        for (range, want) in [
            ("store-a[1-3]", vec!["store-a1", "store-a2", "store-a3"]),
            ("store-[a-c]1", vec!["store-a1", "store-b1", "store-c1"]),
            (
                "node[01-03,12]",
                vec!["node01", "node02", "node03", "node12"],
            ),
            ("n[1-9/4]", vec!["n1", "n5", "n9"]),
            ("r[1-2]s[a,b]", vec!["r1sa", "r1sb", "r2sa", "r2sb"]),
            ("n[8-10]", vec!["n8", "n9", "n10"]),
        ] {
            assert_eq!(expand(range).unwrap(), want, "{range}");
        }
        for (bad, says) in [
            ("n[3-1]", "`3-1` runs backwards"),
            ("n[1-", "a `[` is never closed"),
            ("n1]", "a `]` without its `[`"),
            ("n[[1-2]]", "ranges do not nest"),
            ("n[1,,2]", "an empty item in `[...]`"),
            ("n[a-5]", "`a-5` is not a range"),
            ("n[1-2/0]", "`/0` is not a step"),
            ("n[0-999999]", "expands to more than 100000 names"),
            ("n[0-99999,0-99999]", "expands to more than 100000 names"),
        ] {
            let e = expand(bad).unwrap_err();
            assert!(e.starts_with(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_range_names_each_host_it_expands_to() {
        let inv = sample();
        assert_eq!(
            names(&inv, "store-[a-b]1,backup-a[1]").unwrap(),
            ["store-a1", "store-b1", "backup-a1"]
        );
        assert_eq!(
            names(&inv, "store-*,!store-[a-b]1").unwrap(),
            ["store-a1-m"]
        );
        assert_eq!(
            names(&inv, "store-[a-c]1").unwrap_err(),
            vec![Problem::Unknown {
                term: 0,
                message: "unknown host `store-c1` in `store-[a-c]1`".into()
            }]
        );
        let s: Selector = "store-[a-b]1, backup-a[1]".parse().unwrap();
        assert_eq!(s.terms.len(), 2);
        assert_eq!(s.terms[1].offset, 14);
        assert!("st*[1-2]".parse::<Selector>().is_err());
    }

    #[test]
    fn parse_errors() {
        for (sel, offset) in [
            ("", 0),
            ("a,,b", 2),
            ("a, b c", 3),
            ("@", 0),
            ("role:", 0),
            ("x,st/re", 2),
            ("a;rm", 0),
        ] {
            let e = sel.parse::<Selector>().unwrap_err();
            assert_eq!(e.offset, offset, "{sel}: {e}");
        }
        let s: Selector = " a , !@g".parse().unwrap();
        assert_eq!(s.terms[1].offset, 5);
        assert_eq!(s.terms[1].to_string(), "!@g");
    }
}
