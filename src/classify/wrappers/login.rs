//! Wrappers that run a command as another user, elsewhere or in a shell:
//! `sudo`, `su`, `env`, `ssh`, and the shells themselves. What they run
//! may be words, a script string, their stdin, or a file.

use super::{Inner, Wrapped, alone, joined, wrapped};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;
use crate::classify::tools::{Judgement, destroys, unknown};
use crate::classify::vars::assignment_doubt;

pub(super) const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "pdksh", "yash", "busybox-sh", "fish",
    "tcsh", "csh", "rbash",
];

const SUDO: Spec = Spec::new(
    "aCcDgpRrTtUu",
    &[
        "askpass", "auth-type=", "background", "bell", "close-from=", "login-class=", "chdir=",
        "preserve-env?", "edit", "group=", "set-home", "help", "host=", "login",
        "remove-timestamp", "reset-timestamp", "list", "non-interactive", "preserve-groups",
        "prompt=", "chroot=", "role=", "stdin", "shell", "type=", "command-timeout=",
        "other-user=", "user=", "version", "validate",
    ],
);

pub(super) fn sudo(name: &str, args: &[Word]) -> Option<Wrapped> {
    let spec = match name {
        "doas" => Spec::new("aCu", &[]),
        "pkexec" => Spec::new(
            "",
            &[
                "user=", "disable-internal-agent", "keep-cwd", "help", "version",
            ],
        ),
        "run0" => Spec::new(
            "uDg",
            &[
                "user=", "group=", "chdir=", "setenv=", "property=", "description=", "slice=",
                "nice=", "unit=", "background=", "machine=", "no-ask-password",
            ],
        ),
        _ => SUDO,
    };
    let p = parse(args, &spec.posix());
    // Another root, another environment, other unit settings: the
    // programs that run are not the ones judged.
    let changes = match name {
        "sudo" => &["-R", "--chroot"][..],
        "run0" => &["--setenv", "--property", "-D", "--chdir"][..],
        _ => &[][..],
    };
    if let Some(o) = p.opts.iter().find(|o| changes.contains(&o.name.as_str())) {
        let inner = p
            .operand_at
            .first()
            .map(|&at| Inner::Words(at))
            .into_iter()
            .collect();
        return Some(Wrapped {
            inner,
            own: unknown(format!(
                "`{name} {}` changes the root, the environment or the unit the command runs in",
                o.name
            )),
        });
    }
    if p.has(&["-e", "--edit"]) && name == "sudo" {
        return Some(Wrapped {
            inner: vec![],
            own: unknown("`sudo -e` edits files"),
        });
    }
    if let Some(&at) = p.operand_at.first() {
        return wrapped(vec![Inner::Words(at)]);
    }
    // No command: a shell on stdin with -s/-i, else a listing or nothing.
    if p.has(&["-s", "--shell", "-i", "--login"]) || name == "doas" && p.has(&["-s"]) {
        return wrapped(vec![Inner::Stdin]);
    }
    alone(Judgement::Safe)
}

pub(super) fn su(name: &str, args: &[Word]) -> Option<Wrapped> {
    let p = parse(
        args,
        &Spec::new(
            "csgGwu",
            &[
                "command=", "session-command=", "shell=", "group=", "supp-group=",
                "whitelist-environment=", "user=", "login", "preserve-environment", "pty", "fast",
                "help", "version",
            ],
        ),
    );
    if let Some(script) = p.value(&["-c", "--command", "--session-command"]) {
        return wrapped(vec![Inner::Script(script.to_string())]);
    }
    // `runuser -u USER -- CMD`: the command after the options.
    if name == "runuser"
        && p.has(&["-u", "--user"])
        && let Some(&at) = p.operand_at.first()
    {
        return wrapped(vec![Inner::Words(at)]);
    }
    wrapped(vec![Inner::Stdin])
}

/// `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]... COMMAND`
pub(super) fn env(args: &[Word]) -> Option<Wrapped> {
    let p = parse(
        args,
        &Spec::new(
            "uCS",
            &[
                "unset=", "chdir=", "split-string=", "ignore-environment", "null",
                "default-signal?", "ignore-signal?", "block-signal?", "list-signal-handling",
                "debug", "help", "version",
            ],
        )
        .posix(),
    );
    if let Some(s) = p.value(&["-S", "--split-string"]) {
        let mut script = s.to_string();
        for o in &p.operands {
            script.push(' ');
            script.push_str(o);
        }
        return wrapped(vec![Inner::Script(script)]);
    }
    let first = p
        .operand_at
        .iter()
        .copied()
        .find(|&i| !crate::classify::is_assignment(&args[i]));
    // `env NAME=VALUE CMD`: the same environment rules as `NAME=VALUE CMD`.
    let doubt = p
        .operand_at
        .iter()
        .take_while(|&&i| Some(i) != first)
        .find_map(|&i| assignment_doubt(&args[i], true));
    let own = doubt.map_or(Judgement::Safe, |why| unknown(format!("`env`: {why}")));
    match first {
        Some(at) => Some(Wrapped {
            inner: vec![Inner::Words(at)],
            own,
        }),
        None => Some(Wrapped { inner: vec![], own }),
    }
}

/// OpenSSH reads options before and after the destination; the command is
/// what follows, joined as one shell line.
pub(super) fn ssh(args: &[Word]) -> Option<Wrapped> {
    let spec = Spec::new("BbcDEeFIiJLlmOoPpQRSWw", &[]).posix();
    let p = parse(args, &spec);
    let Some(&host) = p.operand_at.first() else {
        return Some(Wrapped {
            inner: vec![],
            own: Judgement::Safe,
        });
    };
    let rest = parse(&args[host + 1..], &spec);
    if p.has(&["-N"]) || rest.has(&["-N"]) {
        return Some(Wrapped {
            inner: vec![],
            own: unknown("`ssh -N` forwards ports"),
        });
    }
    let own = ssh_options(p.opts.iter().chain(&rest.opts));
    let inner = match rest.operand_at.first() {
        Some(&at) => Inner::Script(joined(&args[host + 1 + at..])),
        None => Inner::Stdin,
    };
    Some(Wrapped {
        inner: vec![inner],
        own,
    })
}

