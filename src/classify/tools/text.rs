//! Text tools whose programs can write: `sed` (with `-i`, or a `w` or `e`
//! command) here, and `awk` (with `system()`, a pipe or `print >`) in
//! `awk.rs`. Read as their parsers read them; without those, they only
//! read. A program opsguard cannot read the way they do (where a label, a
//! text, a string, a regex or a comment ends) is not known to be safe.

use super::{Judgement, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "sed" => sed(args),
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => super::awk::judge(name, args),
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
pub(super) enum End {
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
pub(super) fn bracket_end(cs: &[char], mut i: usize, awk: bool) -> End {
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
