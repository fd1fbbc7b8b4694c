//! Reading the log line by line for `show` and `replay`: every line that
//! is not a record is counted, never skipped in silence. A line torn by a
//! crash and noted by the `audit.torn` record after it is a warning; any
//! other is damage, which the commands report and exit 4 for, as `verify`
//! does.

use serde_json::Value;

use super::record;

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
    /// Line `n` (1-based, at byte `offset`, without its newline): the
    /// record it holds, if it holds one.
    pub fn read(&mut self, n: u64, offset: u64, line: &[u8]) -> Option<Value> {
        let Ok(r) = serde_json::from_slice::<Value>(line) else {
            if let Some((at, ..)) =
                self.pending
                    .replace((n, offset, line.len() as u64, record::sha256_hex(line)))
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
