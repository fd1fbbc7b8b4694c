//! What a storage host exports or replicates: DRBD, iSCSI (`iscsiadm`,
//! `targetcli`, `tgtadm`) and NFS exports. Taking a device down, demoting
//! it, logging out of or deleting a target, or unexporting a share takes
//! it away from its users; status is read-only.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "drbdadm" => drbd(name, args, &DRBDADM),
        "drbdsetup" => drbd(name, args, &DRBDSETUP),
        "drbdmeta" => DRBDMETA.judge(args),
        "iscsiadm" => iscsiadm(args),
        "targetcli" => targetcli(args),
        "tgtadm" => tgtadm(args),
        "exportfs" => {
            let p = parse(args, &Spec::new("oi", &[]));
            if let Some(o) = p.get(&["-u", "-f"]) {
                destroys(
                    "cluster.nfs",
                    format!(
                        "`exportfs {}` unexports: NFS clients lose the share",
                        o.name
                    ),
                )
            } else if args.iter().any(|w| w.text == "-ua" || w.text == "-au") {
                destroys(
                    "cluster.nfs",
                    "`exportfs -ua` unexports everything: NFS clients lose every share",
                )
            } else if p.operands.is_empty() && p.only(&["-v", "-s"]) {
                Judgement::Safe
            } else {
                unknown("`exportfs` exports or re-exports file systems")
            }
        }
        _ => return None,
    })
}

const DRBD_SPEC: Spec = Spec::new(
    "ctsSA",
    &[
        "config-file=", "config-to-test=", "stacked", "dry-run", "verbose", "sh-varname=",
        "drbdsetup=", "drbdmeta=", "force", "discard-my-data", "help", "version", "all",
        "statistics", "json", "color=", "timestamps", "now",
    ],
);

const DRBDADM: Commands = Commands {
    tool: "drbdadm",
    spec: DRBD_SPEC,
    safe: &[
        "status", "dstate", "cstate", "role", "dump", "dump-md", "show-gi", "get-gi",
        "sh-resources", "sh-resources-list", "sh-resource", "sh-dev", "sh-udev", "sh-minor",
        "sh-ll-dev", "sh-md-dev", "sh-md-idx", "sh-ip", "sh-lr-of", "sh-b-pri", "sh-status",
        "events2", "help", "", "--version",
    ],
    destructive: &[
        (
            "down", "cluster.drbd", "takes the resource down: its device goes away",
        ),
        ("detach", "cluster.drbd", "detaches the backing disk"),
        (
            "disconnect", "cluster.drbd", "stops replication to the peer",
        ),
        (
            "invalidate", "cluster.drbd", "discards this node's data and resyncs it from the peer",
        ),
        (
            "invalidate-remote", "cluster.drbd",
            "discards the peer's data and resyncs it from here",
        ),
        (
            "create-md", "cluster.drbd", "writes new metadata over the device",
        ),
        ("wipe-md", "cluster.drbd", "erases the DRBD metadata"),
        (
            "secondary", "cluster.drbd", "demotes the resource: its users lose write access",
        ),
        (
            "forget-peer", "cluster.drbd", "forgets the peer's sync state",
        ),
        ("del-peer", "cluster.drbd", "removes the peer connection"),
        ("outdate", "cluster.drbd", "marks the data outdated"),
    ],
    writes: &[],
};

const DRBDSETUP: Commands = Commands {
    tool: "drbdsetup",
    spec: DRBD_SPEC,
    safe: &[
        "status", "show", "events2", "show-gi", "get-gi", "dstate", "cstate", "role",
        "wait-connect-volume", "wait-connect-resource", "help", "",
    ],
    destructive: &[
        ("down", "cluster.drbd", "takes the resource down"),
        ("detach", "cluster.drbd", "detaches the backing disk"),
        (
            "disconnect", "cluster.drbd", "stops replication to the peer",
        ),
        ("del-minor", "cluster.drbd", "removes the device"),
        ("del-resource", "cluster.drbd", "removes the resource"),
        ("del-peer", "cluster.drbd", "removes the peer connection"),
        ("invalidate", "cluster.drbd", "discards this node's data"),
        (
            "invalidate-remote", "cluster.drbd", "discards the peer's data",
        ),
        ("secondary", "cluster.drbd", "demotes the resource"),
        ("outdate", "cluster.drbd", "marks the data outdated"),
    ],
    writes: &[],
};

