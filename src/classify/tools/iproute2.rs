//! iproute2 (`ip`, `tc`, `bridge`) reads its options, objects and verbs
//! by prefix, and a prefix means the first name its code tests that the
//! word begins: `ip link s` is `set` because `set` is tested before
//! `show`. The tables below keep each object's verbs in that order, so a
//! word is read as ip reads it; a word no table knows is not safe. Taking
//! a link, an address or a route away can drop the host off the network.

use super::{Judgement, destroys, unknown};
use crate::classify::lexer::Word;

/// How one of iproute2's own options reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Opt {
    /// Any prefix of the name (`-s` for `-stats`).
    Flag,
    /// Only the name itself (`-4`).
    Exact,
    /// Takes the next word (`-n NETNS`).
    Value,
    /// `-color`, or `-color=WHEN` in one word.
    Color,
    /// Runs commands from a file, or changes how such a run goes.
    Batch,
}

/// `ip`'s options in the order ip tests them (ip.c).
#[rustfmt::skip]
pub(super) const IP_OPTIONS: &[(&str, Opt)] = &[
    ("-loops", Opt::Value), ("-family", Opt::Value), ("-4", Opt::Exact), ("-6", Opt::Exact),
    ("-0", Opt::Exact), ("-I", Opt::Exact), ("-D", Opt::Exact), ("-M", Opt::Exact),
    ("-B", Opt::Exact), ("-human", Opt::Flag), ("-human-readable", Opt::Flag), ("-iec", Opt::Flag),
    ("-stats", Opt::Flag), ("-statistics", Opt::Flag), ("-details", Opt::Flag),
    ("-resolve", Opt::Flag), ("-oneline", Opt::Flag), ("-timestamp", Opt::Flag),
    ("-tshort", Opt::Flag), ("-Version", Opt::Flag), ("-force", Opt::Batch),
    ("-batch", Opt::Batch), ("-brief", Opt::Flag), ("-json", Opt::Flag), ("-pretty", Opt::Flag),
    ("-rcvbuf", Opt::Value), ("-color", Opt::Color), ("-help", Opt::Flag), ("-netns", Opt::Value),
    ("-Numeric", Opt::Flag), ("-all", Opt::Flag),
];

/// `tc`'s options in the order tc tests them (tc.c): `-c` is `-cf`, a
/// file of class names, before `-color`; tc has no `--`.
#[rustfmt::skip]
pub(super) const TC_OPTIONS: &[(&str, Opt)] = &[
    ("-stats", Opt::Flag), ("-statistics", Opt::Flag), ("-details", Opt::Flag),
    ("-raw", Opt::Flag), ("-pretty", Opt::Flag), ("-graph", Opt::Flag), ("-Version", Opt::Flag),
    ("-iec", Opt::Flag), ("-help", Opt::Flag), ("-force", Opt::Batch), ("-batch", Opt::Batch),
    ("-netns", Opt::Value), ("-names", Opt::Flag), ("-nm", Opt::Flag), ("-cf", Opt::Value),
    ("-conf", Opt::Value), ("-color", Opt::Color), ("-timestamp", Opt::Flag),
    ("-tshort", Opt::Flag), ("-json", Opt::Flag), ("-oneline", Opt::Flag),
];

/// iproute2's `matches()`: `word` is a non-empty prefix of `name`.
pub(super) fn begins(name: &str, word: &str) -> bool {
    !word.is_empty() && name.starts_with(word)
}

