//! Containers and virtual machines: Docker, Podman and nerdctl, kubectl,
//! crictl and ctr, and virsh. Removing, stopping, killing or pruning what
//! runs is destructive; listing and inspecting is read-only.

use super::{Commands, Judgement, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "docker" | "podman" | "nerdctl" => {
            let tool = match name {
                "docker" => &DOCKER,
                "podman" => &PODMAN,
                _ => &NERDCTL,
            };
            let p = parse(args, &tool.spec);
            // `-f` is `--files` there, `--force` or `--follow` elsewhere.
            if p.operand(0) == "generate" && p.has(&["-f", "--files"]) {
                return Some(unknown(format!(
                    "`{name} generate --files` writes unit files"
                )));
            }
            tool.judge_parsed(&p)
        }
        "docker-compose" | "podman-compose" => COMPOSE.judge(args),
        "kubectl" | "oc" => KUBECTL.judge(args),
        "crictl" => CRICTL.judge(args),
        "ctr" => CTR.judge(args),
        "virsh" => virsh(args),
        _ => return None,
    })
}

/// Docker's, Podman's and nerdctl's global options and the options of
/// their read-only commands, those that take a value with `=`.
const ENGINE_SPEC: Spec = Spec::new(
    "Hclo",
    &[
        "host=", "config=", "context=", "log-level=", "tlscacert=", "tlscert=", "tlskey=", "tls",
        "tlsverify", "url=", "connection=", "identity=", "root=", "runroot=", "storage-driver=",
        "storage-opt=", "cgroup-manager=", "events-backend=", "network-cmd-path=", "remote",
        "tmpdir=", "out=", "noout", "conmon=", "hooks-dir=", "imagestore=", "module=",
        "network-config-dir=", "runtime=", "runtime-flag=", "ssh=", "syslog", "transient-store",
        "volumepath=", "cdi-spec-dir=", "db-backend=", "output=", "format=", "filter=",
        "namespace=", "address=", "snapshotter=", "tail=", "since=", "until=", "time=", "signal=",
        "all", "quiet", "force", "volumes", "no-trunc", "size", "latest", "follow", "timestamps",
        "details", "help", "version", "debug", "file=", "project-name=", "profile=", "env-file=",
        "project-directory=", "files", "new", "name", "no-header",
    ],
);

/// Options that make any form write or run something: a file for the
/// output, a configuration that names helpers and plugins, programs and
/// folders the engine runs or keeps its state in.
const ENGINE_WRITES: &[(&str, &str)] = &[
    ("-o", "writes its output to a file"),
    ("--output", "writes its output to a file"),
    ("--out", "writes its output to a file"),
    (
        "--config",
        "reads a client configuration that can name helpers and plugins to run",
    ),
    (
        "--module", "reads a configuration that can name programs to run",
    ),
    ("--conmon", "runs that program to monitor containers"),
    ("--runtime", "runs that container runtime"),
    ("--runtime-flag", "passes flags to the container runtime"),
    ("--hooks-dir", "runs the hooks in that folder"),
    ("--network-cmd-path", "runs that network program"),
    ("--root", "uses and writes another storage folder"),
    ("--runroot", "uses and writes another state folder"),
    ("--imagestore", "uses and writes another image store"),
    ("--storage-driver", "uses another storage driver"),
    (
        "--storage-opt", "sets storage options (which can name a mount program)",
    ),
    ("--tmpdir", "keeps its run-time state in that folder"),
    ("--volumepath", "uses and writes another volume folder"),
    (
        "--cdi-spec-dir", "reads device specifications from that folder",
    ),
    ("--db-backend", "uses another state database"),
];

const ENGINE_SAFE: &[&str] = &[
    "", "ps", "images", "image ls", "image list", "image inspect", "image history", "container ls",
    "container list", "container inspect", "container logs", "container top", "container port",
    "container diff", "container stats", "inspect", "logs", "top", "port", "diff", "stats", "info",
    "version", "events", "history", "search", "system df", "system info", "system events",
    "volume ls", "volume list", "volume inspect", "network ls", "network list", "network inspect",
    "compose ps", "compose ls", "compose logs", "compose config", "compose top", "compose images",
    "compose version", "context ls", "context inspect", "context show", "node ls", "node inspect",
    "node ps", "service ls", "service ps", "service inspect", "service logs", "stack ls",
    "stack ps", "stack services", "secret ls", "secret inspect", "config ls", "config inspect",
    "plugin ls", "plugin inspect", "manifest inspect", "pod ps", "pod ls", "pod list",
    "pod inspect", "pod logs", "pod top", "pod stats", "machine list", "machine ls",
    "machine inspect", "buildx ls", "help", "generate systemd", "system connection list",
];

