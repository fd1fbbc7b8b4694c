//! Power, services and processes: what takes the host down (`reboot`,
//! `init 0`), stops services (`systemctl stop`, `service x stop`, init
//! scripts, `supervisorctl stop`), kills processes (`kill`, `pkill`,
//! `fuser -k`), and the read-only forms of the same tools (`systemctl
//! status`, `journalctl`, `kill -0`).

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "reboot" | "shutdown" | "poweroff" | "halt" => {
            if args
                .iter()
                .any(|w| matches!(w.text.as_str(), "--help" | "-c"))
            {
                unknown(format!("`{name} -c` cancels a planned shutdown"))
            } else {
                destroys("power.off", format!("`{name}` takes the host down"))
            }
        }
        "init" | "telinit" => match args.first().map(|w| w.text.as_str()) {
            Some(level @ ("0" | "6" | "1" | "s" | "S")) => destroys(
                "power.off",
                format!("`{name} {level}` changes the run level"),
            ),
            _ => unknown(format!("`{name}` changes the run level")),
        },
        "kexec" => {
            let p = parse(args, &Spec::new("t", &[]));
            if p.has(&["-e", "--exec"])
                || !p.has(&["-l", "--load", "-p", "--load-panic", "-u", "--unload"])
            {
                destroys("power.off", "`kexec` reboots into another kernel")
            } else {
                unknown("`kexec -l` loads a kernel to reboot into")
            }
        }
        "systemctl" => SYSTEMCTL.judge(args),
        "service" => {
            let ops: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
            let what = format!("service {}", ops.first().copied().unwrap_or(""));
            service_action(what.trim_end(), ops.get(1).copied(), args)
        }
        "rc-service" => {
            let ops: Vec<&str> = args
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            let what = format!("rc-service {}", ops.first().copied().unwrap_or(""));
            service_action(what.trim_end(), ops.get(1).copied(), args)
        }
        // `-i`, or no action at all: an interactive shell reading its input.
        "supervisorctl" => {
            let p = parse(args, &SUPERVISORCTL.spec);
            if p.has(&["-i", "--interactive"]) || p.operands.is_empty() {
                unknown(
                    "`supervisorctl` without an action (or with `-i`) runs the actions it reads from its input",
                )
            } else {
                SUPERVISORCTL.judge_parsed(&p)
            }
        }
        "sv" => {
            let p = parse(args, &Spec::new("w", &[]));
            match p.operand(0) {
                "status" | "s" | "check" if !p.dynamic => Judgement::Safe,
                a @ ("stop" | "down" | "d" | "kill" | "k" | "restart" | "t" | "term" | "exit"
                | "x" | "force-stop" | "force-restart" | "force-shutdown" | "shutdown") => {
                    destroys(
                        "service.stop",
                        format!("`sv {a}` stops or restarts the service"),
                    )
                }
                a => unknown(format!("`sv {a}` controls the service")),
            }
        }
        "kill" => kill(args),
        "killall" | "pkill" | "killall5" | "skill" | "slay" => {
            // `killall -l` lists the signals, `-V` prints the version: alone.
            // (`pkill -l` kills and lists.)
            let lists = match name {
                "killall" => &["-l", "--list", "-V", "--version"][..],
                _ => &["-V", "--version"][..],
            };
            if let [w] = args
                && lists.contains(&w.text.as_str())
            {
                return Some(Judgement::Safe);
            }
            match signal_in(args) {
                Some(sig) if reloads(&sig) => unknown(format!(
                    "`{name} -{sig}` signals every process that matches"
                )),
                Some(sig) if sig == "0" => Judgement::Safe,
                _ => destroys(
                    "service.kill",
                    format!("`{name}` kills every process that matches"),
                ),
            }
        }
        "fuser" => {
            if args.iter().any(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('k')
                    || w.text == "--kill"
            }) {
                destroys(
                    "service.kill", "`fuser -k` kills the processes using the file",
                )
            } else if args.iter().any(|w| w.dynamic) {
                unknown("`fuser` has words only known when the shell runs; `-k` kills")
            } else {
                Judgement::Safe
            }
        }
        "pg_ctl" | "pg_ctlcluster" => {
            let action = args
                .iter()
                .find(|w| {
                    matches!(
                        w.text.as_str(),
                        "status" | "stop" | "restart" | "kill" | "start" | "reload" | "promote"
                    )
                })
                .map(|w| w.text.as_str());
            match action {
                Some("status") => Judgement::Safe,
                Some(a @ ("stop" | "restart" | "kill")) => destroys(
                    "service.stop",
                    format!("`{name} {a}` stops the database server"),
                ),
                _ => unknown(format!("`{name}` controls the database server")),
            }
        }
        _ => return None,
    })
}

