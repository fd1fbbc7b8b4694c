//! Appending records: the only code that writes the audit log.
//!
//! Each append takes an exclusive lock on the file (std `File::lock`),
//! reads the last record to link to it, writes the new line with one
//! `write`, fsyncs, and unlocks, so any number of opsguard processes on one
//! machine keep one unbroken chain. The log is opened for appending only
//! and never rewritten. A last line left incomplete by a crash is not
//! dropped: the next writer ends it and records an `audit.torn` event that
//! names its offset, length and hash, then goes on from the last whole
//! record. Every failure is an error; the caller runs nothing after one.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::event::{AuditTorn, Event};
use super::record::{self, GENESIS, Identity};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot open the audit log {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the audit log {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the audit log {} is damaged at its end ({what}); run `opsguard audit verify --audit-log {}`", path.display(), path.display())]
    Damaged { path: PathBuf, what: String },
    #[error("the audit log {} is a symbolic link; opsguard does not write through links: name the file itself", path.display())]
    Link { path: PathBuf },
    #[error("the audit log {} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("the audit log {} was {what} while this session ran; the rest of the session cannot be recorded, so nothing more runs", path.display())]
    Replaced { path: PathBuf, what: &'static str },
    #[error("the audit database {server}: {message}")]
    Database { server: String, message: String },
    #[error("cannot reach the audit database {server}: {message}")]
    Unreachable { server: String, message: String },
    #[error("the audit database {server} cannot be reached, and only work known to be safe runs while it is away (its records wait in the spool {}; `opsguard audit push` sends them)", spool.display())]
    Offline { server: String, spool: PathBuf },
    #[error("the audit database {server} {what}")]
    Schema { server: String, what: String },
}

/// Where the chain stands after an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    pub seq: u64,
    pub hash: String,
    /// The lines written, in order: the record's, after an `audit.torn`
    /// when the append noted one.
    pub lines: Vec<String>,
}

pub struct Writer {
    path: PathBuf,
    file: File,
    /// The file's device and inode when the session opened it: every
    /// append checks that the path still names this file.
    opened: (u64, u64),
    identity: Identity,
    session: String,
}

/// A folder shared with a group (setgid, or group-writable) gets logs the
/// group can read.
fn mode_for(dir: &Path) -> u32 {
    let shared = std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o2020 != 0);
    if shared { 0o640 } else { 0o600 }
}

impl Writer {
    pub fn open(path: &Path, identity: Identity, session: String) -> Result<Writer, AuditError> {
        let open_err = |source| AuditError::Open {
            path: path.to_path_buf(),
            source,
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(open_err)?;
        }
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(mode_for(dir))
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(code) if code == nix::errno::Errno::ELOOP as i32 => AuditError::Link {
                    path: path.to_path_buf(),
                },
                _ => open_err(e),
            })?;
        let meta = file.metadata().map_err(open_err)?;
        if !meta.is_file() {
            return Err(AuditError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        if !existed {
            // The new file's name must survive a crash as well as its data.
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(open_err)?;
        }
        Ok(Writer {
            path: path.to_path_buf(),
            file,
            opened: (meta.dev(), meta.ino()),
            identity,
            session,
        })
    }

    /// The path still names the file the session opened: not removed, not
    /// replaced (by another file or a link).
    fn still_ours(&self) -> Result<(), AuditError> {
        let gone = |what| AuditError::Replaced {
            path: self.path.clone(),
            what,
        };
        let ours = self.file.metadata().map_err(|source| AuditError::Write {
            path: self.path.clone(),
            source,
        })?;
        match std::fs::symlink_metadata(&self.path) {
            Err(_) => Err(gone("removed")),
            Ok(m) if (m.dev(), m.ino()) != self.opened => Err(gone("replaced by another file")),
            Ok(_) if ours.nlink() == 0 => Err(gone("removed")),
            Ok(_) => Ok(()),
        }
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record of `event`, durably.
    pub fn append(&mut self, event: &Event) -> Result<Appended, AuditError> {
        let mut fields = event.fields();
        let name = match fields.remove("event") {
            Some(Value::String(name)) => name,
            _ => unreachable!("every event is tagged with its name"),
        };
        self.append_fields(&name, fields)
    }

    /// Append one record of `event` with any `fields`, durably: the
    /// writer's own step. opsguard writes only typed [`Event`]s; this is
    /// public for the tests that forge logs a real session would not
    /// write.
    #[doc(hidden)]
    pub fn append_fields(
        &mut self,
        event: &str,
        fields: Map<String, Value>,
    ) -> Result<Appended, AuditError> {
        let write_err = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.lock().map_err(write_err)?;
        let result = self
            .still_ours()
            .and_then(|()| self.append_locked(event, fields));
        let unlocked = self.file.unlock();
        let appended = result?;
        unlocked.map_err(|source| AuditError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(appended)
    }

    fn append_locked(
        &mut self,
        event: &str,
        fields: Map<String, Value>,
    ) -> Result<Appended, AuditError> {
        let tail = read_tail(&mut self.file).map_err(|e| match e {
            TailError::Io(source) => AuditError::Write {
                path: self.path.clone(),
                source,
            },
            TailError::Damaged(what) => AuditError::Damaged {
                path: self.path.clone(),
                what,
            },
        })?;
        let now = OffsetDateTime::now_utc();
        let mut text = String::new();
        let mut lines = Vec::new();
        let (mut seq, mut prev) = (tail.seq, tail.hash);
        // A whole record that only lost its newline is ended, not torn.
        let whole = tail.torn.as_ref().and_then(|t| {
            let line = read_range(&mut self.file, t.offset, t.length).ok()??;
            super::verify::next_record(&line, &prev, seq)
        });
        if let Some((last, hash)) = whole {
            text.push('\n');
            (seq, prev) = (last, hash);
        } else if let Some(t) = &tail.torn {
            text.push('\n');
            let torn = Event::AuditTorn(AuditTorn {
                offset: t.offset,
                length: t.length,
                sha256: t.sha256.clone(),
            })
            .fields();
            seq += 1;
            let (line, hash) = record::seal(self.base(seq, now, torn), &prev);
            text.push_str(&line);
            text.push('\n');
            lines.push(line);
            prev = hash;
        }
        seq += 1;
        let mut fields = fields;
        fields.insert("event".into(), json!(event));
        let (line, hash) = record::seal(self.base(seq, now, fields), &prev);
        text.push_str(&line);
        text.push('\n');
        let write_err = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(text.as_bytes()).map_err(write_err)?;
        self.file.sync_data().map_err(write_err)?;
        lines.push(line);
        Ok(Appended { seq, hash, lines })
    }

    fn base(
        &self,
        seq: u64,
        now: OffsetDateTime,
        mut fields: Map<String, Value>,
    ) -> Map<String, Value> {
        fields.insert("v".into(), json!(record::VERSION));
        fields.insert("seq".into(), json!(seq));
        fields.insert("ts".into(), json!(record::timestamp(now)));
        fields.insert("session".into(), json!(self.session));
        fields.insert("user".into(), json!(self.identity.user));
        fields.insert("workstation".into(), json!(self.identity.workstation));
        fields.insert("pid".into(), json!(self.identity.pid));
        fields
    }
}

/// The end of the log: the last whole record's seq and hash, and an
/// incomplete last line if there is one.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Tail {
    pub seq: u64,
    pub hash: String,
    pub torn: Option<Torn>,
}

/// An incomplete last line: where it starts, how long it is, its SHA-256.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Torn {
    pub offset: u64,
    pub length: u64,
    pub sha256: String,
}

