//! `opsguard completions SHELL` and `opsguard man`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use crate::error::{AppError, Exit};
use crate::ui::Ui;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, ui: &Ui) -> Result<Exit, AppError> {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "opsguard", &mut buf);
    ui.out(&String::from_utf8_lossy(&buf));
    Ok(Exit::Ok)
}

pub fn man(ui: &Ui) -> Result<Exit, AppError> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| AppError::new(Exit::Failed, format!("cannot render the man page: {e}")))?;
    ui.out(&String::from_utf8_lossy(&buf));
    Ok(Exit::Ok)
}
