//! Ceph (`ceph`, `rbd`, `rados`, `radosgw-admin`, `ceph-volume`,
//! `cephadm`) and GlusterFS: the status and listing commands are
//! read-only, the ones that delete, purge or take daemons out are
//! destructive. Their global options take values (`ceph --cluster backup
//! osd pool delete ...`, `rbd -p mail rm img`), so the command is found
//! after them, not in the first word.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "ceph" => ceph(args),
        "ceph-volume" => {
            let p = parse(
                args,
                &Spec::new("", &["cluster=", "log-level=", "log-path="]),
            );
            if p.operands.iter().any(|o| o == "zap") {
                destroys("pool.ceph", "`ceph-volume lvm zap` wipes the device")
            } else if matches!(p.operand(1), "list" | "")
                && !p.dynamic
                && matches!(p.operand(0), "lvm" | "raw" | "inventory" | "")
            {
                Judgement::Safe
            } else {
                unknown("`ceph-volume` prepares, activates or changes OSD devices")
            }
        }
        "rbd" => RBD.judge(args),
        "rados" => RADOS.judge(args),
        "radosgw-admin" => RGW.judge(args),
        "cephadm" => CEPHADM.judge(args),
        "gluster" => GLUSTER.judge(args),
        _ => return None,
    })
}

const CEPH_SPEC: Spec = Spec::new(
    "cionkmf",
    &[
        "conf=", "in-file=", "out-file=", "id=", "user=", "name=", "cluster=", "admin-daemon=",
        "admin-socket=", "status", "watch", "watch-debug", "watch-info", "watch-sec", "watch-warn",
        "watch-error", "watch-channel=", "version", "verbose", "concise", "format=",
        "connect-timeout=", "keyring=", "mon-host=", "setuser=", "setgroup=", "block", "period=",
        "help", "yes-i-really-mean-it", "yes-i-really-really-mean-it", "force", "detail",
        "show-config", "show-config-value=", "cephx-service-require-signatures=", "log-file=",
    ],
);

const CEPH: Commands = Commands {
    tool: "ceph",
    spec: CEPH_SPEC,
    safe: &[
        "status", "health", "df", "versions", "version", "report", "quorum_status",
        "time-sync-status", "mon stat", "mon dump", "mon metadata", "mon versions",
        "mon feature ls", "mgr stat", "mgr dump", "mgr module ls", "mgr services", "mgr metadata",
        "mgr versions", "osd tree", "osd df", "osd stat", "osd ls", "osd dump", "osd find",
        "osd metadata", "osd perf", "osd pool ls", "osd pool get", "osd pool stats",
        "osd pool get-quota", "osd pool autoscale-status", "osd pool application get",
        "osd crush tree", "osd crush dump", "osd crush rule ls", "osd crush rule list",
        "osd crush rule dump", "osd crush show-tunables", "osd crush class ls", "osd crush ls",
        "osd crush weight-set ls", "osd blocklist ls", "osd blacklist ls", "osd utilization",
        "osd versions", "osd numa-status", "osd ok-to-stop", "osd safe-to-destroy",
        "osd count-metadata", "osd erasure-code-profile ls", "osd erasure-code-profile get",
        "osd map", "osd lspools", "pg stat", "pg dump", "pg dump_stuck", "pg ls", "pg ls-by-pool",
        "pg ls-by-osd", "pg ls-by-primary", "pg map", "pg * query", "pg * list_unfound",
        "fs status", "fs ls", "fs dump", "fs get", "mds stat", "auth ls", "auth list", "auth get",
        "auth get-key", "auth print-key", "auth export", "config dump", "config get",
        "config show", "config show-with-defaults", "config ls", "config log", "config help",
        "config-key ls", "config-key list", "config-key get", "config-key dump",
        "config-key exists", "log last", "crash ls", "crash ls-new", "crash info", "crash stat",
        "orch ls", "orch ps", "orch host ls", "orch device ls", "orch status",
        "orch upgrade status", "balancer status", "balancer eval", "progress$", "progress json",
        "device ls", "device info", "device ls-by-host", "device ls-by-daemon", "features",
        "node ls", "service dump", "service status", "iostat", "telemetry status", "insights$",
    ],
    destructive: &[
        (
            "osd pool delete", "pool.ceph", "deletes the pool and every object in it",
        ),
        (
            "osd pool rm", "pool.ceph", "deletes the pool and every object in it",
        ),
        (
            "osd purge", "pool.ceph", "removes the OSD from the cluster for good",
        ),
        (
            "osd purge-new", "pool.ceph", "removes the OSD from the cluster for good",
        ),
        (
            "osd destroy", "pool.ceph", "destroys the OSD's keys and marks its data gone",
        ),
        ("osd rm", "pool.ceph", "removes the OSD"),
        (
            "osd out", "pool.ceph", "takes the OSD out: its data moves away",
        ),
        ("osd down", "pool.ceph", "marks the OSD down"),
        ("osd lost", "pool.ceph", "declares the OSD's data lost"),
        (
            "osd crush remove", "pool.ceph", "removes the item from the CRUSH map",
        ),
        (
            "osd crush rm", "pool.ceph", "removes the item from the CRUSH map",
        ),
        (
            "osd crush unlink", "pool.ceph", "unlinks the item from the CRUSH map",
        ),
        (
            "osd erasure-code-profile rm", "pool.ceph", "removes the erasure-code profile",
        ),
        ("osd pool rmsnap", "pool.ceph", "deletes the pool snapshot"),
        ("fs rm", "pool.ceph", "deletes the file system"),
        ("fs fail", "pool.ceph", "takes the file system down"),
        ("fs reset", "pool.ceph", "resets the file system map"),
        ("mds fail", "pool.ceph", "fails the MDS daemon"),
        ("mds rm", "pool.ceph", "removes the MDS"),
        ("mon remove", "pool.ceph", "removes a monitor"),
        ("mon rm", "pool.ceph", "removes a monitor"),
        (
            "auth del", "pool.ceph", "deletes the key: the client loses access",
        ),
        (
            "auth rm", "pool.ceph", "deletes the key: the client loses access",
        ),
        (
            "orch host rm", "pool.ceph", "removes the host from the cluster",
        ),
        ("orch daemon rm", "pool.ceph", "removes the daemon"),
        ("orch osd rm", "pool.ceph", "removes the OSD"),
        ("orch rm", "pool.ceph", "removes the service"),
        ("orch daemon stop", "pool.ceph", "stops the daemon"),
        ("orch stop", "pool.ceph", "stops the service"),
        ("config-key rm", "pool.ceph", "deletes the key"),
        ("config-key del", "pool.ceph", "deletes the key"),
    ],
    writes: CEPH_WRITES,
};

