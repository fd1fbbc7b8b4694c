//! `opsguard man [--dir DIR]`: the manual, made from the clap definitions
//! so it cannot drift from `--help`. Without `--dir` the one page of
//! `opsguard` goes to stdout; with it, `opsguard.1` and a page for every
//! subcommand, nested ones too (`opsguard-audit-verify.1`), are written
//! into DIR.
//!
//! The pages depend on nothing but this binary: no date, no environment,
//! no terminal width, so the same build writes the same bytes. It never
//! writes outside DIR, and a page it cannot write stops it, naming the
//! file.

mod page;
mod reads;

use std::path::{Path, PathBuf};

use clap::{Args, Command, CommandFactory};

use super::Cli;
use crate::error::{AppError, Exit};
use crate::ui::Ui;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write opsguard.1 and one page per subcommand into this folder
    /// (created if missing; pages there are replaced)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: &ManArgs, ui: &Ui) -> Result<Exit, AppError> {
    let pages = pages(Cli::command());
    match &args.dir {
        None => ui.out(&String::from_utf8_lossy(&pages[0].roff)),
        Some(dir) => {
            write_all(dir, &pages)?;
            ui.status(&format!(
                "wrote {} man pages to {}",
                pages.len(),
                dir.display()
            ));
        }
    }
    Ok(Exit::Ok)
}

/// One page: its file name and its roff.
pub struct Page {
    pub file: String,
    pub roff: Vec<u8>,
}

/// Every page of `root`'s tree, the root's first, then depth first in
/// the order `--help` lists the subcommands.
pub fn pages(root: Command) -> Vec<Page> {
    let mut root = root.disable_help_subcommand(true);
    root.build();
    let mut commands = Vec::new();
    walk(&root, &mut Vec::new(), &mut commands);
    let names: Vec<String> = commands.iter().map(|(name, _, _)| name.clone()).collect();
    commands
        .iter()
        .map(|(name, path, cmd)| Page {
            file: format!("{name}.1"),
            roff: page::render(cmd, &root, path, &names),
        })
        .collect()
}

/// Each visible command with its page name and its path of names from
/// the root (`["opsguard", "audit", "verify"]`).
fn walk<'a>(
    cmd: &'a Command,
    path: &mut Vec<&'a str>,
    out: &mut Vec<(String, Vec<&'a str>, &'a Command)>,
) {
    path.push(cmd.get_name());
    out.push((path.join("-"), path.clone(), cmd));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        walk(sub, path, out);
    }
    path.pop();
}

fn write_all(dir: &Path, pages: &[Page]) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::new(
            Exit::Failed,
            format!("cannot create the man page folder {}: {e}", dir.display()),
        )
    })?;
    for page in pages {
        let path = dir.join(&page.file);
        std::fs::write(&path, &page.roff).map_err(|e| {
            AppError::new(
                Exit::Failed,
                format!("cannot write the man page {}: {e}", path.display()),
            )
        })?;
    }
    Ok(())
}
