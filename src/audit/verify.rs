//! Checking the chain: every line a record in canonical form, every hash
//! right, seq without gaps, every `prev` the hash before it.
//!
//! Streams the file line by line, so memory does not grow with the log.
//! Lines are hashed as they stand (the writer only writes canonical
//! records; a line that is not canonical at its top level is itself a
//! finding), which keeps verification fast without trusting the content.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde_json::value::RawValue;

use super::record::{self, GENESIS, VERSION};

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
    len: usize,
}

pub fn verify(mut input: impl BufRead, anchor: Option<(u64, &str)>) -> (Summary, Option<Broken>) {
    let mut summary = Summary::default();
    let mut prev_hash = GENESIS.to_string();
    let mut last_seq = 0u64;
    let mut anchor_seen = false;
    let mut pending: Option<Pending> = None;
    let mut buf = Vec::new();
    let (mut line_no, mut offset) = (0u64, 0u64);
    let broken = loop {
        buf.clear();
        let n = match input.read_until(b'\n', &mut buf) {
            Ok(0) => break None,
            Ok(n) => n,
            Err(e) => {
                break Some(Broken {
                    line: line_no + 1,
                    seq: None,
                    what: format!("cannot read: {e}"),
                });
            }
        };
        line_no += 1;
        let line_offset = offset;
        offset += n as u64;
        if buf.last() != Some(&b'\n') {
            break Some(Broken {
                line: line_no,
                seq: None,
                what: format!(
                    "torn tail: the last line ({n} bytes) is incomplete and no later record notes it"
                ),
            });
        }
        let line = &buf[..n - 1];
        let fields: BTreeMap<&str, &RawValue> = match serde_json::from_slice(line) {
            Ok(f) => f,
            Err(_) => {
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
                    len: line.len(),
                });
                continue;
            }
        };
        let seq = fields.get("seq").and_then(|r| r.get().parse::<u64>().ok());
        let fail = |what: String| {
            Some(Broken {
                line: line_no,
                seq,
                what,
            })
        };
        let event = string(&fields, "event").unwrap_or_default();
        // The earliest broken line is the one to report: a bad line not
        // noted by the record right after it.
        if let (Some(p), false) = (&pending, event == "audit.torn") {
            break Some(Broken {
                line: p.line,
                seq: None,
                what: "unparseable line".into(),
            });
        }
        if let Err(what) = check(&fields, line, &prev_hash, last_seq) {
            break fail(what);
        }
        let seq = seq.unwrap_or_default();
        let hash = string(&fields, "hash").unwrap_or_default();
        match (event.as_str(), pending.take()) {
            ("audit.torn", Some(p)) => {
                let noted = fields.get("offset").map(|r| r.get());
                if noted != Some(p.offset.to_string().as_str()) {
                    break fail(format!(
                        "audit.torn names offset {} but the torn line starts at byte {}",
                        noted.unwrap_or("none"),
                        p.offset
                    ));
                }
                summary.warnings.push(format!(
                    "line {}: a record torn by a crash ({} bytes at byte {}), noted by seq {seq}",
                    p.line, p.len, p.offset
                ));
            }
            ("audit.torn", None) => {
                break fail("audit.torn record with no torn line before it".into());
            }
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
        prev_hash = hash.clone();
        summary.head = Some((seq, hash));
    };
    let broken = broken.or_else(|| {
        pending.map(|p| Broken {
            line: p.line,
            seq: None,
            what: "unparseable line".into(),
        })
    });
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

fn string(fields: &BTreeMap<&str, &RawValue>, key: &str) -> Option<String> {
    fields
        .get(key)
        .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
}

/// One record against the one before it.
fn check(
    fields: &BTreeMap<&str, &RawValue>,
    line: &[u8],
    prev_hash: &str,
    last_seq: u64,
) -> Result<(), String> {
    // The line must be the canonical assembly of its own members.
    let mut canonical = Vec::with_capacity(line.len());
    let mut without_hash = Vec::with_capacity(line.len());
    canonical.push(b'{');
    without_hash.push(b'{');
    for (i, (k, v)) in fields.iter().enumerate() {
        let member = format!(
            "{}:{}",
            serde_json::to_string(k).unwrap_or_default(),
            v.get()
        );
        if i > 0 {
            canonical.push(b',');
        }
        canonical.extend(member.as_bytes());
        if *k != "hash" {
            if without_hash.len() > 1 {
                without_hash.push(b',');
            }
            without_hash.extend(member.as_bytes());
        }
    }
    canonical.push(b'}');
    without_hash.push(b'}');
    if canonical != line {
        return Err("not a canonical record (keys out of order, spaces, or a repeated key): edited by hand?".into());
    }
    match fields.get("v").map(|r| r.get()) {
        Some(v) if v == VERSION.to_string() => {}
        other => {
            return Err(format!(
                "unknown record version {}",
                other.unwrap_or("(none)")
            ));
        }
    }
    let hash = string(fields, "hash").ok_or("no hash")?;
    if record::sha256_hex(&without_hash) != hash {
        return Err("hash mismatch: the record was changed after it was written".into());
    }
    let seq = fields
        .get("seq")
        .and_then(|r| r.get().parse::<u64>().ok())
        .ok_or("no seq")?;
    if seq != last_seq + 1 {
        return Err(format!(
            "seq gap: expected {}, found {seq} (records removed, added or reordered)",
            last_seq + 1
        ));
    }
    if string(fields, "prev").as_deref() != Some(prev_hash) {
        return Err("prev mismatch: the record does not link to the one before it".into());
    }
    Ok(())
}
