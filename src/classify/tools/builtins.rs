//! The shell's own builtins that set variables, define names or evaluate
//! text: safe only in the forms that change nothing a later command runs.
//!
//! Bash evaluates text again in more places than `eval`: array subscripts
//! in arithmetic and `test -v`, `declare -i`, `printf -v`, `read` into an
//! array element, completion specs and `mapfile -C` callbacks. A word
//! that holds a command substitution as text is code there; an alias or a
//! key binding is a command that runs later, on another line.

use super::{Judgement, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;
use crate::classify::vars::assignment_doubt;

/// Builtins whose every argument may be evaluated as arithmetic or as a
/// variable name, so text holding a substitution is code.
const EVALUATING: &[&str] = &[
    "let", "test", "[", "[[", "((", "unset", "read", "printf", "mapfile", "readarray", "getopts",
    "wait", "declare", "typeset", "local", "readonly", "export", "compgen", "complete",
];

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    // `printf FORMAT ARGS` prints its arguments; only `-v` stores them.
    let stores = name != "printf" || parse(args, &Spec::new("v", &[]).posix()).has(&["-v"]);
    if EVALUATING.contains(&name)
        && stores
        && let Some(w) = args.iter().find(|w| w.holds_code)
    {
        return Some(unknown(format!(
            "`{name}` evaluates `{}`, which holds a command substitution as text",
            w.text
        )));
    }
    Some(match name {
        "let" | "test" | "[" | "[[" | "((" | "unset" => Judgement::Safe,
        "wait" => names(name, args, "p", "p", false),
        "export" => names(name, args, "", "", true),
        "declare" | "typeset" | "local" | "readonly" => declare(name, args),
        "read" => names(name, args, "adinNptu", "a", false),
        "printf" => names(name, args, "v", "v", false),
        "mapfile" | "readarray" => {
            let p = parse(args, &Spec::new("dnOsuCc", &[]));
            if p.has(&["-C"]) {
                unknown(format!("`{name} -C` runs a command for each line it reads"))
            } else {
                names(name, args, "dnOsuCc", "", false)
            }
        }
        "getopts" => match args.get(1) {
            Some(var) => assign(name, var, false),
            None => Judgement::Safe,
        },
        "alias" => match args.iter().find(|w| w.text.contains('=')) {
            Some(w) => unknown(format!(
                "`alias {}` defines a name that later lines run as its text",
                w.text
            )),
            None => Judgement::Safe,
        },
        "bind" => {
            let p = parse(args, &Spec::new("mqurfx", &[]));
            if p.operands.is_empty() && p.only(&["-l", "-p", "-P", "-s", "-S", "-v", "-V"]) {
                Judgement::Safe
            } else {
                unknown("`bind` with a binding makes a key run a command or type text")
            }
        }
        "complete" | "compgen" => {
            let p = parse(args, &Spec::new("oAGWFCXPS", &[]));
            match p.get(&["-C", "-F"]) {
                Some(o) => unknown(format!("`{name} {}` runs a command to complete", o.name)),
                None if name == "complete" && !p.has(&["-p"]) && !p.operands.is_empty() => {
                    unknown("`complete` changes how later lines complete")
                }
                None => Judgement::Safe,
            }
        }
        "history" => match args {
            [] => Judgement::Safe,
            [n] if n.fixed() && n.text.chars().all(|c| c.is_ascii_digit()) => Judgement::Safe,
            _ => unknown("`history` with options changes or writes the history"),
        },
        "hash" => {
            let p = parse(args, &Spec::new("pd", &[]));
            if p.has(&["-p"]) || p.dynamic {
                unknown("`hash -p` makes a name run another program")
            } else {
                Judgement::Safe
            }
        }
        _ => return None,
    })
}

/// `NAME`, `NAME=VALUE`: what assigning it does.
fn assign(tool: &str, w: &Word, environment: bool) -> Judgement {
    match assignment_doubt(w, environment) {
        Some(why) => unknown(format!("`{tool}`: {why}")),
        None => Judgement::Safe,
    }
}

/// A builtin whose operands (and the value of `name_opt`) are variable
/// names or assignments.
fn names(tool: &str, args: &[Word], values: &'static str, name_opt: &str, env: bool) -> Judgement {
    let p = parse(args, &Spec::new(values, &[]).posix());
    if p.dynamic {
        return unknown(format!(
            "`{tool}` has words only known when the shell runs; they may name any variable"
        ));
    }
    // `printf FORMAT ARGS` prints; only `-v NAME` assigns.
    let operands: Vec<&Word> = if tool == "printf" {
        Vec::new()
    } else {
        p.operand_at.iter().map(|&i| &args[i]).collect()
    };
    let named = p
        .opts
        .iter()
        .filter(|o| !name_opt.is_empty() && o.name == format!("-{name_opt}"))
        .filter_map(|o| o.value.as_deref())
        .map(Word::plain);
    for w in operands.into_iter().cloned().chain(named) {
        if let j @ Judgement::Unknown(_) = assign(tool, &w, env) {
            return j;
        }
    }
    Judgement::Safe
}

/// `declare [-aAfFgiIlnrtux] [NAME[=VALUE]]...`: `-x` exports, `-n` makes a
/// name that stands for another variable.
fn declare(tool: &str, args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("", &[]).posix());
    // `declare -p NAME`: prints it.
    if p.has(&["-p"]) && !p.dynamic {
        return Judgement::Safe;
    }
    if p.has(&["-n"]) {
        return unknown(format!(
            "`{tool} -n` makes a name that writes another variable"
        ));
    }
    // `declare -f`/`-F`: functions, listed or marked; no values.
    if p.has(&["-f", "-F"]) && !p.has(&["-x"]) {
        return Judgement::Safe;
    }
    names(tool, args, "", "", p.has(&["-x"]))
}
