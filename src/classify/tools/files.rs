//! Files: removing (`rm`, `unlink`), emptying (`truncate`, `cp /dev/null`),
//! syncing with deletion (`rsync --delete`), and the text tools whose
//! programs can write (`sed` with `-i` or a `w` command, `awk` with
//! `system()` or `print >`), archives and compressors, crontabs and git.

use super::disk::{Target, target};
use super::{Commands, Judgement, destroys, only_options, unknown};
use crate::classify::args::{Parsed, Spec, parse};
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
        | "pigz" | "pbzip2" | "lzma" => compressor(name, args),
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
        "mktemp" => mktemp(args),
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

/// What a compressor may be given when it writes to stdout, lists or
/// tests: `-o` names an output file (`zstd`), `--rm` removes the input,
/// `-r` works through a tree, and anything else is not known.
const COMPRESSOR_READS: &[&str] = &[
    "-c", "--stdout", "--to-stdout", "-d", "--decompress", "--uncompress", "-z", "--compress",
    "-t", "--test", "-l", "--list", "-k", "--keep", "-f", "--force", "-v", "--verbose", "-q",
    "--quiet", "-0", "-1", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9", "--best", "--fast",
    "-n", "--no-name", "-N", "--name", "-T", "--threads", "-M", "--memlimit", "-S", "--suffix",
    "-p", "-D", "-s", "--small", "-e", "--extreme", "--long", "--ultra", "--no-progress",
    "--format", "--rsyncable", "-h", "--help", "-V", "--version", "-L", "--license",
];

fn compressor(name: &str, args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "bSTMDop",
            &[
                "stdout", "to-stdout", "list", "test", "decompress", "uncompress", "compress",
                "keep", "force", "verbose", "quiet", "suffix=", "best", "fast", "rsyncable",
                "name", "no-name", "recursive", "threads=", "memlimit=", "format=", "small",
                "extreme", "long?", "ultra", "no-progress", "rm", "output-dir-flat=",
                "output-dir-mirror=", "help", "version", "license",
            ],
        ),
    );
    // `-l` lists for gzip, xz and zstd; it is the legacy format to lz4 and
    // the load average to pbzip2, which then compress into a file.
    let list: &[&str] = match name {
        "lz4" | "pbzip2" | "bzip2" | "bunzip2" => &["--list"],
        _ => &["-l", "--list"],
    };
    if !p.has(&["-c", "--stdout", "--to-stdout", "-t", "--test"]) && !p.has(list) {
        return unknown(format!(
            "`{name}` replaces files with their (de)compressed form"
        ));
    }
    if name == "lz4" && p.operands.len() > 1 {
        return unknown("`lz4 IN OUT` writes its second operand");
    }
    only_options(name, &p, COMPRESSOR_READS)
}

/// `mktemp` makes a new file (a folder with `-d`): safe in the temporary
/// folder, and with `-u`, which makes nothing. A template with a folder or
/// `-p DIR` makes it elsewhere (`mktemp /etc/cron.d/jobXXXX`).
fn mktemp(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "p",
            &[
                "directory", "dry-run", "quiet", "suffix=", "tmpdir?", "help", "version",
            ],
        ),
    );
    let allowed = [
        "-d", "--directory", "-u", "--dry-run", "-q", "--quiet", "-t", "-p", "--tmpdir",
        "--suffix", "--help", "--version",
    ];
    if !p.only(&allowed) {
        return only_options("mktemp", &p, &allowed);
    }
    if p.has(&["-u", "--dry-run"]) {
        return Judgement::Safe;
    }
    let in_tmp = p
        .opts
        .iter()
        .filter(|o| o.name == "-p" || o.name == "--tmpdir")
        .all(|o| {
            o.value
                .as_deref()
                .is_none_or(|d| matches!(d, "/tmp" | "/tmp/" | "/var/tmp" | "/var/tmp/"))
        });
    let template = match &p.operands[..] {
        [] => true,
        [t] => p.has(&["-t", "-p", "--tmpdir"]) && !t.contains('/'),
        _ => false,
    };
    let suffix = p.value(&["--suffix"]).is_none_or(|s| !s.contains('/'));
    if in_tmp && template && suffix {
        Judgement::Safe
    } else {
        unknown("`mktemp` with this template or folder creates a file outside the temporary folder")
    }
}

