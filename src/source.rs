//! Reading inventory and playbook files as text, within limits.
//!
//! Files are read whole; one that is too large or not UTF-8 text becomes a
//! syntax diagnostic at the place it goes wrong, never a panic or a hang.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::yaml::{Pos, SyntaxError};

/// `path` with `.` dropped and each `..` taking back the part before it,
/// as written (no symlink is followed): `dir/./live/` and `dir/x/../live`
/// are `dir/live`.
pub fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Inventory and playbook files larger than this are refused: real ones are
/// kilobytes, and a multi-megabyte file is a mistake (a log, a dump).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Invalid(SyntaxError),
}

pub fn read(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::Invalid(SyntaxError {
            pos: Pos {
                line: 1,
                column: 1,
                len: 0,
                end: None,
            },
            message: format!(
                "the file is larger than {} MiB; inventory and playbook files are small YAML documents",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        }));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..good]);
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError::Invalid(SyntaxError {
            pos: Pos {
                line: line as u32,
                column: column as u32,
                len: 1,
                end: None,
            },
            message: "the file is not UTF-8 text".into(),
        })
    })
}
