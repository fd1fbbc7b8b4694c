//! What each command reads besides its arguments, for the ENVIRONMENT
//! and FILES sections of its page: the one place that says which
//! command touches the inventory, the audit log, the hosts' locks and the
//! workstation's state. The variables clap itself reads (`env`
//! attributes) come from the arguments; the others are listed here, as
//! docs/ describes them.

/// Something a command reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    Inventory,
    AuditLog,
    /// SSH hosts: the OpenSSH client's files and agent.
    Ssh,
    Locks,
    /// The registry of running sessions on this workstation.
    Sessions,
    History,
    Signers,
    /// The completion protocol of `opsguard completions`.
    Completion,
}

use Reads::*;

const EVERYTHING: &[Reads] = &[
    Inventory, AuditLog, Ssh, Locks, Sessions, History, Signers, Completion,
];

/// What the command at `path` (its names below `opsguard`) reads. A
/// command this table does not know is said to read everything: a page
/// that lists too much is wrong in a way a reader notices.
pub fn of(path: &[&str]) -> &'static [Reads] {
    match path {
        ["hosts" | "plan" | "validate" | "classify", ..] => &[Inventory],
        ["approve", ..] | ["audit", ..] => &[Inventory, AuditLog],
        ["exec", ..] => &[Inventory, AuditLog, Ssh, Locks, Sessions],
        ["run", ..] => &[Inventory, AuditLog, Ssh, Locks, Sessions, Signers],
        ["shell", ..] => &[Inventory, AuditLog, Ssh, Locks, Sessions, History],
        ["lock", "status"] => &[Inventory, Ssh, Locks],
        ["lock", ..] => &[Inventory, AuditLog, Ssh, Locks],
        ["completions", ..] => &[Inventory, AuditLog, Completion],
        ["man" | "schema" | "import", ..] => &[],
        _ => EVERYTHING,
    }
}

/// What a clap argument with an `env` stands for: the variable is listed
/// where the command reads that. Other arguments' variables are always
/// listed.
pub fn of_arg(id: &str) -> Option<Reads> {
    match id {
        "inventory" => Some(Inventory),
        "audit_log" => Some(AuditLog),
        _ => None,
    }
}

/// A variable or a file, what it is for, and what reading makes it
/// matter. Text in backticks is set in bold.
pub struct Entry {
    pub name: &'static str,
    pub text: &'static str,
    pub when: &'static [Reads],
}

/// The variables clap does not read itself (`--color`'s are on every
/// page: see [`COLOR`]).
pub const ENVIRONMENT: &[Entry] = &[
    Entry {
        name: "XDG_STATE_HOME",
        text: "opsguard's state folder is `$XDG_STATE_HOME/opsguard`: the default audit log \
(`audit.jsonl`), the session registry (`sessions/`) and the shell's history (`history/`).",
        when: &[AuditLog, Sessions, History],
    },
    Entry {
        name: "HOME",
        text: "Without `XDG_STATE_HOME`, the state folder is `~/.local/state/opsguard`; `~` in \
the inventory's paths is this folder too.",
        when: &[AuditLog, Sessions, History, Ssh],
    },
    Entry {
        name: "PGPASSWORD, PGPASSFILE",
        text: "The password of a `postgresql://` audit log (a URL never holds one), else the \
password file (`~/.pgpass`).",
        when: &[AuditLog],
    },
    Entry {
        name: "SSH_AUTH_SOCK",
        text: "The ssh-agent whose identities log in to SSH hosts, tried before the identity \
files.",
        when: &[Ssh],
    },
    Entry {
        name: "XDG_RUNTIME_DIR",
        text: "Hosts with `connection: openssh` keep their control sockets in \
`$XDG_RUNTIME_DIR/opsguard-ssh` when that path is short enough.",
        when: &[Ssh],
    },
    Entry {
        name: "COMPLETE",
        text: "Set by the completion script to the shell's name (`bash`, `zsh`, `fish`, \
`elvish`, `powershell`): opsguard prints the candidates for the words after `--` instead of \
running a command.",
        when: &[Completion],
    },
];

