//! `opsguard validate [PATH...]`: check the inventory and playbooks offline
//! and report every problem, for people (text) and CI (json, github,
//! sarif).
//!
//! The inventory named by `-i` is always checked. PATHs are files or
//! folders, searched recursively for `*.yaml`/`*.yml`; without PATHs, the
//! `playbooks` folder is checked when there is one. A file with a
//! top-level `steps:` is a playbook; one with `settings:`, `roles:` or
//! `policy:`, or `hosts:` without `name:`, is an inventory and is checked
//! on its own. Playbooks are checked against the `-i` inventory.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::GlobalArgs;
use crate::diagnostic::{Report, Sources, render, sarif};
use crate::error::{AppError, Exit};
use crate::inventory::{self, is_yaml};
use crate::playbook;
use crate::source::ReadError;
use crate::ui::{Stream, Ui};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
    Github,
    Sarif,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Playbook (or inventory) files and folders [default: ./playbooks when present]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ValidateFormat,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    /// With --format sarif: the published address (http or https) of
    /// opsguard's docs/commands.md, for each rule's helpUri
    #[arg(long, value_name = "URL")]
    pub docs_url: Option<String>,
}

pub fn run(g: &GlobalArgs, args: &ValidateArgs, ui: &Ui) -> Result<Exit, AppError> {
    if let Some(url) = &args.docs_url {
        // An absolute address, or code scanning refuses the whole report.
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        // Only what a URI may hold (RFC 3986), `%` as an escape, no
        // fragment: the anchor of the codes is added to it.
        let uri_chars = |r: &str| {
            let b = r.as_bytes();
            b.iter().enumerate().all(|(i, &c)| match c {
                b'%' => b
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                b'#' => false,
                c => c.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=".contains(&c),
            })
        };
        if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && uri_chars(r)) {
            return Err(AppError::invalid(format!(
                "--docs-url `{url}` is not an http(s) address without a fragment (the address of docs/commands.md)"
            )));
        }
        if args.format != ValidateFormat::Sarif {
            return Err(AppError::invalid("--docs-url is for --format sarif"));
        }
    }
    let mut report = Report::default();
    let mut sources = Sources::default();
    let inv_path = g.inventory_path();
    let inv = super::read_inventory(g, &mut report, &mut sources)?;
    let inventory_files: Vec<PathBuf> = inv
        .files
        .iter()
        .filter_map(|f| f.canonicalize().ok())
        .collect();

    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        Some(PathBuf::from("playbooks"))
            .filter(|p| p.is_dir())
            .into_iter()
            .collect()
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for root in &roots {
        collect(root, &mut files)
            .map_err(|e| AppError::invalid(format!("cannot read {}: {e}", root.display())))?;
    }
    files.retain(|f| {
        f.canonicalize()
            .map_or(true, |c| !inventory_files.contains(&c))
    });

    let (mut playbooks, mut inventories) = (0, 0);
    for file in &files {
        let name: std::sync::Arc<str> = file.display().to_string().into();
        let text = match crate::source::read(file) {
            Ok(text) => text,
            Err(ReadError::Invalid(e)) => {
                report.push(crate::diagnostic::Diagnostic::new(
                    crate::diagnostic::Loc {
                        file: name,
                        pos: e.pos,
                    },
                    crate::diagnostic::Code::E001,
                    e.message,
                ));
                continue;
            }
            Err(ReadError::Io(e)) => {
                return Err(AppError::invalid(format!(
                    "cannot read {}: {e}",
                    file.display()
                )));
            }
        };
        sources.add(name.clone(), text.as_str().into());
        if looks_like_inventory(&text) {
            inventories += 1;
            let mut reader = inventory::schema::Reader::default();
            reader.read_file(name, file, &text, &mut report);
            reader.finish(&mut report);
        } else {
            playbooks += 1;
            if let Some(pb) = playbook::schema::read(name, &text, &mut report) {
                playbook::rules::check(&pb, &inv, &mut report);
            }
        }
    }

    report.sort();
    let out = match args.format {
        ValidateFormat::Text => render::text(&report.items, &sources, ui.color(Stream::Out)),
        ValidateFormat::Json => render::json(&report.items),
        ValidateFormat::Github => render::github(&report.items),
        ValidateFormat::Sarif => {
            let root = std::env::current_dir()
                .map_err(|e| AppError::invalid(format!("cannot read the current folder: {e}")))?;
            sarif::render(&report.items, &sources, &root, args.docs_url.as_deref())
        }
    };
    ui.out(&out);
    let (errors, warnings) = (report.errors(), report.warnings());
    let extra = if inventories > 0 {
        format!(", {inventories} other inventory file(s)")
    } else {
        String::new()
    };
    ui.status(&format!(
        "checked inventory {} ({} hosts), {playbooks} playbook(s){extra}: {errors} error(s), {warnings} warning(s)",
        inv_path.display(),
        inv.hosts.len()
    ));
    if errors > 0 || (args.strict && warnings > 0) {
        return Ok(Exit::Invalid);
    }
    Ok(Exit::Ok)
}

/// Every YAML file at or under `path`, in name order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if is_yaml(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

/// Top-level keys decide: `steps` makes a playbook; `settings`, `roles`,
/// `policy`, or `hosts` without `name`, an inventory.
fn looks_like_inventory(text: &str) -> bool {
    let top = |key: &str| {
        text.lines().any(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
    };
    if top("steps") {
        return false;
    }
    top("settings") || top("roles") || top("policy") || (top("hosts") && !top("name"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sniffs_file_kinds() {
        for (text, inventory) in [
            ("hosts:\n  a: {role: live}\n", true),
            ("settings:\n  user: x\n", true),
            ("name: x\nhosts: a\nsteps: []\n", false),
            ("name: x\nhosts: a\n", false),
            ("steps:\n  - name: x\n", false),
            ("", false),
        ] {
            assert_eq!(super::looks_like_inventory(text), inventory, "{text}");
        }
    }
}
