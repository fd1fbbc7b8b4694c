//! The host's network: interfaces and routes (`ip`, `ifconfig`, `nmcli`),
//! bridges and traffic control, and packet capture. Taking a link, an
//! address or a route away can drop the host off the network.

use super::{Judgement, destroys, prefixed, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "ip" => ip(args),
        "ifconfig" => {
            let ops: Vec<&str> = args
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            if ops.contains(&"down") {
                destroys("net.link", "`ifconfig IFACE down` takes the interface down")
            } else if ops.len() <= 1 && args.iter().all(|w| w.fixed()) {
                Judgement::Safe
            } else {
                unknown("`ifconfig` with settings changes the interface")
            }
        }
        "ifquery" => Judgement::Safe,
        "ifdown" => destroys("net.link", "`ifdown` takes the interface down"),
        "route" => {
            let ops: Vec<&str> = args
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            match ops.first() {
                None => Judgement::Safe,
                Some(&("del" | "delete")) => destroys("net.route", "`route del` removes a route"),
                Some(_) => unknown("`route add` changes the routing table"),
            }
        }
        "arp" => {
            if args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "-d" | "-s" | "-f" | "--delete" | "--set" | "--file"
                )
            }) {
                unknown("`arp -d`/`-s` changes the ARP cache")
            } else {
                Judgement::Safe
            }
        }
        "ethtool" => {
            let reads = [
                "-i", "--driver", "-S", "--statistics", "-k", "--show-features", "--show-offload",
                "-g", "--show-ring", "-a", "--show-pause", "-c", "--show-coalesce", "-l",
                "--show-channels", "-m", "--dump-module-eeprom", "--module-info", "-T",
                "--show-time-stamping", "-P", "--show-permaddr", "-d", "--register-dump", "-e",
                "--eeprom-dump", "-n", "-u", "--show-nfc", "--show-ntuple", "-x",
                "--show-rxfh-indir", "--show-rxfh", "--show-priv-flags", "--show-fec",
                "--show-eee", "--phy-statistics", "--show-tunnels", "--show-pse", "--show-module",
                "--json", "--debug", "--include-statistics", "-I", "--brief", "-h", "--help",
                "--version",
            ];
            if args.iter().all(|w| {
                w.fixed() && (!w.text.starts_with('-') || reads.contains(&w.text.as_str()))
            }) && args.iter().filter(|w| !w.text.starts_with('-')).count() <= 1
            {
                Judgement::Safe
            } else {
                unknown("`ethtool` with a setting changes the interface (the link can drop)")
            }
        }
        "tc" | "bridge" => {
            let verbs: Vec<&str> = args
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            if verbs.len() <= 1 || matches!(verbs.get(1), Some(&("show" | "list" | "ls" | "s"))) {
                Judgement::Safe
            } else {
                unknown(format!(
                    "`{name} {}` changes traffic control or bridging",
                    verbs.join(" ")
                ))
            }
        }
        "brctl" => match args.first().map(|w| w.text.as_str()) {
            Some("show" | "showmacs" | "showstp") | None => Judgement::Safe,
            Some(c @ ("delbr" | "delif")) => destroys(
                "net.link",
                format!("`brctl {c}` removes the bridge or its port"),
            ),
            Some(c) => unknown(format!("`brctl {c}` changes the bridge")),
        },
        "nmcli" => nmcli(args),
        "tcpdump" => {
            let p = parse(args, &Spec::new("cCEFGiIjmMrsTwWyzZBQ", &[]));
            if p.has(&["-w", "-z"]) || p.dynamic {
                unknown("`tcpdump -w` writes captures to a file (`-z` runs a command)")
            } else {
                Judgement::Safe
            }
        }
        _ => return None,
    })
}

