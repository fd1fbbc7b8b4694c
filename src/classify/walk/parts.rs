//! The pieces of shell the walker reads besides words: a simple command
//! with its input and redirections, what feeds its stdin, the words that
//! shape commands without being one, and what a command prints or empties.

use crate::classify::is_assignment;
use crate::classify::lexer::{Redir, Word};
use crate::classify::tools;

/// One command of a pipeline: its words, what is fed to its stdin, and
/// what it writes by redirection.
#[derive(Default)]
pub(super) struct Simple {
    pub words: Vec<Word>,
    pub inputs: Vec<String>,
    /// An input holds expansions: its text is only known at run time.
    pub inputs_dynamic: bool,
    pub reads: Option<Word>,
    pub writes: Vec<(Redir, Word)>,
}

/// What a command's stdin holds.
pub(super) enum Stdin<'a> {
    /// Nothing: opsguard gives commands no input.
    Empty,
    /// Known text: here-documents, here-strings, `echo WORDS |`.
    Known(&'a [String]),
    /// A file read with `<`.
    File(String),
    /// The output of another command of the pipeline.
    Pipe(String),
    /// A here-document or here-string with expansions in it.
    Dynamic,
}

/// Shell words that start or shape a command without being one.
pub(super) const RESERVED: &[&str] = &[
    "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time",
    "coproc", "esac",
];

/// Folders whose programs are the system's own: a name found there is the
/// tool the allowlist knows.
const SYSTEM_DIRS: &[&str] = &[
    "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
];

/// `text` cut to 160 characters for a finding's `command`.
pub(super) fn clip(text: &str) -> String {
    if text.chars().count() > 160 {
        text.chars().take(157).collect::<String>() + "..."
    } else {
        text.to_string()
    }
}

pub(super) fn shown(words: &[Word]) -> String {
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    clip(&text)
}

/// `case WORD in`: the head of a case statement (its patterns follow).
pub(super) fn case_head(words: &[Word]) -> bool {
    words.len() >= 3
        && words.first().is_some_and(|w| !w.quoted && w.text == "case")
        && words.last().is_some_and(|w| !w.quoted && w.text == "in")
}

/// What a command prints, when it is known: `echo WORDS`, `printf TEXT`
/// without directives, `cat` of a here-document. Text with a backslash
/// is not known: `echo -e`, `sh`'s own `echo` and `printf` decode escapes
/// (`\073` is `;`), so the shell fed it would read other text.
pub(super) fn printed(cmd: &Simple) -> Option<String> {
    let (first, args) = cmd.words.split_first()?;
    if !args.iter().all(Word::fixed) || !cmd.writes.is_empty() {
        return None;
    }
    match first.text.as_str() {
        "echo" if !args.iter().any(|w| w.text.contains('\\')) => {
            let text: Vec<&str> = args
                .iter()
                .map(|w| w.text.as_str())
                .skip_while(|t| matches!(*t, "-n" | "-e" | "-E"))
                .collect();
            Some(text.join(" ") + "\n")
        }
        "printf" if args.len() == 1 && !args[0].text.contains('%') => {
            let text = args[0].text.replace("\\n", "\n");
            (!text.contains('\\')).then_some(text)
        }
        "cat" if args.is_empty() && !cmd.inputs.is_empty() && !cmd.inputs_dynamic => {
            Some(cmd.inputs.concat())
        }
        _ => None,
    }
}

/// A command that leaves a file empty when its output replaces it:
/// `> f`, `: > f`, `true > f`, `echo -n > f`, `cat /dev/null > f`.
pub(super) fn empties(words: &[Word]) -> bool {
    let words: Vec<&str> = words
        .iter()
        .skip_while(|w| is_assignment(w))
        .map(|w| w.text.as_str())
        .collect();
    matches!(
        words[..],
        [] | [":"] | ["true"] | ["false"] | ["echo", "-n"] | ["printf", ""] | ["cat", "/dev/null"]
    )
}

/// The program a name runs is the system's: a bare name, or a path in
/// one of the system's folders.
pub(super) fn system_program(name: &str) -> bool {
    if !name.contains('/') {
        return true;
    }
    let path = tools::normal(name);
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    SYSTEM_DIRS.contains(&dir)
}
