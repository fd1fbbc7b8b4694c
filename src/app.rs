//! The program as a library function: parse the arguments, run the
//! command, turn the outcome into an exit code. `main` only calls [`run`].

use std::ffi::OsString;

use clap::Parser;

use crate::commands::{self, Cli};
use crate::error::Exit;
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
