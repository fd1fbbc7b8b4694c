//! The command line as clap sees it: raw strings and paths, nothing loaded.
//!
//! Options shared by every command are defined once here and flattened;
//! each subcommand's own arguments live beside its code in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{
    audit, classify, completions, exec, hosts, lock, plan, run, shell, validate,
};
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// What stands in for a person at the guards, and what they record
/// (`exec`, `run`, `lock break`).
#[derive(Debug, Clone, Default, Args)]
pub struct GuardOptions {
    /// The targets' role, typed back, for use without a terminal
    #[arg(long, value_name = "ROLE")]
    pub confirm_role: Option<String>,
    /// The change ticket this work belongs to (recorded)
    #[arg(long, value_name = "ID")]
    pub change: Option<String>,
    /// Override a freeze or window, with the reason (recorded)
    #[arg(long, value_name = "REASON")]
    pub emergency: Option<String>,
}

/// Options of the commands that act on hosts (`exec`, `run`).
#[derive(Debug, Default, Args)]
pub struct RunOptions {
    /// How many hosts at once [default: settings.forks, else 32]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub forks: Option<u32>,
    /// Per-command timeout, like 30s or 10m [default: settings.command_timeout, else 10m]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// Print the plan and stop: nothing connects, nothing is recorded
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List hosts with role, address, groups and mirror (no network)
    Hosts(hosts::HostsArgs),
    /// Show what a playbook run would do, and which guards apply (no network)
    Plan(plan::PlanArgs),
    /// Check the inventory and playbooks offline
    Validate(validate::ValidateArgs),
    /// Run one command on the selected hosts
    Exec(exec::ExecArgs),
    /// Run a playbook: its steps on its hosts, in serial batches
    Run(run::RunArgs),
    /// Say whether a command is destructive, and why
    Classify(classify::ClassifyArgs),
    /// An interactive, guarded console on one host
    Shell(shell::ShellArgs),
    /// Show host locks, or break one (guarded and recorded)
    Lock(lock::LockArgs),
    /// Verify, search and replay the audit log; add a note to it
    Audit(audit::AuditArgs),
    /// Print shell completions
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff)
    Man,
}
