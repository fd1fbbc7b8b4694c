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
//!
//! Keys (and their SHA256 fingerprints) are read by the `ssh-key` crate;
//! lines are split here. ssh-key's own `known_hosts` parser reads a
//! different format than OpenSSH: it splits fields on single spaces only,
//! so a line with a tab or two spaces between fields (which OpenSSH reads)
//! would be skipped, or turn a `@revoked` line into an error; and it cuts
//! lines at any `#`. It also has no host matching. So only each line's key
//! goes to ssh-key.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use ssh_key::{HashAlg, PublicKey};

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
    key: PublicKey,
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

/// Why a host's key could not be checked, or was refused. The refusals
/// say what to do next, and never offer to trust a key by themselves.
#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `@revoked` line that cannot be read: skipping it could accept
    /// the key it revokes.
    #[error(
        "{}:{line}: this @revoked line cannot be read (want `@revoked PATTERNS TYPE BASE64-KEY`); \
         fix or remove it: a revoked key that cannot be read could be accepted",
        .file.display()
    )]
    UnreadableRevoked { file: PathBuf, line: usize },
    #[error("the server sent no host key")]
    Missing,
    /// The server's key is not one that can be read, so it cannot be
    /// checked.
    #[error("the server's host key cannot be read ({source}); refused")]
    Unreadable {
        #[source]
        source: ssh_key::Error,
    },
    /// No entry for the host in any of `files`.
    #[error(
        "host key not known: `{name}` is in none of {}. Refused; the server offered {offered}. \
         If you have checked that fingerprint with the host's owner, add this line to {}:\n{}",
        joined(&.files.iter().map(|p| p.display()).collect::<Vec<_>>()),
        .files.last().map(|p| p.display().to_string()).unwrap_or_default(),
        line_for(.name, .offered)
    )]
    Unknown {
        name: String,
        offered: Offered,
        files: Vec<PathBuf>,
    },
    /// The host is known with other keys, written at `places`.
    #[error(
        "HOST KEY CHANGED for `{name}`: the server offered {offered}, which is not the key known at {}. \
         Refused: someone may be intercepting the connection, or the host was reinstalled. \
         Find out which before you change known_hosts.",
        joined(.places)
    )]
    Changed {
        name: String,
        offered: Offered,
        places: Vec<Place>,
    },
    #[error(
        "REVOKED host key: the server for `{name}` offered {offered}, which is marked @revoked at {place}. Refused."
    )]
    Revoked {
        name: String,
        offered: Offered,
        place: Place,
    },
}

/// The key a server offered; shown as its type and SHA256 fingerprint.
/// (Boxed: a key is large, and refusals travel in every connect result.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered(pub Box<PublicKey>);

impl Offered {
    /// The key in `blob`, as the server sent it.
    pub fn read(blob: &[u8]) -> Result<Offered, HostKeyError> {
        PublicKey::from_bytes(blob)
            .map(|key| Offered(Box::new(key)))
            .map_err(|source| HostKeyError::Unreadable { source })
    }
}

impl std::fmt::Display for Offered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.algorithm(), fingerprint(&self.0))
    }
}

fn joined(items: &[impl std::fmt::Display]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
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
pub fn fingerprint(key: &PublicKey) -> ssh_key::Fingerprint {
    key.fingerprint(HashAlg::Sha256)
}

/// The `known_hosts` line that would make `name` known with this key.
pub fn line_for(name: &str, key: &Offered) -> String {
    // A key read from its bytes always encodes back.
    let key = key.0.to_openssh().unwrap_or_default();
    format!("{name} {key}")
}

/// The key a line names: its type word and base64 blob, which ssh-key
/// reads only when the blob is a key of the type the word names, as
/// OpenSSH requires.
fn read_key(key_type: &str, base64: &str) -> Option<PublicKey> {
    PublicKey::from_openssh(&format!("{key_type} {base64}")).ok()
}

impl KnownHosts {
    pub fn load(paths: &[PathBuf]) -> Result<KnownHosts, HostKeyError> {
        let mut known = KnownHosts::default();
        for path in paths {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    known.add(path, &text)?;
                    known.files.push(path.clone());
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(HostKeyError::Read {
                        path: path.clone(),
                        source: e,
                    });
                }
            }
        }
        Ok(known)
    }

    fn add(&mut self, file: &Path, text: &str) -> Result<(), HostKeyError> {
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
            let key = match (words.next(), words.next()) {
                (Some(key_type), Some(base64)) => read_key(key_type, base64),
                _ => None,
            };
            match key {
                Some(key) if !first.is_empty() => self.entries.push(Entry {
                    file: file.to_path_buf(),
                    line: i + 1,
                    marker,
                    patterns: first.to_string(),
                    key,
                }),
                _ if marker == Marker::Revoked => {
                    return Err(HostKeyError::UnreadableRevoked {
                        file: file.to_path_buf(),
                        line: i + 1,
                    });
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
            let key_type = e.key.algorithm().to_string();
            if e.marker == Marker::None
                && matches_host(&e.patterns, name)
                && !types.contains(&key_type)
            {
                types.push(key_type);
            }
        }
        types
    }

    /// The `@cert-authority` line that vouches for `name`, when no plain
    /// line names it: the host is known only through its certificate.
    pub fn only_authority_for(&self, name: &str) -> Option<Place> {
        let plain = self
            .entries
            .iter()
            .any(|e| e.marker == Marker::None && matches_host(&e.patterns, name));
        if plain {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.marker == Marker::CertAuthority && matches_host(&e.patterns, name))
            .map(Entry::place)
    }

    pub fn check(&self, name: &str, offered: &PublicKey) -> Verdict {
        let is_offered = |e: &&Entry| e.key.key_data() == offered.key_data();
        if let Some(e) = self
            .entries
            .iter()
            .filter(|e| e.marker == Marker::Revoked)
            .find(is_offered)
        {
            return Verdict::Revoked(e.place());
        }
        let mine: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.marker == Marker::None && matches_host(&e.patterns, name))
            .collect();
        if mine.iter().any(is_offered) {
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
            key_type: self.key.algorithm().to_string(),
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
mod tests;
