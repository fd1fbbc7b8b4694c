//! Variables whose text the line does not vouch for, and the places bash
//! evaluates a variable's text again as code.
//!
//! Arithmetic (`(( x ))`, `let`, `$(( ))`, `[[ x -eq 0 ]]`, subscripts,
//! `${x:off}`, `declare -i`), indirection (`${!x}`) and prompt expansion
//! (`${x@P}`) evaluate a variable's value, and an array subscript in it
//! may be `a[$(cmd)]`: the command runs. So a variable the line filled
//! from somewhere opsguard cannot read (`read`, `mapfile`, `printf -v`, a
//! substitution's output, pieces joined with `+=`, a `for` over words
//! only known at run time) is tainted, and evaluating it is not known to
//! be safe. A variable set to plain text (`n=5`, `dev=/dev/sdb`) is not.

use std::collections::HashSet;

use crate::classify::lexer::Word;
use crate::classify::vars::parts;

/// Builtins that store what they read or build into the variables they
/// name.
const FILLERS: &[&str] = &["read", "mapfile", "readarray", "getopts"];

/// The names in `text` that look like variables.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
}

/// A value opsguard can vouch for: no expansion, quote trick or
/// subscript in it, and no name of a tainted variable.
fn plain_value(value: &Word, text: &str, tainted: &HashSet<String>) -> bool {
    !value.dynamic
        && !value.holds_code
        && !text.contains(['$', '`', '\\', '[', ']', '(', ')'])
        && !identifiers(text).any(|n| tainted.contains(n))
}

/// The variable an assignment word sets, and whether its value is plain.
fn assignment(w: &Word, tainted: &HashSet<String>) -> Option<(String, bool)> {
    let p = parts(&w.text);
    let plain = !p.appends && plain_value(w, p.value?, tainted);
    Some((p.name.to_string(), plain))
}

/// What bash evaluates as code in `words` (a simple command after its
/// assignments): the names it reads as arithmetic, indirectly or as a
/// prompt.
pub(super) fn evaluated(words: &[Word], assignments: &[&Word]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |text: &str| out.extend(identifiers(text).map(String::from));
    let first = words.first().map(|w| w.text.as_str());
    match first {
        Some("((") | Some("let") => words[1..].iter().for_each(|w| add(&w.text)),
        Some("[[")
            if words.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"
                )
            }) =>
        {
            words[1..].iter().for_each(|w| add(&w.text));
        }
        Some("declare" | "typeset" | "local" | "readonly" | "export")
            if words
                .iter()
                .any(|w| w.text.starts_with('-') && w.text.contains('i')) =>
        {
            words[1..].iter().for_each(|w| add(&w.text));
        }
        _ => {}
    }
    // Subscripts of the variables assigned (`a[i]=1` evaluates `i`).
    for a in assignments {
        if let Some(sub) = parts(&a.text).subscript {
            add(sub);
        }
    }
    // Expansions inside any word: `$(( ))`, `$[ ]`, and in `${...}` all
    // but the plain name (`${!x}` and `${x@P}` evaluate the name too).
    for w in words.iter().chain(assignments.iter().copied()) {
        let t = w.text.as_str();
        for (at, _) in t.match_indices("$((").chain(t.match_indices("$[")) {
            add(&t[at..]);
        }
        for (at, _) in t.match_indices("${") {
            let inner = &t[at + 2..];
            let inner = &inner[..inner.find('}').unwrap_or(inner.len())];
            let indirect = inner.starts_with('!') || inner.contains("@P");
            let rest = inner.trim_start_matches(['!', '#']);
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if indirect {
                add(&rest[..name_len]);
            }
            add(&rest[name_len..]);
        }
    }
    out
}

/// The variables `words` (with their assignments) fill with text opsguard
/// does not vouch for, and those they set to plain text (untainting them).
pub(super) fn filled(
    words: &[Word],
    assignments: &[&Word],
    tainted: &HashSet<String>,
) -> (Vec<String>, Vec<String>) {
    let (mut dirty, mut clean) = (Vec::new(), Vec::new());
    let mut put = |name: String, plain: bool| {
        if plain {
            clean.push(name);
        } else {
            dirty.push(name);
        }
    };
    for a in assignments {
        if let Some((name, plain)) = assignment(a, tainted) {
            put(name, plain);
        }
    }
    let first = words.first().map_or("", |w| w.text.as_str());
    let args = words.get(1..).unwrap_or_default();
    match first {
        f if FILLERS.contains(&f) => {
            // Every word that names a variable: the operands, `-a NAME`.
            for w in args.iter().filter(|w| !w.text.starts_with('-')) {
                put(parts(&w.text).name.to_string(), false);
            }
        }
        "printf" => {
            if let Some(at) = args.iter().position(|w| w.text == "-v")
                && let Some(name) = args.get(at + 1)
            {
                put(parts(&name.text).name.to_string(), false);
            }
        }
        "declare" | "typeset" | "local" | "readonly" | "export" => {
            for w in args.iter().filter(|w| w.text.contains('=')) {
                if let Some((name, plain)) = assignment(w, tainted) {
                    put(name, plain);
                }
            }
        }
        "for" | "select" => {
            if let Some(var) = args.first() {
                let rest = args.get(2..).unwrap_or_default();
                let plain = rest.iter().all(|w| plain_value(w, &w.text, tainted));
                put(var.text.clone(), plain);
            }
        }
        _ => {}
    }
    (dirty, clean)
}
