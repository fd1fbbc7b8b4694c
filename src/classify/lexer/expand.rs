//! What bash does to a word before it runs: `$'...'` escapes decoded, and
//! brace expansion (`{rm,-rf,/x}` is three words, `mkfs.{xfs,ext4}` two).
//!
//! Both follow bash's own rules (checked against bash itself in the
//! differential test), because a word the classifier reads differently
//! from the shell is a command it cannot judge.

/// Where a character of a word came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Q {
    /// Unquoted text: brace expansion and globbing apply.
    Lit,
    /// Quoted or escaped: taken as written.
    Quoted,
    /// Part of an expansion (`$x`, `$(...)`): only known at run time.
    Dyn,
}

/// At most this many words from one word's brace expansion; more is
/// treated as unknown text rather than expanded.
pub const MAX_WORDS: usize = 4096;

/// The text of `$'...'` (without the quotes) as bash decodes it.
pub fn ansi_c(body: &[char]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let hex = |cs: &[char], at: usize, max: usize| -> (u32, usize) {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match cs.get(at + n).and_then(|c| c.to_digit(16)) {
                Some(d) => v = v * 16 + d,
                None => break,
            }
            n += 1;
        }
        (v, n)
    };
    while i < body.len() {
        let c = body[i];
        if c != '\\' || i + 1 >= body.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        i += 2;
        let simple = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' | '?' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let code = match e {
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut n = 0;
                while n < 2 {
                    match body.get(i + n).and_then(|c| c.to_digit(8)) {
                        Some(d) => v = v * 8 + d,
                        None => break,
                    }
                    n += 1;
                }
                i += n;
                Some(v & 0xff)
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let (v, n) = hex(body, i, max);
                if n == 0 {
                    None
                } else {
                    i += n;
                    Some(v)
                }
            }
            'c' if i < body.len() => {
                let x = body[i];
                i += 1;
                Some(if x == '?' {
                    0x7f
                } else {
                    (x.to_ascii_uppercase() as u32) & 0x1f
                })
            }
            _ => None,
        };
        match code {
            // A NUL ends the string, as in bash.
            Some(0) => return out,
            Some(v) => out.push(char::from_u32(v).unwrap_or('\u{fffd}')),
            None => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    out
}

/// The words `raw` becomes after brace expansion, in bash's order. `None`
/// when it would make more than [`MAX_WORDS`].
pub fn braces(raw: &[(char, Q)]) -> Option<Vec<Vec<(char, Q)>>> {
    let mut out = Vec::new();
    expand_into(raw.to_vec(), &mut out)?;
    Some(out)
}

/// Bash's `brace_expand`: the first unquoted `{` that has a closing `}`
/// splits the word into preamble, amble and postamble; the amble's
/// alternatives (or sequence) each join the preamble and every expansion
/// of the postamble.
fn expand_into(raw: Vec<(char, Q)>, out: &mut Vec<Vec<(char, Q)>>) -> Option<()> {
    let mut from = 0;
    let found = loop {
        let Some(open) = (from..raw.len()).find(|&i| raw[i] == ('{', Q::Lit)) else {
            break None;
        };
        // bash ignores a `{` that starts the word and is followed by `}`
        // (`{}` as `find` uses it).
        let ignored = open == 0 && raw.get(1).is_none_or(|&c| c == ('}', Q::Lit));
        match closing(&raw, open).filter(|_| !ignored) {
            Some(close) => break Some((open, close)),
            None => from = open + 1,
        }
    };
    let Some((open, close)) = found else {
        out.push(raw);
        return (out.len() <= MAX_WORDS).then_some(());
    };
    let inner = &raw[open + 1..close];
    // Each alternative is expanded in full, then joined with each
    // expansion of the postamble, in that order (bash's array_concat).
    let mut middle = Vec::new();
    if inner.contains(&(',', Q::Lit)) {
        for item in alternatives(inner) {
            expand_into(item, &mut middle)?;
        }
    } else {
        match sequence(inner) {
            Seq::Items(items) => middle = items,
            Seq::TooMany => return None,
            // Not a sequence: the braces stay as they are (not read
            // again), and the rest of the word is still expanded.
            Seq::NotOne => middle.push(raw[open..=close].to_vec()),
        }
    }
    let mut rest = Vec::new();
    expand_into(raw[close + 1..].to_vec(), &mut rest)?;
    if middle.len().saturating_mul(rest.len()) + out.len() > MAX_WORDS {
        return None;
    }
    for m in &middle {
        for post in &rest {
            let mut word = raw[..open].to_vec();
            word.extend_from_slice(m);
            word.extend_from_slice(post);
            out.push(word);
        }
    }
    Some(())
}