/// Every Ceph tool takes the daemons' settings as options, `--log-file`
/// among them.
const LOG_FILE: (&str, &str) = ("--log-file", "writes its log to a file");

const CEPH_WRITES: &[(&str, &str)] = &[
    ("-o", "writes its output to a file"),
    ("--out-file", "writes its output to a file"),
    LOG_FILE,
];

fn ceph(args: &[Word]) -> Judgement {
    let p = parse(args, &CEPH.spec);
    // `ceph -s` is `ceph status`; `ceph` without a command reads commands
    // from its input.
    if p.operands.is_empty()
        && !p.dynamic
        && p.strange.is_empty()
        && !CEPH_WRITES.iter().any(|(o, _)| p.has(&[o]))
        && p.has(&[
            "-s", "--status", "-w", "--watch", "--version", "-v", "-h", "--help",
        ])
    {
        return Judgement::Safe;
    }
    if p.has(&["--admin-daemon"]) {
        return unknown("`ceph --admin-daemon` sends a command to a daemon's socket");
    }
    CEPH.judge_parsed(&p)
}

const RBD: Commands = Commands {
    tool: "rbd",
    spec: Spec::new(
        "pcnmkso",
        &[
            "pool=", "image=", "snap=", "conf=", "cluster=", "id=", "user=", "name=", "mon-host=",
            "keyring=", "namespace=", "format=", "pretty-format", "image-feature=", "size=",
            "order=", "object-size=", "stripe-unit=", "stripe-count=", "data-pool=", "dest=",
            "dest-pool=", "dest-namespace=", "path=", "from-snap=", "io-size=", "io-threads=",
            "io-total=", "io-pattern=", "io-type=", "export-format=", "image-format=",
            "image-shared", "journal-splay-width=", "journal-object-size=", "journal-pool=",
            "sparse-size=", "no-progress", "allow-shrink", "whole-object", "all", "long", "force",
            "help", "limit=", "shared=", "device-type=", "options=", "read-only", "exclusive",
            "snap-id=", "rbd-ns=", "expires-at=", "remove-source", "verbose", "log-file=",
        ],
    ),
    safe: &[
        "ls", "list", "info", "du", "disk-usage", "status", "showmapped", "device list",
        "device ls", "snap ls", "snap list", "children", "diff", "trash ls", "trash list",
        "lock ls", "lock list", "journal info", "journal status", "image-meta list",
        "image-meta get", "watch", "perf image iostat", "perf image iotop", "pool stats",
        "mirror image status", "mirror pool status", "mirror pool info", "namespace ls",
        "namespace list", "group ls", "group list", "group image list", "group snap list",
        "migration status", "config global list", "config pool list", "config image list",
        "config global get", "config pool get", "config image get", "help",
    ],
    destructive: &[
        ("rm", "pool.ceph", "deletes the image"),
        ("remove", "pool.ceph", "deletes the image"),
        ("purge", "pool.ceph", "deletes the snapshots"),
        ("trash mv", "pool.ceph", "moves the image to the trash"),
        ("trash move", "pool.ceph", "moves the image to the trash"),
        ("trash rm", "pool.ceph", "deletes the image from the trash"),
        (
            "trash remove", "pool.ceph", "deletes the image from the trash",
        ),
        (
            "trash purge", "pool.ceph", "deletes the images in the trash",
        ),
        ("snap rm", "pool.ceph", "deletes the snapshot"),
        ("snap remove", "pool.ceph", "deletes the snapshot"),
        (
            "snap purge", "pool.ceph", "deletes every snapshot of the image",
        ),
        (
            "snap rollback", "pool.ceph", "discards every change since the snapshot",
        ),
        (
            "snap revert", "pool.ceph", "discards every change since the snapshot",
        ),
        (
            "resize", "pool.ceph", "resizes the image (and can shrink it)",
        ),
        ("group rm", "pool.ceph", "deletes the group"),
        ("group remove", "pool.ceph", "deletes the group"),
        ("namespace rm", "pool.ceph", "deletes the namespace"),
        (
            "lock rm", "pool.ceph", "breaks another client's lock on the image",
        ),
        (
            "lock remove", "pool.ceph", "breaks another client's lock on the image",
        ),
    ],
    writes: &[LOG_FILE],
};

