//! Reading inventory files into the checked model.
//!
//! Each file is read section by section; a folder's files are merged, and a
//! setting, role, policy entry or host defined in two places is an error
//! naming both. Cross-references (a host's role, a mirror, the roles policy
//! names) are checked once every file has been read, in [`Reader::finish`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::policy::{Freeze, Window};
use super::{Color, Connection, Host, Inventory, RoleDef, default_roles};
use crate::diagnostic::{Code, Diagnostic, Loc, Report, nearest};
use crate::schema::{Ctx, Sp};
use crate::yaml::{self, Node, SyntaxError, Value};

const TOP: &[&str] = &["settings", "roles", "policy", "hosts"];
const SETTINGS: &[&str] = &[
    "user",
    "port",
    "identity_files",
    "known_hosts",
    "connect_timeout",
    "command_timeout",
    "forks",
    "lock_ttl",
    "audit_log",
];
const ROLE: &[&str] = &["protected", "color"];
const POLICY: &[&str] = &[
    "require_change",
    "freeze",
    "windows",
    "destructive_patterns",
];
const FREEZE: &[&str] = &["from", "to", "roles", "reason"];
const HOST: &[&str] = &[
    "address",
    "role",
    "groups",
    "mirror",
    "replication_check",
    "user",
    "port",
    "identity_files",
    "known_hosts",
    "connection",
    "workdir",
];

