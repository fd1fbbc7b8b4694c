//! Filesystems and the layers between them and the disk: repairing and
//! tuning (`xfs_repair -L`, `fsck -n`), mounting (`umount -f`), swap, loop
//! devices, device-mapper and multipath maps, and the drives' own
//! self-reports (`smartctl -a`).

use super::{Commands, Judgement, destroys, only_options, unknown};
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
        "debugfs" => debugfs(args),
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
        "multipath" => multipath(args),
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
                    "pLUoT",
                    &[
                        "priority=", "options=", "show?", "summary", "bytes", "noheadings", "raw",
                        "help", "version", "verbose", "all", "discard?", "ifexists", "fixpgsz",
                        "fstab=", "output-all",
                    ],
                ),
            );
            // With a device (or `-a`) it turns swap on; without one it
            // lists, `--raw`, `--bytes` and `--noheadings` shaping the list.
            if p.operands.is_empty()
                && p.only(&[
                    "--show", "-s", "--summary", "--bytes", "--noheadings", "--raw", "-h",
                    "--help", "-V", "--version",
                ])
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

const SMARTCTL_SPEC: Spec = Spec::new(
    "qdTbrsoSlvPtFnBfg",
    &[
        "help", "usage", "version", "copyright", "license", "quietmode=", "device=", "tolerance=",
        "badsum=", "report=", "smart=", "offlineauto=", "saveauto=", "health", "capabilities",
        "attributes", "log=", "info", "all", "xall", "vendorattribute=", "presets=", "test=",
        "captive", "abort", "firmwarebug=", "nocheck=", "drivedb=", "format=", "get=", "json?",
        "identify?", "set=", "scan", "scan-open",
    ],
);

/// smartctl's options that only read or shape the output: `-s`/`--smart`,
/// `--set`, `-o`, `-S` change the drive's settings, `-t`, `-C`, `-X` start
/// or stop tests.
const SMARTCTL_READS: &[&str] = &[
    "-h", "-?", "--help", "--usage", "-V", "--version", "--copyright", "--license", "-q",
    "--quietmode", "-d", "--device", "-T", "--tolerance", "-b", "--badsum", "-r", "--report", "-H",
    "--health", "-c", "--capabilities", "-A", "--attributes", "-l", "--log", "-i", "--info", "-a",
    "--all", "-x", "--xall", "-v", "--vendorattribute", "-P", "--presets", "-F", "--firmwarebug",
    "-n", "--nocheck", "-B", "--drivedb", "-f", "--format", "-g", "--get", "-j", "--json",
    "--identify", "--scan", "--scan-open",
];

/// `-l` logs that only read; `scterc,N,M`, `scttempint,N`, `sasphy,reset`
/// and `sataphy,reset` set or reset what they name. The first group take
/// numbers after them (`xerror,50`), the second nothing.
const SMARTCTL_LOGS: (&[&str], &[&str]) = (
    &[
        "xerror", "xselftest", "devstat", "defects", "directory", "gplog", "smartlog", "nvmelog",
    ],
    &[
        "error", "selftest", "selective", "background", "scttemp", "scttempsts", "scttemphist",
        "scterc", "sasphy", "sataphy", "ssd", "envrep", "farm", "tapealert", "tapedevstat",
        "zdevstat", "genstats",
    ],
);

fn smartctl(args: &[Word]) -> Judgement {
    let p = parse(args, &SMARTCTL_SPEC);
    let (with_args, bare) = SMARTCTL_LOGS;
    let changing_log = p
        .opts
        .iter()
        .filter(|o| matches!(o.name.as_str(), "-l" | "--log"))
        .map(|o| o.value.as_deref().unwrap_or(""))
        .find(|log| {
            let name = log.split(',').next().unwrap_or("");
            !(bare.contains(log) || with_args.contains(&name))
        });
    if let Some(log) = changing_log {
        return unknown(format!(
            "`smartctl -l {log}` is not a log opsguard knows to only read (`scterc,N,M` sets the timer)"
        ));
    }
    only_options("smartctl", &p, SMARTCTL_READS)
}

