//! Completion of the values opsguard knows and the shell does not: host
//! names, `@group`s and `role:NAME`s from the inventory, and session ids
//! from the audit log. The shell's script (`opsguard completions SHELL`)
//! runs `COMPLETE=SHELL opsguard -- WORDS...`; clap_complete's engine
//! finds the argument under the cursor and asks the completer attached
//! to it here.
//!
//! The inventory and the log are found as the command being typed would
//! find them: its `-i`/`--inventory` and `--audit-log` (read by clap from
//! the words, so `OPSGUARD_INVENTORY` and `OPSGUARD_AUDIT_LOG` count too),
//! then the inventory's `settings.audit_log`, then the defaults. This runs
//! on every Tab: it must never print, fail or connect anywhere. A missing
//! or broken inventory, an unreadable log or an audit database give no
//! candidates.

use std::ffi::{OsStr, OsString};
use std::io::BufReader;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use super::{Cli, GlobalArgs};
use crate::audit::{self, event::Event, event::Record, lines::Reader};
use crate::inventory::Inventory;

/// A selector's next term: a host, `@group` or `role:NAME`, after the
/// terms already typed (`store-a1,!`).
pub fn selector() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        with_inventory(|inv| selector_terms(inv, &lossy(current)))
    })
}

/// A host's name.
pub fn host() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        with_inventory(|inv| {
            let current = lossy(current);
            hosts(inv)
                .filter(|c| value(c).starts_with(&current))
                .collect()
        })
    })
}

/// A role's name, as the inventory's hosts have them.
pub fn role() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        with_inventory(|inv| {
            let current = lossy(current);
            roles(inv)
                .into_iter()
                .filter(|(r, _)| r.starts_with(&current))
                .map(|(r, n)| CompletionCandidate::new(r).help(Some(count(n).into())))
                .collect()
        })
    })
}

/// A session id from the audit log, the latest first.
pub fn session() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let current = lossy(current);
        let Some(g) = globals(&words()) else {
            return Vec::new();
        };
        let inv = super::audit::inventory_if_any(&g);
        let Ok(audit::Log::File(path)) = super::audit::log_path(&g, inv.as_ref()) else {
            return Vec::new();
        };
        let Ok(file) = std::fs::File::open(path) else {
            return Vec::new();
        };
        sessions(BufReader::new(file))
            .into_iter()
            .filter(|(id, _)| id.starts_with(&current))
            .map(|(id, help)| CompletionCandidate::new(id).help(Some(help.into())))
            .collect()
    })
}

/// The words of the command line being completed: the shell passes them
/// after `--`.
fn words() -> Vec<OsString> {
    std::env::args_os()
        .skip(1)
        .skip_while(|a| a != "--")
        .skip(1)
        .collect()
}

/// The global options of `words` (`opsguard -i inv.yaml exec st`) that
/// say where the inventory and the log are, as opsguard reads them,
/// environment included; the line need not be complete or valid.
pub fn globals(words: &[OsString]) -> Option<GlobalArgs> {
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(words)
        .ok()?;
    // Global options are passed down: the innermost subcommand has them
    // all, wherever they were typed.
    let mut m = &matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    let path = |id: &str| m.try_get_one::<PathBuf>(id).ok().flatten().cloned();
    Some(GlobalArgs {
        inventory: path("inventory"),
        audit_log: path("audit_log"),
        color: super::args::Color::Never,
        quiet: true,
        verbose: false,
    })
}

fn with_inventory(
    f: impl FnOnce(&Inventory) -> Vec<CompletionCandidate>,
) -> Vec<CompletionCandidate> {
    globals(&words())
        .and_then(|g| super::audit::inventory_if_any(&g))
        .map(|inv| f(&inv))
        .unwrap_or_default()
}

/// Candidates for the last term of a selector being typed: hosts, then
/// groups, then roles, each kept with the terms before it.
pub fn selector_terms(inv: &Inventory, current: &str) -> Vec<CompletionCandidate> {
    let (done, term) = current.split_at(current.rfind(',').map_or(0, |i| i + 1));
    let (bang, term) = match term.strip_prefix('!') {
        Some(rest) => ("!", rest),
        None => ("", term),
    };
    let mut groups: std::collections::BTreeMap<&str, usize> = Default::default();
    for g in inv.hosts.iter().flat_map(|h| &h.groups) {
        *groups.entry(g).or_default() += 1;
    }
    let groups = groups
        .into_iter()
        .map(|(g, n)| CompletionCandidate::new(format!("@{g}")).help(Some(count(n).into())));
    let roles = roles(inv)
        .into_iter()
        .map(|(r, n)| CompletionCandidate::new(format!("role:{r}")).help(Some(count(n).into())));
    hosts(inv)
        .chain(groups)
        .chain(roles)
        .filter(|c| value(c).starts_with(term))
        .map(|c| {
            let help = c.get_help().cloned();
            CompletionCandidate::new(format!("{done}{bang}{}", value(&c))).help(help)
        })
        .collect()
}

fn hosts(inv: &Inventory) -> impl Iterator<Item = CompletionCandidate> + '_ {
    inv.hosts.iter().map(|h| {
        let help = format!("{} {}", h.role, h.address);
        CompletionCandidate::new(&h.name).help(Some(help.into()))
    })
}

