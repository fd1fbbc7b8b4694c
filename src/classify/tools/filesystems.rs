//! Filesystems and the layers between them and the disk: repairing and
//! tuning (`xfs_repair -L`, `fsck -n`), mounting (`umount -f`), swap, loop
//! devices, device-mapper and multipath maps, and the drives' own
//! self-reports (`smartctl -a`).

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "xfs_repair" => {
            let p = parse(args, &Spec::new("lrLoc", &[]));
            if p.has(&["-L"]) {
                destroys(
                    "disk.repair", "`xfs_repair -L` zeroes the log and loses its transactions",
                )
            } else if p.has(&["-n"]) && !p.dynamic {
                Judgement::Safe
            } else {
                unknown("`xfs_repair` rewrites the filesystem's metadata")
            }
        }
        "xfs_db" | "xfs_growfs" | "xfs_admin" => {
            let p = parse(args, &Spec::new("cfpoLUDm", &[]));
            let read_only = match name {
                "xfs_db" => p.has(&["-r"]) && !p.has(&["-x"]),
                "xfs_growfs" => p.has(&["-n"]),
                _ => {
                    p.opts
                        .iter()
                        .all(|o| matches!(o.name.as_str(), "-l" | "-u"))
                        && !p.opts.is_empty()
                }
            };
            if read_only && !p.dynamic {
                Judgement::Safe
            } else {
                unknown(format!("`{name}` changes the filesystem"))
            }
        }
        "e2fsck" | "fsck" | "xfs_check" => fsck(name, args),
        n if n.starts_with("fsck.") => fsck(n, args),
        "tune2fs" | "e2label" | "xfs_freeze" | "fstrim" | "partprobe" | "kpartx" | "ledctl"
        | "resize2fs" => {
            let p = parse(args, &Spec::new("cCeEgiIJmMoOrTuUQ", &[]));
            // The read-only forms: `tune2fs -l`, `kpartx -l`, `e2label DEV`.
            let reads = match name {
                "tune2fs" => p.only(&["-l"]) && !p.opts.is_empty(),
                "kpartx" => p.only(&["-l", "-v", "-p", "-g"]) && p.has(&["-l"]),
                "e2label" => p.operands.len() == 1 && !p.dynamic,
                _ => false,
            };
            if reads {
                Judgement::Safe
            } else if name == "kpartx" && p.has(&["-d"]) {
                destroys(
                    "disk.partition", "`kpartx -d` removes the partition mappings",
                )
            } else {
                unknown(format!("`{name}` changes the device or filesystem"))
            }
        }
        "debugfs" => {
            let p = parse(args, &Spec::new("bsfRdz", &[]));
            if p.has(&["-w"]) || p.dynamic {
                unknown("`debugfs -w` opens the filesystem for writing")
            } else {
                Judgement::Safe
            }
        }
        "blockdev" => {
            let all_reads = !args.is_empty()
                && args.iter().all(|w| {
                    w.fixed()
                        && (!w.text.starts_with("--")
                            || w.text.starts_with("--get")
                            || w.text == "--report"
                            || w.text == "-v"
                            || w.text == "-q")
                });
            if all_reads {
                Judgement::Safe
            } else {
                unknown("`blockdev --set...`/`--flushbufs`/`--rereadpt` change the device")
            }
        }
        "smartctl" => smartctl(args),
        "multipath" => {
            let p = parse(args, &Spec::new("vbBpiRwWTtdecC", &[]));
            if p.has(&["-F", "-f"]) {
                destroys(
                    "disk.multipath", "`multipath -f`/`-F` flushes multipath maps: their I/O stops",
                )
            } else if p.has(&["-l"]) || p.has(&["-d"]) || p.has(&["-t"]) {
                if p.dynamic {
                    unknown("`multipath` has words only known when the shell runs")
                } else {
                    Judgement::Safe
                }
            } else {
                unknown("`multipath` without `-l`/`-ll` creates or reloads maps")
            }
        }
        "dmsetup" => DMSETUP.judge(args),
        "mount" => {
            let p = parse(
                args,
                &Spec::new(
                    "tOoLUBMRNT",
                    &[
                        "types=", "options=", "test-opts=", "label=", "uuid=", "source=",
                        "target=", "namespace=", "fstab=", "show-labels", "verbose", "help",
                        "version",
                    ],
                ),
            );
            if p.operands.is_empty()
                && p.only(&[
                    "-l", "--show-labels", "-v", "--verbose", "-t", "--types", "-h", "--help",
                    "-V", "--version",
                ])
            {
                Judgement::Safe
            } else {
                unknown("`mount` mounts or remounts filesystems")
            }
        }
        "umount" => {
            let p = parse(
                args,
                &Spec::new("tOqN", &["types=", "test-opts=", "namespace="]),
            );
            if let Some(o) = p.get(&[
                "-f", "--force", "-l", "--lazy", "-a", "--all", "-R", "--recursive",
            ]) {
                destroys(
                    "disk.umount",
                    format!(
                        "`umount {}` takes filesystems away from the programs using them",
                        o.name
                    ),
                )
            } else {
                unknown("`umount` takes a filesystem away from its users")
            }
        }
        "swapon" => {
            let p = parse(
                args,
                &Spec::new(
                    "pLUo",
                    &[
                        "priority=", "options=", "show?", "summary", "bytes", "noheadings", "raw",
                        "help", "version", "verbose",
                    ],
                ),
            );
            if (p.operands.is_empty() && p.opts.is_empty())
                || p.only(&[
                    "--show", "-s", "--summary", "--bytes", "--noheadings", "--raw", "-h",
                    "--help", "-V", "--version",
                ]) && !p.opts.is_empty()
            {
                Judgement::Safe
            } else {
                unknown("`swapon` turns swap space on")
            }
        }
        "swapoff" => {
            unknown("`swapoff` moves swapped memory back in, and can run the host out of memory")
        }
        "losetup" => {
            let p = parse(args, &Spec::new("oOjS", &[]));
            if p.operands.len() <= 1
                && p.only(&[
                    "-l", "--list", "-a", "--all", "-j", "--associated", "-n", "--noheadings",
                    "-O", "--output", "--json", "--raw", "-J",
                ])
            {
                Judgement::Safe
            } else {
                unknown("`losetup` sets up or detaches loop devices")
            }
        }
        "fallocate" => {
            let p = parse(args, &Spec::new("lo", &[]));
            if p.has(&[
                "-p", "--punch-hole", "-z", "--zero-range", "-c", "--collapse-range", "-d",
                "--dig-holes",
            ]) {
                destroys(
                    "files.truncate", "`fallocate` punches, zeroes or collapses ranges of the file",
                )
            } else {
                unknown("`fallocate` allocates space for a file")
            }
        }
        _ => return None,
    })
}

