//! The chain against every kind of tampering, torn writes, and file modes.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::{Map, json};

use super::record::{self, GENESIS, Identity};
use super::verify::{Broken, verify};
use super::writer::{AuditError, Writer};

fn identity() -> Identity {
    Identity {
        user: "alice".into(),
        workstation: "ws-12".into(),
        pid: 4411,
    }
}

fn write(path: &Path, n: usize) -> Writer {
    let mut w = Writer::open(path, identity(), "s1".into()).unwrap();
    for i in 0..n {
        let mut f = Map::new();
        f.insert("host".into(), json!("store-a1"));
        f.insert("command".into(), json!(format!("echo {i}")));
        w.append_fields("command.start", f).unwrap();
    }
    w
}

fn check(path: &Path, anchor: Option<(u64, &str)>) -> (super::verify::Summary, Option<Broken>) {
    verify(
        std::io::BufReader::new(std::fs::File::open(path).unwrap()),
        anchor,
    )
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn rewrite(path: &Path, lines: &[String]) {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

fn broken_at(path: &Path) -> (u64, String) {
    let (_, broken) = check(path, None);
    let b = broken.expect("tampering must be found");
    (b.line, b.what)
}

#[test]
fn chain_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut w = write(&path, 5);
    let last = w.append_fields("session.end", Map::new()).unwrap();
    assert_eq!(last.seq, 6);
    let (summary, broken) = check(&path, None);
    assert_eq!(broken, None);
    assert_eq!(summary.records, 6);
    assert_eq!(summary.head, Some((6, last.hash.clone())));
    let first: serde_json::Value = serde_json::from_str(&lines(&path)[0]).unwrap();
    assert_eq!(first["prev"], GENESIS);
    assert_eq!(first["seq"], 1);
    assert_eq!(first["user"], "alice");
    assert_eq!(first["v"], 1);
    assert!(first["ts"].as_str().unwrap().ends_with('Z'));
    // A second writer (another process) links to the first one's records.
    let mut other = Writer::open(&path, identity(), "s2".into()).unwrap();
    let next = other.append_fields("note", Map::new()).unwrap();
    assert_eq!(next.seq, 7);
    assert_eq!(check(&path, Some((6, &last.hash))).1, None);
}

#[test]
fn each_kind_of_tampering_is_found_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 6);
    let original = lines(&path);

    // One byte of a field.
    let mut l = original.clone();
    l[2] = l[2].replace("echo 2", "echo 3");
    rewrite(&path, &l);
    assert_eq!(
        broken_at(&path),
        (
            3,
            "hash mismatch: the record was changed after it was written".into()
        )
    );

    // A deleted line.
    let mut l = original.clone();
    l.remove(3);
    rewrite(&path, &l);
    let (line, what) = broken_at(&path);
    assert_eq!(line, 4);
    assert!(what.starts_with("seq gap: expected 4, found 5"), "{what}");

    // Two lines swapped.
    let mut l = original.clone();
    l.swap(1, 2);
    rewrite(&path, &l);
    let (line, what) = broken_at(&path);
    assert_eq!(line, 2);
    assert!(what.starts_with("seq gap: expected 2, found 3"), "{what}");

    // The tail cut in the middle of a record.
    let text = std::fs::read_to_string(&path).unwrap();
    let full = original
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    std::fs::write(&path, &full[..full.len() - 20]).unwrap();
    let (line, what) = broken_at(&path);
    assert_eq!(line, 6);
    assert!(what.starts_with("torn tail"), "{what}");
    drop(text);

    // A forged record appended with a correct hash but the wrong prev.
    let mut l = original.clone();
    let mut forged = Map::new();
    forged.insert("v".into(), json!(1));
    forged.insert("seq".into(), json!(7));
    forged.insert("event".into(), json!("command.start"));
    let (line, _) = record::seal(forged, &"f".repeat(64));
    l.push(line);
    rewrite(&path, &l);
    assert_eq!(
        broken_at(&path),
        (
            7,
            "prev mismatch: the record does not link to the one before it".into()
        )
    );

    // Spaces or reordered keys: not what the writer writes.
    let mut l = original.clone();
    l[0] = l[0].replacen(":", ": ", 1);
    rewrite(&path, &l);
    assert_eq!(broken_at(&path).0, 1);

    // Garbage in the middle.
    let mut l = original.clone();
    l.insert(2, "not json".into());
    rewrite(&path, &l);
    assert_eq!(broken_at(&path), (3, "unparseable line".into()));
}