/// `service NAME ACTION`, `rc-service NAME ACTION`, `/etc/init.d/NAME
/// ACTION`: the action decides. `what` is the command up to the action.
pub fn service_action(what: &str, action: Option<&str>, args: &[Word]) -> Judgement {
    if args.iter().any(|w| w.dynamic) {
        return unknown(format!("`{what}` has words only known when the shell runs"));
    }
    match action {
        None if matches!(what, "service --status-all" | "service --list" | "service") => {
            Judgement::Safe
        }
        Some("status") => Judgement::Safe,
        Some(
            a @ ("stop" | "restart" | "force-reload" | "try-restart" | "condrestart" | "force-stop"
            | "zap" | "kill"),
        ) => destroys(
            "service.stop",
            format!("`{what} {a}` stops or restarts the service"),
        ),
        Some(a) => unknown(format!("`{what} {a}` controls the service")),
        None => unknown(format!("`{what}` without an action")),
    }
}

const SYSTEMCTL: Commands = Commands {
    tool: "systemctl",
    spec: Spec::new(
        "tpPsnoHM",
        &[
            "type=", "property=", "state=", "signal=", "kill-whom=", "kill-value=", "lines=",
            "output=", "host=", "machine=", "root=", "image=", "job-mode=", "what=",
            "boot-loader-entry=", "boot-loader-menu=", "reboot-argument=", "timestamp=",
            "preset-mode=", "legend=", "message=", "drop-in=", "when=", "check-inhibitors=",
            "image-policy=", "capsule=", "all", "full", "recursive", "reverse", "after", "before",
            "quiet", "no-block", "wait", "user", "system", "global", "now", "force", "failed",
            "show-types", "value", "plain", "firmware-setup", "dry-run", "runtime", "no-pager",
            "no-legend", "no-ask-password", "no-wall", "no-reload", "no-warn", "show-transaction",
            "with-dependencies", "ignore-inhibitors", "read-only", "mkdir", "marked", "help",
            "version",
        ],
    ),
    safe: &[
        "", "list-units", "list-sockets", "list-timers", "list-jobs", "list-unit-files",
        "list-dependencies", "list-machines", "list-automounts", "list-paths", "status", "show",
        "cat", "help", "is-active", "is-failed", "is-enabled", "is-system-running", "get-default",
        "show-environment", "whoami",
    ],
    destructive: &[
        ("stop", "service.systemctl", "stops the units"),
        ("restart", "service.systemctl", "restarts the units"),
        ("try-restart", "service.systemctl", "restarts the units"),
        (
            "reload-or-restart", "service.systemctl", "restarts the units",
        ),
        (
            "try-reload-or-restart", "service.systemctl", "restarts the units",
        ),
        ("force-reload", "service.systemctl", "restarts the units"),
        ("condrestart", "service.systemctl", "restarts the units"),
        ("disable", "service.systemctl", "disables the units"),
        ("kill", "service.systemctl", "kills the units' processes"),
        (
            "mask", "service.systemctl", "masks the units: they can no longer start",
        ),
        (
            "isolate", "service.systemctl", "stops every unit the target does not need",
        ),
        ("reboot", "service.systemctl", "reboots the host"),
        (
            "soft-reboot", "service.systemctl", "restarts the host's userspace",
        ),
        ("poweroff", "service.systemctl", "powers the host off"),
        ("halt", "service.systemctl", "halts the host"),
        ("kexec", "service.systemctl", "reboots into another kernel"),
        (
            "emergency", "service.systemctl", "drops the host to emergency mode",
        ),
        (
            "rescue", "service.systemctl", "drops the host to rescue mode",
        ),
        (
            "default", "service.systemctl", "switches to the default target",
        ),
        ("suspend", "service.systemctl", "suspends the host"),
        ("hibernate", "service.systemctl", "hibernates the host"),
        ("hybrid-sleep", "service.systemctl", "suspends the host"),
        (
            "suspend-then-hibernate", "service.systemctl", "suspends the host",
        ),
        ("sleep", "service.systemctl", "suspends the host"),
        (
            "clean", "service.systemctl", "deletes the units' state, cache or logs",
        ),
        (
            "freeze", "service.systemctl", "freezes the units' processes",
        ),
        (
            "switch-root", "service.systemctl", "switches the host's root",
        ),
        ("exit", "service.systemctl", "ends the service manager"),
    ],
    writes: &[],
};