/// The unquoted `}` that closes the `{` at `open`, as bash's
/// `brace_gobbler` finds it: at the same nesting level, and only once a
/// comma or `..` has been seen at that level (so `x{}{a,b}` closes at the
/// last `}`).
fn closing(raw: &[(char, Q)], open: usize) -> Option<usize> {
    let mut level = 0;
    let mut separators = 0;
    let mut i = open + 1;
    while i < raw.len() {
        let (c, q) = raw[i];
        if q == Q::Lit {
            match c {
                '}' if level == 0 && separators > 0 => return Some(i),
                '{' => level += 1,
                '}' if level > 0 => level -= 1,
                ',' if level == 0 => separators += 1,
                '.' if level == 0
                    && raw.get(i + 1) == Some(&('.', Q::Lit))
                    && raw.get(i + 2) != Some(&('}', Q::Lit)) =>
                {
                    separators += 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// `a,b{c,d},e`: the parts between top-level unquoted commas.
fn alternatives(inner: &[(char, Q)]) -> Vec<Vec<(char, Q)>> {
    let mut parts = vec![Vec::new()];
    let mut depth = 0;
    for &(c, q) in inner {
        if q == Q::Lit {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(Vec::new());
                    continue;
                }
                _ => {}
            }
        }
        if let Some(last) = parts.last_mut() {
            last.push((c, q));
        }
    }
    parts
}

enum Seq {
    NotOne,
    TooMany,
    Items(Vec<Vec<(char, Q)>>),
}

/// `1..5`, `05..1..2`, `a..e`: a sequence expression, when `inner` is one.
fn sequence(inner: &[(char, Q)]) -> Seq {
    if inner.iter().any(|&(_, q)| q != Q::Lit) {
        return Seq::NotOne;
    }
    let text: String = inner.iter().map(|&(c, _)| c).collect();
    let parts: Vec<&str> = text.split("..").collect();
    let (from, to, step) = match parts[..] {
        [a, b] => (a, b, None),
        [a, b, s] => (a, b, Some(s)),
        _ => return Seq::NotOne,
    };
    let step: i64 = match step.map(str::parse::<i64>) {
        Some(Ok(s)) => (s.unsigned_abs().max(1)).min(i64::MAX as u64) as i64,
        Some(Err(_)) => return Seq::NotOne,
        None => 1,
    };
    let lit = |s: String| s.chars().map(|c| (c, Q::Lit)).collect::<Vec<_>>();
    let count = |a: i64, b: i64| (a.abs_diff(b)) / step as u64 + 1;
    if let (Ok(a), Ok(b)) = (from.parse::<i64>(), to.parse::<i64>()) {
        let padded = |s: &str| {
            let digits = s.trim_start_matches('-');
            digits.len() > 1 && digits.starts_with('0')
        };
        let width = if padded(from) || padded(to) {
            from.len().max(to.len())
        } else {
            0
        };
        let n = count(a, b);
        if n > MAX_WORDS as u64 {
            return Seq::TooMany;
        }
        let dir = if a <= b { step } else { -step };
        return Seq::Items(
            (0..n as i64)
                .map(|k| {
                    // In i128: a step near i64::MAX times k overflows i64.
                    let v = i128::from(a) + i128::from(k) * i128::from(dir);
                    let s = if width > 0 {
                        let sign = if v < 0 { "-" } else { "" };
                        let w = width - sign.len();
                        format!("{sign}{:0w$}", v.unsigned_abs())
                    } else {
                        v.to_string()
                    };
                    lit(s)
                })
                .collect(),
        );
    }
    let one = |s: &str| {
        let mut cs = s.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c as i64),
            _ => None,
        }
    };
    let (Some(a), Some(b)) = (one(from), one(to)) else {
        return Seq::NotOne;
    };
    let dir = if a <= b { step } else { -step };
    Seq::Items(
        (0..count(a, b) as i64)
            .filter_map(|k| char::from_u32((a + k * dir) as u32))
            .map(|c| vec![(c, Q::Lit)])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Vec<(char, Q)> {
        s.chars().map(|c| (c, Q::Lit)).collect()
    }

    fn words(s: &str) -> Vec<String> {
        braces(&lit(s))
            .unwrap()
            .into_iter()
            .map(|w| w.into_iter().map(|(c, _)| c).collect())
            .collect()
    }

    #[test]
    fn brace_expansion() {
        assert_eq!(words("{rm,-rf,/x}"), ["rm", "-rf", "/x"]);
        assert_eq!(words("mkfs.{xfs,ext4}"), ["mkfs.xfs", "mkfs.ext4"]);
        assert_eq!(words("a{b,c{d,e}}f"), ["abf", "acdf", "acef"]);
        assert_eq!(words("{{a,b}}"), ["{a}", "{b}"]);
        assert_eq!(words("{a}"), ["{a}"]);
        assert_eq!(words("{}"), ["{}"]);
        assert_eq!(words("{1..3}"), ["1", "2", "3"]);
        assert_eq!(words("{3..1}"), ["3", "2", "1"]);
        assert_eq!(words("{08..10}"), ["08", "09", "10"]);
        assert_eq!(words("{a..e..2}"), ["a", "c", "e"]);
        assert_eq!(words("x{1..2}{a,b}"), ["x1a", "x1b", "x2a", "x2b"]);
        // bash closes a brace only after a comma: `{}` is no pair here.
        assert_eq!(words("x{}{a,b}"), ["x{}a", "x{}b"]);
        assert_eq!(words("{}{a,b}"), ["{}a", "{}b"]);
        assert_eq!(words("{a..}{b,c}"), ["{a..}b", "{a..}c"]);
        assert_eq!(words("{x..yz}"), ["{x..yz}"]);
        assert_eq!(words("{x..yz}{b,c}"), ["{x..yz}b", "{x..yz}c"]);
        assert!(braces(&lit("{1..100000}")).is_none());
        assert!(braces(&lit(&"{a,b}".repeat(20))).is_none());
        // Quoted braces are text.
        let quoted: Vec<(char, Q)> = "{a,b}".chars().map(|c| (c, Q::Quoted)).collect();
        assert_eq!(braces(&quoted).unwrap().len(), 1);
    }

    #[test]
    fn ansi_c_quotes() {
        let s = |t: &str| ansi_c(&t.chars().collect::<Vec<_>>());
        assert_eq!(s("\\x72\\x6d"), "rm");
        assert_eq!(s("\\162\\155"), "rm");
        assert_eq!(s("\\u0072m"), "rm");
        assert_eq!(s("a\\tb\\n"), "a\tb\n");
        assert_eq!(s("\\q\\x"), "\\q\\x");
        assert_eq!(s("\\cA"), "\x01");
        assert_eq!(s("ab\\0cd"), "ab");
        assert_eq!(s("\\'"), "'");
    }
}
