//! What a stream keeps of a command's output, however large.

use super::{Capture, HEAD, Stream, TAIL};

fn captured(chunks: &[&[u8]]) -> Stream {
    let mut c = Capture::default();
    for chunk in chunks {
        c.push(chunk);
    }
    c.finish()
}

fn sha256(bytes: &[u8]) -> String {
    crate::audit::record::sha256_hex(bytes)
}

#[test]
fn small_outputs_are_kept_whole() {
    let s = captured(&[b"hello ", b"world\n"]);
    assert_eq!(s.bytes, b"hello world\n");
    assert!(s.tail.is_empty());
    assert_eq!((s.total, s.omitted()), (12, 0));
    assert_eq!(s.sha256, sha256(b"hello world\n"));
    assert_eq!(&*s.shown(), b"hello world\n");
    assert_eq!(s.last_byte(), Some(b'\n'));
}

#[test]
fn large_outputs_keep_a_head_and_a_tail() {
    // 10 MB in chunks of odd sizes: numbered lines, so the ends are known.
    let all: Vec<u8> = (0..1_000_000u32)
        .flat_map(|i| format!("{i:09}\n").into_bytes())
        .collect();
    let chunks: Vec<&[u8]> = all.chunks(7919).collect();
    let s = captured(&chunks);
    assert_eq!(s.bytes, &all[..HEAD]);
    assert_eq!(s.tail, &all[all.len() - TAIL..]);
    assert_eq!(s.total, all.len() as u64);
    assert_eq!(s.omitted(), (all.len() - HEAD - TAIL) as u64);
    assert_eq!(s.sha256, sha256(&all));
    let shown = String::from_utf8(s.shown().into_owned()).unwrap();
    assert!(shown.starts_with("000000000\n"));
    assert!(shown.ends_with("000999999\n"));
    assert!(shown.contains(&format!(
        "[opsguard: {} bytes not kept; 10000000 bytes in all, sha256 {}]\n",
        s.omitted(),
        s.sha256
    )));
}

#[test]
fn just_past_the_head_nothing_is_left_out() {
    let all = vec![b'x'; HEAD + 10];
    let s = captured(&[&all]);
    assert_eq!((s.bytes.len(), s.tail.len(), s.omitted()), (HEAD, 10, 0));
    assert_eq!(s.shown().len(), HEAD + 10);
}

#[test]
fn trimming_keeps_the_ends() {
    let all: Vec<u8> = (0..HEAD + TAIL + 5000).map(|i| (i % 251) as u8).collect();
    let mut s = captured(&[&all]);
    s.trim(1024);
    assert_eq!(s.bytes, &all[..1024]);
    assert_eq!(s.tail, &all[all.len() - 1024..]);
    assert_eq!(s.omitted(), (all.len() - 2048) as u64);
    assert_eq!(s.last_byte(), all.last().copied());
}

#[test]
fn trimming_an_output_that_fit_in_the_head_keeps_both_ends_and_says_so() {
    let all: Vec<u8> = (0..50_000).map(|i| (i % 251) as u8).collect();
    let mut s = captured(&[&all]);
    assert!(s.tail.is_empty());
    s.trim(1024);
    assert_eq!(s.bytes, &all[..1024]);
    assert_eq!(s.tail, &all[all.len() - 1024..]);
    assert_eq!(s.omitted(), 50_000 - 2048);
    let shown = s.shown();
    assert!(shown.windows(10).any(|w| w == b"[opsguard:"));
    assert!(shown.ends_with(&all[all.len() - 1024..]));
    // A short tail is topped up from the end of the head.
    let all: Vec<u8> = (0..HEAD + 100).map(|i| (i % 251) as u8).collect();
    let mut s = captured(&[&all]);
    s.trim(1024);
    assert_eq!(s.tail, &all[all.len() - 1024..]);
    assert_eq!(s.omitted(), (all.len() - 2048) as u64);
}
