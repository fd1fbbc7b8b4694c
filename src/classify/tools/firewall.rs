//! Firewalls and connection tracking: flushing or deleting rules, a
//! default policy of DROP, replacing every rule at once, turning the
//! firewall off; and their listing forms (`iptables -nvL`, `nft list
//! ruleset`, `ufw status`).

use super::{Commands, Judgement, destroys, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "iptables" | "ip6tables" | "iptables-legacy" | "ip6tables-legacy" | "iptables-nft"
        | "ip6tables-nft" | "ebtables" | "arptables" => iptables(name, args),
        "iptables-save"
        | "ip6tables-save"
        | "iptables-legacy-save"
        | "ip6tables-legacy-save"
        | "iptables-nft-save"
        | "ip6tables-nft-save" => {
            // `-f FILE` writes the rules there; `-M PROGRAM` runs it to
            // load modules.
            let p = parse(
                args,
                &Spec::new(
                    "tMf",
                    &[
                        "counters", "dump", "table=", "modprobe=", "file=", "version", "help",
                    ],
                ),
            );
            only_options(
                name,
                &p,
                &[
                    "-c", "--counters", "-d", "--dump", "-t", "--table", "-V", "--version", "-h",
                    "--help",
                ],
            )
        }
        "iptables-restore"
        | "ip6tables-restore"
        | "iptables-legacy-restore"
        | "iptables-nft-restore" => {
            let p = parse(
                args,
                &Spec::new(
                    "MTW",
                    &[
                        "counters", "help", "noflush", "test", "verbose", "version", "wait?",
                        "wait-interval=", "modprobe=", "table=",
                    ],
                ),
            );
            if p.has(&["-t", "--test"]) {
                // `--test` only parses the rules; `-M PROGRAM` still runs
                // the program to load modules.
                only_options(
                    name,
                    &p,
                    &[
                        "-t", "--test", "-c", "--counters", "-n", "--noflush", "-v", "--verbose",
                        "-V", "--version", "-h", "--help", "-w", "--wait", "-W", "--wait-interval",
                        "-T", "--table",
                    ],
                )
            } else {
                destroys(
                    "net.firewall",
                    format!("`{name}` replaces every firewall rule at once"),
                )
            }
        }
        "nft" => nft(args),
        "ufw" => UFW.judge(args),
        "firewall-cmd" => firewall_cmd(args),
        "ipset" => ipset(args),
        "ipvsadm" => {
            let p = parse(
                args,
                &Spec::new(
                    "tuf",
                    &[
                        "tcp-service=", "udp-service=", "fwmark-service=", "list", "save",
                        "numeric", "stats", "rate", "connection", "exact", "clear",
                        "delete-service", "delete-server",
                    ],
                ),
            );
            if p.has(&[
                "-C", "--clear", "-D", "--delete-service", "-d", "--delete-server",
            ]) {
                destroys("net.firewall", "`ipvsadm -C`/`-D` removes virtual services")
            } else if p.only(&[
                "-L", "-l", "--list", "-n", "--numeric", "-S", "--save", "--stats", "--rate",
                "--connection", "-c", "--exact", "-t", "-u", "-f", "--tcp-service",
                "--udp-service",
            ]) && p.has(&["-L", "-l", "--list", "-S", "--save", "-c", "--connection"])
            {
                Judgement::Safe
            } else {
                unknown("`ipvsadm` changes virtual services")
            }
        }
        "conntrack" => {
            if args
                .iter()
                .any(|w| matches!(w.text.as_str(), "-F" | "--flush" | "-D" | "--delete"))
            {
                destroys(
                    "net.firewall", "`conntrack -F`/`-D` drops tracked connections",
                )
            } else if args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "-L" | "--dump"
                        | "-G"
                        | "--get"
                        | "-C"
                        | "--count"
                        | "-S"
                        | "--stats"
                        | "-E"
                        | "--event"
                )
            }) {
                Judgement::Safe
            } else {
                unknown("`conntrack` changes tracked connections")
            }
        }
        _ => return None,
    })
}

fn iptables(name: &str, args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "tpsdjgiomwWAIRNEPDcf",
            &[
                "table=", "protocol=", "source=", "destination=", "jump=", "goto=",
                "in-interface=", "out-interface=", "match=", "wait?", "wait-interval=", "append=",
                "insert=", "replace=", "new-chain=", "rename-chain=", "policy=", "delete=",
                "list?", "list-rules?", "flush?", "zero?", "delete-chain?", "check=", "numeric",
                "verbose", "line-numbers", "exact", "dport=", "sport=", "state=", "ctstate=",
                "comment=", "to-destination=", "to-source=", "to-ports=", "set-counters=", "help",
                "version",
            ],
        ),
    );
    if let Some(o) = p.get(&["-F", "--flush", "-X", "--delete-chain"]) {
        return destroys(
            "net.firewall",
            format!("`{name} {}` flushes or deletes firewall rules", o.name),
        );
    }
    if let Some(o) = p.get(&["-P", "--policy"]) {
        if p.operands
            .iter()
            .any(|t| matches!(t.as_str(), "DROP" | "REJECT"))
            || p.dynamic
        {
            return destroys(
                "net.firewall",
                format!(
                    "`{name} {} ... DROP` makes the chain drop everything not allowed",
                    o.name
                ),
            );
        }
        return unknown(format!("`{name} -P` changes a chain's policy"));
    }
    let reads = [
        "-L", "--list", "-S", "--list-rules", "-C", "--check", "-n", "--numeric", "-v",
        "--verbose", "-t", "--table", "-w", "--wait", "-W", "--wait-interval", "--line-numbers",
        "-x", "--exact", "-h", "--help", "-V", "--version",
    ];
    let judged_reads = p.has(&[
        "-L", "--list", "-S", "--list-rules", "-C", "--check", "-h", "--help", "-V", "--version",
    ]);
    if judged_reads && p.only(&reads) {
        return Judgement::Safe;
    }
    if p.opts.iter().any(|o| !reads.contains(&o.name.as_str()))
        && !p.has(&[
            "-A", "--append", "-I", "--insert", "-R", "--replace", "-D", "--delete", "-N",
            "--new-chain", "-E", "--rename-chain", "-Z", "--zero",
        ])
        && !judged_reads
    {
        return unknown(format!("`{name}` without a command opsguard knows"));
    }
    unknown(format!("`{name}` changes the firewall rules"))
}