#[derive(Debug)]
pub(crate) enum TailError {
    Io(std::io::Error),
    Damaged(String),
}

/// How much of the file is read at a time, backwards or forwards.
const CHUNK: usize = 64 * 1024;

/// Reads the end of the log with bounded memory, however long its lines:
/// the torn part after the last newline is hashed as it is read, and the
/// last whole line is only read if it could be a record.
pub(crate) fn read_tail(file: &mut File) -> Result<Tail, TailError> {
    let len = file.metadata().map_err(TailError::Io)?.len();
    let last_newline = newline_before(file, len)?;
    let torn_at = last_newline.map_or(0, |i| i + 1);
    let torn = if torn_at < len {
        Some(Torn {
            offset: torn_at,
            length: len - torn_at,
            sha256: hash_range(file, torn_at, len)?,
        })
    } else {
        None
    };
    let Some(end) = last_newline else {
        return Ok(Tail {
            seq: 0,
            hash: GENESIS.into(),
            torn,
        });
    };
    let start = newline_before(file, end)?.map_or(0, |i| i + 1);
    if end - start > super::lines::MAX_LINE as u64 {
        return Err(TailError::Damaged(format!(
            "its last line is {} bytes, longer than any record",
            end - start
        )));
    }
    let mut line = vec![0; (end - start) as usize];
    file.seek(SeekFrom::Start(start)).map_err(TailError::Io)?;
    file.read_exact(&mut line).map_err(TailError::Io)?;
    let record: Value = serde_json::from_slice(&line)
        .map_err(|_| TailError::Damaged("its last line is not a record".into()))?;
    let seq = record["seq"]
        .as_u64()
        .ok_or_else(|| TailError::Damaged("its last record has no seq".into()))?;
    let hash = record["hash"]
        .as_str()
        .filter(|h| h.len() == 64)
        .ok_or_else(|| TailError::Damaged("its last record has no hash".into()))?;
    Ok(Tail {
        seq,
        hash: hash.to_string(),
        torn,
    })
}

/// `len` bytes at `from`, unless they are more than a record can be.
fn read_range(file: &mut File, from: u64, len: u64) -> std::io::Result<Option<Vec<u8>>> {
    if len > super::lines::MAX_LINE as u64 {
        return Ok(None);
    }
    let mut buf = vec![0; len as usize];
    file.seek(SeekFrom::Start(from))?;
    file.read_exact(&mut buf)?;
    Ok(Some(buf))
}

/// The offset of the last newline before byte `pos`, read backwards a
/// chunk at a time.
fn newline_before(file: &mut File, pos: u64) -> Result<Option<u64>, TailError> {
    let mut end = pos;
    let mut buf = vec![0; CHUNK];
    while end > 0 {
        let start = end.saturating_sub(CHUNK as u64);
        let part = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start)).map_err(TailError::Io)?;
        file.read_exact(part).map_err(TailError::Io)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(start + i as u64));
        }
        end = start;
    }
    Ok(None)
}

/// The SHA-256 of bytes `from..to`, read a chunk at a time.
fn hash_range(file: &mut File, from: u64, to: u64) -> Result<String, TailError> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0; CHUNK];
    file.seek(SeekFrom::Start(from)).map_err(TailError::Io)?;
    let mut left = to - from;
    while left > 0 {
        let part = &mut buf[..left.min(CHUNK as u64) as usize];
        file.read_exact(part).map_err(TailError::Io)?;
        hasher.update(&*part);
        left -= part.len() as u64;
    }
    Ok(record::hex(&hasher.finalize()))
}