/// The words after the options, read by `table` in its order; not safe
/// when an option runs a batch file or is not one the tool has.
pub(super) fn after_options<'w>(
    tool: &str,
    words: &'w [&'w str],
    table: &[(&str, Opt)],
    double_dash: bool,
) -> Result<&'w [&'w str], Judgement> {
    let mut i = 0;
    while let Some(&word) = words.get(i) {
        if !word.starts_with('-') {
            break;
        }
        if double_dash && word == "--" {
            return Ok(&words[i + 1..]);
        }
        let opt = match word.strip_prefix('-') {
            Some(rest) if double_dash && rest.starts_with('-') => rest,
            _ => word,
        };
        let found = table.iter().find(|(name, how)| match how {
            Opt::Exact => *name == opt,
            Opt::Color => begins(name, opt.split('=').next().unwrap_or("")),
            _ => begins(name, opt),
        });
        match found {
            Some((name, Opt::Batch)) => {
                return Err(unknown(format!(
                    "`{tool} {name}` runs commands from a file opsguard cannot see"
                )));
            }
            Some((_, Opt::Value)) => i += 2,
            Some(_) => i += 1,
            None => {
                return Err(unknown(format!(
                    "`{tool} {word}` is not an option opsguard knows"
                )));
            }
        }
    }
    Ok(&words[i.min(words.len())..])
}

/// What a verb does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Act {
    Reads,
    Changes,
    /// Removes addresses, routes, rules, neighbours or links.
    Removes,
    /// Runs a command of its own.
    Runs,
}

/// An object's verbs in the order its code tests them, or an object whose
/// every form only reads, or one opsguard does not judge.
pub(super) enum Verbs {
    Table(&'static [(&'static str, Act)]),
    AllRead,
    NotKnown,
}

use Act::{Changes, Reads, Removes, Runs};

