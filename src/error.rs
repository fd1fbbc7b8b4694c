//! The one error that crosses the edge of the program, and the exit codes
//! it maps to. Every exit code opsguard documents is decided here.

use std::error::Error;
use std::fmt;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// A command failed or a host was unreachable.
    Failed = 1,
    /// Usage error, or invalid inventory or playbook: nothing ran.
    Invalid = 2,
    /// Refused by a guard.
    Refused = 3,
    /// The audit log cannot be written, or its chain is broken.
    Audit = 4,
    Interrupted = 130,
}

impl Exit {
    /// Every code, in order: what the man pages' EXIT STATUS lists.
    pub const ALL: [Exit; 6] = [
        Exit::Ok,
        Exit::Failed,
        Exit::Invalid,
        Exit::Refused,
        Exit::Audit,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// What the code tells a script, as docs/exit-codes.md words it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success",
            Exit::Failed => "a command failed or a host was unreachable on at least one host",
            Exit::Invalid => "usage error, or invalid inventory/playbook (nothing was run)",
            Exit::Refused => "refused by a guard (nothing was run on any host after the refusal)",
            Exit::Audit => "audit log cannot be written, or `audit verify` found a broken chain",
            Exit::Interrupted => "interrupted (SIGINT/SIGTERM)",
        }
    }
}

/// Something that stops a command, with the exit code it means: what
/// happened (the message, whole, as every error in opsguard reads: it
/// already quotes its cause), the error underneath (kept as the source,
/// for callers that must tell causes apart), and what the operator can do
/// (shown as `hint:` lines).
#[derive(Debug)]
pub struct AppError {
    pub exit: Exit,
    pub message: String,
    source: Option<Box<dyn Error + Send + Sync + 'static>>,
    hints: Vec<String>,
}

impl AppError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        AppError {
            exit,
            message: message.into(),
            source: None,
            hints: Vec::new(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(Exit::Invalid, message)
    }

    /// An error whose text is the message, kept as the source.
    pub fn of(exit: Exit, source: impl Error + Send + Sync + 'static) -> Self {
        AppError::new(exit, source.to_string()).because(source)
    }

    /// The error underneath, kept as this error's source.
    pub fn because(mut self, source: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What the operator can do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn hints(&self) -> &[String] {
        &self.hints
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for AppError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &dyn Error)
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_means_what_the_docs_say() {
        let docs = include_str!("../docs/exit-codes.md");
        for exit in Exit::ALL {
            let row = format!("| {} | {} |", exit.code(), exit.meaning());
            assert!(docs.contains(&row), "docs/exit-codes.md lacks {row}");
        }
        let rows = docs
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| code"));
        assert_eq!(
            rows.count(),
            Exit::ALL.len(),
            "a documented code that Exit lacks"
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the audit log /x: {0}")]
    struct Open(#[source] std::io::Error);

    #[test]
    fn the_cause_is_kept_and_the_hints_follow() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let e = AppError::of(Exit::Audit, Open(io)).hint("pass --audit-log PATH");
        assert_eq!(
            e.to_string(),
            "cannot open the audit log /x: Permission denied"
        );
        assert_eq!(e.hints(), ["pass --audit-log PATH"]);
        let open = e.source().unwrap().downcast_ref::<Open>().unwrap();
        assert_eq!(
            open.0.kind(),
            std::io::ErrorKind::PermissionDenied,
            "the cause underneath stays reachable"
        );
    }
}