#[test]
fn anchors_catch_cut_and_rewritten_logs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 5);
    let (summary, _) = check(&path, None);
    let (seq, hash) = summary.head.unwrap();

    // Whole records cut from the end: the chain is still whole...
    let l = lines(&path);
    rewrite(&path, &l[..3]);
    assert_eq!(check(&path, None).1, None);
    // ...but the anchor is gone.
    let b = check(&path, Some((seq, &hash))).1.unwrap();
    assert!(
        b.what
            .contains("anchor seq 5 is not in the log (3 records)"),
        "{}",
        b.what
    );

    // The whole file rewritten with a fresh, valid chain.
    std::fs::remove_file(&path).unwrap();
    let mut w = Writer::open(&path, identity(), "forged".into()).unwrap();
    for _ in 0..5 {
        w.append_fields("note", Map::new()).unwrap();
    }
    assert_eq!(check(&path, None).1, None);
    let b = check(&path, Some((seq, &hash))).1.unwrap();
    assert_eq!(b.line, 5);
    assert!(b.what.starts_with("anchor mismatch"), "{}", b.what);
}

#[test]
fn a_torn_tail_is_noted_by_the_next_writer_and_verifies_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 3);
    let before = std::fs::metadata(&path).unwrap().len();
    append(&path, br#"{"command":"wipefs -a /dev/s"#);
    assert!(check(&path, None).1.unwrap().what.starts_with("torn tail"));

    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    let next = w.append_fields("session.start", Map::new()).unwrap();
    assert_eq!(next.seq, 5, "the torn record takes seq 4");
    let l = lines(&path);
    assert_eq!(l.len(), 6);
    let torn: serde_json::Value = serde_json::from_str(&l[4]).unwrap();
    assert_eq!(torn["event"], "audit.torn");
    assert_eq!(torn["offset"], before);
    assert_eq!(torn["length"], 28);
    let (summary, broken) = check(&path, None);
    assert_eq!(broken, None);
    assert_eq!(summary.records, 5);
    assert_eq!(summary.warnings.len(), 1);
    assert!(
        summary.warnings[0].starts_with(&format!(
            "line 4: a record torn by a crash (28 bytes at byte {before})"
        )),
        "{:?}",
        summary.warnings
    );

    // A torn line that the next record does not note is not excused.
    let mut l = lines(&path);
    l.remove(4);
    rewrite(&path, &l);
    assert_eq!(broken_at(&path), (4, "unparseable line".into()));
}

#[test]
fn a_log_damaged_at_its_end_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 2);
    append(&path, b"garbage\n");
    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    assert!(matches!(
        w.append_fields("note", Map::new()),
        Err(AuditError::Damaged { .. })
    ));
}

#[test]
fn records_larger_than_the_tail_window_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let mut w = Writer::open(&path, identity(), "s".into()).unwrap();
    for _ in 0..3 {
        let mut f = Map::new();
        f.insert("stdout".into(), record::output(&vec![b'x'; 300_000]));
        f.insert(
            "stderr".into(),
            record::output("\u{1}\"é\n".repeat(40_000).as_bytes()),
        );
        w.append_fields("command.end", f).unwrap();
    }
    let (summary, broken) = check(&path, None);
    assert_eq!(broken, None);
    assert_eq!(summary.records, 3);
}

#[test]
fn new_logs_are_private_or_group_readable_in_a_shared_folder() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("deep/er/audit.jsonl");
    write(&private, 1);
    assert_eq!(
        std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(private.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );

    let shared = dir.path().join("team");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let path = shared.join("audit.jsonl");
    write(&path, 1);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn unwritable_logs_fail_with_the_path() {
    let err = Writer::open(
        Path::new("/proc/opsguard-no/audit.jsonl"),
        identity(),
        "s".into(),
    )
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("/proc/opsguard-no/audit.jsonl"),
        "{err}"
    );
    // A device is no log: /dev/null would lose every record, /dev/sdb
    // would be overwritten. (A full disk: tests/hostile.rs.)
    for device in ["/dev/full", "/dev/null"] {
        let err = Writer::open(Path::new(device), identity(), "s".into())
            .err()
            .unwrap();
        assert!(matches!(err, AuditError::NotAFile { .. }), "{err}");
        assert!(err.to_string().contains(device), "{err}");
    }
}

