//! One audit record: its canonical form, its hash, and the pieces every
//! record carries.
//!
//! Canonical form, so that any program can check the chain: JSON with the
//! keys of every object sorted by their UTF-8 bytes, no whitespace, strings
//! escaped minimally (`"` `\` and control characters; `\n` `\r` `\t` `\b`
//! `\f` by name, others as `\u00XX`), numbers as integers. `hash` is the
//! lowercase hex SHA-256 of the canonical record without its `hash` key;
//! the line in the file is the canonical record with it.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Schema version of the records this opsguard writes.
pub const VERSION: u64 = 1;

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How much of each output stream is kept in the log.
pub const OUTPUT_LIMIT: usize = crate::transport::HEAD;

/// Canonical JSON of a value. Sorts explicitly: serde_json's own map order
/// depends on a crate feature that any dependency could switch on.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes (a digest) as lowercase hex. On every record's path (sealing,
/// `verify`): a table, not a `format!` per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Seal a record: set `prev`, compute `hash`, return the line to write
/// (without its newline) and the hash.
pub fn seal(mut record: Map<String, Value>, prev: &str) -> (String, String) {
    record.remove("hash");
    record.insert("prev".into(), Value::String(prev.to_string()));
    let hash = sha256_hex(canonical(&Value::Object(record.clone())).as_bytes());
    record.insert("hash".into(), Value::String(hash.clone()));
    (canonical(&Value::Object(record)), hash)
}

/// A record to be sealed by someone who knows only then its `seq`, `ts`
/// and `prev` (the database server, under the chain's lock): its
/// canonical form with those values left as markers (`\x01S`, `\x01T`,
/// `\x01P`) and `\x02` where `"hash":"…",` goes. Canonical text escapes
/// every control character, so the markers cannot occur in it otherwise.
/// [`fill`] (or the server's `opsguard.append`) completes it exactly as
/// [`seal`] would have.
pub fn template(mut record: Map<String, Value>) -> String {
    for key in ["seq", "ts", "prev", "hash"] {
        record.remove(key);
    }
    let mut keys: Vec<&str> = record.keys().map(String::as_str).collect();
    keys.extend(["seq", "ts", "prev"]);
    keys.sort_unstable();
    let mut out = String::from("{");
    let mut marked = false;
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if !marked && key > "hash" {
            // `prev` always follows, so a comma always does.
            out.push('\x02');
            marked = true;
        }
        out.push_str(&Value::String(key.to_string()).to_string());
        out.push(':');
        match key {
            "seq" => out.push_str("\x01S"),
            "ts" => out.push_str("\x01T"),
            "prev" => out.push_str("\x01P"),
            _ => write_canonical(&record[key], &mut out),
        }
    }
    out.push('}');
    out
}

/// A [`template`] completed: the line and its hash, as [`seal`] gives
/// them for the same record.
pub fn fill(template: &str, seq: u64, ts: &str, prev: &str) -> (String, String) {
    let unsealed = template
        .replace("\x01S", &seq.to_string())
        .replace("\x01T", &format!("\"{ts}\""))
        .replace("\x01P", &format!("\"{prev}\""));
    let hash = sha256_hex(unsealed.replace('\x02', "").as_bytes());
    (
        unsealed.replace('\x02', &format!("\"hash\":\"{hash}\",")),
        hash,
    )
}

