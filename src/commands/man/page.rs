//! One man page: clap_mangen's NAME, SYNOPSIS, DESCRIPTION, OPTIONS and
//! SUBCOMMANDS, then EXIT STATUS (from [`Exit`]), ENVIRONMENT and FILES
//! (from the arguments' `env` and [`reads`]), NOTES and EXAMPLES (from
//! the command's `after_help`, the text `--help` shows) and SEE ALSO.
//!
//! Examples live once, in the clap definitions: an `after_help` that
//! opens with `Examples:` and one indented line per example. A command
//! without its own shows the lines of its parent's that run it
//! (`opsguard audit verify` on `opsguard-audit-verify`).

use clap::Command;
use clap_mangen::roff::{Inline, Roff, bold, roman};

use super::reads::{self, Entry};
use crate::error::Exit;

/// The page of `cmd`, whose names from the root are `path`; `names` are
/// every page's name, for SEE ALSO.
pub fn render(cmd: &Command, root: &Command, path: &[&str], names: &[String]) -> Vec<u8> {
    let man =
        clap_mangen::Man::new(cmd.clone()).source(concat!("opsguard ", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut roff = Roff::new();
    exit_status(&mut roff);
    let reads = reads::of(&path[1..]);
    environment(&mut roff, cmd, reads);
    files(&mut roff, reads);
    let (examples, notes) = examples(root, path);
    if let Some(notes) = notes {
        roff.control("SH", ["NOTES"]);
        paragraphs(&mut roff, &notes);
    }
    roff.control("SH", ["EXAMPLES"]);
    roff.control("nf", []);
    for example in examples {
        roff.text([roman(example)]);
    }
    roff.control("fi", []);
    see_also(&mut roff, path, names);
    let _ = roff.to_writer(&mut out);
    out
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for exit in Exit::ALL {
        roff.control("TP", []);
        roff.text([bold(exit.code().to_string())]);
        roff.text(inline(exit.meaning()));
    }
}

/// The variables clap reads for this command's arguments, then the ones
/// what it reads makes matter.
fn environment(roff: &mut Roff, cmd: &Command, reads: &[reads::Reads]) {
    roff.control("SH", ["ENVIRONMENT"]);
    for arg in cmd.get_arguments() {
        let Some(var) = arg.get_env() else { continue };
        if reads::of_arg(arg.get_id().as_str()).is_some_and(|r| !reads.contains(&r)) {
            continue;
        }
        let flag = arg
            .get_long()
            .map_or_else(String::new, |l| format!("--{l}"));
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        roff.control("TP", []);
        roff.text([bold(var.to_string_lossy())]);
        roff.text([
            roman(format!("What {flag} names when it is not given: ")),
            roman(help),
        ]);
    }
    let color = cmd.get_arguments().any(|a| a.get_id() == "color");
    let always = if color { reads::COLOR } else { &[] };
    for entry in always
        .iter()
        .chain(reads::relevant(reads::ENVIRONMENT, reads))
    {
        entry_item(roff, entry);
    }
}

fn files(roff: &mut Roff, reads: &[reads::Reads]) {
    roff.control("SH", ["FILES"]);
    let files = reads::relevant(reads::FILES, reads);
    if files.is_empty() {
        roff.text([roman("None but those named on the command line.")]);
    }
    for entry in files {
        entry_item(roff, entry);
    }
}

fn entry_item(roff: &mut Roff, entry: &Entry) {
    roff.control("TP", []);
    roff.text([bold(entry.name)]);
    roff.text(inline(entry.text));
}

/// The examples on the page of `path`, and the notes after its own.
fn examples(root: &Command, path: &[&str]) -> (Vec<String>, Option<String>) {
    let mut chain = vec![root];
    for name in &path[1..] {
        let next = chain.last().and_then(|c| c.find_subcommand(name));
        chain.extend(next);
    }
    let own = chain
        .last()
        .and_then(|c| c.get_after_help())
        .map(|h| h.to_string());
    if let Some(text) = own {
        let (lines, notes) = epilogue(&text);
        return (lines, notes);
    }
    if path.len() == 1 {
        // The root: the first example of each command.
        let first = |c: &Command| {
            let help = c.get_after_help()?.to_string();
            epilogue(&help).0.into_iter().next()
        };
        return (root.get_subcommands().filter_map(first).collect(), None);
    }
    let invocation = path.join(" ");
    // It runs the command itself, or takes a pipe's output.
    let runs = |line: &String| {
        line == &invocation
            || line.starts_with(&format!("{invocation} "))
            || line.contains(&format!("| {invocation} "))
    };
    for ancestor in chain.iter().rev().skip(1) {
        if let Some(help) = ancestor.get_after_help() {
            let lines: Vec<String> = epilogue(&help.to_string())
                .0
                .into_iter()
                .filter(runs)
                .collect();
            if !lines.is_empty() {
                return (lines, None);
            }
        }
    }
    (Vec::new(), None)
}

/// An `after_help` as `--help` shows it: `Examples:`, one line each
/// indented by two spaces, then (after a blank line) notes.
pub fn epilogue(text: &str) -> (Vec<String>, Option<String>) {
    let Some(rest) = text.strip_prefix("Examples:\n") else {
        return (Vec::new(), Some(text.to_string()));
    };
    let (block, notes) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let lines = block
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .map(str::to_string)
        .collect();
    let notes = (!notes.trim().is_empty()).then(|| notes.trim().to_string());
    (lines, notes)
}

fn paragraphs(roff: &mut Roff, text: &str) {
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            roff.control("PP", []);
        }
        roff.text(inline(para));
    }
}

