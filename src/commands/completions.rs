//! `opsguard completions SHELL`: the script that makes SHELL complete
//! opsguard's command line by asking opsguard itself (clap_complete's
//! dynamic completion), so it completes hosts, `@group`s, `role:NAME`s
//! and session ids as well as commands and options (see [`super::complete`]).
//!
//! The script runs `opsguard` as found on PATH when completing, so it
//! follows upgrades; what it prints is the same as `COMPLETE=SHELL
//! opsguard` (clap_complete's own way to print it) but for that name,
//! plus, for bash, the joining of words bash splits at `:` and `@`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use clap_complete::env::Shells;

use super::Cli;
use crate::error::{AppError, Exit};
use crate::ui::Ui;

/// The variable that turns a run of opsguard into a completion request.
pub const VAR: &str = "COMPLETE";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, ui: &Ui) -> Result<Exit, AppError> {
    let name = args.shell.to_string();
    let shells = Shells::builtins();
    let shell = shells
        .completer(&name)
        .ok_or_else(|| AppError::invalid(format!("no completion script for {name}")))?;
    let mut buf = Vec::new();
    let bin = Cli::command().get_name().to_string();
    shell
        .write_registration(VAR, &bin, &bin, &bin, &mut buf)
        .map_err(|e| AppError::new(Exit::Failed, format!("cannot write the script: {e}")))?;
    let mut script = String::from_utf8_lossy(&buf).into_owned();
    if args.shell == Shell::Bash {
        script.push_str(BASH_WORDS);
    }
    ui.out(&script);
    Ok(Exit::Ok)
}

/// Bash splits the word being completed at the characters of
/// COMP_WORDBREAKS (`:` and `@` among them), so `role:li` reaches a
/// completion function as `role`, `:`, `li`, and whatever it offers
/// replaces only `li`. This wraps clap_complete's function: it joins such
/// pieces back into the words opsguard will see, asks with those, and
/// trims what bash will keep from each candidate, as git's completion
/// does for the same reason. The user's COMP_WORDBREAKS is left alone.
const BASH_WORDS: &str = r#"
_opsguard_joined_words() {
    local line=$COMP_LINE pos=0 i w gap cword=0
    local -a words=()
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        gap=${line:pos}
        gap=${gap%%[![:space:]]*}
        pos=$((pos + ${#gap} + ${#w}))
        if ((i > 0)) && [[ -z $gap ]]; then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
        ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$cword
}
_opsguard_complete() {
    local cur=$2
    local COMP_WORDS=("${COMP_WORDS[@]}") COMP_CWORD=$COMP_CWORD
    _opsguard_joined_words
    local word=${COMP_WORDS[COMP_CWORD]}
    _clap_complete_opsguard "$1" "$word" "$3"
    local kept=${word%"$cur"} i
    if [[ -n $kept ]]; then
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$kept"}
        done
    fi
}
if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -o nospace -o bashdefault -o nosort -F _opsguard_complete opsguard
else
    complete -o nospace -o bashdefault -F _opsguard_complete opsguard
fi
"#;
