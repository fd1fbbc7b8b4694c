//! `audit report`: one session as a reviewer reads it, to attach to a
//! change ticket. HTML (one self-contained file: no external requests,
//! no script, a Content-Security-Policy that forbids any fetch) or
//! Markdown (a CI job summary, a ticket comment).
//!
//! Who, where, when, argv, change, plan id and approvers, the inventory
//! and playbook hashes; the guards met and what was typed; a timeline (one
//! lane per host in its role's colour, one bar per command coloured by its
//! status, batches marked, refusals and failures marked); each command's
//! output, folded; and the chain check. Everything from the log is data:
//! HTML-escaped, and control characters shown as text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::event::{Event, Record};
use crate::ui::escape::visible;

/// How the log's chain stood when the report was made.
#[derive(Clone, Debug)]
pub struct Chain {
    pub ok: bool,
    pub records: u64,
    pub head: Option<(u64, String)>,
    pub problem: Option<String>,
    /// This session's records whose own hash holds, of how many.
    pub sealed: (usize, usize),
}

/// One command on one host, as the timeline draws it.
#[derive(Clone, Debug)]
struct Bar {
    host: String,
    step: Option<usize>,
    step_name: Option<String>,
    command: String,
    start: i64,
    end: Option<i64>,
    status: String,
    exit: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A moment on the timeline worth a mark.
#[derive(Clone, Debug)]
struct Mark {
    at: i64,
    kind: &'static str,
    label: String,
    host: Option<String>,
}

/// The session, read from its records.
struct Session<'a> {
    records: &'a [Record],
    /// Each step's budget, from the plan.
    budgets: BTreeMap<usize, u64>,
    t0: OffsetDateTime,
    hosts: Vec<(String, String)>,
    bars: Vec<Bar>,
    marks: Vec<Mark>,
}

fn at(ts: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(ts, &Rfc3339).ok()
}