const RADOS: Commands = Commands {
    tool: "rados",
    spec: Spec::new(
        "pcnNkbtsOo",
        &[
            "pool=", "conf=", "cluster=", "name=", "id=", "user=", "namespace=", "keyring=",
            "snap=", "snapid=", "object-locator=", "target-pool=", "target-locator=", "format=",
            "pretty-format", "all", "default", "striper", "block-size=", "concurrent-ios=",
            "run-name=", "prefix=", "max-objects=", "offset=", "input-file=", "output=",
            "no-cleanup", "no-hints", "write-object", "write-omap", "write-xattr",
            "yes-i-really-really-mean-it", "force-full", "create", "with-clones", "log-file=",
        ],
    ),
    // A word after `ls`, or after the key of `getomapval` and the object of
    // `getomapheader`, is a file they write (`-` is standard output).
    safe: &[
        "lspools", "df", "ls$", "ls -$", "stat", "stat2", "getxattr", "listxattr",
        "getomapval * *$", "getomapval * * -$", "listomapkeys", "listomapvals", "getomapheader *$",
        "getomapheader * -$", "list-inconsistent-pg", "list-inconsistent-obj",
        "list-inconsistent-snapset", "lssnap", "listsnaps", "listwatchers",
    ],
    destructive: &[
        ("purge", "pool.ceph", "deletes every object in the pool"),
        ("rmpool", "pool.ceph", "deletes the pool"),
        ("rm", "pool.ceph", "deletes the object"),
        ("cleanup", "pool.ceph", "deletes benchmark objects"),
        ("rmxattr", "pool.ceph", "deletes the attribute"),
        ("rmomapkey", "pool.ceph", "deletes the omap key"),
        ("clearomap", "pool.ceph", "deletes the object's omap"),
        ("truncate", "pool.ceph", "cuts the object"),
        ("rmsnap", "pool.ceph", "deletes the pool snapshot"),
        (
            "rollback", "pool.ceph", "rolls the object back to a snapshot",
        ),
    ],
    writes: &[
        ("-o", "writes its output to a file"),
        ("--output", "writes its output to a file"),
        LOG_FILE,
        ("--create", "creates the pool"),
    ],
};

