//! The options several commands share, as clap sees them: raw strings and
//! paths, defined once here and flattened; each subcommand's own arguments
//! live beside its code. They are resolved here into the settings the
//! layers below take ([`RunOptions::settings`]): no clap type goes below
//! `commands/`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::AppError;
use crate::guard;
use crate::inventory::Inventory;
use crate::session::{DEFAULT_TIMEOUT, RunSettings};
use crate::ui::ColorWhen;

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Inventory file, or folder of *.yaml/*.yml files merged [default: ./inventory]
    #[arg(
        short = 'i',
        long,
        env = "OPSGUARD_INVENTORY",
        hide_env_values = true,
        global = true,
        value_name = "PATH",
        help_heading = "Global options"
    )]
    pub inventory: Option<PathBuf>,

    /// Audit log: a file, or a postgresql:// URL [default: the inventory's
    /// settings.audit_log, else $XDG_STATE_HOME/opsguard/audit.jsonl]
    #[arg(
        long,
        env = "OPSGUARD_AUDIT_LOG",
        hide_env_values = true,
        global = true,
        value_name = "PATH|URL",
        help_heading = "Global options"
    )]
    pub audit_log: Option<PathBuf>,

    /// When to colour output (also honours NO_COLOR and CLICOLOR_FORCE)
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        global = true,
        value_name = "WHEN",
        help_heading = "Global options"
    )]
    pub color: Color,

    /// Print only data and errors, no status lines
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// Print more detail
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,
}

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl From<Color> for ColorWhen {
    fn from(c: Color) -> ColorWhen {
        match c {
            Color::Auto => ColorWhen::Auto,
            Color::Always => ColorWhen::Always,
            Color::Never => ColorWhen::Never,
        }
    }
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
    #[arg(
        long,
        value_name = "ROLE",
        help_heading = "Guard options",
        add = super::complete::role()
    )]
    pub confirm_role: Option<String>,
    /// The change ticket this work belongs to (recorded)
    #[arg(long, value_name = "ID", help_heading = "Guard options")]
    pub change: Option<String>,
    /// Override a freeze or window, with the reason (recorded)
    #[arg(long, value_name = "REASON", help_heading = "Guard options")]
    pub emergency: Option<String>,
}

/// Options of the commands that act on hosts (`exec`, `run`).
#[derive(Debug, Default, Args)]
pub struct RunOptions {
    /// How many hosts at once [default: settings.forks, else 32]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024), help_heading = "Command options")]
    pub forks: Option<u32>,
    /// Per-command timeout, like 30s or 10m [default: settings.command_timeout, else 10m]
    #[arg(long, value_name = "DURATION", help_heading = "Command options")]
    pub timeout: Option<String>,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// Run every command (and the checks and locks) as USER, root when no
    /// USER is given, through `sudo -n` on the SSH hosts [default: the
    /// host's `become`, else settings.become]
    #[arg(long = "become", value_name = "USER", num_args = 0..=1, default_missing_value = "root", help_heading = "Command options")]
    pub become_user: Option<String>,
    /// Ask once for the sudo password that `become` needs (for sites
    /// without NOPASSWD): typed without echo, never recorded
    #[arg(long, help_heading = "Command options")]
    pub ask_become_pass: bool,
    /// Print the plan and stop: nothing connects, nothing is recorded
    #[arg(long, help_heading = "Command options")]
    pub dry_run: bool,
    /// text: for people; json: one object for tools
    #[arg(
        long,
        value_enum,
        default_value = "text",
        help_heading = "Command options"
    )]
    pub format: Format,
}

impl GuardOptions {
    /// The flags as the guards take them; `change` falls back to
    /// `default_change` (a playbook's own ticket).
    pub fn flags(&self, default_change: Option<&str>) -> guard::Flags {
        guard::Flags {
            confirm_role: self.confirm_role.clone(),
            change: self.change.clone().or(default_change.map(str::to_string)),
            emergency: self.emergency.clone(),
            approval: guard::Approval::NoPlan,
        }
    }
}

/// `--ask-become-pass`: the sudo password, asked once at the terminal
/// (without echo) and kept for this run's `become` commands.
pub fn ask_become_pass() -> Result<(), AppError> {
    if !guard::prompt::terminal() {
        return Err(AppError::invalid(
            "--ask-become-pass needs a terminal to ask at; give the login a NOPASSWD sudo rule for scripts",
        ));
    }
    let cancel = crate::interrupt::flag()?;
    let mut terminal = guard::prompt::Terminal::new(cancel);
    match terminal.secret("sudo password for become:") {
        guard::prompt::Answer::Line(password) => {
            crate::transport::remote::set_become_password(password);
            Ok(())
        }
        _ => Err(AppError::new(
            crate::error::Exit::Interrupted,
            "no sudo password given; nothing was run",
        )),
    }
}

impl RunOptions {
    /// `--become USER` on the target `hosts`: SSH hosts only (a local host
    /// runs commands as the operator, and saying otherwise would mislead).
    pub fn become_on(&self, inv: &mut Inventory, hosts: &[usize]) -> Result<(), AppError> {
        let Some(user) = &self.become_user else {
            return Ok(());
        };
        if !crate::inventory::valid_user_name(user) {
            return Err(AppError::invalid(format!(
                "--become `{}` is not a user name",
                user.escape_debug()
            )));
        }
        for &h in hosts {
            let host = &mut inv.hosts[h];
            if !matches!(host.connection, crate::inventory::Connection::Ssh) {
                return Err(AppError::invalid(format!(
                    "--become is for SSH hosts; `{}` is a local host, where commands run as you",
                    host.name
                )));
            }
            host.become_user = Some(user.clone());
        }
        Ok(())
    }

    /// What a guarded session needs, from these options, the global ones
    /// and the inventory's settings; `default_change` is a playbook's own
    /// ticket.
    pub fn settings(
        &self,
        g: &GlobalArgs,
        inv: &Inventory,
        default_change: Option<&str>,
    ) -> Result<RunSettings, AppError> {
        let timeout = match &self.timeout {
            Some(t) => t
                .parse::<crate::duration::Duration>()
                .map(|d| d.0)
                .map_err(|e| AppError::invalid(format!("--timeout: {e}")))?,
            None => inv
                .settings
                .command_timeout
                .map_or(DEFAULT_TIMEOUT, |d| d.0),
        };
        Ok(RunSettings {
            audit_log: super::audit::log_path(g, Some(inv))?,
            audit_syslog: inv.settings.audit_syslog.clone(),
            plan: None,
            inventory: g.inventory_path(),
            forks: self.forks.unwrap_or(inv.forks()) as usize,
            timeout,
            flags: self.guard.flags(default_change),
        })
    }
}
