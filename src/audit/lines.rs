//! Reading the log line by line for `show` and `replay`: every line that
//! is not a record is counted, never skipped in silence. A line torn by a
//! crash and noted by the `audit.torn` record after it is a warning; any
//! other is damage, which the commands report and exit 4 for, as `verify`
//! does.

use std::io::BufRead;

use serde_json::Value;

use super::record;

/// Longer than any record opsguard writes (two 64 KiB outputs, escaped, and
/// their fields) by far: a longer line is not held in memory, only counted
/// and hashed, and is never a record.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// A reader that hashes (SHA-256) every byte it hands out, so one pass
/// over a file can both be read and pinned by its hash.
pub struct Hashing<R> {
    inner: R,
    digest: sha2::Sha256,
}

impl<R: BufRead> Hashing<R> {
    pub fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            digest: sha2::Digest::new(),
        }
    }

    /// The hash of what was read, as lowercase hex.
    pub fn sha256(self) -> String {
        record::hex(&sha2::Digest::finalize(self.digest))
    }
}

impl<R: BufRead> std::io::Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        sha2::Digest::update(&mut self.digest, &out[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashing<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        // What is consumed was handed out by fill_buf: still buffered, so
        // this reads nothing.
        if let Ok(buffered) = self.inner.fill_buf() {
            sha2::Digest::update(&mut self.digest, &buffered[..n.min(buffered.len())]);
        }
        self.inner.consume(n);
    }
}

/// One line of the log as read.
pub struct Line<'a> {
    /// 1-based.
    pub number: u64,
    /// Where it starts, in bytes.
    pub offset: u64,
    /// Its length without the newline.
    pub len: u64,
    /// It ends with a newline (only the last line may not).
    pub ended: bool,
    /// Its bytes, without the newline; `None` past [`MAX_LINE`].
    pub bytes: Option<&'a [u8]>,
    /// The SHA-256 of a line too long to hold.
    pub sha256: Option<String>,
}

impl Line<'_> {
    /// The SHA-256 of the line (without its newline), held or not.
    pub fn sha256(&self) -> String {
        match (&self.sha256, self.bytes) {
            (Some(sha), _) => sha.clone(),
            (None, bytes) => record::sha256_hex(bytes.unwrap_or_default()),
        }
    }
}

/// Reads the log a line at a time, holding at most [`MAX_LINE`] bytes of
/// any line, however long it is. A line that lies whole in the input's
/// buffer is handed out in place, not copied.
pub struct Reader<R> {
    input: R,
    buf: Vec<u8>,
    number: u64,
    offset: u64,
    /// Bytes of the input's buffer the last line was handed out from,
    /// consumed when the next is read.
    handed: usize,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader {
            input,
            buf: Vec::new(),
            number: 0,
            offset: 0,
            handed: 0,
        }
    }

    /// What is left of the input, from the line after the last one read.
    pub fn into_inner(mut self) -> R {
        self.input.consume(std::mem::take(&mut self.handed));
        self.input
    }

    /// The next line, or `None` at the end.
    pub fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.input.consume(std::mem::take(&mut self.handed));
        self.buf.clear();
        // The common case: the whole line is in the buffer already.
        let chunk = self.input.fill_buf()?;
        if let Some(i) = memchr::memchr(b'\n', chunk)
            && i <= MAX_LINE
        {
            self.number += 1;
            let offset = self.offset;
            self.offset += i as u64 + 1;
            self.handed = i + 1;
            return Ok(Some(Line {
                number: self.number,
                offset,
                len: i as u64,
                ended: true,
                bytes: Some(&self.input.fill_buf()?[..i]),
                sha256: None,
            }));
        }
        let mut len = 0u64;
        let mut hasher: Option<sha2::Sha256> = None;
        let mut ended = false;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let part = &chunk[..take];
            len += take as u64;
            match &mut hasher {
                Some(h) => sha2::Digest::update(h, part),
                None if self.buf.len() + take > MAX_LINE => {
                    let mut h = <sha2::Sha256 as sha2::Digest>::new();
                    sha2::Digest::update(&mut h, &self.buf);
                    sha2::Digest::update(&mut h, part);
                    self.buf = Vec::new();
                    hasher = Some(h);
                }
                None => self.buf.extend_from_slice(part),
            }
            self.input.consume(take + usize::from(done));
            if done {
                ended = true;
                break;
            }
        }
        if len == 0 && !ended {
            return Ok(None);
        }
        self.number += 1;
        let offset = self.offset;
        self.offset += len + u64::from(ended);
        let sha256 = hasher.map(|h| record::hex(&sha2::Digest::finalize(h)));
        Ok(Some(Line {
            number: self.number,
            offset,
            len,
            ended,
            bytes: sha256.is_none().then_some(&self.buf[..]),
            sha256,
        }))
    }
}