const RGW: Commands = Commands {
    tool: "radosgw-admin",
    spec: Spec::new(
        "cnki",
        &[
            "uid=", "subuser=", "access-key=", "secret=", "secret-key=", "email=", "display-name=",
            "bucket=", "bucket-id=", "bucket-new-name=", "object=", "pool=", "zone=", "zonegroup=",
            "realm=", "period=", "rgw-zone=", "rgw-zonegroup=", "rgw-realm=", "tenant=",
            "max-entries=", "marker=", "start-date=", "end-date=", "shard-id=", "num-shards=",
            "cluster=", "id=", "name=", "format=", "key-type=", "access=", "caps=",
            "placement-id=", "quota-scope=", "max-objects=", "max-size=", "role-name=", "topic=",
            "sync-stats", "purge-data", "purge-objects", "purge-keys", "yes-i-really-mean-it",
            "show-log-entries=", "show-log-sum=", "skip-zero-entries", "categories=",
            "inconsistent-index", "bypass-gc", "fix", "check-objects", "log-file=",
        ],
    ),
    safe: &[
        "user info", "user list", "user stats", "bucket list", "bucket stats",
        "bucket limit check", "usage show", "zone get", "zone list", "zonegroup get",
        "zonegroup list", "period get", "period list", "realm list", "realm get", "sync status",
        "metadata list", "metadata get", "gc list", "lc list", "lc get", "quota get", "key list",
        "object stat", "bucket layout", "reshard list", "reshard status", "datalog status",
        "mdlog status", "sync error list", "ratelimit get", "role list", "role get", "topic list",
        "topic get",
    ],
    destructive: &[
        (
            "user rm", "pool.ceph", "deletes the user (and with --purge-data their data)",
        ),
        ("bucket rm", "pool.ceph", "deletes the bucket"),
        (
            "bucket unlink", "pool.ceph", "unlinks the bucket from its user",
        ),
        ("object rm", "pool.ceph", "deletes the object"),
        ("gc process", "pool.ceph", "purges deleted objects now"),
        ("usage trim", "pool.ceph", "deletes usage records"),
        ("mdlog trim", "pool.ceph", "deletes metadata log entries"),
        ("datalog trim", "pool.ceph", "deletes data log entries"),
        (
            "bilog trim", "pool.ceph", "deletes bucket index log entries",
        ),
        ("zone delete", "pool.ceph", "deletes the zone"),
        ("zone rm", "pool.ceph", "deletes the zone"),
        ("zonegroup delete", "pool.ceph", "deletes the zone group"),
        (
            "zonegroup remove", "pool.ceph", "removes a zone from the zone group",
        ),
        ("realm delete", "pool.ceph", "deletes the realm"),
        (
            "key rm", "pool.ceph", "deletes the key: the user loses access",
        ),
        ("subuser rm", "pool.ceph", "deletes the subuser"),
        (
            "orphans finish", "pool.ceph", "deletes the orphan search results",
        ),
        ("role delete", "pool.ceph", "deletes the role"),
        ("topic rm", "pool.ceph", "deletes the topic"),
    ],
    writes: &[LOG_FILE],
};

const CEPHADM: Commands = Commands {
    tool: "cephadm",
    spec: Spec::new(
        "",
        &[
            "image=", "docker", "data-dir=", "log-dir=", "logrotate-dir=", "sysctl-dir=",
            "unit-dir=", "verbose", "timeout=", "retry=",
        ],
    ),
    safe: &[
        "ls", "version", "check-host", "list-networks", "inspect-image", "gather-facts", "logs",
        "help",
    ],
    destructive: &[
        (
            "rm-cluster", "pool.ceph", "deletes the whole cluster's daemons and data on this host",
        ),
        ("rm-daemon", "pool.ceph", "removes the daemon and its data"),
        ("zap-osds", "pool.ceph", "wipes the OSD devices"),
        ("rm-repo", "pool.ceph", "removes the package repository"),
    ],
    writes: &[],
};

const GLUSTER: Commands = Commands {
    tool: "gluster",
    spec: Spec::new(
        "",
        &[
            "mode=", "remote-host=", "log-file=", "log-level=", "xml", "glusterd-sock=",
            "timeout=", "version", "help",
        ],
    ),
    // `get-state` writes the state to a file; `volume top * clear` and
    // `volume profile * info clear` reset the counters, `read-perf` and
    // `write-perf` run throughput tests on the bricks; `gluster` without a
    // command reads commands from its input.
    safe: &[
        "volume info", "volume status", "volume list", "volume get", "volume heal * info",
        "volume heal * statistics", "volume top * open", "volume top * read", "volume top * write",
        "volume top * opendir", "volume top * readdir", "volume profile * info$",
        "volume profile * info peek$", "volume profile * info incremental$",
        "volume profile * info incremental peek$", "volume profile * info cumulative$",
        "volume quota * list", "volume rebalance * status", "volume remove-brick * status",
        "volume tier * status", "volume geo-replication status", "volume geo-replication * status",
        "volume geo-replication * * status", "peer status", "pool list", "snapshot list",
        "snapshot info", "snapshot status", "snapshot config$", "snapshot config *$",
        "system:: getspec", "help", "volume help", "volume bitrot * scrub status",
    ],
    destructive: &[
        (
            "volume stop", "pool.gluster", "stops the volume: its clients lose it",
        ),
        ("volume delete", "pool.gluster", "deletes the volume"),
        (
            "volume remove-brick", "pool.gluster", "removes bricks (and the data on them)",
        ),
        ("volume replace-brick", "pool.gluster", "replaces a brick"),
        (
            "volume reset", "pool.gluster", "resets the volume's options",
        ),
        (
            "peer detach", "pool.gluster", "detaches the peer from the pool",
        ),
        ("snapshot delete", "pool.gluster", "deletes snapshots"),
        (
            "snapshot restore", "pool.gluster",
            "restores the volume to a snapshot, discarding changes",
        ),
        (
            "snapshot deactivate", "pool.gluster", "deactivates the snapshot",
        ),
    ],
    writes: &[LOG_FILE],
};
