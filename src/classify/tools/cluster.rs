//! Cluster managers and block exports: Pacemaker (`pcs`, `crm`,
//! `crm_resource`, `cibadmin`), DRBD, iSCSI (`iscsiadm`, `targetcli`),
//! NFS exports and corosync. Stopping, fencing, moving, demoting or
//! unexporting what clients use is destructive; status is read-only.

use super::{Commands, Judgement, destroys, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "pcs" => PCS.judge(args),
        "crm" => CRM.judge(args),
        "crm_mon" => crm_mon(args),
        "crm_resource" | "crm_node" => pacemaker_tool(name, args),
        "crm_attribute" => crm_attribute(args),
        "cibadmin" => cibadmin(args),
        "corosync-cfgtool" => {
            let p = parse(args, &Spec::new("kcix", &[]));
            if p.has(&["-H"]) {
                destroys(
                    "cluster.corosync", "`corosync-cfgtool -H` shuts corosync down on this node",
                )
            } else if p.has(&["-k"]) {
                destroys(
                    "cluster.corosync", "`corosync-cfgtool -k` kills a node out of the cluster",
                )
            } else if p.only(&["-s", "-n", "-a", "-i", "-b"]) && !p.opts.is_empty() {
                Judgement::Safe
            } else {
                unknown("`corosync-cfgtool` changes corosync's state")
            }
        }
        "corosync-quorumtool" => {
            // `-e` and `-v` change votes, `-f` unregisters the quorum device.
            let p = parse(args, &Spec::new("evno", &[]));
            if p.only(&["-s", "-l", "-p", "-m", "-a", "-i", "-o", "-H", "-h", "-V"]) {
                Judgement::Safe
            } else {
                unknown("`corosync-quorumtool -e`/`-v`/`-f` changes votes or the quorum device")
            }
        }
        _ => return None,
    })
}

const PCS: Commands = Commands {
    tool: "pcs",
    spec: Spec::new(
        "fp",
        &[
            "debug", "version", "force", "wait?", "request-timeout=", "full", "all", "help",
            "corosync_conf=", "name=", "config", "hide-inactive", "output-format=", "local",
            "defaults", "skip-offline",
        ],
    ),
    safe: &[
        "status", "cluster status", "cluster config", "cluster cib$", "cluster verify",
        "cluster pcsd-status", "config$", "config show", "resource status", "resource config",
        "resource show", "resource describe", "resource list", "resource op defaults$",
        "resource defaults$", "resource failcount show", "resource relations",
        "resource utilization$", "resource utilization *$", "resource agents",
        "resource providers", "resource standards", "stonith status", "stonith config",
        "stonith list", "stonith describe", "stonith show", "stonith history show",
        "stonith level$", "stonith level config", "constraint$", "constraint list",
        "constraint show", "constraint config", "constraint ref", "property$", "property list",
        "property show", "property config", "property describe", "quorum status", "quorum config",
        "quorum device status", "alert$", "alert config", "alert show", "acl$", "acl show",
        "acl config", "tag$", "tag config", "tag list", "node attribute$", "node attribute *$",
        "node utilization$", "node utilization *$", "pcsd status", "help", "",
    ],
    destructive: &[
        (
            "cluster stop", "cluster.pacemaker",
            "stops the cluster on the node(s): their resources stop",
        ),
        (
            "cluster kill", "cluster.pacemaker", "kills the cluster daemons",
        ),
        (
            "cluster destroy", "cluster.pacemaker", "erases the cluster configuration for good",
        ),
        (
            "cluster node remove", "cluster.pacemaker", "removes the node from the cluster",
        ),
        (
            "cluster standby", "cluster.pacemaker", "moves every resource off the node",
        ),
        (
            "node standby", "cluster.pacemaker", "moves every resource off the node",
        ),
        (
            "resource disable", "cluster.pacemaker", "stops the resource",
        ),
        (
            "resource delete", "cluster.pacemaker", "stops and deletes the resource",
        ),
        (
            "resource remove", "cluster.pacemaker", "stops and deletes the resource",
        ),
        (
            "resource move", "cluster.pacemaker", "moves the resource: it stops where it runs",
        ),
        (
            "resource ban", "cluster.pacemaker", "bans the resource from the node: it stops there",
        ),
        (
            "resource restart", "cluster.pacemaker", "restarts the resource",
        ),
        (
            "resource debug-stop", "cluster.pacemaker", "stops the resource",
        ),
        (
            "stonith fence", "power.fence", "fences the node: it is powered off or rebooted",
        ),
        (
            "stonith delete", "cluster.pacemaker", "deletes a fence device",
        ),
        (
            "stonith remove", "cluster.pacemaker", "deletes a fence device",
        ),
        (
            "stonith disable", "cluster.pacemaker", "disables a fence device",
        ),
    ],
    writes: &[],
};

