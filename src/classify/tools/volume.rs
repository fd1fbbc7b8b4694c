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
        "zpool" => ZPOOL.judge(args),
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
    spec: Spec::new("oOmRtdcTsS", &[]),
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

fn btrfs(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "dctq",
            &[
                "format=", "log=", "verbose", "quiet", "dry-run", "help", "version", "repair",
                "init-csum-tree", "init-extent-tree", "readonly", "force", "reset", "check", "raw",
                "human-readable", "iec", "si", "kbytes", "mbytes", "gbytes", "tbytes",
                "all-devices", "mounted", "commit-after", "commit-each", "subvol-rootid=",
            ],
        ),
    );
    if p.dynamic {
        return unknown("`btrfs` has words only known when the shell runs");
    }
    let Some(group) = prefixed(BTRFS.iter().map(|(g, _)| *g), p.operand(0)) else {
        return if p.operands.is_empty() {
            Judgement::Safe
        } else {
            unknown(format!(
                "`btrfs {}` is not a btrfs command opsguard knows",
                p.operand(0)
            ))
        };
    };
    let commands = BTRFS
        .iter()
        .find(|(g, _)| *g == group)
        .map_or(&[][..], |(_, c)| c);
    let command = prefixed(commands.iter().copied(), p.operand(1)).unwrap_or("");
    let what = format!("btrfs {group} {command}");
    let what = what.trim_end();
    match (group, command) {
        ("subvolume", "delete") | ("device", "delete" | "remove") => destroys(
            "volume.btrfs",
            format!("`{what}` deletes a subvolume or takes a device out"),
        ),
        ("check", _) if p.has(&["--repair", "--init-csum-tree", "--init-extent-tree"]) => destroys(
            "volume.btrfs",
            "`btrfs check --repair` rewrites the filesystem and can destroy it",
        ),
        ("rescue", _) => destroys(
            "volume.btrfs",
            format!("`{what}` rewrites the filesystem's metadata"),
        ),
        ("subvolume", "list" | "show" | "get-default" | "find-new")
        | ("filesystem", "df" | "du" | "show" | "usage")
        | ("device", "ready" | "usage")
        | ("balance" | "scrub" | "replace", "status")
        | ("inspect-internal", _)
        | ("property", "get" | "list")
        | ("quota", "status")
        | ("qgroup", "show")
        | ("check" | "help" | "version" | "send", _) => Judgement::Safe,
        ("filesystem", "label") if p.operands.len() <= 3 => Judgement::Safe,
        ("device", "stats") if !p.has(&["-z", "--reset"]) => Judgement::Safe,
        _ => unknown(format!("`{what}` changes the filesystem")),
    }
}

/// Partition editors: read-only only in their listing forms.
pub fn partitions(name: &str, args: &[Word]) -> Judgement {
    let changes = |what: &str| destroys("disk.partition", format!("`{name}` {what}"));
    match name {
        "sgdisk" => {
            let p = parse(
                args,
                &Spec::new(
                    "ibl",
                    &[
                        "print", "info=", "verify", "list-types", "backup=", "print-mbr",
                        "pretend", "load-backup=",
                    ],
                ),
            );
            let read_only = [
                "-p", "--print", "-i", "--info", "-v", "--verify", "-L", "--list-types", "-b",
                "--backup", "-O", "--print-mbr", "-P", "--pretend",
            ];
            if (!p.opts.is_empty() && p.only(&read_only))
                || (p.has(&["-P", "--pretend"]) && !p.dynamic)
            {
                Judgement::Safe
            } else {
                changes("rewrites the partition table")
            }
        }
        "gdisk" | "cgdisk" | "fixparts" => {
            if !args.is_empty() && args[0].text == "-l" && args.iter().all(|w| w.fixed()) {
                Judgement::Safe
            } else {
                changes("edits the partition table")
            }
        }
        "parted" => {
            let p = parse(
                args,
                &Spec::new(
                    "a",
                    &[
                        "list", "script", "machine", "fix", "json", "align=", "help", "version",
                    ],
                ),
            );
            let writing = [
                "mklabel", "mktable", "mkpart", "rm", "resizepart", "rescue", "name", "set",
                "toggle", "disk_set", "disk_toggle", "type",
            ];
            let cmds = p.operands.get(1..).unwrap_or_default();
            if cmds.iter().any(|o| writing.contains(&o.as_str())) {
                changes("changes the partition table")
            } else if p.has(&["-l", "--list", "-h", "--help", "-v", "--version"])
                || cmds.iter().any(|o| o == "print" || o == "p")
            {
                Judgement::Safe
            } else {
                changes("without a command opens its interactive editor")
            }
        }
        "fdisk" => {
            let p = parse(args, &Spec::new("bcLosStuUw", &[]));
            if p.has(&[
                "-l", "--list", "-x", "--list-details", "-V", "--version", "-h", "--help",
            ]) {
                Judgement::Safe
            } else {
                changes("edits the partition table")
            }
        }
        "cfdisk" => changes("edits the partition table"),
        _ => {
            let p = parse(
                args,
                &Spec::new(
                    "NXYLoOw",
                    &[
                        "list", "dump", "json", "show-size", "verify", "show-geometry",
                        "list-free", "reorder-dry-run", "part-type", "part-label", "part-uuid",
                        "part-attrs", "quiet", "help", "version", "delete", "reorder", "relocate=",
                        "wipe=", "wipe-partitions=", "no-reread", "no-tell-kernel", "backup",
                        "backup-file=", "move-data?", "move-use-fsync", "force", "append", "lock?",
                        "label=", "label-nested=", "sector-size=", "color?", "unit=", "output=",
                        "bytes", "noheadings", "disk-id", "activate", "backup-pt-sectors",
                        "dump-json", "activate",
                    ],
                ),
            );
            let read_only = [
                "-l", "--list", "-d", "--dump", "-J", "--json", "-s", "--show-size", "-V",
                "--verify", "-g", "--show-geometry", "-F", "--list-free", "-r",
                "--reorder-dry-run", "--part-type", "--part-label", "--part-uuid", "--part-attrs",
                "-q", "--quiet", "-h", "--help", "-v", "--version",
            ];
            // `--part-type DEV N` prints; with a value after N it sets.
            let part = ["--part-type", "--part-label", "--part-uuid", "--part-attrs"];
            let reads = !p.opts.is_empty()
                && p.only(&read_only)
                && (!p.has(&part) || p.operands.len() <= 2);
            if reads {
                Judgement::Safe
            } else {
                changes("writes the partition table")
            }
        }
    }
}
