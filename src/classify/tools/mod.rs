//! What one command does, judged by its name and its parsed options: known
//! read-only ([`Judgement::Safe`]), destructive by a named rule, or not
//! known to be safe.
//!
//! Each family owns its tools, both sides at once: the read-only forms
//! that make up the allowlist and the destructive forms with their rule
//! id and reason. A tool no family knows, and a form of a known tool that
//! is neither listed as read-only nor destructive, is
//! [`Judgement::Unknown`]: the allowlist decides what is safe, never the
//! absence of a rule.

mod awk;
mod btrfs;
mod builtins;
mod ceph;
mod cluster;
mod containers;
mod database;
mod disk;
mod exports;
mod files;
mod filesystems;
mod firewall;
mod git;
mod iproute2;
mod mail;
mod network;
mod options;
mod partitions;
mod readonly;
mod remote;
mod service;
mod system;
mod text;
mod volume;

use super::args::{Parsed, Spec, parse};
use super::lexer::Word;

pub use database::{database_statement, is_database_client};
pub use disk::{Target, normal, target, write_target};

/// What a command does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Known to only read.
    Safe,
    /// Neither known read-only nor matched by a rule: why not.
    Unknown(String),
    /// A rule matched: its id and why.
    Destructive(&'static str, String),
}

pub(super) fn unknown(reason: impl Into<String>) -> Judgement {
    Judgement::Unknown(reason.into())
}

pub(super) fn destroys(rule: &'static str, reason: impl Into<String>) -> Judgement {
    Judgement::Destructive(rule, reason.into())
}

/// One family's judge: `None` when the tool is not one of its own.
type Family = fn(&str, &[Word]) -> Option<Judgement>;

/// The judgement of `name` (a basename) with `args`.
pub fn judge(name: &str, args: &[Word]) -> Judgement {
    families()
        .iter()
        .find_map(|f| f(name, args))
        .unwrap_or_else(|| {
            unknown(format!(
                "`{name}` is not a command opsguard knows to be read-only"
            ))
        })
}

/// Some family judges `name`: a function of that name hides a command
/// opsguard knows.
pub fn knows(name: &str) -> bool {
    families().iter().any(|f| f(name, &[]).is_some())
}

fn families() -> [Family; 19] {
    [
        builtins::judge,
        readonly::judge,
        options::judge,
        files::judge,
        text::judge,
        disk::judge,
        filesystems::judge,
        volume::judge,
        ceph::judge,
        service::judge,
        system::judge,
        mail::judge,
        cluster::judge,
        exports::judge,
        containers::judge,
        network::judge,
        firewall::judge,
        remote::judge,
        database::judge,
    ]
}

/// `/etc/init.d/NAME ACTION`: the path matters, not just its last part.
pub fn init_script(path: &str, args: &[Word]) -> Option<Judgement> {
    if !path.starts_with("/etc/init.d/") && !path.starts_with("/etc/rc.d/init.d/") {
        return None;
    }
    let action = args.first().map(|w| w.text.as_str());
    Some(service::service_action(path, action, args))
}

/// A tool whose first operands name what it does (`ceph osd pool ls`,
/// `docker rm`): its options, its read-only commands and its destructive
/// ones. Paths are operand words separated by spaces, `*` for any one
/// word, a final `$` for "and nothing after"; `""` is the tool with no
/// command at all.
pub(super) struct Commands {
    pub tool: &'static str,
    pub spec: Spec,
    pub safe: &'static [&'static str],
    /// Path, rule id, and what it does (after "`tool path` ").
    pub destructive: &'static [(&'static str, &'static str, &'static str)],
    /// Options that write a file, run a command or change something in
    /// any form (`ceph -o FILE`), and what they do: never safe.
    pub writes: &'static [(&'static str, &'static str)],
}

impl Commands {
    pub fn judge(&self, args: &[Word]) -> Judgement {
        let p = parse(args, &self.spec);
        self.judge_parsed(&p)
    }

    pub fn judge_parsed(&self, p: &Parsed) -> Judgement {
        let ops: Vec<&str> = p.operands.iter().map(String::as_str).collect();
        // `*` in a path stands for any one word (`pg * query`); a path
        // ending in `$` takes no more words (`property$`: `pcs property`
        // lists, `pcs property set ...` does not).
        let starts = |path: &str| {
            let (path, exact) = match path.strip_suffix('$') {
                Some(p) => (p, true),
                None => (path, false),
            };
            let want: Vec<&str> = path.split_whitespace().collect();
            (ops.len() == want.len() || !exact && ops.len() > want.len())
                && want.iter().zip(&ops).all(|(w, o)| *w == "*" || w == o)
        };
        if let Some((path, rule, what)) = self.destructive.iter().find(|(path, ..)| starts(path)) {
            return destroys(rule, format!("`{} {path}` {what}", self.tool));
        }
        let shown = || {
            let n = ops.len().min(3);
            let mut s = self.tool.to_string();
            for o in &ops[..n] {
                s.push(' ');
                s.push_str(o);
            }
            s
        };
        if p.dynamic {
            return unknown(format!(
                "`{}` has words only known when the shell runs; they may change what it does",
                shown()
            ));
        }
        if let Some((o, what)) = self.writes.iter().find(|(o, _)| p.has(&[o])) {
            return unknown(format!("`{} {o}` {what}", self.tool));
        }
        // An option the spec does not have may take a value, shifting the
        // command words, or may write: the form is not known.
        if let Some(o) = p.strange.first() {
            return unknown(format!(
                "`{} {o}`: an option opsguard does not know for `{}`",
                self.tool, self.tool
            ));
        }
        let known = self.safe.iter().any(|path| {
            if path.is_empty() {
                ops.is_empty()
            } else {
                starts(path)
            }
        });
        if known {
            Judgement::Safe
        } else {
            unknown(format!(
                "`{}` is not a form of `{}` opsguard knows to be read-only",
                shown(),
                self.tool
            ))
        }
    }
}

/// Safe when every option is one of `allowed` and nothing is dynamic;
/// otherwise not known, naming the options that are not.
pub(super) fn only_options(tool: &str, p: &Parsed, allowed: &[&str]) -> Judgement {
    if p.only(allowed) {
        return Judgement::Safe;
    }
    if p.dynamic {
        return unknown(format!(
            "`{tool}` has words only known when the shell runs; they may be options that write"
        ));
    }
    unknown(format!(
        "`{tool} {}` is not a form opsguard knows to be read-only",
        p.others(allowed).join(" ")
    ))
}

/// The name among `names` that `word` stands for: itself, or the only
/// name it is a prefix of (btrfs, ip and nmcli take abbreviations).
pub(super) fn prefixed<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    word: &str,
) -> Option<&'a str> {
    if let Some(exact) = names.clone().find(|n| *n == word) {
        return Some(exact);
    }
    let mut found = names.filter(|n| n.starts_with(word));
    match (found.next(), found.next()) {
        (Some(one), None) if !word.is_empty() => Some(one),
        _ => None,
    }
}
