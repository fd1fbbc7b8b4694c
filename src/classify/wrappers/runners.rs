//! Wrappers that run the command after their options: with a priority,
//! a lock, a timeout, in a namespace, repeatedly, or on their input's
//! words. Each declares its options, so an option's value is never taken
//! for the command.

use super::{Inner, Wrapped, alone, at_operand, joined, wrapped};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;
use crate::classify::tools::{Judgement, unknown};

/// What the wrapper does on its own.
#[derive(Clone, Copy)]
enum Alone {
    /// Nothing (it only runs the command).
    Nothing,
    /// Without a command, a shell, reading what nobody gives it.
    Shell,
    /// It takes the command out of opsguard's reach: a session of its own
    /// is not stopped with opsguard.
    Detaches,
}

/// `OPTIONS... [SKIP operands] COMMAND...`: the wrappers read this way.
#[rustfmt::skip]
const SIMPLE: &[(&str, Spec, usize, Alone)] = &[
    ("nohup", Spec::new("", &[]), 0, Alone::Nothing),
    ("builtin", Spec::new("", &[]), 0, Alone::Nothing),
    ("exec", Spec::new("a", &[]), 0, Alone::Nothing),
    ("busybox", Spec::new("", &[]), 0, Alone::Nothing),
    ("lvm", Spec::new("", &[]), 0, Alone::Nothing),
    ("unbuffer", Spec::new("", &[]), 0, Alone::Nothing),
    ("catchsegv", Spec::new("", &[]), 0, Alone::Nothing),
    ("setsid", Spec::new("", &["ctty", "fork", "wait"]), 0, Alone::Detaches),
    ("stdbuf", Spec::new("ioe", &["input=", "output=", "error="]), 0, Alone::Nothing),
    ("eatmydata", Spec::new("", &[]), 0, Alone::Nothing),
    ("fakeroot", Spec::new("il", &[]), 0, Alone::Nothing),
    ("cgexec", Spec::new("g", &[]), 0, Alone::Nothing),
    ("firejail", Spec::new("", &[]), 0, Alone::Nothing),
    ("proxychains", Spec::new("f", &[]), 0, Alone::Nothing),
    ("torsocks", Spec::new("uPa", &[]), 0, Alone::Nothing),
    ("faketime", Spec::new("f", &[]), 1, Alone::Nothing),
    ("valgrind", Spec::new("", &[]), 0, Alone::Nothing),
    ("perf", Spec::new("eofpCGtrc", &[]), 1, Alone::Nothing),
    ("strace", Spec::new("eopsuaIOPSXbEA", &[]), 0, Alone::Nothing),
    ("ltrace", Spec::new("eopsuaIOPSXbEA", &[]), 0, Alone::Nothing),
    ("time", Spec::new("fo", &["format=", "output=", "append", "portability", "quiet", "verbose", "help", "version"]), 0, Alone::Nothing),
    ("timeout", Spec::new("sk", &["signal=", "kill-after=", "foreground", "preserve-status", "verbose"]), 1, Alone::Nothing),
    ("numactl", Spec::new("CNmpiP", &["physcpubind=", "cpunodebind=", "membind=", "preferred=", "interleave=", "preferred-many="]), 0, Alone::Nothing),
    ("unshare", Spec::new("SGRw", &[
        "map-user=", "map-group=", "map-users=", "map-groups=", "setgroups=", "propagation=",
        "setuid=", "setgid=", "root=", "wd=", "monotonic=", "boottime=", "mount?", "uts?", "ipc?",
        "net?", "pid?", "user?", "cgroup?", "time?", "kill-child?", "mount-proc?", "fork",
        "map-root-user", "map-current-user", "keep-caps",
    ]), 0, Alone::Shell),
    ("nsenter", Spec::new("tSG", &[
        "target=", "setuid=", "setgid=", "root?", "wd?", "mount?", "uts?", "ipc?", "net?", "pid?",
        "user?", "cgroup?", "time?", "all", "preserve-credentials", "env", "no-fork",
        "follow-context", "join-cgroup", "user-parent",
    ]), 0, Alone::Shell),
    ("systemd-run", Spec::new("upEHMC", &[
        "unit=", "property=", "description=", "slice=", "slice-inherit", "uid=", "gid=", "nice=",
        "setenv=", "host=", "machine=", "working-directory=", "service-type=", "path-property=",
        "socket-property=", "timer-property=", "on-active=", "on-boot=", "on-startup=",
        "on-unit-active=", "on-unit-inactive=", "on-calendar=", "on-clock-change",
        "on-timezone-change", "pty", "pipe", "quiet", "collect", "shell", "user", "system",
        "scope", "remain-after-exit", "wait", "same-dir", "send-sighup", "expand-environment=",
        "no-block", "no-ask-password", "json=", "job-mode=",
    ]), 0, Alone::Nothing),
];

