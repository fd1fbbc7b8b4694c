//! Checking the chain: every line a record in canonical form, every hash
//! right, seq without gaps, every `prev` the hash before it.
//!
//! Streams the file line by line, so memory does not grow with the log.
//! Lines are hashed as they stand (the writer only writes canonical
//! records; a line that is not canonical at its top level is itself a
//! finding), which keeps verification fast without trusting the content.

use std::io::BufRead;

use serde_json::value::RawValue;

use sha2::{Digest, Sha256};

use super::lines::Reader;
use super::record::{GENESIS, hex};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: u64,
    /// The last record's seq and hash, to pin in a ticket.
    pub head: Option<(u64, String)>,
    pub warnings: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    /// 1-based line in the file.
    pub line: u64,
    pub seq: Option<u64>,
    pub what: String,
}

/// A line that did not parse, waiting for the `audit.torn` record that
/// notes it.
struct Pending {
    line: u64,
    offset: u64,
    len: u64,
    sha256: String,
}

pub fn verify(input: impl BufRead, anchor: Option<(u64, &str)>) -> (Summary, Option<Broken>) {
    verify_after(input, None, anchor)
}

/// [`verify`] of a part of a chain that continues after record `after`
/// (its seq and hash), as `audit export --since` writes: its first record
/// must be the next one and link to that hash.
pub fn verify_after(
    input: impl BufRead,
    after: Option<(u64, &str)>,
    anchor: Option<(u64, &str)>,
) -> (Summary, Option<Broken>) {
    verify_with(input, after, anchor, |_, _| Ok(()))
}

