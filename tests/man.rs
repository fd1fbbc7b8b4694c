//! `opsguard man --dir DIR`: a page per command, each rendered by the
//! system's `man` and groff with every warning on, and read back as an
//! operator reads it.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use clap::CommandFactory;
use support::Test;

/// The page names the command tree calls for: `opsguard`, then
/// `opsguard-SUB` and `opsguard-SUB-SUB` for every visible subcommand.
fn expected_pages() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
        let name = if prefix.is_empty() {
            cmd.get_name().to_string()
        } else {
            format!("{prefix}-{}", cmd.get_name())
        };
        out.insert(format!("{name}.1"));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, &name, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&opsguard::commands::Cli::command(), "", &mut out);
    out
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A page as `man -l` shows it at 80 columns, plain, and what man and
/// groff (all warnings on) said on stderr.
fn render(page: &Path) -> (String, String) {
    let man = Command::new("man")
        .args(["--warnings=w", "-l"])
        .arg(page)
        .env("MANWIDTH", "80")
        // Set to anything, man-db keeps the bold and underlining.
        .env_remove("MAN_KEEP_FORMATTING")
        .output()
        .expect("man (install man-db)");
    assert!(man.status.success(), "man -l {}", page.display());
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .expect("groff (install groff-base)");
    assert!(groff.status.success(), "groff {}", page.display());
    let warnings = [man.stderr, groff.stderr].concat();
    (
        String::from_utf8_lossy(&man.stdout).into_owned(),
        String::from_utf8_lossy(&warnings).into_owned(),
    )
}

#[test]
fn the_renderer_reports_warnings() {
    // The check below would pass on any page if warnings went unseen.
    let t = Test::new().file("bad.1", ".TH bad 1\n.SH NAME\n.nosuchmacro\nbad\n");
    let (_, warnings) = render(&t.path().join("bad.1"));
    assert!(warnings.contains("nosuchmacro"), "{warnings:?}");
}

#[test]
fn every_command_has_a_page_that_renders_without_warnings() {
    let run = Test::new().args(["man", "--dir", "man1"]).status(0);
    let dir = run.path().join("man1");
    let pages = listing(&dir);
    assert_eq!(pages, expected_pages());
    for name in [
        "opsguard.1", "opsguard-exec.1", "opsguard-run.1", "opsguard-audit.1",
        "opsguard-audit-verify.1", "opsguard-lock-break.1", "opsguard-import-ansible.1",
    ] {
        assert!(pages.contains(name), "{name} in {pages:?}");
    }
    assert!(!pages.iter().any(|p| p.contains("help")), "{pages:?}");
    let sections = [
        "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES",
        "EXAMPLES", "SEE ALSO",
    ];
    for page in &pages {
        let (text, warnings) = render(&dir.join(page));
        assert_eq!(warnings, "", "{page}");
        let headings: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(char::is_alphabetic))
            .collect();
        for section in sections {
            assert!(
                headings.contains(&section),
                "{page} lacks {section}: {headings:?}"
            );
        }
        // Every page shows how it is used.
        assert!(
            section(&text, "EXAMPLES").contains("opsguard"),
            "{page} has no example"
        );
        // Every page SEE ALSO names was written.
        let see_also = section(&text, "SEE ALSO");
        let refs: Vec<String> = see_also
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter_map(|w| w.strip_suffix("(1)"))
            .map(|w| format!("{w}.1"))
            .collect();
        assert!(!refs.is_empty(), "{page}: {see_also}");
        for r in refs {
            assert!(
                pages.contains(&r),
                "{page} refers to {r}, which is not written"
            );
        }
    }
}

/// The text of `name` on a rendered page, up to the next heading.
#[track_caller]
fn section(text: &str, name: &str) -> String {
    let mut lines = text.lines().skip_while(|l| *l != name);
    assert!(lines.next().is_some(), "no {name} in\n{text}");
    lines
        .take_while(|l| !l.starts_with(char::is_alphabetic))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with each run of spaces and line breaks as one space, as it
/// reads whatever the justification.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pages_say_what_each_command_reads_and_how_it_exits() {
    let run = Test::new().args(["man", "--dir", "m"]).status(0);
    let page = |name: &str| render(&run.path().join("m").join(name)).0;

    let exec = page("opsguard-exec.1");
    let status = section(&exec, "EXIT STATUS");
    for code in ["0", "1", "2", "3", "4", "130"] {
        assert!(
            status
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "{status}"
        );
    }
    assert!(words(&status).contains("3 refused by a guard"), "{status}");
    let env = section(&exec, "ENVIRONMENT");
    for var in [
        "OPSGUARD_INVENTORY", "OPSGUARD_AUDIT_LOG", "NO_COLOR", "SSH_AUTH_SOCK",
    ] {
        assert!(env.contains(var), "exec reads {var}:\n{env}");
    }
    let files = section(&exec, "FILES");
    for file in [
        "./inventory", "audit.jsonl", "/run/lock/opsguard.lock", "known_hosts",
    ] {
        assert!(files.contains(file), "exec uses {file}:\n{files}");
    }
    assert!(
        !files.contains("history/"),
        "only the shell keeps a history:\n{files}"
    );

    let shell = page("opsguard-shell.1");
    assert!(section(&shell, "FILES").contains("history/HOST"));
    let run_page = page("opsguard-run.1");
    assert!(section(&run_page, "FILES").contains("allowed_signers"));

    // A command that reads neither the inventory nor the log says so.
    let schema = page("opsguard-schema.1");
    let env = section(&schema, "ENVIRONMENT");
    assert!(
        !env.contains("OPSGUARD_INVENTORY") && env.contains("NO_COLOR"),
        "{env}"
    );
    assert!(section(&schema, "FILES").contains("None but those named"));

    let completions = page("opsguard-completions.1");
    assert!(section(&completions, "ENVIRONMENT").contains("COMPLETE"));
}