/// The roles hosts have, in name order, with how many hosts have each.
fn roles(inv: &Inventory) -> Vec<(String, usize)> {
    let mut roles: std::collections::BTreeMap<&str, usize> = Default::default();
    for h in &inv.hosts {
        *roles.entry(&h.role).or_default() += 1;
    }
    roles.into_iter().map(|(r, n)| (r.to_string(), n)).collect()
}

/// The sessions a log started, the latest first, each with when, who
/// and what (`2026-11-22T10:01:02Z alice: exec store-a1 -- df -h`).
/// Lines that are not records are passed over: this is a hint, not a
/// check.
pub fn sessions(input: impl std::io::BufRead) -> Vec<(String, String)> {
    let mut reader = Reader::new(input);
    let mut out = Vec::new();
    while let Ok(Some(line)) = reader.next_line() {
        let Some(bytes) = line.bytes else { continue };
        if memchr::memmem::find(bytes, br#""event":"session.start""#).is_none() {
            continue;
        }
        let Ok(fields) = serde_json::from_slice(bytes) else {
            continue;
        };
        let record = Record::read(fields);
        let what = match &record.event {
            Some(Event::SessionStart(s)) => s.argv.get(1..).unwrap_or_default().join(" "),
            _ => continue,
        };
        let help = format!("{} {}: {what}", record.header.ts, record.header.user);
        let help: String = help
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(80)
            .collect();
        // The shell puts a candidate on the command line as it is: only
        // an id made as opsguard makes them (letters, digits, `-`), never
        // text that a shared log could carry (`$(...)`, quotes, spaces).
        let id = record.header.session;
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            out.push((id, help));
        }
    }
    out.reverse();
    out
}

fn value(c: &CompletionCandidate) -> String {
    c.get_value().to_string_lossy().into_owned()
}

fn lossy(s: &OsStr) -> String {
    s.to_string_lossy().into_owned()
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 host".to_string()
    } else {
        format!("{n} hosts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Inventory {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inv.yaml");
        std::fs::write(
            &path,
            "hosts:\n  store-a1: {role: live, groups: [cluster-a]}\n  store-b1: {role: live}\n  \
backup-a1: {role: backup, groups: [cluster-a, backup]}\n",
        )
        .unwrap();
        let mut report = crate::diagnostic::Report::default();
        let mut sources = crate::diagnostic::Sources::default();
        crate::inventory::load(&path, &mut report, &mut sources).unwrap()
    }

    #[test]
    fn selector_terms_follow_what_is_typed() {
        let inv = inventory();
        let cases: &[(&str, &[&str])] = &[
            (
                "",
                &[
                    "store-a1", "store-b1", "backup-a1", "@backup", "@cluster-a", "role:backup",
                    "role:live",
                ],
            ),
            ("st", &["store-a1", "store-b1"]),
            ("@", &["@backup", "@cluster-a"]),
            ("role:l", &["role:live"]),
            ("store-a1,@c", &["store-a1,@cluster-a"]),
            ("@cluster-a,!b", &["@cluster-a,!backup-a1"]),
            ("nothing", &[]),
        ];
        for (typed, expected) in cases {
            let got: Vec<String> = selector_terms(&inv, typed).iter().map(value).collect();
            assert_eq!(got, *expected, "{typed:?}");
        }
    }

    #[test]
    fn global_options_are_read_wherever_they_are_typed() {
        let words = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        let cases: &[(&[&str], &str)] = &[
            (&["opsguard", "-i", "a.yaml", "exec", ""], "a.yaml"),
            (&["opsguard", "exec", "--inventory=b", "st"], "b"),
            (&["opsguard", "audit", "replay", "-i", "c", ""], "c"),
            (&["opsguard", "exec", "st"], "inventory"),
            (
                &["opsguard", "-q", "-v", "--color", "nonsense", "hosts", ""],
                "inventory",
            ),
        ];
        for (line, inventory) in cases {
            let g = globals(&words(line)).expect("globals");
            assert_eq!(
                g.inventory_path(),
                std::path::Path::new(inventory),
                "{line:?}"
            );
        }
        let g = globals(&words(&[
            "opsguard", "--audit-log", "x.jsonl", "audit", "show",
        ]))
        .unwrap();
        assert_eq!(
            g.audit_log.as_deref(),
            Some(std::path::Path::new("x.jsonl"))
        );
    }

    #[test]
    fn sessions_are_the_latest_first_and_pass_over_what_is_not_a_record() {
        let start = |id: &str, ts: &str| {
            format!(
                r#"{{"argv":["opsguard","exec","store-a1","--","df\u001b[2J"],"cwd":"/","event":"session.start","inventory":null,"session":"{id}","seq":1,"terminal":false,"ts":"{ts}","user":"alice","version":"0.1.0"}}"#
            )
        };
        let log = format!(
            "{}\nnot json\n{{\"event\":\"session.end\",\"session\":\"s1\"}}\n{}\n{}\n",
            start("s1", "2026-11-22T10:00:00Z"),
            start("s2", "2026-11-22T11:00:00Z"),
            // Not an id opsguard makes: never offered to the shell.
            start("s3$(touch pwned)", "2026-11-22T12:00:00Z")
        );
        let got = sessions(log.as_bytes());
        let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["s2", "s1"]);
        assert_eq!(
            got[0].1,
            "2026-11-22T11:00:00Z alice: exec store-a1 -- df [2J"
        );
    }
}
