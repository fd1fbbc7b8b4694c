//! Text tools whose programs can write: `sed` (with `-i`, or a `w` or `e`
//! command) and `awk` (with `system()`, a pipe or `print >`). Read as
//! their parsers read them; without those, they only read. A program
//! opsguard cannot read the way they do (where a label, a text, a string,
//! a regex or a comment ends) is not known to be safe.

use super::{Judgement, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "sed" => sed(args),
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => awk(name, args),
        _ => return None,
    })
}

fn sed(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "efl",
            &[
                "expression=", "file=", "line-length=", "in-place?", "quiet", "silent",
                "regexp-extended", "null-data", "zero-terminated", "separate", "unbuffered",
                "posix", "sandbox", "debug", "follow-symlinks", "binary", "help", "version",
            ],
        ),
    );
    if p.has(&["-i", "--in-place"]) {
        return unknown("`sed -i` edits the files in place");
    }
    if p.has(&["-f", "--file"]) {
        return unknown("`sed -f` runs a script from a file opsguard cannot see");
    }
    if p.dynamic {
        return unknown(
            "`sed` has words only known when the shell runs; they may be `-i` or a script that writes",
        );
    }
    if let Some(o) = p.strange.first() {
        return unknown(format!("`sed {o}`: an option opsguard does not know"));
    }
    // sed ends each `-e` with a newline: text after `a` that ends in a
    // backslash goes on into the next one.
    let pieces: Vec<&str> = p
        .opts
        .iter()
        .filter(|o| o.name == "-e" || o.name == "--expression")
        .filter_map(|o| o.value.as_deref())
        .collect();
    let script = if pieces.is_empty() {
        p.operand(0).to_string()
    } else {
        pieces.join("\n")
    };
    match sed_writes(&script) {
        Some(what) => unknown(format!("the `sed` script {what}")),
        None => Judgement::Safe,
    }
}

/// Why a sed script is not known to only print: it writes a file (`w`,
/// `W`, `s///w`), runs a command (`e`, `s///e`), or is not one sed would
/// compile as opsguard reads it. Read as GNU sed's compiler reads it: a
/// label ends at a blank, `;`, `}` or `#`; text after `a`, `i`, `c` runs
/// to a newline no backslash escapes; a regex holds bracket expressions.
fn sed_writes(script: &str) -> Option<&'static str> {
    const UNREADABLE: &str = "is not one opsguard can read";
    let cs: Vec<char> = script.chars().collect();
    let mut i = 0;
    while let Some(&c) = cs.get(i) {
        i += 1;
        match c {
            ' '
            | '\t'
            | '\n'
            | '\r'
            | '\x0b'
            | '\x0c'
            | ';'
            | '{'
            | '}'
            | '!'
            | ','
            | '$'
            | '~'
            | '+'
            | '0'..='9'
            | 'I'
            | 'M' => {}
            '=' | 'd' | 'D' | 'F' | 'g' | 'G' | 'h' | 'H' | 'n' | 'N' | 'p' | 'P' | 'z' | 'x'
            | 'l' | 'L' | 'q' | 'Q' => {}
            ':' | 'b' | 't' | 'T' | 'v' => {
                while matches!(cs.get(i), Some(' ' | '\t')) {
                    i += 1;
                }
                while cs
                    .get(i)
                    .is_some_and(|c| !matches!(c, ' ' | '\t' | '\n' | ';' | '}' | '#'))
                {
                    i += 1;
                }
            }
            '#' | 'r' | 'R' => {
                while cs.get(i).is_some_and(|&c| c != '\n') {
                    i += 1;
                }
            }
            'a' | 'i' | 'c' => i = sed_text_end(&cs, i),
            'w' | 'W' => return Some("writes a file (`w`)"),
            'e' => return Some("runs a command (`e`)"),
            '/' | '\\' => {
                let d = if c == '/' {
                    Some('/')
                } else {
                    cs.get(i).copied()
                };
                let start = if c == '/' { i } else { i + 1 };
                match d.and_then(|d| sed_part(&cs, start, d, true)) {
                    Some(end) => i = end,
                    None => return Some(UNREADABLE),
                }
            }
            's' | 'y' => {
                let end = match cs.get(i) {
                    Some(&d) if d != '\n' && d != '\\' => {
                        sed_part(&cs, i + 1, d, c == 's').and_then(|j| sed_part(&cs, j, d, false))
                    }
                    _ => None,
                };
                let Some(end) = end else {
                    return Some(UNREADABLE);
                };
                i = end;
                while c == 's'
                    && let Some(&f) = cs.get(i)
                {
                    match f {
                        'w' => return Some("writes a file (`s///w`)"),
                        'e' => return Some("runs a command (`s///e`)"),
                        ';' | '\n' | '}' | '#' => break,
                        'g' | 'p' | 'i' | 'I' | 'm' | 'M' | ' ' | '\t' | '0'..='9' => i += 1,
                        _ => return Some(UNREADABLE),
                    }
                }
            }
            _ => return Some("has a command opsguard does not know"),
        }
    }
    None
}

