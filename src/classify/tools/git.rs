//! git: read-only in its listing and showing forms with options known to
//! only read; a `-c` setting, an `--exec-path`, an output file, a pager
//! or upload program run by name, and the commands that change the work
//! tree, refs or configuration are not known to be safe, and `clean`,
//! `reset --hard` and the like are destructive.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Parsed, Spec, parse};
use crate::classify::lexer::Word;

pub(super) const GIT: Commands = Commands {
    tool: "git",
    spec: Spec::new(
        "Cc",
        &[
            // git's own.
            "git-dir=", "work-tree=", "namespace=", "exec-path?", "no-pager", "paginate", "bare",
            "no-replace-objects", "literal-pathspecs", "glob-pathspecs", "noglob-pathspecs",
            "icase-pathspecs", "no-optional-locks", "config-env=", "html-path", "man-path",
            "info-path", "version", "help", "build-options",
            // Options that write or run a command (GIT.writes).
            "output=", "open-files-in-pager?", "upload-pack=", "exec=", "lost-found",
            // log, show, diff, rev-list.
            "oneline", "stat?", "numstat", "shortstat", "dirstat?", "summary", "name-only",
            "name-status", "patch", "no-patch", "raw", "patch-with-stat", "patch-with-raw",
            "format=", "pretty?", "graph", "decorate?", "no-decorate", "abbrev?", "no-abbrev",
            "abbrev-commit", "no-abbrev-commit", "full-index", "binary", "max-count=", "skip=",
            "since=", "after=", "until=", "before=", "author=", "committer=", "grep=", "all-match",
            "invert-grep", "regexp-ignore-case", "merges", "no-merges", "merge-base",
            "first-parent", "all", "branches?", "tags?", "remotes?", "reverse", "follow", "date=",
            "relative-date", "reflog", "walk-reflogs", "left-right", "cherry-pick", "cherry-mark",
            "left-only", "right-only", "boundary", "source", "topo-order", "date-order",
            "author-date-order", "no-walk?", "full-history", "simplify-by-decoration",
            "ancestry-path?", "parents", "children", "objects", "count", "show-signature",
            "notes?", "no-notes", "mailmap", "no-mailmap", "use-mailmap", "encoding=", "cc",
            "color?", "no-color", "color-words?", "color-moved?", "word-diff?", "word-diff-regex=",
            "ignore-space-change", "ignore-all-space", "ignore-blank-lines", "ignore-space-at-eol",
            "unified=", "function-context", "minimal", "patience", "histogram", "diff-algorithm=",
            "find-renames?", "find-copies?", "no-renames", "renames", "diff-filter=", "relative?",
            "text", "textconv", "no-textconv", "ext-diff", "no-ext-diff", "exit-code", "quiet",
            "check", "cached", "staged", "no-index", "submodule?", "ignore-submodules?",
            "no-prefix", "src-prefix=", "dst-prefix=", "exclude=",
            // status, ls-files, ls-tree, ls-remote, cat-file, rev-parse.
            "short?", "long", "branch", "porcelain?", "verbose", "untracked-files?", "ignored?",
            "column?", "no-column", "ahead-behind", "no-ahead-behind", "show-stash", "null",
            "deleted", "modified", "others", "stage", "unmerged", "directory", "exclude-standard",
            "exclude-from=", "error-unmatch", "full-name", "full-tree", "name-objects", "heads",
            "refs", "get-url", "symref", "sort=", "batch?", "batch-check?", "batch-all-objects",
            "verify", "show-toplevel", "show-prefix", "show-cdup", "is-inside-work-tree",
            "is-bare-repository", "is-inside-git-dir", "absolute-git-dir", "git-common-dir",
            "abbrev-ref?", "symbolic-full-name",
            // grep, blame, shortlog, describe, fsck, for-each-ref.
            "ignore-case", "word-regexp", "invert-match", "extended-regexp", "basic-regexp",
            "fixed-strings", "perl-regexp", "line-number", "files-with-matches",
            "files-without-match", "only-matching", "max-depth=", "heading", "break",
            "show-function", "untracked", "recurse-submodules", "line-porcelain", "incremental",
            "show-email", "show-name", "show-number", "root", "contents=", "numbered", "email",
            "exact-match", "always", "dirty?", "match=", "unreachable", "dangling", "no-dangling",
            "no-reflogs", "full", "strict", "connectivity-only", "progress", "no-progress",
            "points-at=", "contains=", "no-contains=", "merged=", "no-merged=", "shell", "head",
            "hash?", "dereference",
            // branch, tag, remote, config listing (see git_lists).
            "list", "show-current", "get", "get-all", "get-regexp", "get-urlmatch", "global",
            "system", "local", "worktree", "file=", "blob=", "show-origin", "show-scope", "type=",
            "default=", "includes", "no-includes",
        ],
    ),
    safe: &[
        "status", "log", "diff", "show", "blame", "shortlog", "describe", "rev-parse", "rev-list",
        "ls-files", "ls-tree", "ls-remote", "cat-file", "grep", "reflog$", "reflog show",
        "remote show", "remote get-url", "stash list", "stash show", "version", "help",
        "whatchanged", "name-rev", "for-each-ref", "show-ref", "count-objects", "fsck",
        "verify-commit", "verify-tag", "check-ignore", "check-attr", "",
    ],
    destructive: &[
        ("clean", "files.git", "deletes untracked files"),
        (
            "reset", "files.git", "resets the work tree (with --hard, discards changes)",
        ),
        ("checkout", "files.git", "overwrites files in the work tree"),
        ("restore", "files.git", "overwrites files in the work tree"),
        ("push", "files.git", "changes the remote repository"),
        ("gc", "files.git", "prunes unreachable objects"),
        ("prune", "files.git", "prunes unreachable objects"),
        ("stash drop", "files.git", "deletes the stash"),
        ("stash clear", "files.git", "deletes every stash"),
        ("filter-branch", "files.git", "rewrites history"),
    ],
    writes: &[
        (
            "-c",
            "sets configuration, which can run commands (`core.pager`, `core.fsmonitor`)",
        ),
        (
            "--config-env", "sets configuration, which can run commands (`core.pager`)",
        ),
        ("--output", "writes its output to a file"),
        ("-O", "opens the matching files with a command"),
        (
            "--open-files-in-pager", "opens the matching files with a command",
        ),
        (
            "--upload-pack", "runs the command it names on the repository",
        ),
        ("--exec", "runs the command it names on the repository"),
        (
            "--lost-found", "writes the dangling objects into .git/lost-found",
        ),
    ],
};

