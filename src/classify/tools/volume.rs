//! RAID arrays, volume managers and pools (`mdadm`, LVM, ZFS, btrfs) and
//! partition tables: their listing forms are read-only, the forms that
//! create, stop, remove or rewrite are destructive, and whatever else they
//! do is judged not known to be safe.

use super::{Commands, Judgement, destroys, only_options, prefixed, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "mdadm" => mdadm(args),
        "lvremove" | "vgremove" | "pvremove" | "lvreduce" | "vgreduce" | "pvcreate"
        | "lvresize" => destroys(
            "volume.lvm",
            format!("`{name}` removes, shrinks or overwrites a volume"),
        ),
        "lvm" => return None,
        "zpool" => zpool(args),
        "zfs" => zfs(args),
        "btrfs" => btrfs(args),
        _ => return None,
    })
}

const MDADM_SPEC: Spec = Spec::new(
    "ZcgilpmnxudzUNek",
    &[
        "manage", "misc", "assemble", "build", "create", "grow", "incremental", "monitor",
        "follow", "detail", "examine", "query", "examine-bitmap", "examine-badblocks",
        "detail-platform", "dump=", "restore=", "add", "re-add", "add-spare", "add-journal",
        "remove", "fail", "set-faulty", "replace", "with=", "stop", "run", "readonly", "readwrite",
        "zero-superblock", "kill-subarray=", "update-subarray=", "wait", "wait-clean", "action=",
        "scan", "brief", "verbose", "quiet", "export", "force", "test", "level=", "raid-devices=",
        "spare-devices=", "chunk=", "rounding=", "bitmap=", "bitmap-chunk=", "write-behind?",
        "write-mostly", "readwrite", "write-journal=", "metadata=", "name=", "homehost=", "uuid=",
        "size=", "array-size=", "layout=", "parity=", "config=", "backup-file=", "update=",
        "auto=", "super-minor=", "assume-clean", "consistency-policy=", "invalid-backup",
        "freeze-reshape", "continue", "no-degraded", "delay=", "mail=", "program=", "alert=",
        "syslog", "daemonise", "daemonize", "pid-file=", "oneshot", "increment=", "help",
        "help-options", "version", "offroot", "prefer=", "nodes=", "home-cluster=",
        "cluster-confirm", "data-offset=", "nofailfast", "failfast", "no-bitmap",
    ],
);

fn mdadm(args: &[Word]) -> Judgement {
    let p = parse(args, &MDADM_SPEC);
    let destroying = [
        ("-C", "--create"),
        ("-B", "--build"),
        ("-G", "--grow"),
        ("--zero-superblock", "--zero-superblock"),
        ("-r", "--remove"),
        ("-f", "--fail"),
        ("--set-faulty", "--set-faulty"),
        ("-S", "--stop"),
        ("--kill-subarray", "--kill-subarray"),
    ];
    if let Some(o) = p
        .opts
        .iter()
        .find(|o| destroying.iter().any(|(s, l)| o.name == *s || o.name == *l))
    {
        return destroys(
            "raid.mdadm",
            format!("`mdadm {}` changes or destroys the array", o.name),
        );
    }
    let reading = [
        "-D", "--detail", "-E", "--examine", "-Q", "--query", "-X", "--examine-bitmap",
        "--examine-badblocks", "--detail-platform", "--misc", "-b", "--brief", "-s", "--scan",
        "-v", "--verbose", "-q", "--quiet", "-Y", "--export", "-V", "--version", "-h", "--help",
        "--help-options", "-t", "--test", "-e", "--metadata", "--prefer", "-c", "--config",
        "--offroot", "--wait", "-W", "--wait-clean",
    ];
    if p.opts.is_empty() {
        return unknown("`mdadm` without a mode option manages the named array");
    }
    only_options("mdadm", &p, &reading)
}

const ZPOOL: Commands = Commands {
    tool: "zpool",
    spec: Spec::new(
        "oOmRtdcTsS",
        &[
            "json", "json-int", "json-flat-vdevs", "json-pool-key-guid", "power", "help",
        ],
    ),
    safe: &[
        "", "status", "list", "iostat", "get", "history", "version", "help", "wait",
    ],
    destructive: &[
        ("destroy", "pool.zpool", "destroys the pool and its data"),
        ("create", "pool.zpool", "writes new labels over the devices"),
        ("labelclear", "pool.zpool", "erases the device's ZFS label"),
        ("remove", "pool.zpool", "removes a device from the pool"),
        ("detach", "pool.zpool", "detaches a mirror device"),
        ("offline", "pool.zpool", "takes a device offline"),
        ("export", "pool.zpool", "takes the pool away from its users"),
        ("split", "pool.zpool", "splits the mirror into a new pool"),
        (
            "replace", "pool.zpool", "replaces a device, resilvering over the new one",
        ),
        ("reguid", "pool.zpool", "changes the pool's identity"),
    ],
    writes: &[],
};