/// Past the text of `a`, `i` or `c` whose letter is just before `i`: after
/// blanks and an optional backslash, to a newline no backslash escapes.
fn sed_text_end(cs: &[char], mut i: usize) -> usize {
    while matches!(cs.get(i), Some(' ' | '\t')) {
        i += 1;
    }
    if cs.get(i) == Some(&'\\') {
        i += 2;
    }
    while let Some(&c) = cs.get(i) {
        match c {
            '\\' => i += 2,
            '\n' => return i,
            _ => i += 1,
        }
    }
    cs.len()
}

/// Past the delimiter `d` ending the part of an address, `s` or `y` that
/// starts at `i`, as sed's `match_slash` reads it: a backslash escapes the
/// next character (a newline too), a regex holds bracket expressions, and
/// a newline ends the part unterminated (`None`).
fn sed_part(cs: &[char], mut i: usize, d: char, regex: bool) -> Option<usize> {
    while let Some(&c) = cs.get(i) {
        i += 1;
        match c {
            '\n' => return None,
            c if c == d => return Some(i),
            '\\' => {
                cs.get(i)?;
                i += 1;
            }
            '[' if regex => match bracket_end(cs, i, false) {
                End::At(end) => i = end,
                End::Open | End::Unsure => return None,
            },
            _ => {}
        }
    }
    None
}

/// Where a delimited part of a program ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// Just past its closing character.
    At(usize),
    /// It runs past its line: the program does not compile when read so.
    Open,
    /// The tools that read it disagree on where it ends.
    Unsure,
}

/// Where the bracket expression whose `[` is just before `i` ends: a `]`
/// first is part of it, `[:alpha:]`, `[.x.]` and `[=e=]` nest, a newline
/// leaves it open. sed takes a backslash in it as itself; awks disagree,
/// so for awk (`awk`) a backslash escapes, except before `]`, `[`, `/` or
/// a newline, which is not known; and a `/` in it ends an awk regex for
/// some awks, not for others.
fn bracket_end(cs: &[char], mut i: usize, awk: bool) -> End {
    if cs.get(i) == Some(&'^') {
        i += 1;
    }
    if cs.get(i) == Some(&']') {
        i += 1;
    }
    while let Some(&c) = cs.get(i) {
        i += 1;
        match c {
            '\n' => return End::Open,
            ']' => return End::At(i),
            '/' if awk => return End::Unsure,
            '\\' if awk => match cs.get(i) {
                Some(']' | '/' | '[' | '\n') | None => return End::Unsure,
                Some(_) => i += 1,
            },
            '[' if matches!(cs.get(i), Some('.' | ':' | '=')) => {
                let kind = cs[i];
                let close = (i + 1..cs.len().saturating_sub(1))
                    .find(|&j| cs[j] == '\n' || cs[j] == kind && cs[j + 1] == ']');
                match close {
                    Some(j) if cs[j] != '\n' => i = j + 2,
                    _ => return End::Open,
                }
            }
            _ => {}
        }
    }
    End::Open
}

const AWK: Spec = Spec::new(
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
const AWK_READS: &[&str] = &[
    "-F", "--field-separator", "-v", "--assign", "-e", "--source", "-b", "--characters-as-bytes",
    "-c", "--traditional", "-P", "--posix", "-r", "--re-interval", "-n", "--non-decimal-data",
    "-N", "--use-lc-numeric", "-O", "--optimize", "-s", "--no-optimize", "-M", "--bignum", "-S",
    "--sandbox", "-k", "--csv", "-t", "--lint-old", "--lint", "-h", "--help", "-V", "--version",
    "-C", "--copyright",
];

/// Options that load a program or write a file, and what they do.
const AWK_WRITES: &[(&[&str], &str)] = &[
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

fn awk(name: &str, args: &[Word]) -> Judgement {
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
fn awk_writes(program: &str) -> Option<&'static str> {
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
const AWK_MAX_FORKS: usize = 64;

/// After these an operand must follow, so a `/` starts a regex: it cannot
/// divide. A newline ends a statement (a backslash before it does not).
const OPERAND_NEXT: &str = "\n(,{};[!~&|<>=*%^?:";

/// The ways awk may read `program`, each as its code with strings, regexes
/// and comments blanked. A `/` where an operand is expected starts a
/// regex; after an operand (`a / b`, `"4" / 2`, `x++ / 2`) it divides, or
/// after `)` or a keyword it may start one (`if (x) /re/`, `print /re/`):
/// both readings are kept. A reading whose string or regex runs past its
/// line does not compile, and is dropped.
fn awk_readings(program: &str) -> Result<Vec<String>, &'static str> {
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
fn awk_string_end(cs: &[char], mut i: usize) -> Option<usize> {
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
fn awk_regex_end(cs: &[char], mut i: usize) -> End {
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
fn print_redirects(code: &str) -> bool {
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