const RSYNC: Spec = Spec::new(
    "efBTM@",
    &[
        "delete", "delete-before", "delete-during", "delete-delay", "delete-after",
        "delete-excluded", "del", "remove-source-files", "remove-sent-files", "dry-run",
        "list-only", "rsh=", "rsync-path=", "filter=", "exclude=", "exclude-from=", "include=",
        "include-from=", "files-from=", "block-size=", "temp-dir=", "remote-option=",
        "modify-window=", "backup-dir=", "suffix=", "chmod=", "chown=", "usermap=", "groupmap=",
        "compare-dest=", "copy-dest=", "link-dest=", "max-size=", "min-size=", "max-delete=",
        "partial-dir=", "log-file=", "log-file-format=", "out-format=", "password-file=",
        "bwlimit=", "timeout=", "contimeout=", "port=", "sockopts=", "compress-choice=",
        "compress-level=", "checksum-choice=", "info=", "debug=", "write-batch=",
        "only-write-batch=", "read-batch=", "early-input=", "config=", "daemon", "archive",
        "verbose", "quiet", "recursive", "relative", "compress", "checksum", "update", "inplace",
        "append", "append-verify", "partial", "progress", "stats", "human-readable",
        "itemize-changes", "numeric-ids", "hard-links", "acls", "xattrs", "sparse", "whole-file",
        "one-file-system", "existing", "ignore-existing", "force", "backup", "links", "copy-links",
        "copy-dirlinks", "keep-dirlinks", "perms", "executability", "times", "omit-dir-times",
        "omit-link-times", "owner", "group", "devices", "specials", "size-only", "ignore-times",
        "cvs-exclude", "prune-empty-dirs", "from0", "protect-args", "delay-updates", "fuzzy",
        "8-bit-output", "ipv4", "ipv6", "mkpath", "no-motd", "help", "version",
    ],
);

/// What a dry run (`-n`, `--list-only`) may also be given. Even a dry run
/// starts the remote shell (`-e`, judged by [`plain_ssh`]) and the remote
/// rsync (`--rsync-path`), writes its log (`--log-file`) and batch files,
/// and passes options on to the other side (`-M`): those are not known.
const RSYNC_DRY: &[&str] = &[
    "-n", "--dry-run", "--list-only", "-a", "--archive", "-v", "--verbose", "-q", "--quiet", "-r",
    "--recursive", "-R", "--relative", "-z", "--compress", "-c", "--checksum", "-u", "--update",
    "-h", "--human-readable", "-i", "--itemize-changes", "-P", "--progress", "--partial",
    "--stats", "-H", "--hard-links", "-A", "--acls", "-X", "--xattrs", "-S", "--sparse", "-W",
    "--whole-file", "-x", "--one-file-system", "--existing", "--ignore-existing", "--force", "-b",
    "--backup", "-l", "--links", "-L", "--copy-links", "-k", "--copy-dirlinks", "-K",
    "--keep-dirlinks", "-p", "--perms", "-E", "--executability", "-t", "--times", "-O",
    "--omit-dir-times", "-J", "--omit-link-times", "-o", "--owner", "-g", "--group", "-D",
    "--devices", "--specials", "--numeric-ids", "--delete", "--delete-before", "--delete-during",
    "--delete-delay", "--delete-after", "--delete-excluded", "--del", "--remove-source-files",
    "--inplace", "--append", "--size-only", "-I", "--ignore-times", "-C", "--cvs-exclude", "-m",
    "--prune-empty-dirs", "-F", "-f", "--filter", "--exclude", "--include", "--exclude-from",
    "--include-from", "--files-from", "-0", "--from0", "-s", "--protect-args", "--max-size",
    "--min-size", "--max-delete", "--modify-window", "-@", "--compare-dest", "--copy-dest",
    "--link-dest", "--chmod", "--chown", "--usermap", "--groupmap", "--out-format", "--info",
    "--debug", "--bwlimit", "--timeout", "--contimeout", "--port", "--compress-level",
    "--compress-choice", "--checksum-choice", "-B", "--block-size", "--suffix", "--backup-dir",
    "--partial-dir", "-T", "--temp-dir", "--delay-updates", "-y", "--fuzzy", "-8",
    "--8-bit-output", "-4", "--ipv4", "-6", "--ipv6", "--mkpath", "--no-motd", "--password-file",
    "-e", "--rsh", "--help", "--version",
];

