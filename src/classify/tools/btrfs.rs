//! btrfs: a tool of command groups (`filesystem`, `subvolume`, `device`,
//! ...), each command taking any unambiguous prefix (`btrfs fi df`) and
//! parsing its own options (`-c` is a flag to `device stats` and takes a
//! value in `send`). Only the listing commands with their read-only
//! options are safe; deleting, balancing, repairing and resizing are
//! destructive, the rest not known to be safe.

use super::{Judgement, destroys, only_options, prefixed, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

/// btrfs's commands, each group with its commands; btrfs takes any
/// unambiguous prefix of either (`btrfs subvol del`, `btrfs fi df`).
const BTRFS: &[(&str, &[&str])] = &[
    (
        "subvolume",
        &[
            "create", "delete", "list", "show", "snapshot", "get-default", "set-default",
            "find-new", "sync",
        ],
    ),
    (
        "filesystem",
        &[
            "df", "du", "show", "sync", "defragment", "resize", "label", "usage", "mkswapfile",
        ],
    ),
    ("balance", &["start", "pause", "cancel", "resume", "status"]),
    (
        "device",
        &["add", "delete", "remove", "scan", "ready", "stats", "usage"],
    ),
    ("scrub", &["start", "cancel", "resume", "status", "limit"]),
    ("check", &[]),
    (
        "rescue",
        &[
            "chunk-recover", "super-recover", "zero-log", "fix-device-size", "clear-ino-cache",
            "clear-space-cache", "clear-uuid-tree", "create-control-device",
        ],
    ),
    ("restore", &[]),
    (
        "inspect-internal",
        &[
            "inode-resolve", "logical-resolve", "subvolid-resolve", "rootid", "min-dev-size",
            "dump-tree", "dump-super", "tree-stats", "map-swapfile", "list-chunks",
        ],
    ),
    ("property", &["get", "set", "list"]),
    ("send", &[]),
    ("receive", &[]),
    ("quota", &["enable", "disable", "rescan", "status"]),
    (
        "qgroup",
        &[
            "assign", "remove", "create", "destroy", "show", "limit", "clear-stale",
        ],
    ),
    ("replace", &["start", "status", "cancel"]),
    ("help", &[]),
    ("version", &[]),
];

/// btrfs's own options, before the group: it stops reading them at the
/// first word that is not one.
const BTRFS_GLOBAL: Spec = Spec::new(
    "",
    &[
        "format=", "log=", "verbose", "quiet", "help", "version", "dry-run",
    ],
)
.posix();

/// The size units the listing commands take (`-h`, `--iec`, `-g`).
const UNITS: &[&str] = &[
    "-b", "--raw", "-h", "--human-readable", "-H", "--iec", "--si", "-k", "--kbytes", "-m",
    "--mbytes", "-g", "--gbytes", "-t", "--tbytes",
];

/// A read-only btrfs command: how it reads its options (each command
/// parses its own: `-c` is a flag to `device stats` and takes a value in
/// `send`), which of them only read, and whether it takes size units.
struct BtrfsReads {
    group: &'static str,
    command: &'static str,
    spec: Spec,
    reads: &'static [&'static str],
    units: bool,
}

const fn reads(
    group: &'static str,
    command: &'static str,
    spec: Spec,
    reads: &'static [&'static str],
    units: bool,
) -> BtrfsReads {
    BtrfsReads {
        group,
        command,
        spec,
        reads,
        units,
    }
}

const UNIT_LONG: &[&str] = &[
    "raw", "human-readable", "iec", "si", "kbytes", "mbytes", "gbytes", "tbytes",
];