const ZFS: Commands = Commands {
    tool: "zfs",
    spec: Spec::new("oOstdSTrRxe", &[]),
    safe: &[
        "", "list", "get", "holds", "userspace", "groupspace", "projectspace", "diff", "version",
        "help", "send", "wait",
    ],
    destructive: &[
        ("destroy", "pool.zfs", "discards the dataset or snapshot"),
        (
            "rollback", "pool.zfs", "discards every change since the snapshot",
        ),
    ],
    writes: &[],
};

fn zpool(args: &[Word]) -> Judgement {
    let p = parse(args, &ZPOOL.spec);
    if matches!(p.operand(0), "status" | "iostat") && p.has(&["-c"]) {
        return unknown(format!(
            "`zpool {} -c` runs the named scripts for every device",
            p.operand(0)
        ));
    }
    ZPOOL.judge_parsed(&p)
}

fn zfs(args: &[Word]) -> Judgement {
    let p = parse(args, &ZFS.spec);
    if matches!(p.operand(0), "receive" | "recv") && p.has(&["-F"]) {
        return destroys(
            "pool.zfs", "`zfs receive -F` rolls the target back, discarding its changes",
        );
    }
    if p.operand(0) == "events" && p.has(&["-c"]) {
        return unknown("`zfs events -c` clears the event log");
    }
    ZFS.judge_parsed(&p)
}

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

