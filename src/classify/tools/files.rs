//! Files: removing (`rm`, `unlink`), emptying (`truncate`, `cp /dev/null`),
//! syncing with deletion (`rsync --delete`), and the text tools whose
//! programs can write (`sed` with `-i` or a `w` command, `awk` with
//! `system()` or `print >`), archives and compressors, crontabs and git.

use super::disk::{Target, target};
use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "rm" => {
            let p = parse(
                args,
                &Spec::new(
                    "",
                    &[
                        "force", "interactive?", "one-file-system", "no-preserve-root",
                        "preserve-root?", "recursive", "dir", "verbose", "help", "version",
                    ],
                ),
            );
            // Named as written (`rm -rf`), not as parsed (`-r`).
            let written = args.iter().map(|w| w.text.as_str()).find(|t| {
                t.starts_with("--")
                    && p.has(&["--recursive", "--force", "--no-preserve-root"])
                    && resolves(t)
                    || !t.starts_with("--") && t.starts_with('-') && t.contains(['r', 'R', 'f'])
            });
            match written {
                Some(flag) => destroys(
                    "files.rm",
                    format!("`rm {flag}` removes files recursively or without asking"),
                ),
                None => destroys("files.rm", "`rm` removes files"),
            }
        }
        "unlink" => destroys("files.rm", "`unlink` removes the file"),
        "truncate" => destroys(
            "files.truncate", "`truncate` cuts files to a size, losing what lies beyond it",
        ),
        "rsync" => rsync(args),
        "cp" | "mv" | "install" | "ln" => copy(name, args),
        "tar" | "bsdtar" => tar(args),
        "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" | "lz4"
        | "pigz" | "pbzip2" | "lzma" => {
            let p = parse(
                args,
                &Spec::new(
                    "bSTM",
                    &[
                        "stdout", "to-stdout", "list", "test", "decompress", "uncompress", "keep",
                        "force", "verbose", "quiet", "suffix=", "best", "fast", "rsyncable",
                        "name", "no-name", "recursive", "threads=", "memlimit=", "format=", "help",
                        "version",
                    ],
                ),
            );
            let to_stdout = p.has(&[
                "-c", "--stdout", "--to-stdout", "-l", "--list", "-t", "--test",
            ]);
            if to_stdout && !p.dynamic && !p.has(&["-r", "--recursive"]) {
                Judgement::Safe
            } else {
                unknown(format!(
                    "`{name}` replaces files with their (de)compressed form"
                ))
            }
        }
        "unzip" => {
            let p = parse(args, &Spec::new("dx", &[]));
            if p.has(&["-l", "-t", "-v", "-p", "-Z", "-z"]) && !p.dynamic {
                Judgement::Safe
            } else {
                unknown("`unzip` extracts files over existing ones")
            }
        }
        "crontab" => {
            let p = parse(args, &Spec::new("uc", &[]));
            if p.has(&["-r"]) {
                destroys("files.crontab", "`crontab -r` removes the whole crontab")
            } else if p.has(&["-l"]) && p.operands.is_empty() && !p.dynamic {
                Judgement::Safe
            } else {
                unknown("`crontab` replaces or edits the crontab")
            }
        }
        "mktemp" => Judgement::Safe,
        "git" => git(args),
        _ => return None,
    })
}

/// `--rec`, `--force`: a long option of `rm` that recurses or forces.
fn resolves(t: &str) -> bool {
    let name = t.trim_start_matches('-');
    !name.is_empty()
        && ["recursive", "force", "no-preserve-root"]
            .iter()
            .any(|l| l.starts_with(name))
}

fn rsync(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "efBTM@",
            &[
                "delete", "delete-before", "delete-during", "delete-delay", "delete-after",
                "delete-excluded", "del", "remove-source-files", "remove-sent-files", "dry-run",
                "list-only", "rsh=", "rsync-path=", "filter=", "exclude=", "exclude-from=",
                "include=", "include-from=", "files-from=", "block-size=", "temp-dir=",
                "remote-option=", "modify-window=", "backup-dir=", "suffix=", "chmod=", "chown=",
                "usermap=", "groupmap=", "compare-dest=", "copy-dest=", "link-dest=", "max-size=",
                "min-size=", "max-delete=", "partial-dir=", "log-file=", "log-file-format=",
                "out-format=", "password-file=", "bwlimit=", "timeout=", "contimeout=", "port=",
                "sockopts=", "compress-choice=", "compress-level=", "checksum-choice=", "info=",
                "debug=", "archive", "verbose", "quiet", "recursive", "compress", "checksum",
                "update", "inplace", "append", "partial", "progress", "stats", "human-readable",
                "itemize-changes", "numeric-ids", "hard-links", "acls", "xattrs", "sparse",
                "whole-file", "one-file-system", "existing", "ignore-existing", "force", "backup",
                "links", "perms", "times", "owner", "group", "devices", "specials", "help",
                "version",
            ],
        ),
    );
    if p.has(&["-n", "--dry-run", "--list-only"]) && !p.dynamic {
        return Judgement::Safe;
    }
    let deleting = [
        "--delete", "--delete-before", "--delete-during", "--delete-delay", "--delete-after",
        "--delete-excluded", "--del", "--remove-source-files", "--remove-sent-files",
    ];
    if let Some(o) = p.get(&deleting) {
        return destroys(
            "files.rsync-delete",
            format!("`rsync {}` deletes files", o.name),
        );
    }
    unknown("`rsync` copies files over those at the destination")
}

