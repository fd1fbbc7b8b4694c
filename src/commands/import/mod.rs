//! `opsguard import ansible FILE|-` and `opsguard import clustershell
//! FILE|-`: an opsguard inventory from the JSON of `ansible-inventory
//! --list` (so that INI, YAML, group_vars and inventory plugins are
//! resolved by Ansible itself), or from a ClusterShell group file. The
//! inventory goes to stdout with a header naming its source and that
//! source's SHA-256; what has no equivalent is listed on stderr as
//! UNMAPPED. Nothing is written when a host has no role, two roles, or a
//! name opsguard cannot take.

use std::collections::BTreeSet;
use std::io::Read;

mod ansible;
mod clustershell;

use ansible::ansible;
use clustershell::clustershell;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::error::{AppError, Exit};
use crate::ui::Ui;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Debug, Subcommand)]
pub enum Source {
    /// From the JSON of `ansible-inventory -i INVENTORY --list`
    Ansible {
        /// The JSON file, or `-` for stdin
        file: PathBuf,
        /// Groups whose names are roles (`live,backup`); without it, each
        /// host's `opsguard_role` variable
        #[arg(long, value_name = "GROUPS", value_delimiter = ',')]
        role_groups: Vec<String>,
    },
    /// From a ClusterShell group file (the YAML of `groups.d/*.yaml`)
    Clustershell {
        /// The group file, or `-` for stdin
        file: PathBuf,
        /// Groups whose names are roles (`live,backup`): each host must be
        /// in exactly one
        #[arg(long, value_name = "GROUPS", value_delimiter = ',', required = true)]
        role_groups: Vec<String>,
        /// The group source to import; needed when the file has several
        #[arg(long, value_name = "SOURCE")]
        source: Option<String>,
    },
}

pub fn run(args: &ImportArgs, ui: &Ui) -> Result<Exit, AppError> {
    let imported = match &args.source {
        Source::Ansible { file, role_groups } => from_ansible(file, role_groups)?,
        Source::Clustershell {
            file,
            role_groups,
            source,
        } => from_clustershell(file, role_groups, source.as_deref())?,
    };
    let (what, name, bytes, imported) = imported;
    let imported = imported.map_err(|problems| {
        AppError::invalid(format!(
            "{name} cannot be imported; nothing was written:\n  {}",
            problems.join("\n  ")
        ))
    })?;
    let sha = crate::audit::record::sha256_hex(&bytes);
    ui.out(&format!(
        "# Imported by `opsguard import {what},\n\
         # sha256 {sha}. Check the roles: they decide what opsguard guards.\n{}",
        imported.yaml
    ));
    if !imported.unmapped.is_empty() {
        ui.warn(&format!(
            "UNMAPPED (no opsguard equivalent, left out): {}",
            imported.unmapped.join(", ")
        ));
    }
    Ok(Exit::Ok)
}

/// What the header says was read, the input's name and bytes, and the
/// inventory or every problem.
type Outcome = (String, String, Vec<u8>, Result<Imported, Vec<String>>);

fn from_ansible(file: &Path, role_groups: &[String]) -> Result<Outcome, AppError> {
    let (name, bytes) = input(file)?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::invalid(format!("{name} is not JSON: {e}"))
            .hint("give it the output of `ansible-inventory -i INVENTORY --list`")
    })?;
    let what = format!("ansible` from {name} (the JSON of ansible-inventory)");
    let imported = ansible(&json, role_groups);
    Ok((what, name, bytes, imported))
}

fn from_clustershell(
    file: &Path,
    role_groups: &[String],
    source: Option<&str>,
) -> Result<Outcome, AppError> {
    let (name, bytes) = input(file)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| AppError::invalid(format!("{name} is not UTF-8 text")))?;
    let groups = crate::clustershell::read(&name, text, source);
    let what = match &groups {
        Ok(g) => format!(
            "clustershell` from {name} (ClusterShell groups, source `{}`)",
            g.source
        ),
        Err(_) => String::new(),
    };
    let imported = groups.and_then(|g| clustershell(&g, role_groups));
    Ok((what, name, bytes, imported))
}

/// The bytes of `file`, or of stdin for `-`, and the name to give them.
fn input(file: &Path) -> Result<(String, Vec<u8>), AppError> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| AppError::new(Exit::Failed, format!("cannot read stdin: {e}")))?;
        return Ok(("stdin".to_string(), bytes));
    }
    let bytes = std::fs::read(file)
        .map_err(|e| AppError::invalid(format!("cannot read {}: {e}", file.display())))?;
    Ok((file.display().to_string(), bytes))
}

/// `3 hosts`, `1 group`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// An inventory as YAML, and what was left out (`ntp (3 hosts)`).
#[derive(Debug)]
pub struct Imported {
    pub yaml: String,
    pub unmapped: Vec<String>,
}

/// The one role group of `in_groups`, or why a host has none or two.
fn role_of(
    host: &str,
    in_groups: &BTreeSet<&str>,
    role_groups: &[String],
) -> Result<String, String> {
    let mine: Vec<&str> = role_groups
        .iter()
        .map(String::as_str)
        .filter(|r| in_groups.contains(r))
        .collect();
    match mine[..] {
        [one] => Ok(one.to_string()),
        [] => Err(format!("`{host}` is in none of the role groups")),
        _ => Err(format!(
            "`{host}` is in two role groups ({}): a host has one role",
            mine.join(", ")
        )),
    }
}

/// The `roles:` block: roles other than the two built in are declared
/// protected, as a role opsguard does not know is guarded until someone
/// says otherwise. Empty when only the built-in ones are used.
fn roles(used: &BTreeSet<String>) -> String {
    let extra: Vec<&String> = used
        .iter()
        .filter(|r| !matches!(r.as_str(), "live" | "backup"))
        .collect();
    let mut roles = String::new();
    if !extra.is_empty() {
        roles.push_str("roles:\n  live: {protected: true, color: red}\n  backup: {protected: false, color: green}\n");
        for r in extra {
            roles.push_str(&format!(
                "  {}: {{protected: true, color: magenta}}\n",
                quoted(r)
            ));
        }
    }
    roles
}

/// A string as a YAML scalar: JSON's quoting, which YAML reads.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
}