const SUPERVISORCTL: Commands = Commands {
    tool: "supervisorctl",
    spec: Spec::new(
        "csup",
        &[
            "configuration=", "serverurl=", "username=", "password=", "history-file=",
            "interactive", "help",
        ],
    ),
    safe: &[
        "status", "avail", "pid", "tail", "maintail", "version", "help", "fg",
    ],
    destructive: &[
        ("stop", "service.stop", "stops the programs"),
        ("restart", "service.stop", "restarts the programs"),
        (
            "shutdown", "service.stop", "stops supervisord and every program",
        ),
        (
            "remove", "service.stop", "stops and removes the program group",
        ),
        ("signal", "service.kill", "signals the programs"),
    ],
    writes: &[],
};

/// The signal `kill`, `pkill` or `killall` sends, when one is named.
fn signal_in(args: &[Word]) -> Option<String> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if matches!(t, "-s" | "-n" | "--signal") {
            return args.get(i + 1).map(|v| v.text.clone());
        }
        if let Some(s) = t.strip_prefix("--signal=") {
            return Some(s.to_string());
        }
        if let Some(s) = t.strip_prefix("-s").filter(|s| {
            !s.is_empty() && t.len() > 2 && s.chars().all(|c| c.is_ascii_alphanumeric())
        }) {
            return Some(s.to_string());
        }
        if let Some(s) = t.strip_prefix('-').filter(|s| {
            !s.is_empty()
                && (s
                    .chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
                    || s.starts_with("SIG"))
        }) {
            return Some(s.to_string());
        }
        i += 1;
    }
    None
}

/// Signals that ask a process to reload, report or continue, not end.
fn reloads(sig: &str) -> bool {
    let s = sig.trim_start_matches("SIG").to_ascii_uppercase();
    matches!(
        s.as_str(),
        "HUP"
            | "1"
            | "USR1"
            | "10"
            | "USR2"
            | "12"
            | "WINCH"
            | "28"
            | "CONT"
            | "18"
            | "ALRM"
            | "14"
    )
}

fn kill(args: &[Word]) -> Judgement {
    // `kill -l [SIGNAL]` lists; only as the first word (`kill -9 PID -l`
    // kills PID).
    if args
        .first()
        .is_some_and(|w| matches!(w.text.as_str(), "-l" | "-L" | "--list" | "--table"))
    {
        return Judgement::Safe;
    }
    match signal_in(args) {
        Some(sig) if sig == "0" => Judgement::Safe,
        Some(sig) if reloads(&sig) => unknown(format!("`kill -{sig}` signals the processes")),
        Some(sig)
            if matches!(
                sig.trim_start_matches("SIG").to_ascii_uppercase().as_str(),
                "9" | "KILL"
            ) =>
        {
            destroys(
                "service.kill", "`kill -9` kills processes without letting them clean up",
            )
        }
        _ => destroys("service.kill", "`kill` stops the processes"),
    }
}
