//! Arbitrary input: the classifier never panics, always answers, and its
//! answer (as JSON) stays proportional to the line. How fast it answers a
//! line of 40,000 distinct commands is measured in `benches/offline.rs`.

use proptest::prelude::*;

use super::judge;
use crate::classify::Verdict;

/// At most this many bytes of JSON per byte of input (plus a constant):
/// a finding or doubt names its command clipped to 160 characters and one
/// reason, and each is reported once.
const JSON_PER_BYTE: usize = 64;

fn json_len(line: &str) -> usize {
    serde_json::to_string(&judge(line))
        .expect("plain JSON")
        .len()
}

fn proportional(line: &str) -> bool {
    json_len(line) <= JSON_PER_BYTE * line.len() + 4096
}

/// Pieces of shell that exercise every path of the lexer and walker.
const FRAGMENTS: &[&str] = &[
    "rm", " -rf", " /srv", "ls", ";", "&&", "||", "|", "&", "(", ")", "{", "}", "$(", "`", "${",
    "$((", "))", "'", "\"", "\\", "$'", "\\x72", "<<EOF\n", "\nEOF\n", "<<'E'\n", "\nE", ">", ">>",
    "<", "2>&1", " /dev/sdb", "{a,b}", "{1..9}", "*", "?", "[", "]", "case ", " in ", " esac",
    ";;", "f()", "function ", "sudo ", "sh -c ", "ssh h ", "xargs ", "find . -exec ", " \\;",
    "eval ", "trap ", "bash -o x -c ", "=", "X=1 ", "\n", "#", "$x", "~", "!", "((", "mdadm -Cv",
    "ceph --cluster b osd pool delete", "echo x | sh", "awk '{print}'", "sed -i",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(line in "\\PC{0,300}") {
        let c = judge(&line);
        prop_assert_eq!(c.destructive, c.verdict == Verdict::Destructive);
        prop_assert!(proportional(&line));
    }

    #[test]
    fn shell_like_text_never_panics(parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)) {
        let line = parts.concat();
        let c = judge(&line);
        prop_assert_eq!(c.verdict == Verdict::Safe, c.rules.is_empty() && c.unknown.is_empty());
        prop_assert!(proportional(&line));
    }
}

#[test]
fn forty_thousand_distinct_commands() {
    let line: String = (0..40_000).map(|i| format!("tool{i} --x; ")).collect();
    let c = judge(&line);
    assert_eq!(c.verdict, Verdict::Unknown);
    assert_eq!(c.unknown.len(), 40_000);
    assert!(proportional(&line));
    let line: String = (0..40_000).map(|i| format!("rm /f{i}; ")).collect();
    let c = judge(&line);
    assert_eq!(c.rules.len(), 40_000);
    assert!(proportional(&line));
}
