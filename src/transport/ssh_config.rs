//! OpenSSH client configuration (`~/.ssh/config`, `/etc/ssh/ssh_config`),
//! read as `ssh` reads it, for the hosts opsguard reaches with libssh2.
//!
//! Hand-written, and kept small: the format is a list of `Keyword args`
//! lines under `Host` and `Match` blocks, and what matters is OpenSSH's
//! evaluation order (the first value obtained wins; `IdentityFile` and
//! `CertificateFile` add up), which no crate reproduces together with the
//! fail-closed rules below.
//!
//! - `Host` patterns (`*`, `?`, `!negation`), `Match host`, `Match
//!   originalhost` and `Match all` are evaluated; any other `Match`
//!   criterion (`exec`, `user`, `canonical`, ...) cannot be judged here,
//!   so a host whose evaluation reaches one goes to the system ssh
//!   ([`super::openssh`]), which can.
//! - `Include` (with `*`/`?` in the last part of the path) is followed,
//!   relative to `~/.ssh` in the user's file and `/etc/ssh` in the
//!   system's.
//! - Applied: `HostName`, `User`, `Port`, `IdentityFile`, `IdentitiesOnly`,
//!   `UserKnownHostsFile`, `GlobalKnownHostsFile`, `ConnectTimeout`,
//!   `ServerAliveInterval`. Values the inventory gives win.
//! - Nothing weakens host-key checking: `StrictHostKeyChecking no`,
//!   `off` or `accept-new` is ignored with a warning.
//! - Keywords that change how the connection is made and that libssh2
//!   does not do (`ProxyJump`, `ProxyCommand`, `HostKeyAlias`,
//!   `PKCS11Provider`, ...) hand the host to the system ssh, naming the
//!   line: a host is never reached some other way than `ssh` would.
//! - Keywords about other things (`ControlMaster`, `Ciphers`,
//!   `ForwardAgent`, `SendEnv`, `LogLevel`, ...) are ignored, and so are
//!   extra login methods (`GSSAPIAuthentication yes`, which Debian's
//!   system file sets for every host): keys are tried as always, and a
//!   host that takes only those methods fails to log in, saying what was
//!   offered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Why a host's SSH configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("{at}: {message}")]
    Line { at: String, message: String },
    /// The host needs what only the system ssh does.
    #[error("{at}: {message}")]
    NeedsOpenSsh { at: String, message: String },
}

/// One line of a configuration file, where it was.
#[derive(Debug, Clone)]
struct Entry {
    at: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Host(Vec<Pattern>),
    Match(Vec<Criterion>),
    Option { key: String, args: Vec<String> },
}

/// A host pattern.
#[derive(Debug, Clone)]
struct Pattern {
    negated: bool,
    glob: String,
}

impl Pattern {
    /// Patterns as written: `Host` lines and `Match originalhost` compare
    /// them with the destination exactly, as ssh does.
    fn list<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<Pattern> {
        words
            .into_iter()
            .map(|w| match w.strip_prefix('!') {
                Some(rest) => Pattern {
                    negated: true,
                    glob: rest.to_string(),
                },
                None => Pattern {
                    negated: false,
                    glob: w.to_string(),
                },
            })
            .collect()
    }

    /// Patterns lower-cased, for `Match host`, which ssh compares with the
    /// lower-cased host name.
    fn folded<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<Pattern> {
        let mut list = Pattern::list(words);
        for p in &mut list {
            p.glob = p.glob.to_ascii_lowercase();
        }
        list
    }
}

#[derive(Debug, Clone)]
enum Criterion {
    All,
    Host(Vec<Pattern>),
    OriginalHost(Vec<Pattern>),
    /// A criterion this reader cannot judge.
    Other(String),
}

/// The configuration files, read once, in order.
#[derive(Debug, Default)]
pub struct Config {
    entries: Vec<Entry>,
    /// Each block: its `Host`/`Match` line (none for the lines before the
    /// first) and the entries of its options.
    blocks: Vec<(Option<usize>, std::ops::Range<usize>)>,
    /// Blocks whose `Host` line names hosts literally, by name: a host
    /// only visits these blocks of its own, not all of them.
    literal: HashMap<String, Vec<usize>>,
    /// Every other block, which every host visits.
    others: Vec<usize>,
}