/// The text the log keeps of `bytes`: at most [`OUTPUT_LIMIT`] bytes, cut
/// at a character boundary, invalid UTF-8 replaced; and where it was cut.
pub fn kept_text(bytes: &[u8]) -> (String, usize) {
    let mut cut = bytes.len().min(OUTPUT_LIMIT);
    while cut < bytes.len() && cut > 0 && (bytes[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    (String::from_utf8_lossy(&bytes[..cut]).into_owned(), cut)
}

/// A stream of command output as the log keeps it: the first 64 KiB as
/// text (cut at a character boundary, invalid UTF-8 replaced), whether it
/// was cut, the full size, and the SHA-256 of the full stream.
pub fn output(bytes: &[u8]) -> Value {
    let (text, cut) = kept_text(bytes);
    serde_json::json!({
        "text": text,
        "truncated": cut < bytes.len(),
        "bytes": bytes.len(),
        "sha256": sha256_hex(bytes),
    })
}

/// Who is writing: the same on every record of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub workstation: String,
    pub pid: u32,
}

impl Identity {
    /// The local user as the password database names this process's uid
    /// (not `$USER`, which anyone can set), this machine's host name, and
    /// this process.
    pub fn current() -> Identity {
        let user =
            crate::account::user_name().unwrap_or_else(|| format!("uid-{}", crate::account::uid()));
        let workstation = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown".into());
        Identity {
            user,
            workstation,
            pid: std::process::id(),
        }
    }
}

/// A new session id: UTC time, then random hex, so ids sort by start time
/// and a prefix names a session unambiguously in practice.
pub fn new_session_id(now: time::OffsetDateTime) -> String {
    let mut random = [0u8; 6];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut random);
    }
    let tail: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z-{tail}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// RFC 3339 in UTC with milliseconds: `2026-11-22T10:01:02.123Z`.
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_at_every_level_without_spaces() {
        let v =
            json!({"b": 1, "a": {"z": [true, null, {"y": "x\n\"q\"", "c": 2}], "é": "ü"}, "A": -3});
        assert_eq!(
            canonical(&v),
            r#"{"A":-3,"a":{"z":[true,null,{"c":2,"y":"x\n\"q\""}],"é":"ü"},"b":1}"#
        );
        assert_eq!(canonical(&json!("\u{1}\t")), r#""\u0001\t""#);
    }

    #[test]
    fn a_template_filled_in_is_the_sealed_record() {
        let record = json!({
            "v": 1, "event": "command.start", "argv": ["rm", "-rf", "\u{1}x"],
            "host": "store-a1", "output": {"seq": 3, "hash": "nested"},
            "session": "s1", "user": "ana",
        });
        let Value::Object(mut fields) = record else {
            unreachable!()
        };
        let template = template(fields.clone());
        fields.insert("seq".into(), json!(42));
        fields.insert("ts".into(), json!("2026-12-03T19:07:16.123Z"));
        let (line, hash) = fill(&template, 42, "2026-12-03T19:07:16.123Z", GENESIS);
        assert_eq!((line, hash), seal(fields, GENESIS));
        // Only the markers are control characters: the record's own are
        // escaped.
        assert_eq!(template.matches(['\x01', '\x02']).count(), 4);
    }

    #[test]
    fn seal_hashes_the_record_without_its_hash() {
        let mut m = Map::new();
        m.insert("seq".into(), json!(1));
        m.insert("event".into(), json!("x"));
        let (line, hash) = seal(m, GENESIS);
        let expect =
            sha256_hex(format!(r#"{{"event":"x","prev":"{GENESIS}","seq":1}}"#).as_bytes());
        assert_eq!(hash, expect);
        assert_eq!(
            line,
            format!(r#"{{"event":"x","hash":"{expect}","prev":"{GENESIS}","seq":1}}"#)
        );
    }

    #[test]
    fn output_keeps_64_kib_and_the_whole_stream_hash() {
        let small = output(b"hello\n");
        assert_eq!(
            small,
            json!({"text": "hello\n", "truncated": false, "bytes": 6, "sha256": sha256_hex(b"hello\n")})
        );
        let mut big = vec![b'a'; OUTPUT_LIMIT - 1];
        big.extend("é and more".as_bytes());
        let o = output(&big);
        assert_eq!(o["truncated"], true);
        assert_eq!(o["bytes"], big.len());
        assert_eq!(
            o["text"].as_str().unwrap().len(),
            OUTPUT_LIMIT - 1,
            "cut before the split character"
        );
        assert_eq!(o["sha256"], sha256_hex(&big));
    }

    #[test]
    fn timestamps_and_session_ids() {
        let t = time::macros::datetime!(2026-11-22 10:01:02.123 +01:00);
        assert_eq!(timestamp(t), "2026-11-22T09:01:02.123Z");
        let id = new_session_id(t.to_offset(time::UtcOffset::UTC));
        assert!(id.starts_with("20261122T090102Z-"), "{id}");
        assert_eq!(id.len(), 17 + 12);
    }
}