/// The lines under `Examples:` in `opsguard ARGS --help`.
fn help_examples(args: &[&str]) -> Vec<String> {
    let help = Test::new()
        .args(args.iter().copied())
        .args(["--help"])
        .status(0)
        .stdout;
    let block = help
        .split("Examples:\n")
        .nth(1)
        .expect("--help shows examples");
    block
        .lines()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn examples_are_those_of_help() {
    let run = Test::new().args(["man", "--dir", "m"]).status(0);
    for command in [&["exec"][..], &["run"], &["plan"], &["shell"], &["audit"]] {
        let examples = help_examples(command);
        assert!(!examples.is_empty());
        let name = format!("opsguard-{}.1", command.join("-"));
        let text = render(&run.path().join("m").join(&name)).0;
        let shown: Vec<String> = section(&text, "EXAMPLES")
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(shown, examples, "{name}");
    }
    // A nested command shows its parent's examples that run it.
    let verify = render(&run.path().join("m/opsguard-audit-verify.1")).0;
    assert_eq!(section(&verify, "EXAMPLES").trim(), "opsguard audit verify");
    // What --help says after the examples is in NOTES.
    let exec = render(&run.path().join("m/opsguard-exec.1")).0;
    assert!(words(&section(&exec, "NOTES")).contains("it needs --confirm-role ROLE"));
}

#[test]
fn pages_are_the_same_every_time_and_man_alone_prints_the_first() {
    let a = Test::new().args(["man", "--dir", "m"]).status(0);
    let b = Test::new()
        .args(["man", "--dir", "m"])
        .env("COLUMNS", "40")
        .env("SOURCE_DATE_EPOCH", "0")
        .env("LANG", "de_DE.UTF-8")
        .status(0);
    let pages = listing(&a.path().join("m"));
    assert_eq!(pages, listing(&b.path().join("m")));
    for page in &pages {
        let read = |r: &support::Run| std::fs::read(r.path().join("m").join(page)).unwrap();
        assert_eq!(read(&a), read(&b), "{page} differs between runs");
    }
    let root = std::fs::read(a.path().join("m/opsguard.1")).unwrap();
    let alone = Test::new().args(["man"]).status(0);
    assert_eq!(alone.stdout_bytes, root, "`opsguard man` prints opsguard.1");
}

#[test]
fn the_folder_is_made_and_pages_in_it_replaced() {
    let run = Test::new()
        .file("deep/man1/opsguard-exec.1", "stale\n")
        .file("deep/man1/notes.txt", "kept\n")
        .args(["man", "--dir", "deep/man1"])
        .status(0)
        .stderr_has("wrote");
    let dir = run.path().join("deep/man1");
    let exec = std::fs::read_to_string(dir.join("opsguard-exec.1")).unwrap();
    assert!(exec.contains("\n.TH opsguard-exec 1 "), "{exec}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "kept\n"
    );
    let fresh = Test::new().args(["man", "--dir", "a/b/c"]).status(0);
    assert_eq!(listing(&fresh.path().join("a/b/c")), expected_pages());
}

#[test]
fn a_page_that_cannot_be_written_is_an_error_naming_it() {
    // A folder where the page goes: not writable as a file, even by root.
    let run = Test::new()
        .file("m/opsguard-run.1/x", "")
        .args(["man", "--dir", "m"])
        .status(1)
        .stderr_has("cannot write the man page m/opsguard-run.1: Is a directory");
    assert!(
        run.path().join("m/opsguard-run.1/x").is_file(),
        "what was there stays"
    );
    let t = Test::new().file("taken", "a file, not a folder\n");
    t.args(["man", "--dir", "taken/man1"])
        .status(1)
        .stderr_has("cannot create the man page folder taken/man1");
}
