//! The walk over one line: scripts into pipelines, pipelines into simple
//! commands, simple commands through their wrappers to the command that
//! runs, each judged once; findings and doubts are collected, each once.
//!
//! It tracks what the shell tracks where it changes what runs: `case`
//! patterns are data, `name() {` defines a function (its body is judged
//! where it stands), what a pipe or here-document feeds a shell is that
//! shell's script, and a redirection's target is written.

mod parts;
mod taint;

use std::collections::HashSet;

use super::lexer::{self, Op, Redir, Tok, Word};
use super::tools::{self, Judgement, Target};
use super::vars::assignment_doubt;
use super::wrappers::{self, Inner};
use super::{Doubt, Finding, MAX_DEPTH, Patterns, basename, is_assignment};
use parts::{RESERVED, Simple, Stdin, case_head, clip, empties, printed, shown, system_program};

/// The findings and doubts of `line`, in the order they were met.
pub fn walk(line: &str, patterns: &Patterns) -> (Vec<Finding>, Vec<Doubt>) {
    let mut w = Walker::new(patterns, false);
    w.script(line, 0);
    // Lines run under `sh`, which is dash on many hosts: where bash and a
    // POSIX shell read the line differently (`$'...'` is decoded by one
    // only), both readings are judged.
    if line.contains("$'") || line.contains("$\"") {
        let mut posix = Walker::new(patterns, true);
        posix.script(line, 0);
        for f in posix.findings {
            w.find(f.rule, f.reason, f.command);
        }
        for d in posix.doubts {
            w.doubt(d.command, d.reason);
        }
    }
    (w.findings, w.doubts)
}

struct Walker<'p> {
    patterns: &'p Patterns<'p>,
    findings: Vec<Finding>,
    seen_findings: HashSet<Finding>,
    doubts: Vec<Doubt>,
    seen_doubts: HashSet<Doubt>,
    /// A database client was found in the pipeline being walked.
    db_client: bool,
    /// Functions the line defines: their bodies are judged where they
    /// stand, so a call is no unknown command.
    functions: HashSet<String>,
    /// Read the line as a POSIX `sh` reads it ([`lexer::lex_as`]).
    posix: bool,
    /// The pipeline being walked stands where a function it defines is
    /// kept (see [`Walker::define`]).
    top_level: bool,
    /// Variables filled with text opsguard does not vouch for ([`taint`]).
    tainted: HashSet<String>,
}

impl<'p> Walker<'p> {
    fn new(patterns: &'p Patterns<'p>, posix: bool) -> Self {
        Walker {
            patterns,
            findings: Vec::new(),
            seen_findings: HashSet::new(),
            doubts: Vec::new(),
            seen_doubts: HashSet::new(),
            db_client: false,
            functions: HashSet::new(),
            posix,
            top_level: false,
            tainted: HashSet::new(),
        }
    }
}