/// `-o` settings that only choose how to connect and authenticate. Others
/// may run local commands (`ProxyCommand`, `LocalCommand`,
/// `KnownHostsCommand`), set the remote environment, or write files.
const SSH_SETTINGS: &[&str] = &[
    "addressfamily", "batchmode", "bindaddress", "checkhostip", "ciphers", "compression",
    "connectionattempts", "connecttimeout", "escapechar", "exitonforwardfailure",
    "fingerprinthash", "forwardagent", "globalknownhostsfile", "gssapiauthentication",
    "hashknownhosts", "hostbasedauthentication", "hostkeyalgorithms", "hostkeyalias", "hostname",
    "identitiesonly", "identityfile", "ipqos", "kbdinteractiveauthentication", "kexalgorithms",
    "loglevel", "macs", "numberofpasswordprompts", "passwordauthentication", "port",
    "preferredauthentications", "proxyjump", "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes",
    "pubkeyauthentication", "requesttty", "serveraliveinterval", "serveralivecountmax",
    "stricthostkeychecking", "tcpkeepalive", "user", "userknownhostsfile", "visualhostkey",
    "certificatefile", "controlmaster", "controlpath", "clearallforwardings", "stdinnull",
];

/// What ssh's own options do: `-F` reads a configuration that may run
/// commands, `-E` appends its log to a file, `-f` leaves it running in the
/// background, and `-o` is known only for [`SSH_SETTINGS`].
fn ssh_options<'a>(opts: impl Iterator<Item = &'a crate::classify::args::Opt>) -> Judgement {
    for o in opts {
        let value = o.value.as_deref().unwrap_or("");
        match o.name.as_str() {
            "-F" => {
                return unknown(format!(
                    "`ssh -F {value}` reads a configuration that may run local commands"
                ));
            }
            "-E" => return unknown(format!("`ssh -E {value}` appends its log to the file")),
            "-f" => {
                return unknown("`ssh -f` goes to the background, where opsguard cannot stop it");
            }
            "-L" | "-R" | "-D" | "-W" => {
                return unknown(format!(
                    "`ssh {} {value}` forwards a port or a connection while it runs",
                    o.name
                ));
            }
            "-o" => {
                let key = value
                    .split(|c: char| c == '=' || c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !SSH_SETTINGS.contains(&key.as_str()) {
                    return unknown(format!(
                        "`ssh -o {value}`: a setting opsguard does not know (some run local commands)"
                    ));
                }
            }
            _ => {}
        }
    }
    Judgement::Safe
}

/// Shells whose quoting and expansion differ from bash's (`zsh`'s `${(e)x}`,
/// `fish`'s `\'` inside quotes): opsguard reads scripts as bash does, so
/// theirs are not known.
const OTHER_GRAMMAR: &[&str] = &["zsh", "fish", "tcsh", "csh"];

/// `sh -c SCRIPT`, `bash -o errexit -c SCRIPT`; `bash -s` or `bash` alone
/// runs its stdin; `bash file.sh` runs a file.
pub(super) fn shell(name: &str, args: &[Word]) -> Wrapped {
    if OTHER_GRAMMAR.contains(&name) {
        return Wrapped {
            inner: vec![],
            own: unknown(format!(
                "`{name}` reads its script by rules of its own, not bash's"
            )),
        };
    }
    let mut w = shell_script(args);
    // `--rcfile F`, `--init-file F`: a file run first (by interactive shells).
    if let Some(at) = args
        .iter()
        .position(|w| matches!(w.text.as_str(), "--rcfile" | "--init-file"))
    {
        let file = args.get(at + 1).map_or("", |w| w.text.as_str());
        w.own = unknown(format!("`{name}` reads the startup file `{file}`"));
    }
    w
}

fn shell_script(args: &[Word]) -> Wrapped {
    let mut c = false;
    let mut s = false;
    let mut noexec = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if matches!(t, "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file") {
            i += 2;
            continue;
        }
        if t.starts_with("--") {
            i += 1;
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            c |= t.starts_with('-') && t[1..].contains('c');
            s |= t.starts_with('-') && t[1..].contains('s');
            noexec |= t.starts_with('-') && t[1..].contains('n');
            i += 1;
            continue;
        }
        break;
    }
    // `-n`: read, never run (a syntax check).
    if noexec {
        return Wrapped {
            inner: vec![],
            own: Judgement::Safe,
        };
    }
    // `-s`: the script is stdin, the operands are its parameters; with
    // `-c` too, the string is the script (`bash -sc 'CMD'`).
    let inner = match (c, args.get(i).filter(|_| c || !s)) {
        (true, Some(script)) if script.fixed() => Inner::Script(script.text.clone()),
        (true, Some(script)) => {
            return Wrapped {
                inner: vec![],
                own: destroys(
                    "shell.dynamic",
                    format!(
                        "the script `{}` is only known when the shell runs; treated as destructive",
                        script.text
                    ),
                ),
            };
        }
        (true, None) => {
            return Wrapped {
                inner: vec![],
                own: Judgement::Safe,
            };
        }
        (false, Some(file)) => Inner::File(file.text.clone()),
        (false, None) => Inner::Stdin,
    };
    Wrapped {
        inner: vec![inner],
        own: Judgement::Safe,
    }
}