const CRM: Commands = Commands {
    tool: "crm",
    spec: Spec::new(
        "fcDH",
        &[
            "file=", "cib=", "display=", "history=", "force", "wait", "no", "regression-tests",
            "debug", "help", "version", "scriptdir=",
        ],
    ),
    safe: &[
        "status", "configure show", "configure verify", "resource status", "resource show",
        "resource list", "resource scores", "resource failcount * show", "node show",
        "node status", "node list", "ra list", "ra info", "ra classes", "ra providers",
        "cluster status", "cluster health", "history", "help", "",
    ],
    destructive: &[
        ("resource stop", "cluster.pacemaker", "stops the resource"),
        (
            "resource restart", "cluster.pacemaker", "restarts the resource",
        ),
        (
            "resource migrate", "cluster.pacemaker", "moves the resource: it stops where it runs",
        ),
        (
            "resource move", "cluster.pacemaker", "moves the resource: it stops where it runs",
        ),
        (
            "resource ban", "cluster.pacemaker", "bans the resource from the node",
        ),
        (
            "node standby", "cluster.pacemaker", "moves every resource off the node",
        ),
        (
            "node fence", "power.fence", "fences the node: it is powered off or rebooted",
        ),
        ("node delete", "cluster.pacemaker", "deletes the node"),
        (
            "node clearstate", "cluster.pacemaker", "clears the node's state",
        ),
        (
            "cluster stop", "cluster.pacemaker", "stops the cluster services",
        ),
        (
            "configure delete", "cluster.pacemaker", "deletes configuration objects",
        ),
        (
            "configure erase", "cluster.pacemaker", "erases the whole cluster configuration",
        ),
    ],
    writes: &[],
};

/// crm_resource's and crm_node's options that only read or choose what
/// is read.
const CRM_RESOURCE_READS: &[&str] = &[
    "--list", "-L", "--list-raw", "-l", "--list-cts", "--list-operations", "-O",
    "--list-all-operations", "-o", "--list-standards", "--list-ocf-providers", "--list-agents",
    "--list-ocf-alternatives", "--show-metadata", "--query-xml", "-q", "--query-xml-raw", "-w",
    "--get-parameter", "-g", "--locate", "-W", "--stack", "-A", "--constraints", "-a", "--why",
    "-Y", "--resource", "-r", "--node", "-N", "--resource-type", "-t", "--meta", "-m",
    "--utilization", "-z", "--element", "--set-name", "-s", "--nvpair", "-i", "--quiet", "-Q",
    "-V", "--verbose", "--recursive", "--all", "--output-as",
];

const CRM_NODE_READS: &[&str] = &[
    "-l", "--list", "-p", "--partition", "-q", "--quorum", "-n", "--name", "-i", "--cluster-id",
    "-N", "--name-for-id", "-V", "--verbose", "-Q", "--quiet", "--output-as",
];

/// Every option word is one of `allowed` (`--name=value` by its name),
/// spelled out: the other words are their values.
fn only_words(args: &[Word], allowed: &[&str]) -> bool {
    args.iter().all(|w| {
        w.fixed()
            && (!w.text.starts_with('-')
                || allowed.contains(&w.text.split('=').next().unwrap_or("")))
    })
}

fn pacemaker_tool(name: &str, args: &[Word]) -> Judgement {
    let has = |words: &[&str]| args.iter().any(|w| words.contains(&w.text.as_str()));
    match name {
        "crm_resource"
            if has(&[
                "--ban", "-B", "--move", "-M", "--restart", "--delete", "-D", "--force-stop",
            ]) =>
        {
            destroys(
                "cluster.pacemaker", "`crm_resource` stops, moves or deletes the resource",
            )
        }
        "crm_resource"
            if has(&[
                "--list", "-l", "--locate", "-W", "--query-xml", "-q", "--why", "-Y",
                "--list-operations", "-O", "--list-raw", "--get-parameter", "-g", "--list-agents",
                "--list-standards", "--list-ocf-providers",
            ]) && only_words(args, CRM_RESOURCE_READS) =>
        {
            Judgement::Safe
        }
        "crm_node" if has(&["-R", "--remove"]) => destroys(
            "cluster.pacemaker", "`crm_node -R` removes the node from the cluster",
        ),
        "crm_node" if !args.is_empty() && only_words(args, CRM_NODE_READS) => Judgement::Safe,
        _ => unknown(format!(
            "`{name}` changes the cluster's configuration or state"
        )),
    }
}