#[rustfmt::skip]
pub(super) const IP_ADDRESS: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("chg", Changes), ("replace", Changes),
    ("delete", Removes), ("list", Reads), ("show", Reads), ("lst", Reads), ("flush", Removes),
    ("save", Reads), ("showdump", Reads), ("restore", Changes), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_ROUTE: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("chg", Changes), ("replace", Changes),
    ("prepend", Changes), ("append", Changes), ("test", Changes), ("delete", Removes),
    ("list", Reads), ("show", Reads), ("lst", Reads), ("get", Reads), ("flush", Removes),
    ("save", Reads), ("restore", Changes), ("showdump", Reads), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_RULE: &[(&str, Act)] = &[
    ("list", Reads), ("lst", Reads), ("show", Reads), ("save", Reads), ("restore", Changes),
    ("add", Changes), ("delete", Removes), ("flush", Removes), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_NEIGH: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("chg", Changes), ("replace", Changes),
    ("delete", Removes), ("get", Reads), ("show", Reads), ("lst", Reads), ("list", Reads),
    ("flush", Removes), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_LINK: &[(&str, Act)] = &[
    ("add", Changes), ("set", Changes), ("change", Changes), ("replace", Changes),
    ("delete", Removes), ("show", Reads), ("lst", Reads), ("list", Reads), ("xstats", Reads),
    ("afstats", Reads), ("property", Changes), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_NETNS: &[(&str, Act)] = &[
    ("list", Reads), ("show", Reads), ("lst", Reads), ("list-id", Reads), ("help", Reads),
    ("add", Changes), ("set", Changes), ("delete", Removes), ("identify", Reads), ("pids", Reads),
    ("exec", Runs), ("monitor", Reads), ("attach", Changes),
];

#[rustfmt::skip]
pub(super) const IP_NTABLE: &[(&str, Act)] = &[
    ("change", Changes), ("chg", Changes), ("show", Reads), ("lst", Reads), ("list", Reads),
    ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_MADDRESS: &[(&str, Act)] = &[
    ("add", Changes), ("delete", Removes), ("list", Reads), ("show", Reads), ("lst", Reads),
    ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_ADDRLABEL: &[(&str, Act)] = &[
    ("list", Reads), ("show", Reads), ("add", Changes), ("delete", Removes), ("flush", Removes),
    ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_TUNTAP: &[(&str, Act)] = &[
    ("add", Changes), ("delete", Removes), ("show", Reads), ("lst", Reads), ("list", Reads),
    ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_MROUTE: &[(&str, Act)] = &[
    ("list", Reads), ("show", Reads), ("lst", Reads), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const IP_VRF: &[(&str, Act)] = &[
    ("identify", Reads), ("pids", Reads), ("exec", Runs), ("show", Reads), ("lst", Reads),
    ("list", Reads), ("help", Reads),
];

/// `ip`'s objects in the order ip tests them (ip.c).
#[rustfmt::skip]
pub(super) const IP_OBJECTS: &[(&str, Verbs)] = &[
    ("address", Verbs::Table(IP_ADDRESS)), ("addrlabel", Verbs::Table(IP_ADDRLABEL)),
    ("maddress", Verbs::Table(IP_MADDRESS)), ("route", Verbs::Table(IP_ROUTE)),
    ("rule", Verbs::Table(IP_RULE)), ("neighbor", Verbs::Table(IP_NEIGH)),
    ("neighbour", Verbs::Table(IP_NEIGH)), ("ntable", Verbs::Table(IP_NTABLE)),
    ("ntbl", Verbs::Table(IP_NTABLE)), ("link", Verbs::Table(IP_LINK)), ("l2tp", Verbs::NotKnown),
    ("fou", Verbs::NotKnown), ("ila", Verbs::NotKnown), ("macsec", Verbs::NotKnown),
    ("tunnel", Verbs::NotKnown), ("tunl", Verbs::NotKnown), ("tuntap", Verbs::Table(IP_TUNTAP)),
    ("tap", Verbs::Table(IP_TUNTAP)), ("token", Verbs::NotKnown), ("tcpmetrics", Verbs::NotKnown),
    ("tcp_metrics", Verbs::NotKnown), ("monitor", Verbs::AllRead), ("xfrm", Verbs::NotKnown),
    ("mroute", Verbs::Table(IP_MROUTE)), ("mrule", Verbs::Table(IP_RULE)),
    ("netns", Verbs::Table(IP_NETNS)), ("netconf", Verbs::NotKnown), ("vrf", Verbs::Table(IP_VRF)),
    ("sr", Verbs::NotKnown), ("nexthop", Verbs::NotKnown), ("mptcp", Verbs::NotKnown),
    ("ioam", Verbs::NotKnown), ("help", Verbs::AllRead), ("stats", Verbs::NotKnown),
];

#[rustfmt::skip]
pub(super) const TC_QDISC: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("replace", Changes), ("link", Changes),
    ("delete", Changes), ("list", Reads), ("show", Reads), ("lst", Reads), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const TC_CLASS: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("replace", Changes), ("delete", Changes),
    ("list", Reads), ("show", Reads), ("lst", Reads), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const TC_FILTER: &[(&str, Act)] = &[
    ("add", Changes), ("change", Changes), ("replace", Changes), ("delete", Changes),
    ("get", Reads), ("list", Reads), ("show", Reads), ("lst", Reads), ("help", Reads),
];

#[rustfmt::skip]
pub(super) const TC_CHAIN: &[(&str, Act)] = &[
    ("add", Changes), ("delete", Changes), ("get", Reads), ("list", Reads), ("show", Reads),
    ("lst", Reads), ("help", Reads),
];

/// `tc`'s objects in the order tc tests them (tc.c); `tc exec` runs
/// programs.
#[rustfmt::skip]
pub(super) const TC_OBJECTS: &[(&str, Verbs)] = &[
    ("qdisc", Verbs::Table(TC_QDISC)), ("class", Verbs::Table(TC_CLASS)),
    ("filter", Verbs::Table(TC_FILTER)), ("chain", Verbs::Table(TC_CHAIN)),
    ("actions", Verbs::NotKnown), ("monitor", Verbs::AllRead), ("exec", Verbs::NotKnown),
    ("help", Verbs::AllRead),
];

/// The object and verb `rest` names (`["l", "s"]` is `link set`), and
/// what the verb does; `None` for a form opsguard does not judge.
pub(super) fn object_verb(
    objects: &'static [(&'static str, Verbs)],
    rest: &[&str],
) -> Option<(&'static str, &'static str, Act)> {
    let word = rest.first()?;
    let (object, verbs) = objects.iter().find(|(name, _)| begins(name, word))?;
    match verbs {
        Verbs::AllRead => Some((object, "", Reads)),
        Verbs::NotKnown => None,
        Verbs::Table(table) => match rest.get(1) {
            None => Some((object, "", Reads)),
            Some(verb) => table
                .iter()
                .find(|(name, _)| begins(name, verb))
                .map(|(name, act)| (*object, *name, *act)),
        },
    }
}

/// Every word of an iproute2 command line, when all are known now.
pub(super) fn fixed_words<'w>(tool: &str, args: &'w [Word]) -> Result<Vec<&'w str>, Judgement> {
    if args.iter().any(|w| !w.fixed()) {
        return Err(unknown(format!(
            "`{tool}` has words only known when the shell runs"
        )));
    }
    Ok(args.iter().map(|w| w.text.as_str()).collect())
}

pub(super) fn ip(args: &[Word]) -> Judgement {
    let words = match fixed_words("ip", args) {
        Ok(w) => w,
        Err(j) => return j,
    };
    let rest = match after_options("ip", &words, IP_OPTIONS, true) {
        Ok(rest) => rest,
        Err(j) => return j,
    };
    if rest.is_empty() {
        return Judgement::Safe;
    }
    let Some((object, verb, act)) = object_verb(IP_OBJECTS, rest) else {
        return unknown(format!(
            "`ip {}` is not a form of ip opsguard knows",
            rest[..rest.len().min(2)].join(" ")
        ));
    };
    match act {
        Removes => destroys(
            "net.link",
            format!(
                "`ip {object} {verb}` removes addresses, routes or links: the host can drop off the network"
            ),
        ),
        Changes
            if object == "link" && matches!(verb, "set" | "change") && rest.contains(&"down") =>
        {
            destroys(
                "net.link", "`ip link set ... down` takes the interface down",
            )
        }
        Reads => Judgement::Safe,
        Runs => unknown(format!("`ip {object} {verb}` runs a command")),
        Changes => unknown(format!(
            "`ip {object} {verb}` changes the network configuration"
        )),
    }
}

pub(super) fn tc(args: &[Word]) -> Judgement {
    let words = match fixed_words("tc", args) {
        Ok(w) => w,
        Err(j) => return j,
    };
    let rest = match after_options("tc", &words, TC_OPTIONS, false) {
        Ok(rest) => rest,
        Err(j) => return j,
    };
    if rest.is_empty() {
        return Judgement::Safe;
    }
    match object_verb(TC_OBJECTS, rest) {
        Some((_, _, Reads)) => Judgement::Safe,
        Some((object, verb, _)) => unknown(format!("`tc {object} {verb}` changes traffic control")),
        None => unknown(format!(
            "`tc {}` is not a form of tc opsguard knows",
            rest[..rest.len().min(2)].join(" ")
        )),
    }
}

/// `bridge` is only known with its options, objects and listing verbs
/// spelled out: its prefixes are not checked against its code.
pub(super) fn bridge(args: &[Word]) -> Judgement {
    let words = match fixed_words("bridge", args) {
        Ok(w) => w,
        Err(j) => return j,
    };
    let mut rest = &words[..];
    while let Some(first) = rest.first().filter(|w| w.starts_with('-')) {
        rest = match *first {
            "-n" | "-netns" if rest.len() > 1 => &rest[2..],
            "-s" | "-stats" | "-statistics" | "-d" | "-details" | "-j" | "-json" | "-p"
            | "-pretty" | "-color" | "-compressvlans" | "-t" | "-timestamp" | "-4" | "-6"
            | "-N" | "-Numeric" | "-o" | "-oneline" => &rest[1..],
            o => return unknown(format!("`bridge {o}` is not an option opsguard knows")),
        };
    }
    match rest {
        [] | ["monitor" | "help", ..] => Judgement::Safe,
        ["link" | "fdb" | "mdb" | "vlan"] => Judgement::Safe,
        ["link" | "fdb" | "mdb" | "vlan", "show" | "list" | "lst", ..] => Judgement::Safe,
        _ => unknown(format!(
            "`bridge {}` changes bridging",
            rest[..rest.len().min(2)].join(" ")
        )),
    }
}
