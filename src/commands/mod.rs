//! One file per subcommand: each holds its clap arguments and a `run` that
//! plumbs them into the layers below. Shared loading lives here.

pub mod audit;
pub mod classify;
pub mod completions;
pub mod exec;
pub mod hosts;
pub mod lock;
pub mod plan;
pub mod report;
pub mod run;
pub mod session;
pub mod shell;
pub mod validate;

use crate::cli::GlobalArgs;
use crate::diagnostic::{Report, Sources, render};
use crate::error::AppError;
use crate::inventory::{self, Inventory, Selector};
use crate::ui::{Stream, Ui};

/// The host called `name`, or an error (exit 2) with the nearest name.
pub fn host_named(inv: &Inventory, name: &str) -> Result<usize, AppError> {
    inv.host_index(name).ok_or_else(|| {
        let hint = inv
            .nearest_host(name)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        AppError::invalid(format!("no host `{name}` in the inventory{hint}"))
    })
}

/// A playbook read and checked against `inv`, its problems shown on
/// stderr; an error (exit 2) when it has errors, saying `consequence`
/// ("nothing was run").
pub fn load_playbook(
    inv: &Inventory,
    path: &std::path::Path,
    ui: &Ui,
    consequence: &str,
) -> Result<
    (
        crate::playbook::Playbook,
        Vec<crate::playbook::rules::StepFacts>,
    ),
    AppError,
> {
    let mut report = Report::default();
    let mut sources = Sources::default();
    let pb = crate::playbook::load(path, &mut report, &mut sources);
    let facts = pb
        .as_ref()
        .map(|pb| crate::playbook::rules::check(pb, inv, &mut report));
    show(&mut report, &sources, ui);
    match (pb, facts, report.has_errors()) {
        (Some(pb), Some(facts), false) => Ok((pb, facts)),
        _ => Err(AppError::invalid(format!(
            "the playbook {} is invalid ({} error(s)); {consequence}",
            path.display(),
            report.errors()
        ))),
    }
}

/// Load the inventory for a command that acts on it: problems are shown on
/// stderr; errors stop the command with exit 2.
pub fn load_inventory(g: &GlobalArgs, ui: &Ui) -> Result<Inventory, AppError> {
    let path = g.inventory_path();
    let mut report = Report::default();
    let mut sources = Sources::default();
    let inv = read_inventory(g, &mut report, &mut sources)?;
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

/// Read the `-i` inventory, its problems into `report`. Only a missing or
/// unreadable inventory is an error here.
pub fn read_inventory(
    g: &GlobalArgs,
    report: &mut Report,
    sources: &mut Sources,
) -> Result<Inventory, AppError> {
    inventory::load(&g.inventory_path(), report, sources).map_err(|e| {
        let hint = if g.inventory.is_none() {
            "; pass -i PATH or set OPSGUARD_INVENTORY"
        } else {
            ""
        };
        AppError::invalid(format!("{e}{hint}"))
    })
}

/// The hosts a selector given on the command line picks; `what` names the
/// option in messages (`--limit`, `selector`).
pub fn select(inv: &Inventory, text: &str, what: &str) -> Result<Vec<usize>, AppError> {
    let sel: Selector = text
        .parse()
        .map_err(|e| AppError::invalid(format!("invalid {what} `{text}`: {e}")))?;
    sel.resolve(inv).map_err(|problems| {
        let messages: Vec<&str> = problems.iter().map(|p| p.message()).collect();
        AppError::invalid(format!("{what}: {}", messages.join("; ")))
    })
}

/// Diagnostics on stderr, in file order.
pub fn show(report: &mut Report, sources: &Sources, ui: &Ui) {
    report.sort();
    if !report.items.is_empty() {
        ui.err(&render::text(&report.items, sources, ui.color(Stream::Err)));
    }
}

/// Words after `--` as one shell line, joined with spaces as ssh does.
pub fn shell_line(words: &[String]) -> String {
    words.join(" ")
}
