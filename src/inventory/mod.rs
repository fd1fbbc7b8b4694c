//! The inventory: hosts, their roles, and the site's settings and policy.
//!
//! This is the checked model. It is plain data: it never opens a connection
//! and never holds one. [`load`] reads a file or a folder of files through
//! [`schema`], which reports every problem with its place; a model is
//! returned even when there were problems, holding what could be read, so
//! that playbooks can still be checked against it.

pub mod policy;
pub mod schema;
pub mod selector;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Loc, Report, Sources};
use crate::duration::Duration;
use crate::source::ReadError;
pub use policy::Policy;
pub use selector::Selector;

#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub settings: Settings,
    pub roles: BTreeMap<String, RoleDef>,
    pub policy: Policy,
    /// In the order they were written, files in name order.
    pub hosts: Vec<Host>,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    by_name: std::collections::HashMap<String, usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_files: Vec<String>,
    pub known_hosts: Option<String>,
    pub connect_timeout: Option<Duration>,
    pub command_timeout: Option<Duration>,
    pub forks: Option<u32>,
    pub lock_ttl: Option<Duration>,
    pub audit_log: Option<String>,
    /// The folder on the hosts that holds their lock.
    pub lock_dir: Option<String>,
    /// The OpenSSH client configuration to read: a file, or `none`;
    /// unset, `~/.ssh/config` then `/etc/ssh/ssh_config`.
    pub ssh_config: Option<String>,
    /// `become`: the user SSH hosts run commands as, through sudo.
    pub become_user: Option<String>,
    /// `connection: openssh`: every SSH host through the system ssh.
    pub ssh_client: SshClient,
    /// `audit_syslog`: where every record is mirrored.
    pub audit_syslog: Option<crate::audit::syslog::Target>,
    /// `audit_offline: spool`: while the audit database cannot be reached,
    /// work known to be safe runs with its records in a local spool.
    pub audit_offline_spool: bool,
    /// `host_syslog`: whether SSH hosts get a line in their own syslog
    /// before a command not known to be safe.
    pub host_syslog: HostSyslog,
    /// `allowed_signers`: who may approve plans (OpenSSH's format).
    pub allowed_signers: Option<String>,
}

/// `settings.host_syslog`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HostSyslog {
    /// `true`: `logger`'s own socket on the host (`/dev/log`).
    #[default]
    On,
    Off,
    /// `unix:PATH`: that socket on the host.
    Socket(String),
}

/// Which client reaches an SSH host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SshClient {
    /// libssh2, unless the host's ssh_config asks for what only the
    /// system ssh does (then that, with a note).
    #[default]
    Auto,
    /// The system `ssh` (`connection: openssh`).
    OpenSsh,
}

pub const DEFAULT_FORKS: u32 = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDef {
    pub protected: bool,
    pub color: Color,
    /// `unknown_commands: guard|allow`; unset, a protected role guards.
    pub guard_unknown: Option<bool>,
}

/// The colours a role can be shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    White,
}

impl Color {
    pub const NAMES: [&'static str; 7] =
        ["red", "green", "yellow", "blue", "magenta", "cyan", "white"];

    pub fn parse(s: &str) -> Option<Color> {
        Some(match s {
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "white" => Color::White,
            _ => return None,
        })
    }
}

/// The roles an inventory has when it declares none.
pub fn default_roles() -> BTreeMap<String, RoleDef> {
    BTreeMap::from([
        (
            "live".to_string(),
            RoleDef {
                protected: true,
                color: Color::Red,
                guard_unknown: None,
            },
        ),
        (
            "backup".to_string(),
            RoleDef {
                protected: false,
                color: Color::Green,
                guard_unknown: None,
            },
        ),
    ])
}

#[derive(Clone, Debug, PartialEq)]
pub struct Host {
    pub name: String,
    /// Where the host's name was written.
    pub loc: Loc,
    pub address: String,
    pub role: String,
    pub connection: Connection,
    pub groups: Vec<String>,
    pub mirror: Option<String>,
    pub replication_check: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_files: Vec<String>,
    pub known_hosts: Option<String>,
    /// The folder on the host that holds its lock: the host's own
    /// `lock_dir`, else `settings.lock_dir`, else the default of its
    /// connection ([`crate::lock::path`]).
    pub lock_dir: Option<String>,
    /// The user every command on the host runs as, through `sudo -n -u`:
    /// the host's own `become`, else `settings.become`, else none.
    pub become_user: Option<String>,
    /// Whether the host said `become` itself (`false` included), so that
    /// settings do not fill it in.
    pub own_become: bool,
    /// Which client reaches it, when it is an SSH host: its own
    /// `connection`, else `settings.connection`.
    pub ssh_client: SshClient,
    /// Whether the host named its connection itself.
    pub own_connection: bool,
    /// The jump hosts it is reached through, in order: its own `jump`,
    /// else `settings.jump`. A host with hops goes through the system ssh.
    pub jump: Vec<Hop>,
}

/// What the inventory says of a login to an SSH host (or a jump host):
/// the host's own values over the settings'. ssh_config and OpenSSH's
/// defaults fill in what is still missing, in the transports.
#[derive(Clone, Copy, Debug)]
pub struct Login<'a> {
    pub user: Option<&'a String>,
    pub port: Option<u16>,
    /// Empty when neither names any.
    pub identity_files: &'a [String],
    pub known_hosts: Option<&'a String>,
}