impl Walker<'_> {
    fn find(&mut self, rule: &'static str, reason: impl Into<String>, command: String) {
        let f = Finding {
            rule,
            reason: reason.into(),
            command,
        };
        if self.seen_findings.insert(f.clone()) {
            self.findings.push(f);
        }
    }

    fn doubt(&mut self, command: String, reason: impl Into<String>) {
        let d = Doubt {
            command,
            reason: reason.into(),
        };
        if self.seen_doubts.insert(d.clone()) {
            self.doubts.push(d);
        }
    }

    fn script(&mut self, src: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.find(
                "shell.nesting",
                "commands nested too deep to follow; treated as destructive",
                clip(src),
            );
            return;
        }
        let lexed = match lexer::lex_as(src, self.posix) {
            Ok(l) => l,
            Err(e) => {
                self.find(
                    "shell.unreadable",
                    format!("cannot read the line as shell ({e}); treated as destructive"),
                    clip(src),
                );
                return;
            }
        };
        for sub in &lexed.subs {
            self.script(sub, depth + 1);
        }
        let toks = &lexed.toks;
        let mut pipeline: Vec<Simple> = Vec::new();
        let mut cur = Simple::default();
        // For each open `case`: reading its patterns (true) or a branch.
        let mut cases: Vec<bool> = Vec::new();
        // Where a function defined here is kept ([`keeps_definitions`]).
        let mut subshells = 0usize;
        let mut after: Option<Op> = None;
        let mut k = 0;
        while k < toks.len() {
            let in_patterns = cases.last() == Some(&true);
            match &toks[k] {
                Tok::Word(w) if in_patterns => {
                    if !w.quoted && w.text == "esac" {
                        cases.pop();
                    }
                }
                Tok::Word(w) if cur.words.is_empty() && !w.quoted && w.text == "esac" => {
                    cases.pop();
                }
                Tok::Word(w) => {
                    cur.words.push(w.clone());
                    if case_head(&cur.words) {
                        cur = Simple::default();
                        cases.push(true);
                    }
                }
                _ if in_patterns => {
                    // `a|b)`: a pattern list ends at its `)`.
                    if toks[k] == Tok::Op(Op::Close)
                        && let Some(top) = cases.last_mut()
                    {
                        *top = false;
                    }
                }
                Tok::Input { text, dynamic } => {
                    cur.inputs.push(text.clone());
                    cur.inputs_dynamic |= dynamic;
                }
                Tok::Redirect { kind, target } => match kind {
                    Redir::Read => cur.reads = Some(target.clone()),
                    _ => cur.writes.push((*kind, target.clone())),
                },
                Tok::Op(Op::Pipe) => pipeline.push(std::mem::take(&mut cur)),
                Tok::Op(Op::Open) if self.function_name(&cur, toks.get(k + 1)) => {
                    // `name() { ...; }`: a definition; the body follows.
                    let kept = keeps_definitions(depth, subshells, after, pipeline.len() + 1)
                        && !body_piped(toks, k + 2);
                    if let Some(name) = cur.words.last() {
                        self.define(&name.text.clone(), &shown(&cur.words), kept);
                    }
                    cur = Simple::default();
                    k += 2;
                    continue;
                }
                Tok::Op(op) => {
                    pipeline.push(std::mem::take(&mut cur));
                    self.top_level = keeps_definitions(depth, subshells, after, pipeline.len());
                    self.pipeline(std::mem::take(&mut pipeline), depth);
                    match op {
                        Op::Open => subshells += 1,
                        Op::Close => subshells = subshells.saturating_sub(1),
                        _ => {}
                    }
                    after = Some(*op);
                    if *op == Op::CaseEnd
                        && let Some(top) = cases.last_mut()
                    {
                        *top = true;
                    }
                }
            }
            k += 1;
        }
        pipeline.push(cur);
        self.top_level = keeps_definitions(depth, subshells, after, pipeline.len());
        self.pipeline(pipeline, depth);
    }

    /// A function definition. Calls of it are judged by its body when bash
    /// surely keeps it (`kept`: defined at the top of the line, not in a
    /// subshell, a substitution, a pipeline or after `&&`/`||`); otherwise
    /// a call is judged as the command of that name. One named like a
    /// command opsguard knows hides that command from the shell's own
    /// lookup only: `command rm`, `sudo rm`, `find -exec rm` and a later
    /// `unset -f rm` run the real one. Not known to be safe.
    fn define(&mut self, name: &str, text: &str, kept: bool) {
        if kept {
            self.functions.insert(name.to_string());
        }
        let known =
            tools::knows(name) || wrappers::inner(name, &[]).is_some() || RESERVED.contains(&name);
        if known {
            self.doubt(
                text.to_string(),
                format!("defines a function named like the command `{name}`; other lines and wrappers run the command itself"),
            );
        }
    }

    /// `name (` followed by `)`, or `function name (`.
    fn function_name(&self, cur: &Simple, next: Option<&Tok>) -> bool {
        let plain = |w: &Word| w.fixed() && !w.quoted;
        let named = match &cur.words[..] {
            [name] => plain(name),
            [f, name] => plain(f) && f.text == "function" && plain(name),
            _ => false,
        };
        named && next == Some(&Tok::Op(Op::Close))
    }

    fn pipeline(&mut self, cmds: Vec<Simple>, depth: usize) {
        self.db_client = false;
        for (i, cmd) in cmds.iter().enumerate() {
            let fed = (i > 0).then(|| printed(&cmds[i - 1]));
            let fed_text: Vec<String> = fed.clone().flatten().into_iter().collect();
            let stdin = if cmd.inputs_dynamic {
                Stdin::Dynamic
            } else if !cmd.inputs.is_empty() {
                Stdin::Known(&cmd.inputs)
            } else if let Some(f) = &cmd.reads {
                Stdin::File(f.text.clone())
            } else {
                match fed {
                    None => Stdin::Empty,
                    Some(Some(_)) => Stdin::Known(&fed_text),
                    Some(None) => Stdin::Pipe(shown(&cmds[i - 1].words)),
                }
            };
            self.redirects(cmd);
            self.command(&cmd.words, &stdin, depth);
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
                    if let Some(reason) = tools::database_statement(text) {
                        self.find("db.drop", reason, shown(&cmd.words));
                    }
                }
            }
        }
        self.db_client = false;
    }

    /// The files a command writes by redirection.
    fn redirects(&mut self, cmd: &Simple) {
        for (kind, target) in &cmd.writes {
            let t = &target.text;
            let op = match kind {
                Redir::Append => ">>",
                Redir::ReadOnOutput => "<",
                _ => ">",
            };
            let at = format!("{op} {t}");
            if *kind == Redir::ReadOnOutput {
                self.doubt(at, format!("opens `{t}` for reading where output goes; writing to `/dev/stdout` or `/dev/stderr` then empties it"));
                continue;
            }
            if !target.fixed() {
                self.doubt(at, format!("writes to `{t}`, which is only known when the shell runs (it may be a device)"));
                continue;
            }
            match tools::target(t) {
                Target::Harmless => {}
                Target::Destroys(rule, reason) => self.find(rule, reason, at),
                Target::Kernel => self.doubt(at, format!("writes `{t}`, a kernel setting")),
                Target::File if *kind == Redir::Truncate && empties(&cmd.words) => {
                    self.find("files.truncate", format!("`> {t}` empties the file"), at);
                }
                Target::File if *kind == Redir::Truncate => {
                    self.doubt(at, format!("`>` overwrites the file `{t}`"));
                }
                Target::File => self.doubt(at, format!("`>>` adds to the file `{t}`")),
            }
        }
    }

    fn command(&mut self, words: &[Word], stdin: &Stdin, depth: usize) {
        self.command_at(words, stdin, depth, true);
    }

    /// `shell`: the words stand where the shell itself runs a command,
    /// so they may call a function the line defines; a wrapper (`sudo`,
    /// `xargs`, `find -exec`) runs a program, never a function.
    fn command_at(&mut self, words: &[Word], stdin: &Stdin, depth: usize, shell: bool) {
        let mut i = 0;
        let mut assignments: Vec<&Word> = Vec::new();
        while let Some(w) = words.get(i) {
            let t = w.text.as_str();
            if !w.quoted && t == "coproc" {
                // `coproc NAME { ...; }`: NAME names it; the body follows.
                let named = words.get(i + 2).is_some_and(|b| !b.quoted && b.text == "{");
                i += if named { 2 } else { 1 };
                continue;
            }
            if !w.quoted && RESERVED.contains(&t) {
                i += 1;
                // bash's `time -p pipeline`
                while t == "time"
                    && words
                        .get(i)
                        .is_some_and(|w| matches!(w.text.as_str(), "-p" | "--"))
                {
                    i += 1;
                }
                continue;
            }
            if !w.quoted && t == "function" {
                if let Some(name) = words.get(i + 1) {
                    self.define(&name.text.clone(), &shown(words), self.top_level && shell);
                }
                i += 2;
                continue;
            }
            if is_assignment(w) {
                assignments.push(w);
                i += 1;
                continue;
            }
            break;
        }
        let words = &words[i.min(words.len())..];
        // Before a command, assignments are its environment; alone, they
        // set shell variables.
        for a in &assignments {
            if let Some(why) = assignment_doubt(a, !words.is_empty()) {
                let text = if words.is_empty() {
                    a.text.clone()
                } else {
                    shown(words)
                };
                self.doubt(text, why);
            }
        }
        // What this command evaluates as code, then what it fills.
        let evaluated = if self.tainted.is_empty() {
            Vec::new()
        } else {
            taint::evaluated(words, &assignments)
        };
        if let Some(name) = evaluated.iter().find(|n| self.tainted.contains(*n)) {
            self.doubt(
                shown(words),
                format!("evaluates `{name}`, which holds text the line read or built; a command substitution in it would run"),
            );
        }
        let (dirty, clean) = taint::filled(words, &assignments, &self.tainted);
        for name in clean {
            self.tainted.remove(&name);
        }
        self.tainted.extend(dirty);
        let Some(first) = words.first() else {
            return;
        };
        if !first.quoted && matches!(first.text.as_str(), "for" | "select" | "case") {
            // The head of a loop or case is data; its substitutions were
            // judged with the script.
            return;
        }
        let text = shown(words);
        if depth > MAX_DEPTH {
            self.find(
                "shell.nesting", "commands nested too deep to follow; treated as destructive", text,
            );
            return;
        }
        self.site_patterns(words, &text);
        if !first.fixed() {
            self.find(
                "shell.dynamic",
                format!("the command name `{}` is only known when the shell runs; treated as destructive", first.text),
                text,
            );
            return;
        }
        if !first.quoted && first.text == "((" && first.holds_code {
            self.doubt(
                text.clone(),
                "the arithmetic evaluates text that may hold a command substitution",
            );
        }
        if !first.quoted && first.text == "unset" {
            // `unset -f NAME` (or `unset NAME` with no such variable):
            // the command of that name runs again.
            for a in &words[1..] {
                self.functions.remove(&a.text);
            }
        }
        if shell && self.functions.contains(&first.text) {
            // Its body was judged where the line defines it.
            return;
        }
        let name = basename(&first.text);
        let args = &words[1..];
        if let Some(w) = wrappers::inner(name, args) {
            for inner in w.inner {
                self.inner(name, args, inner, stdin, &text, depth);
            }
            self.judged(w.own, words, &text);
            return;
        }
        if tools::is_database_client(name) {
            self.db_client = true;
        }
        // An init script is judged by its path; any other program by its
        // name, and only as the system's own.
        let (judgement, system) = match tools::init_script(&first.text, args) {
            Some(j) => (j, true),
            None => (tools::judge(name, args), system_program(&first.text)),
        };
        let judgement = match judgement {
            Judgement::Safe if !system => Judgement::Unknown(format!(
                "`{}` is a program of that name outside the system's folders, not the system's `{name}`",
                first.text
            )),
            j => j,
        };
        self.judged(judgement, words, &text);
    }

    fn inner(
        &mut self,
        name: &str,
        args: &[Word],
        inner: Inner,
        stdin: &Stdin,
        text: &str,
        depth: usize,
    ) {
        match inner {
            Inner::Words(start) => {
                self.command_at(&args[start.min(args.len())..], stdin, depth + 1, false);
            }
            Inner::WordsAndInput(start) => {
                let mut words = args[start.min(args.len())..].to_vec();
                words.push(Word {
                    dynamic: true,
                    ..Word::plain("<input>")
                });
                self.command_at(&words, &Stdin::Empty, depth + 1, false);
            }
            Inner::Range(a, b) => self.command_at(&args[a..b], &Stdin::Empty, depth + 1, false),
            Inner::Script(src) => self.script(&src, depth + 1),
            Inner::File(file) => self.doubt(
                text.to_string(),
                format!("runs the script `{file}`, which opsguard cannot see into"),
            ),
            Inner::Stdin => match stdin {
                Stdin::Known(inputs) => {
                    for input in *inputs {
                        self.script(input, depth + 1);
                    }
                }
                Stdin::Pipe(from) => self.find(
                    "shell.stdin",
                    format!("`{name}` runs the commands that `{from}` prints, which opsguard cannot see; treated as destructive"),
                    text.to_string(),
                ),
                Stdin::Dynamic => self.find(
                    "shell.stdin",
                    format!("`{name}` runs a here-document or here-string whose text is only known when the shell runs; treated as destructive"),
                    text.to_string(),
                ),
                Stdin::File(file) => self.doubt(
                    text.to_string(),
                    format!("`{name}` runs the commands in the file `{file}`, which opsguard cannot see into"),
                ),
                Stdin::Empty => self.doubt(text.to_string(), format!("`{name}` runs the commands it reads from its input")),
            },
        }
    }

    fn judged(&mut self, judgement: Judgement, words: &[Word], text: &str) {
        match judgement {
            Judgement::Safe => {}
            Judgement::Destructive(rule, reason) => self.find(rule, reason, text.to_string()),
            Judgement::Unknown(reason) => {
                if self.matches(self.patterns.safe, words, text).is_none() {
                    self.doubt(text.to_string(), reason);
                }
            }
        }
    }

    /// Any of `patterns` matches the command as written or with its
    /// program's path stripped (`/usr/local/bin/storctl x` as `storctl x`).
    fn matches(&self, patterns: &[String], words: &[Word], text: &str) -> Option<String> {
        let mut base = String::from(basename(&words[0].text));
        for w in &words[1..] {
            base.push(' ');
            base.push_str(&w.text);
        }
        patterns
            .iter()
            .find(|p| crate::glob::matches(p, text) || crate::glob::matches(p, &base))
            .cloned()
    }

    fn site_patterns(&mut self, words: &[Word], text: &str) {
        if let Some(p) = self.matches(self.patterns.destructive, words, text) {
            self.find(
                "site.pattern",
                format!("matches the site's destructive pattern `{p}`"),
                text.to_string(),
            );
        }
    }
}