/// Text with `code` spans set in bold.
fn inline(text: &str) -> Vec<Inline> {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

/// The pages around this one: its parents, its subcommands, the other
/// subcommands of its parent.
fn see_also(roff: &mut Roff, path: &[&str], names: &[String]) {
    let name = path.join("-");
    let parent = path[..path.len() - 1].join("-");
    let depth = |n: &str| n.matches('-').count() + 1;
    let mut related: Vec<&String> = names
        .iter()
        .filter(|n| name.starts_with(&format!("{n}-")))
        .collect();
    let child_of = |p: &str, n: &str| n.starts_with(&format!("{p}-")) && depth(n) == depth(p) + 1;
    related.extend(names.iter().filter(|n| child_of(&name, n)));
    if path.len() > 1 {
        related.extend(names.iter().filter(|n| child_of(&parent, n) && **n != name));
    }
    roff.control("SH", ["SEE ALSO"]);
    // Page names are not words to hyphenate or to space out.
    roff.control("nh", []);
    roff.control("ad", ["l"]);
    let mut refs = Vec::new();
    for (i, n) in related.iter().enumerate() {
        if i > 0 {
            refs.push(roman(", "));
        }
        refs.push(bold(n.as_str()));
        refs.push(roman("(1)"));
    }
    refs.push(roman("; docs/commands.md in the opsguard repository."));
    roff.text(refs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epilogue_is_examples_then_notes() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("Examples:\n  a b\n  c   # d", &["a b", "c   # d"], None),
            (
                "Examples:\n  a\n\nWhy.\n\nMore.",
                &["a"],
                Some("Why.\n\nMore."),
            ),
            ("Only prose.", &[], Some("Only prose.")),
        ];
        for (text, lines, notes) in cases {
            let (l, n) = epilogue(text);
            assert_eq!(l, *lines, "{text:?}");
            assert_eq!(n.as_deref(), *notes, "{text:?}");
        }
    }

    #[test]
    fn code_spans_are_bold() {
        assert_eq!(
            inline("see `audit verify` here"),
            [roman("see "), bold("audit verify"), roman(" here")]
        );
    }
}