const ENGINE_DESTRUCTIVE: &[(&str, &str, &str)] = &[
    ("rm", "container.remove", "removes the containers"),
    ("rmi", "container.remove", "removes the images"),
    ("kill", "container.stop", "kills the containers"),
    ("stop", "container.stop", "stops the containers"),
    ("restart", "container.stop", "restarts the containers"),
    ("pause", "container.stop", "freezes the containers"),
    ("container rm", "container.remove", "removes the containers"),
    ("container kill", "container.stop", "kills the containers"),
    ("container stop", "container.stop", "stops the containers"),
    (
        "container restart", "container.stop", "restarts the containers",
    ),
    (
        "container prune", "container.remove", "removes every stopped container",
    ),
    ("image rm", "container.remove", "removes the images"),
    ("image prune", "container.remove", "removes unused images"),
    (
        "system prune",
        "container.remove",
        "removes stopped containers, unused networks, images (and volumes)",
    ),
    (
        "system reset", "container.remove", "removes every container, image and volume",
    ),
    (
        "volume rm", "container.remove", "removes the volumes and their data",
    ),
    (
        "volume prune", "container.remove", "removes unused volumes and their data",
    ),
    ("network rm", "container.remove", "removes the networks"),
    (
        "network prune", "container.remove", "removes unused networks",
    ),
    (
        "builder prune", "container.remove", "removes the build cache",
    ),
    (
        "compose down", "container.stop", "stops and removes the project's containers",
    ),
    (
        "compose rm", "container.remove", "removes the project's containers",
    ),
    (
        "compose stop", "container.stop", "stops the project's containers",
    ),
    (
        "compose kill", "container.stop", "kills the project's containers",
    ),
    (
        "compose restart", "container.stop", "restarts the project's containers",
    ),
    ("pod rm", "container.remove", "removes the pods"),
    ("pod kill", "container.stop", "kills the pods"),
    ("pod stop", "container.stop", "stops the pods"),
    ("pod restart", "container.stop", "restarts the pods"),
    ("pod prune", "container.remove", "removes stopped pods"),
    (
        "swarm leave", "container.stop", "takes the node out of the swarm",
    ),
    (
        "node rm", "container.remove", "removes the node from the swarm",
    ),
    ("service rm", "container.remove", "removes the service"),
    ("stack rm", "container.remove", "removes the stack"),
    ("stack down", "container.remove", "removes the stack"),
    ("secret rm", "container.remove", "removes the secret"),
    ("config rm", "container.remove", "removes the config"),
    ("plugin rm", "container.remove", "removes the plugin"),
    ("machine rm", "container.remove", "removes the machine"),
];

const DOCKER: Commands = Commands {
    tool: "docker",
    spec: ENGINE_SPEC,
    safe: ENGINE_SAFE,
    destructive: ENGINE_DESTRUCTIVE,
    writes: ENGINE_WRITES,
};

const PODMAN: Commands = Commands {
    tool: "podman",
    spec: ENGINE_SPEC,
    safe: ENGINE_SAFE,
    destructive: ENGINE_DESTRUCTIVE,
    writes: ENGINE_WRITES,
};

const NERDCTL: Commands = Commands {
    tool: "nerdctl",
    spec: ENGINE_SPEC,
    safe: ENGINE_SAFE,
    destructive: ENGINE_DESTRUCTIVE,
    writes: ENGINE_WRITES,
};

const COMPOSE: Commands = Commands {
    tool: "docker-compose",
    spec: ENGINE_SPEC,
    safe: &[
        "ps", "ls", "logs", "config", "top", "images", "version", "help",
    ],
    destructive: &[
        (
            "down", "container.stop", "stops and removes the project's containers",
        ),
        ("rm", "container.remove", "removes the project's containers"),
        ("stop", "container.stop", "stops the project's containers"),
        ("kill", "container.stop", "kills the project's containers"),
        (
            "restart", "container.stop", "restarts the project's containers",
        ),
    ],
    writes: ENGINE_WRITES,
};

