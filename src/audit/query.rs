//! Which records `audit show` prints: a filter applied to one record at a
//! time as the log streams past, so memory does not grow with the log.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::record::timestamp;
use crate::inventory::selector::{Selector, TermKind};

/// Hosts as a selector matches them in records: names, globs, roles, and
/// groups resolved against the inventory beforehand.
#[derive(Debug, Default)]
pub struct Hosts {
    include: Vec<Match>,
    exclude: Vec<Match>,
}

#[derive(Debug)]
enum Match {
    Name(String),
    Glob(String),
    Role(String),
    /// The names of a group's hosts, from the inventory.
    Names(Vec<String>),
}

impl Match {
    fn hits(&self, name: &str, role: &str) -> bool {
        match self {
            Match::Name(n) => n == name,
            Match::Glob(g) => crate::glob::matches(g, name),
            Match::Role(r) => r == role,
            Match::Names(ns) => ns.iter().any(|n| n == name),
        }
    }
}

impl Hosts {
    /// `group` turns `@group` into host names; None when there is no
    /// inventory to ask.
    pub fn new(
        sel: &Selector,
        group: impl Fn(&str) -> Option<Vec<String>>,
    ) -> Result<Hosts, NeedsInventory> {
        let mut hosts = Hosts::default();
        for term in &sel.terms {
            let m = match &term.kind {
                TermKind::Host(n) => Match::Name(n.clone()),
                TermKind::Glob(g) => Match::Glob(g.clone()),
                TermKind::Role(r) => Match::Role(r.clone()),
                TermKind::Range(_, names) => Match::Names(names.clone()),
                TermKind::Group(g) => {
                    Match::Names(group(g).ok_or_else(|| NeedsInventory(g.clone()))?)
                }
            };
            if term.exclude {
                hosts.exclude.push(m)
            } else {
                hosts.include.push(m)
            }
        }
        Ok(hosts)
    }

    /// The names and roles the selector includes outright, when it has
    /// no glob: what a database can look up by its indexes (exclusions
    /// are left to [`Matcher`]).
    pub fn exact(&self) -> Option<(Vec<&str>, Vec<&str>)> {
        let mut names = Vec::new();
        let mut roles = Vec::new();
        for m in &self.include {
            match m {
                Match::Name(n) => names.push(n.as_str()),
                Match::Names(ns) => names.extend(ns.iter().map(String::as_str)),
                Match::Role(r) => roles.push(r.as_str()),
                Match::Glob(_) => return None,
            }
        }
        Some((names, roles))
    }

    fn hits(&self, name: &str, role: &str) -> bool {
        self.include.iter().any(|m| m.hits(name, role))
            && !self.exclude.iter().any(|m| m.hits(name, role))
    }
}

/// A group in `--host` with no inventory to say who is in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`@{0}` needs the inventory that defines the group (-i PATH)")]
pub struct NeedsInventory(pub String);

/// A `--since`/`--until` that is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a time: write RFC 3339 (2026-11-22T10:00:00Z) or a time ago (30m, 2h, 3d, 1w)"
)]
pub struct BadTime(pub String);

#[derive(Debug, Default)]
pub struct Filter {
    /// A prefix of the session id.
    pub session: Option<String>,
    pub hosts: Option<Hosts>,
    pub role: Option<String>,
    pub user: Option<String>,
    /// Sessions whose start (or any record) names this change ticket.
    pub change: Option<String>,
    /// An event name, or a prefix ending in `.` or `*` (`guard.`, `guard.*`).
    pub event: Option<String>,
    /// Inclusive bounds, as record timestamps (`2026-11-22T10:01:02.123Z`).
    pub since: Option<String>,
    pub until: Option<String>,
    pub destructive: bool,
    pub refused: bool,
}

/// A filter applied to a stream: remembers the sessions that named the
/// change ticket, so their later records match too.
#[derive(Debug)]
pub struct Matcher {
    filter: Filter,
    change_sessions: HashSet<String>,
}

impl Matcher {
    pub fn new(filter: Filter) -> Matcher {
        Matcher {
            filter,
            change_sessions: HashSet::new(),
        }
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn matches(&mut self, r: &Value) -> bool {
        let r = Facts::deserialize(r).unwrap_or_default();
        if let Some(change) = &self.filter.change {
            if r.change == Some(change.as_str()) {
                self.change_sessions.insert(r.session.to_string());
            }
            if !self.change_sessions.contains(r.session) {
                return false;
            }
        }
        let f = &self.filter;
        f.session
            .as_ref()
            .is_none_or(|s| r.session.starts_with(s.as_str()))
            && f.user.as_ref().is_none_or(|u| r.user == u)
            && f.since.as_ref().is_none_or(|s| r.ts >= s.as_str())
            && f.until.as_ref().is_none_or(|u| r.ts <= u.as_str())
            && f.event.as_ref().is_none_or(|e| event_matches(e, r.event))
            && f.role
                .as_ref()
                .is_none_or(|role| r.hosts().any(|(_, r)| r == role))
            && f.hosts
                .as_ref()
                .is_none_or(|want| r.hosts().any(|(n, role)| want.hits(n, role)))
            && (!f.destructive || r.destructive)
            && (!f.refused
                || r.event == "guard.refused"
                || (r.event == "session.end" && r.status == Some("refused")))
    }
}

/// What a filter looks at in a record, read in place. These are the
/// fields records of many kinds share (a host and its role, a plan's
/// targets, `destructive`, a change ticket), so a record of a kind this
/// version does not know is still found by its host.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Facts<'a> {
    session: &'a str,
    event: &'a str,
    user: &'a str,
    ts: &'a str,
    host: Option<&'a str>,
    role: Option<&'a str>,
    #[serde(borrow)]
    targets: Vec<Named<'a>>,
    destructive: bool,
    change: Option<&'a str>,
    status: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Named<'a> {
    name: &'a str,
    role: &'a str,
}