impl Host {
    pub fn login<'a>(&'a self, settings: &'a Settings) -> Login<'a> {
        Login {
            user: self.user.as_ref().or(settings.user.as_ref()),
            port: self.port.or(settings.port),
            identity_files: if self.identity_files.is_empty() {
                &settings.identity_files
            } else {
                &self.identity_files
            },
            known_hosts: self.known_hosts.as_ref().or(settings.known_hosts.as_ref()),
        }
    }
}

/// One jump host on the way to a host: an inventory host (with its
/// address, login and keys) or `[user@]host[:port]`, for which ssh_config
/// and the settings' keys and known_hosts apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// As written in `jump` (or ssh_config's `ProxyJump`).
    pub name: String,
    pub address: String,
    pub user: Option<String>,
    pub port: Option<u16>,
    /// An inventory host: settings fill in its user and port as they do
    /// for a target.
    pub in_inventory: bool,
    pub identity_files: Vec<String>,
    pub known_hosts: Option<String>,
}

impl Hop {
    /// `[user@]host[:port]`, `[user@][v6]:port` or `ssh://` followed by
    /// one of those; `None` when it is not one.
    pub fn parse(spec: &str) -> Option<Hop> {
        let rest = spec.strip_prefix("ssh://").unwrap_or(spec);
        let (user, rest) = match rest.split_once('@') {
            Some((u, r)) => (Some(u), r),
            None => (None, rest),
        };
        let (address, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (a, after) = inner.split_once(']')?;
            match after {
                "" => (a, None),
                p => (a, Some(p.strip_prefix(':')?)),
            }
        } else {
            match rest.split_once(':') {
                Some((a, p)) => (a, Some(p)),
                None => (rest, None),
            }
        };
        let port = match port {
            Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0)?),
            None => None,
        };
        let fine = |s: &str| {
            !s.is_empty()
                && !s.starts_with('-')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-:%".contains(c))
        };
        if !fine(address) || user.is_some_and(|u| !fine(u) || u.contains(':')) {
            return None;
        }
        Some(Hop {
            name: spec.to_string(),
            address: address.to_string(),
            user: user.map(String::from),
            port,
            in_inventory: false,
            identity_files: Vec::new(),
            known_hosts: None,
        })
    }

    /// As [`Host::login`] for an inventory host; `user@host:port` says
    /// all it means of user and port (the settings' are for the targets),
    /// and takes the settings' keys and known_hosts.
    pub fn login<'a>(&'a self, settings: &'a Settings) -> Login<'a> {
        let inventory = self.in_inventory;
        Login {
            user: self
                .user
                .as_ref()
                .or(settings.user.as_ref().filter(|_| inventory)),
            port: self.port.or(settings.port.filter(|_| inventory)),
            identity_files: if self.identity_files.is_empty() {
                &settings.identity_files
            } else {
                &self.identity_files
            },
            known_hosts: self.known_hosts.as_ref().or(settings.known_hosts.as_ref()),
        }
    }

    /// The hop to inventory host `host`.
    pub fn to(host: &Host) -> Hop {
        Hop {
            name: host.name.clone(),
            address: host.address.clone(),
            user: host.user.clone(),
            port: host.port,
            in_inventory: true,
            identity_files: host.identity_files.clone(),
            known_hosts: host.known_hosts.clone(),
        }
    }
}