const KUBECTL: Commands = Commands {
    tool: "kubectl",
    // kubectl's global options (`--password` takes a value: it must not
    // hide the command word) and those of its read-only commands.
    spec: Spec::new(
        "nslocfLkv",
        &[
            "namespace=", "context=", "cluster=", "kubeconfig=", "server=", "user=", "token=",
            "username=", "password=", "as=", "as-group=", "as-uid=", "certificate-authority=",
            "client-certificate=", "client-key=", "tls-server-name=", "insecure-skip-tls-verify",
            "request-timeout=", "cache-dir=", "profile=", "profile-output=", "log-file=",
            "log-dir=", "log-file-max-size=", "log-flush-frequency=", "log-backtrace-at=",
            "vmodule=", "stderrthreshold=", "alsologtostderr", "logtostderr", "add-dir-header",
            "skip-headers", "skip-log-headers", "one-output", "disable-compression",
            "match-server-version", "warnings-as-errors", "v=", "selector=", "output=",
            "filename=", "kustomize=", "container=", "field-selector=", "sort-by=", "template=",
            "label-columns=", "since=", "since-time=", "tail=", "grace-period=", "timeout=",
            "replicas=", "all-namespaces", "all", "watch", "watch-only", "show-labels",
            "show-kind", "no-headers", "ignore-not-found", "output-watch-events", "server-print",
            "show-managed-fields", "allow-missing-template-keys", "wide", "follow", "previous",
            "timestamps", "prefix", "all-containers", "max-log-requests=", "limit-bytes=",
            "pod-running-timeout=", "revision=", "for=", "list", "quiet", "containers", "sum",
            "use-protocol-buffers", "api-version=", "recursive", "force", "help",
            "ignore-daemonsets", "delete-emptydir-data", "chunk-size=", "subresource=", "raw=",
            "minify", "flatten",
        ],
    ),
    safe: &[
        "", "get", "describe", "logs", "top", "explain", "version", "api-resources",
        "api-versions", "cluster-info", "config view", "config get-contexts",
        "config current-context", "config get-clusters", "config get-users", "auth can-i",
        "auth whoami", "events", "diff", "wait", "plugin list", "rollout status",
        "rollout history", "help", "completion",
    ],
    destructive: &[
        ("delete", "container.remove", "deletes the resources"),
        ("drain", "container.stop", "evicts every pod from the node"),
        (
            "scale", "container.stop", "changes the number of replicas (to 0 stops them all)",
        ),
        (
            "rollout restart", "container.stop", "restarts every pod of the workload",
        ),
        ("rollout undo", "container.stop", "rolls the workload back"),
        (
            "replace", "container.remove",
            "replaces the resources (with --force, deletes them first)",
        ),
    ],
    writes: &[
        (
            "--kubeconfig", "loads a configuration that can run a credential plugin",
        ),
        ("--profile", "writes a profile to a file"),
        ("--profile-output", "writes a profile to a file"),
        ("--log-file", "writes its log to a file"),
        ("--log-dir", "writes its logs to a folder"),
        ("--cache-dir", "writes its cache to that folder"),
    ],
};

const CRICTL: Commands = Commands {
    tool: "crictl",
    spec: Spec::new(
        "ritno",
        &[
            "runtime-endpoint=", "image-endpoint=", "timeout=", "config=", "output=", "name=",
            "namespace=", "label=", "state=", "pod=", "all", "quiet", "verbose", "debug", "latest",
            "tail=",
        ],
    ),
    safe: &[
        "", "ps", "images", "img", "inspect", "inspecti", "inspectp", "logs", "stats", "statsp",
        "pods", "info", "version", "imagefsinfo", "help",
    ],
    destructive: &[
        ("rm", "container.remove", "removes the containers"),
        ("rmi", "container.remove", "removes the images"),
        ("rmp", "container.remove", "removes the pods"),
        ("stop", "container.stop", "stops the containers"),
        ("stopp", "container.stop", "stops the pods"),
    ],
    writes: &[],
};