const BTRFS_READS: &[BtrfsReads] = &[
    reads(
        "subvolume",
        "list",
        Spec::new("GC", &["sort="]),
        &[
            "-p", "-a", "-c", "-g", "-o", "-u", "-q", "-R", "-t", "-s", "-r", "-d", "-G", "-C",
            "--sort",
        ],
        false,
    ),
    reads(
        "subvolume",
        "show",
        Spec::new(
            "ru",
            &[
                "rootid=", "uuid=", "raw", "human-readable", "iec", "si", "kbytes", "mbytes",
                "gbytes", "tbytes",
            ],
        ),
        &["-r", "--rootid", "-u", "--uuid"],
        true,
    ),
    reads("subvolume", "get-default", Spec::new("", &[]), &[], false),
    reads("subvolume", "find-new", Spec::new("", &[]), &[], false),
    reads("filesystem", "df", Spec::new("", UNIT_LONG), &[], true),
    reads(
        "filesystem",
        "du",
        Spec::new(
            "",
            &[
                "summarize", "raw", "human-readable", "iec", "si", "kbytes", "mbytes", "gbytes",
                "tbytes",
            ],
        ),
        &["-s", "--summarize"],
        true,
    ),
    reads(
        "filesystem",
        "show",
        Spec::new(
            "",
            &[
                "mounted", "all-devices", "raw", "human-readable", "iec", "si", "kbytes", "mbytes",
                "gbytes", "tbytes",
            ],
        ),
        &["-m", "--mounted", "-d", "--all-devices"],
        true,
    ),
    reads(
        "filesystem",
        "usage",
        Spec::new("", UNIT_LONG),
        &["-T"],
        true,
    ),
    // `-z`/`--reset` zeroes the counters.
    reads(
        "device",
        "stats",
        Spec::new("", &["check", "reset"]),
        &["-c", "--check", "-T"],
        false,
    ),
    reads("device", "usage", Spec::new("", UNIT_LONG), &[], true),
    reads("device", "ready", Spec::new("", &[]), &[], false),
    reads(
        "balance",
        "status",
        Spec::new("", &["verbose"]),
        &["-v", "--verbose"],
        false,
    ),
    reads(
        "scrub",
        "status",
        Spec::new("", UNIT_LONG),
        &["-d", "-R"],
        true,
    ),
    reads("replace", "status", Spec::new("", &[]), &["-1"], false),
    reads(
        "property",
        "get",
        Spec::new("t", &["type="]),
        &["-t", "--type"],
        false,
    ),
    reads(
        "property",
        "list",
        Spec::new("t", &["type="]),
        &["-t", "--type"],
        false,
    ),
    reads(
        "quota",
        "status",
        Spec::new("", &["is-enabled"]),
        &["--is-enabled"],
        false,
    ),
    reads(
        "qgroup",
        "show",
        Spec::new(
            "",
            &[
                "sort=", "sync", "raw", "human-readable", "iec", "si", "kbytes", "mbytes",
                "gbytes", "tbytes",
            ],
        ),
        &["-p", "-P", "-c", "-C", "-r", "-e", "-f", "-F", "--sort"],
        true,
    ),
    // `-f FILE` writes the stream to a file instead of standard output.
    reads(
        "send",
        "",
        Spec::new(
            "pcf",
            &["no-data", "proto=", "compressed-data", "verbose", "quiet"],
        ),
        &[
            "-e", "-p", "-c", "--no-data", "--proto", "--compressed-data", "-v", "--verbose", "-q",
            "--quiet",
        ],
        false,
    ),
    // `--repair`, `--init-*-tree` and `--clear-*-cache` write.
    reads(
        "check",
        "",
        Spec::new(
            "sEr",
            &[
                "super=", "backup", "repair", "readonly", "init-csum-tree", "init-extent-tree",
                "check-data-csum", "qgroup-report", "subvol-extents=", "tree-root=", "chunk-root=",
                "progress", "force", "mode=", "clear-space-cache=", "clear-ino-cache",
            ],
        ),
        &[
            "-s", "--super", "-b", "--backup", "--readonly", "--check-data-csum", "-Q",
            "--qgroup-report", "-E", "--subvol-extents", "-r", "--tree-root", "--chunk-root", "-p",
            "--progress", "--force", "--mode",
        ],
        false,
    ),
];

pub fn judge(args: &[Word]) -> Judgement {
    let global = parse(args, &BTRFS_GLOBAL);
    if global.dynamic {
        return unknown("`btrfs` has words only known when the shell runs");
    }
    if let Some(o) = global.strange.first() {
        return unknown(format!("`btrfs {o}`: an option opsguard does not know"));
    }
    let Some(group) = prefixed(BTRFS.iter().map(|(g, _)| *g), global.operand(0)) else {
        return if global.operands.is_empty() {
            Judgement::Safe
        } else {
            unknown(format!(
                "`btrfs {}` is not a btrfs command opsguard knows",
                global.operand(0)
            ))
        };
    };
    let commands = BTRFS
        .iter()
        .find(|(g, _)| *g == group)
        .map_or(&[][..], |(_, c)| c);
    let (command, words) = if commands.is_empty() {
        ("", 1)
    } else {
        let command = prefixed(commands.iter().copied(), global.operand(1)).unwrap_or("");
        (command, 2)
    };
    // The command's own arguments: the words after the group and command.
    let rest = global
        .operand_at
        .get(words - 1)
        .map_or(&[][..], |&i| &args[(i + 1).min(args.len())..]);
    let what = format!("btrfs {group} {command}");
    let what = what.trim_end();
    match (group, command) {
        ("subvolume", "delete") | ("device", "delete" | "remove") => {
            return destroys(
                "volume.btrfs",
                format!("`{what}` deletes a subvolume or takes a device out"),
            );
        }
        ("rescue", _) => {
            return destroys(
                "volume.btrfs",
                format!("`{what}` rewrites the filesystem's metadata"),
            );
        }
        ("inspect-internal", c) if !c.is_empty() => return Judgement::Safe,
        ("help" | "version", _) => return Judgement::Safe,
        ("filesystem", "label") => {
            // With a new label after the device it sets it.
            let p = parse(rest, &Spec::new("", &[]));
            return if p.opts.is_empty() && p.operands.len() <= 1 && !p.dynamic {
                Judgement::Safe
            } else {
                unknown(format!("`{what}` with a new label sets it"))
            };
        }
        _ => {}
    }
    let Some(form) = BTRFS_READS
        .iter()
        .find(|r| r.group == group && r.command == command)
    else {
        return unknown(format!("`{what}` changes the filesystem"));
    };
    let p = parse(rest, &form.spec);
    if group == "check" && p.has(&["--repair", "--init-csum-tree", "--init-extent-tree"]) {
        return destroys(
            "volume.btrfs",
            "`btrfs check --repair` rewrites the filesystem and can destroy it",
        );
    }
    let units: &[&str] = if form.units { UNITS } else { &[] };
    let allowed: Vec<&str> = form.reads.iter().chain(units).copied().collect();
    only_options(what, &p, &allowed)
}
