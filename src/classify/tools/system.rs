//! The system around the services: logs (`journalctl --vacuum-*` deletes
//! them, `dmesg -C` clears the ring buffer), kernel settings and modules,
//! login sessions, the clock, scheduled jobs. Reading them is safe.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "journalctl" => {
            let p = parse(
                args,
                &Spec::new(
                    "uSUnpoMDbFtgIkTmcei",
                    &[
                        "vacuum-size=", "vacuum-time=", "vacuum-files=", "rotate", "flush", "sync",
                        "relinquish-var", "smart-relinquish-var", "setup-keys", "update-catalog",
                        "interval=", "unit=", "user-unit=", "since=", "until=", "lines=",
                        "priority=", "output=", "output-fields=", "directory=", "file=", "root=",
                        "image=", "machine=", "namespace=", "boot?", "identifier=", "grep=",
                        "facility=", "cursor=", "after-cursor=", "cursor-file=", "field=",
                        "fields", "list-boots", "disk-usage", "verify", "verify-key=", "header",
                        "follow", "reverse", "no-pager", "no-tail", "no-hostname", "all", "full",
                        "quiet", "merge", "utc", "catalog", "pager-end", "dmesg", "system", "user",
                        "case-sensitive?", "exclude-identifier=", "invocation=",
                        "list-invocations", "list-namespaces", "show-cursor", "help", "version",
                    ],
                ),
            );
            if let Some(o) = p.strange.first() {
                unknown(format!(
                    "`journalctl {o}`: an option opsguard does not know"
                ))
            } else if let Some(o) = p.get(&["--vacuum-size", "--vacuum-time", "--vacuum-files"]) {
                destroys(
                    "files.journal",
                    format!("`journalctl {}` deletes archived journal files", o.name),
                )
            } else if let Some(o) = p.get(&[
                "--rotate", "--flush", "--sync", "--relinquish-var", "--smart-relinquish-var",
                "--setup-keys", "--update-catalog", "--cursor-file",
            ]) {
                unknown(format!(
                    "`journalctl {}` changes the journal's files",
                    o.name
                ))
            } else if p.dynamic {
                unknown("`journalctl` has words only known when the shell runs")
            } else {
                Judgement::Safe
            }
        }
        "dmesg" => {
            let p = parse(
                args,
                &Spec::new(
                    "sFfln",
                    &[
                        "clear", "read-clear", "console-level=", "console-off", "console-on",
                        "buffer-size=", "ctime", "color?", "decode", "file=", "facility=", "human",
                        "kernel", "json", "level=", "nopager", "notime", "raw", "syslog",
                        "show-delta", "since=", "until=", "time-format=", "userspace", "follow",
                        "follow-new", "noescape", "force-prefix", "reltime", "help", "version",
                    ],
                ),
            );
            if let Some(o) = p.strange.first() {
                unknown(format!("`dmesg {o}`: an option opsguard does not know"))
            } else if let Some(o) = p.get(&[
                "-c", "--read-clear", "-C", "--clear", "-n", "--console-level", "-D",
                "--console-off", "-E", "--console-on",
            ]) {
                unknown(format!(
                    "`dmesg {}` clears the kernel's log or changes its console",
                    o.name
                ))
            } else {
                Judgement::Safe
            }
        }
        "loginctl" => LOGINCTL.judge(args),
        "timedatectl" => TIMEDATECTL.judge(args),
        "sysctl" => {
            let p = parse(
                args,
                &Spec::new(
                    "",
                    &[
                        "load?", "system", "write", "all", "names", "values", "ignore", "quiet",
                        "binary", "pattern=", "deprecated", "help", "version",
                    ],
                ),
            );
            // `-f` is `-p` by another name.
            if p.has(&["-w", "--write", "-p", "-f", "--load", "--system"])
                || p.operands.iter().any(|o| o.contains('='))
                || !p.strange.is_empty()
                || p.dynamic
            {
                unknown("`sysctl` with `-w`, `-p` or `NAME=VALUE` changes kernel settings")
            } else {
                Judgement::Safe
            }
        }
        "modprobe" => {
            let p = parse(args, &Spec::new("dCS", &[]));
            if p.has(&[
                "-n", "--dry-run", "-c", "--showconfig", "-D", "--show-depends",
                "--show-modversions", "--dump-modversions",
            ]) && !p.has(&["-r", "--remove"])
            {
                Judgement::Safe
            } else if p.has(&["-r", "--remove"]) {
                unknown("`modprobe -r` unloads a kernel module: the devices it drives go away")
            } else {
                unknown("`modprobe` loads a kernel module")
            }
        }
        "rmmod" => unknown("`rmmod` unloads a kernel module: the devices it drives go away"),
        "atq" => Judgement::Safe,
        "at" if args.iter().any(|w| w.text == "-l") => Judgement::Safe,
        "chkconfig" if args.first().is_some_and(|w| w.text == "--list") && args.len() <= 2 => {
            Judgement::Safe
        }
        _ => return None,
    })
}

const LOGINCTL: Commands = Commands {
    tool: "loginctl",
    spec: Spec::new("pPsnoHM", &[]),
    safe: &[
        "", "list-sessions", "list-users", "list-seats", "show-session", "show-user", "show-seat",
        "session-status", "user-status", "seat-status",
    ],
    destructive: &[
        (
            "terminate-session", "service.kill", "ends the session and its processes",
        ),
        (
            "terminate-user", "service.kill", "ends the user's sessions and processes",
        ),
        ("terminate-seat", "service.kill", "ends the seat's sessions"),
        (
            "kill-session", "service.kill", "kills the session's processes",
        ),
        ("kill-user", "service.kill", "kills the user's processes"),
    ],
    writes: &[],
};

const TIMEDATECTL: Commands = Commands {
    tool: "timedatectl",
    spec: Spec::new("pHM", &[]),
    safe: &[
        "", "status", "show", "list-timezones", "timesync-status", "show-timesync",
    ],
    destructive: &[],
    writes: &[],
};