const CTR: Commands = Commands {
    tool: "ctr",
    spec: Spec::new(
        "na",
        &[
            "namespace=", "address=", "timeout=", "connect-timeout=", "debug", "quiet",
        ],
    ),
    safe: &[
        "containers ls", "containers list", "c ls", "images ls", "images list", "i ls", "tasks ls",
        "tasks list", "t ls", "version", "namespaces ls", "ns ls", "snapshots ls", "content ls",
        "plugins ls", "info", "containers info", "c info", "images check", "tasks ps", "t ps",
        "help",
    ],
    destructive: &[
        (
            "containers rm", "container.remove", "removes the containers",
        ),
        (
            "containers delete", "container.remove", "removes the containers",
        ),
        ("c rm", "container.remove", "removes the containers"),
        ("images rm", "container.remove", "removes the images"),
        ("i rm", "container.remove", "removes the images"),
        ("tasks kill", "container.stop", "kills the tasks"),
        ("t kill", "container.stop", "kills the tasks"),
        ("tasks rm", "container.remove", "removes the tasks"),
        ("snapshots rm", "container.remove", "removes the snapshots"),
        ("namespaces rm", "container.remove", "removes the namespace"),
    ],
    writes: &[],
};

/// A libvirt URI with parameters can name a program to run (`+ext` with
/// `?command=`, `?netcat=` on the remote host) or files to write.
fn virsh(args: &[Word]) -> Judgement {
    let p = parse(args, &VIRSH.spec);
    let uri = p
        .opts
        .iter()
        .filter(|o| o.name == "-c" || o.name == "--connect")
        .filter_map(|o| o.value.as_deref())
        .find(|uri| uri.contains('?') || uri.contains("+ext"));
    match uri {
        Some(uri) => unknown(format!(
            "`virsh -c {uri}`: a connection with parameters can run programs"
        )),
        None => VIRSH.judge_parsed(&p),
    }
}

const VIRSH: Commands = Commands {
    tool: "virsh",
    spec: Spec::new(
        "cdeklK",
        &[
            "connect=", "debug=", "log=", "keepalive-interval=", "keepalive-count=", "readonly",
            "quiet", "timing", "escape=", "version?", "help", "all", "inactive", "name", "uuid",
            "details", "state-running", "state-shutoff",
        ],
    ),
    safe: &[
        "list", "dominfo", "domstate", "domstats", "dumpxml", "domblklist", "domiflist",
        "domblkinfo", "domblkstat", "domifstat", "dommemstat", "domuuid", "domname", "domid",
        "domhostname", "vcpuinfo", "vcpucount", "nodeinfo", "nodememstats", "nodecpustats",
        "capabilities", "hostname", "sysinfo", "uri", "version", "pool-list", "pool-info",
        "pool-dumpxml", "vol-list", "vol-info", "vol-dumpxml", "vol-path", "net-list", "net-info",
        "net-dumpxml", "net-dhcp-leases", "iface-list", "nodedev-list", "nodedev-dumpxml",
        "snapshot-list", "snapshot-info", "snapshot-dumpxml", "snapshot-current", "secret-list",
        "nwfilter-list", "help", "",
    ],
    destructive: &[
        ("destroy", "power.off", "pulls the virtual machine's plug"),
        ("shutdown", "power.off", "shuts the virtual machine down"),
        ("reboot", "power.off", "reboots the virtual machine"),
        ("reset", "power.off", "resets the virtual machine"),
        ("suspend", "power.off", "pauses the virtual machine"),
        (
            "undefine",
            "container.remove",
            "deletes the virtual machine's definition (and storage with --remove-all-storage)",
        ),
        ("vol-delete", "container.remove", "deletes the volume"),
        ("vol-wipe", "container.remove", "wipes the volume"),
        ("pool-destroy", "container.remove", "stops the storage pool"),
        (
            "pool-delete", "container.remove", "deletes the storage pool's data",
        ),
        (
            "snapshot-delete", "container.remove", "deletes the snapshot",
        ),
        (
            "snapshot-revert", "container.remove", "reverts the machine, discarding changes",
        ),
        ("net-destroy", "container.stop", "stops the network"),
        (
            "detach-disk", "container.stop", "pulls the disk out of the running machine",
        ),
        (
            "detach-interface", "container.stop", "pulls the network interface out of the machine",
        ),
    ],
    writes: &[
        ("-l", "writes its log to a file"),
        ("--log", "writes its log to a file"),
    ],
};
