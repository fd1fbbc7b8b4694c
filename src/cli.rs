//! The command line as clap sees it: raw strings and paths, nothing loaded.
//!
//! Options shared by every command are defined once here and flattened;
//! each subcommand's own arguments live beside its code in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{audit, classify, completions, hosts, plan, validate};
use crate::ui::ColorWhen;

/// Guarded maintenance for storage clusters: run commands and playbooks on
/// hosts tagged live or backup, and never wipe the wrong one.
#[derive(Debug, Parser)]
#[command(
    name = "opsguard",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Inventory file, or folder of *.yaml/*.yml files merged [default: ./inventory]
    #[arg(
        short = 'i',
        long,
        env = "OPSGUARD_INVENTORY",
        global = true,
        value_name = "PATH"
    )]
    pub inventory: Option<PathBuf>,

    /// Audit log file [default: the inventory's settings.audit_log, else
    /// $XDG_STATE_HOME/opsguard/audit.jsonl]
    #[arg(long, env = "OPSGUARD_AUDIT_LOG", global = true, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,

    /// When to colour output (also honours NO_COLOR and CLICOLOR_FORCE)
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        global = true,
        value_name = "WHEN"
    )]
    pub color: ColorWhen,

    /// Print only data and errors, no status lines
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl GlobalArgs {
    pub fn inventory_path(&self) -> PathBuf {
        self.inventory
            .clone()
            .unwrap_or_else(|| PathBuf::from("inventory"))
    }
}

/// Output format of commands that print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List hosts with role, address, groups and mirror (no network)
    Hosts(hosts::HostsArgs),
    /// Show what a playbook run would do, and which guards apply (no network)
    Plan(plan::PlanArgs),
    /// Check the inventory and playbooks offline
    Validate(validate::ValidateArgs),
    /// Say whether a command is destructive, and why
    Classify(classify::ClassifyArgs),
    /// Verify, search and replay the audit log; add a note to it
    Audit(audit::AuditArgs),
    /// Print shell completions
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff)
    Man,
}