/// [`verify_after`], with `also` checking each record whose place in the
/// chain holds (by its line number and top-level members) for what the
/// chain cannot show: a database row's columns.
pub fn verify_with(
    input: impl BufRead,
    after: Option<(u64, &str)>,
    anchor: Option<(u64, &str)>,
    mut also: impl FnMut(u64, &Members) -> Result<(), String>,
) -> (Summary, Option<Broken>) {
    let mut summary = Summary::default();
    let (mut last_seq, prev) = after.unwrap_or((0, GENESIS));
    let mut prev_hash = prev.to_string();
    let mut anchor_seen = false;
    let mut pending: Option<Pending> = None;
    let mut reader = Reader::new(input);
    let mut line_no = 0u64;
    let broken = loop {
        let next = match reader.next_line() {
            Ok(None) => break None,
            Ok(Some(next)) => next,
            Err(e) => {
                break Some(Broken {
                    line: line_no + 1,
                    seq: None,
                    what: format!("cannot read: {e}"),
                });
            }
        };
        line_no = next.number;
        let line_offset = next.offset;
        if !next.ended {
            break Some(Broken {
                line: line_no,
                seq: None,
                what: format!(
                    "torn tail: the last line ({} bytes) is incomplete and no later record notes it",
                    next.len
                ),
            });
        }
        // A line longer than any record is read through, never held.
        let line = next.bytes.unwrap_or_default();
        let mut fields = Members(Vec::with_capacity(16));
        if next.bytes.is_none() || fields.read(line).is_err() {
            if let Some(p) = &pending {
                break Some(Broken {
                    line: p.line,
                    seq: None,
                    what: "unparseable line".into(),
                });
            }
            pending = Some(Pending {
                line: line_no,
                offset: line_offset,
                len: next.len,
                sha256: next.sha256(),
            });
            continue;
        }
        let seq = fields.seq();
        let torn_note = fields
            .get("event")
            .is_some_and(|r| r.get() == "\"audit.torn\"");
        let fail = |what: String| {
            Some(Broken {
                line: line_no,
                seq,
                what,
            })
        };
        // The earliest broken line is the one to report: a bad line not
        // noted by the record right after it.
        if let (Some(p), false) = (&pending, torn_note) {
            break Some(Broken {
                line: p.line,
                seq: None,
                what: "unparseable line".into(),
            });
        }
        let hash = match fields.check(line, &prev_hash, last_seq) {
            Ok(hash) => hash,
            Err(Break::SeqGap { found, .. }) if summary.records == 0 && after.is_none() => {
                break fail(format!(
                    "the log starts at seq {found}, not 1: a part of a chain (audit export --since)? check it with --after {}:HASH, the hash of record {} from the whole log",
                    found.saturating_sub(1),
                    found.saturating_sub(1)
                ));
            }
            Err(what) => break fail(what.to_string()),
        };
        if let Err(what) = also(line_no, &fields) {
            break fail(what);
        }
        let seq = seq.unwrap_or_default();
        match (torn_note, pending.take()) {
            (true, Some(p)) => {
                let noted = fields.get("offset").map(|r| r.get().to_string());
                // In a part of a log (`--after`) offsets are the whole
                // file's: the length and SHA-256 still vouch for the line.
                if after.is_none() && noted.as_deref() != Some(p.offset.to_string().as_str()) {
                    break fail(format!(
                        "audit.torn names offset {} but the torn line starts at byte {}",
                        noted.as_deref().unwrap_or("none"),
                        p.offset
                    ));
                }
                // The torn bytes are in no hash: the record's length and
                // SHA-256 are what vouch for them.
                let length = fields.get("length").map(|r| r.get().to_string());
                let sha = fields
                    .get("sha256")
                    .map(|r| r.get().trim_matches('"').to_string());
                if length.as_deref() != Some(p.len.to_string().as_str())
                    || sha.as_deref() != Some(p.sha256.as_str())
                {
                    break fail(format!(
                        "audit.torn does not match the torn line at byte {} ({} bytes): it was changed",
                        p.offset, p.len
                    ));
                }
                summary.warnings.push(format!(
                    "line {}: a record torn by a crash ({} bytes at byte {}), noted by seq {seq}",
                    p.line, p.len, p.offset
                ));
            }
            (true, None) => break fail("audit.torn record with no torn line before it".into()),
            _ => {}
        }
        if let Some((anchor_seq, anchor_hash)) = anchor
            && seq == anchor_seq
        {
            anchor_seen = true;
            if hash != anchor_hash {
                break fail(format!(
                    "anchor mismatch: record {seq} has hash {hash}, the anchor says {anchor_hash} (the log was rewritten)"
                ));
            }
        }
        summary.records += 1;
        last_seq = seq;
        prev_hash.clear();
        prev_hash.push_str(&hash);
    };
    let broken = broken.or_else(|| {
        pending.map(|p| Broken {
            line: p.line,
            seq: None,
            what: "unparseable line".into(),
        })
    });
    if summary.records > 0 {
        summary.head = Some((last_seq, prev_hash));
    }
    let broken = broken.or_else(|| match anchor {
        Some((seq, _)) if !anchor_seen => Some(Broken {
            line: line_no,
            seq: None,
            what: format!(
                "anchor seq {seq} is not in the log ({} records): it was cut short or replaced",
                summary.records
            ),
        }),
        _ => None,
    });
    (summary, broken)
}

/// The seq and hash of `line` when it is a whole record that follows the
/// record `last_seq` with hash `prev_hash`: how a writer tells a record
/// that only lost its newline from a torn one.
pub(crate) fn next_record(line: &[u8], prev_hash: &str, last_seq: u64) -> Option<(u64, String)> {
    let mut fields = Members(Vec::with_capacity(16));
    fields.read(line).ok()?;
    let seq = fields.seq()?;
    let hash = fields.check(line, prev_hash, last_seq).ok()?;
    Some((seq, hash))
}

/// How a record breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Break {
    #[error(
        "not a canonical record (keys out of order, spaces, or a repeated key): edited by hand?"
    )]
    NotCanonical,
    #[error("unknown record version {0}")]
    Version(String),
    #[error("no hash")]
    NoHash,
    #[error("the hash is not 64 hex digits")]
    BadHash,
    #[error("hash mismatch: the record was changed after it was written")]
    HashMismatch,
    #[error("no seq")]
    NoSeq,
    #[error("seq gap: expected {expected}, found {found} (records removed, added or reordered)")]
    SeqGap { expected: u64, found: u64 },
    #[error("prev mismatch: the record does not link to the one before it")]
    PrevMismatch,
}

