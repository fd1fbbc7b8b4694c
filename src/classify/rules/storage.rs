//! Rules for tools that write disks, partition tables, RAID arrays,
//! volumes and storage pools.

use super::{Hit, has, has_short, operands};
use crate::classify::lexer::Word;

pub fn check(name: &str, args: &[Word]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut hit = |rule: &'static str, reason: String| hits.push((rule, reason));
    let ops = operands(args);
    let sub = ops.first().copied().unwrap_or("");
    match name {
        n if n == "mkfs"
            || n.starts_with("mkfs.")
            || matches!(n, "mke2fs" | "mkswap" | "mkdosfs" | "mkntfs" | "mkexfatfs") =>
        {
            hit(
                "disk.mkfs",
                format!("`{n}` creates a filesystem, erasing what the device held"),
            )
        }
        "wipefs" if has(args, &["-n", "--no-act"]).is_none() => hit(
            "disk.wipefs",
            "`wipefs` erases filesystem and partition signatures".into(),
        ),
        "dd" => {
            if let Some(of) = args.iter().find(|w| w.text.starts_with("of=")) {
                hit("disk.dd", format!("`dd` writes to `{}`", &of.text[3..]));
            }
        }
        "shred" | "wipe" | "scrub" => hit(
            "disk.shred",
            format!("`{name}` overwrites data beyond recovery"),
        ),
        "blkdiscard" => hit(
            "disk.blkdiscard",
            "`blkdiscard` discards every block of the device".into(),
        ),
        "sg_format" | "sg_sanitize" | "sg_unmap" => {
            hit("disk.scsi", format!("`{name}` erases the device"))
        }
        "sgdisk" | "gdisk" | "cgdisk" | "fixparts" => {
            let read_only = [
                "-p", "--print", "-i", "--info", "-v", "--verify", "-L", "--list-types", "-b",
                "--backup", "-l", "--list",
            ];
            let writes = args.iter().any(|w| {
                w.text.starts_with('-')
                    && !read_only
                        .iter()
                        .any(|r| w.text == *r || w.text.starts_with(&format!("{r}=")))
            });
            if writes || (name != "sgdisk" && has(args, &["-l"]).is_none()) {
                hit(
                    "disk.partition",
                    format!("`{name}` rewrites the partition table"),
                );
            }
        }
        "parted" => {
            let writing = [
                "mklabel", "mktable", "mkpart", "rm", "resizepart", "rescue", "name", "set",
                "toggle", "disk_set", "align-check",
            ];
            if ops.iter().any(|o| writing.contains(o)) {
                hit(
                    "disk.partition",
                    "`parted` changes the partition table".into(),
                );
            } else if has(args, &["-l", "--list"]).is_none()
                && !ops.contains(&"print")
                && ops.len() <= 1
            {
                hit(
                    "disk.partition",
                    "`parted` without a command opens its interactive editor".into(),
                );
            }
        }
        "fdisk" | "cfdisk" if has(args, &["-l", "--list", "-x", "--list-details"]).is_none() => {
            hit(
                "disk.partition",
                format!("`{name}` edits the partition table"),
            )
        }
        "sfdisk" => {
            let read_only = [
                "-l", "--list", "-d", "--dump", "-J", "--json", "-s", "--show-size", "-V",
                "--verify", "-g", "--show-geometry", "-F", "--list-free", "-r",
                "--reorder-dry-run", "--part-type", "--part-label", "--part-uuid", "--part-attrs",
            ];
            let reads = has(args, &read_only).is_some()
                && has(args, &["--delete", "--reorder", "--relocate", "--wipe"]).is_none();
            if !reads {
                hit(
                    "disk.partition",
                    "`sfdisk` writes the partition table".into(),
                );
            }
        }
        "hdparm" => {
            if let Some(flag) = has(
                args,
                &[
                    "--security-erase", "--security-erase-enhanced", "--trim-sector-ranges",
                    "--trim-sector-ranges-stdin", "--write-sector", "--make-bad-sector",
                    "--dco-restore", "--fwdownload", "--security-set-pass",
                ],
            ) {
                hit(
                    "disk.hdparm",
                    format!("`hdparm {flag}` erases or rewrites the drive"),
                );
            }
        }
        "nvme"
            if matches!(
                sub,
                "format" | "sanitize" | "delete-ns" | "detach-ns" | "fw-activate" | "fw-commit"
            ) =>
        {
            hit(
                "disk.nvme",
                format!("`nvme {sub}` erases or detaches the namespace"),
            )
        }
        "cryptsetup"
            if ops.iter().any(|o| {
                matches!(
                    *o,
                    "luksFormat"
                        | "erase"
                        | "luksErase"
                        | "luksKillSlot"
                        | "reencrypt"
                        | "luksRemoveKey"
                )
            }) =>
        {
            hit(
                "disk.cryptsetup",
                format!("`cryptsetup {sub}` destroys keys or data on the device"),
            )
        }
        "badblocks" if has_short(args, "wn").is_some() => hit(
            "disk.badblocks",
            "`badblocks -w`/`-n` writes test patterns over the device".into(),
        ),
        "xfs_repair" if has(args, &["-L"]).is_some() => hit(
            "disk.repair",
            "`xfs_repair -L` zeroes the log and loses its transactions".into(),
        ),
        "mdadm" => {
            if let Some(flag) = has(
                args,
                &[
                    "--create", "-C", "--zero-superblock", "--remove", "-r", "--fail", "-f",
                    "--set-faulty", "--stop", "-S", "--grow", "-G", "--build", "-B",
                ],
            ) {
                hit(
                    "raid.mdadm",
                    format!("`mdadm {flag}` changes or destroys the array"),
                );
            }
        }
        "lvremove" | "vgremove" | "pvremove" | "lvreduce" | "vgreduce" | "pvcreate"
        | "lvresize" => hit(
            "volume.lvm",
            format!("`{name}` removes, shrinks or overwrites a volume"),
        ),
        "zpool"
            if matches!(
                sub,
                "destroy"
                    | "create"
                    | "labelclear"
                    | "remove"
                    | "detach"
                    | "offline"
                    | "export"
                    | "split"
                    | "replace"
                    | "reguid"
            ) =>
        {
            hit(
                "pool.zpool",
                format!("`zpool {sub}` changes or destroys the pool"),
            )
        }
        "zfs" if matches!(sub, "destroy" | "rollback") => {
            hit("pool.zfs", format!("`zfs {sub}` discards data"))
        }
        "zfs" if matches!(sub, "receive" | "recv") && has_short(args, "F").is_some() => hit(
            "pool.zfs",
            "`zfs receive -F` rolls the target back, discarding its changes".into(),
        ),
        "ceph" => ceph(&ops, &mut hit),
        "ceph-volume" if ops.contains(&"zap") => {
            hit("pool.ceph", "`ceph-volume lvm zap` wipes the device".into())
        }
        "rbd" if matches!(sub, "rm" | "remove" | "purge" | "trash") => {
            hit("pool.ceph", format!("`rbd {sub}` deletes images"))
        }
        "rados" if matches!(sub, "purge" | "rmpool" | "rm" | "cleanup") => {
            hit("pool.ceph", format!("`rados {sub}` deletes objects"))
        }
        "btrfs"
            if ops.windows(2).any(|w| {
                matches!(
                    w,
                    ["subvolume" | "sub", "delete" | "del"] | ["device", "remove" | "delete"]
                )
            }) || has(args, &["--repair"]).is_some() =>
        {
            hit(
                "volume.btrfs",
                "`btrfs` deletes a subvolume or device".into(),
            )
        }
        _ => {}
    }
    hits
}

fn ceph(ops: &[&str], hit: &mut impl FnMut(&'static str, String)) {
    let destructive = [
        ["osd", "pool", "delete"],
        ["osd", "pool", "rm"],
        ["osd", "purge", ""],
        ["osd", "destroy", ""],
        ["osd", "rm", ""],
        ["osd", "out", ""],
        ["osd", "crush", "remove"],
        ["osd", "crush", "rm"],
        ["fs", "rm", ""],
        ["fs", "fail", ""],
        ["mon", "remove", ""],
        ["mon", "rm", ""],
        ["auth", "del", ""],
        ["auth", "rm", ""],
        ["orch", "host", "rm"],
        ["orch", "daemon", "rm"],
        ["orch", "rm", ""],
    ];
    for d in destructive {
        let want: Vec<&str> = d.iter().copied().filter(|s| !s.is_empty()).collect();
        if ops.len() >= want.len() && ops[..want.len()] == want[..] {
            hit(
                "pool.ceph",
                format!("`ceph {}` deletes or removes cluster state", want.join(" ")),
            );
        }
    }
}
