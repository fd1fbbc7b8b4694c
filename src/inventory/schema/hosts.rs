//! Reading `hosts:`, and checking mirrors and places once every host is
//! known.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Reader, local_path, strings, valid_host_name};
use crate::diagnostic::{Code, Diagnostic, Report};
use crate::inventory::{Connection, Host, SshClient};
use crate::schema::{Ctx, Sp};
use crate::yaml::Node;

pub const HOST: &[&str] = &[
    "address", "role", "groups", "mirror", "replication_check", "user", "port", "identity_files",
    "known_hosts", "connection", "workdir", "lock_dir", "become", "jump",
];

impl Reader {
    pub(super) fn hosts(&mut self, ctx: &mut Ctx, node: &Node, base: &Path) {
        let Some(entries) = ctx.mapping(node, "hosts") else {
            return;
        };
        self.host_entries += entries.len();
        for (key, name, value) in entries {
            if !valid_host_name(name) {
                ctx.emit_help(
                    key.pos,
                    Code::E004,
                    format!("`{name}` is not a host name"),
                    "host names are letters, digits, `.`, `_` and `-`, starting with a letter or digit",
                );
                continue;
            }
            if let Some(first) = self.inv.host(name) {
                let message = format!("duplicate host `{name}`; first defined at {}", first.loc);
                ctx.emit(key.pos, Code::E005, message);
                continue;
            }
            if let Some(host) = self.host(ctx, key, name, value, base) {
                self.inv.add_host(host);
            }
        }
    }

