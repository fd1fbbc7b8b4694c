//! Disks, partition tables, filesystems and the kernel's device files:
//! what writes them (`mkfs`, `wipefs -a`, `dd of=`, partition editors,
//! writes onto `/dev/sdb` or `/sys/.../delete`), and their read-only forms
//! (`wipefs` without `-a` only lists, `mke2fs -n`, `fdisk -l`,
//! `smartctl -a`).

use super::{Commands, Judgement, destroys, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

/// Where a write lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Nothing is lost: `/dev/null`, the terminal.
    Harmless,
    /// A device or a kernel file whose write destroys or stops something.
    Destroys(&'static str, String),
    /// A kernel setting under `/proc/sys` or `/sys`.
    Kernel,
    /// A regular file, as far as the path says.
    File,
}

/// `//dev/./sdb` → `/dev/sdb`: the path as the kernel resolves its
/// letters (`.`, `..`, repeated slashes), without looking at the disk.
pub fn normal(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// What writing to `path` does.
pub fn target(path: &str) -> Target {
    let p = normal(path);
    // `..` is read by the kernel through symbolic links (`/dev/fd` is one),
    // so the folder it leads to is not what the spelling says: such a path
    // is only known to be harmless spelled plainly.
    let plain = !path.split('/').any(|part| part == "..");
    if super::readonly::harmless_sink(&p) {
        return if plain {
            Target::Harmless
        } else {
            Target::File
        };
    }
    if let Some(dev) = p.strip_prefix("/dev/") {
        // Files that are not devices: what descriptor 0 or N is open on
        // (`cat < f > /dev/stdin` empties f), shared memory, init's pipe.
        let files = ["stdin", "initctl", "log"];
        if files.contains(&dev)
            || ["fd/", "shm/", "mqueue/"]
                .iter()
                .any(|d| dev.starts_with(d))
        {
            return Target::File;
        }
        let harmless = ["zero", "full", "random", "urandom", "kmsg", "ptmx"];
        if harmless.contains(&dev) || dev.starts_with("tty") {
            return if plain {
                Target::Harmless
            } else {
                Target::File
            };
        }
        return Target::Destroys(
            "disk.write",
            format!("writes onto the device `{p}`, overwriting what it holds"),
        );
    }
    if p == "/proc/sysrq-trigger" {
        return Target::Destroys(
            "power.sysrq",
            "writes to `/proc/sysrq-trigger`: the kernel reboots, halts or kills at once".into(),
        );
    }
    if p == "/sys/power/state" {
        return Target::Destroys(
            "power.off",
            "writes to `/sys/power/state`: the host suspends or powers off".into(),
        );
    }
    if p.starts_with("/sys/") {
        let last = p.rsplit('/').next().unwrap_or("");
        if matches!(last, "delete" | "remove" | "unbind" | "offline") || p.ends_with("/online") {
            return Target::Destroys(
                "disk.sysfs",
                format!("writes to `{p}`: the kernel detaches or removes the device"),
            );
        }
        return Target::Kernel;
    }
    if p.starts_with("/proc/") {
        return Target::Kernel;
    }
    Target::File
}

/// The rule and reason when writing to `path` is destructive.
pub fn write_target(path: &str) -> Option<(&'static str, String)> {
    match target(path) {
        Target::Destroys(rule, reason) => Some((rule, reason)),
        _ => None,
    }
}

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        n if n == "mkfs"
            || n.starts_with("mkfs.")
            || matches!(
                n,
                "mke2fs" | "mkswap" | "mkdosfs" | "mkntfs" | "mkexfatfs" | "mkfs_xfs"
            ) =>
        {
            mkfs(n, args)
        }
        "wipefs" => {
            let p = parse(
                args,
                &Spec::new(
                    "oOtb",
                    &[
                        "all", "backup?", "force", "noheadings", "json", "lock?", "no-act",
                        "offset=", "output=", "parsable", "quiet", "types=", "help", "version",
                    ],
                ),
            );
            if p.has(&["-n", "--no-act"]) {
                Judgement::Safe
            } else if p.has(&["-a", "--all", "-o", "--offset"]) {
                destroys(
                    "disk.wipefs", "`wipefs` erases filesystem and partition signatures",
                )
            } else if p.dynamic {
                unknown("`wipefs` has words only known when the shell runs; `-a` erases")
            } else {
                Judgement::Safe
            }
        }
        "dd" => dd(args),
        "shred" | "wipe" | "scrub" | "srm" | "sfill" => destroys(
            "disk.shred",
            format!("`{name}` overwrites data beyond recovery"),
        ),
        "blkdiscard" => destroys(
            "disk.blkdiscard", "`blkdiscard` discards every block of the device",
        ),
        "sg_format" | "sg_sanitize" | "sg_unmap" | "sg_write_same" => {
            destroys("disk.scsi", format!("`{name}` erases the device"))
        }
        "sgdisk" | "gdisk" | "cgdisk" | "fixparts" | "parted" | "fdisk" | "cfdisk" | "sfdisk" => {
            super::partitions::judge(name, args)
        }
        "hdparm" => hdparm(args),
        "nvme" => NVME.judge(args),
        "cryptsetup" => cryptsetup(args),
        "badblocks" => {
            let p = parse(args, &Spec::new("bcdeioptx", &[]));
            if p.has(&["-w", "-n"]) {
                destroys(
                    "disk.badblocks", "`badblocks -w`/`-n` writes test patterns over the device",
                )
            } else {
                only_options(
                    "badblocks",
                    &p,
                    &[
                        "-b", "-c", "-d", "-e", "-i", "-p", "-t", "-s", "-v", "-f", "-B", "-X",
                    ],
                )
            }
        }
        _ => return None,
    })
}