const CRM_ATTRIBUTE_SPEC: Spec = Spec::new(
    "vnPNtlsidUrpW",
    &[
        "help", "help-all", "version", "verbose", "quiet", "name=", "pattern=", "query", "update=",
        "delete", "node=", "type=", "lifetime=", "utilization", "set-name=", "id=", "default=",
        "promotion?", "wait=", "score", "inhibit-policy-engine", "node-uname=", "get-value",
        "delete-attr", "attr-value=", "attr-name=", "attr-id=", "output-as=", "output-to=",
        "resource=",
    ],
);

/// crm_attribute queries with `-G`; `-v` (`-von` too) sets the value and
/// `-D` deletes it, the last of them winning.
fn crm_attribute(args: &[Word]) -> Judgement {
    let p = parse(args, &CRM_ATTRIBUTE_SPEC);
    if !p.has(&["-G", "--query", "--get-value"]) {
        return unknown("`crm_attribute` without `-G` sets or deletes the attribute");
    }
    only_options(
        "crm_attribute",
        &p,
        &[
            "-G", "--query", "--get-value", "-n", "--name", "--attr-name", "-N", "--node", "-U",
            "--node-uname", "-t", "--type", "-l", "--lifetime", "-z", "--utilization", "-s",
            "--set-name", "-i", "--id", "--attr-id", "-d", "--default", "-p", "--promotion", "-q",
            "-Q", "--quiet", "-V", "--verbose", "--output-as", "-?", "--help", "--help-all", "-$",
            "--version",
        ],
    )
}

const CIBADMIN_SPEC: Spec = Spec::new(
    "txXoANU",
    &[
        "help", "help-all", "version", "verbose", "upgrade", "query", "erase", "bump", "create",
        "modify", "patch", "replace", "delete", "delete-all", "md5-sum", "md5-sum-versioned",
        "force", "timeout=", "sync-call", "local", "allow-create", "no-children", "xml-file=",
        "xml-text=", "xml-pipe", "scope=", "xpath=", "node-path", "node=", "user=", "show-access?",
        "score", "output-as=", "output-to=",
    ],
);

/// cibadmin reads with `-Q`; every command beside it (`-P` patches, `-R`
/// replaces, `-M` modifies) changes the configuration.
fn cibadmin(args: &[Word]) -> Judgement {
    let p = parse(args, &CIBADMIN_SPEC);
    if p.has(&["-E", "--erase"]) {
        return destroys(
            "cluster.pacemaker", "`cibadmin --erase` erases the whole cluster configuration",
        );
    }
    if p.has(&["-D", "--delete", "-d", "--delete-all"]) {
        return destroys(
            "cluster.pacemaker", "`cibadmin --delete` deletes configuration objects",
        );
    }
    if !p.has(&["-Q", "--query"]) {
        return unknown("`cibadmin` without `-Q` changes the cluster's configuration");
    }
    only_options(
        "cibadmin",
        &p,
        &[
            "-Q", "--query", "-l", "--local", "-o", "--scope", "-A", "--xpath", "-e",
            "--node-path", "-n", "--no-children", "-t", "--timeout", "-s", "--sync-call", "-V",
            "--verbose", "-N", "--node", "-U", "--user", "--show-access", "--output-as", "-?",
            "--help", "--help-all", "-$", "--version",
        ],
    )
}

const CRM_MON_SPEC: Spec = Spec::new(
    "ihpEeSCTFHP",
    &[
        "interval=", "one-shot", "inactive", "failcounts", "operations", "timing-details",
        "tickets", "fence-history?", "group-by-node", "show-node-attributes", "neg-locations?",
        "hide-headers", "show-detail", "brief", "pending", "simple-status", "as-xml", "as-html=",
        "web-cgi", "daemonize", "pid-file=", "external-agent=", "external-recipient=",
        "watch-fencing", "include=", "exclude=", "node=", "resource=", "output-as=", "output-to=",
        "quiet", "verbose", "version", "help", "help-all", "summary",
    ],
);

/// crm_mon shows the cluster; as a daemon (`-d`), with an external agent
/// (`-E`), or writing HTML (`-h`) and other output to files it does more.
fn crm_mon(args: &[Word]) -> Judgement {
    let p = parse(args, &CRM_MON_SPEC);
    only_options(
        "crm_mon",
        &p,
        &[
            "-1", "--one-shot", "-i", "--interval", "-r", "--inactive", "-f", "--failcounts", "-o",
            "--operations", "-t", "--timing-details", "-c", "--tickets", "-m", "--fence-history",
            "-n", "--group-by-node", "-A", "--show-node-attributes", "-L", "--neg-locations", "-D",
            "--hide-headers", "-R", "--show-detail", "-b", "--brief", "-j", "--pending", "-s",
            "--simple-status", "-X", "--as-xml", "-Q", "--quiet", "-V", "--verbose", "-W",
            "--watch-fencing", "--include", "--exclude", "--node", "--resource", "--output-as",
            "--summary", "-?", "--help", "--help-all", "-$", "--version",
        ],
    )
}
