//! `opsguard classify -- COMMAND...`: safe, destructive or unknown, and
//! why. The inventory's `destructive_patterns` and `safe_patterns` count
//! when an inventory is there.

use clap::Args;

use super::{Format, GlobalArgs};
use crate::classify::{Verdict, classify};
use crate::error::{AppError, Exit};
use crate::inventory::Policy;
use crate::ui::{Stream, Ui};

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The command, as one shell line or as words (joined with spaces)
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(g: &GlobalArgs, args: &ClassifyArgs, ui: &Ui) -> Result<Exit, AppError> {
    // Without an inventory there are no site patterns, but the built-in
    // rules still answer; a named inventory that cannot be read is an error.
    let policy = if g.inventory.is_some() || g.inventory_path().exists() {
        super::load_inventory(g, ui)?.policy
    } else {
        Policy::default()
    };
    let line = super::shell_line(&args.command);
    let c = classify(&line, &policy.patterns());
    match args.format {
        Format::Json => ui.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&c).expect("plain JSON")
        )),
        Format::Text => {
            let mut text = format!("{}: {line}\n", ui.bold(Stream::Out, c.verdict.as_str()));
            for f in &c.rules {
                text.push_str(&format!(
                    "  {}: {}\n    in: {}\n",
                    f.rule, f.reason, f.command
                ));
            }
            if !c.destructive {
                for d in &c.unknown {
                    text.push_str(&format!(
                        "  not known to be safe: {}\n    in: {}\n",
                        d.reason, d.command
                    ));
                }
            }
            if c.verdict == Verdict::Unknown {
                text.push_str(
                    "  guarded like destructive work on roles with `unknown_commands: guard` \
                     (every protected role by default)\n  \
                     if it only reads, declare it in the inventory's policy.safe_patterns\n",
                );
            }
            ui.out(&text);
        }
    }
    Ok(Exit::Ok)
}
