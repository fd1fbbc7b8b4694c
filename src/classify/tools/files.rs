//! Files: removing (`rm`, `unlink`), emptying (`truncate`, `cp /dev/null`),
//! syncing with deletion (`rsync --delete`), and the text tools whose
//! programs can write (`sed` with `-i` or a `w` command, `awk` with
//! `system()` or `print >`), archives and compressors, crontabs and git.

use super::disk::{Target, target};
use super::{Judgement, destroys, only_options, unknown};
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
        | "pigz" | "pbzip2" | "lzma" => compressor(name, args),
        // `zstdcat` is `zstd -dc`, and takes zstd's options (`-o FILE`).
        "zcat" | "bzcat" | "xzcat" | "lzcat" | "zstdcat" | "lz4cat" => {
            let tool = match name {
                "zcat" => "gzip",
                "bzcat" => "bzip2",
                "xzcat" | "lzcat" => "xz",
                "zstdcat" => "zstd",
                _ => "lz4",
            };
            let mut words = vec![Word::plain("-dc")];
            words.extend_from_slice(args);
            compressor(tool, &words)
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
        "mktemp" => mktemp(args),
        "git" => super::git::judge(args),
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
