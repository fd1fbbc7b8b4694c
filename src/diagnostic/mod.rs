//! Problems found in the inventory and playbooks, with the place they point
//! at and a stable code.
//!
//! Every reader reports into a list of [`Diagnostic`]s instead of stopping at
//! the first problem, so one `opsguard validate` shows everything that needs
//! fixing. Codes are part of the contract (CI jobs and editors match on
//! them): never renumber one. Rendering lives in [`render`]; nothing here
//! prints.

pub mod render;
pub mod sarif;

use std::fmt;
use std::sync::Arc;

use crate::yaml::Pos;

/// A place in a source file: the file as the user named it, and a position.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: Arc<str>,
    pub pos: Pos,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.column)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The stable codes of `opsguard validate`, as listed in the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// YAML syntax error.
    E001,
    /// Unknown field.
    E002,
    /// Missing required field.
    E003,
    /// Invalid value (type, duration, number, role name).
    E004,
    /// Duplicate key or duplicate host.
    E005,
    /// Two hosts that are one place (the same local folder, or the same
    /// SSH address and port) carry different roles.
    E006,
    /// Selector names an unknown host, group or role.
    E010,
    /// Selector matches no host.
    E011,
    /// Mirror names an unknown host.
    E012,
    /// Destructive step without `role`.
    E020,
    /// Step selects a host whose role differs from the step's `role`.
    E021,
    /// Destructive step selects hosts of more than one role.
    E022,
    /// Step declares `destructive: false` but its command is destructive.
    E023,
    /// Destructive step on a protected role without `change`.
    W101,
    /// Destructive step on a protected role without `serial`.
    W102,
    /// Playbook without `description`.
    W103,
    /// Step whose command is not known to be safe, on a role that guards
    /// such commands.
    W104,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E006 => "E006",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E020 => "E020",
            Code::E021 => "E021",
            Code::E022 => "E022",
            Code::E023 => "E023",
            Code::W101 => "W101",
            Code::W102 => "W102",
            Code::W103 => "W103",
            Code::W104 => "W104",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::W101 | Code::W102 | Code::W103 | Code::W104 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One line on what the code means, for SARIF's `shortDescription`.
    pub fn summary(self) -> &'static str {
        match self {
            Code::E001 => "YAML syntax error",
            Code::E002 => "unknown field",
            Code::E003 => "missing required field",
            Code::E004 => "invalid value",
            Code::E005 => "duplicate key or duplicate host",
            Code::E006 => "one place under two roles",
            Code::E010 => "selector names an unknown host, group or role",
            Code::E011 => "selector matches no host",
            Code::E012 => "mirror names an unknown host",
            Code::E020 => "destructive step without role",
            Code::E021 => "step selects a host whose role differs from the step's role",
            Code::E022 => "destructive step selects hosts of more than one role",
            Code::E023 => "step declares destructive: false but its command is destructive",
            Code::W101 => "destructive step on a protected role without change",
            Code::W102 => "destructive step on a protected role without serial",
            Code::W103 => "playbook without description",
            Code::W104 => "step command not known to be safe on a role that guards it",
        }
    }

    /// What the code means and what to do about it, for SARIF's
    /// `fullDescription`: the table of `opsguard validate` in
    /// docs/commands.md says the same (a test holds the two together).
    pub fn description(self) -> &'static str {
        match self {
            Code::E001 => {
                "YAML syntax error (also: not UTF-8, binary, larger than 8 MiB, nested deeper than 32)"
            }
            Code::E002 => "unknown field (the nearest known one is suggested)",
            Code::E003 => "missing required field",
            Code::E004 => {
                "invalid value (type, duration, number, role name, colour, window, mirror loop, mirror of another role)"
            }
            Code::E005 => "duplicate key or duplicate host (naming both places, across files)",
            Code::E006 => {
                "one place under two roles: two `connection: local` hosts whose `workdir` is the same folder (however written: `./live/`, `a/../live`, a symlink), or two SSH hosts with the same address and port (as ssh_config's `HostName` and `Port` resolve them), carry different roles (typing one role would confirm work on the other's data)"
            }
            Code::E010 => "selector names an unknown host, group or role",
            Code::E011 => "selector matches no host",
            Code::E012 => "mirror names an unknown host",
            Code::E020 => "destructive step without `role`",
            Code::E021 => "step selects a host whose role differs from the step's `role`",
            Code::E022 => "destructive step selects hosts of more than one role",
            Code::E023 => "step declares `destructive: false` but its command is destructive",
            Code::W101 => "destructive step on a protected role without `change`",
            Code::W102 => "destructive step on a protected role without `serial`",
            Code::W103 => "playbook without `description`",
            Code::W104 => {
                "step whose command is not known to be safe, on a role whose `unknown_commands` is `guard` (it will meet the guards; declare the tool in `policy.safe_patterns` if it only reads)"
            }
        }
    }

    pub const ALL: [Code; 17] = [
        Code::E001,
        Code::E002,
        Code::E003,
        Code::E004,
        Code::E005,
        Code::E006,
        Code::E010,
        Code::E011,
        Code::E012,
        Code::E020,
        Code::E021,
        Code::E022,
        Code::E023,
        Code::W101,
        Code::W102,
        Code::W103,
        Code::W104,
    ];
}

/// One problem at one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub code: Code,
    pub message: String,
    /// What to do about it, when there is something better to say than the
    /// message already does.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(loc: Loc, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            code,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// Diagnostics collected while reading one or more files.
#[derive(Debug, Default)]
pub struct Report {
    pub items: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn errors(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// In file order, then by position, so output is stable and reads top
    /// to bottom.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.loc.file, a.loc.pos.line, a.loc.pos.column, a.code)
                .cmp(&(&b.loc.file, b.loc.pos.line, b.loc.pos.column, b.code))
        });
        self.items.dedup();
    }
}

/// The text of the files diagnostics point into, so they can be shown with
/// their source line.
#[derive(Debug, Default)]
pub struct Sources {
    files: std::collections::HashMap<Arc<str>, Arc<str>>,
}

impl Sources {
    pub fn add(&mut self, file: Arc<str>, text: Arc<str>) {
        self.files.insert(file, text);
    }

    /// The text of line `line` (1-based) of `file`, without its newline.
    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        let text = self.files.get(file)?;
        text.lines()
            .nth(line.checked_sub(1)? as usize)
            .map(|l| l.trim_end_matches('\r'))
    }
}

/// The known name nearest to `unknown`, if it is close enough to be a
/// likely typo ("rol" → "role", "destructve" → "destructive"). Distance is
/// optimal string alignment: a swap of two neighbours counts as one edit,
/// so `rnu` is one edit from `run`.
pub fn nearest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let unknown = unknown.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&unknown, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(unknown.len()) / 3).max(1) && *d < unknown.len())
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(nearest("rnu", &["run", "name"]), Some("run"));
        let known = ["role", "address", "groups", "mirror", "destructive", "z"];
        for (typo, want) in [
            ("rol", Some("role")),
            ("adress", Some("address")),
            ("group", Some("groups")),
            ("destructve", Some("destructive")),
            ("Role", Some("role")),
            ("rnu", None),
            ("colour", None),
            ("x", None),
            ("y", None),
        ] {
            assert_eq!(nearest(typo, &known), want, "{typo}");
        }
    }

    #[test]
    fn codes_have_their_severity() {
        for code in Code::ALL {
            let warn = code.as_str().starts_with('W');
            assert_eq!(code.severity() == Severity::Warning, warn, "{code:?}");
        }
    }
}
