//! Commands that run other commands: where, among their arguments, the
//! inner command starts, and what the wrapper does on its own.
//!
//! Each wrapper's options are parsed as it parses them, so an option's
//! value is never taken for the command (`sudo -u backup rm -rf x`: the
//! command is `rm`, not `backup`; `bash -o errexit -c 'reboot'`: the
//! script is `reboot`). A wrapper that runs a shell on its input (`sudo -s`,
//! `ssh host`, `bash`) runs [`Inner::Stdin`]; one that runs a script file
//! runs [`Inner::File`], which opsguard cannot see into.

mod login;
mod runners;

use super::args::{Spec, parse};
use super::lexer::Word;
use super::tools::Judgement;

pub enum Inner {
    /// The inner command is `args[n..]`.
    Words(usize),
    /// The inner command is `args[a..b]` (find -exec ... ;).
    Range(usize, usize),
    /// The inner command is `args[n..]` plus arguments read from stdin
    /// (`xargs`): words only known at run time.
    WordsAndInput(usize),
    /// A script given as one string (`sh -c '...'`, `ssh host '...'`).
    Script(String),
    /// The command runs what is fed to its stdin (`bash <<EOF`).
    Stdin,
    /// The command runs a script file (`bash x.sh`, `source x`).
    File(String),
}

pub struct Wrapped {
    pub inner: Vec<Inner>,
    /// What the wrapper itself does, besides running the inner command.
    pub own: Judgement,
}

fn wrapped(inner: Vec<Inner>) -> Option<Wrapped> {
    Some(Wrapped {
        inner,
        own: Judgement::Safe,
    })
}

/// The wrapper with no inner command: what it does on its own.
fn alone(own: Judgement) -> Option<Wrapped> {
    Some(Wrapped { inner: vec![], own })
}

/// The inner command at operand `skip` (after a priority, a mask, a
/// duration), or the wrapper alone when there is none.
fn at_operand(args: &[Word], spec: &Spec, skip: usize, own: Judgement) -> Option<Wrapped> {
    let p = parse(args, &spec.posix());
    match p.operand_at.get(skip) {
        Some(&at) => wrapped(vec![Inner::Words(at)]),
        None => alone(own),
    }
}

fn joined(args: &[Word]) -> String {
    args.iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where `name` (a wrapper) starts the command it runs, and what it does on
/// its own; `None` when `name` runs no other command.
pub fn inner(name: &str, args: &[Word]) -> Option<Wrapped> {
    if let Some(w) = runners::simple(name, args) {
        return Some(w);
    }
    match name {
        "sudo" | "doas" | "pkexec" | "run0" => login::sudo(name, args),
        "su" | "runuser" => login::su(name, args),
        "env" => login::env(args),
        "ssh" => login::ssh(args),
        "nice" => runners::nice(args),
        "ionice" | "chrt" | "taskset" => runners::priority(name, args),
        "command" => runners::command(args),
        "chroot" => runners::chroot(args),
        "lvm" => runners::lvm(args),
        "perf" => runners::perf(args),
        "valgrind" | "firejail" => runners::options_unread(name, args),
        "flock" => runners::flock(args),
        "xargs" => runners::xargs(args),
        "watch" => runners::watch(args),
        "trap" => runners::trap(args),
        "eval" => wrapped(vec![Inner::Script(joined(args))]),
        "source" | "." => match args.first() {
            Some(file) => wrapped(vec![Inner::File(file.text.clone())]),
            None => alone(Judgement::Safe),
        },
        "find" => super::find::find(args),
        "ip" => runners::ip_netns_exec(args),
        shell if login::SHELLS.contains(&shell) => Some(login::shell(shell, args)),
        _ => None,
    }
}