fn btrfs(args: &[Word]) -> Judgement {
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

/// Partition editors: read-only only in their listing forms.
pub fn partitions(name: &str, args: &[Word]) -> Judgement {
    match name {
        "sgdisk" => sgdisk(args),
        "gdisk" | "cgdisk" | "fixparts" => {
            if !args.is_empty() && args[0].text == "-l" && args.iter().all(|w| w.fixed()) {
                Judgement::Safe
            } else {
                partition_change(format!("`{name}` edits the partition table"))
            }
        }
        "parted" => parted(args),
        "fdisk" => {
            let p = parse(args, &Spec::new("bcLosStuUw", &[]));
            if p.has(&[
                "-l", "--list", "-x", "--list-details", "-V", "--version", "-h", "--help",
            ]) {
                Judgement::Safe
            } else {
                partition_change(format!("`{name}` edits the partition table"))
            }
        }
        "cfdisk" => partition_change(format!("`{name}` edits the partition table")),
        _ => sfdisk(args),
    }
}

fn partition_change(what: String) -> Judgement {
    destroys("disk.partition", what)
}

const SGDISK_SPEC: Spec = Spec::new(
    "aAbBcdhijlmnNrRStTuU",
    &[
        "attributes=", "set-alignment=", "backup=", "byte-swap-name=", "change-name=",
        "recompute-chs", "delete=", "display-alignment", "move-second-header", "end-of-largest",
        "first-in-largest", "first-aligned-in-largest", "mbrtogpt", "randomize-guids", "hybrid=",
        "info=", "align-end", "move-main-table=", "load-backup=", "list-types", "gpttombr=",
        "new=", "largest-new=", "clear", "print-mbr", "print", "pretend", "transpose=",
        "replicate=", "sort", "resize-table=", "typecode=", "transform-bsd=", "partition-guid=",
        "disk-guid=", "verify", "version", "zap", "zap-all", "help", "usage",
    ],
);

/// sgdisk's options that only print.
const SGDISK_READS: &[&str] = &[
    "-p", "--print", "-i", "--info", "-v", "--verify", "-O", "--print-mbr", "-L", "--list-types",
    "-D", "--display-alignment", "-E", "--end-of-largest", "-f", "--first-in-largest", "-F",
    "--first-aligned-in-largest", "-V", "--version", "-?", "--help", "--usage",
];

fn sgdisk(args: &[Word]) -> Judgement {
    let p = parse(args, &SGDISK_SPEC);
    if !p.opts.is_empty() && p.only(SGDISK_READS) {
        return Judgement::Safe;
    }
    // `-P` keeps every change to the table in memory, but a backup (`-b`)
    // is still written to its file and a replica (`-R`) to its device.
    let outside = ["-b", "--backup", "-R", "--replicate"];
    let pretend = p.has(&["-P", "--pretend"]) && !p.dynamic && p.strange.is_empty();
    if pretend && !p.has(&outside) {
        return Judgement::Safe;
    }
    if p.has(&["-R", "--replicate"]) {
        return partition_change(
            "`sgdisk -R` writes the partition table onto another device".into(),
        );
    }
    let mut with_backup = SGDISK_READS.to_vec();
    with_backup.extend(["-b", "--backup"]);
    if pretend || p.only(&with_backup) {
        return unknown("`sgdisk -b` writes a copy of the partition table to a file");
    }
    partition_change("`sgdisk` rewrites the partition table".into())
}

const PARTED_SPEC: Spec = Spec::new(
    "a",
    &[
        "help", "list", "machine", "json", "script", "fix", "version", "align=",
    ],
);

/// parted's commands, in every version (a command is any unambiguous
/// prefix of one: `mkl` is `mklabel`, `p` is `print`).
const PARTED_COMMANDS: &[&str] = &[
    "align-check", "check", "cp", "disk_set", "disk_toggle", "help", "mkfs", "mklabel", "mkpart",
    "mkpartfs", "mktable", "move", "name", "print", "quit", "rescue", "resize", "resizepart", "rm",
    "select", "set", "toggle", "type", "unit", "version",
];

const PARTED_WRITES: &[&str] = &[
    "check", "cp", "disk_set", "disk_toggle", "mkfs", "mklabel", "mkpart", "mkpartfs", "mktable",
    "move", "name", "rescue", "resize", "resizepart", "rm", "set", "toggle", "type",
];

const PARTED_UNITS: &[&str] = &[
    "s", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "%", "cyl", "chs", "compact",
];

fn parted(args: &[Word]) -> Judgement {
    let p = parse(args, &PARTED_SPEC);
    if p.dynamic {
        return unknown("`parted` has words only known when the shell runs");
    }
    // parted splits each command argument at blanks itself: `'p mkl gpt'`
    // is three words.
    let words: Vec<&str> = p
        .operands
        .iter()
        .skip(1)
        .flat_map(|o| o.split_whitespace())
        .collect();
    if words.iter().any(|w| w.contains(['\'', '"', '\\'])) {
        return unknown("`parted` with quotes in its commands: opsguard does not split them");
    }
    let mut i = 0;
    while let Some(word) = words.get(i) {
        i += 1;
        match prefixed(PARTED_COMMANDS.iter().copied(), word) {
            Some(c) if PARTED_WRITES.contains(&c) => {
                return partition_change(format!("`parted {c}` changes the partition table"));
            }
            // A prefix of several commands that all write (`mkp`: `mkpart`
            // or, in older versions, `mkpartfs`).
            None if PARTED_WRITES.iter().any(|c| c.starts_with(word))
                && PARTED_COMMANDS
                    .iter()
                    .filter(|c| c.starts_with(word))
                    .all(|c| PARTED_WRITES.contains(c)) =>
            {
                return partition_change(format!("`parted {word}` changes the partition table"));
            }
            // `print` takes `free`, `list`, `all`, `devices` or a number.
            Some("print") => {
                let arg = words.get(i).is_some_and(|w| {
                    ["devices", "free", "list", "all"]
                        .iter()
                        .any(|a| w.starts_with(a))
                        || w.starts_with(|c: char| c.is_ascii_digit())
                });
                i += usize::from(arg);
            }
            // A unit parted does not know makes it ask for one on stdin.
            Some("unit")
                if words
                    .get(i)
                    .is_some_and(|u| PARTED_UNITS.contains(&u.to_lowercase().as_str())) =>
            {
                i += 1;
            }
            Some("version") => {}
            _ => {
                return unknown(format!(
                    "`parted {word}` is not a command opsguard knows to be read-only"
                ));
            }
        }
    }
    // `-l`, `-h` and `-v` print and exit before any command.
    let exits = p.has(&["-l", "--list", "-h", "--help", "-v", "--version"]);
    if exits && p.strange.is_empty() {
        return Judgement::Safe;
    }
    if words.is_empty() {
        return partition_change("`parted` without a command opens its interactive editor".into());
    }
    only_options(
        "parted",
        &p,
        &[
            "-s", "--script", "-m", "--machine", "-j", "--json", "-a", "--align",
        ],
    )
}

const SFDISK_SPEC: Spec = Spec::new(
    "oONuXYwW",
    &[
        "activate", "append", "backup", "backup-file=", "backup-pt-sectors", "bytes", "color?",
        "delete", "disk-id", "dump", "force", "help", "json", "label=", "label-nested=", "list",
        "list-free", "list-types", "lock?", "move-data?", "move-use-fsync", "no-act", "no-reread",
        "no-tell-kernel", "output=", "part-attrs", "part-label", "part-type", "part-uuid",
        "partno=", "quiet", "relocate=", "reorder", "sector-size=", "show-geometry",
        "show-pt-geometry", "show-size", "unit=", "verify", "version", "wipe=", "wipe-partitions=",
        "Linux", "change-id", "id", "print-id",
    ],
);

/// sfdisk's actions that only print; the last action given is the one
/// it does, and without one it reads a new table from standard input
/// and writes it.
const SFDISK_LISTS: &[&str] = &[
    "-l", "--list", "-d", "--dump", "-J", "--json", "-s", "--show-size", "-V", "--verify", "-g",
    "--show-geometry", "-G", "--show-pt-geometry", "-F", "--list-free", "-T", "--list-types", "-h",
    "--help", "-v", "--version", "--part-type", "--part-label", "--part-uuid", "--part-attrs",
];

fn sfdisk(args: &[Word]) -> Judgement {
    let p = parse(args, &SFDISK_SPEC);
    let mut read_only = SFDISK_LISTS.to_vec();
    read_only.extend(["-q", "--quiet", "-o", "--output", "--bytes", "--color"]);
    // `--part-type DEV N` prints; with a value after N it sets.
    let part = ["--part-type", "--part-label", "--part-uuid", "--part-attrs"];
    let reads =
        p.has(SFDISK_LISTS) && p.only(&read_only) && (!p.has(&part) || p.operands.len() <= 2);
    if reads {
        Judgement::Safe
    } else {
        partition_change("`sfdisk` writes the partition table".into())
    }
}
