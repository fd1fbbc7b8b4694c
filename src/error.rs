//! The one error that crosses the edge of the program, and the exit codes
//! it maps to. Every exit code opsguard documents is decided here.

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
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Something that stops a command, with the exit code it means.
#[derive(Debug)]
pub struct AppError {
    pub exit: Exit,
    pub message: String,
}

impl AppError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        AppError {
            exit,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(Exit::Invalid, message)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

pub type Result<T> = std::result::Result<T, AppError>;
