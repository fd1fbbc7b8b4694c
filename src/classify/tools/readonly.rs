//! The plain read-only tools and shell builtins: commands with no option
//! or operand that writes, whatever their arguments; and the few everyday
//! tools that read by default but write with one option (`sort -o`,
//! `date -s`, `tee FILE`).

use super::{Judgement, destroys, only_options, unknown, write_target};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

/// Read-only whatever their arguments. Each was checked for options that
/// write a file, change the system or run a command; tools that have one
/// are judged below or in their family instead.
const ANY_ARGS: &[&str] = &[
    // Shell builtins and keywords that only read or set shell state.
    // Those that set variables or evaluate text are judged in `builtins`.
    ":", "true", "false", "echo", "pwd", "cd", "pushd", "popd", "dirs", "set", "shopt", "shift",
    "jobs", "type", "help", "exit", "return", "break", "continue", "umask", "ulimit", "unalias",
    "logout", "times", "caller", "disown", "suspend", "fg", "bg", // Files and text.
    "ls", "dir", "vdir", "cat", "tac", "nl", "head", "tail", "more", "wc", "grep", "egrep",
    "fgrep", "zgrep", "zegrep", "zfgrep", "xzgrep", "bzgrep", "zstdgrep", "rg", "ag", "ack",
    "zcat", "bzcat", "xzcat", "lzcat", "zstdcat", "lz4cat", "zmore", "cut", "tr", "paste", "join",
    "comm", "diff", "diff3", "cmp", "colordiff", "column", "fold", "fmt", "expand", "unexpand",
    "rev", "strings", "od", "hexdump", "hd", "base32", "base64", "basenc", "md5sum", "sha1sum",
    "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "file", "stat",
    "readlink", "realpath", "basename", "dirname", "namei", "lsattr", "getfacl", "getfattr",
    "locate", "mlocate", "plocate", "which", "whereis", "jq", "look", "tsort", "pr", "numfmt",
    "seq", "factor", "expr", "bc", "yes", "sleep", "usleep", "printenv", "locale", "tty", "cal",
    "ncal", "nproc", "getconf", "logname", // Who, what, when.
    "whoami", "id", "groups", "who", "w", "users", "last", "lastb", "lastlog", "uptime", "uname",
    "arch", "finger", "pinky", "getent", "man", "info", "apropos", "whatis", "clear",
    // Processes and resources.
    "ps", "pgrep", "pidof", "pstree", "top", "htop", "btop", "free", "vmstat", "iostat", "mpstat",
    "pidstat", "iotop", "slabtop", "tload", "pmap", "prtstat", "lsof", "lslocks", "lsipc", "lsns",
    "lslogins", "lscpu", "lsmem", "lspci", "lsusb", "lsscsi", "lsblk", "lsmod", "modinfo",
    "lsinitramfs", "numastat", "blkid", "findmnt", "df", "du", "duf", "showmount", "nfsstat",
    "nstat", "lnstat", "ifstat", "iftop", "nload", "bmon", "nethogs", "ipcs", "systemd-cgls",
    "systemd-cgtop", "systemd-detect-virt", // Network, read-only.
    "ping", "ping6", "fping", "traceroute", "traceroute6", "tracepath", "mtr", "dig", "host",
    "nslookup", "drill", "whois", "netstat", "ssh-keyscan",
    // Storage and mail, the read-only tools.
    "dumpe2fs", "xfs_info", "lvs", "vgs", "pvs", "lvdisplay", "vgdisplay", "pvdisplay", "lvscan",
    "vgscan", "pvscan", "zdb", "arcstat", "arc_summary", "sg_inq", "sg_readcap", "sg_map",
    "sg_scan", "sg_vpd", "sg_logs", "repquota", "quota", "quotastats", "mailq", "qshape",
    "postcat", "doveconf", "exiqgrep", "exipick", "exiwhat", "exim_checkaccess", "drbd-overview",
    "drbdmon",
];

