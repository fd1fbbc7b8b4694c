//! The lexer against bash itself: generated lines of quoted, escaped,
//! ANSI-C and brace-expanded words, printed by bash as NUL-separated
//! words and compared with the words the lexer reads. A line the two read
//! differently is a command the classifier could misjudge.

use std::process::Command;

use crate::classify::lexer::lex_words;

/// A small deterministic generator (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

const PLAIN: &[&str] = &[
    "rm", "-rf", "a", "x.y", "/srv/mail", "b-c", "k=v", "9", "_", "@", "%s", "+x",
];
const QUOTED: &[&str] = &[
    "'a b'", "''", "'$(x)'", "'\\'", "\"a b\"", "\"\"", "\"\\$x\"", "\"a\\\"b\"", "\"\\\\\"",
    "\"it's\"", "\\;", "\\|", "\\ ", "\\$", "\\'", "\\\"", "\\{a,b}", "$\"tr\"",
];
const ANSI: &[&str] = &[
    "$'\\x72\\x6d'", "$'\\162\\155'", "$'a\\tb'", "$'\\n'", "$'\\''", "$'\\\\'", "$'\\u0041'",
    "$'\\x4'", "$'\\cA'", "$'\\q'", "$'\\e[0m'", "$''", "$'\\101\\x42'", "$'a\\0b'",
];
const BRACES: &[&str] = &[
    "{a,b}", "{rm,-rf,x}", "x{a,b}y", "{a,{b,c}}", "{}", "{a}", "{,a}", "a{,}", "{1..3}", "{3..1}",
    "{01..3}", "{a..c}", "{1..7..3}", "{a,b}{1,2}", "{{a,b}}", "{a,'b c'}", "{a,\"b\"}",
    "{a\\,b,c}", "x{}", "{-1..1}",
];

fn word(rng: &mut Rng) -> String {
    let parts = 1 + rng.next() % 3;
    (0..parts)
        .map(|_| match rng.next() % 4 {
            0 => rng.pick(PLAIN),
            1 => rng.pick(QUOTED),
            2 => rng.pick(ANSI),
            _ => rng.pick(BRACES),
        })
        .collect()
}

#[test]
fn the_lexer_reads_words_as_bash_does() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let lines: Vec<String> = (0..1500)
        .map(|_| {
            let n = 1 + rng.next() % 4;
            (0..n).map(|_| word(&mut rng)).collect::<Vec<_>>().join(" ")
        })
        .collect();
    // One bash for every line: each line's words, NUL-separated, then a
    // line separator bash never prints as a word (\x01\x02).
    let mut script = String::new();
    for line in &lines {
        script.push_str(&format!("printf '%s\\0' {line}; printf '\\1\\2'\n"));
    }
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env_clear()
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("ASCII output");
    let per_line: Vec<&str> = stdout.split("\u{1}\u{2}").collect();
    assert_eq!(per_line.len(), lines.len() + 1);
    for (line, bash) in lines.iter().zip(&per_line) {
        let want: Vec<&str> = bash.split('\0').filter(|_| true).collect();
        let want = &want[..want.len() - 1];
        let got: Vec<String> = lex_words(line).into_iter().map(|w| w.text).collect();
        // printf with no words prints one empty word.
        let want: Vec<&str> = if got.is_empty() && want == [""] {
            vec![]
        } else {
            want.to_vec()
        };
        assert_eq!(got, want, "line: {line}");
    }
}
