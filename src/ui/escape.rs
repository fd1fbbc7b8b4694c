//! Bytes from hosts and files are data: before they reach a terminal,
//! every control character but newline and tab is shown as text (`\x1b`,
//! `\r`, `\u{9b}`), so a file on a live host cannot retitle the window,
//! clear the screen or draw a fake `[BACKUP]` banner. Only opsguard draws
//! on the operator's terminal. Piped output is never touched: there it is
//! data, byte for byte.

use std::borrow::Cow;

/// `c` would be acted on by a terminal rather than shown.
fn control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || c == '\u{2028}'
        || c == '\u{2029}'
        // Bidirectional overrides and isolates, and zero-width marks: they
        // reorder or hide what a reviewer reads (`rm -rf /srv` shown as
        // something else).
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || c == '\u{feff}'
}

fn name(c: char, out: &mut String) {
    use std::fmt::Write as _;
    let _ = match c {
        '\r' => write!(out, "\\r"),
        '\x1b' => write!(out, "\\x1b"),
        c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// A byte that is not UTF-8, as `\xNN`.
fn byte(b: u8, out: &mut String) {
    out.push_str(&format!("\\x{b:02x}"));
}

/// `text` with its control characters shown as text.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if control(c) {
            name(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The same for a stream of bytes that arrives in pieces: a character
/// split across two pieces is held back until it is whole, so nothing can
/// slip through at a boundary. Invalid UTF-8 is shown as `\xNN`.
#[derive(Debug, Default)]
pub struct Bytes {
    held: Vec<u8>,
}

impl Bytes {
    /// What `piece` (after what was held back) shows as.
    pub fn push(&mut self, piece: &[u8]) -> String {
        self.held.extend_from_slice(piece);
        let mut out = String::with_capacity(self.held.len());
        let mut rest: &[u8] = &self.held;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(&visible(s));
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    out.push_str(&visible(std::str::from_utf8(good).unwrap_or_default()));
                    match e.error_len() {
                        Some(n) => {
                            for b in &bad[..n] {
                                byte(*b, &mut out);
                            }
                            rest = &bad[n..];
                        }
                        // An incomplete character at the end: wait for more.
                        None => {
                            rest = bad;
                            break;
                        }
                    }
                }
            }
        }
        self.held = rest.to_vec();
        out
    }

    /// What was held back, at the end of the stream.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        for b in std::mem::take(&mut self.held) {
            byte(b, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_as_text() {
        let hostile = "ok\n\x1b]0;store-a1 [BACKUP]\x07\x1b[2J\rfake\ttab\u{9b}31m\x7f";
        assert_eq!(
            visible(hostile),
            "ok\n\\x1b]0;store-a1 [BACKUP]\\x07\\x1b[2J\\rfake\ttab\\u{9b}31m\\x7f"
        );
        assert!(matches!(
            visible("plain text\n\tand ünïcode"),
            Cow::Borrowed(_)
        ));
    }

    /// Text that reorders or hides what is read is shown as its code
    /// points: `rm -rf /srv` cannot be made to look like something else.
    #[test]
    fn bidirectional_and_invisible_characters_are_shown_as_text() {
        assert_eq!(
            visible("echo \u{202e}vrs/ fr- mr\u{2066}x\u{200b}y\u{feff}"),
            "echo \\u{202e}vrs/ fr- mr\\u{2066}x\\u{200b}y\\u{feff}"
        );
    }

    #[test]
    fn a_stream_split_anywhere_shows_the_same() {
        let text = "a\x1b[1mé\u{9b}2J\u{1F600}z".as_bytes();
        let whole = Bytes::default().push(text);
        for cut in 0..=text.len() {
            let mut b = Bytes::default();
            let mut shown = b.push(&text[..cut]);
            shown.push_str(&b.push(&text[cut..]));
            shown.push_str(&b.finish());
            assert_eq!(shown, whole, "cut at {cut}");
        }
        assert_eq!(whole, "a\\x1b[1mé\\u{9b}2J\u{1F600}z");
        let mut b = Bytes::default();
        assert_eq!(b.push(b"x\xff\xc2"), "x\\xff");
        assert_eq!(b.finish(), "\\xc2");
    }
}
