//! The documentation (README.md and docs/*.md) stays inside the
//! repository: every relative link names a file that exists, every anchor
//! names a heading of its page (as GitHub makes heading anchors), and no
//! link or bare address points to the web.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every `*.md` under docs/.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(repo().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.expect("docs/ is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Whether a line opens or closes a fenced code block.
fn is_fence(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("```") || line.starts_with("~~~")
}

/// The text with fenced code blocks and inline code spans blanked out
/// (every other character kept, newlines too, so offsets keep their line).
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let fence = is_fence(line);
        if fenced || fence {
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        } else {
            out.push_str(line);
        }
        if fence {
            fenced = !fenced;
        }
    }
    blank_code_spans(&out)
}

/// Inline code spans (a run of backticks up to the next run of the same
/// length, within a paragraph) replaced by spaces.
fn blank_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let open = run_at(i);
        let mut j = i + open;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '\n' && chars.get(j + 1) == Some(&'\n') {
                break;
            }
            if chars[j] == '`' {
                let run = run_at(j);
                if run == open {
                    close = Some(j + run);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for c in &mut out[i..end] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = end;
            }
            None => i += open,
        }
    }
    out.into_iter().collect()
}

/// The anchor GitHub gives a heading: lowercase, letters, digits, `-` and
/// `_` kept, spaces made `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every heading anchor of a page, repeated headings numbered as GitHub
/// numbers them (`name`, `name-1`, `name-2`).
fn anchors(text: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if is_fence(line) {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let title = line[hashes..].trim().trim_end_matches('#').trim_end();
        let base = slug(title);
        let mut anchor = base.clone();
        let mut n = 0;
        while found.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        found.insert(anchor);
    }
    found
}

/// The targets of the inline links `[text](target)` in prose, with their
/// line numbers.
fn links(prose: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut rest = prose;
    let mut offset = 0;
    while let Some(at) = rest.find("](") {
        let start = at + 2;
        let end = rest[start..]
            .find([')', '\n'])
            .map_or(rest.len(), |e| start + e);
        let target = rest[start..end].trim();
        let target = target.split_whitespace().next().unwrap_or("");
        let line = prose[..offset + at].matches('\n').count() + 1;
        found.push((line, target.trim_matches(['<', '>']).to_string()));
        offset += end;
        rest = &rest[end..];
    }
    found
}

/// What is wrong with one link of `page`, if anything.
fn check_link(page: &Path, target: &str, root: &Path) -> Option<String> {
    if target.is_empty() {
        return Some("empty link".into());
    }
    if target.contains("://") || target.starts_with("//") || target.starts_with("mailto:") {
        return Some(format!("`{target}` points outside the repository"));
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let file = if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent().expect("a page has a folder").join(path)
    };
    let Ok(file) = file.canonicalize() else {
        return Some(format!("`{target}`: no such file"));
    };
    if !file.starts_with(root) {
        return Some(format!("`{target}` points outside the repository"));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|ext| ext != "md") {
        return Some(format!(
            "`{target}`: an anchor into a file that is not markdown"
        ));
    }
    let text = fs::read_to_string(&file).expect("a linked page is readable");
    if anchors(&text).contains(anchor) {
        None
    } else {
        Some(format!("`{target}`: no heading with that anchor"))
    }
}

#[test]
fn links_resolve_inside_the_repository() {
    let root = repo().canonicalize().expect("the repository exists");
    let mut problems = Vec::new();
    let mut count = 0;
    for page in pages() {
        let name = page
            .strip_prefix(repo())
            .unwrap_or(&page)
            .display()
            .to_string();
        let text = fs::read_to_string(&page).expect("a page is readable");
        let prose = prose(&text);
        for (number, line) in prose.lines().enumerate() {
            if line.contains("http://") || line.contains("https://") {
                problems.push(format!("{name}:{}: a web address", number + 1));
            }
        }
        for (line, target) in links(&prose) {
            count += 1;
            if let Some(problem) = check_link(&page, &target, &root) {
                problems.push(format!("{name}:{line}: {problem}"));
            }
        }
    }
    assert!(count > 0, "no links found: the reader is broken");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_docs_page_is_in_the_index() {
    let index = fs::read_to_string(repo().join("docs/README.md")).expect("docs/README.md");
    let linked: HashSet<String> = links(&prose(&index))
        .into_iter()
        .map(|(_, target)| target.split('#').next().unwrap_or("").to_string())
        .collect();
    for page in pages().into_iter().skip(1) {
        let name = page
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .to_string();
        if name != "README.md" {
            assert!(
                linked.contains(&name),
                "docs/{name} is not listed in docs/README.md"
            );
        }
    }
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(
        slug("The team's log: PostgreSQL"),
        "the-teams-log-postgresql"
    );
    assert_eq!(
        slug("`opsguard validate [PATH...] [--format text|json|github|sarif] [--strict]`"),
        "opsguard-validate-path---format-textjsongithubsarif---strict"
    );
    let page = "# A\n\n```\n# not a heading\n```\n\n## A\n";
    let found = anchors(page);
    assert!(found.contains("a") && found.contains("a-1") && !found.contains("not-a-heading"));
    assert_eq!(
        links(&prose("see [`x [y]`](a.md#b) and `[c](d.md)`\n")),
        vec![(1, "a.md#b".to_string())]
    );
}
