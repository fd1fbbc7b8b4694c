//! The program as a library function: parse the arguments, run the
//! command, turn the outcome into an exit code. `main` only calls [`run`].

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{AppError, Exit};
use crate::ui::Ui;

pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Invalid.code()
            } else {
                Exit::Ok.code()
            };
        }
    };
    let ui = Ui::new(cli.global.color, cli.global.quiet, cli.global.verbose);
    match dispatch(&cli, &ui) {
        Ok(exit) => exit.code(),
        Err(e) => {
            if !e.message.is_empty() {
                ui.error(&e.message);
            }
            e.exit.code()
        }
    }
}

fn dispatch(cli: &Cli, ui: &Ui) -> Result<Exit, AppError> {
    let g = &cli.global;
    match &cli.command {
        Command::Hosts(args) => commands::hosts::run(g, args, ui),
        Command::Plan(args) => commands::plan::run(g, args, ui),
        Command::Validate(args) => commands::validate::run(g, args, ui),
        Command::Classify(args) => commands::classify::run(g, args, ui),
        Command::Exec(args) => commands::exec::run(g, args, ui),
        Command::Run(args) => commands::run::run(g, args, ui),
        Command::Shell(args) => commands::shell::run(g, args, ui),
        Command::Lock(args) => commands::lock::run(g, args, ui),
        Command::Audit(args) => commands::audit::run(g, args, ui),
        Command::Completions(args) => commands::completions::run(args, ui),
        Command::Man => commands::completions::man(ui),
    }
}
