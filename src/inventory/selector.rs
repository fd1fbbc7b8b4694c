//! Selectors: which hosts a command or step is aimed at.
//!
//! `store-a1,store-b*,@cluster-a,role:backup,!store-b9`: the union of the
//! terms, minus the `!` terms. There is no "all": a selector names what it
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
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.exclude {
            f.write_str("!")?;
        }
        match &self.kind {
            TermKind::Host(n) | TermKind::Glob(n) => f.write_str(n),
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
        for raw in text.split(',') {
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
