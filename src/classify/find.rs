//! `find`: read-only unless its expression deletes (`-delete`), writes a
//! file (`-fprint`, `-fls`) or runs a command (`-exec`, `-execdir`, `-ok`,
//! `-okdir`, each judged as a command of its own).

use super::args::may_be_option;
use super::lexer::Word;
use super::tools::{Judgement, destroys, unknown};
use super::wrappers::{Inner, Wrapped};

pub fn find(args: &[Word]) -> Option<Wrapped> {
    let mut inner = Vec::new();
    let mut own = Judgement::Safe;
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        match w.text.as_str() {
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                let start = i + 1;
                // `;` ends it, and `+` only right after `{}` (elsewhere
                // a `+` is an argument: `-exec date + -s X \;`).
                let end = (start..args.len())
                    .find(|&k| {
                        args[k].text == ";"
                            || args[k].text == "+" && k > start && args[k - 1].text == "{}"
                    })
                    .unwrap_or(args.len());
                inner.push(Inner::Range(start, end));
                i = end;
            }
            "-delete" => {
                return Some(Wrapped {
                    inner,
                    own: destroys("files.find-delete", "`find -delete` removes what it finds"),
                });
            }
            "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                own = unknown(format!("`find {}` writes a file", w.text));
            }
            _ if may_be_option(w) && own == Judgement::Safe => {
                own = unknown(format!(
                    "`find` has the word `{}`, only known when the shell runs; it may be `-delete`",
                    w.text
                ));
            }
            _ => {}
        }
        i += 1;
    }
    Some(Wrapped { inner, own })
}
