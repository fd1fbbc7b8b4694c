//! Reading inventory files into the checked model.
//!
//! Each file is read section by section; a folder's files are merged, and a
//! setting, role, policy entry or host defined in two places is an error
//! naming both. Cross-references (a host's role, a mirror, the roles policy
//! names) are checked once every file has been read, in [`Reader::finish`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{Color, Inventory, RoleDef, default_roles};
use crate::diagnostic::{Code, Diagnostic, Loc, Report, nearest};
use crate::schema::{Ctx, Sp};
use crate::yaml::{self, Node, SyntaxError, Value};

mod hosts;
mod policy;

/// The fields the reader accepts, at each level (the JSON Schema in
/// `schemas/` is checked against them).
pub mod fields {
    pub use super::hosts::HOST;
    pub use super::policy::{FREEZE, POLICY};
    pub use super::{ROLE, SETTINGS, TOP};
}

pub const TOP: &[&str] = &["settings", "roles", "policy", "hosts"];
pub const SETTINGS: &[&str] = &[
    "user", "port", "identity_files", "known_hosts", "connect_timeout", "command_timeout", "forks",
    "lock_ttl", "audit_log", "lock_dir", "ssh_config", "become", "connection", "jump",
    "audit_syslog", "audit_offline", "host_syslog", "allowed_signers",
];
pub const ROLE: &[&str] = &["protected", "color", "unknown_commands"];
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
    pub(super) inv: Inventory,
    /// Where each section entry was first defined: `settings.user`,
    /// `policy.freeze`, `roles.live`.
    pub(super) defined: BTreeMap<String, Loc>,
    pub(super) declared_roles: BTreeMap<String, (RoleDef, Loc)>,
    /// Roles named by hosts and policy, checked once all roles are known.
    pub(super) role_refs: Vec<Sp<String>>,
    pub(super) mirrors: Vec<(usize, Sp<String>)>,
    /// Host entries written, kept or not: "no hosts" is only said when
    /// there were none at all.
    pub(super) host_entries: usize,
    /// `jump` as hosts wrote it (by index), and as settings did; resolved
    /// once every host is known.
    pub(super) jumps: Vec<(usize, Vec<Sp<String>>)>,
    pub(super) settings_jump: Vec<Sp<String>>,
    pub(super) first_file: Option<Arc<str>>,
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
        // Relative paths are read from the folder of the file itself: for
        // a symlinked inventory, the real file's, not the link's.
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let base = real.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(n) = top.get("settings") {
            self.settings(&mut ctx, n, &base);
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
    pub(super) fn define(&mut self, ctx: &mut Ctx, key: String, what: &str, at: &Node) -> bool {
        let loc = ctx.loc(at.pos);
        if let Some(first) = self.defined.get(&key) {
            let message = format!("{what} is defined twice; first at {first}");
            ctx.emit(at.pos, Code::E005, message);
            return false;
        }
        self.defined.insert(key, loc);
        true
    }

    fn settings(&mut self, ctx: &mut Ctx, node: &Node, base: &Path) {
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
                "identity_files" => {
                    s.identity_files = strings(ctx, v, &what)
                        .iter()
                        .map(|f| local_path(base, f))
                        .collect()
                }
                "known_hosts" => {
                    s.known_hosts = ctx.string(v, &what).map(|v| local_path(base, &v.value))
                }
                "connect_timeout" => s.connect_timeout = ctx.duration(v, &what).map(|v| v.value),
                "command_timeout" => s.command_timeout = ctx.duration(v, &what).map(|v| v.value),
                "forks" => s.forks = ctx.number(v, &what, 1, 1024).map(|v| v.value as u32),
                "lock_ttl" => s.lock_ttl = ctx.duration(v, &what).map(|v| v.value),
                "lock_dir" => s.lock_dir = lock_dir(ctx, v, &what),
                "become" => s.become_user = become_user(ctx, v, &what).flatten(),
                "jump" => self.settings_jump = jump(ctx, v, &what).unwrap_or_default(),
                "allowed_signers" => {
                    s.allowed_signers = ctx.string(v, &what).map(|v| local_path(base, &v.value))
                }
                "audit_offline" => match ctx.string(v, &what) {
                    Some(o) if o.value == "spool" => s.audit_offline_spool = true,
                    Some(o) if o.value == "refuse" => s.audit_offline_spool = false,
                    Some(o) => ctx.emit_help(
                        o.loc.pos,
                        Code::E004,
                        format!("unknown {what} `{}`", o.value),
                        "refuse (the default: nothing runs while the audit database is away) or spool (work known to be safe runs, recorded in a local spool for `audit push`)",
                    ),
                    None => {}
                },
                "host_syslog" => match &v.value {
                    Value::Bool(true) => s.host_syslog = super::HostSyslog::On,
                    Value::Bool(false) => s.host_syslog = super::HostSyslog::Off,
                    _ => match ctx.string(v, &what) {
                        Some(t) if t.value.starts_with("unix:/") && !t.value.chars().any(char::is_control) => {
                            s.host_syslog = super::HostSyslog::Socket(t.value["unix:".len()..].to_string())
                        }
                        Some(t) => ctx.emit_help(
                            t.loc.pos,
                            Code::E004,
                            format!("{what} `{}` is not true, false or unix:PATH", t.value.escape_debug()),
                            "true writes to the host's syslog with logger; unix:PATH names the socket on the host",
                        ),
                        None => {}
                    },
                },
                "audit_syslog" => {
                    s.audit_syslog = ctx.string(v, &what).and_then(|t| {
                        crate::audit::syslog::Target::parse(&t.value)
                            .map_err(|e| ctx.emit(t.loc.pos, Code::E004, format!("{what}: {e}")))
                            .ok()
                    })
                }
                "connection" => {
                    s.ssh_client = match ctx.string(v, &what) {
                        Some(c) if c.value == "openssh" => super::SshClient::OpenSsh,
                        Some(c) if c.value == "ssh" => super::SshClient::Auto,
                        Some(c) => {
                            ctx.emit(
                                c.loc.pos,
                                Code::E004,
                                format!(
                                    "unknown settings.connection `{}`: use ssh or openssh (local is per host)",
                                    c.value
                                ),
                            );
                            super::SshClient::Auto
                        }
                        None => super::SshClient::Auto,
                    }
                }
                "ssh_config" => {
                    s.ssh_config = ctx.string(v, &what).map(|v| match v.value.as_str() {
                        "none" => v.value,
                        path => local_path(base, path),
                    })
                }
                _ => {
                    s.audit_log = ctx.string(v, &what).and_then(|v| {
                        if !crate::audit::database::is_url(&v.value) {
                            return Some(local_path(base, &v.value));
                        }
                        // A URL is kept as written; a password never is.
                        match crate::audit::database::Database::parse(&v.value) {
                            Ok(_) => Some(v.value),
                            Err(e) => {
                                ctx.emit(v.loc.pos, Code::E004, format!("{what}: {e}"));
                                None
                            }
                        }
                    })
                }
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
                guard_unknown: None,
            };
            if let Some(fields) = ctx.fields(value, &what, ROLE) {
                if let Some(v) = fields.get("protected") {
                    def.protected = ctx.bool(v, "protected").is_some_and(|b| b.value);
                }
                if let Some(v) = fields.get("unknown_commands")
                    && let Some(c) = ctx.string(v, "unknown_commands")
                {
                    match c.value.as_str() {
                        "guard" => def.guard_unknown = Some(true),
                        "allow" => def.guard_unknown = Some(false),
                        other => ctx.emit_help(
                            v.pos,
                            Code::E004,
                            format!("`unknown_commands: {other}` is neither `guard` nor `allow`"),
                            "`guard` asks for the typed-back role before commands not known to be safe; `allow` runs them",
                        ),
                    }
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
        self.check_places(report);
        // Settings may come after the hosts in the file, or in another.
        let settings = &self.inv.settings;
        for host in &mut self.inv.hosts {
            if host.lock_dir.is_none() {
                host.lock_dir = settings.lock_dir.clone();
            }
            let ssh = matches!(host.connection, super::Connection::Ssh);
            if ssh && host.become_user.is_none() && !host.own_become {
                host.become_user = settings.become_user.clone();
            }
            if ssh && !host.own_connection {
                host.ssh_client = settings.ssh_client;
            }
        }
        self.resolve_jumps(report);
        if self.host_entries == 0
            && let Some(file) = self.first_file
        {
            let pos = yaml::Pos {
                line: 1,
                column: 1,
                len: 0,
                end: None,
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
}

/// A file on this machine named in an inventory: `~/...` and absolute
/// paths as written, relative ones against the inventory file's folder
/// (like `workdir`), so an inventory works from any current folder.
/// A `become`: a user name, `true` (root) or `false` (none); `None` when
/// it is not valid (reported).
pub(super) fn become_user(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Option<String>> {
    match &node.value {
        Value::Bool(true) => Some(Some("root".into())),
        Value::Bool(false) => Some(None),
        _ => {
            let v = ctx.string(node, what)?;
            if !super::valid_user_name(&v.value) {
                ctx.emit_help(
                    v.loc.pos,
                    Code::E004,
                    format!("{what} `{}` is not a user name", v.value.escape_debug()),
                    "write the user commands run as on the host (lower-case letters, digits, `_`, `.`, `-`), or true for root",
                );
                return None;
            }
            Some(Some(v.value))
        }
    }
}

/// A `jump`: a hop, hops separated by commas, a list of them, or `none`
/// (or `false`) for none. Each is checked as written here; names are
/// matched against the hosts once every host is known.
pub(super) fn jump(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Vec<Sp<String>>> {
    let items: Vec<Sp<String>> = match &node.value {
        Value::Bool(false) => return Some(Vec::new()),
        Value::Seq(_) => ctx.strings(node, what)?,
        _ => {
            let v = ctx.string(node, what)?;
            if v.value == "none" {
                return Some(Vec::new());
            }
            v.value
                .split(',')
                .map(|s| Sp::new(s.trim().to_string(), v.loc.clone()))
                .collect()
        }
    };
    let mut hops = Vec::new();
    for item in items {
        if super::Hop::parse(&item.value).is_some() {
            hops.push(item);
        } else {
            ctx.emit_help(
                item.loc.pos,
                Code::E004,
                format!("{what} `{}` is not a jump host", item.value.escape_debug()),
                "name an inventory host, or write [user@]host[:port]",
            );
        }
    }
    Some(hops)
}

/// A `lock_dir`: a full path on the host, without `..` or control
/// characters (it is shown in prompts and records).
pub(super) fn lock_dir(ctx: &mut Ctx, node: &Node, what: &str) -> Option<String> {
    let v = ctx.string(node, what)?;
    let path = v.value.trim_end_matches('/');
    let fine = path.starts_with('/')
        && !path.chars().any(char::is_control)
        && !path.split('/').any(|part| part == "..");
    if !fine {
        ctx.emit_help(
            v.loc.pos,
            Code::E004,
            format!(
                "{what} `{}` is not a full path on the host",
                v.value.escape_debug()
            ),
            "write the folder that holds the lock as an absolute path, like /run/lock or /var/tmp",
        );
        return None;
    }
    Some(if path.is_empty() { "/" } else { path }.to_string())
}

pub(super) fn local_path(base: &Path, path: &str) -> String {
    if path.starts_with("~/") || Path::new(path).is_absolute() {
        path.to_string()
    } else {
        base.join(path).to_string_lossy().into_owned()
    }
}

pub(super) fn strings(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<String> {
    ctx.strings(node, what)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect()
}
