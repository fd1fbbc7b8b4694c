//! Is a command destructive, and why.
//!
//! The classifier reads a command line as the shell would, finds every
//! command position (after `;`, `&&`, `||`, `|`, inside `$(...)`, behind
//! `sudo`, `env`, `timeout`, `xargs`, `find -exec`, `sh -c`, `ssh HOST`,
//! ...) and checks the command found there against the rules in `rules/`.
//! Words that are data (`grep mkfs notes`, `echo "rm -rf /"`) are never
//! taken for commands.
//!
//! It is pure and must err one way only: when it cannot tell (a line it
//! cannot parse, a command name only known at run time, nesting too deep),
//! the answer is "destructive". A false alarm costs a typed role; a miss
//! can cost a live system.

mod lexer;
mod rules;
mod wrappers;

#[cfg(test)]
mod tests;

use lexer::{Op, Tok, Word};
use serde::Serialize;

/// Why a command counts as destructive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `disk.mkfs`, `power.systemctl`.
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub command: String,
    pub destructive: bool,
    pub rules: Vec<Finding>,
}

/// How deep `sh -c "sudo sh -c '...'"` may nest before the classifier gives
/// up and calls it destructive.
const MAX_DEPTH: usize = 12;

/// Classify one shell line. `patterns` are the inventory's
/// `destructive_patterns`, matched against each simple command.
pub fn classify(line: &str, patterns: &[String]) -> Classification {
    let mut w = Walker {
        patterns,
        findings: Vec::new(),
        db_client: false,
    };
    w.script(line, 0);
    let mut rules: Vec<Finding> = Vec::new();
    for f in w.findings {
        if !rules.contains(&f) {
            rules.push(f);
        }
    }
    Classification {
        command: line.to_string(),
        destructive: !rules.is_empty(),
        rules,
    }
}

/// One command of a pipeline: its words, and what is fed to its stdin.
#[derive(Default)]
struct Simple {
    words: Vec<Word>,
    inputs: Vec<String>,
}

struct Walker<'p> {
    patterns: &'p [String],
    findings: Vec<Finding>,
    /// A database client was found in the pipeline being walked.
    db_client: bool,
}

fn shown(words: &[Word]) -> String {
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > 160 {
        text.chars().take(157).collect::<String>() + "..."
    } else {
        text
    }
}

pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

const RESERVED: &[&str] = &[
    "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time",
    "coproc",
];

fn is_assignment(w: &Word) -> bool {
    match w.text.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
        }
        None => false,
    }
}

impl Walker<'_> {
    fn find(&mut self, rule: &'static str, reason: impl Into<String>, command: String) {
        self.findings.push(Finding {
            rule,
            reason: reason.into(),
            command,
        });
    }

    fn script(&mut self, src: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.find(
                "shell.nesting",
                "commands nested too deep to follow; treated as destructive",
                src.to_string(),
            );
            return;
        }
        let lexed = match lexer::lex(src) {
            Ok(l) => l,
            Err(e) => {
                self.find(
                    "shell.unreadable",
                    format!("cannot read the line as shell ({e}); treated as destructive"),
                    src.to_string(),
                );
                return;
            }
        };
        for sub in &lexed.subs {
            self.script(sub, depth + 1);
        }
        let mut pipeline: Vec<Simple> = Vec::new();
        let mut current = Simple::default();
        for tok in lexed.toks {
            match tok {
                Tok::Word(w) => current.words.push(w),
                Tok::Input(text) => current.inputs.push(text),
                Tok::Redirect { write, target } => {
                    if write && let Some(reason) = rules::device_target(&target.text) {
                        self.find("disk.redirect", reason, format!("> {}", target.text));
                    }
                }
                Tok::Op(Op::Pipe) => pipeline.push(std::mem::take(&mut current)),
                Tok::Op(_) => {
                    pipeline.push(std::mem::take(&mut current));
                    self.pipeline(std::mem::take(&mut pipeline), depth);
                }
            }
        }
        pipeline.push(current);
        self.pipeline(pipeline, depth);
    }

    fn pipeline(&mut self, cmds: Vec<Simple>, depth: usize) {
        self.db_client = false;
        for cmd in &cmds {
            self.simple(&cmd.words, &cmd.inputs, depth);
        }
        // SQL is data to the shell but commands to the database it is fed
        // to, by argument, here-document or pipe.
        if self.db_client {
            for cmd in &cmds {
                let texts = cmd
                    .words
                    .iter()
                    .map(|w| w.text.as_str())
                    .chain(cmd.inputs.iter().map(String::as_str));
                for text in texts {
                    if let Some(reason) = rules::database_statement(text) {
                        self.find("db.drop", reason, shown(&cmd.words));
                    }
                }
            }
        }
        self.db_client = false;
    }

    fn simple(&mut self, words: &[Word], inputs: &[String], depth: usize) {
        let mut i = 0;
        while i < words.len()
            && ((!words[i].quoted && RESERVED.contains(&words[i].text.as_str()))
                || is_assignment(&words[i]))
        {
            i += 1;
        }
        let Some(first) = words.get(i) else {
            return;
        };
        if !first.quoted && matches!(first.text.as_str(), "for" | "case" | "select" | "function") {
            return;
        }
        let words = &words[i..];
        let text = shown(words);
        if first.dynamic {
            self.find(
                "shell.dynamic",
                format!("the command name `{}` is only known when the shell runs; treated as destructive", first.text),
                text.clone(),
            );
        }
        self.site_patterns(words, &text);
        if depth > MAX_DEPTH {
            self.find(
                "shell.nesting", "commands nested too deep to follow; treated as destructive", text,
            );
            return;
        }
        let name = basename(&first.text);
        let args = &words[1..];
        for inner in wrappers::inner(name, args) {
            match inner {
                wrappers::Inner::Words(start) => self.simple(&args[start..], inputs, depth + 1),
                wrappers::Inner::Range(start, end) => {
                    self.simple(&args[start..end], &[], depth + 1)
                }
                wrappers::Inner::Script(src) => self.script(&src, depth + 1),
                wrappers::Inner::Stdin => {
                    for input in inputs {
                        self.script(input, depth + 1);
                    }
                }
            }
        }
        if rules::is_database_client(name) {
            self.db_client = true;
        }
        let init = rules::init_script(&first.text, args);
        for (rule, reason) in rules::check(name, args).into_iter().chain(init) {
            self.find(rule, reason, text.clone());
        }
    }

    fn site_patterns(&mut self, words: &[Word], text: &str) {
        let mut base = String::from(basename(&words[0].text));
        for w in &words[1..] {
            base.push(' ');
            base.push_str(&w.text);
        }
        for p in self.patterns {
            if crate::glob::matches(p, text) || crate::glob::matches(p, &base) {
                self.find(
                    "site.pattern",
                    format!("matches the site's destructive pattern `{p}`"),
                    text.to_string(),
                );
            }
        }
    }
}
