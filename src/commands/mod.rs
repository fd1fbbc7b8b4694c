//! One file per subcommand: each holds its clap arguments and a `run` that
//! plumbs them into the layers below. Shared loading lives here.

pub mod classify;
pub mod completions;
pub mod hosts;
pub mod plan;
pub mod validate;

use crate::cli::GlobalArgs;
use crate::diagnostic::{Report, Sources, render};
use crate::error::{AppError, Exit};
use crate::inventory::{self, Inventory};
use crate::ui::{Stream, Ui};

/// Load the inventory for a command that acts on it: problems are shown on
/// stderr; errors stop the command with exit 2.
pub fn load_inventory(g: &GlobalArgs, ui: &Ui) -> Result<Inventory, AppError> {
    let path = g.inventory_path();
    let mut report = Report::default();
    let mut sources = Sources::default();
    let inv = inventory::load(&path, &mut report, &mut sources).map_err(|e| {
        let hint = if g.inventory.is_none() {
            "; pass -i PATH or set OPSGUARD_INVENTORY"
        } else {
            ""
        };
        AppError::invalid(format!("{e}{hint}"))
    })?;
    show(&mut report, &sources, ui);
    if report.has_errors() {
        return Err(AppError::invalid(format!(
            "the inventory {} is invalid ({} error(s)); nothing was run. Run `opsguard validate` for the full list.",
            path.display(),
            report.errors()
        )));
    }
    Ok(inv)
}

/// Diagnostics on stderr, in file order.
pub fn show(report: &mut Report, sources: &Sources, ui: &Ui) {
    report.sort();
    if !report.items.is_empty() {
        ui.err(&render::text(&report.items, sources, ui.color(Stream::Err)));
    }
}

/// `Exit::Invalid` as an error, for problems already shown.
pub fn invalid_shown() -> AppError {
    AppError::reported(Exit::Invalid)
}

/// Words after `--` as one shell line, joined with spaces as ssh does.
pub fn shell_line(words: &[String]) -> String {
    words.join(" ")
}