/// debugfs requests that only read the filesystem and print to standard
/// output; `dump`, `rdump`, `logdump` and `ea_get -f` write files on the
/// host, and a request starting with `!` runs a shell command.
const DEBUGFS_READS: &[&str] = &[
    "stats", "show_super_stats", "stat", "show_inode_info", "ls", "list_directory", "ncheck",
    "icheck", "blocks", "testb", "testi", "ffb", "find_free_block", "ffi", "find_free_inode",
    "imap", "idump", "inode_dump", "dump_extents", "extents", "ex", "filefrag", "htree",
    "htree_dump", "dx_hash", "hash", "dirsearch", "lsdel", "list_deleted_inodes", "cat", "ea_list",
    "pwd", "print_working_directory", "supported_features", "show_debugfs_params", "params",
    "dump_mmp", "block_dump", "bd", "help", "list_requests", "lr",
];

fn debugfs(args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("bsfRdz", &[]));
    // Without `-R` it reads its requests from standard input; `-f` from a
    // file; `-w` opens the filesystem for writing; `-z` writes an undo file.
    let Some(request) = p.value(&["-R"]) else {
        return unknown("`debugfs` without `-R` runs the requests it reads from its input");
    };
    let command = request.split_whitespace().next().unwrap_or("");
    if !DEBUGFS_READS.contains(&command) {
        return unknown(format!(
            "`debugfs -R '{command} ...'` is not a request opsguard knows to only read"
        ));
    }
    only_options(
        "debugfs",
        &p,
        &["-R", "-c", "-i", "-b", "-s", "-d", "-D", "-n", "-V"],
    )
}

fn multipath(args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("vpbRM", &[]));
    if p.has(&["-F", "-f"]) {
        return destroys(
            "disk.multipath", "`multipath -f`/`-F` flushes multipath maps: their I/O stops",
        );
    }
    // The last mode wins, and without a listing one it creates or reloads
    // maps; `-a`, `-w` and `-W` change the wwids file, `-r` reloads.
    if !p.has(&["-l", "-d", "-t", "-h"]) {
        return unknown("`multipath` without `-l`/`-ll` creates or reloads maps");
    }
    only_options("multipath", &p, &["-l", "-d", "-t", "-h", "-v", "-i", "-B"])
}

/// `--verbose` is left out: dmsetup has taken a value for it, so the
/// word after it may be the command or not, and the form is not known.
const DMSETUP: Commands = Commands {
    tool: "dmsetup",
    spec: Spec::new(
        "GjmMoOSuU",
        &[
            "addnodeoncreate", "addnodeonresume", "alias=", "alldevices", "allprograms",
            "allregions", "area", "areas=", "areasize=", "bounds=", "checks", "clear", "columns",
            "concise", "count=", "deferred", "exec=", "filemap", "follow=", "force", "foreground",
            "gid=", "group", "groupid=", "headings=", "help", "histogram", "inactive", "interval=",
            "length=", "major=", "manglename=", "minor=", "mode=", "nameprefixes", "noflush",
            "nogroup", "noheadings", "nolockfs", "nomonitor", "noopencount", "nosuffix", "notable",
            "notimesuffix", "noudevrules", "noudevsync", "options=", "precise", "programid=",
            "raw", "readahead=", "readonly", "region", "regionid=", "regions=", "relative",
            "retry", "rows", "segments", "select=", "separator=", "setuuid", "showkeys", "sort=",
            "start=", "table=", "target=", "tree", "udevcookie=", "uid=", "unbuffered", "units=",
            "unquoted", "userdata=", "uuid=", "verifyudev", "version", "yes",
        ],
    ),
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
    writes: &[("--exec", "runs a command for every device it lists")],
};