/// The top-level members of one record line, in the order written.
#[derive(Default)]
pub struct Members<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'a> Members<'a> {
    pub fn read(&mut self, line: &'a [u8]) -> Result<(), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(line);
        serde::de::DeserializeSeed::deserialize(Seed(&mut self.0), &mut de)?;
        de.end()
    }

    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The record's `seq`, when it is a number that can be one.
    pub fn seq(&self) -> Option<u64> {
        self.get("seq")?.get().parse().ok()
    }

    /// The member `key` when it is a string: borrowed from the line
    /// unless it holds escapes.
    pub fn text(&self, key: &str) -> Option<std::borrow::Cow<'a, str>> {
        let raw = self.get(key)?.get();
        serde_json::from_str::<&str>(raw)
            .map(std::borrow::Cow::Borrowed)
            .or_else(|_| serde_json::from_str::<String>(raw).map(std::borrow::Cow::Owned))
            .ok()
    }

    /// Checks the line against the chain; the record's hash when it holds.
    fn check(&self, line: &[u8], prev_hash: &str, last_seq: u64) -> Result<String, Break> {
        // Canonical at the top level: `{"k":v,...}` with keys strictly
        // increasing and each value exactly where assembly would put it.
        // (Values were written canonical and are covered by the hash.)
        let base = line.as_ptr() as usize;
        let not_canonical = || Break::NotCanonical;
        let mut at = 1;
        let mut hash_span = None;
        if line.first() != Some(&b'{') || line.last() != Some(&b'}') {
            return Err(not_canonical());
        }
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 && self.0[i - 1].0 >= *k {
                return Err(not_canonical());
            }
            let start = at;
            let key = line.get(at..at + k.len() + 3).ok_or_else(not_canonical)?;
            if key[0] != b'"' || &key[1..=k.len()] != k.as_bytes() || &key[k.len() + 1..] != b"\":"
            {
                return Err(not_canonical());
            }
            at += k.len() + 3;
            if v.get().as_ptr() as usize - base != at {
                return Err(not_canonical());
            }
            at += v.get().len();
            let sep = if i + 1 == self.0.len() { b'}' } else { b',' };
            if line.get(at) != Some(&sep) {
                return Err(not_canonical());
            }
            if *k == "hash" {
                hash_span = Some((start, at));
            }
            at += 1;
        }
        if at != line.len() {
            return Err(not_canonical());
        }
        match self.get("v").map(|r| r.get()) {
            Some("1") => {}
            other => {
                return Err(Break::Version(other.unwrap_or("(none)").to_string()));
            }
        }
        let (hash_start, hash_end) = hash_span.ok_or(Break::NoHash)?;
        let hash = std::str::from_utf8(&line[hash_start + r#""hash":"#.len()..hash_end])
            .ok()
            .and_then(|h| h.strip_prefix('"')?.strip_suffix('"'))
            .filter(|h| h.len() == 64)
            .ok_or(Break::BadHash)?;
        // The record without its hash member: the bytes around it, and the
        // comma that joined it to its neighbours dropped once.
        let mut digest = Sha256::new();
        if hash_start == 1 {
            digest.update(b"{");
            digest.update(&line[(hash_end + 1).min(line.len() - 1)..]);
        } else {
            digest.update(&line[..hash_start - 1]);
            digest.update(&line[hash_end..]);
        }
        if hex(&digest.finalize()) != hash {
            return Err(Break::HashMismatch);
        }
        let seq = self.seq().ok_or(Break::NoSeq)?;
        if seq != last_seq + 1 {
            return Err(Break::SeqGap {
                expected: last_seq + 1,
                found: seq,
            });
        }
        let prev = self.get("prev").map(|r| r.get());
        if prev.and_then(|p| p.strip_prefix('"')?.strip_suffix('"')) != Some(prev_hash) {
            return Err(Break::PrevMismatch);
        }
        Ok(hash.to_string())
    }
}

/// Collects a JSON object's members into a borrowed vector.
struct Seed<'v, 'a>(&'v mut Vec<(&'a str, &'a RawValue)>);

impl<'de, 'v> serde::de::DeserializeSeed<'de> for Seed<'v, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'v> serde::de::Visitor<'de> for Seed<'v, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an audit record")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((k, v)) = map.next_entry::<&'de str, &'de RawValue>()? {
            self.0.push((k, v));
        }
        Ok(())
    }
}
