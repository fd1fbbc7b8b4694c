//! Partition editors (`parted`, `sgdisk`, `sfdisk`, and `fdisk`-like
//! tools through `disk.rs`): read-only only in their listing forms, which
//! each spells its own way (parted's commands by unique prefix, sfdisk's
//! last action, sgdisk's print options); every other form rewrites the
//! table or is not known to be safe.

use super::{Judgement, destroys, only_options, prefixed, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

/// Partition editors: read-only only in their listing forms.
pub fn judge(name: &str, args: &[Word]) -> Judgement {
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