    fn host(
        &mut self,
        ctx: &mut Ctx,
        key: &Node,
        name: &str,
        node: &Node,
        base: &Path,
    ) -> Option<Host> {
        let what = format!("host `{name}`");
        let mut fields = ctx.fields(node, &what, HOST)?;
        fields.pos = key.pos;
        let role = fields
            .require(ctx, "role", &what)
            .and_then(|v| ctx.string(v, "role"));
        let opt_string =
            |ctx: &mut Ctx, field: &str| fields.get(field).and_then(|v| ctx.string(v, field));
        let address = opt_string(ctx, "address");
        // Shown in banners and tables: a name, never terminal control.
        for field in ["address", "user"] {
            if let Some(v) = opt_string(ctx, field)
                && v.value.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                ctx.emit(
                    v.loc.pos,
                    Code::E004,
                    format!("`{field}` may not contain blanks or control characters"),
                );
            }
        }
        let connection = opt_string(ctx, "connection");
        let workdir = opt_string(ctx, "workdir");
        let own_connection = connection.is_some();
        let ssh_client = match connection.as_ref().map(|c| c.value.as_str()) {
            Some("openssh") => SshClient::OpenSsh,
            _ => SshClient::Auto,
        };
        let connection = match (connection.as_ref().map(|c| c.value.as_str()), workdir) {
            (None | Some("ssh" | "openssh"), None) => Connection::Ssh,
            (None | Some("ssh" | "openssh"), Some(w)) => {
                ctx.emit(
                    w.loc.pos,
                    Code::E004,
                    "`workdir` is for `connection: local` hosts only",
                );
                Connection::Ssh
            }
            (Some("local"), Some(w)) => Connection::Local {
                workdir: base.join(PathBuf::from(&w.value)),
            },
            (Some("local"), None) => {
                ctx.emit(
                    key.pos,
                    Code::E003,
                    format!("{what} has `connection: local` but no `workdir`"),
                );
                return None;
            }
            (Some(other), _) => {
                let at = connection.as_ref().map_or(key.pos, |c| c.loc.pos);
                ctx.emit(
                    at,
                    Code::E004,
                    format!("unknown connection `{other}`: use ssh, openssh or local"),
                );
                return None;
            }
        };
        let own_become = fields
            .get("become")
            .and_then(|v| super::become_user(ctx, v, "become"));
        if let (Some(Some(_)), Connection::Local { .. }) = (&own_become, &connection) {
            let at = fields.key("become").map_or(key.pos, |k| k.pos);
            ctx.emit_help(
                at,
                Code::E004,
                "`become` is for SSH hosts",
                "a local host runs commands as you; run opsguard as the user instead",
            );
        }
        let groups = fields
            .get("groups")
            .map(|v| strings(ctx, v, "groups"))
            .unwrap_or_default();
        for g in &groups {
            if !valid_host_name(g) {
                ctx.emit(
                    fields.get("groups").map_or(key.pos, |n| n.pos),
                    Code::E004,
                    format!("`{g}` is not a group name"),
                );
            }
        }
        if let Some(hops) = fields.get("jump").and_then(|v| super::jump(ctx, v, "jump")) {
            if matches!(connection, Connection::Local { .. }) && !hops.is_empty() {
                let at = fields.key("jump").map_or(key.pos, |k| k.pos);
                ctx.emit(at, Code::E004, "`jump` is for SSH hosts");
            }
            self.jumps.push((self.inv.hosts.len(), hops));
        }
        if let Some(m) = opt_string(ctx, "mirror") {
            self.mirrors.push((self.inv.hosts.len(), m));
        }
        let host = Host {
            name: name.to_string(),
            loc: ctx.loc(key.pos),
            address: match (&connection, address) {
                (Connection::Local { .. }, _) => "local".to_string(),
                (_, Some(a)) => a.value,
                (_, None) => name.to_string(),
            },
            role: role.as_ref()?.value.clone(),
            connection,
            groups,
            mirror: None,
            replication_check: opt_string(ctx, "replication_check").map(|s| s.value),
            user: opt_string(ctx, "user").map(|s| s.value),
            port: fields
                .get("port")
                .and_then(|v| ctx.number(v, "port", 1, 65535))
                .map(|p| p.value as u16),
            identity_files: fields
                .get("identity_files")
                .map(|v| strings(ctx, v, "identity_files"))
                .unwrap_or_default()
                .iter()
                .map(|f| local_path(base, f))
                .collect(),
            known_hosts: opt_string(ctx, "known_hosts").map(|s| local_path(base, &s.value)),
            lock_dir: fields
                .get("lock_dir")
                .and_then(|v| super::lock_dir(ctx, v, "lock_dir")),
            become_user: own_become.clone().flatten(),
            own_become: own_become.is_some(),
            ssh_client,
            own_connection,
            jump: Vec::new(),
        };
        self.role_refs.extend(role);
        Some(host)
    }

    /// Each SSH host's hops: its own `jump`, else the settings' (cut
    /// before the host itself, so a bastion listed in the inventory is
    /// reached directly). A name of an inventory host takes that host's
    /// address, login and keys; a host with hops goes through the system
    /// ssh.
    pub(super) fn resolve_jumps(&mut self, report: &mut Report) {
        let own: HashMap<usize, Vec<Sp<String>>> =
            std::mem::take(&mut self.jumps).into_iter().collect();
        let mut resolved = Vec::new();
        for (i, host) in self.inv.hosts.iter().enumerate() {
            if !matches!(host.connection, Connection::Ssh) {
                continue;
            }
            let (specs, from_settings) = match own.get(&i) {
                Some(specs) => (specs.as_slice(), false),
                None => (self.settings_jump.as_slice(), true),
            };
            let mut hops = Vec::new();
            for spec in specs {
                if spec.value == host.name {
                    if !from_settings {
                        let message = format!("host `{}` jumps through itself", host.name);
                        report.push(Diagnostic::new(spec.loc.clone(), Code::E004, message));
                    }
                    break;
                }
                match self.inv.host(&spec.value) {
                    Some(hop) if !matches!(hop.connection, Connection::Ssh) => {
                        let message = format!(
                            "jump host `{}` is a local host; a jump host is reached over SSH",
                            hop.name
                        );
                        report.push(Diagnostic::new(spec.loc.clone(), Code::E004, message));
                    }
                    Some(hop) => hops.push(crate::inventory::Hop::to(hop)),
                    None => hops.extend(crate::inventory::Hop::parse(&spec.value)),
                }
            }
            resolved.push((i, hops));
        }
        for (i, hops) in resolved {
            let host = &mut self.inv.hosts[i];
            if !hops.is_empty() {
                host.ssh_client = SshClient::OpenSsh;
            }
            host.jump = hops;
        }
    }

    pub(super) fn check_mirrors(&mut self, report: &mut Report) {
        for (i, m) in &self.mirrors {
            let host = &self.inv.hosts[*i];
            let problem = match self.inv.host(&m.value) {
                None => Some(match self.inv.nearest_host(&m.value) {
                    Some(near) => (
                        Code::E012,
                        format!(
                            "mirror `{}` names no host (did you mean `{near}`?)",
                            m.value
                        ),
                    ),
                    None => (Code::E012, format!("mirror `{}` names no host", m.value)),
                }),
                Some(t) if t.name == host.name => Some((
                    Code::E004,
                    format!("host `{}` names itself as its mirror", host.name),
                )),
                Some(t) if t.role != host.role => Some((
                    Code::E004,
                    format!(
                        "mirror `{}` has role {} but `{}` has role {}: a mirror holds the same data, so it must have the same role",
                        t.name, t.role, host.name, host.role
                    ),
                )),
                Some(_) => None,
            };
            match problem {
                Some((code, message)) => report.push(Diagnostic::new(m.loc.clone(), code, message)),
                None => self.inv.hosts[*i].mirror = Some(m.value.clone()),
            }
        }
        // A loop (a → b → a) would copy a change around forever; report it
        // once, at the host of the loop that comes first. Each host has at
        // most one mirror, so one walk that marks what it has seen finds
        // every loop in linear time.
        let n = self.inv.hosts.len();
        let next: Vec<Option<usize>> = self
            .inv
            .hosts
            .iter()
            .map(|h| h.mirror.as_deref().and_then(|m| self.inv.host_index(m)))
            .collect();
        let written: HashMap<usize, &Sp<String>> =
            self.mirrors.iter().map(|(i, m)| (*i, m)).collect();
        // 0: not seen, 1: on the walk now, 2: done.
        let mut seen = vec![0u8; n];
        for start in 0..n {
            let mut walk = Vec::new();
            let mut at = start;
            while seen[at] == 0 {
                seen[at] = 1;
                walk.push(at);
                match next[at] {
                    Some(to) if seen[to] == 1 => {
                        let from = walk.iter().position(|&h| h == to).unwrap_or(0);
                        let cycle = &walk[from..];
                        let first = cycle.iter().copied().min().unwrap_or(to);
                        let k = cycle.iter().position(|&h| h == first).unwrap_or(0);
                        let names: Vec<&str> = cycle[k..]
                            .iter()
                            .chain(&cycle[..k])
                            .chain([&first])
                            .map(|&h| self.inv.hosts[h].name.as_str())
                            .collect();
                        if let Some(m) = written.get(&first) {
                            report.push(
                                Diagnostic::new(
                                    m.loc.clone(),
                                    Code::E004,
                                    format!("mirror loop: {}", names.join(" → ")),
                                )
                                .help(
                                    "a mirror is the copy of a host; the copy names no mirror back",
                                ),
                            );
                        }
                        break;
                    }
                    Some(to) => at = to,
                    None => break,
                }
            }
            for h in walk {
                seen[h] = 2;
            }
        }
    }
}