/// Read-only except for the options listed (those write or change).
const EXCEPT: &[(&str, Spec, &[&str], &str)] = &[
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
    ),
    (
        "less",
        Spec::new(
            "bhjkoOpPtTxyz#",
            &[
                "log-file=", "LOG-FILE=", "tag=", "tag-file=", "prompt=", "pattern=", "shift=",
                "window=", "buffers=", "max-back-scroll=", "max-forw-scroll=", "tabs=",
            ],
        ),
        &["-o", "-O", "--log-file", "--LOG-FILE"],
        "copies what it shows to a file",
    ),
    (
        "atop",
        Spec::new("wrSaP", &[]),
        &["-w"],
        "writes its samples to a file",
    ),
    (
        "iconv",
        Spec::new("fto", &["from-code=", "to-code=", "output="]),
        &["-o", "--output"],
        "writes its output to a file",
    ),
    (
        "sdiff",
        Spec::new(
            "oIwF",
            &[
                "output=", "ignore-matching-lines=", "width=", "diff-program=", "tabsize=",
            ],
        ),
        &["-o", "--output"],
        "writes the merged file",
    ),
    (
        "shuf",
        Spec::new(
            "inoe",
            &["input-range=", "head-count=", "output=", "random-source="],
        ),
        &["-o", "--output"],
        "writes its output to a file",
    ),
    (
        "tree",
        Spec::new(
            "LPIoH",
            &["output=", "filelimit=", "timefmt=", "charset=", "sort="],
        ),
        &["-o", "--output"],
        "writes its output to a file",
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
        &["-K", "--kill"],
        "closes the sockets it finds",
    ),
    (
        "sar",
        Spec::new("oifsenPIqrbBdFHmSuvwWyAzhC", &[]),
        &["-o"],
        "writes its data to a file",
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
    ),
    (
        "sensors",
        Spec::new("c", &["config-file="]),
        &["-s", "--set"],
        "sets chip limits",
    ),
    (
        "hostnamectl",
        Spec::new("HM", &["host=", "machine="]),
        &[],
        "",
    ),
];

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    if ANY_ARGS.contains(&name) {
        return Some(Judgement::Safe);
    }
    if let Some((tool, spec, writing, what)) = EXCEPT.iter().find(|e| e.0 == name) {
        let p = parse(args, spec);
        if let Some(o) = writing.iter().find(|w| p.has(&[w])) {
            return Some(unknown(format!("`{tool} {o}` {what}")));
        }
        if p.dynamic {
            return Some(unknown(format!(
                "`{tool}` has words only known when the shell runs; they may be options that write"
            )));
        }
        return Some(match (*tool, p.operand(0)) {
            ("date", op) if !op.is_empty() && !op.starts_with('+') => {
                unknown("`date MMDDhhmm` sets the system clock")
            }
            ("hostnamectl", op) if !matches!(op, "" | "status" | "show") => unknown(format!(
                "`hostnamectl {op}` changes the host's name or settings"
            )),
            _ => Judgement::Safe,
        });
    }
    Some(match name {
        "uniq" => {
            let p = parse(
                args,
                &Spec::new(
                    "fsw",
                    &[
                        "skip-fields=", "skip-chars=", "check-chars=", "group?", "all-repeated?",
                    ],
                ),
            );
            if p.operands.len() > 1 {
                unknown("`uniq IN OUT` writes its output to the file OUT")
            } else {
                only_options(
                    "uniq",
                    &p,
                    &p.opts.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
                )
            }
        }
        "tee" => tee(args),
        "xxd" => {
            let p = parse(args, &Spec::new("cgloOsnC", &[]));
            if p.operands.len() > 1 || p.has(&["-r"]) {
                unknown("`xxd` with an output file (or `-r`) writes it")
            } else {
                only_options(
                    "xxd",
                    &p,
                    &p.opts.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
                )
            }
        }
        "hostname" => {
            let p = parse(args, &Spec::new("F", &["file="]));
            if p.operands.is_empty() && !p.has(&["-F", "--file", "-b", "--boot"]) && !p.dynamic {
                Judgement::Safe
            } else {
                unknown("`hostname NAME` sets the host's name")
            }
        }
        "stty"
            if args.is_empty()
                || args.iter().all(|w| {
                    matches!(w.text.as_str(), "-a" | "-g" | "--all" | "--save" | "size")
                }) =>
        {
            Judgement::Safe
        }
        "env" | "nice" | "nohup" | "timeout" | "xargs" => return None,
        _ => return None,
    })
}

/// `tee FILE...`: writes each file; onto a device it is destructive.
fn tee(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "",
            &[
                "append", "ignore-interrupts", "output-error?", "help", "version",
            ],
        ),
    );
    for f in &p.operands {
        if let Some((rule, reason)) = write_target(f) {
            return destroys(rule, format!("`tee` {reason}"));
        }
    }
    let files: Vec<&String> = p.operands.iter().filter(|f| !harmless_sink(f)).collect();
    match (files.first(), p.dynamic) {
        (_, true) => unknown("`tee` writes to a file only known when the shell runs"),
        (Some(f), false) => unknown(format!("`tee` writes the file `{f}`")),
        (None, false) => Judgement::Safe,
    }
}

/// Files that writing to loses nothing: `/dev/null`, the terminal, stdout.
/// Spelled plainly: `/dev/pts/../../etc/passwd` is no terminal.
/// (`/dev/fd/N` is whatever file descriptor N is open on: not harmless.)
pub fn harmless_sink(path: &str) -> bool {
    let plain = !path.split('/').any(|part| part == ".." || part == ".");
    plain
        && (matches!(
            path,
            "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "/dev/console"
        ) || path.starts_with("/dev/pts/"))
}