/// The variables of `--color`, which every command takes.
pub const COLOR: &[Entry] = &[
    Entry {
        name: "NO_COLOR",
        text: "Set and not empty: no colour with `--color auto`.",
        when: &[],
    },
    Entry {
        name: "CLICOLOR_FORCE",
        text: "Set and not `0`: colour with `--color auto`, also in a pipe.",
        when: &[],
    },
];

pub const FILES: &[Entry] = &[
    Entry {
        name: "./inventory",
        text: "The inventory when neither `-i` nor `OPSGUARD_INVENTORY` names one: a YAML \
file, or a folder whose `*.yaml` and `*.yml` files are merged.",
        when: &[Inventory],
    },
    Entry {
        name: "$XDG_STATE_HOME/opsguard/audit.jsonl",
        text: "The audit log when neither `--audit-log`, `OPSGUARD_AUDIT_LOG` nor the \
inventory's `settings.audit_log` names one (`~/.local/state/opsguard/audit.jsonl` without \
`XDG_STATE_HOME`). One JSON record per line, hash-chained.",
        when: &[AuditLog],
    },
    Entry {
        name: "~/.ssh/config, /etc/ssh/ssh_config",
        text: "The OpenSSH client configuration read for SSH hosts, unless \
`settings.ssh_config` names another file or `none`.",
        when: &[Ssh],
    },
    Entry {
        name: "~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts",
        text: "The host keys SSH hosts are checked against, unless the inventory names \
`known_hosts`.",
        when: &[Ssh],
    },
    Entry {
        name: "~/.ssh/id_ed25519",
        text: "The identity file after ssh-agent's, unless the inventory names \
`identity_files`.",
        when: &[Ssh],
    },
    Entry {
        name: "/run/lock/opsguard.lock",
        text: "On each host: the host lock (a folder with an `owner` file) taken for \
guarded work, unless `lock_dir` names another folder; `.opsguard.lock` in the `workdir` of \
a local host.",
        when: &[Locks],
    },
    Entry {
        name: "$XDG_STATE_HOME/opsguard/sessions/",
        text: "The running opsguard sessions of this user on this workstation, so a prompt \
can name the other consoles that are open.",
        when: &[Sessions],
    },
    Entry {
        name: "$XDG_STATE_HOME/opsguard/history/HOST",
        text: "The shell's line history, one file per host.",
        when: &[History],
    },
    Entry {
        name: "settings.allowed_signers",
        text: "Who may approve plans (OpenSSH's allowed_signers format, for example \
`/etc/opsguard/allowed_signers`); `run --plan` checks every approval against it.",
        when: &[Signers],
    },
];

/// The entries of `table` that matter to a command that reads `reads`.
pub fn relevant<'a>(table: &'a [Entry], reads: &[Reads]) -> Vec<&'a Entry> {
    table
        .iter()
        .filter(|e| e.when.iter().any(|w| reads.contains(w)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_commands_read() {
        let cases: &[(&[&str], &[Reads])] = &[
            (&["hosts"], &[Inventory]),
            (&["audit", "verify"], &[Inventory, AuditLog]),
            (&["lock", "status"], &[Inventory, Ssh, Locks]),
            (&["lock", "break"], &[Inventory, AuditLog, Ssh, Locks]),
            (&["schema"], &[]),
            (&[], EVERYTHING),
            (&["a-command-added-later"], EVERYTHING),
        ];
        for (path, reads) in cases {
            assert_eq!(of(path), *reads, "{path:?}");
        }
    }

    #[test]
    fn files_and_variables_follow_what_is_read() {
        let names = |e: Vec<&Entry>| e.iter().map(|e| e.name).collect::<Vec<_>>();
        assert_eq!(
            names(relevant(FILES, of(&["hosts"]))),
            ["./inventory"],
            "hosts reads the inventory and nothing else"
        );
        assert!(relevant(FILES, of(&["schema"])).is_empty());
        let shell = names(relevant(ENVIRONMENT, of(&["shell"])));
        assert!(shell.contains(&"SSH_AUTH_SOCK") && !shell.contains(&"COMPLETE"));
        assert_eq!(
            names(relevant(ENVIRONMENT, of(&["completions"])))[0],
            "XDG_STATE_HOME"
        );
    }
}