/// The wrappers of [`SIMPLE`].
pub(super) fn simple(name: &str, args: &[Word]) -> Option<Wrapped> {
    let (_, spec, skip, when_alone) = SIMPLE.iter().find(|w| w.0 == name)?;
    let own = match when_alone {
        Alone::Nothing => Judgement::Safe,
        Alone::Shell => unknown(format!("`{name}` without a command runs a shell")),
        Alone::Detaches => unknown(format!(
            "`{name}` puts the command in a session of its own, where opsguard cannot stop it"
        )),
    };
    let mut wrapped = at_operand(args, spec, *skip, own.clone())?;
    if let Alone::Detaches = when_alone {
        wrapped.own = own;
    }
    Some(wrapped)
}

/// `nice -5 cmd`, `nice -n 5 cmd`, `nice --adjustment=5 cmd`; alone it
/// prints the niceness.
pub(super) fn nice(args: &[Word]) -> Option<Wrapped> {
    let mut i = 0;
    while let Some(t) = args.get(i).map(|w| w.text.as_str()) {
        match t {
            "--" => {
                i += 1;
                break;
            }
            "-n" | "--adjustment" => i += 2,
            t if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    if i < args.len() {
        wrapped(vec![Inner::Words(i)])
    } else {
        alone(Judgement::Safe)
    }
}

/// `ionice`, `chrt`, `taskset`: a command with a priority or CPU mask, or
/// with `-p` the priority of running processes (shown, or set).
pub(super) fn priority(name: &str, args: &[Word]) -> Option<Wrapped> {
    let spec = match name {
        "ionice" => Spec::new("cnpPu", &["class=", "classdata=", "pid=", "pgid=", "uid="]),
        "chrt" => Spec::new(
            "TPD",
            &["sched-runtime=", "sched-period=", "sched-deadline="],
        ),
        _ => Spec::new("", &["cpu-list", "pid", "all-tasks"]),
    };
    let p = parse(args, &spec.posix());
    let processes = [
        "-p", "--pid", "-P", "--pgid", "-u", "--uid", "-a", "--all-tasks",
    ];
    if p.has(&processes) {
        let sets = if name == "ionice" {
            p.has(&["-c", "--class", "-n", "--classdata"])
        } else {
            p.operands.len() > 1
        };
        return alone(if sets {
            unknown(format!(
                "`{name} -p` changes the priority of running processes"
            ))
        } else {
            Judgement::Safe
        });
    }
    // chrt and taskset take a priority or mask before the command.
    let skip = usize::from(name != "ionice");
    at_operand(args, &spec, skip, Judgement::Safe)
}

/// `command CMD` runs it; `command -v`/`-V` only looks it up. Options
/// end at the command's name (`command rm -v x` runs `rm`).
pub(super) fn command(args: &[Word]) -> Option<Wrapped> {
    let p = parse(args, &Spec::new("", &[]).posix());
    if p.has(&["-v", "-V"]) {
        alone(Judgement::Safe)
    } else {
        at_operand(args, &Spec::new("", &[]), 0, Judgement::Safe)
    }
}

/// `chroot DIR CMD`; without a command, a shell.
pub(super) fn chroot(args: &[Word]) -> Option<Wrapped> {
    let p = parse(
        args,
        &Spec::new("", &["userspec=", "groups=", "skip-chdir"]).posix(),
    );
    match p.operand_at.get(1) {
        Some(&at) => wrapped(vec![Inner::Words(at)]),
        None => wrapped(vec![Inner::Stdin]),
    }
}

/// `flock [-c SCRIPT] FILE [CMD...]`, `flock FILE -c SCRIPT`, `flock FD`.
pub(super) fn flock(args: &[Word]) -> Option<Wrapped> {
    let spec = Spec::new(
        "wEc",
        &[
            "timeout=", "conflict-exit-code=", "command=", "shared", "exclusive", "unlock",
            "nonblock", "close", "no-fork", "verbose",
        ],
    );
    let p = parse(args, &spec.posix());
    if let Some(script) = p.value(&["-c", "--command"]) {
        return wrapped(vec![Inner::Script(script.to_string())]);
    }
    // flock reads `-c` after the file too.
    if matches!(
        p.operands.get(1).map(String::as_str),
        Some("-c" | "--command")
    ) {
        return match p.operands.get(2) {
            Some(script) => wrapped(vec![Inner::Script(script.clone())]),
            None => alone(Judgement::Safe),
        };
    }
    match p.operand_at.get(1) {
        Some(&at) => wrapped(vec![Inner::Words(at)]),
        None => alone(Judgement::Safe),
    }
}

/// `xargs CMD ARGS`: CMD runs with more arguments read from stdin, which
/// may be anything; alone it runs `echo`.
pub(super) fn xargs(args: &[Word]) -> Option<Wrapped> {
    let spec = Spec::new(
        "adEIiLlnPs",
        &[
            "arg-file=", "delimiter=", "eof?", "replace?", "max-lines?", "max-args=", "max-procs=",
            "max-chars=", "process-slot-var=", "interactive", "no-run-if-empty", "null",
            "open-tty", "exit", "show-limits", "verbose", "help", "version",
        ],
    );
    let p = parse(args, &spec.posix());
    match p.operand_at.first() {
        Some(&at) => wrapped(vec![Inner::WordsAndInput(at)]),
        None => alone(Judgement::Safe),
    }
}

/// `watch CMD...` runs `sh -c 'CMD...'` (with `-x`, the words as they are).
pub(super) fn watch(args: &[Word]) -> Option<Wrapped> {
    let spec = Spec::new(
        "nq",
        &[
            "interval=", "differences?", "no-title", "beep", "errexit", "chgexit", "equexit=",
            "color", "no-color", "exec", "precise", "no-wrap", "no-rerun", "help", "version",
        ],
    );
    let p = parse(args, &spec.posix());
    let Some(&at) = p.operand_at.first() else {
        return alone(Judgement::Safe);
    };
    if p.has(&["-x", "--exec"]) {
        wrapped(vec![Inner::Words(at)])
    } else {
        wrapped(vec![Inner::Script(joined(&args[at..]))])
    }
}

/// `trap SCRIPT SIGNAL...`: the script runs later, on the signal.
pub(super) fn trap(args: &[Word]) -> Option<Wrapped> {
    let p = parse(args, &Spec::new("", &[]).posix());
    match p.operands.first().map(String::as_str) {
        // `trap - EXIT`, `trap '' INT`, `trap -p`, `trap 2`: nothing to run.
        None | Some("-" | "") => alone(Judgement::Safe),
        Some(first) if p.operands.len() == 1 && first.chars().all(|c| c.is_ascii_digit()) => {
            alone(Judgement::Safe)
        }
        Some(script) => wrapped(vec![Inner::Script(script.to_string())]),
    }
}
