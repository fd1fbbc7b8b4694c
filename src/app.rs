//! The program as a library function: parse the arguments, run the
//! command, turn the outcome into an exit code. `main` only calls [`run`].

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::commands::{self, Cli};
use crate::error::Exit;
use crate::ui::Ui;

pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // `COMPLETE=bash opsguard -- WORDS`: the shell asking for candidates.
    let completing = clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(commands::completions::VAR)
        .try_complete(args.clone(), std::env::current_dir().ok().as_deref());
    match completing {
        Ok(false) => {}
        Ok(true) => return Exit::Ok.code(),
        Err(e) => {
            let _ = e.print();
            return Exit::Invalid.code();
        }
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if let Some(hint) = missing_separator(&e, &args) {
                anstream::eprintln!("hint: {hint}");
            }
            return if e.use_stderr() {
                Exit::Invalid.code()
            } else {
                Exit::Ok.code()
            };
        }
    };
    let ui = Ui::new(
        cli.global.color.into(),
        cli.global.quiet,
        cli.global.verbose,
    );
    match commands::dispatch(&cli, &ui) {
        Ok(exit) => exit.code(),
        Err(e) => {
            if !e.message.is_empty() {
                ui.error(&e.message);
            }
            for hint in e.hints() {
                ui.hint(hint);
            }
            e.exit.code()
        }
    }
}

/// `exec HOST ls -l` (the command not after `--`): the line that would
/// have worked.
fn missing_separator(e: &clap::Error, args: &[OsString]) -> Option<String> {
    if e.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let at = words.iter().position(|w| w == "exec")?;
    if words.iter().any(|w| w == "--") {
        return None;
    }
    // The selector is the first word after `exec` that is not an option.
    let rest = &words[at + 1..];
    let selector = rest.iter().position(|w| !w.starts_with('-'))?;
    let command = &rest[selector + 1..];
    if command.is_empty() {
        return None;
    }
    Some(format!(
        "the command goes after `--`: opsguard exec {} -- {}",
        rest[..=selector].join(" "),
        command.join(" ")
    ))
}
