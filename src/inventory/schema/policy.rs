//! Reading `policy:`: change tickets, freezes, windows and site patterns.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Reader, strings};
use crate::diagnostic::Code;
use crate::inventory::policy::{Freeze, Window};
use crate::schema::{Ctx, Sp};
use crate::yaml::Node;

pub const POLICY: &[&str] = &[
    "require_change", "freeze", "windows", "destructive_patterns", "safe_patterns", "approvals",
];
pub const FREEZE: &[&str] = &["from", "to", "roles", "reason"];

impl Reader {
    pub(super) fn policy(&mut self, ctx: &mut Ctx, node: &Node) {
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
                "approvals" => self.approvals(ctx, v),
                "safe_patterns" => self.inv.policy.safe_patterns = strings(ctx, v, "safe_patterns"),
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

    /// `approvals: {ROLE: N}`: guarded work on ROLE needs a plan approved
    /// by N people other than the operator.
    fn approvals(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(entries) = ctx.mapping(node, "approvals") else {
            return;
        };
        for (key, role, value) in entries {
            self.role_refs
                .push(Sp::new(role.to_string(), ctx.loc(key.pos)));
            if let Some(n) = ctx.number(value, "approvals", 1, 9) {
                self.inv
                    .policy
                    .approvals
                    .push((role.to_string(), n.value as usize));
            }
        }
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
                    Err(e) => ctx.emit(item.pos, Code::E004, e.to_string()),
                }
            }
            self.inv.policy.windows.push((role.to_string(), windows));
        }
    }
}