/// What the configuration says about one host. Single values are the
/// first obtained, as OpenSSH takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub hostname: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_files: Vec<String>,
    pub identities_only: Option<bool>,
    pub certificate_files: Vec<String>,
    pub user_known_hosts: Option<Vec<String>>,
    pub global_known_hosts: Option<Vec<String>>,
    pub connect_timeout: Option<Duration>,
    pub server_alive_interval: Option<Duration>,
    /// Lines that were ignored because they would weaken a check.
    pub warnings: Vec<String>,
}

/// Keywords that change how `ssh` reaches or trusts a host, and that
/// libssh2 does not do: a host that gets one goes to the system ssh.
const NOT_DONE: &[(&str, &str)] = &[
    (
        "include-scoped", "an `Include` inside a `Host` or `Match` block, or with `[...]`",
    ),
    ("revokedhostkeys", "a revoked host keys file"),
    ("proxyjump", "jump hosts"),
    ("proxycommand", "a proxy command"),
    ("hostkeyalias", "a host key alias"),
    ("pkcs11provider", "PKCS#11 keys"),
    ("securitykeyprovider", "security keys"),
    ("knownhostscommand", "a known_hosts command"),
    ("canonicalizehostname", "canonical host names"),
    ("identityagent", "an agent other than $SSH_AUTH_SOCK"),
];

/// The files `settings.ssh_config` has opsguard read: none (`none`), the
/// one it names, or [`default_files`].
pub fn files(
    settings: &crate::inventory::Settings,
) -> Result<Option<Vec<PathBuf>>, crate::account::NoHome> {
    Ok(match settings.ssh_config.as_deref() {
        Some("none") => None,
        Some(path) => Some(vec![crate::account::expand_home(path)?]),
        None => Some(default_files()),
    })
}

/// The files opsguard reads when `settings.ssh_config` does not say.
pub fn default_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = crate::account::expand_home("~/.ssh/config")
        .into_iter()
        .collect();
    files.push(PathBuf::from("/etc/ssh/ssh_config"));
    files
}

impl Config {
    /// The configuration in `files`, each read once per run: later calls
    /// with the same files share the first reading. A file that does not
    /// exist is skipped, as `ssh` skips it.
    pub fn load(files: &[PathBuf]) -> Result<Arc<Config>, ConfigError> {
        type Cache = Mutex<HashMap<Vec<PathBuf>, Arc<Config>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(files) {
            return Ok(c.clone());
        }
        let mut config = Config::default();
        for file in files {
            let base = if file.starts_with("/etc/ssh") {
                PathBuf::from("/etc/ssh")
            } else {
                crate::account::expand_home("~/.ssh").unwrap_or_else(|_| PathBuf::from("."))
            };
            config.read(file, &base, 0, true)?;
        }
        config.index();
        let config = Arc::new(config);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(files.to_vec(), config.clone());
        Ok(config)
    }

