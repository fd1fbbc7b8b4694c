//! Commands that run other commands: where, among their arguments, the
//! inner command starts.
//!
//! Options that take a value are listed so the value is not mistaken for
//! the command (`sudo -u backup rm -rf x`: the command is `rm`, not
//! `backup`).

use super::lexer::Word;

pub enum Inner {
    /// The inner command is `args[n..]`.
    Words(usize),
    /// The inner command is `args[a..b]` (find -exec ... ;).
    Range(usize, usize),
    /// A script given as one string (`sh -c '...'`, `ssh host '...'`).
    Script(String),
    /// The command runs what is fed to its stdin (`bash <<EOF`).
    Stdin,
}

/// Index of the first operand after options. `short` are single-letter
/// options that take a value, `long` long ones (which may also be given as
/// `--name=value`).
fn operand(args: &[Word], short: &str, long: &[&str]) -> usize {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            return i;
        }
        if let Some(name) = t.strip_prefix("--") {
            if !name.contains('=') && long.contains(&name) {
                i += 1;
            }
        } else {
            // -abc: a value-taking letter consumes the rest, or the next word.
            let letters: Vec<char> = t[1..].chars().collect();
            if let Some(pos) = letters.iter().position(|c| short.contains(*c))
                && pos == letters.len() - 1
            {
                i += 1;
            }
        }
        i += 1;
    }
    i
}

fn joined(args: &[Word]) -> String {
    args.iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox-sh", "fish",
];

pub fn inner(name: &str, args: &[Word]) -> Vec<Inner> {
    let words = |short: &str, long: &[&str]| vec![Inner::Words(operand(args, short, long))];
    match name {
        "sudo" => words(
            "ugGhpCDrtUTRB",
            &[
                "user", "group", "host", "prompt", "close-from", "chdir", "role", "type",
                "other-user", "command-timeout", "chroot",
            ],
        ),
        "doas" => words("uC", &[]),
        "nice" => {
            // `nice -5 cmd`, `nice -n 5 cmd`, `nice --adjustment=5 cmd`
            let start = args
                .iter()
                .position(|w| !w.text.starts_with('-') || w.text == "--")
                .unwrap_or(args.len());
            let start = if args
                .get(start.wrapping_sub(1))
                .is_some_and(|w| w.text == "-n")
                || args.get(start).is_some_and(|w| w.text == "--")
            {
                start + 1
            } else {
                start
            };
            vec![Inner::Words(start.min(args.len()))]
        }
        "ionice" => words("cnpPuRt", &["class", "classdata", "pid", "pgid", "uid"]),
        "nohup" | "exec" | "builtin" | "unbuffer" | "catchsegv" | "sg_persist_wrapper" => {
            words("", &[])
        }
        "command" => {
            if args.iter().any(|w| w.text == "-v" || w.text == "-V") {
                vec![]
            } else {
                words("", &[])
            }
        }
        "setsid" | "stdbuf" | "time" => words("ioe", &["input", "output", "error"]),
        "env" => env(args),
        "timeout" => {
            let start = operand(args, "sk", &["signal", "kill-after"]);
            vec![Inner::Words((start + 1).min(args.len()))]
        }
        "chrt" => {
            let start = operand(
                args,
                "T",
                &["sched-runtime", "sched-period", "sched-deadline"],
            );
            let skip = usize::from(!args.iter().any(|w| w.text == "-p" || w.text == "--pid"));
            vec![Inner::Words((start + skip).min(args.len()))]
        }
        "taskset" => {
            let start = operand(args, "", &[]);
            vec![Inner::Words((start + 1).min(args.len()))]
        }
        "chroot" => {
            let start = operand(args, "", &["userspec", "groups"]);
            vec![Inner::Words((start + 1).min(args.len()))]
        }
        "unshare" | "nsenter" => words(
            "tSGw",
            &[
                "target", "setuid", "setgid", "wd", "root", "mount", "uts", "ipc", "net", "pid",
                "user", "cgroup", "time",
            ],
        ),
        "systemd-run" => words(
            "upEHMC",
            &[
                "unit", "property", "description", "slice", "uid", "gid", "setenv", "host",
                "machine", "working-directory", "on-calendar", "on-active",
            ],
        ),
        "runuser" => match args
            .iter()
            .position(|w| w.text == "-c" || w.text == "--command")
        {
            Some(c) => script_at(args, c + 1),
            None => words(
                "ugGw",
                &["user", "group", "supp-group", "whitelist-environment"],
            ),
        },
        "su" => match args
            .iter()
            .position(|w| w.text == "-c" || w.text == "--command" || w.text == "--session-command")
        {
            Some(c) => script_at(args, c + 1),
            None => vec![],
        },
        "flock" => match args
            .iter()
            .position(|w| w.text == "-c" || w.text == "--command")
        {
            Some(c) => script_at(args, c + 1),
            None => {
                let start = operand(args, "wE", &["timeout", "conflict-exit-code"]);
                vec![Inner::Words((start + 1).min(args.len()))]
            }
        },
        "xargs" => words(
            "adEeIiLlnPs",
            &[
                "arg-file", "delimiter", "eof", "replace", "max-lines", "max-args", "max-procs",
                "max-chars", "process-slot-var",
            ],
        ),
        "watch" => {
            let start = operand(args, "nd", &["interval", "differences"]);
            vec![Inner::Script(joined(&args[start..]))]
        }
        "eval" => vec![Inner::Script(joined(args))],
        "ssh" => {
            let host = operand(args, "bcDEeFIiJLlmOopQRSWw", &[]);
            if host + 1 < args.len() {
                vec![Inner::Script(joined(&args[host + 1..]))]
            } else {
                vec![]
            }
        }
        "find" => find_exec(args),
        "busybox" => words("", &[]),
        "ip" if args.first().is_some_and(|w| w.text == "netns")
            && args.get(1).is_some_and(|w| w.text == "exec") =>
        {
            vec![Inner::Words(3.min(args.len()))]
        }
        shell if SHELLS.contains(&shell) => shell_script(args),
        _ => vec![],
    }
}