fn mkfs(name: &str, args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("tbCcEfgGiIjJlLmMNoOrTUdeskpqKn", &[]));
    let dry = match name {
        "mkfs.xfs" | "mkfs_xfs" => p.has(&["-N"]),
        "mke2fs" | "mkfs.ext2" | "mkfs.ext3" | "mkfs.ext4" => p.has(&["-n"]),
        "mkfs" => matches!(p.value(&["-t"]), Some("ext2" | "ext3" | "ext4")) && p.has(&["-n"]),
        _ => false,
    };
    if dry && !p.dynamic {
        Judgement::Safe
    } else {
        destroys(
            "disk.mkfs",
            format!("`{name}` creates a filesystem, erasing what the device held"),
        )
    }
}

fn dd(args: &[Word]) -> Judgement {
    let mut of = None;
    for w in args {
        if let Some(t) = w.text.strip_prefix("of=") {
            of = Some((t.to_string(), w.dynamic));
        } else if w.dynamic && !w.text.contains('=') {
            return unknown("`dd` has an operand only known when the shell runs; it may be `of=`");
        }
    }
    match of {
        None => Judgement::Safe,
        Some((t, false)) if super::readonly::harmless_sink(&t) => Judgement::Safe,
        Some((t, _)) => destroys("disk.dd", format!("`dd` writes to `{t}`")),
    }
}

fn hdparm(args: &[Word]) -> Judgement {
    let erase = [
        "--security-erase", "--security-erase-enhanced", "--trim-sector-ranges",
        "--trim-sector-ranges-stdin", "--write-sector", "--make-bad-sector", "--dco-restore",
        "--fwdownload", "--fwdownload-mode3", "--fwdownload-mode3-max", "--fwdownload-mode7",
        "--security-set-pass", "--security-disable", "--drq-hsm-error", "--repair-sector", "-Z",
    ];
    if let Some(w) = args.iter().find(|w| {
        erase
            .iter()
            .any(|e| w.text == *e || w.text.starts_with(&format!("{e}=")))
    }) {
        return destroys(
            "disk.hdparm",
            format!("`hdparm {}` erases or rewrites the drive", w.text),
        );
    }
    let reads = args.iter().all(|w| {
        w.fixed()
            && (matches!(
                w.text.as_str(),
                "-I" | "-i"
                    | "-t"
                    | "-T"
                    | "-tT"
                    | "-Tt"
                    | "-g"
                    | "-C"
                    | "-H"
                    | "-v"
                    | "--direct"
                    | "-N"
                    | "-B"
                    | "-a"
                    | "-W"
                    | "-M"
                    | "-A"
                    | "-r"
            ) || w.text.starts_with("/dev/"))
    });
    if reads && !args.is_empty() {
        Judgement::Safe
    } else {
        unknown("`hdparm` with a value sets drive parameters")
    }
}

/// How cryptsetup reads its options (popt: `--name value` or
/// `--name=value`), so that a value is not taken for the action.
const CRYPTSETUP_SPEC: Spec = Spec::new(
    "cdhiklMorsStTbIpL",
    &[
        "cipher=", "hash=", "key-file=", "keyfile-size=", "keyfile-offset=", "new-keyfile-size=",
        "new-keyfile-offset=", "key-size=", "key-slot=", "size=", "offset=", "skip=", "iter-time=",
        "timeout=", "tries=", "header=", "type=", "uuid=", "label=", "subsystem=",
        "master-key-file=", "volume-key-file=", "header-backup-file=", "json-file=", "token-id=",
        "token-type=", "key-description=", "pbkdf=", "integrity=", "sector-size=",
        "veracrypt-pim=", "external-tokens-path=", "dump-master-key", "dump-volume-key",
        "dump-json-metadata", "disable-locks", "disable-external-tokens", "token-only",
        "batch-mode", "verbose", "debug", "debug-json", "readonly", "version", "help", "usage",
    ],
);