    /// Configuration from text, for tests.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        config.lines(name, text, Path::new("."), 0)?;
        config.index();
        Ok(config)
    }

    fn read(
        &mut self,
        file: &Path,
        base: &Path,
        depth: usize,
        top: bool,
    ) -> Result<(), ConfigError> {
        let text = match std::fs::read(file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && (top || depth > 0) => {
                return Ok(());
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: file.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        self.lines(&file.display().to_string(), &text, base, depth)
    }

    fn lines(
        &mut self,
        name: &str,
        text: &str,
        base: &Path,
        depth: usize,
    ) -> Result<(), ConfigError> {
        // Whether a `Host` or `Match` line has been read in this file: an
        // `Include` after one is scoped to that block, which this reader
        // does not follow, so it goes to the system ssh where the block
        // applies (and is ignored where it does not, as ssh ignores it).
        let mut in_block = false;
        for (i, line) in text.lines().enumerate() {
            let at = format!("{name}:{}", i + 1);
            let fail = |message: String| ConfigError::Line {
                at: at.clone(),
                message,
            };
            let words = split(line).map_err(fail)?;
            let Some((key, args)) = words.split_first() else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            let kind = match key.as_str() {
                "host" => {
                    in_block = true;
                    Kind::Host(Pattern::list(args.iter().map(String::as_str)))
                }
                "match" => {
                    in_block = true;
                    Kind::Match(criteria(args).map_err(fail)?)
                }
                "include" if in_block || args.iter().any(|a| a.contains('[')) => Kind::Option {
                    key: "include-scoped".into(),
                    args: args.to_vec(),
                },
                "include" => {
                    if depth >= 16 {
                        return Err(fail("`Include` nested more than 16 deep".into()));
                    }
                    for pattern in args {
                        for file in included(pattern, base).map_err(fail)? {
                            self.read(&file, base, depth + 1, false)?;
                        }
                    }
                    // After an Include at the top of a file, ssh goes on with
                    // every host again, whatever block the included file
                    // ended in.
                    self.entries.push(Entry {
                        at: at.clone(),
                        kind: Kind::Host(Pattern::list(["*"])),
                    });
                    continue;
                }
                _ => Kind::Option {
                    key,
                    args: args.to_vec(),
                },
            };
            self.entries.push(Entry { at, kind });
        }
        Ok(())
    }

    /// Split the entries into blocks, and index the blocks that name
    /// their hosts literally. Evaluation then visits, in file order, the
    /// blocks that can apply to a host: the same result as walking every
    /// line, at a cost that does not grow with the number of hosts named.
    fn index(&mut self) {
        let mut starts: Vec<Option<usize>> = vec![None];
        let mut bounds = vec![0];
        for (i, e) in self.entries.iter().enumerate() {
            if !matches!(e.kind, Kind::Option { .. }) {
                starts.push(Some(i));
                bounds.push(i + 1);
            }
        }
        bounds.push(self.entries.len() + 1);
        for (b, head) in starts.into_iter().enumerate() {
            let end = bounds[b + 1] - 1;
            let options = bounds[b]..end.max(bounds[b]);
            let n = self.blocks.len();
            self.blocks.push((head, options));
            let literal = head.and_then(|h| match &self.entries[h].kind {
                Kind::Host(p) if p.iter().all(|p| !p.negated && !p.glob.contains(['*', '?'])) => {
                    Some(p.iter().map(|p| p.glob.clone()).collect::<Vec<_>>())
                }
                _ => None,
            });
            match literal {
                Some(names) => {
                    for name in names {
                        let list = self.literal.entry(name).or_default();
                        if list.last() != Some(&n) {
                            list.push(n);
                        }
                    }
                }
                None => self.others.push(n),
            }
        }
    }

    /// What the configuration says for `host` (the inventory's address,
    /// or the host's name), as `ssh host` would evaluate it.
    pub fn resolve(&self, host: &str) -> Result<Resolved, ConfigError> {
        let mut r = Resolved::default();
        let original = host;
        let own = self.literal.get(original).map_or(&[][..], Vec::as_slice);
        let mut visit: Vec<usize> = Vec::with_capacity(self.others.len() + own.len());
        let (mut a, mut b) = (self.others.iter().peekable(), own.iter().peekable());
        while let Some(&next) = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x <= y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        } {
            visit.push(next);
        }
        for block in visit {
            let (head, options) = &self.blocks[block];
            let active = match head {
                None => true,
                Some(h) => self.active(&self.entries[*h], &r, original)?,
            };
            if !active {
                continue;
            }
            for e in &self.entries[options.clone()] {
                if let Kind::Option { key, args } = &e.kind {
                    apply(&mut r, key, args, host).map_err(|(needs, message)| {
                        let at = e.at.clone();
                        if needs {
                            ConfigError::NeedsOpenSsh { at, message }
                        } else {
                            ConfigError::Line { at, message }
                        }
                    })?;
                }
            }
        }
        Ok(r)
    }

    /// Whether a `Host` or `Match` line applies to the host, given what
    /// is known of it so far.
    fn active(&self, e: &Entry, r: &Resolved, original: &str) -> Result<bool, ConfigError> {
        match &e.kind {
            Kind::Host(patterns) => Ok(matches_any(patterns, original)),
            Kind::Match(criteria) => {
                let target = r
                    .hostname
                    .as_deref()
                    .unwrap_or(original)
                    .to_ascii_lowercase();
                // The criteria are judged in order; the first that fails
                // ends it, as in ssh.
                for c in criteria {
                    let hit = match c {
                        Criterion::All => true,
                        Criterion::Host(p) => matches_any(p, &target),
                        Criterion::OriginalHost(p) => matches_any(p, original),
                        Criterion::Other(what) => {
                            return Err(ConfigError::NeedsOpenSsh {
                                at: e.at.clone(),
                                message: format!(
                                    "ssh_config has `Match {what}`, which only the system ssh can judge"
                                ),
                            });
                        }
                    };
                    if !hit {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Kind::Option { .. } => Ok(true),
        }
    }
}

/// One option line of an active block, into `r`. An error says whether
/// the system ssh would do it (`true`) or the line is wrong.
fn apply(r: &mut Resolved, key: &str, args: &[String], host: &str) -> Result<(), (bool, String)> {
    apply_line(r, key, args, host).map_err(|m| (false, m))?;
    if let Some((_, what)) = NOT_DONE.iter().find(|(k, _)| *k == key) {
        let off = match key {
            "canonicalizehostname" => args.first().is_some_and(|a| a.eq_ignore_ascii_case("no")),
            "identityagent" => args.first().is_some_and(|a| a == "SSH_AUTH_SOCK"),
            "proxyjump" | "proxycommand" => {
                args.first().is_some_and(|a| a.eq_ignore_ascii_case("none"))
            }
            _ => false,
        };
        if !off {
            return Err((
                true,
                format!(
                    "ssh_config asks for {what} (`{}`), which only the system ssh does",
                    std::iter::once(key.to_string())
                        .chain(args.iter().cloned())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
    }
    Ok(())
}

fn apply_line(r: &mut Resolved, key: &str, args: &[String], host: &str) -> Result<(), String> {
    let first = args.first().map(String::as_str).unwrap_or("");
    let number = |what: &str| {
        first
            .parse::<u64>()
            .map_err(|_| format!("`{what} {first}` is not a number"))
    };
    match key {
            "hostname" if r.hostname.is_none() => {
                r.hostname = Some(expand(first, host, &Tokens::default())?)
            }
            "user" if r.user.is_none() => r.user = Some(first.to_string()),
            "port" if r.port.is_none() => {
                r.port = Some(
                    first
                        .parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| format!("`Port {first}` is not a port"))?,
                )
            }
            "identityfile" => r.identity_files.push(first.to_string()),
            "certificatefile" => r.certificate_files.push(first.to_string()),
            "identitiesonly" if r.identities_only.is_none() => {
                r.identities_only = Some(yes(first, "IdentitiesOnly")?)
            }
            "userknownhostsfile" if r.user_known_hosts.is_none() => {
                r.user_known_hosts = Some(args.to_vec())
            }
            "globalknownhostsfile" if r.global_known_hosts.is_none() => {
                r.global_known_hosts = Some(args.to_vec())
            }
            "connecttimeout" if r.connect_timeout.is_none() => {
                r.connect_timeout = Some(Duration::from_secs(number("ConnectTimeout")?))
            }
            "serveraliveinterval" if r.server_alive_interval.is_none() => {
                r.server_alive_interval = Some(Duration::from_secs(number("ServerAliveInterval")?))
            }
            "stricthostkeychecking"
                if matches!(
                    first.to_ascii_lowercase().as_str(),
                    "no" | "off" | "accept-new"
                ) =>
            {
                r.warnings.push(format!(
                    "`StrictHostKeyChecking {first}` is ignored: opsguard always checks host keys strictly"
                ))
            }
            _ => {}
        }
    Ok(())
}

impl Resolved {
    /// A path from the configuration, with `~` and the `%` tokens
    /// OpenSSH expands in file names.
    pub fn path(&self, text: &str, t: &Tokens) -> Result<PathBuf, String> {
        let text = expand(text, &t.original, t)?;
        crate::account::expand_home(&text).map_err(|e| e.to_string())
    }
}

/// What the `%` tokens of a file name stand for.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// `%n`: the host as given.
    pub original: String,
    /// `%h`: the host name connected to.
    pub hostname: String,
    /// `%p`
    pub port: u16,
    /// `%r`: the remote user.
    pub user: String,
}

fn expand(text: &str, original: &str, t: &Tokens) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('h') if t.hostname.is_empty() => out.push_str(original),
            Some('h') => out.push_str(&t.hostname),
            Some('n') => out.push_str(original),
            Some('p') => out.push_str(&t.port.to_string()),
            Some('r') => out.push_str(&t.user),
            Some('u') => out.push_str(&crate::account::user_name().unwrap_or_default()),
            Some('d') => out.push_str(
                &crate::account::home_dir()
                    .map(|h| h.display().to_string())
                    .unwrap_or_default(),
            ),
            Some('i') => out.push_str(&nix::unistd::getuid().to_string()),
            Some('l') => out.push_str(
                &nix::unistd::gethostname()
                    .ok()
                    .and_then(|h| h.into_string().ok())
                    .unwrap_or_default(),
            ),
            other => {
                return Err(format!(
                    "`%{}` in `{text}` is not a token opsguard expands",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

fn yes(word: &str, what: &str) -> Result<bool, String> {
    match word.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("`{what} {word}` is not yes or no")),
    }
}

/// Patterns against a host name: one positive match and no negated one.
fn matches_any(patterns: &[Pattern], host: &str) -> bool {
    let mut hit = false;
    for p in patterns {
        if crate::glob::matches(&p.glob, host) {
            if p.negated {
                return false;
            }
            hit = true;
        }
    }
    hit
}

fn criteria(args: &[String]) -> Result<Vec<Criterion>, String> {
    let mut out = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        let (negated, name) = match lower.strip_prefix('!') {
            Some(n) => (true, n.to_string()),
            None => (false, lower),
        };
        if negated {
            out.push(Criterion::Other(word.clone()));
            continue;
        }
        match name.as_str() {
            "all" => out.push(Criterion::All),
            "host" | "originalhost" => {
                let list = words
                    .next()
                    .ok_or_else(|| format!("`Match {name}` needs patterns"))?;
                out.push(if name == "host" {
                    Criterion::Host(Pattern::folded(list.split(',')))
                } else {
                    Criterion::OriginalHost(Pattern::list(list.split(',')))
                });
            }
            "canonical" | "final" => out.push(Criterion::Other(name)),
            _ => {
                let arg = words.next().map(|a| format!(" {a}")).unwrap_or_default();
                out.push(Criterion::Other(format!("{name}{arg}")));
            }
        }
    }
    if out.is_empty() {
        return Err("`Match` needs a criterion".into());
    }
    Ok(out)
}

/// The files an `Include` names: `~` expanded, relative to `base`, and
/// `*`/`?` in the last part matched against that folder's files, sorted.
fn included(pattern: &str, base: &Path) -> Result<Vec<PathBuf>, String> {
    let path = crate::account::expand_home(pattern).map_err(|e| e.to_string())?;
    let path = if path.is_absolute() {
        path
    } else {
        base.join(path)
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        return Ok(vec![path]);
    }
    let folder = path.parent().unwrap_or(Path::new("/"));
    if folder.to_string_lossy().contains(['*', '?', '[']) {
        return Err(format!(
            "`Include {pattern}`: patterns are only read in the last part of the path"
        ));
    }
    let mut files: Vec<PathBuf> = match std::fs::read_dir(folder) {
        Ok(dir) => dir
            .filter_map(Result::ok)
            .filter(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                // As glob(3): a wildcard never matches a leading dot.
                (!file.starts_with('.') || name.starts_with('.'))
                    && crate::glob::matches(&name, &file)
            })
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    Ok(files)
}

/// A line as words: `Keyword args`, `Keyword=args`, double quotes around
/// words with spaces, `#` comments.
fn split(line: &str) -> Result<Vec<String>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Vec::new());
    }
    // The keyword may be followed by `=` (with or without spaces).
    let key_end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (key, rest) = line.split_at(key_end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let mut words = vec![key.to_string()];
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in rest.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '#' if !quoted && !in_word => break,
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a double quote is never closed".into());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str, host: &str) -> Result<Resolved, ConfigError> {
        Config::parse("config", text).unwrap().resolve(host)
    }

    #[test]
    fn the_first_value_wins_and_identity_files_add_up() {
        let text = "\
# a site's config
Host store-*  !store-x1
  HostName %h.storage.example
  User ops
  IdentityFile ~/.ssh/store
Host *
  User nobody
  Port=2222
  IdentityFile \"~/.ssh/id ed25519\"
  ServerAliveInterval 30
  ConnectTimeout 4
";
        let r = resolve(text, "store-a1").unwrap();
        assert_eq!(r.hostname.as_deref(), Some("store-a1.storage.example"));
        assert_eq!(r.user.as_deref(), Some("ops"));
        assert_eq!(r.port, Some(2222));
        assert_eq!(r.identity_files, ["~/.ssh/store", "~/.ssh/id ed25519"]);
        assert_eq!(r.server_alive_interval, Some(Duration::from_secs(30)));
        assert_eq!(r.connect_timeout, Some(Duration::from_secs(4)));
        let r = resolve(text, "store-x1").unwrap();
        assert_eq!(r.hostname, None);
        assert_eq!(r.user.as_deref(), Some("nobody"));
    }

    #[test]
    fn match_host_sees_the_host_name_and_originalhost_the_alias() {
        let text = "\
Host db
  HostName 10.0.0.5
Match host 10.0.0.*
  User dba
Match originalhost db,!other
  Port 2200
Match all
  IdentitiesOnly yes
";
        let r = resolve(text, "db").unwrap();
        assert_eq!(r.user.as_deref(), Some("dba"));
        assert_eq!(r.port, Some(2200));
        assert_eq!(r.identities_only, Some(true));
    }

    /// What only the system ssh does or can judge is said as such, with
    /// its line, so that the host is handed to it.
    #[test]
    fn what_only_ssh_does_is_named_with_its_line() {
        let text = "Host a\n  ProxyJump bastion\nMatch exec \"test -f /x\"\n  User z\nHost c\n  ProxyCommand none\n";
        let needs = |host: &str| match resolve(text, host) {
            Err(ConfigError::NeedsOpenSsh { at, message }) => format!("{at}: {message}"),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            needs("a"),
            "config:2: ssh_config asks for jump hosts (`proxyjump bastion`), which only the system ssh does"
        );
        // Every host's evaluation reaches the Match line.
        assert_eq!(
            needs("b"),
            "config:3: ssh_config has `Match exec test -f /x`, which only the system ssh can judge"
        );
        assert!(resolve("Host c\n  ProxyCommand none\n", "c").is_ok());
        // Criteria are judged in order and stop at the first miss, as in
        // ssh: an `exec` after a `host` that does not match is never run.
        let text = "Match host db-* exec \"test -f /x\"\n  User z\n";
        assert!(resolve(text, "store-a1").is_ok());
        assert!(matches!(
            resolve(text, "db-1"),
            Err(ConfigError::NeedsOpenSsh { .. })
        ));
    }

    /// Blocks that name hosts literally are looked up, the others walked:
    /// the order of the file still decides.
    #[test]
    fn literal_and_pattern_blocks_apply_in_file_order() {
        let text = "\
User everyone-first
Host a
  HostName 10.0.0.1
Host *
  Port 1
  IdentityFile star
Host a b
  Port 2
  IdentityFile ab
Match host 10.0.0.1
  ConnectTimeout 3
";
        let r = resolve(text, "a").unwrap();
        assert_eq!(r.user.as_deref(), Some("everyone-first"));
        assert_eq!(r.hostname.as_deref(), Some("10.0.0.1"));
        assert_eq!(r.port, Some(1));
        assert_eq!(r.identity_files, ["star", "ab"]);
        assert_eq!(r.connect_timeout, Some(Duration::from_secs(3)));
        let r = resolve(text, "b").unwrap();
        assert_eq!((r.hostname, r.port), (None, Some(1)));
        assert_eq!(r.connect_timeout, None);
        assert_eq!(resolve(text, "c").unwrap().identity_files, ["star"]);
    }

    /// `Host` lines compare the destination as written, as ssh does;
    /// `Match host` the lower-cased host name.
    #[test]
    fn host_lines_are_case_sensitive_and_match_host_is_not() {
        let text = "Host store-a1\n  HostName 192.0.2.66\nMatch host STORE-*\n  User ops\n";
        assert_eq!(resolve(text, "Store-A1").unwrap().hostname, None);
        assert_eq!(
            resolve(text, "store-a1").unwrap().hostname.as_deref(),
            Some("192.0.2.66")
        );
        assert_eq!(
            resolve(text, "Store-A1").unwrap().user.as_deref(),
            Some("ops")
        );
    }

    /// An `Include` inside a block is scoped to it in ssh: it goes to the
    /// system ssh where the block applies, and is ignored elsewhere. After
    /// a top-level `Include`, lines apply to every host again. A wildcard
    /// never reads dotfiles; a revoked-keys file goes to the system ssh.
    #[test]
    fn includes_are_scoped_as_ssh_scopes_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(
            dir.path().join("conf.d/lab.conf"),
            "Host *\n  HostName 192.0.2.66\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("conf.d/.old.conf"), "Host *\n  Port 1\n").unwrap();
        let main = dir.path().join("config");
        std::fs::write(
            &main,
            "Include conf.d/*.conf\n  User everyone\nHost lab-*\n  Include conf.d/lab.conf\n",
        )
        .unwrap();
        let mut config = Config::default();
        config.read(&main, dir.path(), 0, true).unwrap();
        config.index();
        let store = config.resolve("store-a1").unwrap();
        // The top-level include's `Host *` applies to all, and so does the
        // line after it; the dotfile was not read.
        assert_eq!(store.hostname.as_deref(), Some("192.0.2.66"));
        assert_eq!(store.user.as_deref(), Some("everyone"));
        assert_eq!(store.port, None);
        assert!(matches!(
            config.resolve("lab-1"),
            Err(ConfigError::NeedsOpenSsh { .. })
        ));
        assert!(matches!(
            resolve("Host *\n  RevokedHostKeys /etc/ssh/krl\n", "a"),
            Err(ConfigError::NeedsOpenSsh { .. })
        ));
    }

    #[test]
    fn nothing_weakens_host_key_checking() {
        let r = resolve("Host *\n  StrictHostKeyChecking accept-new\n", "a").unwrap();
        assert_eq!(
            r.warnings,
            [
                "`StrictHostKeyChecking accept-new` is ignored: opsguard always checks host keys strictly"
            ]
        );
    }

    #[test]
    fn bad_lines_are_errors_with_their_place() {
        for (text, says) in [
            ("Host a\n  Port x\n", "config:2: `Port x` is not a port"),
            (
                "Host a\n  User \"ops\n", "config:2: a double quote is never closed",
            ),
            (
                "Host a\n  HostName %z\n", "config:2: `%z` in `%z` is not a token",
            ),
            ("Match\n", "config:1: `Match` needs a criterion"),
        ] {
            let e = Config::parse("config", text)
                .and_then(|c| c.resolve("a"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn include_reads_files_in_order_relative_to_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(
            dir.path().join("conf.d/20-b.conf"),
            "Host *\n  User second\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("conf.d/10-a.conf"),
            "Host a\n  User first\n",
        )
        .unwrap();
        let main = dir.path().join("config");
        std::fs::write(&main, "Include conf.d/*.conf\nHost *\n  Port 2022\n").unwrap();
        let mut config = Config::default();
        config.read(&main, dir.path(), 0, true).unwrap();
        config.index();
        let r = config.resolve("a").unwrap();
        assert_eq!(r.user.as_deref(), Some("first"));
        assert_eq!(r.port, Some(2022));
        assert_eq!(config.resolve("b").unwrap().user.as_deref(), Some("second"));
    }

    #[test]
    fn file_names_expand_tokens() {
        let t = Tokens {
            original: "db".into(),
            hostname: "10.0.0.5".into(),
            port: 2200,
            user: "dba".into(),
        };
        let r = Resolved::default();
        assert_eq!(
            r.path("/keys/%n-%h-%p-%r-%%", &t).unwrap(),
            PathBuf::from("/keys/db-10.0.0.5-2200-dba-%")
        );
    }
}