/// A function defined by a pipeline of `members` commands, at `depth`,
/// inside `subshells` parentheses, after the operator `after`, is kept by
/// bash for the rest of the line: not in a substitution, a subshell, a
/// pipeline, or after `&&`/`||`.
fn keeps_definitions(depth: usize, subshells: usize, after: Option<Op>, members: usize) -> bool {
    depth == 0 && subshells == 0 && members == 1 && !matches!(after, Some(Op::And | Op::Or))
}

/// The function body starting at `toks[at]` (`{ ...; }` or `( ... )`) is
/// followed by a pipe, which runs the definition in a subshell.
fn body_piped(toks: &[Tok], at: usize) -> bool {
    let word = |t: &Tok, w: &str| matches!(t, Tok::Word(x) if !x.quoted && x.text == w);
    let braces = match toks.get(at) {
        Some(t) if word(t, "{") => true,
        Some(Tok::Op(Op::Open)) => false,
        _ => return false,
    };
    let opens = |t: &Tok| {
        if braces {
            word(t, "{")
        } else {
            *t == Tok::Op(Op::Open)
        }
    };
    let closes = |t: &Tok| {
        if braces {
            word(t, "}")
        } else {
            *t == Tok::Op(Op::Close)
        }
    };
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(at) {
        if opens(t) {
            depth += 1;
        } else if closes(t) {
            depth -= 1;
            if depth == 0 {
                return toks.get(i + 1) == Some(&Tok::Op(Op::Pipe));
            }
        }
    }
    false
}