fn rsync(args: &[Word]) -> Judgement {
    let p = parse(args, &RSYNC);
    if p.has(&["-n", "--dry-run", "--list-only"]) {
        let shell = p
            .opts
            .iter()
            .filter(|o| o.name == "-e" || o.name == "--rsh")
            .find(|o| !o.value.as_deref().is_some_and(plain_ssh));
        if let Some(o) = shell {
            return unknown(format!(
                "`rsync {} {}` runs a program, even in a dry run",
                o.name,
                o.value.as_deref().unwrap_or_default()
            ));
        }
        return only_options("rsync", &p, RSYNC_DRY);
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

/// `rsync -e 'ssh -p 2222'`: OpenSSH with a port, a user, a key and flags
/// that change nothing else. Other programs, and ssh options that run a
/// command or write a file (`-o ProxyCommand=`, `-F`, `-E`), are not known.
fn plain_ssh(command: &str) -> bool {
    let plain = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/@:~+,".contains(c))
    };
    let mut words = command.split_ascii_whitespace();
    if !matches!(words.next(), Some("ssh" | "/usr/bin/ssh")) {
        return false;
    }
    while let Some(w) = words.next() {
        let port = w.len() > 2 && w.starts_with("-p") && w[2..].bytes().all(|b| b.is_ascii_digit());
        match w {
            "-4" | "-6" | "-q" | "-C" | "-T" | "-x" | "-a" | "-v" => {}
            "-p" | "-l" | "-i" if words.next().is_some_and(plain) => {}
            _ if port => {}
            _ => return false,
        }
    }
    true
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

const TAR: Spec = Spec::new(
    "fCTXbgLIFKNVH",
    &[
        "file=", "directory=", "files-from=", "exclude-from=", "exclude=", "exclude-vcs",
        "exclude-caches", "exclude-backups", "blocking-factor=", "record-size=",
        "listed-incremental=", "incremental", "tape-length=", "use-compress-program=",
        "info-script=", "new-volume-script=", "starting-file=", "newer=", "newer-mtime=",
        "after-date=", "label=", "format=", "to-command=", "checkpoint?", "checkpoint-action=",
        "index-file=", "rsh-command=", "rmt-command=", "volno-file=", "transform=", "xform=",
        "strip-components=", "owner=", "group=", "mode=", "mtime=", "sort=", "quoting-style=",
        "warning=", "occurrence?", "list", "create", "extract", "get", "append", "update",
        "delete", "catenate", "concatenate", "diff", "compare", "test-label", "multi-volume",
        "gzip", "gunzip", "ungzip", "bzip2", "xz", "lzma", "lzip", "lzop", "zstd", "compress",
        "uncompress", "auto-compress", "no-auto-compress", "verbose", "to-stdout", "totals?",
        "wildcards", "no-wildcards", "anchored", "no-anchored", "ignore-case", "recursion",
        "no-recursion", "one-file-system", "numeric-owner", "absolute-names", "dereference",
        "ignore-zeros", "read-full-records", "sparse", "block-number", "check-links", "null",
        "no-null", "utc", "full-time", "show-transformed-names", "force-local", "posix", "acls",
        "no-acls", "xattrs", "no-xattrs", "selinux", "no-selinux", "seek", "verify",
        "preserve-permissions", "same-permissions", "no-same-permissions", "same-owner",
        "no-same-owner", "overwrite", "keep-old-files", "skip-old-files", "touch", "unlink-first",
        "recursive-unlink", "remove-files", "show-defaults", "usage", "help", "version",
    ],
);

/// What a listing, a comparison, an extraction to stdout or an archive
/// written to stdout may also be given. Anything else may run a program
/// (`-I`/`--use-compress-program`, `--rsh-command`, `--to-command`,
/// `--checkpoint-action`, `-F`) or write a file (`-g`, `--index-file`).
const TAR_READS: &[&str] = &[
    "-t", "--list", "-d", "--diff", "--compare", "--test-label", "-x", "--extract", "--get", "-O",
    "--to-stdout", "-c", "--create", "-f", "--file", "-v", "--verbose", "-z", "--gzip", "--gunzip",
    "--ungzip", "-j", "--bzip2", "-J", "--xz", "--lzma", "--lzip", "--lzop", "--zstd", "-Z",
    "--compress", "--uncompress", "-a", "--auto-compress", "--no-auto-compress", "-C",
    "--directory", "-T", "--files-from", "-X", "--exclude-from", "--exclude", "--exclude-vcs",
    "--exclude-caches", "--exclude-backups", "-b", "--blocking-factor", "--record-size", "-B",
    "--read-full-records", "-i", "--ignore-zeros", "-h", "--dereference", "-S", "--sparse", "-R",
    "--block-number", "-l", "--check-links", "-N", "--newer", "--after-date", "--newer-mtime",
    "-V", "--label", "-K", "--starting-file", "-H", "--format", "--posix", "-P",
    "--absolute-names", "--wildcards", "--no-wildcards", "--anchored", "--no-anchored",
    "--ignore-case", "--recursion", "--no-recursion", "--one-file-system", "--numeric-owner",
    "--owner", "--group", "--mode", "--mtime", "--sort", "--transform", "--xform",
    "--strip-components", "--totals", "--checkpoint", "--null", "--no-null", "--utc",
    "--full-time", "--quoting-style", "--show-transformed-names", "--warning", "--occurrence",
    "--force-local", "--acls", "--no-acls", "--xattrs", "--no-xattrs", "--selinux", "--no-selinux",
    "-n", "--seek", "-p", "--preserve-permissions", "--same-permissions", "--no-same-permissions",
    "-s", "--same-owner", "--no-same-owner", "-o", "-m", "--touch", "-k", "--keep-old-files",
    "--skip-old-files", "--overwrite", "--show-defaults", "--usage", "--help", "--version",
];

/// `tar czf x.tgz dir` (old style): the first word's letters are options,
/// and each that takes a value takes the next word, in order (`tar tfI
/// x.tar CMD` is `-t -f x.tar -I CMD`).
fn tar_old_style(args: &[Word]) -> Vec<Word> {
    let Some(first) = args.first() else {
        return Vec::new();
    };
    let t = first.text.as_str();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return args.to_vec();
    }
    let mut words = Vec::new();
    let mut next = 1;
    for c in t.chars() {
        words.push(Word {
            text: format!("-{c}"),
            ..first.clone()
        });
        if TAR.short_values.contains(c)
            && let Some(value) = args.get(next)
        {
            words.push(value.clone());
            next += 1;
        }
    }
    words.extend_from_slice(&args[next..]);
    words
}

fn tar(args: &[Word]) -> Judgement {
    let p = parse(&tar_old_style(args), &TAR);
    if p.has(&["--remove-files", "--recursive-unlink", "--unlink-first"]) {
        return destroys(
            "files.rm", "`tar --remove-files` deletes the files it archives",
        );
    }
    if p.dynamic {
        return unknown("`tar` has words only known when the shell runs");
    }
    let reads = p.has(&["-t", "--list", "-d", "--diff", "--compare", "--test-label"])
        || p.has(&["-x", "--extract", "--get"]) && p.has(&["-O", "--to-stdout"]);
    let creates = p.has(&["-c", "--create"]);
    if !reads && !creates {
        return unknown("`tar` extracts or changes files");
    }
    if !p.only(TAR_READS) {
        return unknown(format!(
            "`tar {}` runs a program or writes a file",
            p.others(TAR_READS).join(" ")
        ));
    }
    let archive = p
        .opts
        .iter()
        .filter(|o| o.name == "-f" || o.name == "--file")
        .filter_map(|o| o.value.as_deref())
        .find(|f| *f != "-" && !super::readonly::harmless_sink(f));
    match archive {
        Some(f) if creates => unknown(format!("`tar -c` writes the archive `{f}`")),
        _ => Judgement::Safe,
    }
}

const GIT: Commands = Commands {
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
const GIT_OWN: &[&str] = &[
    "-C", "--git-dir", "--work-tree", "--namespace", "-p", "--paginate", "-P", "--no-pager",
    "--bare", "--no-replace-objects", "--literal-pathspecs", "--glob-pathspecs",
    "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
];

/// `git branch` and `git tag` list with these (a name creates, `-u` sets
/// the upstream, `-c`/`-C`/`-m` copy or move).
const GIT_LISTS: &[&str] = &[
    "-a", "--all", "-r", "--remotes", "-v", "--verbose", "-l", "--list", "-n", "--contains",
    "--no-contains", "--merged", "--no-merged", "--points-at", "--sort", "--format", "--color",
    "--no-color", "--column", "--no-column", "--show-current", "-i", "--ignore-case", "--abbrev",
    "--no-abbrev",
];

/// `git config` only reads with these.
const GIT_CONFIG_READS: &[&str] = &[
    "--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l", "--global", "--system",
    "--local", "--worktree", "--file", "-f", "--blob", "--show-origin", "--show-scope",
    "--name-only", "--null", "-z", "--type", "--default", "--includes", "--no-includes",
];

/// `git branch`, `git tag` (alone or with `--list PATTERN`), `git remote`
/// and `git config --get`/`--list` with only options that choose what to
/// show. Options before the command word are git's own (`git -C DIR`);
/// after it they are the command's (`git branch -C NEW` copies a branch).
fn git_lists(args: &[Word], p: &Parsed) -> bool {
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

fn git(args: &[Word]) -> Judgement {
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
