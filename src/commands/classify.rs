//! `opsguard classify -- COMMAND...`: destructive or not, and the rules
//! that matched. The inventory's `destructive_patterns` count when an
//! inventory is there.

use clap::Args;

use crate::classify::classify;
use crate::cli::{Format, GlobalArgs};
use crate::error::{AppError, Exit};
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
    let patterns = if g.inventory.is_some() || g.inventory_path().exists() {
        super::load_inventory(g, ui)?.policy.destructive_patterns
    } else {
        Vec::new()
    };
    let line = super::shell_line(&args.command);
    let c = classify(&line, &patterns);
    match args.format {
        Format::Json => ui.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&c).expect("plain JSON")
        )),
        Format::Text => {
            if c.destructive {
                let mut text = format!("{}: {line}\n", ui.bold(Stream::Out, "destructive"));
                for f in &c.rules {
                    text.push_str(&format!(
                        "  {}: {}\n    in: {}\n",
                        f.rule, f.reason, f.command
                    ));
                }
                ui.out(&text);
            } else {
                ui.out(&format!("not destructive: {line}\n"));
            }
        }
    }
    Ok(Exit::Ok)
}