/// Options the read-only actions may be given: none writes a file or
/// changes the header (`luksUUID --uuid` sets the UUID, `luksDump
/// --volume-key-file` writes the key to a file).
const CRYPTSETUP_READS: &[&str] = &[
    "-v", "--verbose", "--debug", "--debug-json", "-q", "--batch-mode", "--type", "-M", "--header",
    "-d", "--key-file", "-l", "--keyfile-size", "--keyfile-offset", "-S", "--key-slot", "-t",
    "--timeout", "-T", "--tries", "--disable-locks", "--disable-external-tokens", "--token-id",
    "--token-type", "--token-only", "--dump-json-metadata", "--dump-master-key",
    "--dump-volume-key", "-c", "--cipher", "-h", "--hash", "-s", "--key-size", "-V", "--version",
    "--help", "--usage",
];

fn cryptsetup(args: &[Word]) -> Judgement {
    let p = parse(args, &CRYPTSETUP_SPEC);
    let destroying = [
        "luksFormat", "erase", "luksErase", "luksKillSlot", "reencrypt", "luksRemoveKey", "repair",
        "convert",
    ];
    if let Some(a) = p.operands.iter().find(|o| destroying.contains(&o.as_str())) {
        return destroys(
            "disk.cryptsetup",
            format!("`cryptsetup {a}` destroys keys or data on the device"),
        );
    }
    let reading = matches!(
        p.operand(0),
        "status"
            | "luksDump"
            | "luksUUID"
            | "isLuks"
            | "tcryptDump"
            | "bitlkDump"
            | "fvault2Dump"
            | "benchmark"
    ) || p.operands.is_empty() && p.has(&["--version", "-V", "--help", "--usage"]);
    if reading {
        return only_options(
            &format!("cryptsetup {}", p.operand(0)),
            &p,
            CRYPTSETUP_READS,
        );
    }
    unknown(format!(
        "`cryptsetup {}` opens, closes or changes an encrypted device",
        p.operand(0)
    ))
}

const NVME: Commands = Commands {
    tool: "nvme",
    spec: Spec::new(
        "nosulfdNOteicga",
        &[
            "output-format=", "output-file=", "verbose", "raw-binary", "human-readable",
            "vendor-specific", "namespace-id=", "log-entries=", "log-id=", "log-len=", "lpo=",
            "lsp=", "lsi=", "rae", "uuid-index=", "csi=", "ot", "xfer-len=", "feature-id=", "sel=",
            "data-len=", "cdw11=", "dst-entries=", "group-id=", "groups", "action=", "offset=",
            "all", "ranking=", "timeout=", "cntid=", "num-entries=", "force", "help", "version",
        ],
    ),
    // `telemetry-log` always saves the log to a file, and `discover`
    // connects to a fabric and can write the log (`--raw FILE`): neither is
    // read-only.
    safe: &[
        "", "list", "list-subsys", "list-ns", "list-ctrl", "smart-log", "id-ctrl", "id-ns",
        "id-ns-granularity", "id-nvmset", "id-uuid", "id-domain", "id-iocs", "error-log", "fw-log",
        "get-log", "get-feature", "show-regs", "effects-log", "self-test-log", "endurance-log",
        "sanitize-log", "supported-log-pages", "show-topology", "version", "help", "ns-descs",
        "ana-log", "persistent-event-log", "primary-ctrl-caps", "list-secondary", "get-property",
    ],
    destructive: &[
        ("format", "disk.nvme", "erases the namespace"),
        ("sanitize", "disk.nvme", "erases every block of the drive"),
        (
            "delete-ns", "disk.nvme", "deletes the namespace and its data",
        ),
        (
            "detach-ns", "disk.nvme", "detaches the namespace from the controller",
        ),
        (
            "fw-activate", "disk.nvme", "activates new firmware (the drive resets)",
        ),
        (
            "fw-commit", "disk.nvme", "activates new firmware (the drive resets)",
        ),
        ("fw-download", "disk.nvme", "loads firmware onto the drive"),
        ("write-zeroes", "disk.nvme", "zeroes blocks"),
        ("write-uncor", "disk.nvme", "marks blocks unreadable"),
        ("write", "disk.nvme", "writes blocks"),
        (
            "dsm", "disk.nvme", "deallocates blocks (their data is gone)",
        ),
        ("reset", "disk.nvme", "resets the controller"),
        ("subsystem-reset", "disk.nvme", "resets the subsystem"),
        (
            "disconnect", "disk.nvme", "disconnects the fabric controller",
        ),
        (
            "disconnect-all", "disk.nvme", "disconnects every fabric controller",
        ),
    ],
    writes: &[("--output-file", "saves the log to a file")],
};