impl<'a> Facts<'a> {
    /// `(name, role)` of every host the record is about.
    fn hosts(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        let own = self.host.map(|h| (h, self.role.unwrap_or("")));
        own.into_iter()
            .chain(self.targets.iter().map(|t| (t.name, t.role)))
    }
}

/// `(name, role)` of every host a record is about: its `host` and `role`,
/// or a plan's `targets`; a role is empty where the record has none.
pub fn hosts_of(r: &Value) -> Vec<(&str, &str)> {
    Facts::deserialize(r)
        .map(|f| f.hosts().collect())
        .unwrap_or_default()
}

fn event_matches(want: &str, event: &str) -> bool {
    match want.strip_suffix('*') {
        Some(prefix) => event.starts_with(prefix),
        None if want.ends_with('.') => event.starts_with(want),
        None => event == want,
    }
}

/// `--since`/`--until`: RFC 3339, or a time ago like `90s`, `30m`, `2h`,
/// `3d`, `1w`; as a record timestamp so it compares as text.
pub fn parse_time(text: &str, now: OffsetDateTime) -> Result<String, BadTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(timestamp(t));
    }
    let bad = || BadTime(text.to_string());
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let n: i64 = text[..split].parse().map_err(|_| bad())?;
    let unit = match &text[split..] {
        "s" => time::Duration::seconds(1),
        "m" => time::Duration::minutes(1),
        "h" => time::Duration::hours(1),
        "d" => time::Duration::days(1),
        "w" => time::Duration::weeks(1),
        _ => return Err(bad()),
    };
    let n = i32::try_from(n).map_err(|_| bad())?;
    Ok(timestamp(now - unit * n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn times() {
        let now = datetime!(2026-11-22 12:00 UTC);
        assert_eq!(parse_time("2h", now).unwrap(), "2026-11-22T10:00:00.000Z");
        assert_eq!(parse_time("3d", now).unwrap(), "2026-11-19T12:00:00.000Z");
        assert_eq!(
            parse_time("2026-11-22T11:00:00+01:00", now).unwrap(),
            "2026-11-22T10:00:00.000Z"
        );
        for bad in ["yesterday", "2", "2y", "h"] {
            assert!(parse_time(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters() {
        let r = json!({"ts": "2026-11-22T10:00:00.000Z", "session": "20261122T1000Z-ab", "user": "alice",
            "event": "command.end", "host": "store-a1", "role": "live", "destructive": true});
        let sel: Selector = "store-*,!store-b1".parse().unwrap();
        let mut f = Matcher::new(Filter {
            hosts: Some(Hosts::new(&sel, |_| None).unwrap()),
            ..Filter::default()
        });
        assert!(f.matches(&r));
        let sel: Selector = "role:backup".parse().unwrap();
        let mut f = Matcher::new(Filter {
            hosts: Some(Hosts::new(&sel, |_| None).unwrap()),
            ..Filter::default()
        });
        assert!(!f.matches(&r));
        let sel: Selector = "@cluster-a".parse().unwrap();
        assert!(Hosts::new(&sel, |_| None).is_err());
        let mut f = Matcher::new(Filter {
            hosts: Some(Hosts::new(&sel, |_| Some(vec!["store-a1".into()])).unwrap()),
            ..Filter::default()
        });
        assert!(f.matches(&r));
        for (f, want) in [
            (
                Filter {
                    session: Some("20261122T".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    session: Some("2027".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    user: Some("bob".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    role: Some("live".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    event: Some("command.*".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    event: Some("command.".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    event: Some("command".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    since: Some("2026-11-22T10:00:00.000Z".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    until: Some("2026-11-22T09:59:59.999Z".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    destructive: true,
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    refused: true,
                    ..Filter::default()
                },
                false,
            ),
        ] {
            let shown = format!("{f:?}");
            assert_eq!(Matcher::new(f).matches(&r), want, "{shown}");
        }
    }

    /// A record of a kind this version does not know is still found by
    /// its host; one whose fields do not read matches no filter.
    #[test]
    fn unknown_kinds_are_found_by_host() {
        let sel: Selector = "store-a1".parse().unwrap();
        let mut f = Matcher::new(Filter {
            hosts: Some(Hosts::new(&sel, |_| None).unwrap()),
            ..Filter::default()
        });
        assert!(f.matches(&json!({"event": "quota.raised", "host": "store-a1", "role": "live"})));
        assert!(!f.matches(&json!({"event": "quota.raised", "host": 7})));
    }

    #[test]
    fn change_follows_the_session() {
        let mut f = Matcher::new(Filter {
            change: Some("CHG-1".into()),
            ..Filter::default()
        });
        assert!(f.matches(&json!({"session": "s1", "event": "session.start", "change": "CHG-1"})));
        let other = |session: &str| json!({"session": session, "event": "command.end"});
        assert!(f.matches(&other("s1")));
        assert!(!f.matches(&other("s2")));
    }
}
