//! The destructive-command rules: one command name and its arguments in,
//! the rules that match out.
//!
//! Rules are grouped by family and each has a stable id (`disk.mkfs`,
//! `raid.mdadm`, ...). Where a tool is mostly read-only, only its writing
//! subcommands are listed; where it is mostly writing (partition editors),
//! only its read-only forms are let through.

use super::lexer::Word;

type Hit = (&'static str, String);

fn has(args: &[Word], any: &[&str]) -> Option<String> {
    args.iter()
        .map(|w| w.text.as_str())
        .find(|t| {
            any.iter()
                .any(|a| t == a || (a.starts_with("--") && t.starts_with(&format!("{a}="))))
        })
        .map(str::to_string)
}

/// Short flags combined in one word: `-rf` has `r` and `f`.
fn has_short(args: &[Word], letters: &str) -> Option<String> {
    args.iter()
        .map(|w| w.text.as_str())
        .take_while(|t| *t != "--")
        .find(|t| {
            t.starts_with('-')
                && !t.starts_with("--")
                && t[1..].chars().any(|c| letters.contains(c))
        })
        .map(str::to_string)
}

/// The first argument that is not an option: a subcommand.
fn operands(args: &[Word]) -> Vec<&str> {
    args.iter()
        .map(|w| w.text.as_str())
        .filter(|t| !t.starts_with('-'))
        .collect()
}

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
                "-p",
                "--print",
                "-i",
                "--info",
                "-v",
                "--verify",
                "-L",
                "--list-types",
                "-b",
                "--backup",
                "-l",
                "--list",
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
                "mklabel",
                "mktable",
                "mkpart",
                "rm",
                "resizepart",
                "rescue",
                "name",
                "set",
                "toggle",
                "disk_set",
                "align-check",
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
                "-l",
                "--list",
                "-d",
                "--dump",
                "-J",
                "--json",
                "-s",
                "--show-size",
                "-V",
                "--verify",
                "-g",
                "--show-geometry",
                "-F",
                "--list-free",
                "-r",
                "--reorder-dry-run",
                "--part-type",
                "--part-label",
                "--part-uuid",
                "--part-attrs",
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
                    "--security-erase",
                    "--security-erase-enhanced",
                    "--trim-sector-ranges",
                    "--trim-sector-ranges-stdin",
                    "--write-sector",
                    "--make-bad-sector",
                    "--dco-restore",
                    "--fwdownload",
                    "--security-set-pass",
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
                    "--create",
                    "-C",
                    "--zero-superblock",
                    "--remove",
                    "-r",
                    "--fail",
                    "-f",
                    "--set-faulty",
                    "--stop",
                    "-S",
                    "--grow",
                    "-G",
                    "--build",
                    "-B",
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
        "rm" => {
            if let Some(flag) = has(args, &["--recursive", "--force", "--no-preserve-root"])
                .or_else(|| has_short(args, "rRf"))
            {
                hit(
                    "files.rm",
                    format!("`rm {flag}` removes files recursively or without asking"),
                );
            }
        }
        "find" if has(args, &["-delete"]).is_some() => {
            hit(
                "files.find-delete",
                "`find -delete` removes what it finds".into(),
            );
        }
        "rsync" => {
            if let Some(flag) = has(
                args,
                &[
                    "--delete",
                    "--delete-before",
                    "--delete-during",
                    "--delete-delay",
                    "--delete-after",
                    "--delete-excluded",
                    "--del",
                    "--remove-source-files",
                ],
            ) {
                hit(
                    "files.rsync-delete",
                    format!("`rsync {flag}` deletes files"),
                );
            }
        }
        "crontab" if has_short(args, "r").is_some() => hit(
            "files.crontab",
            "`crontab -r` removes the whole crontab".into(),
        ),
        "tee" | "cp" | "install" | "mv" => {
            if let Some(dev) = args
                .iter()
                .filter_map(|w| device_target(&w.text).map(|_| w.text.clone()))
                .next()
            {
                hit(
                    "disk.write",
                    format!("`{name}` writes onto the block device `{dev}`"),
                );
            }
        }
        "reboot" | "shutdown" | "poweroff" | "halt" => {
            hit("power.off", format!("`{name}` takes the host down"))
        }
        "init" | "telinit"
            if ops
                .iter()
                .any(|o| matches!(*o, "0" | "6" | "1" | "s" | "S")) =>
        {
            hit("power.off", format!("`{name} {sub}` changes the run level"))
        }
        "kexec" if has(args, &["-e", "--exec"]).is_some() => {
            hit("power.off", "`kexec -e` reboots into another kernel".into())
        }
        "systemctl" => {
            let stopping = [
                "stop",
                "restart",
                "disable",
                "kill",
                "mask",
                "isolate",
                "reboot",
                "poweroff",
                "halt",
                "kexec",
                "emergency",
                "rescue",
                "try-restart",
                "reload-or-restart",
                "try-reload-or-restart",
                "force-reload",
                "condrestart",
                "suspend",
                "hibernate",
                "soft-reboot",
                "default",
                "clean",
                "freeze",
            ];
            if stopping.contains(&sub) {
                hit(
                    "service.systemctl",
                    format!("`systemctl {sub}` stops, restarts or disables services"),
                );
            }
        }
        "service"
            if ops.get(1).is_some_and(|a| {
                matches!(
                    *a,
                    "stop"
                        | "restart"
                        | "force-reload"
                        | "try-restart"
                        | "condrestart"
                        | "force-stop"
                )
            }) =>
        {
            hit(
                "service.stop",
                format!("`service {} {}` stops or restarts the service", sub, ops[1]),
            )
        }
        "kill" => {
            let nine = ["-9", "-KILL", "-SIGKILL", "-s9", "-sKILL", "-sSIGKILL"];
            let by_name = args.windows(2).any(|w| {
                matches!(w[0].text.as_str(), "-s" | "-n" | "--signal")
                    && matches!(w[1].text.as_str(), "9" | "KILL" | "SIGKILL" | "kill")
            });
            if has(args, &nine).is_some() || by_name {
                hit(
                    "service.kill",
                    "`kill -9` kills processes without letting them clean up".into(),
                );
            }
        }
        "killall" | "pkill" | "killall5" => hit(
            "service.kill",
            format!("`{name}` kills every process that matches"),
        ),
        "dropdb" | "dropuser" => hit("db.drop", format!("`{name}` deletes a database or role")),
        "mysqladmin" | "mariadb-admin" if ops.iter().any(|o| matches!(*o, "drop" | "shutdown")) => {
            hit(
                "db.drop",
                format!("`{name}` drops a database or shuts the server down"),
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

/// `/etc/init.d/NAME stop`: the path matters, not just its last part.
pub fn init_script(path: &str, args: &[Word]) -> Option<Hit> {
    let name = path
        .strip_prefix("/etc/init.d/")
        .or_else(|| path.strip_prefix("/etc/rc.d/init.d/"))?;
    let action = args.first()?.text.as_str();
    matches!(
        action,
        "stop" | "restart" | "force-reload" | "force-stop" | "try-restart"
    )
    .then(|| {
        (
            "service.stop",
            format!("`{name} {action}` stops or restarts the service"),
        )
    })
}

pub fn is_database_client(name: &str) -> bool {
    matches!(
        name,
        "mysql"
            | "mariadb"
            | "psql"
            | "sqlite3"
            | "mongo"
            | "mongosh"
            | "redis-cli"
            | "valkey-cli"
            | "clickhouse-client"
            | "clickhouse"
            | "cqlsh"
            | "sqlcmd"
            | "influx"
            | "cockroach"
    )
}

/// A statement that deletes data, if `text` holds one.
pub fn database_statement(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '('))
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        match pair {
            [
                "drop",
                what @ ("database" | "table" | "schema" | "keyspace" | "index" | "collection"
                | "user" | "role" | "owned"),
            ] => {
                return Some(format!("`DROP {}` deletes data", what.to_uppercase()));
            }
            ["truncate", _] => return Some("`TRUNCATE` deletes every row".into()),
            ["delete", "from"] => return Some("`DELETE FROM` deletes rows".into()),
            _ => {}
        }
    }
    words.iter().find_map(|w| match *w {
        "flushall" | "flushdb" => Some(format!("`{}` deletes every key", w.to_uppercase())),
        w if w.contains("dropdatabase(") || w.ends_with(".drop(") || w.contains(".deletemany(") => {
            Some(format!("`{w}` deletes data"))
        }
        _ => None,
    })
}

/// Why writing to `path` destroys data, if it is a block device (or the
/// kernel's sysrq trigger).
pub fn device_target(path: &str) -> Option<String> {
    let dev = path.strip_prefix("/dev/")?;
    let harmless = [
        "null", "zero", "stdout", "stderr", "stdin", "tty", "console", "full", "random", "urandom",
        "kmsg", "ptmx",
    ];
    if harmless.contains(&dev)
        || dev.starts_with("fd/")
        || dev.starts_with("pts/")
        || dev.starts_with("tty")
        || dev.starts_with("shm/")
    {
        return None;
    }
    Some(format!("writing to `{path}` overwrites the device"))
}
