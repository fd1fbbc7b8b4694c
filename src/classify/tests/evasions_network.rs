//! Evasions through options of the network tools (see `evasions.rs`): each
//! line writes, runs or changes something, so none may be safe; the
//! everyday forms beside them stay safe.

pub const EVASIONS: &[&str] = &[
    // ip reads a verb as the first one its code tests that the word
    // begins: `s` is `set` for links; options by prefix too.
    "ip link s eth0 mtu 1400", "ip link s eth0 netns 1", "ip l s eth0 down", "ip -b cmds",
    "ip -force -batch cmds", "ip --batch cmds", "ip -ba cmds", "ip -n blue link del veth0",
    "ip - 5 link del veth0", "ip -c=always link s eth0 down", "ip r restore",
    "ip link prop add dev eth0 altname x", "ip -all netns exec reboot", "ip netns e ns1 reboot",
    "ip vrf exec blue reboot", "ip a fl dev eth0",
    // A word after the interface is a setting, `-arp` too.
    "ifconfig eth0 -arp", "ifconfig eth0 -promisc", "ifconfig eth0 -allmulti",
    "ifconfig eth0 mtu 1400", // arp bundles and abbreviates like getopt.
    "arp -nd 10.0.0.1", "arp --del 10.0.0.1", "arp -s 10.0.0.1 00:11:22:33:44:55",
    "arp -f /etc/ethers", // tc: batch files, `qdisc l` is `link`, exec.
    "tc -batch cmds", "tc -b cmds", "tc qdisc l dev eth0 root handle 1: htb",
    "tc -c names qdisc del dev eth0 root", "tc exec bpf import /tmp/x run /bin/sh",
    "bridge -b cmds", "bridge fdb del 00:11:22:33:44:55 dev eth0",
    // nmcli export writes the connection to a file.
    "nmcli connection export vpn /etc/passwd", "nmcli c ex vpn /etc/passwd", "nmcli agent",
    // nft reads several commands, in one word or across words; -f runs a
    // file.
    "nft 'list ruleset; flush ruleset'", "nft 'list ruleset\nflush ruleset'",
    "nft list ruleset ';' flush ruleset", "nft list ruleset \\; add table inet x",
    "nft -f rules.nft", "nft -i", "nft -o -f rules.nft",
    // The save tools write to a file with -f; -M runs a program.
    "iptables-save -f /etc/passwd", "ip6tables-save -f /etc/passwd",
    "iptables-save --fi /etc/passwd", "iptables-save -M /tmp/evil", "ipset save -f /etc/passwd",
    "ipset -file /etc/passwd save", "ipset save --file=/etc/passwd",
    // kubectl's global options that take a value must not hide the
    // command; some write files or load a configuration that runs a
    // plugin.
    "kubectl --password get delete pod web-0", "kubectl --token get delete pod web-0",
    "kubectl -v 9 delete pod web-0", "kubectl get pods --profile=cpu --profile-output=/tmp/p",
    "kubectl get pods --profile=cpu", "kubectl --kubeconfig=evil.yaml get pods",
    "kubectl --log-file=/etc/passwd get pods", "kubectl --cache-dir=/etc get pods",
    // The same for the container engines and virsh.
    "podman --tmpdir ps rm -af", "podman --out=/etc/passwd ps", "podman --conmon ps rm -af",
    "podman --runtime /tmp/evil ps", "docker --config /tmp/evil compose ps",
    "docker compose config -o /etc/passwd", "docker compose config --output /etc/passwd",
    "docker-compose config -o /etc/passwd", "podman generate systemd --files",
    "podman generate systemd -f mail", "virsh -l /etc/passwd list", "virsh --log=/etc/passwd list",
];

pub const STILL_SAFE: &[&str] = &[
    "ip -br addr", "ip -br a", "ip -s -s link show eth0", "ip n s", "ip l l", "ip -d link show",
    "ip -o -4 a", "ip --json addr", "ip -c a", "ip -color=always a", "ip -n blue addr",
    "ip route get 10.0.2.11", "ip netns exec ns1 ls", "ip vrf show", "ip maddr", "ifconfig -s",
    "ifconfig -a", "ifconfig eth0", "arp -an", "arp -a 10.0.0.1", "arp -i eth0 -n",
    "tc -s qdisc show dev eth0", "tc -s -d class show dev eth0", "tc filter show dev eth0",
    "tc qdisc", "tc -j qdisc ls", "bridge link", "bridge fdb show", "bridge -d vlan show",
    "nmcli -t -f NAME,DEVICE c s", "nmcli general status", "iptables-save -t nat",
    "iptables-save -c", "ip6tables-save", "nft 'list ruleset'",
    "nft list ruleset; nft list tables", "nft -c -f /etc/nftables.conf", "ipset list -name",
    "ipset save", "ipset -o save list blocklist", "kubectl get pods -n x",
    "kubectl logs -p imap-0", "kubectl logs --previous imap-0 -c imap",
    "kubectl --context prod get pods -o wide", "kubectl get pods --all-namespaces -o json",
    "kubectl -v=6 get nodes", "kubectl get nodes --no-headers", "kubectl config view --minify",
    "kubectl --as admin get pods", "docker compose config", "podman --remote ps",
    "podman generate systemd mail", "podman generate systemd --new --name mail",
    "virsh -c qemu:///system list",
];
