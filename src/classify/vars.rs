//! Shell variables: which ones a command may be given knowing what they
//! change, and which assignments change what later commands do.
//!
//! Programs read their environment for far more than their options say:
//! `PATH` and `LD_PRELOAD` choose the code that runs, `MANPAGER`,
//! `LESSOPEN`, `GIT_SSH_COMMAND` and `PROMPT_COMMAND` are commands. So the
//! rule is an allowlist again: a command may run with the locale, time
//! zone, terminal size and colour settings changed; any other variable
//! put in its environment (`NAME=x cmd`, `env NAME=x cmd`, `export NAME`)
//! makes it not known to be safe. A plain assignment (`dev=/dev/sdb`)
//! only sets a shell variable, unless the name is one the environment
//! may already hold: an all-capitals name, or a proxy setting.

use super::lexer::Word;

/// Variables a program may be given in its environment, knowing what they
/// change: how it formats and colours what it prints.
pub fn harmless_env(name: &str, value: &str) -> bool {
    name.starts_with("LC_")
        || matches!(
            name,
            "LANG"
                | "LANGUAGE"
                | "TZ"
                | "TERM"
                | "COLUMNS"
                | "LINES"
                | "NO_COLOR"
                | "CLICOLOR"
                | "CLICOLOR_FORCE"
                | "SYSTEMD_COLORS"
                | "SYSTEMD_URLIFY"
                | "TIME_STYLE"
                | "QUOTING_STYLE"
                | "BLOCK_SIZE"
                | "BLOCKSIZE"
                | "DF_BLOCK_SIZE"
                | "DU_BLOCK_SIZE"
                | "LS_BLOCK_SIZE"
                | "LS_COLORS"
                | "GREP_COLORS"
                | "POSIXLY_CORRECT"
        )
        // A pager turned off or set to the usual one: `SYSTEMD_PAGER=cat`.
        || name.ends_with("PAGER")
            && matches!(
                value,
                "" | "cat" | "less" | "more" | "/bin/cat" | "/usr/bin/cat" | "/usr/bin/less"
            )
}

/// A plain assignment to `name` may change what later commands do: the
/// name may already be in the environment, or bash itself reads it.
pub fn risky_to_set(name: &str) -> bool {
    let capitals = name
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.chars().any(|c| c.is_ascii_uppercase());
    (capitals && !harmless_env(name, "-")) || name.to_ascii_lowercase().ends_with("_proxy")
}

/// An assignment word's parts: `NAME[SUB]+=VALUE` (a bare `NAME`, as
/// `export` takes it, has no value).
pub struct Parts<'a> {
    pub name: &'a str,
    pub subscript: Option<&'a str>,
    pub value: Option<&'a str>,
    pub appends: bool,
}

pub fn parts(text: &str) -> Parts<'_> {
    let (left, value) = match text.split_once('=') {
        Some((l, v)) => (l, Some(v)),
        None => (text, None),
    };
    let appends = left.ends_with('+');
    let left = left.trim_end_matches('+');
    let (name, subscript) = match left.split_once('[') {
        Some((n, s)) => (n, Some(s)),
        None => (left, None),
    };
    Parts {
        name,
        subscript,
        value,
        appends,
    }
}

/// Why assigning `word` (`NAME=VALUE`, `NAME+=VALUE`, `NAME[i]=VALUE`, or
/// a bare `NAME` being exported) is not known to be safe, if it is not.
/// `environment`: the value goes into a program's environment.
pub fn assignment_doubt(word: &Word, environment: bool) -> Option<String> {
    if word.holds_code {
        return Some(format!(
            "`{}` stores a command substitution as text; bash runs it wherever the value is evaluated again (arithmetic, `${{!x}}`, prompts)",
            word.text
        ));
    }
    let Parts { name, value, .. } = parts(&word.text);
    let value = value.unwrap_or_default();
    if environment {
        if !harmless_env(name, value) || !word.fixed() && name.ends_with("PAGER") {
            return Some(match name {
                "PATH" | "LD_PRELOAD" | "LD_LIBRARY_PATH" | "LD_AUDIT" => {
                    format!("runs with `{name}` changed, so the program may not be the system's")
                }
                _ => format!(
                    "puts `{name}` in the environment of what runs; opsguard does not know what that changes"
                ),
            });
        }
    } else if risky_to_set(name) {
        return Some(format!(
            "sets `{name}`, which the environment or bash itself may use to decide what later commands do"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::lexer::lex_words;

    fn doubt(src: &str, env: bool) -> bool {
        assignment_doubt(&lex_words(src)[0], env).is_some()
    }

    #[test]
    fn environments() {
        for ok in [
            "LC_ALL=C", "TZ=UTC", "SYSTEMD_PAGER=cat", "PAGER=", "COLUMNS=200",
        ] {
            assert!(!doubt(ok, true), "{ok}");
        }
        for bad in [
            "PATH=/tmp", "MANPAGER=x", "LESSOPEN=|x", "GIT_SSH_COMMAND=x", "FOO=1", "PAGER=$P",
            "http_proxy=x",
        ] {
            assert!(doubt(bad, true), "{bad}");
        }
    }

    #[test]
    fn plain_assignments() {
        for ok in ["dev=/dev/sdb", "n=3", "TZ=UTC", "x[1]=2"] {
            assert!(!doubt(ok, false), "{ok}");
        }
        for bad in [
            "PATH=/tmp:$PATH", "PROMPT_COMMAND=x", "PS4=x", "LESSOPEN=x", "HTTPS_PROXY=x",
            "https_proxy=x", "x='a[$(reboot)]'", "y=\"\\`reboot\\`\"", "DEV=/dev/sdb",
        ] {
            assert!(doubt(bad, false), "{bad}");
        }
        // A substitution the shell runs now is judged as a script, and its
        // output is data.
        assert!(!doubt("x=$(date)", false));
    }
}