fn nft(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "fIdD",
            &[
                "file=", "includepath=", "define=", "debug=", "check", "json", "handle", "numeric",
                "stateless", "terse", "echo", "interactive", "optimize", "help", "version",
                "reversedns", "service", "guid", "numeric-priority", "numeric-protocol",
                "numeric-time",
            ],
        ),
    );
    let checks = p.has(&["-c", "--check"]);
    if p.has(&["-i", "--interactive"]) || p.has(&["-f", "--file"]) && !checks {
        return unknown("`nft -f` loads rules from a file opsguard cannot see");
    }
    let reads = [
        "-c", "--check", "-f", "--file", "-I", "--includepath", "-D", "--define", "-d", "--debug",
        "-j", "--json", "-a", "--handle", "-n", "--numeric", "-s", "--stateless", "-t", "--terse",
        "-e", "--echo", "-h", "--help", "-v", "--version", "-V", "-N", "--reversedns", "-S",
        "--service", "-u", "--guid", "-y", "--numeric-priority", "-p", "--numeric-protocol", "-T",
        "--numeric-time",
    ];
    if !p.only(&reads) {
        return only_options("nft", &p, &reads);
    }
    // nft joins its words into one text of commands separated by `;` or
    // new lines: `nft 'list ruleset; flush ruleset'` flushes.
    let text = p.operands.join(" ");
    let commands: Vec<Vec<&str>> = text
        .split([';', '\n'])
        .map(|c| c.split_whitespace().collect::<Vec<_>>())
        .filter(|c| !c.is_empty())
        .collect();
    let verbs = || commands.iter().map(|c| c[0]);
    if let Some(v) = verbs().find(|v| matches!(*v, "flush" | "delete" | "destroy")) {
        return destroys(
            "net.firewall",
            format!("`nft {v} ...` removes firewall rules"),
        );
    }
    if commands.is_empty() {
        return if checks || p.has(&["-h", "--help", "-v", "--version", "-V"]) {
            Judgement::Safe
        } else {
            unknown("`nft` without a command")
        };
    }
    match verbs().find(|v| !matches!(*v, "list" | "describe" | "monitor")) {
        None => Judgement::Safe,
        Some(v) => unknown(format!("`nft {v}` changes the firewall rules")),
    }
}

/// `ipset`: options may stand anywhere, with one dash or two; the first
/// other word is the command.
fn ipset(args: &[Word]) -> Judgement {
    if args.iter().any(|w| !w.fixed()) {
        return unknown("`ipset` has words only known when the shell runs");
    }
    let mut words = args.iter().map(|w| w.text.as_str());
    let mut command = None;
    while let Some(w) = words.next() {
        let option = w
            .strip_prefix('-')
            .map(|o| o.strip_prefix('-').unwrap_or(o));
        match option {
            Some("o" | "output") => {
                words.next();
            }
            Some("f" | "file") => {
                return unknown("`ipset -file` reads or writes the sets in a file");
            }
            Some(
                "q" | "quiet" | "r" | "resolve" | "s" | "sorted" | "n" | "name" | "t" | "terse"
                | "!" | "exist",
            ) if w.len() > 1 => {}
            _ if command.is_none() => command = Some(w),
            Some(_) => return unknown(format!("`ipset {w}` is not an option opsguard knows")),
            None => {}
        }
    }
    match command.unwrap_or("") {
        "list" | "save" | "test" | "help" | "version" | "-L" | "-S" | "-T" | "-H" | "-V" => {
            Judgement::Safe
        }
        a @ ("flush" | "destroy" | "del" | "x" | "-F" | "-X" | "-D") => destroys(
            "net.firewall",
            format!("`ipset {a}` empties or removes sets the firewall uses"),
        ),
        a => unknown(format!("`ipset {a}` changes the sets")),
    }
}

const UFW: Commands = Commands {
    tool: "ufw",
    spec: Spec::new("", &["dry-run", "force"]),
    safe: &["status", "show", "app list", "app info", "version", "help"],
    destructive: &[
        ("disable", "net.firewall", "turns the firewall off"),
        ("reset", "net.firewall", "deletes every firewall rule"),
    ],
    writes: &[],
};

fn firewall_cmd(args: &[Word]) -> Judgement {
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if texts.contains(&"--panic-on") {
        return destroys(
            "net.firewall", "`firewall-cmd --panic-on` drops every packet",
        );
    }
    let reads = |t: &&str| {
        !t.starts_with("--")
            || [
                "--state", "--zone", "--permanent", "--check-config", "--version", "--help",
                "--query-panic",
            ]
            .iter()
            .any(|r| t.starts_with(r))
            || ["--list-", "--get-", "--query-", "--info-"]
                .iter()
                .any(|r| t.starts_with(r))
    };
    if texts.iter().all(reads) && args.iter().all(|w| w.fixed()) && !texts.is_empty() {
        Judgement::Safe
    } else {
        unknown("`firewall-cmd` changes the firewall")
    }
}
