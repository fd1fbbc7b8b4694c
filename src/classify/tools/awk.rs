//! awk programs, read as the awks read them: `system()`, a pipe to or
//! from a command, `print >`/`>>`, `getline` from a command or a file,
//! `@include` and code-loading options make a program not known to be
//! safe. Where a `/` divides or starts a regex, both readings are checked;
//! where the awks disagree on where a string, a regex or a bracket ends,
//! the program is not known.

use super::text::{End, bracket_end};
use super::{Judgement, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub(super) const AWK: Spec = Spec::new(
    "fvFeEilW",
    &[
        "file=", "assign=", "field-separator=", "source=", "exec=", "include=", "load=",
        "profile?", "dump-variables?", "debug?", "pretty-print?", "sandbox", "posix",
        "traditional", "re-interval", "characters-as-bytes", "lint?", "lint-old",
        "non-decimal-data", "optimize", "no-optimize", "bignum", "use-lc-numeric", "csv",
        "gen-pot", "persist?", "help", "version", "copyright",
    ],
);

/// Options of gawk, mawk and busybox awk that neither load code nor write.
pub(super) const AWK_READS: &[&str] = &[
    "-F", "--field-separator", "-v", "--assign", "-e", "--source", "-b", "--characters-as-bytes",
    "-c", "--traditional", "-P", "--posix", "-r", "--re-interval", "-n", "--non-decimal-data",
    "-N", "--use-lc-numeric", "-O", "--optimize", "-s", "--no-optimize", "-M", "--bignum", "-S",
    "--sandbox", "-k", "--csv", "-t", "--lint-old", "--lint", "-h", "--help", "-V", "--version",
    "-C", "--copyright",
];

/// Options that load a program or write a file, and what they do.
pub(super) const AWK_WRITES: &[(&[&str], &str)] = &[
    (
        &["-f", "--file", "-E", "--exec"],
        "runs a program from a file opsguard cannot see",
    ),
    (
        &["-i", "--include", "-l", "--load"],
        "loads code or an extension (`-i inplace` edits files)",
    ),
    (
        &["-W"],
        "takes an implementation option (`mawk -W exec FILE` runs a program file)",
    ),
    (
        &[
            "-d", "--dump-variables", "-p", "--profile", "-o", "--pretty-print", "-D", "--debug",
        ],
        "writes a file or starts the debugger",
    ),
];

pub fn judge(name: &str, args: &[Word]) -> Judgement {
    // Every option, wherever it stands (busybox reads options after the
    // program); gawk and mawk stop at the program text.
    let p = parse(args, &AWK);
    if let Some((o, what)) = AWK_WRITES
        .iter()
        .find_map(|(names, what)| p.get(names).map(|o| (o, what)))
    {
        return unknown(format!("`{name} {}` {what}", o.name));
    }
    if !p.only(AWK_READS) {
        return only_options(name, &p, AWK_READS);
    }
    let sources: Vec<&str> = p
        .opts
        .iter()
        .filter(|o| o.name == "-e" || o.name == "--source")
        .filter_map(|o| o.value.as_deref())
        .collect();
    let first = parse(args, &AWK.posix());
    let program = (!first.has(&["-e", "--source"]))
        .then(|| first.operands.first().map(String::as_str))
        .flatten();
    let joined = sources.join("\n");
    let texts = sources
        .iter()
        .copied()
        .chain(program)
        .chain((sources.len() > 1).then_some(joined.as_str()));
    for text in texts {
        if let Some(what) = awk_writes(text) {
            return unknown(format!("the `{name}` program {what}"));
        }
    }
    Judgement::Safe
}

/// Why an awk program is not known to only read and print: it runs a
/// command (`system`, a pipe), writes a file (`print > f`), loads code
/// (`@include`), or opsguard cannot tell its strings, regexes and comments
/// from its code. Each way awk may read it is checked.
pub(super) fn awk_writes(program: &str) -> Option<&'static str> {
    let readings = match awk_readings(program) {
        Ok(readings) if !readings.is_empty() => readings,
        Ok(_) => return Some("does not compile the way opsguard reads it"),
        Err(why) => return Some(why),
    };
    readings.iter().find_map(|code| {
        if code.contains("system") {
            Some("runs a command (`system`)")
        } else if code.contains('@') {
            Some("loads code or calls a function by name (`@`)")
        } else if code.replace("||", "").contains('|') {
            Some("pipes to or from a command")
        } else if print_redirects(code) {
            Some("writes a file (`print >`)")
        } else {
            None
        }
    })
}

