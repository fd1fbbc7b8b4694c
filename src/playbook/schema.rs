//! Reading a playbook file into the model, with every shape problem
//! reported at its place.

use std::sync::Arc;

use super::{Batch, Playbook, SelectorAt, Step};
use crate::diagnostic::{Code, Diagnostic, Loc, Report};
use crate::inventory::Selector;
use crate::schema::{Ctx, Sp};
use crate::yaml::{self, Node, Value};

/// The fields the reader accepts (the JSON Schema in `schemas/` is
/// checked against them).
pub mod fields {
    pub use super::{STEP, TOP};
}

pub const TOP: &[&str] = &[
    "name", "description", "hosts", "serial", "max_failures", "change", "steps",
];
pub const STEP: &[&str] = &[
    "name", "run", "hosts", "destructive", "role", "timeout", "budget", "become",
];

pub fn read(file: Arc<str>, text: &str, report: &mut Report) -> Option<Playbook> {
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            report.push(Diagnostic::new(
                Loc { file, pos: e.pos },
                Code::E001,
                e.message,
            ));
            return None;
        }
    };
    let mut ctx = Ctx::new(file.clone(), report);
    if root.value == Value::Null {
        ctx.emit_help(
            root.pos,
            Code::E003,
            "the playbook is empty",
            "a playbook needs `name` and `steps`",
        );
        return None;
    }
    let top = ctx.fields(&root, "the playbook", TOP)?;
    let name = top
        .require(&mut ctx, "name", "the playbook")
        .and_then(|n| ctx.string(n, "name"));
    let description = top
        .get("description")
        .and_then(|n| ctx.string(n, "description"))
        .map(|s| s.value);
    let hosts = top.get("hosts").and_then(|n| selector(&mut ctx, n, text));
    let serial = top
        .get("serial")
        .map(|n| serial(&mut ctx, n))
        .unwrap_or_default();
    let max_failures = top
        .get("max_failures")
        .and_then(|n| ctx.number(n, "max_failures", 0, 1_000_000))
        .map_or(0, |n| n.value as u32);
    let change = top.get("change").and_then(|n| ctx.string(n, "change"));
    let mut steps = Vec::new();
    if let Some(list) = top.require(&mut ctx, "steps", "the playbook")
        && let Some(items) = ctx.seq(list, "steps")
    {
        if items.is_empty() {
            ctx.emit(list.pos, Code::E003, "the playbook has no steps");
        }
        for item in items {
            if let Some(s) = step(&mut ctx, item, steps.len() + 1, text) {
                steps.push(s);
            }
        }
    }
    Some(Playbook {
        file,
        name: name?,
        description,
        hosts_given: top.get("hosts").is_some(),
        hosts,
        serial,
        max_failures,
        change,
        steps,
    })
}

fn step(ctx: &mut Ctx, node: &Node, number: usize, text: &str) -> Option<Step> {
    let what = format!("step {number}");
    let fields = ctx.fields(node, &what, STEP)?;
    let name = fields
        .require(ctx, "name", &what)
        .and_then(|n| ctx.string(n, "name"));
    let run = fields
        .require(ctx, "run", &what)
        .and_then(|n| ctx.string(n, "run"));
    let hosts = fields.get("hosts").and_then(|n| selector(ctx, n, text));
    let destructive = fields
        .get("destructive")
        .and_then(|n| ctx.bool(n, "destructive"));
    let role = fields.get("role").and_then(|n| ctx.string(n, "role"));
    let timeout = fields
        .get("timeout")
        .and_then(|n| ctx.duration(n, "timeout"))
        .map(|d| d.value);
    let budget = fields
        .get("budget")
        .and_then(|n| ctx.number(n, "budget", 0, i64::MAX))
        .map(|n| n.value as u64);
    let become_user = fields.get("become").and_then(|n| become_user(ctx, n));
    Some(Step {
        number,
        loc: ctx.loc(fields.pos),
        name: name?.value,
        run: run?,
        hosts_given: fields.get("hosts").is_some(),
        hosts,
        destructive,
        role,
        timeout,
        budget,
        become_user,
    })
}

/// A step's `become`: a user name, or `true` for root.
fn become_user(ctx: &mut Ctx, node: &Node) -> Option<Sp<String>> {
    if let crate::yaml::Value::Bool(b) = node.value {
        if !b {
            ctx.emit_help(
                node.pos,
                Code::E004,
                "`become: false` on a step is not supported",
                "leave `become` out to run as the host's user",
            );
            return None;
        }
        return Some(Sp::new("root".to_string(), ctx.loc(node.pos)));
    }
    let v = ctx.string(node, "become")?;
    if !crate::inventory::valid_user_name(&v.value) {
        ctx.emit_help(
            v.loc.pos,
            Code::E004,
            format!("become `{}` is not a user name", v.value.escape_debug()),
            "write the user the step runs as on the host, or true for root",
        );
        return None;
    }
    Some(v)
}

fn selector(ctx: &mut Ctx, node: &Node, text: &str) -> Option<SelectorAt> {
    let s = ctx.string(node, "hosts")?;
    let text_column = text_column(text, node, &s.value);
    match s.value.parse::<Selector>() {
        Ok(selector) => Some(SelectorAt {
            selector,
            loc: s.loc,
            text_column,
        }),
        Err(e) => {
            let mut pos = node.pos;
            if let Some(col) = text_column {
                pos.column = col + s.value[..e.offset.min(s.value.len())].chars().count() as u32;
                pos.len = 0;
            }
            ctx.emit_help(
                pos,
                Code::E004,
                format!("invalid selector: {e}"),
                "a selector is a comma-separated list of host names, `*` patterns, `@group`, `role:NAME`, and `!` exclusions",
            );
            None
        }
    }
}

/// The column where the selector's own text starts, if the source shows it
/// there as written (plain, or in quotes on one line).
fn text_column(text: &str, node: &Node, value: &str) -> Option<u32> {
    let line = text.lines().nth(node.pos.line.checked_sub(1)? as usize)?;
    let rest: String = line
        .chars()
        .skip(node.pos.column.checked_sub(1)? as usize)
        .collect();
    if rest.starts_with(value) {
        Some(node.pos.column)
    } else if (rest.starts_with('"') || rest.starts_with('\'')) && rest[1..].starts_with(value) {
        Some(node.pos.column + 1)
    } else {
        None
    }
}

fn serial(ctx: &mut Ctx, node: &Node) -> Vec<Sp<Batch>> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        let batch = match &item.value {
            Value::Int(n) if *n >= 1 && *n <= u32::MAX as i64 => Some(Batch::Count(*n as u32)),
            Value::Str(s) => s
                .strip_suffix('%')
                .and_then(|p| p.trim().parse::<u32>().ok())
                .filter(|p| (1..=100).contains(p))
                .map(Batch::Percent),
            _ => None,
        };
        match batch {
            Some(b) => out.push(Sp::new(b, ctx.loc(item.pos))),
            None => ctx.emit_help(
                item.pos,
                Code::E004,
                format!("serial batch must be a number of hosts (1 or more) or a percentage, found `{}`", item.scalar_text().unwrap_or_else(|| item.value.kind().into())),
                "write `serial: [1, \"50%\"]`: a canary host first, then half of them at a time",
            ),
        }
    }
    out
}