fn fsck(name: &str, args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("tbBlCEjLz", &[]));
    if p.has(&["-n", "-N"]) && !p.has(&["-y", "-p", "-a", "-f"]) && !p.dynamic {
        Judgement::Safe
    } else {
        unknown(format!(
            "`{name}` repairs the filesystem; on a mounted one that can destroy it"
        ))
    }
}

fn smartctl(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "dTbnlfFvqg",
            &[
                "device=", "tolerance=", "badsum=", "nocheck=", "log=", "format=",
                "vendorattribute=", "quietmode=", "get=", "set=", "smart=", "offlineauto=",
                "saveauto=", "test=", "presets=", "drivedb=", "identify?", "json?", "all", "xall",
                "info", "health", "capabilities", "attributes", "scan", "scan-open", "abort",
                "captive", "help", "version", "license", "report=",
            ],
        ),
    );
    let changing = [
        "-t", "--test", "-s", "--smart", "-o", "--offlineauto", "-S", "--saveauto", "-X",
        "--abort", "-C", "--captive", "--set",
    ];
    if let Some(o) = changing.iter().find(|o| p.has(&[o])) {
        return unknown(format!(
            "`smartctl {o}` starts a test or changes the drive's settings"
        ));
    }
    if p.dynamic {
        return unknown("`smartctl` has words only known when the shell runs");
    }
    Judgement::Safe
}

const DMSETUP: Commands = Commands {
    tool: "dmsetup",
    spec: Spec::new("cjmnuUoSr", &[]),
    safe: &[
        "", "ls", "info", "status", "table", "deps", "targets", "version", "udevcookies",
        "stats list", "stats print", "stats report", "help",
    ],
    destructive: &[
        (
            "remove", "disk.dmsetup", "removes the device mapping: its I/O stops",
        ),
        ("remove_all", "disk.dmsetup", "removes every device mapping"),
        (
            "wipe_table", "disk.dmsetup", "replaces the table with one that fails all I/O",
        ),
        ("clear", "disk.dmsetup", "clears the inactive table"),
        (
            "suspend", "disk.dmsetup", "suspends the device: its I/O hangs",
        ),
        (
            "reload", "disk.dmsetup", "loads a new table into the device",
        ),
    ],
    writes: &[],
};
