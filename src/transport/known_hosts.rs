//! Host key checking against OpenSSH `known_hosts` files, done here rather
//! than by libssh2 (which ignores `@revoked` and is lax about ports).
//!
//! A host is looked up as its address, or `[address]:port` when the port is
//! not 22, exactly as OpenSSH writes it. Entries may be plain patterns
//! (`*`, `?`, `!negation`, comma lists) or hashed (`|1|salt|hash`,
//! HMAC-SHA1 of the name). The verdict is strict:
//! - a key listed under `@revoked` is refused for every host, whatever the
//!   line's host patterns say (a revoked key is never good anywhere);
//! - a host with no entry is unknown, and refused;
//! - a host whose entries do not include the offered key has changed, and
//!   is refused loudly.
//!
//! Lines that cannot be read are skipped, as OpenSSH does, since skipping
//! one can only take trust away; a `@revoked` line that cannot be read is
//! an error, since skipping it would give trust.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Clone, Debug)]
struct Entry {
    file: PathBuf,
    line: usize,
    marker: Marker,
    patterns: String,
    key_type: String,
    key: Vec<u8>,
}

/// Where a known key was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
    pub key_type: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} ({})",
            self.file.display(),
            self.line,
            self.key_type
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Known,
    Unknown,
    /// The host is known, with other keys than the one offered.
    Changed(Vec<Place>),
    /// The offered key is on a `@revoked` line.
    Revoked(Place),
}

#[derive(Debug, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
    /// The files that were read (missing ones are not an error: they hold
    /// no keys).
    pub files: Vec<PathBuf>,
}

/// How OpenSSH names a host in `known_hosts`.
pub fn host_name(address: &str, port: u16) -> String {
    let address = address.to_ascii_lowercase();
    if port == 22 {
        address
    } else {
        format!("[{address}]:{port}")
    }
}

/// `SHA256:...`, as `ssh-keygen -l` prints it.
pub fn fingerprint(blob: &[u8]) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(blob);
    format!("SHA256:{}", STANDARD_NO_PAD.encode(digest))
}

/// The key type a public key blob names (`ssh-ed25519`), from its first
/// field.
pub fn key_type(blob: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let name = blob.get(4..4 + len)?;
    String::from_utf8(name.to_vec()).ok()
}

/// The `known_hosts` line that would make `name` known with this key.
pub fn line_for(name: &str, blob: &[u8]) -> String {
    format!(
        "{name} {} {}",
        key_type(blob).unwrap_or_else(|| "unknown".into()),
        STANDARD.encode(blob)
    )
}

