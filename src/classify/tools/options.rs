//! Everyday tools that read by default but write, run a program or change
//! something with an option (`sort -o`, `man -P`, `less +!cmd`, `date -s`):
//! each with the options that do, and whether its spec lists all of its
//! long options (then one it does not list is not known to be safe).

use super::{Judgement, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

/// Whether a tool's spec has every long option it takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Completeness {
    /// Every long option: one not there is not known to be safe.
    Complete,
    /// Only those that matter here (value-taking, writing); the tool takes
    /// many more that only shape its output.
    Partial,
}

use Completeness::{Complete, Partial};

/// Read-only except for the options listed (those write, change or run a
/// program), and what they do.
const EXCEPT: &[(&str, Spec, &[&str], &str, Completeness)] = &[
    (
        "sort",
        Spec::new(
            "kotSTy",
            &[
                "output=", "key=", "field-separator=", "buffer-size=", "temporary-directory=",
                "files0-from=", "compress-program=", "parallel=", "batch-size=", "sort=",
                "random-source=", "ignore-leading-blanks", "dictionary-order", "ignore-case",
                "general-numeric-sort", "ignore-nonprinting", "month-sort", "human-numeric-sort",
                "numeric-sort", "random-sort", "reverse", "version-sort", "check?", "merge",
                "debug", "stable", "unique", "zero-terminated", "help", "version",
            ],
        ),
        &["-o", "--output", "--compress-program"],
        "writes its output to a file",
        Complete,
    ),
    (
        "less",
        Spec::new(
            "bhjkoOpPtTxyz#",
            &[
                "log-file=", "LOG-FILE=", "tag=", "tag-file=", "prompt=", "pattern=", "shift=",
                "window=", "buffers=", "max-back-scroll=", "max-forw-scroll=", "tabs=",
                "lesskey-file=", "lesskey-src=", "lesskey-content=",
            ],
        ),
        &[
            "-o", "-O", "--log-file", "--LOG-FILE", "-k", "--lesskey-file", "--lesskey-src",
            "--lesskey-content",
        ],
        "copies what it shows to a file (or reads key bindings that run commands)",
        Partial,
    ),
    (
        "atop",
        Spec::new("wrSaP", &[]),
        &["-w"],
        "writes its samples to a file",
        Partial,
    ),
    (
        "iconv",
        Spec::new(
            "fto",
            &[
                "from-code=", "to-code=", "output=", "list", "silent", "verbose", "help", "usage",
                "version",
            ],
        ),
        &["-o", "--output"],
        "writes its output to a file",
        Complete,
    ),
    (
        "sdiff",
        Spec::new(
            "oIwF",
            &[
                "output=", "ignore-matching-lines=", "width=", "diff-program=", "tabsize=",
                "ignore-case", "ignore-tab-expansion", "ignore-trailing-space",
                "ignore-space-change", "ignore-all-space", "ignore-blank-lines",
                "strip-trailing-cr", "text", "left-column", "suppress-common-lines", "expand-tabs",
                "minimal", "speed-large-files", "help", "version",
            ],
        ),
        &["-o", "--output", "--diff-program"],
        "writes the merged file (or runs the program given)",
        Complete,
    ),
    (
        "shuf",
        Spec::new(
            "inoe",
            &[
                "input-range=", "head-count=", "output=", "random-source=", "echo", "repeat",
                "zero-terminated", "help", "version",
            ],
        ),
        &["-o", "--output"],
        "writes its output to a file",
        Complete,
    ),
    (
        "tree",
        Spec::new(
            "LPIoH",
            &["output=", "filelimit=", "timefmt=", "charset=", "sort="],
        ),
        // `-R` runs tree again in each folder with `-o 00Tree.html`.
        &["-o", "--output", "-R"],
        "writes its output to files",
        Partial,
    ),
    (
        "date",
        Spec::new(
            "dfrI",
            &[
                "date=", "file=", "reference=", "set=", "iso-8601?", "rfc-3339=", "rfc-email",
                "utc", "universal", "debug", "resolution", "help", "version",
            ],
        ),
        &["-s", "--set"],
        "sets the system clock",
        Complete,
    ),
    (
        "ss",
        Spec::new(
            "FAfND",
            &[
                "filter=", "query=", "socket=", "family=", "net=", "diag=", "kill", "all",
                "listening", "numeric", "processes", "tcp", "udp", "unix", "extended", "info",
                "memory", "summary", "options", "resolve", "threads", "no-header", "oneline",
                "context", "contexts", "cgroup", "events", "bpf", "help", "version",
            ],
        ),
        &["-K", "--kill", "-D", "--diag"],
        "closes the sockets it finds (or dumps them to a file)",
        Partial,
    ),
    (
        "sar",
        Spec::new("oifsenPIqrbBdFHmSuvwWyAzhC", &[]),
        &["-o"],
        "writes its data to a file",
        Partial,
    ),
    (
        "dmidecode",
        Spec::new(
            "dsqtH",
            &[
                "dev-mem=", "string=", "type=", "handle=", "dump-bin=", "from-dump=",
                "oem-string=", "quiet", "dump", "no-sysfs", "help", "version",
            ],
        ),
        &["--dump-bin"],
        "writes the table to a file",
        Complete,
    ),
    (
        "sensors",
        Spec::new("c", &["config-file="]),
        &["-s", "--set"],
        "sets chip limits",
        Partial,
    ),
    (
        "hostnamectl",
        Spec::new("HM", &["host=", "machine="]),
        &[],
        "",
        Partial,
    ),
    (
        "man",
        Spec::new(
            "CMPrSseLmpRE",
            &[
                "config-file=", "manpath=", "pager=", "prompt=", "sections=", "extension=",
                "systems=", "locale=", "preprocessor=", "recode=", "encoding=", "troff-device?",
                "html?", "gxditview?", "catman", "local-file", "all", "update", "where", "path",
                "location", "where-cat", "location-cat", "regex", "wildcard", "names-only",
                "apropos", "whatis", "ignore-case", "match-case", "debug", "default", "warnings?",
                "no-subpages", "ascii", "no-hyphenation", "no-justification", "ditroff",
                "global-apropos", "help", "usage", "version",
            ],
        ),
        &[
            "-P", "--pager", "-H", "--html", "-X", "--gxditview", "-C", "--config-file", "-c",
            "--catman",
        ],
        "runs a program of its choosing (a pager, a browser) or writes pages",
        Complete,
    ),
    (
        "info",
        Spec::new(
            "dfknov",
            &[
                "apropos=", "directory=", "dribble=", "file=", "index-search=", "init-file=",
                "node=", "output=", "raw-escapes", "no-raw-escapes", "restore=", "show-options",
                "usage", "variable=", "vi-keys", "where", "location", "all", "debug=",
                "strict-node-location", "help", "version",
            ],
        ),
        &["-o", "--output", "--dribble", "--init-file"],
        "writes a file (or reads key bindings that may)",
        Complete,
    ),
    (
        "file",
        Spec::new(
            "eFfmP",
            &[
                "brief", "checking-printout", "compile", "debug", "exclude=", "exclude-quiet=",
                "extension", "files-from=", "separator=", "mime", "mime-type", "mime-encoding",
                "dereference", "no-dereference", "keep-going", "list", "magic-file=", "no-buffer",
                "no-pad", "print0", "preserve-date", "parameter=", "raw", "special-files",
                "uncompress", "uncompress-noreport", "apple", "help", "version",
            ],
        ),
        &["-C", "--compile"],
        "compiles the magic file, writing `FILE.mgc`",
        Complete,
    ),
    (
        "lastlog",
        Spec::new(
            "bRtu",
            &["before=", "clear", "root=", "set", "time=", "user=", "help"],
        ),
        &["-C", "--clear", "-S", "--set"],
        "clears or sets the users' last login",
        Complete,
    ),
    (
        "diff3",
        Spec::new(
            "L",
            &[
                "text", "show-all", "ed", "easy-only", "overlap-only", "show-overlap",
                "initial-tab", "merge", "label=", "strip-trailing-cr", "diff-program=", "help",
                "version",
            ],
        ),
        &["--diff-program"],
        "runs the program given",
        Complete,
    ),
    (
        "rg",
        Spec::new("ABCEefgjmMrtTd", &["pre=", "pre-glob="]),
        &["--pre"],
        "runs the program given on every file",
        Partial,
    ),
    (
        "ag",
        Spec::new("ABCGgmp", &["pager=", "path-to-ignore="]),
        &["--pager"],
        "runs the program given",
        Partial,
    ),
    (
        "ack",
        Spec::new("ABCgmtT", &["pager=", "ackrc=", "output="]),
        &["--pager", "--ackrc", "--output"],
        "runs a program or Perl code of the user's choosing",
        Partial,
    ),
    (
        "pidstat",
        Spec::new("CeGpT", &["dec=", "human"]),
        &["-e"],
        "runs the program given",
        Partial,
    ),
    (
        "arcstat",
        Spec::new("fos", &[]),
        &["-o"],
        "writes its samples to a file",
        Partial,
    ),
    (
        "sg_logs",
        Spec::new(
            "cimMpP",
            &[
                "control=", "in=", "maxlen=", "page=", "paramp=", "reset", "select", "sp",
            ],
        ),
        &["-R", "--reset", "-s", "--select", "-S", "--sp"],
        "resets or saves the device's log parameters",
        Partial,
    ),
    (
        "pvscan",
        Spec::new("a", &["cache", "activate=", "autoactivate=", "notifydbus"]),
        &[
            "--cache", "-a", "--activate", "--autoactivate", "--notifydbus",
        ],
        "updates the cache or activates volume groups",
        Partial,
    ),
    (
        "vgscan",
        Spec::new("", &["mknodes", "notifydbus", "cache"]),
        &["--mknodes", "--notifydbus", "--cache"],
        "creates device nodes or updates the cache",
        Partial,
    ),
    (
        "lvscan",
        Spec::new("", &["cache"]),
        &["--cache"],
        "updates the cache",
        Partial,
    ),
    (
        "nstat",
        Spec::new("", &["reset"]),
        &["-r", "--reset"],
        "resets the counters' history",
        Partial,
    ),
    (
        "ifstat",
        Spec::new("", &["reset"]),
        &["-r", "--reset"],
        "resets the counters' history",
        Partial,
    ),
];

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    let (tool, spec, writing, what, completeness) = EXCEPT.iter().find(|e| e.0 == name)?;
    let p = parse(args, spec);
    if let Some(o) = writing.iter().find(|w| p.has(&[w])) {
        return Some(unknown(format!("`{tool} {o}` {what}")));
    }
    if *completeness == Complete
        && let Some(o) = p.strange.first()
    {
        return Some(unknown(format!(
            "`{tool} {o}`: an option opsguard does not know"
        )));
    }
    // `less +CMD`: a command less runs first (`+!CMD` runs a shell).
    if *tool == "less" && p.operands.iter().any(|o| o.starts_with('+')) {
        return Some(unknown("`less +COMMAND` runs the command when it starts"));
    }
    if p.dynamic {
        return Some(unknown(format!(
            "`{tool}` has words only known when the shell runs; they may be options that write"
        )));
    }
    Some(match (*tool, p.operand(0)) {
        ("date", op) if !op.is_empty() && !op.starts_with('+') => {
            unknown("`date MMDDhhmm` sets the system clock")
        }
        ("hostnamectl", op) if !matches!(op, "" | "status" | "show") => unknown(format!(
            "`hostnamectl {op}` changes the host's name or settings"
        )),
        _ => Judgement::Safe,
    })
}
