//! RAID arrays, volume managers and pools (`mdadm`, LVM, ZFS, and btrfs in
//! `btrfs.rs`): their listing forms are read-only, the forms that create,
//! stop, remove or rewrite are destructive, and whatever else they do is
//! judged not known to be safe. Partition tables are in `partitions.rs`.

use super::{Commands, Judgement, destroys, only_options, unknown};
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
        "btrfs" => super::btrfs::judge(args),
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
