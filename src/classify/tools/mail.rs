//! Mail servers: Postfix (`postsuper -d`, `postfix stop`, `postqueue -p`),
//! Dovecot (`doveadm expunge`, `doveadm who`, `dovecot stop`) and Exim
//! (`exim -Mrm`, `exim -bp`). Deleting queued or stored mail and stopping
//! the daemons are destructive; listing, searching and printing the
//! configuration are read-only.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "postfix" => {
            let p = parse(args, &Spec::new("c", &[]));
            match p.operand(0) {
                "status" | "check" if !p.dynamic => Judgement::Safe,
                a @ ("stop" | "abort") => {
                    destroys("mail.stop", format!("`postfix {a}` stops the mail system"))
                }
                a => unknown(format!("`postfix {a}` controls the mail system")),
            }
        }
        "postqueue" => {
            let p = parse(args, &Spec::new("cis", &[]));
            if p.only(&["-p", "-j", "-c", "-v"]) && p.has(&["-p", "-j"]) {
                Judgement::Safe
            } else {
                unknown("`postqueue -f`/`-i`/`-s` flushes the queue")
            }
        }
        "postsuper" => {
            let p = parse(args, &Spec::new("cdHhr", &[]));
            if let Some(o) = p.get(&["-d"]) {
                let what = o.value.as_deref().unwrap_or("");
                destroys(
                    "mail.queue",
                    format!("`postsuper -d {what}` deletes queued mail"),
                )
            } else {
                unknown("`postsuper` holds, requeues or repairs queued mail")
            }
        }
        "postconf" => {
            let p = parse(args, &Spec::new("coT", &[]));
            if p.has(&["-e", "-#", "-X"]) || p.operands.iter().any(|o| o.contains('=')) || p.dynamic
            {
                unknown("`postconf -e`/`NAME=VALUE` edits main.cf or master.cf")
            } else {
                Judgement::Safe
            }
        }
        "postmap" | "postalias" => {
            let p = parse(args, &Spec::new("cqdNo", &[]));
            if (p.has(&["-q"]) || p.has(&["-s"])) && !p.has(&["-d"]) && !p.dynamic {
                Judgement::Safe
            } else if p.has(&["-d"]) {
                unknown(format!("`{name} -d` deletes entries from the table"))
            } else {
                unknown(format!("`{name}` rebuilds the lookup table"))
            }
        }
        // The last `-b` mode given is the one sendmail runs.
        "sendmail" => match args.iter().rev().find(|w| w.text.starts_with("-b")) {
            Some(w) if w.text == "-bp" && args.iter().all(|w| w.fixed()) => Judgement::Safe,
            _ => return None,
        },
        "exim" | "exim4" => exim(name, args),
        "dovecot" => {
            let p = parse(
                args,
                &Spec::new("c", &["version", "build-options", "hostdomain"]),
            );
            if p.operands.is_empty()
                && p.only(&[
                    "-n", "-a", "--version", "--build-options", "--hostdomain", "-c",
                ])
                && !p.opts.is_empty()
            {
                Judgement::Safe
            } else {
                match p.operand(0) {
                    "stop" => destroys("mail.stop", "`dovecot stop` stops the IMAP/POP server"),
                    a => unknown(format!("`dovecot {a}` starts or reloads the server")),
                }
            }
        }
        "doveadm" => DOVEADM.judge(args),
        _ => return None,
    })
}

fn exim(name: &str, args: &[Word]) -> Judgement {
    // Exim's options are whole words (`-bp`, `-Mrm`), never bundles; each
    // is judged, not only the first.
    let options: Vec<&str> = args
        .iter()
        .map(|w| w.text.as_str())
        .filter(|t| t.starts_with('-'))
        .collect();
    if options.len() > 1 {
        return unknown(format!(
            "`{name} {}`: more than one option, not a form opsguard knows",
            options.join(" ")
        ));
    }
    match options.first().copied() {
        Some(o @ ("-Mrm" | "-Mg" | "-Mmad")) => destroys(
            "mail.queue",
            format!("`{name} {o}` removes or bounces queued messages"),
        ),
        Some(
            // Not `-be`: string expansion runs `${run{...}}`, and `-bh`
            // fakes an SMTP session that logs and may deliver.
            "-bp" | "-bpc" | "-bpr" | "-bpa" | "-bpu" | "-bt" | "-bV" | "-bP" | "-Mvh" | "-Mvb"
            | "-Mvl" | "-Mvc" | "-brw" | "-brt" | "-bv",
        ) => {
            if args.iter().any(|w| w.dynamic) {
                unknown(format!("`{name}` has words only known when the shell runs"))
            } else {
                Judgement::Safe
            }
        }
        Some(o) => unknown(format!(
            "`{name} {o}` delivers, freezes or changes queued mail"
        )),
        None => unknown(format!("`{name}` without options sends mail")),
    }
}

const DOVEADM: Commands = Commands {
    tool: "doveadm",
    spec: Spec::new("fociuSFxIOa", &["socket-path="]),
    safe: &[
        "", "who", "user", "mailbox list", "mailbox status", "mailbox metadata get",
        "mailbox metadata list", "quota get", "fetch", "search", "log find", "log errors",
        "director status", "director map", "stats dump", "oldstats dump", "penalty",
        "replicator status", "replicator dsync-status", "dict get", "dict iter", "acl get",
        "acl rights", "acl debug", "acl my-rights", "service status", "process status",
        "instance list", "indexer list", "dump", "help", "config", "pw", "auth test",
        "auth lookup", "proxy list", "fs get", "fs stat", "fs metadata", "fs iter", "fs iter-dirs",
        "sieve list", "sieve get", "mailbox cache get",
    ],
    destructive: &[
        ("expunge", "mail.doveadm", "deletes the messages"),
        (
            "purge", "mail.doveadm", "deletes expunged messages for good",
        ),
        (
            "mailbox delete", "mail.doveadm", "deletes the mailboxes and their mail",
        ),
        ("deduplicate", "mail.doveadm", "expunges duplicate messages"),
        (
            "backup",
            "mail.doveadm",
            "makes the destination an exact copy, deleting what the source lacks",
        ),
        ("fs delete", "mail.doveadm", "deletes the files"),
        ("kick", "mail.doveadm", "disconnects the users' sessions"),
        ("sieve delete", "mail.doveadm", "deletes the Sieve scripts"),
        (
            "mailbox cache purge", "mail.doveadm", "purges the mailbox cache",
        ),
    ],
    writes: &[],
};