/// `ip` reads its object and verb as abbreviations, as it does
/// (`ip a f` is `ip address flush`).
fn ip(args: &[Word]) -> Judgement {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            break;
        }
        if matches!(t, "-b" | "-batch" | "-force") {
            return unknown("`ip -batch` runs commands from a file opsguard cannot see");
        }
        i += if matches!(
            t,
            "-n" | "-netns" | "-f" | "-family" | "-l" | "-loops" | "-rc" | "-rcvbuf"
        ) {
            2
        } else {
            1
        };
    }
    if args.iter().any(|w| !w.fixed()) {
        return unknown("`ip` has words only known when the shell runs");
    }
    let rest: Vec<&str> = args[i.min(args.len())..]
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let objects = [
        "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable",
        "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "token", "tcpmetrics",
        "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr",
        "nexthop", "mptcp", "ioam", "help", "stats",
    ];
    let Some(first) = rest.first() else {
        return Judgement::Safe;
    };
    // ip takes the first object in its own order that the word begins.
    let Some(object) = objects.iter().find(|o| o.starts_with(first)).copied() else {
        return unknown(format!("`ip {first}` is not an ip object opsguard knows"));
    };
    let verb = rest.get(1).copied().unwrap_or("show");
    let is = |full: &str| full.starts_with(verb);
    if object == "monitor" || object == "help" {
        return Judgement::Safe;
    }
    if is("flush") || is("delete") || verb == "del" {
        return destroys(
            "net.link",
            format!(
                "`ip {object} {verb}` removes addresses, routes or links: the host can drop off the network"
            ),
        );
    }
    if object == "link" && is("set") && rest.contains(&"down") {
        return destroys(
            "net.link", "`ip link set ... down` takes the interface down",
        );
    }
    if [
        "show", "list", "lst", "get", "showdump", "save", "identify", "pids",
    ]
    .iter()
    .any(|v| is(v))
        || verb.starts_with("dev")
        || object == "netns" && verb == "exec"
    {
        Judgement::Safe
    } else {
        unknown(format!(
            "`ip {object} {verb}` changes the network configuration"
        ))
    }
}

fn nmcli(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "mfgecw",
            &[
                "mode=", "fields=", "get-values=", "escape=", "colors=", "wait=", "terse",
                "pretty", "ask", "show-secrets", "offline", "help", "version",
            ],
        ),
    );
    if p.dynamic {
        return unknown("`nmcli` has words only known when the shell runs");
    }
    let objects = [
        "general", "networking", "radio", "connection", "device", "agent", "monitor",
    ];
    let Some(object) = prefixed(objects.iter().copied(), p.operand(0)) else {
        return if p.operands.is_empty() {
            Judgement::Safe
        } else {
            unknown(format!(
                "`nmcli {}` is not an nmcli object opsguard knows",
                p.operand(0)
            ))
        };
    };
    let verbs: &[&str] = match object {
        "connection" => &[
            "show", "up", "down", "add", "modify", "clone", "edit", "delete", "monitor", "reload",
            "load", "import", "export", "migrate",
        ],
        "device" => &[
            "status", "show", "set", "up", "connect", "reapply", "modify", "down", "disconnect",
            "delete", "monitor", "wifi", "lldp",
        ],
        "general" => &["status", "hostname", "permissions", "logging", "reload"],
        "networking" => &["on", "off", "connectivity"],
        "radio" => &["all", "wifi", "wwan"],
        _ => &[],
    };
    let verb = if p.operand(1).is_empty() {
        ""
    } else {
        prefixed(verbs.iter().copied(), p.operand(1)).unwrap_or("?")
    };
    match (object, verb) {
        ("connection", "down" | "delete")
        | ("device", "down" | "disconnect" | "delete")
        | ("networking", "off") => destroys(
            "net.link",
            format!("`nmcli {object} {verb}` takes the network connection down"),
        ),
        ("radio", _) if p.operands.iter().any(|o| o == "off") => {
            destroys("net.link", "`nmcli radio ... off` turns the radio off")
        }
        (_, "")
        | ("connection", "show" | "monitor" | "export")
        | ("device", "status" | "show" | "monitor" | "lldp")
        | ("general", "status" | "permissions")
        | ("networking", "connectivity")
        | ("monitor", _) => Judgement::Safe,
        ("general", "hostname" | "logging") if p.operands.len() == 2 => Judgement::Safe,
        _ => unknown(format!(
            "`nmcli {object} {verb}` changes the network configuration"
        )),
    }
}
