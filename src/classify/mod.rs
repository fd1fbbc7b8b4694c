//! Is a command known to be safe, destructive, or neither, and why.
//!
//! The classifier reads a command line as bash would, finds every command
//! position (after `;`, `&&`, `||`, `|`, inside `$(...)` and `${...}`,
//! behind `sudo`, `env`, `timeout`, `xargs`, `find -exec`, `sh -c`, `ssh
//! HOST`, `trap`, ...) and judges the command found there by its parsed
//! options (the families in `tools/`). Words that are data (`grep mkfs
//! notes`, `echo "rm -rf /"`) are never taken for commands.
//!
//! It answers one of three verdicts, and fails closed by construction:
//! **safe** only when every command on the line is on the allowlist of
//! read-only tools and forms (or the site's `safe_patterns`);
//! **destructive** when a rule matched, naming the rule; **unknown** for
//! everything else. Nothing is safe for lack of a rule. When it cannot
//! read the line (unparseable, a command name only known at run time,
//! nesting too deep, a shell fed input it cannot see) the answer is
//! destructive. It is pure: no file, no network, no clock.

mod args;
mod find;
mod lexer;
mod tools;
mod vars;
mod walk;
mod wrappers;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// Why a command counts as destructive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `disk.mkfs`, `service.systemctl`.
    pub rule: &'static str,
    pub reason: String,
    /// The simple command the rule matched, as words joined by spaces.
    pub command: String,
}

/// `files.rm: `rm -rf` removes files ...`: the rule and why.
impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.reason)
    }
}

/// A command that is not known to be safe, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Doubt {
    /// The simple command, as words joined by spaces.
    pub command: String,
    pub reason: String,
}

impl std::fmt::Display for Doubt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.command, self.reason)
    }
}

/// The three answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every command on the line is known to only read.
    Safe,
    /// A rule matched.
    Destructive,
    /// Not known to be safe, and no rule matched.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Destructive => "destructive",
            Verdict::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub command: String,
    pub verdict: Verdict,
    /// True only for the verdict `destructive`.
    pub destructive: bool,
    /// The destructive rules that matched.
    pub rules: Vec<Finding>,
    /// The commands not known to be safe (when no rule matched, these make
    /// the verdict `unknown`).
    pub unknown: Vec<Doubt>,
}

impl Classification {
    /// One line saying why: the rules, else the doubts, at most `n` of each.
    pub fn why(&self, n: usize) -> String {
        let mut parts: Vec<String> = if self.destructive {
            self.rules.iter().take(n).map(ToString::to_string).collect()
        } else {
            self.unknown
                .iter()
                .take(n)
                .map(|d| format!("not known to be safe: {d}"))
                .collect()
        };
        let total = if self.destructive {
            self.rules.len()
        } else {
            self.unknown.len()
        };
        if total > n {
            parts.push(format!("and {} more", total - n));
        }
        parts.join("; ")
    }
}

/// The inventory's own patterns: `destructive_patterns` make a command
/// destructive, `safe_patterns` declare site tools read-only. Both are
/// globs matched against each simple command; destructive ones win.
#[derive(Clone, Copy, Debug, Default)]
pub struct Patterns<'a> {
    pub destructive: &'a [String],
    pub safe: &'a [String],
}

/// How deep `sh -c "sudo sh -c '...'"` may nest before the classifier gives
/// up and calls it destructive.
const MAX_DEPTH: usize = 12;

/// Classify one shell line against the site's patterns.
pub fn classify(line: &str, patterns: &Patterns) -> Classification {
    let (rules, unknown) = walk::walk(line, patterns);
    let verdict = if !rules.is_empty() {
        Verdict::Destructive
    } else if !unknown.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Safe
    };
    Classification {
        command: line.to_string(),
        verdict,
        destructive: verdict == Verdict::Destructive,
        rules,
        unknown,
    }
}

pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// `NAME=value` (also `NAME+=value`), as the shell takes it before a
/// command.
fn is_assignment(w: &lexer::Word) -> bool {
    match w.text.split_once('=') {
        Some((name, _)) => {
            let name = name.strip_suffix('+').unwrap_or(name);
            name.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}