/// Add `bytes` to the end of the log, as a crash or a hand would.
fn append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

/// `n` bytes of `x` with no newline, written in pieces.
fn append_long(path: &Path, n: usize, newline: bool) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    let piece = vec![b'x'; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(piece.len());
        f.write_all(&piece[..k]).unwrap();
        left -= k;
    }
    if newline {
        f.write_all(b"\n").unwrap();
    }
}

#[test]
fn lines_longer_than_any_record_are_read_through_not_held() {
    let long = super::lines::MAX_LINE * 3 + 17;
    let bytes = vec![b'x'; long];
    let mut input = std::io::Cursor::new([b"{}\n".as_slice(), &bytes, b"\n{}"].concat());
    let mut reader = super::lines::Reader::new(std::io::BufReader::new(&mut input));
    let first = reader.next_line().unwrap().unwrap();
    assert_eq!(
        (first.number, first.bytes, first.ended),
        (1, Some(&b"{}"[..]), true)
    );
    let second = reader.next_line().unwrap().unwrap();
    assert_eq!(
        (second.number, second.offset, second.len),
        (2, 3, long as u64)
    );
    assert_eq!(second.bytes, None);
    assert_eq!(
        second.sha256.as_deref(),
        Some(record::sha256_hex(&bytes).as_str())
    );
    let third = reader.next_line().unwrap().unwrap();
    assert_eq!(
        (third.number, third.offset, third.ended),
        (3, 4 + long as u64, false)
    );
    assert!(reader.next_line().unwrap().is_none());
}

#[test]
fn a_huge_line_is_damage_found_by_verify_and_refused_by_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 2);
    append_long(&path, super::lines::MAX_LINE + 1, true);
    assert_eq!(broken_at(&path), (3, "unparseable line".into()));
    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    match w.append_fields("note", Map::new()) {
        Err(AuditError::Damaged { what, .. }) => {
            assert!(what.contains("longer than any record"), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_huge_torn_tail_is_noted_with_its_length_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 2);
    let before = std::fs::metadata(&path).unwrap().len();
    let long = super::lines::MAX_LINE * 2 + 5;
    append_long(&path, long, false);
    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    w.append_fields("session.start", Map::new()).unwrap();
    let l = lines(&path);
    let torn: serde_json::Value = serde_json::from_str(&l[3]).unwrap();
    assert_eq!(torn["event"], "audit.torn");
    assert_eq!(torn["offset"], before);
    assert_eq!(torn["length"], long);
    assert_eq!(torn["sha256"], record::sha256_hex(&vec![b'x'; long]));
    let (summary, broken) = check(&path, None);
    assert_eq!(broken, None, "{summary:?}");
    assert_eq!(summary.warnings.len(), 1);
}

#[test]
fn a_whole_record_that_lost_only_its_newline_is_ended_not_torn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 3);
    let text = std::fs::read(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 1]).unwrap();
    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    let next = w.append_fields("session.start", Map::new()).unwrap();
    assert_eq!(next.seq, 4, "no audit.torn took a seq");
    let (summary, broken) = check(&path, None);
    assert_eq!(broken, None);
    assert_eq!((summary.records, summary.warnings.len()), (4, 0));
    assert!(!lines(&path).iter().any(|l| l.contains("audit.torn")));
}

#[test]
fn a_torn_line_changed_after_it_was_noted_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write(&path, 2);
    append(&path, br#"{"command":"wipefs"#);
    let mut w = Writer::open(&path, identity(), "s2".into()).unwrap();
    w.append_fields("session.start", Map::new()).unwrap();
    assert_eq!(check(&path, None).1, None);
    // The torn bytes are in no hash; the note's length and hash guard them.
    let mut l = lines(&path);
    l[2] = r#"{"command":"df -h"#.to_string();
    rewrite(&path, &l);
    let (line, what) = broken_at(&path);
    assert_eq!(line, 4);
    assert!(what.contains("does not match the torn line"), "{what}");
}

#[test]
fn json_that_is_not_an_object_is_no_record() {
    let mut lines = super::lines::Lines::default();
    let mut reader = super::lines::Reader::new(std::io::Cursor::new(b"[]\n1\n{}\n".to_vec()));
    let mut records = 0;
    while let Some(line) = reader.next_line().unwrap() {
        records += usize::from(lines.read(&line).is_some());
    }
    lines.finish();
    assert_eq!(records, 1);
    assert_eq!(lines.broken, [1, 2]);
}
