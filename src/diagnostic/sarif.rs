//! Diagnostics as SARIF 2.1.0, for code-scanning uploads.
//!
//! One run; every code is a rule with its full description. Each result
//! points at its file relative to `%SRCROOT%` (the folder validation ran
//! from, given in `originalUriBaseIds`), with the end of the offending
//! token when the reader knows its length, and carries a fingerprint that
//! survives lines moving. This module must never put anything in the
//! document that depends on the time or on the order files were found in,
//! and no link to the web of its own: the rules' help names the page of
//! the sources that lists the codes, and a rule has a `helpUri` (which
//! SARIF wants absolute, and GitHub's upload refuses relative) only when
//! the caller says where that page is published (`validate --docs-url`;
//! the GitHub Action passes its own repository's copy).

use std::collections::HashMap;
use std::path::{Component, Path};

use serde_json::{Value, json};

use super::{Code, Diagnostic, Sources};

/// The `uriBaseId` of every file inside the folder validation ran from.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of opsguard's fingerprint in `partialFingerprints`; a new way of
/// computing it gets a new version, so old and new never compare.
pub const FINGERPRINT: &str = "opsguard/v1";

/// Where the list of codes is, under the page docs/commands.md.
pub const CODES_ANCHOR: &str = "opsguard-validate-path---format-textjsongithubsarif---strict";

/// The SARIF log of `diags`, files made relative to `root` (absolute);
/// `docs` is the published address of docs/commands.md, if any.
pub fn render(diags: &[Diagnostic], sources: &Sources, root: &Path, docs: Option<&str>) -> String {
    let root = crate::source::lexically_normal(root);
    let rules: Vec<Value> = Code::ALL.iter().map(|c| rule(*c, docs)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let (uri, base) = artifact_uri(&d.loc.file, &root);
            let token = offending_text(d, sources);
            let key = format!("{}\0{uri}\0{token}", d.code.as_str());
            let nth = seen.entry(key.clone()).or_default();
            let fingerprint = crate::audit::record::sha256_hex(format!("{key}\0{nth}").as_bytes());
            *nth += 1;
            let mut location = json!({"uri": uri});
            if base {
                location["uriBaseId"] = json!(SRCROOT);
            }
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(" (help: ");
                text.push_str(help);
                text.push(')');
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": d.severity().as_str(),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": region(d),
                    }
                }],
                "partialFingerprints": {(FINGERPRINT): fingerprint},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "opsguard",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {
                (SRCROOT): {"uri": format!("{}/", file_uri(&root).trim_end_matches('/'))},
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON of plain values");
    s.push('\n');
    s
}

fn rule(code: Code, docs: Option<&str>) -> Value {
    let mut rule = json!({
        "id": code.as_str(),
        "shortDescription": {"text": code.summary()},
        "fullDescription": {"text": code.description()},
        "help": {"text": format!(
            "{}. The codes of `opsguard validate` are listed in docs/commands.md of opsguard's sources.",
            code.description()
        )},
        "defaultConfiguration": {"level": code.severity().as_str()},
    });
    if let Some(docs) = docs {
        rule["helpUri"] = json!(format!("{docs}#{CODES_ANCHOR}"));
    }
    rule
}

/// Start, and the end when the reader knows it: the token's on its line,
/// else where the value ends (a multi-line value; a whole step, which
/// ends where its last value does). SARIF's `endColumn` is the column
/// after the last character. A position whose end is unknown gets none
/// rather than a guessed one.
fn region(d: &Diagnostic) -> Value {
    let pos = d.loc.pos;
    let mut region = json!({
        "startLine": pos.line.max(1),
        "startColumn": pos.column.max(1),
    });
    if pos.line == 0 || pos.column == 0 {
        return region;
    }
    let end = match pos.end {
        _ if pos.len > 0 => Some((pos.line, pos.column + pos.len)),
        Some(end) if end > (pos.line, pos.column) => Some(end),
        _ => None,
    };
    if let Some((line, column)) = end {
        region["endLine"] = json!(line);
        region["endColumn"] = json!(column);
    }
    region
}