/// git's own options that only choose the repository and the pager.
pub(super) const GIT_OWN: &[&str] = &[
    "-C", "--git-dir", "--work-tree", "--namespace", "-p", "--paginate", "-P", "--no-pager",
    "--bare", "--no-replace-objects", "--literal-pathspecs", "--glob-pathspecs",
    "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
];

/// `git branch` and `git tag` list with these (a name creates, `-u` sets
/// the upstream, `-c`/`-C`/`-m` copy or move).
pub(super) const GIT_LISTS: &[&str] = &[
    "-a", "--all", "-r", "--remotes", "-v", "--verbose", "-l", "--list", "-n", "--contains",
    "--no-contains", "--merged", "--no-merged", "--points-at", "--sort", "--format", "--color",
    "--no-color", "--column", "--no-column", "--show-current", "-i", "--ignore-case", "--abbrev",
    "--no-abbrev",
];

/// `git config` only reads with these.
pub(super) const GIT_CONFIG_READS: &[&str] = &[
    "--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l", "--global", "--system",
    "--local", "--worktree", "--file", "-f", "--blob", "--show-origin", "--show-scope",
    "--name-only", "--null", "-z", "--type", "--default", "--includes", "--no-includes",
];

/// `git branch`, `git tag` (alone or with `--list PATTERN`), `git remote`
/// and `git config --get`/`--list` with only options that choose what to
/// show. Options before the command word are git's own (`git -C DIR`);
/// after it they are the command's (`git branch -C NEW` copies a branch).
pub(super) fn git_lists(args: &[Word], p: &Parsed) -> bool {
    let Some(&at) = p.operand_at.first() else {
        return false;
    };
    let own = parse(&args[at + 1..], &GIT.spec);
    let allowed: &[&str] = match (p.operand(0), own.operands.is_empty()) {
        ("branch" | "tag", true) => GIT_LISTS,
        // Before git 2.20 `git branch -l NAME` created NAME (`-l` was
        // `--create-reflog`); `--list` always lists.
        ("branch", false) if own.has(&["--list"]) => GIT_LISTS,
        ("tag", false) if own.has(&["-l", "--list"]) => GIT_LISTS,
        ("remote", true) => &["-v", "--verbose"],
        ("config", _) if own.has(&["--get", "--get-all", "--get-regexp", "--list", "-l"]) => {
            GIT_CONFIG_READS
        }
        _ => return false,
    };
    !p.dynamic && parse(&args[..at], &GIT.spec).only(GIT_OWN) && own.only(allowed)
}

pub fn judge(args: &[Word]) -> Judgement {
    let p = parse(args, &GIT.spec);
    if p.value(&["--exec-path"]).is_some() {
        return unknown("`git --exec-path=DIR` runs git's commands from DIR");
    }
    if git_lists(args, &p) {
        return Judgement::Safe;
    }
    let ops: Vec<&str> = p.operands.iter().map(String::as_str).collect();
    if matches!(ops.first(), Some(&"branch" | &"tag")) && p.has(&["-d", "-D", "--delete"]) {
        return destroys("files.git", format!("`git {} -d` deletes it", ops[0]));
    }
    let judged = GIT.judge_parsed(&p);
    // `git stash -m list` pushes a stash named "list": the command word
    // must follow `stash` (and `reflog`) directly.
    let apart = matches!(ops.first(), Some(&"stash" | &"reflog"))
        && p.operand_at
            .get(1)
            .is_some_and(|&at| at != p.operand_at[0] + 1);
    if judged == Judgement::Safe && apart {
        return unknown(format!(
            "`git {}` has an option before its command word; it may run another command",
            ops[0]
        ));
    }
    judged
}
