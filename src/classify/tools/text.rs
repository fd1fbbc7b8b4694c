//! Text tools whose programs can write: `sed` (with `-i`, or a `w` or `e`
//! command) and `awk` (with `system()`, a pipe or `print >`). Read as
//! their parsers read them; without those, they only read.

use super::{Judgement, unknown};
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
    if let Some(o) = p
        .opts
        .iter()
        .find(|o| o.name.starts_with("-i") || o.name == "--in-place")
    {
        let _ = o;
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
    let scripts: Vec<&str> = match p
        .opts
        .iter()
        .filter(|o| o.name == "-e" || o.name == "--expression")
        .filter_map(|o| o.value.as_deref())
        .collect::<Vec<_>>()
    {
        s if s.is_empty() => p.operands.first().map(String::as_str).into_iter().collect(),
        s => s,
    };
    match scripts.iter().find_map(|s| sed_writes(s)) {
        Some(what) => unknown(format!("the `sed` script {what}")),
        None => Judgement::Safe,
    }
}

/// Whether a sed script writes a file (`w`, `W`, `s///w`) or runs a
/// command (`e`, `s///e`): what it does, if so. Addresses, regexes and
/// replacement text are skipped as sed reads them.
fn sed_writes(script: &str) -> Option<&'static str> {
    let cs: Vec<char> = script.chars().collect();
    let mut i = 0;
    // Skip a delimited part starting after `d`; returns the index after its end.
    let skip_delimited = |mut i: usize, d: char| -> usize {
        while i < cs.len() && cs[i] != d {
            if cs[i] == '\\' {
                i += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < cs.len() {
        let c = cs[i];
        match c {
            ' ' | '\t' | '\n' | ';' | '{' | '}' | '!' | ',' | '$' | '~' | '+' => i += 1,
            '0'..='9' => i += 1,
            '/' => i = skip_delimited(i + 1, '/'),
            '\\' if i + 1 < cs.len() => i = skip_delimited(i + 2, cs[i + 1]),
            '#' | ':' | 'b' | 't' | 'T' | 'a' | 'i' | 'c' | 'r' | 'R' | 'q' | 'Q' | 'l' | 'L' => {
                // Labels, text and file names run to the end of the line
                // (`a`, `i`, `c` may also end at `;` in GNU one-liners).
                while i < cs.len()
                    && cs[i] != '\n'
                    && !(cs[i] == ';' && matches!(c, 'b' | 't' | 'T' | 'q' | 'Q' | 'l' | 'L'))
                {
                    i += 1;
                }
            }
            'w' | 'W' => return Some("writes a file (`w`)"),
            'e' => return Some("runs a command (`e`)"),
            's' | 'y' if i + 1 < cs.len() => {
                let d = cs[i + 1];
                i = skip_delimited(i + 2, d);
                i = skip_delimited(i, d);
                if c == 's' {
                    while i < cs.len() && !matches!(cs[i], ';' | '\n' | '}') {
                        match cs[i] {
                            'w' => return Some("writes a file (`s///w`)"),
                            'e' => return Some("runs a command (`s///e`)"),
                            _ => i += 1,
                        }
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

fn awk(name: &str, args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "fvFeEil",
            &[
                "file=", "assign=", "field-separator=", "source=", "exec=", "include=", "load=",
                "profile?", "dump-variables?", "debug?", "pretty-print?", "sandbox", "posix",
                "traditional", "re-interval", "characters-as-bytes", "lint?", "non-decimal-data",
                "optimize", "no-optimize", "bignum", "use-lc-numeric", "help", "version",
                "copyright",
            ],
        ),
    );
    if p.has(&["-i", "--include", "-l", "--load"]) {
        return unknown(format!(
            "`{name} -i`/`-l` loads an extension (`-i inplace` edits files)"
        ));
    }
    if p.has(&["-f", "--file", "-E", "--exec"]) {
        return unknown(format!(
            "`{name} -f` runs a program from a file opsguard cannot see"
        ));
    }
    if p.dynamic {
        return unknown(format!("`{name}` has words only known when the shell runs"));
    }
    let sources: Vec<&str> = p
        .opts
        .iter()
        .filter(|o| o.name == "-e" || o.name == "--source")
        .filter_map(|o| o.value.as_deref())
        .collect();
    let program = if sources.is_empty() {
        p.operands.first().map(String::as_str)
    } else {
        None
    };
    match sources.iter().copied().chain(program).find_map(awk_writes) {
        Some(what) => unknown(format!("the `{name}` program {what}")),
        None => Judgement::Safe,
    }
}

/// Whether an awk program can run a command or write a file.
fn awk_writes(program: &str) -> Option<&'static str> {
    // Strings and regex literals hold no code.
    let mut code = String::new();
    let cs: Vec<char> = program.chars().collect();
    let mut i = 0;
    let mut last = '(';
    while i < cs.len() {
        let c = cs[i];
        let regex_start = c == '/'
            && matches!(
                last,
                '(' | ',' | '~' | '!' | '&' | '|' | '{' | '}' | ';' | '\n'
            );
        if c == '"' || regex_start {
            i += 1;
            while i < cs.len() && cs[i] != c {
                if cs[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            code.push(' ');
        } else {
            code.push(c);
            if !c.is_whitespace() {
                last = c;
            }
        }
        i += 1;
    }
    if code.contains("system") || code.contains("@load") {
        return Some("runs a command (`system`)");
    }
    if code.replace("||", "").contains('|') {
        return Some("pipes to or from a command");
    }
    // `print ... > file`: a redirection outside parentheses in a print.
    let mut rest = code.as_str();
    while let Some(at) = rest.find("print") {
        rest = &rest[at + 5..];
        let mut depth = 0;
        for c in rest.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ';' | '}' | '\n' => break,
                '>' if depth <= 0 => return Some("writes a file (`print >`)"),
                _ => {}
            }
        }
    }
    None
}
