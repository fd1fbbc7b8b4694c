//! Cluster managers and block exports: Pacemaker (`pcs`, `crm`,
//! `crm_resource`, `cibadmin`), DRBD, iSCSI (`iscsiadm`, `targetcli`),
//! NFS exports and corosync. Stopping, fencing, moving, demoting or
//! unexporting what clients use is destructive; status is read-only.

use super::{Commands, Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "pcs" => PCS.judge(args),
        "crm" => CRM.judge(args),
        "crm_mon" => {
            let p = parse(
                args,
                &Spec::new(
                    "iWEeFpMo",
                    &[
                        "interval=", "output-as=", "output-to=", "as-html=", "external-agent=",
                        "external-recipient=", "pid-file=", "daemonize", "one-shot", "show-detail",
                        "group-by-node", "inactive", "failcounts", "operations", "timing-details",
                        "fence-history?", "tickets", "neg-locations?", "summary", "include=",
                        "exclude=", "node=", "resource=", "help", "version", "simple-status",
                        "brief", "pending", "watch-fencing", "show-node-attributes",
                        "neg-locations",
                    ],
                ),
            );
            if p.has(&[
                "-d", "--daemonize", "--output-to", "--as-html", "-h", "-E", "--external-agent",
            ]) {
                unknown("`crm_mon` as a daemon writes files or runs agents")
            } else {
                Judgement::Safe
            }
        }
        "crm_resource" | "crm_node" | "crm_attribute" | "cibadmin" => pacemaker_tool(name, args),
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
            let p = parse(args, &Spec::new("evHn", &[]));
            if p.only(&["-s", "-l", "-p", "-m", "-a", "-i", "-o", "-f", "-H"]) {
                Judgement::Safe
            } else {
                unknown("`corosync-quorumtool -e`/`-v` changes votes")
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
            "corosync_conf=", "name=",
        ],
    ),
    safe: &[
        "status", "cluster status", "cluster config", "cluster cib", "cluster verify",
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
            ]) =>
        {
            Judgement::Safe
        }
        "crm_node" if has(&["-R", "--remove"]) => destroys(
            "cluster.pacemaker", "`crm_node -R` removes the node from the cluster",
        ),
        "crm_node"
            if has(&[
                "-l", "--list", "-p", "--partition", "-q", "--quorum", "-n", "--name", "-i",
                "--cluster-id", "-N",
            ]) =>
        {
            Judgement::Safe
        }
        "crm_attribute"
            if has(&["-G", "--query"]) && !has(&["-v", "--update", "-D", "--delete"]) =>
        {
            Judgement::Safe
        }
        "cibadmin" if has(&["-E", "--erase"]) => destroys(
            "cluster.pacemaker", "`cibadmin --erase` erases the whole cluster configuration",
        ),
        "cibadmin" if has(&["-D", "--delete", "--delete-all"]) => destroys(
            "cluster.pacemaker", "`cibadmin --delete` deletes configuration objects",
        ),
        "cibadmin"
            if has(&["-Q", "--query"])
                && !has(&["-R", "--replace", "-M", "--modify", "-C", "--create", "-U"]) =>
        {
            Judgement::Safe
        }
        _ => unknown(format!(
            "`{name}` changes the cluster's configuration or state"
        )),
    }
}
