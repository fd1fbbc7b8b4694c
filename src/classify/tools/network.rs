//! The host's network: interfaces and routes (`ifconfig`, `route`, `arp`,
//! `nmcli`; iproute2's `ip`, `tc` and `bridge` in `iproute2.rs`), and
//! packet capture. Taking a link, an address or a route away can drop the
//! host off the network.

use super::{Judgement, destroys, iproute2, only_options, prefixed, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "ip" => iproute2::ip(args),
        "tc" => iproute2::tc(args),
        "bridge" => iproute2::bridge(args),
        "ifconfig" => ifconfig(args),
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
        "arp" => arp(args),
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

/// `ifconfig [-a] [-s] [-v] [IFACE]` shows; every word after the
/// interface is a setting, `-arp` and `-promisc` too.
fn ifconfig(args: &[Word]) -> Judgement {
    if args.iter().any(|w| !w.fixed()) {
        return unknown("`ifconfig` has words only known when the shell runs");
    }
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let options = words.iter().take_while(|w| w.starts_with('-')).count();
    if let Some(o) = words[..options]
        .iter()
        .find(|o| !matches!(**o, "-a" | "-s" | "-v"))
    {
        return unknown(format!(
            "`ifconfig {o}` is not a form opsguard knows to be read-only"
        ));
    }
    match &words[options..] {
        [] | [_] => Judgement::Safe,
        [_, settings @ ..] if settings.contains(&"down") => {
            destroys("net.link", "`ifconfig IFACE down` takes the interface down")
        }
        [iface, settings @ ..] => unknown(format!(
            "`ifconfig {iface} {}` changes the interface",
            settings.join(" ")
        )),
    }
}

fn arp(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "AHpit",
            &[
                "verbose", "version", "all", "delete", "file", "numeric", "set", "protocol=",
                "hw-type=", "device=", "help", "use-device", "symbolic",
            ],
        ),
    );
    only_options(
        "arp",
        &p,
        &[
            "-a", "-e", "-n", "-v", "-V", "-h", "-N", "-i", "-H", "-t", "-A", "-p", "--all",
            "--numeric", "--verbose", "--version", "--help", "--symbolic", "--device", "--hw-type",
            "--protocol",
        ],
    )
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
            "delete", "monitor", "wifi", "lldp", "checkpoint",
        ],
        "general" => &["status", "hostname", "permissions", "logging", "reload"],
        "networking" => &["on", "off", "connectivity"],
        "radio" => &["all", "wifi", "wwan"],
        "agent" => &["secret", "polkit", "all"],
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
        // `connection export` writes the connection to a file; the agent
        // answers secret requests.
        ("connection", "export") | ("agent", _) => unknown(format!(
            "`nmcli {object} {verb}` writes a file or acts for the user"
        )),
        (_, "")
        | ("connection", "show" | "monitor")
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