/// A name that is safe in selectors, prompts and lock paths.
pub fn valid_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub fn valid_role_name(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Accumulates what the files of one inventory say.
#[derive(Default)]
pub struct Reader {
    inv: Inventory,
    /// Where each section entry was first defined: `settings.user`,
    /// `policy.freeze`, `roles.live`.
    defined: BTreeMap<String, Loc>,
    declared_roles: BTreeMap<String, (RoleDef, Loc)>,
    /// Roles named by hosts and policy, checked once all roles are known.
    role_refs: Vec<Sp<String>>,
    mirrors: Vec<(usize, Sp<String>)>,
    /// Host entries written, kept or not: "no hosts" is only said when
    /// there were none at all.
    host_entries: usize,
    first_file: Option<Arc<str>>,
}

impl Reader {
    pub fn syntax_error(&mut self, file: Arc<str>, e: SyntaxError, report: &mut Report) {
        self.first_file.get_or_insert(file.clone());
        // What the unreadable file held is unknown: do not also claim the
        // inventory has no hosts.
        self.host_entries += 1;
        report.push(Diagnostic::new(
            Loc { file, pos: e.pos },
            Code::E001,
            e.message,
        ));
    }

    pub fn read_file(&mut self, file: Arc<str>, path: &Path, text: &str, report: &mut Report) {
        let root = match yaml::parse(text) {
            Ok(root) => root,
            Err(e) => return self.syntax_error(file, e, report),
        };
        self.first_file.get_or_insert(file.clone());
        let mut ctx = Ctx::new(file, report);
        if root.value == Value::Null {
            return;
        }
        let Some(top) = ctx.fields(&root, "the inventory", TOP) else {
            return;
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(n) = top.get("settings") {
            self.settings(&mut ctx, n);
        }
        if let Some(n) = top.get("roles") {
            self.roles(&mut ctx, n);
        }
        if let Some(n) = top.get("policy") {
            self.policy(&mut ctx, n);
        }
        if let Some(n) = top.get("hosts") {
            self.hosts(&mut ctx, n, &base);
        }
    }

    /// Records that `key` is defined at `loc`; false (and E005) if it
    /// already was, in this file or another.
    fn define(&mut self, ctx: &mut Ctx, key: String, what: &str, at: &Node) -> bool {
        let loc = ctx.loc(at.pos);
        if let Some(first) = self.defined.get(&key) {
            let message = format!("{what} is defined twice; first at {first}");
            ctx.emit(at.pos, Code::E005, message);
            return false;
        }
        self.defined.insert(key, loc);
        true
    }

    fn settings(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(fields) = ctx.fields(node, "settings", SETTINGS) else {
            return;
        };
        for name in SETTINGS {
            let (Some(key), Some(v)) = (fields.key(name), fields.get(name)) else {
                continue;
            };
            if !self.define(
                ctx,
                format!("settings.{name}"),
                &format!("setting `{name}`"),
                key,
            ) {
                continue;
            }
            let what = format!("settings.{name}");
            let s = &mut self.inv.settings;
            match *name {
                "user" => s.user = ctx.string(v, &what).map(|v| v.value),
                "port" => s.port = ctx.number(v, &what, 1, 65535).map(|v| v.value as u16),
                "identity_files" => s.identity_files = strings(ctx, v, &what),
                "known_hosts" => s.known_hosts = ctx.string(v, &what).map(|v| v.value),
                "connect_timeout" => s.connect_timeout = ctx.duration(v, &what).map(|v| v.value),
                "command_timeout" => s.command_timeout = ctx.duration(v, &what).map(|v| v.value),
                "forks" => s.forks = ctx.number(v, &what, 1, 1024).map(|v| v.value as u32),
                "lock_ttl" => s.lock_ttl = ctx.duration(v, &what).map(|v| v.value),
                _ => s.audit_log = ctx.string(v, &what).map(|v| v.value),
            }
        }
    }

    fn roles(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(entries) = ctx.mapping(node, "roles") else {
            return;
        };
        for (key, name, value) in entries {
            if !valid_role_name(name) {
                ctx.emit_help(
                    key.pos,
                    Code::E004,
                    format!("`{name}` is not a role name"),
                    "role names are lowercase letters, digits, `-` and `_`, starting with a letter",
                );
                continue;
            }
            if !self.define(ctx, format!("roles.{name}"), &format!("role `{name}`"), key) {
                continue;
            }
            let what = format!("role `{name}`");
            let mut def = RoleDef {
                protected: false,
                color: Color::White,
            };
            if let Some(fields) = ctx.fields(value, &what, ROLE) {
                if let Some(v) = fields.get("protected") {
                    def.protected = ctx.bool(v, "protected").is_some_and(|b| b.value);
                }
                if let Some(v) = fields.get("color")
                    && let Some(c) = ctx.string(v, "color")
                {
                    match Color::parse(&c.value) {
                        Some(color) => def.color = color,
                        None => ctx.emit_help(
                            v.pos,
                            Code::E004,
                            format!("unknown colour `{}`", c.value),
                            format!("use one of {}", Color::NAMES.join(", ")),
                        ),
                    }
                }
            }
            self.declared_roles
                .insert(name.to_string(), (def, ctx.loc(key.pos)));
        }
    }

    fn policy(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(fields) = ctx.fields(node, "policy", POLICY) else {
            return;
        };
        for name in POLICY {
            let (Some(key), Some(v)) = (fields.key(name), fields.get(name)) else {
                continue;
            };
            if !self.define(
                ctx,
                format!("policy.{name}"),
                &format!("policy `{name}`"),
                key,
            ) {
                continue;
            }
            match *name {
                "require_change" => {
                    for role in ctx.strings(v, "require_change").unwrap_or_default() {
                        self.inv.policy.require_change.push(role.value.clone());
                        self.role_refs.push(role);
                    }
                }
                "freeze" => {
                    for item in ctx.seq(v, "freeze").unwrap_or_default() {
                        if let Some(f) = self.freeze(ctx, item) {
                            self.inv.policy.freezes.push(f);
                        }
                    }
                }
                "windows" => self.windows(ctx, v),
                _ => self.inv.policy.destructive_patterns = strings(ctx, v, "destructive_patterns"),
            }
        }
    }

    fn freeze(&mut self, ctx: &mut Ctx, node: &Node) -> Option<Freeze> {
        let fields = ctx.fields(node, "a freeze", FREEZE)?;
        let mut instant = |name: &str| -> Option<OffsetDateTime> {
            let v = fields.require(ctx, name, "a freeze")?;
            let text = ctx.string(v, name)?;
            match OffsetDateTime::parse(&text.value, &Rfc3339) {
                Ok(t) => Some(t),
                Err(_) => {
                    ctx.emit_help(
                        v.pos,
                        Code::E004,
                        format!("`{}` is not a date and time", text.value),
                        "write RFC 3339 with a zone, like 2026-12-20T00:00:00Z",
                    );
                    None
                }
            }
        };
        let (from, to) = (instant("from"), instant("to"));
        let roles_node = fields.require(ctx, "roles", "a freeze");
        let roles = roles_node
            .and_then(|n| ctx.strings(n, "roles"))
            .unwrap_or_default();
        let reason = match fields.get("reason") {
            Some(v) => ctx.string(v, "reason").map(|s| s.value)?,
            None => "change freeze".to_string(),
        };
        let (from, to) = (from?, to?);
        if from >= to {
            ctx.emit(
                fields.pos,
                Code::E004,
                "a freeze must end (`to`) after it starts (`from`)",
            );
            return None;
        }
        let names = roles.iter().map(|r| r.value.clone()).collect();
        self.role_refs.extend(roles);
        Some(Freeze {
            from,
            to,
            roles: names,
            reason,
        })
    }

    fn windows(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(entries) = ctx.mapping(node, "windows") else {
            return;
        };
        for (key, role, value) in entries {
            self.role_refs
                .push(Sp::new(role.to_string(), ctx.loc(key.pos)));
            let mut windows = Vec::new();
            for item in ctx.seq(value, "windows").unwrap_or_default() {
                let Some(text) = ctx.string(item, "a window") else {
                    continue;
                };
                match text.value.parse::<Window>() {
                    Ok(w) => windows.push(w),
                    Err(e) => ctx.emit(item.pos, Code::E004, e),
                }
            }
            self.inv.policy.windows.push((role.to_string(), windows));
        }
    }

    fn hosts(&mut self, ctx: &mut Ctx, node: &Node, base: &Path) {
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
        let connection = opt_string(ctx, "connection");
        let workdir = opt_string(ctx, "workdir");
        let connection = match (connection.as_ref().map(|c| c.value.as_str()), workdir) {
            (None | Some("ssh"), None) => Connection::Ssh,
            (None | Some("ssh"), Some(w)) => {
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
                    format!("unknown connection `{other}`: use ssh or local"),
                );
                return None;
            }
        };
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
                .unwrap_or_default(),
            known_hosts: opt_string(ctx, "known_hosts").map(|s| s.value),
        };
        self.role_refs.extend(role);
        Some(host)
    }

    /// Checks what refers across files and returns the inventory.
    pub fn finish(mut self, report: &mut Report) -> Inventory {
        self.inv.roles = if self.declared_roles.is_empty() {
            default_roles()
        } else {
            std::mem::take(&mut self.declared_roles)
                .into_iter()
                .map(|(n, (d, _))| (n, d))
                .collect()
        };
        let known: Vec<&str> = self.inv.roles.keys().map(String::as_str).collect();
        for r in &self.role_refs {
            if !self.inv.roles.contains_key(&r.value) {
                let help = match nearest(&r.value, &known) {
                    Some(near) => format!(
                        "did you mean `{near}`? declared roles: {}",
                        known.join(", ")
                    ),
                    None => format!(
                        "declare it under `roles:`; declared roles: {}",
                        known.join(", ")
                    ),
                };
                report.push(
                    Diagnostic::new(
                        r.loc.clone(),
                        Code::E004,
                        format!("unknown role `{}`", r.value),
                    )
                    .help(help),
                );
            }
        }
        self.check_mirrors(report);
        if self.host_entries == 0
            && let Some(file) = self.first_file
        {
            let pos = yaml::Pos {
                line: 1,
                column: 1,
                len: 0,
            };
            report.push(
                Diagnostic::new(
                    Loc { file, pos },
                    Code::E003,
                    "the inventory defines no hosts",
                )
                .help("add a `hosts:` mapping with at least one host and its role"),
            );
        }
        self.inv
    }

    fn check_mirrors(&mut self, report: &mut Report) {
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
        // once, at the host of the loop that comes first.
        for (i, m) in &self.mirrors {
            let mut path = vec![*i];
            let mut at = *i;
            while let Some(next) = self.inv.hosts[at]
                .mirror
                .as_deref()
                .and_then(|n| self.inv.host_index(n))
            {
                if next == *i {
                    if path.iter().min() == Some(i) {
                        let names: Vec<&str> = path
                            .iter()
                            .chain([i])
                            .map(|&h| self.inv.hosts[h].name.as_str())
                            .collect();
                        let message = format!("mirror loop: {}", names.join(" → "));
                        report.push(
                            Diagnostic::new(m.loc.clone(), Code::E004, message).help(
                                "a mirror is the copy of a host; the copy names no mirror back",
                            ),
                        );
                    }
                    break;
                }
                if path.contains(&next) || path.len() > self.inv.hosts.len() {
                    break;
                }
                path.push(next);
                at = next;
            }
        }
    }
}

fn strings(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<String> {
    ctx.strings(node, what)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect()
}