/// At most this many `/` are read both ways in one program.
pub(super) const AWK_MAX_FORKS: usize = 64;

/// After these an operand must follow, so a `/` starts a regex: it cannot
/// divide. A newline ends a statement (a backslash before it does not).
pub(super) const OPERAND_NEXT: &str = "\n(,{};[!~&|<>=*%^?:";

/// The ways awk may read `program`, each as its code with strings, regexes
/// and comments blanked. A `/` where an operand is expected starts a
/// regex; after an operand (`a / b`, `"4" / 2`, `x++ / 2`) it divides, or
/// after `)` or a keyword it may start one (`if (x) /re/`, `print /re/`):
/// both readings are kept. A reading whose string or regex runs past its
/// line does not compile, and is dropped.
pub(super) fn awk_readings(program: &str) -> Result<Vec<String>, &'static str> {
    let cs: Vec<char> = program.chars().collect();
    let mut done = Vec::new();
    let mut todo = vec![(0, String::new(), true)];
    let mut forks = 0;
    'reading: while let Some((mut i, mut code, mut regex_here)) = todo.pop() {
        while let Some(&c) = cs.get(i) {
            match c {
                '"' => match awk_string_end(&cs, i + 1) {
                    Some(end) => {
                        code.push(' ');
                        (i, regex_here) = (end, false);
                        continue;
                    }
                    None => continue 'reading,
                },
                '#' => {
                    while cs.get(i).is_some_and(|&c| c != '\n') {
                        i += 1;
                    }
                    continue;
                }
                '\\' if cs.get(i + 1) == Some(&'\n') => {
                    code.push(' ');
                    i += 2;
                    continue;
                }
                '/' => {
                    let regex = awk_regex_end(&cs, i + 1);
                    if regex == End::Unsure {
                        return Err("has a regex whose end awks read differently");
                    }
                    if regex_here {
                        let End::At(end) = regex else {
                            continue 'reading;
                        };
                        code.push(' ');
                        (i, regex_here) = (end, false);
                        continue;
                    }
                    if let End::At(end) = regex {
                        forks += 1;
                        if forks > AWK_MAX_FORKS {
                            return Err("has too many `/` to read each both ways");
                        }
                        todo.push((end, format!("{code} "), false));
                    }
                    code.push('/');
                    (i, regex_here) = (i + 1, true);
                    continue;
                }
                _ => {}
            }
            code.push(c);
            if !matches!(c, ' ' | '\t' | '\r') {
                regex_here = OPERAND_NEXT.contains(c);
            }
            i += 1;
        }
        done.push(code);
    }
    Ok(done)
}

/// Past the `"` closing a string that starts at `i`; `None` when it runs
/// past its line.
pub(super) fn awk_string_end(cs: &[char], mut i: usize) -> Option<usize> {
    while let Some(&c) = cs.get(i) {
        i += 1;
        match c {
            '"' => return Some(i),
            '\n' => return None,
            '\\' => {
                cs.get(i)?;
                i += 1;
            }
            _ => {}
        }
    }
    None
}

/// Where a regex that starts at `i` ends.
pub(super) fn awk_regex_end(cs: &[char], mut i: usize) -> End {
    while let Some(&c) = cs.get(i) {
        i += 1;
        match c {
            '/' => return End::At(i),
            '\n' => return End::Open,
            '\\' if i < cs.len() => i += 1,
            '[' => match bracket_end(cs, i, true) {
                End::At(end) => i = end,
                other => return other,
            },
            _ => {}
        }
    }
    End::Open
}

/// `print ... > file`: in a `print` or `printf` statement, a `>` outside
/// parentheses is a redirection. The statement ends at `;`, `}` or a
/// newline that does not continue it (after `,`, `&&`, `||`, `?`, `:`).
pub(super) fn print_redirects(code: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(at) = code[from..].find("print").map(|at| at + from) {
        from = at + 5;
        let mut rest = &code[from..];
        if rest.starts_with('f') {
            rest = &rest[1..];
        }
        let keyword = !code[..at].ends_with(ident) && !rest.starts_with(ident);
        if !keyword {
            continue;
        }
        let mut depth = 0;
        let mut last = ' ';
        for c in rest.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                '>' if depth <= 0 => return true,
                ';' | '}' if depth <= 0 => break,
                '\n' if depth <= 0 && !matches!(last, ',' | '&' | '|' | '?' | ':') => break,
                _ => {}
            }
            if !c.is_whitespace() {
                last = c;
            }
        }
    }
    false
}