fn copy(name: &str, args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "tSmogZ",
            &[
                "target-directory=", "suffix=", "backup?", "reflink?", "sparse=", "preserve?",
                "no-preserve=", "context?", "mode=", "owner=", "group=", "strip-program=",
                "update?",
            ],
        ),
    );
    let dest = p
        .value(&["-t", "--target-directory"])
        .map(str::to_string)
        .or_else(|| p.operands.last().cloned());
    for f in p.operands.iter().chain(dest.iter()) {
        if let Target::Destroys(rule, reason) = target(f) {
            return destroys(rule, format!("`{name}` {reason}"));
        }
    }
    if name == "cp" && p.operands.len() == 2 && p.operands[0] == "/dev/null" {
        return destroys(
            "files.truncate",
            format!("`cp /dev/null {}` empties the file", p.operands[1]),
        );
    }
    unknown(format!("`{name}` writes over files at the destination"))
}

fn tar(args: &[Word]) -> Judgement {
    // `tar czf x.tgz dir`: the first word's letters are options.
    let mut words: Vec<Word> = args.to_vec();
    if let Some(first) = words.first_mut()
        && !first.text.starts_with('-')
        && first.text.chars().all(|c| c.is_ascii_alphabetic())
    {
        first.text = format!("-{}", first.text);
    }
    let p = parse(
        &words,
        &Spec::new(
            "fCTXbgLIFKNVH",
            &[
                "file=", "directory=", "files-from=", "exclude-from=", "exclude=",
                "blocking-factor=", "listed-incremental=", "tape-length=", "use-compress-program=",
                "info-script=", "new-volume-script=", "starting-file=", "newer=", "after-date=",
                "label=", "format=", "to-command=", "checkpoint?", "checkpoint-action=",
                "transform=", "xform=", "owner=", "group=", "mode=", "mtime=", "list", "create",
                "extract", "get", "append", "update", "delete", "catenate", "concatenate", "diff",
                "compare", "test-label", "gzip", "bzip2", "xz", "zstd", "verbose", "to-stdout",
                "totals?", "wildcards", "no-recursion", "one-file-system", "numeric-owner",
                "preserve-permissions", "same-owner", "overwrite", "keep-old-files",
                "skip-old-files", "unlink-first", "recursive-unlink", "remove-files", "help",
                "version",
            ],
        ),
    );
    if p.has(&[
        "--to-command", "--checkpoint-action", "-F", "--info-script", "--new-volume-script",
    ]) {
        return unknown("`tar` with a command option runs a program");
    }
    if p.has(&["--remove-files", "--recursive-unlink", "--unlink-first"]) {
        return destroys(
            "files.rm", "`tar --remove-files` deletes the files it archives",
        );
    }
    if p.dynamic {
        return unknown("`tar` has words only known when the shell runs");
    }
    let file = p.value(&["-f", "--file"]);
    let to_stdout = file.is_none_or(|f| f == "-" || super::readonly::harmless_sink(f));
    if p.has(&["-t", "--list", "-d", "--diff", "--compare", "--test-label"])
        || (p.has(&["-x", "--extract", "--get"]) && p.has(&["-O", "--to-stdout"]))
    {
        return Judgement::Safe;
    }
    if p.has(&["-c", "--create"]) {
        return if to_stdout {
            Judgement::Safe
        } else {
            unknown(format!(
                "`tar -c` writes the archive `{}`",
                file.unwrap_or_default()
            ))
        };
    }
    unknown("`tar` extracts or changes files")
}

const GIT: Commands = Commands {
    tool: "git",
    spec: Spec::new(
        "Cc",
        &[
            "git-dir=", "work-tree=", "namespace=", "exec-path?", "no-pager", "paginate", "bare",
            "no-replace-objects", "literal-pathspecs", "config-env=", "html-path", "man-path",
            "info-path", "version", "help", "oneline", "stat", "name-only", "name-status", "all",
            "verbose", "short", "format=", "pretty?", "graph", "decorate?", "max-count=", "since=",
            "until=", "author=", "grep=",
        ],
    ),
    safe: &[
        "status", "log", "diff", "show", "blame", "shortlog", "describe", "rev-parse", "rev-list",
        "ls-files", "ls-tree", "ls-remote", "cat-file", "grep", "reflog show", "remote show",
        "stash list", "stash show", "version", "help", "whatchanged", "name-rev", "for-each-ref",
        "show-ref", "count-objects", "fsck", "verify-commit", "verify-tag", "check-ignore",
        "check-attr", "",
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
    writes: &[],
};

fn git(args: &[Word]) -> Judgement {
    let p = parse(args, &GIT.spec);
    let ops: Vec<&str> = p.operands.iter().map(String::as_str).collect();
    let listing = match ops[..] {
        // `git branch`, `git tag`, `git remote` alone list; with a name
        // they create, and `-d`/`-D` deletes.
        ["branch" | "tag" | "remote" | "stash"] => {
            !p.has(&["-d", "-D", "--delete", "-m", "-M", "-f", "--force"])
        }
        ["config", ..] => p.has(&["--get", "--get-all", "--get-regexp", "--list", "-l"]),
        _ => false,
    };
    if listing && !p.dynamic {
        return Judgement::Safe;
    }
    if matches!(ops.first(), Some(&"branch" | &"tag")) && p.has(&["-d", "-D", "--delete"]) {
        return destroys("files.git", format!("`git {} -d` deletes it", ops[0]));
    }
    GIT.judge_parsed(&p)
}
