//! The plain read-only tools and shell builtins: commands with no option
//! or operand that writes, whatever their arguments, and a few that write
//! to the files they are given (`tee FILE`, `uniq IN OUT`). Tools that
//! read by default but write with an option (`sort -o`, `man -P`) are in
//! `options.rs`.

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
    "fgrep", "zgrep", "zegrep", "zfgrep", "xzgrep", "bzgrep", "zstdgrep", "zmore", "cut", "tr",
    "paste", "join", "comm", "diff", "cmp", "colordiff", "column", "fold", "fmt", "expand",
    "unexpand", "rev", "strings", "od", "hexdump", "hd", "base32", "base64", "basenc", "md5sum",
    "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "stat",
    "readlink", "realpath", "basename", "dirname", "namei", "lsattr", "getfacl", "getfattr",
    "locate", "mlocate", "plocate", "which", "whereis", "jq", "look", "tsort", "pr", "numfmt",
    "seq", "factor", "expr", "bc", "yes", "sleep", "usleep", "printenv", "locale", "tty", "cal",
    "ncal", "nproc", "getconf", "logname", // Who, what, when.
    "whoami", "id", "groups", "who", "w", "users", "last", "lastb", "uptime", "uname", "arch",
    "finger", "pinky", "getent", "apropos", "whatis", "clear",
    // Processes and resources.
    "ps", "pgrep", "pidof", "pstree", "top", "htop", "btop", "free", "vmstat", "iostat", "mpstat",
    "iotop", "slabtop", "tload", "pmap", "prtstat", "lsof", "lslocks", "lsipc", "lsns", "lslogins",
    "lscpu", "lsmem", "lspci", "lsusb", "lsscsi", "lsblk", "lsmod", "modinfo", "lsinitramfs",
    "numastat", "findmnt", "df", "du", "duf", "showmount", "nfsstat", "lnstat", "iftop", "nload",
    "bmon", "nethogs", "ipcs", "systemd-cgls", "systemd-cgtop",
    "systemd-detect-virt", // Network, read-only.
    "ping", "ping6", "fping", "traceroute", "traceroute6", "tracepath", "mtr", "dig", "host",
    "nslookup", "drill", "whois", "netstat", "ssh-keyscan",
    // Storage and mail, the read-only tools.
    "dumpe2fs", "xfs_info", "lvs", "vgs", "pvs", "lvdisplay", "vgdisplay", "pvdisplay", "zdb",
    "arc_summary", "sg_inq", "sg_readcap", "sg_map", "sg_scan", "sg_vpd", "repquota", "quota",
    "quotastats", "mailq", "qshape", "postcat", "doveconf", "exiqgrep", "exipick", "exiwhat",
    "exim_checkaccess", "drbd-overview", "drbdmon",
];

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    if ANY_ARGS.contains(&name) {
        return Some(Judgement::Safe);
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
        "blkid" => {
            let p = parse(
                args,
                &Spec::new(
                    "cnLoOsStuUw",
                    &[
                        "cache-file=", "garbage-collect", "output=", "list-filesystems",
                        "match-tag=", "match-token=", "list-one", "label=", "uuid=", "offset=",
                        "probe", "info", "size=", "usages=", "no-encoding", "hint=", "help",
                        "version",
                    ],
                ),
            );
            // `-c F`/`-w F` write the cache to F; `/dev/null` keeps none.
            let cache = p
                .opts
                .iter()
                .find(|o| {
                    matches!(o.name.as_str(), "-c" | "-w" | "--cache-file")
                        && o.value.as_deref() != Some("/dev/null")
                })
                .map(|o| o.name.clone());
            match (cache, p.has(&["-g", "--garbage-collect"])) {
                (Some(o), _) => unknown(format!("`blkid {o}` writes its cache to the file")),
                (None, true) => unknown("`blkid -g` rewrites its cache"),
                (None, false) if p.dynamic => {
                    unknown("`blkid` has words only known when the shell runs")
                }
                (None, false) => Judgement::Safe,
            }
        }
        "xxd" => {
            let p = parse(args, &Spec::new("cglnoRs", &[]));
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