fn script_at(args: &[Word], i: usize) -> Vec<Inner> {
    args.get(i)
        .map(|w| vec![Inner::Script(w.text.clone())])
        .unwrap_or_default()
}

/// `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]... COMMAND`
fn env(args: &[Word]) -> Vec<Inner> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "-S" || t == "--split-string" {
            let rest = args.get(i + 1..).map(joined).unwrap_or_default();
            return vec![Inner::Script(rest)];
        }
        if matches!(t, "-u" | "--unset" | "-C" | "--chdir") {
            i += 2;
        } else if t == "--" {
            i += 1;
            break;
        } else if t.starts_with('-') || super::is_assignment(w) {
            i += 1;
        } else {
            break;
        }
    }
    while args.get(i).is_some_and(super::is_assignment) {
        i += 1;
    }
    vec![Inner::Words(i.min(args.len()))]
}

/// `sh -c SCRIPT`, `bash -ec SCRIPT`; `bash -s`/`bash` with a here-document
/// runs its stdin.
fn shell_script(args: &[Word]) -> Vec<Inner> {
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if t.starts_with('-') && !t.starts_with("--") && t[1..].contains('c') {
            // The script is the first operand after the options.
            let rest = &args[i + 1..];
            let at = rest
                .iter()
                .position(|w| !w.text.starts_with('-') || w.text == "-")
                .unwrap_or(rest.len());
            return script_at(rest, at);
        }
        if !t.starts_with('-') && !t.starts_with('+') {
            // `bash script.sh`: a file opsguard cannot see into.
            return vec![];
        }
    }
    vec![Inner::Stdin]
}

/// `find ... -exec CMD ARGS ;` (also `-execdir`, `-ok`, `-okdir`, `+`).
fn find_exec(args: &[Word]) -> Vec<Inner> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if matches!(
            args[i].text.as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) {
            let start = i + 1;
            let end = args[start..]
                .iter()
                .position(|w| w.text == ";" || w.text == "+")
                .map_or(args.len(), |p| start + p);
            out.push(Inner::Range(start, end));
            i = end;
        }
        i += 1;
    }
    out
}