#[cfg(test)]
impl Host {
    /// A `connection: local` host of `role` working in `workdir`, for unit
    /// tests that run scripts through the local transport.
    pub fn local_for_tests(role: &str, workdir: &std::path::Path) -> Host {
        Host {
            name: "l1".into(),
            loc: Loc {
                file: "inventory.yaml".into(),
                pos: Default::default(),
            },
            address: "l1".into(),
            role: role.into(),
            connection: Connection::Local {
                workdir: workdir.to_path_buf(),
            },
            groups: Vec::new(),
            mirror: None,
            replication_check: None,
            user: None,
            port: None,
            identity_files: Vec::new(),
            known_hosts: None,
            lock_dir: None,
            become_user: None,
            own_become: false,
            ssh_client: SshClient::Auto,
            own_connection: false,
            jump: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    Ssh,
    /// Runs on this machine, in `workdir` (resolved against the folder of
    /// the inventory file that names it).
    Local {
        workdir: PathBuf,
    },
}

impl Connection {
    pub fn name(&self) -> &'static str {
        match self {
            Connection::Ssh => "ssh",
            Connection::Local { .. } => "local",
        }
    }
}

impl Inventory {
    /// No hosts, the default roles: for showing records when there is no
    /// inventory at hand.
    pub fn with_default_roles() -> Inventory {
        Inventory {
            roles: default_roles(),
            ..Inventory::default()
        }
    }

    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Hosts are only ever added through here, so the name index stays true.
    pub(crate) fn add_host(&mut self, host: Host) {
        self.by_name.insert(host.name.clone(), self.hosts.len());
        self.hosts.push(host);
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.host_index(name).map(|i| &self.hosts[i])
    }

    pub fn nearest_host(&self, name: &str) -> Option<&str> {
        let names: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        crate::diagnostic::nearest(name, &names)
    }

    pub fn role(&self, name: &str) -> Option<&RoleDef> {
        self.roles.get(name)
    }

    pub fn is_protected(&self, role: &str) -> bool {
        self.roles.get(role).is_some_and(|r| r.protected)
    }

    /// Commands not known to be safe are guarded like destructive ones on
    /// this role: its `unknown_commands`, else whether it is protected.
    pub fn guards_unknown(&self, role: &str) -> bool {
        self.roles
            .get(role)
            .is_some_and(|r| r.guard_unknown.unwrap_or(r.protected))
    }

    pub fn forks(&self) -> u32 {
        self.settings.forks.unwrap_or(DEFAULT_FORKS)
    }
}

/// The inventory files a path names: the file itself, or the `*.yaml` and
/// `*.yml` files directly inside a folder, in name order.
pub fn files_of(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_yaml(p))
        .collect();
    files.sort();
    Ok(files)
}

/// A user name as `become` takes it: lower-case letters, digits, `_`,
/// `.` and `-`, starting with a letter or `_`, at most 32 characters.
pub fn valid_user_name(name: &str) -> bool {
    name.len() <= 32
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
}

pub fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Read and check the inventory at `path`. Problems go into `report`;
/// source texts into `sources` so they can be shown.
pub fn load(
    path: &Path,
    report: &mut Report,
    sources: &mut Sources,
) -> Result<Inventory, LoadError> {
    let files = files_of(path).map_err(|e| LoadError::Open {
        path: path.to_path_buf(),
        source: e,
    })?;
    if files.is_empty() {
        return Err(LoadError::EmptyFolder(path.to_path_buf()));
    }
    let mut reader = schema::Reader::default();
    for file in &files {
        let name: std::sync::Arc<str> = file.display().to_string().into();
        match crate::source::read(file) {
            Ok(text) => {
                sources.add(name.clone(), text.as_str().into());
                reader.read_file(name, file, &text, report);
            }
            Err(ReadError::Invalid(e)) => reader.syntax_error(name, e, report),
            Err(ReadError::Io(e)) => {
                return Err(LoadError::Open {
                    path: file.clone(),
                    source: e,
                });
            }
        }
    }
    let mut inv = reader.finish(report);
    inv.files = files;
    Ok(inv)
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read inventory {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("inventory folder {} has no *.yaml or *.yml files", .0.display())]
    EmptyFolder(PathBuf),
}

#[cfg(test)]
mod reader_tests;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An inventory from one YAML text; panics on any problem.
    pub fn inventory(text: &str) -> Inventory {
        let mut report = Report::default();
        let mut reader = schema::Reader::default();
        reader.read_file("inv.yaml".into(), Path::new("inv.yaml"), text, &mut report);
        let inv = reader.finish(&mut report);
        assert!(report.items.is_empty(), "{:#?}", report.items);
        inv
    }
}