const DRBDMETA: Commands = Commands {
    tool: "drbdmeta",
    spec: Spec::new(
        "",
        &[
            "force", "ignore-sanity-checks", "node-id=", "peer-max-bio-size=",
        ],
    ),
    safe: &[
        "* * * * dump-md", "* * * * show-gi", "* * * * get-gi", "* * * * read-dev-uuid",
        "* * * * check-resize",
    ],
    destructive: &[
        (
            "* * * * create-md", "cluster.drbd", "writes new metadata over the device",
        ),
        (
            "* * * * wipe-md", "cluster.drbd", "erases the DRBD metadata",
        ),
        (
            "* * * * restore-md", "cluster.drbd", "overwrites the DRBD metadata",
        ),
        (
            "* * * * forget-bitmap", "cluster.drbd", "forgets the sync bitmap",
        ),
    ],
    writes: &[],
};

fn drbd(name: &str, args: &[Word], commands: &Commands) -> Judgement {
    let p = parse(args, &commands.spec);
    if p.has(&["-d", "--dry-run"]) && !p.dynamic {
        return Judgement::Safe;
    }
    let forced = p.has(&["--force", "--overwrite-data-of-peer"])
        || p.operands
            .iter()
            .any(|o| o == "--force" || o == "--overwrite-data-of-peer");
    if p.operands.iter().any(|o| o == "primary") && forced {
        return destroys(
            "cluster.drbd",
            format!("`{name} primary --force` makes this node's data win, overwriting the peer's"),
        );
    }
    commands.judge_parsed(&p)
}

fn iscsiadm(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "mpTIoPtnvrdMx",
            &[
                "mode=", "portal=", "targetname=", "interface=", "op=", "print=", "type=", "name=",
                "value=", "sid=", "debug=", "index=", "host=", "login", "logout", "logoutall=",
                "loginall=", "rescan", "killiscsid=", "stats", "show", "help", "version",
            ],
        ),
    );
    if p.dynamic {
        return unknown("`iscsiadm` has words only known when the shell runs");
    }
    if let Some(o) = p.get(&["-u", "--logout", "-U", "--logoutall"]) {
        return destroys(
            "cluster.iscsi",
            format!(
                "`iscsiadm {}` logs out of the target: its disks go away",
                o.name
            ),
        );
    }
    if p.has(&["-k", "--killiscsid"]) {
        return destroys("service.kill", "`iscsiadm -k` stops iscsid");
    }
    if p.value(&["-o", "--op"]) == Some("delete") {
        return destroys(
            "cluster.iscsi", "`iscsiadm -o delete` deletes the node records",
        );
    }
    let mode = p.value(&["-m", "--mode"]).unwrap_or("");
    let op = p.value(&["-o", "--op"]);
    let changes = p.has(&["-l", "--login", "-L", "--loginall", "-R", "--rescan"])
        || op.is_some_and(|o| o != "show");
    if !changes && mode != "discovery" && mode != "discoverydb" {
        Judgement::Safe
    } else {
        unknown("`iscsiadm` logs in, discovers or changes node records")
    }
}

fn targetcli(args: &[Word]) -> Judgement {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if words.contains(&"delete") || words.contains(&"clearconfig") {
        return destroys(
            "cluster.iscsi",
            "`targetcli ... delete` removes the object: initiators lose the disk",
        );
    }
    let command = words
        .iter()
        .find(|w| !w.starts_with('/') && !w.starts_with('-'));
    match command {
        Some(&("ls" | "info" | "sessions" | "get" | "status" | "pwd" | "version" | "help"))
            if args.iter().all(|w| w.fixed()) =>
        {
            Judgement::Safe
        }
        Some(c) => unknown(format!("`targetcli {c}` changes the iSCSI configuration")),
        None => unknown("`targetcli` without a command opens its interactive shell"),
    }
}

const TGTADM_SPEC: Spec = Spec::new(
    "LomtscClnvbESfyTIQupPBY",
    &[
        "lld=", "op=", "mode=", "tid=", "sid=", "cid=", "lun=", "name=", "value=",
        "backing-store=", "bstype=", "bsopts=", "bsoflags=", "blocksize=", "targetname=",
        "initiator-address=", "initiator-name=", "user=", "password=", "params=", "bus=",
        "device-type=", "control-port=", "outgoing", "force", "help",
    ],
);

/// tgtadm does the last `--op` it is given: `--op show ... --op delete`
/// deletes.
fn tgtadm(args: &[Word]) -> Judgement {
    let p = parse(args, &TGTADM_SPEC);
    if p.dynamic {
        return unknown("`tgtadm` has words only known when the shell runs");
    }
    match p.value(&["-o", "--op"]) {
        Some("delete" | "unbind") => destroys(
            "cluster.iscsi",
            "`tgtadm --op delete` removes the target or LUN from its initiators",
        ),
        Some("show") if p.strange.is_empty() => Judgement::Safe,
        _ => unknown("`tgtadm` changes the iSCSI targets"),
    }
}