impl<'a> Session<'a> {
    fn read(records: &'a [Record]) -> Session<'a> {
        let t0 = records
            .first()
            .and_then(|r| at(&r.header.ts))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let ms = |ts: &str| at(ts).map_or(0, |t| (t - t0).whole_milliseconds() as i64);
        let mut hosts: Vec<(String, String)> = Vec::new();
        let add_host = |name: &str, role: &str, hosts: &mut Vec<(String, String)>| {
            if !hosts.iter().any(|(n, _)| n == name) {
                hosts.push((name.to_string(), role.to_string()));
            }
        };
        let mut bars: Vec<Bar> = Vec::new();
        let mut marks = Vec::new();
        let mut budgets = BTreeMap::new();
        for r in records {
            let t = ms(&r.header.ts);
            match &r.event {
                Some(Event::Plan(p)) => {
                    for target in &p.targets {
                        add_host(&target.name, &target.role, &mut hosts);
                    }
                    for step in p.steps.iter().flatten() {
                        if let Some(b) = step.budget {
                            budgets.insert(step.number, b);
                        }
                    }
                }
                Some(Event::CommandStart(c)) => {
                    add_host(&c.on.host, &c.on.role, &mut hosts);
                    bars.push(Bar {
                        host: c.on.host.clone(),
                        step: c.step,
                        step_name: c.step_name.clone(),
                        command: c.command.clone(),
                        start: t,
                        end: None,
                        status: "running".into(),
                        exit: None,
                        stdout: String::new(),
                        stderr: String::new(),
                    });
                }
                Some(Event::CommandEnd(e)) => {
                    let host = &e.start.on.host;
                    let open = bars
                        .iter_mut()
                        .rev()
                        .find(|b| &b.host == host && b.end.is_none() && b.step == e.start.step);
                    if let Some(b) = open {
                        b.end = Some(t);
                        b.status = e.status.clone();
                        b.exit = e.ran.as_ref().and_then(|r| r.exit_code);
                        if let Some(ran) = &e.ran {
                            b.stdout = ran.stdout.text.clone();
                            b.stderr = ran.stderr.text.clone();
                        }
                    }
                }
                Some(Event::BatchStart(b)) => marks.push(Mark {
                    at: t,
                    kind: "batch",
                    label: format!("batch {}/{}", b.batch, b.of),
                    host: None,
                }),
                Some(Event::GuardRefused(g)) => marks.push(Mark {
                    at: t,
                    kind: "refused",
                    label: format!("refused: {}", g.reason),
                    host: None,
                }),
                Some(Event::HostUnreachable(u)) => {
                    add_host(&u.on.host, &u.on.role, &mut hosts);
                    marks.push(Mark {
                        at: t,
                        kind: "unreachable",
                        label: "unreachable".into(),
                        host: Some(u.on.host.clone()),
                    });
                }
                _ => {}
            }
        }
        Session {
            records,
            budgets,
            t0,
            hosts,
            bars,
            marks,
        }
    }

    fn start(&self) -> Option<&super::event::SessionStart> {
        self.records.iter().find_map(|r| match &r.event {
            Some(Event::SessionStart(s)) => Some(s),
            _ => None,
        })
    }

    fn end(&self) -> Option<&super::event::SessionEnd> {
        self.records.iter().find_map(|r| match &r.event {
            Some(Event::SessionEnd(s)) => Some(s),
            _ => None,
        })
    }

    fn span(&self) -> i64 {
        self.records
            .last()
            .and_then(|r| at(&r.header.ts))
            .map_or(0, |t| (t - self.t0).whole_milliseconds() as i64)
            .max(1)
    }

    /// `(what, detail)` of each guard the session met, in order.
    fn guards(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for r in self.records {
            let row = match &r.event {
                Some(Event::GuardCheck(c)) => Some((
                    format!("replication check on {}", c.on.host),
                    format!("`{}`: {}", c.command, if c.ok { "ok" } else { "failed" }),
                )),
                Some(Event::GuardPrompt(p)) => Some((
                    format!("prompt: role {}", p.question.role),
                    p.prompt.clone(),
                )),
                Some(Event::GuardConfirmed(c)) => Some((
                    format!("confirmed ({})", c.via),
                    format!("typed {:?}", c.typed),
                )),
                Some(Event::GuardRefused(g)) => Some((
                    format!("refused: {}", g.reason),
                    match &g.typed {
                        Some(t) => format!("{} (typed {t:?})", g.message),
                        None => g.message.clone(),
                    },
                )),
                Some(Event::LockAcquire(l)) => {
                    Some((format!("lock taken on {}", l.on.host), String::new()))
                }
                _ => None,
            };
            out.extend(row);
        }
        out
    }
}

/// `text` for HTML: escaped, its control characters shown as text.
fn html(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` for Markdown inline code or a table cell.
fn md(text: &str) -> String {
    visible(text)
        .replace('|', "\\|")
        .replace('`', "'")
        .replace('\n', " ")
}

/// A role's colour (the inventory's when given, else live red, backup
/// green, others grey).
fn colour(role: &str, colours: &BTreeMap<String, String>) -> String {
    if let Some(c) = colours.get(role) {
        return c.clone();
    }
    match role {
        "live" => "#c62828",
        "backup" => "#2e7d32",
        _ => "#616161",
    }
    .into()
}

fn status_colour(status: &str) -> &'static str {
    match status {
        "ok" => "#43a047",
        "failed" => "#e53935",
        "timeout" => "#fb8c00",
        "interrupted" | "skipped" => "#9e9e9e",
        "unreachable" => "#6d4c41",
        _ => "#1e88e5",
    }
}