/// Where a host's commands land: a folder on this machine, or an SSH
/// endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Place {
    Folder(PathBuf),
    Endpoint(String, u16),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Folder(p) => write!(f, "the folder {}", p.display()),
            Place::Endpoint(a, p) => write!(f, "{a} port {p}"),
        }
    }
}

/// `dir/./live/` and `dir/live` are one folder; so is a symlink to it.
fn folder(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| crate::source::lexically_normal(path))
}

impl Reader {
    /// E006: two hosts that are one place under two roles. Typing the one
    /// role would confirm work that lands on the other's data.
    ///
    /// An SSH host is where ssh would take it: its address through the
    /// ssh_config opsguard reads (`HostName`, `Port`), so two aliases of
    /// one server are one place. A configuration that cannot be read
    /// leaves the addresses as written (the run itself then refuses).
    pub(super) fn check_places(&self, report: &mut Report) {
        use crate::transport::ssh_config;
        let settings = &self.inv.settings;
        let config = ssh_config::files(settings)
            .ok()
            .flatten()
            .and_then(|files| ssh_config::Config::load(&files).ok());
        let mut seen: HashMap<Place, usize> = HashMap::new();
        for (i, h) in self.inv.hosts.iter().enumerate() {
            let place = match &h.connection {
                Connection::Local { workdir } => Place::Folder(folder(workdir)),
                Connection::Ssh => {
                    let resolved = config
                        .as_ref()
                        .and_then(|c| c.resolve(&h.address).ok())
                        .unwrap_or_default();
                    let address = resolved.hostname.as_deref().unwrap_or(&h.address);
                    Place::Endpoint(
                        address.trim_end_matches('.').to_ascii_lowercase(),
                        h.login(settings).port.or(resolved.port).unwrap_or(22),
                    )
                }
            };
            match seen.get(&place) {
                Some(&first) if self.inv.hosts[first].role != h.role => {
                    let other = &self.inv.hosts[first];
                    report.push(
                        Diagnostic::new(
                            h.loc.clone(),
                            Code::E006,
                            format!(
                                "host `{}` [{}] is {place}, like `{}` [{}] (defined at {}): one place cannot have two roles",
                                h.name, h.role, other.name, other.role, other.loc
                            ),
                        )
                        .help("typing one role would confirm work on the other's data: give both the same role, or point them at different places"),
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(place, i);
                }
            }
        }
    }
}