/// What the diagnostic points at, as the file has it: the token when its
/// length is known, else the (trimmed) line, else nothing. Its text, not
/// its line number, goes into the fingerprint.
fn offending_text(d: &Diagnostic, sources: &Sources) -> String {
    let Some(line) = sources.line(&d.loc.file, d.loc.pos.line) else {
        return String::new();
    };
    if d.loc.pos.len == 0 {
        return line.trim().to_string();
    }
    line.chars()
        .skip(d.loc.pos.column.max(1) as usize - 1)
        .take(d.loc.pos.len as usize)
        .collect()
}

/// The file's URI relative to `root` and `true` when it is inside; else
/// its absolute `file:` URI and `false`.
fn artifact_uri(file: &str, root: &Path) -> (String, bool) {
    let path = crate::source::lexically_normal(&root.join(file));
    match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => (".".into(), true),
        Ok(rel) => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| encode(&c.as_os_str().to_string_lossy()))
                .collect();
            (parts.join("/"), true)
        }
        Err(_) => (file_uri(&path), false),
    }
}

/// `file:///a/b%20c` for an absolute path.
fn file_uri(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(encode(&s.to_string_lossy())),
            _ => None,
        })
        .collect();
    format!("file:///{}", parts.join("/"))
}

/// One path segment as a URI segment: unreserved characters kept, every
/// other byte percent-encoded (a space or `#` in a file name would
/// otherwise make an invalid or different URI).
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `a/./b/../c` as `a/c`, without asking the file system (the file may not
/// exist, and a symlink is named the way the user named it).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Loc;
    use crate::yaml::Pos;

    fn diag(file: &str, line: u32, column: u32, len: u32) -> Diagnostic {
        Diagnostic::new(
            Loc {
                file: file.into(),
                pos: Pos {
                    line,
                    column,
                    len,
                    end: None,
                },
            },
            Code::E004,
            "unknown role `bakup`",
        )
    }

    #[test]
    fn files_are_relative_to_the_root_when_inside_it() {
        let root = Path::new("/site");
        for (file, want) in [
            ("p.yaml", ("p.yaml", true)),
            ("./playbooks/p.yaml", ("playbooks/p.yaml", true)),
            ("a/../b/p.yaml", ("b/p.yaml", true)),
            ("/site/x y#1.yaml", ("x%20y%231.yaml", true)),
            ("../other/p.yaml", ("file:///other/p.yaml", false)),
            ("/etc/p.yaml", ("file:///etc/p.yaml", false)),
            ("/sitex/p.yaml", ("file:///sitex/p.yaml", false)),
            ("r\u{e9}le.yaml", ("r%C3%A9le.yaml", true)),
        ] {
            let (uri, inside) = artifact_uri(file, root);
            assert_eq!((uri.as_str(), inside), want, "{file}");
        }
    }

    #[test]
    fn regions_end_after_the_token_only_when_its_length_is_known() {
        assert_eq!(
            region(&diag("p.yaml", 3, 11, 5)),
            json!({"startLine": 3, "startColumn": 11, "endLine": 3, "endColumn": 16})
        );
        assert_eq!(
            region(&diag("p.yaml", 4, 5, 0)),
            json!({"startLine": 4, "startColumn": 5})
        );
    }

    #[test]
    fn fingerprints_follow_the_text_not_the_line() {
        let fp = |text: &str, d: &[Diagnostic]| -> Vec<String> {
            let mut sources = Sources::default();
            sources.add("p.yaml".into(), text.into());
            let v: Value =
                serde_json::from_str(&render(d, &sources, Path::new("/site"), None)).unwrap();
            v["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r["partialFingerprints"][FINGERPRINT]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        let before = fp("steps:\n  - role: bakup\n", &[diag("p.yaml", 2, 11, 5)]);
        let after = fp(
            "# a comment\nsteps:\n  - role: bakup\n",
            &[diag("p.yaml", 3, 11, 5)],
        );
        assert_eq!(before, after);
        let other = fp("steps:\n  - role: bckup\n", &[diag("p.yaml", 2, 11, 5)]);
        assert_ne!(before, other);
        // The same token twice: told apart by their order.
        let twice = fp(
            "steps:\n  - role: bakup\n  - role: bakup\n",
            &[diag("p.yaml", 2, 11, 5), diag("p.yaml", 3, 11, 5)],
        );
        assert_eq!(twice[0], before[0]);
        assert_ne!(twice[0], twice[1]);
    }
}