/// The facts at the top: who, where, when, what.
fn facts(s: &Session) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    let Some(first) = s.records.first() else {
        return rows;
    };
    let h = &first.header;
    rows.push(("session", h.session.clone()));
    rows.push((
        "who",
        format!("{}@{} (pid {})", h.user, h.workstation, h.pid.unwrap_or(0)),
    ));
    rows.push((
        "when",
        format!(
            "{} to {}",
            h.ts,
            s.records.last().map_or("", |r| r.header.ts.as_str())
        ),
    ));
    if let Some(start) = s.start() {
        rows.push(("argv", start.argv.join(" ")));
        rows.push(("folder", start.cwd.clone()));
        rows.push((
            "opsguard",
            format!(
                "{} (commit {})",
                start.version,
                start.commit.as_deref().unwrap_or("unknown")
            ),
        ));
        rows.push(("terminal", if start.terminal { "yes" } else { "no" }.into()));
        if let Some(c) = &start.change {
            rows.push(("change", c.clone()));
        }
        if let Some(e) = &start.emergency {
            rows.push(("emergency", e.clone()));
        }
        if let Some(plan) = &start.plan {
            rows.push(("plan", format!("{} ({})", plan.id, plan.file)));
            let approvers: Vec<String> = plan
                .approvers
                .iter()
                .map(|a| format!("{} ({})", a.principal, a.key))
                .collect();
            rows.push((
                "approvers",
                if approvers.is_empty() {
                    "none".into()
                } else {
                    approvers.join(", ")
                },
            ));
        }
        for (what, files) in [
            ("inventory", &start.inventory),
            ("playbook", &start.playbook),
        ] {
            if let Some(files) = files {
                for f in &files.files {
                    rows.push((what, format!("{} sha256:{}", f.path, f.sha256)));
                }
            }
        }
    }
    if let Some(end) = s.end() {
        rows.push(("ended", format!("{} (exit {})", end.status, end.exit_code)));
    }
    rows
}

const LABEL: f64 = 190.0;
const WIDTH: f64 = 760.0;
const LANE: f64 = 30.0;

