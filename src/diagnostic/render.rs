//! Diagnostics as text for people, and as JSON and GitHub annotations for
//! machines (SARIF has a module of its own, [`super::sarif`]).
//!
//! Machine formats never carry colour; the text format colours only when
//! the caller says its stream takes colour.

use owo_colors::OwoColorize;
use serde_json::{Value, json};

use super::{Diagnostic, Severity, Sources};
use crate::ui::escape::visible;

/// `path:line:column: error[CODE]: message`, then the source line with a
/// caret under the value, then help if any.
pub fn text(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        let label = format!("{}[{}]", d.severity().as_str(), d.code.as_str());
        let label = match (color, d.severity()) {
            (false, _) => label,
            (true, Severity::Error) => label.red().bold().to_string(),
            (true, Severity::Warning) => label.yellow().bold().to_string(),
        };
        // Messages quote the files and source lines are the files: any
        // control character in them is shown as text, never sent to the
        // terminal.
        out.push_str(&format!(
            "{}: {label}: {}\n",
            visible(&d.loc.to_string()),
            visible(&d.message)
        ));
        if let Some(line) = sources.line(&d.loc.file, d.loc.pos.line) {
            let number = d.loc.pos.line.to_string();
            let gutter = " ".repeat(number.len());
            let col = d.loc.pos.column.max(1) as usize;
            let before: String = line.chars().take(col - 1).collect();
            let width =
                (d.loc.pos.len as usize).clamp(1, line.chars().count().max(col) - (col - 1));
            let span: String = line.chars().skip(col - 1).take(width).collect();
            let indent: String = visible(&before)
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = visible(&span).chars().count().max(1);
            let line = visible(line);
            let caret = "^".repeat(width);
            let caret = if color {
                caret.bold().to_string()
            } else {
                caret
            };
            out.push_str(&format!(
                "{gutter} |\n{number} | {line}\n{gutter} | {indent}{caret}\n"
            ));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("  = help: {}\n", visible(help)));
        }
    }
    out
}

/// A JSON array of `{file, line, column, severity, code, message}`.
pub fn json(diags: &[Diagnostic]) -> String {
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut v = json!({
                "file": &*d.loc.file,
                "line": d.loc.pos.line,
                "column": d.loc.pos.column,
                "severity": d.severity(),
                "code": d.code.as_str(),
                "message": d.message,
            });
            if let Some(help) = &d.help {
                v["help"] = json!(help);
            }
            v
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("JSON of plain values");
    s.push('\n');
    s
}

/// GitHub Actions workflow commands: one `::error` or `::warning` line each.
pub fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},title={}::{}\n",
            d.severity().as_str(),
            escape_property(&d.loc.file),
            d.loc.pos.line,
            d.loc.pos.column,
            d.code.as_str(),
            escape_data(&message),
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Loc};
    use crate::yaml::Pos;

    fn sample() -> (Vec<Diagnostic>, Sources) {
        let mut sources = Sources::default();
        sources.add("p.yaml".into(), "name: x\nsteps:\n  - role: bakup\n".into());
        let d = Diagnostic::new(
            Loc {
                file: "p.yaml".into(),
                pos: Pos {
                    line: 3,
                    column: 11,
                    len: 5,
                    end: None,
                },
            },
            Code::E004,
            "unknown role `bakup`",
        )
        .help("declared roles: live, backup");
        (vec![d], sources)
    }

    #[test]
    fn text_shows_line_and_caret() {
        let (d, s) = sample();
        assert_eq!(
            text(&d, &s, false),
            "p.yaml:3:11: error[E004]: unknown role `bakup`\n  |\n3 |   - role: bakup\n  |           ^^^^^\n  = help: declared roles: live, backup\n"
        );
    }

    #[test]
    fn text_shows_control_characters_of_files_as_text() {
        let mut sources = Sources::default();
        sources.add(
            "p.yaml".into(),
            "name: x\n\x1b[2J: \x1b]0;x\x07bad\n".into(),
        );
        let d = Diagnostic::new(
            Loc {
                file: "p.yaml".into(),
                pos: Pos {
                    line: 2,
                    column: 12,
                    len: 3,
                    end: None,
                },
            },
            Code::E002,
            "unknown field `\x1b[2J`",
        );
        assert_eq!(
            text(&[d], &sources, false),
            "p.yaml:2:12: error[E002]: unknown field `\\x1b[2J`\n  |\n2 | \\x1b[2J: \\x1b]0;x\\x07bad\n  |                  ^^^^^^\n"
        );
    }

    #[test]
    fn github_escapes() {
        let (mut d, _) = sample();
        d[0].loc.file = "a,b:c.yaml".into();
        assert_eq!(
            github(&d),
            "::error file=a%2Cb%3Ac.yaml,line=3,col=11,title=E004::unknown role `bakup`%0Ahelp: declared roles: live, backup\n"
        );
    }

    #[test]
    fn json_fields() {
        let (d, _) = sample();
        let v: Value = serde_json::from_str(&json(&d)).unwrap();
        assert_eq!(v[0]["file"], "p.yaml");
        assert_eq!(v[0]["line"], 3);
        assert_eq!(v[0]["column"], 11);
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["code"], "E004");
    }
}