#[derive(Debug, Default)]
pub struct Lines {
    /// The last line that was not a record: its number, offset, length and
    /// SHA-256, waiting for an `audit.torn` that names it.
    pending: Option<(u64, u64, u64, String)>,
    /// Lines torn by a crash and noted as such.
    pub noted: Vec<u64>,
    /// Lines that are not records and that nothing explains.
    pub broken: Vec<u64>,
}

impl Lines {
    /// The record `line` holds, if it holds one.
    pub fn read(&mut self, line: &Line) -> Option<Value> {
        // A record is an object; `1` or `[]` is valid JSON, not a record.
        let parsed = line
            .bytes
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
            .filter(Value::is_object);
        let Some(r) = parsed else {
            if let Some((at, ..)) =
                self.pending
                    .replace((line.number, line.offset, line.len, line.sha256()))
            {
                self.broken.push(at);
            }
            return None;
        };
        if let Some((at, off, len, sha)) = self.pending.take() {
            let names_it = r["event"] == "audit.torn"
                && r["offset"] == off
                && r["length"] == len
                && r["sha256"] == sha.as_str();
            if names_it {
                self.noted.push(at);
            } else {
                self.broken.push(at);
            }
        }
        Some(r)
    }

    /// At the end of the log: a line still waiting is damage.
    pub fn finish(&mut self) {
        if let Some((at, ..)) = self.pending.take() {
            self.broken.push(at);
        }
    }

    /// What to tell the reader: warnings for torn lines, and the error for
    /// damaged ones (`None` when there are none).
    pub fn report(&self) -> (Vec<String>, Option<String>) {
        let warnings = self
            .noted
            .iter()
            .map(|n| format!("line {n} was torn by a crash (noted by the record after it)"))
            .collect();
        let error = (!self.broken.is_empty()).then(|| {
            let lines: Vec<String> = self.broken.iter().take(5).map(u64::to_string).collect();
            format!(
                "the audit log has {} line(s) that are not records (line {}{}); run `opsguard audit verify`",
                self.broken.len(),
                lines.join(", "),
                if self.broken.len() > 5 { ", ..." } else { "" }
            )
        });
        (warnings, error)
    }
}

#[cfg(test)]
mod hashing_tests {
    use std::io::BufRead;

    use super::{Hashing, Reader};

    /// Read line by line through `Hashing`, and the hash is the file's.
    #[test]
    fn a_hashing_reader_hashes_all_it_hands_out() {
        let text = "one\ntwo two\n\nthree".repeat(5000);
        let mut hashed = Hashing::new(std::io::BufReader::with_capacity(64, text.as_bytes()));
        let mut reader = Reader::new(&mut hashed);
        let mut lines = 0;
        while reader.next_line().unwrap().is_some() {
            lines += 1;
        }
        assert_eq!(lines, 15001);
        assert_eq!(hashed.sha256(), super::record::sha256_hex(text.as_bytes()));
        let mut whole = Hashing::new(&b"abc"[..]);
        let n = whole.fill_buf().unwrap().len();
        whole.consume(n);
        assert_eq!(whole.sha256(), super::record::sha256_hex(b"abc"));
    }
}

#[cfg(test)]
mod reader_tests {
    use std::io::{BufReader, Read};

    use super::Reader;

    /// Lines in the buffer, across its end and longer than it read the
    /// same, with their offsets; what is left after one is the rest.
    #[test]
    fn lines_read_alike_wherever_they_lie_in_the_buffer() {
        let text = "a\nbbbbbbbbbbbbbbbbbbbb\n\nccc\ndddddddd\ntail";
        for capacity in [1, 3, 8, 64] {
            let mut reader = Reader::new(BufReader::with_capacity(capacity, text.as_bytes()));
            let mut seen = Vec::new();
            while let Some(line) = reader.next_line().unwrap() {
                let bytes = String::from_utf8(line.bytes.unwrap().to_vec()).unwrap();
                seen.push((line.number, line.offset, bytes, line.ended));
            }
            let mut offset = 0;
            let expect: Vec<_> = text
                .split('\n')
                .enumerate()
                .map(|(i, l)| {
                    let at = offset;
                    offset += l.len() as u64 + 1;
                    (i as u64 + 1, at, l.to_string(), l != "tail")
                })
                .collect();
            assert_eq!(seen, expect, "buffer of {capacity}");

            let mut reader = Reader::new(BufReader::with_capacity(capacity, text.as_bytes()));
            reader.next_line().unwrap();
            reader.next_line().unwrap();
            let mut rest = String::new();
            reader.into_inner().read_to_string(&mut rest).unwrap();
            assert_eq!(rest, "\nccc\ndddddddd\ntail", "buffer of {capacity}");
        }
    }
}