/// The timeline as inline SVG.
fn timeline(s: &Session, colours: &BTreeMap<String, String>) -> String {
    let span = s.span() as f64;
    let x = |ms: i64| LABEL + (ms.max(0) as f64) / span * WIDTH;
    let height = 30.0 + LANE * s.hosts.len() as f64 + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="timeline" width="{w}" height="{height}" viewBox="0 0 {w} {height}" role="img" aria-label="timeline">"#,
        w = LABEL + WIDTH + 80.0
    );
    let _ = write!(
        svg,
        r#"<text x="{LABEL}" y="14" class="axis">0 s</text><text x="{}" y="14" class="axis" text-anchor="end">{:.1} s</text>"#,
        LABEL + WIDTH,
        span / 1000.0
    );
    for (i, (name, role)) in s.hosts.iter().enumerate() {
        let y = 24.0 + LANE * i as f64;
        let _ = write!(
            svg,
            r#"<g class="lane" data-host="{h}" data-role="{r}"><rect x="0" y="{y}" width="{}" height="{}" fill="{c}" fill-opacity="0.12"/><rect x="0" y="{y}" width="6" height="{}" fill="{c}"/><text x="12" y="{}" class="host">{h} [{R}]</text>"#,
            LABEL + WIDTH + 80.0,
            LANE - 4.0,
            LANE - 4.0,
            y + 17.0,
            h = html(name),
            r = html(role),
            R = html(&role.to_uppercase()),
            c = colour(role, colours),
        );
        for b in s.bars.iter().filter(|b| &b.host == name) {
            let x0 = x(b.start);
            let x1 = x(b.end.unwrap_or(s.span()));
            let budget = b.step.and_then(|n| s.budgets.get(&n));
            let title = format!(
                "{}{}: {} ({}){}",
                b.step.map(|n| format!("step {n} ")).unwrap_or_default(),
                b.step_name.as_deref().unwrap_or(""),
                b.command,
                match b.exit {
                    Some(code) => format!("{} exit {code}", b.status),
                    None => b.status.clone(),
                },
                budget
                    .map(|n| format!(", budget {n}: printed {}", b.stdout.trim()))
                    .unwrap_or_default()
            );
            let _ = write!(
                svg,
                r#"<rect class="bar" data-step="{}" data-status="{}" x="{x0:.1}" y="{}" width="{:.1}" height="{}" fill="{}"><title>{}</title></rect>"#,
                b.step.unwrap_or(0),
                html(&b.status),
                y + 5.0,
                (x1 - x0).max(3.0),
                LANE - 14.0,
                status_colour(&b.status),
                html(&title)
            );
            if let Some(n) = budget {
                let _ = write!(
                    svg,
                    r#"<text class="budget" x="{:.1}" y="{}">≤{n}: {}</text>"#,
                    x1 + 3.0,
                    y + 17.0,
                    html(b.stdout.trim())
                );
            }
        }
        for m in s.marks.iter().filter(|m| m.host.as_deref() == Some(name)) {
            let _ = write!(
                svg,
                r#"<text class="mark {}" x="{:.1}" y="{}">✕ {}</text>"#,
                m.kind,
                x(m.at),
                y + 18.0,
                html(&m.label)
            );
        }
        svg.push_str("</g>");
    }
    for m in s.marks.iter().filter(|m| m.host.is_none()) {
        let x = x(m.at);
        let _ = write!(
            svg,
            r#"<g class="mark {k}"><line x1="{x:.1}" x2="{x:.1}" y1="18" y2="{}" stroke="{c}" stroke-dasharray="4 3"/><text x="{:.1}" y="{}" class="marklabel">{}</text></g>"#,
            height - 6.0,
            x + 3.0,
            height - 2.0,
            html(&m.label),
            k = m.kind,
            c = if m.kind == "refused" {
                "#e53935"
            } else {
                "#455a64"
            },
        );
    }
    svg.push_str("</svg>");
    svg
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#212121;max-width:1000px}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
th{background:#f5f5f5}code,pre{font:12px/1.35 ui-monospace,monospace}\
pre{background:#fafafa;border:1px solid #eee;padding:6px;overflow-x:auto;white-space:pre-wrap}\
.timeline text{font:11px system-ui,sans-serif}.axis{fill:#757575}.marklabel{fill:#455a64}\
.mark.refused .marklabel,.mark.unreachable{fill:#b71c1c}\
details{margin:4px 0}summary{cursor:pointer}.ok{color:#2e7d32}.bad{color:#c62828}\
footer{margin-top:2em;border-top:1px solid #ddd;padding-top:.6em;color:#424242}";

/// The report as one self-contained HTML page.
pub fn html_page(records: &[Record], chain: &Chain, colours: &BTreeMap<String, String>) -> String {
    let s = Session::read(records);
    let id = records.first().map_or("", |r| r.header.session.as_str());
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>opsguard session {}</title><style>{STYLE}</style></head><body>\n<h1>opsguard session {}</h1>\n",
        html(id),
        html(id)
    );
    out.push_str("<table class=\"facts\">\n");
    for (k, v) in facts(&s) {
        let _ = writeln!(
            out,
            "<tr><th>{k}</th><td><code>{}</code></td></tr>",
            html(&v)
        );
    }
    out.push_str("</table>\n<h2>Guards</h2>\n");
    let guards = s.guards();
    if guards.is_empty() {
        out.push_str("<p>None met: nothing guarded.</p>\n");
    } else {
        out.push_str("<table class=\"guards\"><tr><th>guard</th><th>detail</th></tr>\n");
        for (what, detail) in guards {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td></tr>",
                html(&what),
                html(&detail)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Timeline</h2>\n");
    out.push_str(&timeline(&s, colours));
    out.push_str("\n<h2>Output</h2>\n");
    for b in &s.bars {
        let _ = writeln!(
            out,
            "<details class=\"output\"><summary>{} [{}] {}<code>{}</code>: <span class=\"{}\">{}</span></summary>\
             <pre class=\"stdout\">{}</pre>{}</details>",
            html(&b.host),
            html(
                &s.hosts
                    .iter()
                    .find(|(n, _)| n == &b.host)
                    .map_or("", |(_, r)| r.as_str())
                    .to_uppercase()
            ),
            b.step.map(|n| format!("step {n} ")).unwrap_or_default(),
            html(&b.command),
            if b.status == "ok" { "ok" } else { "bad" },
            html(&match b.exit {
                Some(code) => format!("{} (exit {code})", b.status),
                None => b.status.clone(),
            }),
            html(&b.stdout),
            if b.stderr.is_empty() {
                String::new()
            } else {
                format!("<pre class=\"stderr\">{}</pre>", html(&b.stderr))
            }
        );
    }
    let _ = write!(
        out,
        "<footer>{}</footer>\n</body></html>\n",
        html(&chain_line(chain))
    );
    out
}

fn chain_line(chain: &Chain) -> String {
    let head = chain
        .head
        .as_ref()
        .map_or("none".to_string(), |(seq, hash)| format!("{seq}:{hash}"));
    format!(
        "Chain: {} ({} records, head {head}); this session's records: {} of {} hash to their own hash{}",
        if chain.ok { "verified" } else { "BROKEN" },
        chain.records,
        chain.sealed.0,
        chain.sealed.1,
        chain
            .problem
            .as_ref()
            .map(|p| format!("; {p}"))
            .unwrap_or_default()
    )
}

/// The report as Markdown.
pub fn markdown(records: &[Record], chain: &Chain) -> String {
    let s = Session::read(records);
    let id = records.first().map_or("", |r| r.header.session.as_str());
    let mut out = format!("# opsguard session `{}`\n\n| | |\n|---|---|\n", md(id));
    for (k, v) in facts(&s) {
        let _ = writeln!(out, "| {k} | `{}` |", md(&v));
    }
    out.push_str("\n## Guards\n\n");
    let guards = s.guards();
    if guards.is_empty() {
        out.push_str("None met: nothing guarded.\n");
    }
    for (what, detail) in guards {
        let _ = writeln!(out, "- **{}**: `{}`", md(&what), md(&detail));
    }
    out.push_str("\n## Timeline\n\n| host | role | step | command | start | end | status |\n|---|---|---|---|---:|---:|---|\n");
    for b in &s.bars {
        let role = s
            .hosts
            .iter()
            .find(|(n, _)| n == &b.host)
            .map_or("", |(_, r)| r.as_str());
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` | {:.3} s | {} | {} |",
            md(&b.host),
            md(&role.to_uppercase()),
            b.step.map(|n| n.to_string()).unwrap_or_default(),
            md(&b.command),
            b.start as f64 / 1000.0,
            b.end
                .map_or("-".to_string(), |e| format!("{:.3} s", e as f64 / 1000.0)),
            md(&format!(
                "{}{}",
                match b.exit {
                    Some(code) => format!("{} (exit {code})", b.status),
                    None => b.status.clone(),
                },
                b.step
                    .and_then(|n| s.budgets.get(&n))
                    .map(|n| format!(", budget {n}: printed {}", b.stdout.trim()))
                    .unwrap_or_default()
            ))
        );
    }
    for m in &s.marks {
        let _ = writeln!(
            out,
            "\n- {:.3} s: {}{}",
            m.at as f64 / 1000.0,
            md(&m.label),
            m.host
                .as_ref()
                .map(|h| format!(" ({})", md(h)))
                .unwrap_or_default()
        );
    }
    out.push_str("\n## Output\n");
    for b in &s.bars {
        let _ = write!(
            out,
            "\n<details><summary>{} {}: {}</summary>\n\n```text\n{}\n```\n",
            html(&b.host),
            b.step.map(|n| format!("step {n}")).unwrap_or_default(),
            html(&b.command),
            visible(&b.stdout).replace("```", "'''")
        );
        if !b.stderr.is_empty() {
            let _ = write!(
                out,
                "\n```text\n{}\n```\n",
                visible(&b.stderr).replace("```", "'''")
            );
        }
        out.push_str("\n</details>\n");
    }
    let _ = writeln!(out, "\n---\n{}", md(&chain_line(chain)));
    out
}
