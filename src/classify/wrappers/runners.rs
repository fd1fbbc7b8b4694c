//! Wrappers that run the command after their options: with a priority,
//! a lock, a timeout, in a namespace, repeatedly, or on their input's
//! words. Each declares its options, so an option's value is never taken
//! for the command.

use super::{Inner, Wrapped, alone, at_operand, joined, wrapped};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;
use crate::classify::tools::{Judgement, only_options, unknown};

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

/// Options of a wrapper that write or run something, and what they do.
type Writes = &'static [(&'static str, &'static str)];

/// `OPTIONS... [SKIP operands] COMMAND...`: the wrappers read this way,
/// with the options that make the wrapper itself write or run something
/// (`time -o FILE`, `strace -o FILE`) and what they do. A long option the
/// spec does not have is not known either.
#[rustfmt::skip]
const SIMPLE: &[(&str, Spec, usize, Alone, Writes)] = &[
    ("nohup", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("builtin", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("exec", Spec::new("a", &[]), 0, Alone::Nothing, &[]),
    ("busybox", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("unbuffer", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("catchsegv", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("setsid", Spec::new("", &["ctty", "fork", "wait"]), 0, Alone::Detaches, &[]),
    ("stdbuf", Spec::new("ioe", &["input=", "output=", "error="]), 0, Alone::Nothing, &[]),
    ("eatmydata", Spec::new("", &[]), 0, Alone::Nothing, &[]),
    ("fakeroot", Spec::new("lsib", &["lib=", "faked=", "unknown-is-real", "fd-base="]), 0, Alone::Nothing, &[
        ("-s", "saves its state to a file"),
        ("-l", "loads another library into the command"),
        ("--lib", "loads another library into the command"),
        ("--faked", "runs another daemon program"),
    ]),
    ("cgexec", Spec::new("g", &["sticky"]), 0, Alone::Nothing, &[]),
    ("proxychains", Spec::new("f", &[]), 0, Alone::Nothing, &[("-f", "reads a configuration file")]),
    ("torsocks", Spec::new("uPa", &[]), 0, Alone::Nothing, &[]),
    ("faketime", Spec::new("f", &[]), 1, Alone::Nothing, &[]),
    ("strace", Spec::new("abeEIoOpPsSuUX", &[
        "output=", "inject=", "fault=", "trace=", "signal=", "status=", "attach=", "user=",
        "env=", "string-limit=", "columns=", "summary-sort-by=", "summary-columns=",
        "decode-fds?", "decode-pids=", "follow-forks", "output-separately", "summary-only",
        "summary", "summary-wall-clock", "syscall-times?", "timestamps?", "relative-timestamps?",
        "instruction-pointer", "stack-traces", "no-abbrev", "verbose=", "raw=", "read=",
        "write=", "quiet?", "silent?", "seccomp-bpf", "daemonize?", "trace-path=", "help",
        "version",
    ]), 0, Alone::Nothing, &[
        ("-o", "writes its trace to a file"),
        ("--output", "writes its trace to a file"),
        ("--inject", "makes system calls fail or return what it says"),
        ("--fault", "makes system calls fail"),
        ("-E", "sets the command's environment"),
        ("--env", "sets the command's environment"),
    ]),
    ("ltrace", Spec::new("aADeFlnopsuwx", &["output=", "library=", "align=", "indent=", "help", "version"]), 0, Alone::Nothing, &[
        ("-o", "writes its trace to a file"),
        ("--output", "writes its trace to a file"),
        ("-F", "reads a configuration file"),
    ]),
    ("time", Spec::new("fo", &["format=", "output=", "append", "portability", "quiet", "verbose", "help", "version"]), 0, Alone::Nothing, &[
        ("-o", "writes its report to a file"),
        ("--output", "writes its report to a file"),
    ]),
    ("timeout", Spec::new("sk", &["signal=", "kill-after=", "foreground", "preserve-status", "verbose"]), 1, Alone::Nothing, &[]),
    ("numactl", Spec::new("CNmpiP", &["physcpubind=", "cpunodebind=", "membind=", "preferred=", "interleave=", "preferred-many="]), 0, Alone::Nothing, &[]),
    ("unshare", Spec::new("SGRw", &[
        "map-user=", "map-group=", "map-users=", "map-groups=", "setgroups=", "propagation=",
        "setuid=", "setgid=", "root=", "wd=", "monotonic=", "boottime=", "mount?", "uts?", "ipc?",
        "net?", "pid?", "user?", "cgroup?", "time?", "kill-child?", "mount-proc?", "fork",
        "map-root-user", "map-current-user", "keep-caps",
    ]), 0, Alone::Shell, &[
        ("-R", "runs the programs found under another root, not the system's"),
        ("--root", "runs the programs found under another root, not the system's"),
    ]),
    ("nsenter", Spec::new("tSG", &[
        "target=", "setuid=", "setgid=", "root?", "wd?", "mount?", "uts?", "ipc?", "net?", "pid?",
        "user?", "cgroup?", "time?", "all", "preserve-credentials", "env", "no-fork",
        "follow-context", "join-cgroup", "user-parent",
    ]), 0, Alone::Shell, &[
        ("-r", "runs the programs found under another root, not the system's"),
        ("--root", "runs the programs found under another root, not the system's"),
        ("-m", "enters another mount namespace, whose programs are not the system's"),
        ("--mount", "enters another mount namespace, whose programs are not the system's"),
        ("-a", "enters every namespace of another process, whose programs are not the system's"),
        ("--all", "enters every namespace of another process, whose programs are not the system's"),
    ]),
    ("systemd-run", Spec::new("upEHMC", &[
        "unit=", "property=", "description=", "slice=", "slice-inherit", "uid=", "gid=", "nice=",
        "setenv=", "host=", "machine=", "working-directory=", "service-type=", "path-property=",
        "socket-property=", "timer-property=", "on-active=", "on-boot=", "on-startup=",
        "on-unit-active=", "on-unit-inactive=", "on-calendar=", "on-clock-change",
        "on-timezone-change", "pty", "pipe", "quiet", "collect", "shell", "user", "system",
        "scope", "remain-after-exit", "wait", "same-dir", "send-sighup", "expand-environment=",
        "no-block", "no-ask-password", "json=", "job-mode=",
    ]), 0, Alone::Nothing, &[
        ("-p", "sets unit properties, which may run other commands (`ExecStartPre=`)"),
        ("--property", "sets unit properties, which may run other commands (`ExecStartPre=`)"),
        ("--path-property", "makes a path unit that starts the command later"),
        ("--socket-property", "makes a socket unit that starts the command later"),
        ("--timer-property", "makes a timer that runs the command later"),
        ("-E", "sets the command's environment"),
        ("--setenv", "sets the command's environment"),
        ("--on-active", "runs the command later, from a timer"),
        ("--on-boot", "runs the command later, from a timer"),
        ("--on-startup", "runs the command later, from a timer"),
        ("--on-unit-active", "runs the command later, from a timer"),
        ("--on-unit-inactive", "runs the command later, from a timer"),
        ("--on-calendar", "runs the command later, from a timer"),
        ("--on-clock-change", "runs the command later, from a timer"),
        ("--on-timezone-change", "runs the command later, from a timer"),
    ]),
];

/// The wrappers of [`SIMPLE`].
pub(super) fn simple(name: &str, args: &[Word]) -> Option<Wrapped> {
    let (_, spec, skip, when_alone, writes) = SIMPLE.iter().find(|w| w.0 == name)?;
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
    let p = parse(args, &spec.posix());
    // `strace -e inject=...`: the qualifier form of `--inject`.
    let injects = name == "strace"
        && p.opts.iter().any(|o| {
            o.name == "-e"
                && o.value
                    .as_deref()
                    .is_some_and(|v| v.starts_with("inject") || v.starts_with("fault"))
        });
    if let Some((o, what)) = writes.iter().find(|(o, _)| p.has(&[o])) {
        wrapped.own = unknown(format!("`{name} {o}` {what}"));
    } else if injects {
        wrapped.own = unknown("`strace -e inject=` makes system calls fail or return what it says");
    } else if let Some(o) = p.strange.first() {
        wrapped.own = unknown(format!("`{name} {o}`: an option opsguard does not know"));
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

/// `chroot DIR CMD`; without a command, a shell. The programs it runs are
/// the ones under DIR, not the system's, unless DIR is `/`.
pub(super) fn chroot(args: &[Word]) -> Option<Wrapped> {
    let p = parse(
        args,
        &Spec::new("", &["userspec=", "groups=", "skip-chdir"]).posix(),
    );
    let inner = match p.operand_at.get(1) {
        Some(&at) => Inner::Words(at),
        None => Inner::Stdin,
    };
    let root = p.operand(0);
    let own = if root == "/" && !p.dynamic {
        Judgement::Safe
    } else {
        unknown(format!(
            "`chroot {root}` runs the programs found under `{root}`, not the system's"
        ))
    };
    Some(Wrapped {
        inner: vec![inner],
        own,
    })
}

/// `lvm CMD ARGS` runs an LVM command; `lvm FILE` runs a script of them
/// and `lvm` alone reads them from its input, as a shell would.
pub(super) fn lvm(args: &[Word]) -> Option<Wrapped> {
    match args.first() {
        None => wrapped(vec![Inner::Stdin]),
        Some(w) if w.fixed() && !w.text.contains('/') && !w.text.starts_with('-') => {
            wrapped(vec![Inner::Words(0)])
        }
        Some(w) => wrapped(vec![Inner::File(w.text.clone())]),
    }
}

/// `valgrind`, `firejail`: with no option, the command as it is; their
/// options (log files, tools that write profiles, sandbox profiles) are
/// not read.
pub(super) fn options_unread(name: &str, args: &[Word]) -> Option<Wrapped> {
    let p = parse(args, &Spec::new("", &[]).posix());
    let own = match p.opts.first() {
        Some(o) => unknown(format!(
            "`{name} {}`: options opsguard does not read",
            o.name
        )),
        None if p.dynamic => unknown(format!("`{name}` has words only known when the shell runs")),
        None => Judgement::Safe,
    };
    match p.operand_at.first() {
        Some(&at) => Some(Wrapped {
            inner: vec![Inner::Words(at)],
            own,
        }),
        None => alone(own),
    }
}

/// `perf stat CMD`, `perf trace CMD` measure a command; `perf record`
/// also writes `perf.data`; `perf report`, `perf list` only read. Each
/// subcommand reads its own options (`-c` is a flag to `stat`).
pub(super) fn perf(args: &[Word]) -> Option<Wrapped> {
    let sub = args.first().map_or("", |w| w.text.as_str());
    let rest = &args[1.min(args.len())..];
    let spec = match sub {
        "stat" => Spec::new(
            "eoptCGrxIMD",
            &[
                "event=", "output=", "pid=", "tid=", "cpu=", "cgroup=", "repeat=",
                "field-separator=", "interval-print=", "metrics=", "delay=", "append", "all-cpus",
                "no-inherit", "scale", "detailed", "transaction", "verbose", "quiet", "no-aggr",
                "per-socket", "per-core", "per-thread", "big-num", "help",
            ],
        ),
        "trace" => Spec::new(
            "eoptuCm",
            &[
                "event=", "output=", "pid=", "tid=", "uid=", "cpu=", "mmap-pages=", "duration=",
                "pf?", "append", "all-cpus", "no-inherit", "summary", "summary-only", "time",
                "verbose", "help",
            ],
        ),
        _ => Spec::new("i", &["input=", "stdio", "sort=", "header"]),
    }
    .posix();
    let p = parse(rest, &spec);
    let own = match sub {
        "stat" | "trace" if p.has(&["-o", "--output", "--append"]) => {
            unknown(format!("`perf {sub} -o` writes its report to a file"))
        }
        "stat" | "trace" => match p.strange.first() {
            Some(o) => unknown(format!(
                "`perf {sub} {o}`: an option opsguard does not know"
            )),
            None => Judgement::Safe,
        },
        "record" => unknown("`perf record` writes `perf.data` (or the file given)"),
        "list" | "version" | "help" => return alone(Judgement::Safe),
        // `script -s` runs a script, `annotate --objdump` a program.
        "report" | "top" | "annotate" | "script" => {
            return alone(only_options(
                &format!("perf {sub}"),
                &p,
                &["-i", "--input", "--stdio", "--sort", "--header"],
            ));
        }
        _ => unknown(format!(
            "`perf {sub}` is not a form opsguard knows to be read-only"
        )),
    };
    match p.operand_at.first() {
        Some(&at) => Some(Wrapped {
            inner: vec![Inner::Words(at + 1)],
            own,
        }),
        None => alone(own),
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
        // `-i[R]`, `-l[N]` and `-e[EOF]` take a value only joined to them.
        "adEILnPs",
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

/// `ip [OPTIONS] netns exec NAME CMD` (`ip -all netns exec CMD`: in every
/// namespace) and `ip vrf exec NAME CMD`. Objects and verbs may be
/// abbreviated (`ip net e`, `ip vr e`). Any other `ip` command is no
/// wrapper.
pub(super) fn ip_netns_exec(args: &[Word]) -> Option<Wrapped> {
    let mut i = 0;
    let mut all = false;
    while let Some(t) = args.get(i).map(|w| w.text.as_str()) {
        if !t.starts_with('-') {
            break;
        }
        let bare = t.trim_start_matches('-');
        // Any prefix of `-all` is `-all`: no earlier option starts with `a`.
        all |= !bare.is_empty() && "all".starts_with(bare);
        // Options that take a value.
        let valued = [
            "n", "netns", "b", "batch", "rc", "rcvbuf", "l", "loops", "f", "family",
        ];
        i += if valued.contains(&bare) { 2 } else { 1 };
    }
    let word = |n: usize| args.get(n).map_or("", |w| w.text.as_str());
    let is = |w: &str, full: &str| !w.is_empty() && full.starts_with(w);
    // `ip n` and `ip ne` are `ip neighbour`; `ip net` on is `netns`.
    let netns = word(i).len() >= 3 && is(word(i), "netns");
    if !(netns || is(word(i), "vrf")) || !is(word(i + 1), "exec") {
        return None;
    }
    let at = if all && netns { i + 2 } else { i + 3 };
    wrapped(vec![Inner::Words(at.min(args.len()))])
}