impl KnownHosts {
    pub fn load(paths: &[PathBuf]) -> Result<KnownHosts, String> {
        let mut known = KnownHosts::default();
        for path in paths {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    known.add(path, &text)?;
                    known.files.push(path.clone());
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
        Ok(known)
    }

    fn add(&mut self, file: &Path, text: &str) -> Result<(), String> {
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let mut first = words.next().unwrap_or_default();
            let marker = match first {
                "@revoked" => Marker::Revoked,
                "@cert-authority" => Marker::CertAuthority,
                _ => Marker::None,
            };
            if marker != Marker::None {
                first = words.next().unwrap_or_default();
            }
            let (key_type, key) = (words.next(), words.next());
            let key = key.and_then(|k| STANDARD.decode(k).ok());
            match (key_type, key) {
                (Some(key_type), Some(key)) if !first.is_empty() => self.entries.push(Entry {
                    file: file.to_path_buf(),
                    line: i + 1,
                    marker,
                    patterns: first.to_string(),
                    key_type: key_type.to_string(),
                    key,
                }),
                _ if marker == Marker::Revoked => {
                    return Err(format!(
                        "{}:{}: this @revoked line cannot be read (want `@revoked PATTERNS TYPE BASE64-KEY`); \
                         fix or remove it: a revoked key that cannot be read could be accepted",
                        file.display(),
                        i + 1
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The key types known for `name` (to ask the server for those first).
    pub fn types_for(&self, name: &str) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for e in &self.entries {
            if e.marker == Marker::None
                && matches_host(&e.patterns, name)
                && !types.contains(&e.key_type)
            {
                types.push(e.key_type.clone());
            }
        }
        types
    }

    pub fn check(&self, name: &str, blob: &[u8]) -> Verdict {
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.marker == Marker::Revoked && e.key == blob)
        {
            return Verdict::Revoked(e.place());
        }
        let mine: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.marker == Marker::None && matches_host(&e.patterns, name))
            .collect();
        if mine.iter().any(|e| e.key == blob) {
            Verdict::Known
        } else if mine.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::Changed(mine.iter().map(|e| e.place()).collect())
        }
    }
}

impl Entry {
    fn place(&self) -> Place {
        Place {
            file: self.file.clone(),
            line: self.line,
            key_type: self.key_type.clone(),
        }
    }
}

/// OpenSSH's rule: a negated pattern that matches excludes the line; else
/// any positive pattern that matches includes it.
fn matches_host(patterns: &str, name: &str) -> bool {
    if let Some(hashed) = patterns.strip_prefix("|1|") {
        return hashed_matches(hashed, name);
    }
    let mut found = false;
    for p in patterns.split(',') {
        let p = p.to_ascii_lowercase();
        match p.strip_prefix('!') {
            Some(neg) if crate::glob::matches(neg, name) => return false,
            Some(_) => {}
            None => found |= crate::glob::matches(&p, name),
        }
    }
    found
}

fn hashed_matches(hashed: &str, name: &str) -> bool {
    let Some((salt, hash)) = hashed.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(kind: &str, seed: u8) -> Vec<u8> {
        let mut b = (kind.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(&[0, 0, 0, 32]);
        b.extend(std::iter::repeat_n(seed, 32));
        b
    }

    fn line(patterns: &str, b: &[u8]) -> String {
        format!(
            "{patterns} {} {}\n",
            key_type(b).unwrap(),
            STANDARD.encode(b)
        )
    }

    fn known(text: &str) -> KnownHosts {
        let mut k = KnownHosts::default();
        k.add(Path::new("kh"), text).unwrap();
        k
    }

    fn hashed(name: &str, salt: &[u8]) -> String {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
        mac.update(name.as_bytes());
        format!(
            "|1|{}|{}",
            STANDARD.encode(salt),
            STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn names_carry_the_port_unless_it_is_22() {
        assert_eq!(host_name("Store-A1", 22), "store-a1");
        assert_eq!(host_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
    }

    #[test]
    fn plain_patterns_negation_and_ports() {
        let a = blob("ssh-ed25519", 1);
        let k = known(&line("store-*,!store-x", &a));
        assert_eq!(k.check("store-a1", &a), Verdict::Known);
        assert_eq!(k.check("store-x", &a), Verdict::Unknown);
        assert_eq!(k.check("other", &a), Verdict::Unknown);
        // A port entry is not the host on port 22, nor the other way round.
        let k = known(&line("[10.0.0.1]:2222", &a));
        assert_eq!(k.check("[10.0.0.1]:2222", &a), Verdict::Known);
        assert_eq!(k.check("10.0.0.1", &a), Verdict::Unknown);
        assert_eq!(k.check("[10.0.0.1]:2223", &a), Verdict::Unknown);
        let k = known(&line("10.0.0.1", &a));
        assert_eq!(k.check("[10.0.0.1]:2222", &a), Verdict::Unknown);
    }

    #[test]
    fn hashed_entries_match_their_name_only() {
        let a = blob("ssh-ed25519", 1);
        let k = known(&line(
            &hashed("[127.0.0.2]:2222", b"0123456789abcdefghij"),
            &a,
        ));
        assert_eq!(k.check("[127.0.0.2]:2222", &a), Verdict::Known);
        assert_eq!(k.check("[127.0.0.3]:2222", &a), Verdict::Unknown);
    }

    #[test]
    fn another_key_for_a_known_host_is_a_change() {
        let (a, b) = (blob("ssh-ed25519", 1), blob("ssh-ed25519", 2));
        let k = known(&format!("# comment\n\n{}", line("h", &a)));
        assert_eq!(
            k.check("h", &b),
            Verdict::Changed(vec![Place {
                file: "kh".into(),
                line: 3,
                key_type: "ssh-ed25519".into()
            }])
        );
        assert_eq!(k.types_for("h"), ["ssh-ed25519"]);
    }

    #[test]
    fn a_revoked_key_is_refused_for_every_host() {
        let a = blob("ssh-ed25519", 1);
        let k = known(&format!(
            "{}@revoked nothing-like-h {}",
            line("h", &a),
            line("", &a).trim_start()
        ));
        assert!(matches!(k.check("h", &a), Verdict::Revoked(p) if p.line == 2));
    }

    #[test]
    fn unreadable_lines_are_skipped_but_not_revoked_ones() {
        let a = blob("ssh-ed25519", 1);
        let k = known(&format!(
            "garbage\nh ssh-ed25519 !!!notbase64\n{}",
            line("h", &a)
        ));
        assert_eq!(k.check("h", &a), Verdict::Known);
        let mut k = KnownHosts::default();
        let err = k
            .add(Path::new("kh"), "@revoked h ssh-ed25519\n")
            .unwrap_err();
        assert!(
            err.starts_with("kh:1: this @revoked line cannot be read"),
            "{err}"
        );
    }

    #[test]
    fn cert_authority_lines_do_not_make_a_host_known() {
        let a = blob("ssh-ed25519", 1);
        let k = known(&format!("@cert-authority {}", line("h", &a)));
        assert_eq!(k.check("h", &a), Verdict::Unknown);
    }

    #[test]
    fn fingerprints_and_lines_to_add() {
        let a = blob("ssh-ed25519", 1);
        assert!(fingerprint(&a).starts_with("SHA256:"));
        assert!(!fingerprint(&a).ends_with('='));
        assert_eq!(line_for("h", &a), line("h", &a).trim_end());
    }
}
