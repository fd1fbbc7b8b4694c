#!/usr/bin/env python3
"""opsguard exec over SSH against a fleet of OpenSSH clients, on loopback.

    python3 bench/ssh.py [--runs 5] [--hosts 1,10,50]

Starts sshd (MaxStartups 200:30:300, SetEnv HOME= a clean folder, so the
remote shell reads no rc files) on 127.0.0.2 onwards, 16 addresses per
process, then for each host count N times, as medians of --runs runs:
- opsguard: `opsguard exec @all --forks N -- true` (audit log included);
- OpenSSH: N `ssh ... true` processes started at once, with the default
  key exchange and with `-o KexAlgorithms=curve25519-sha256`;
- opsguard with `connection: openssh` (the system ssh): cold (no control
  master; each run's masters are stopped after it) and warm (the masters
  of a first run reused);
- through one bastion (a further sshd on 127.0.0.201): opsguard, whose
  hosts' ssh_config asks for `ProxyJump` and so go through the system ssh
  with one shared login to the bastion, and N `ssh -J` processes (one
  bastion login each); `--only bastion` runs only these rows;
wall time and the client's CPU time (user+system of the client processes
only, never sshd's), and the peak RSS of one client process (opsguard for
all N hosts; one ssh of the fleet). Control masters detach from the
process that starts them, so their CPU time is not in the client figure
of the openssh rows (marked *). It also reports the key
exchange each client negotiated, read from a DEBUG1 sshd's log.

Needs root (sshd on loopback, root login by key), /usr/sbin/sshd, ssh,
ssh-keygen, GNU time (/usr/bin/time, package `time`) and a release build (it runs `cargo build --release`).
"""

import argparse
import os
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "target", "release", "opsguard")


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path], check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sshd(d, addrs, port, log_level="ERROR", tag="0"):
    config = os.path.join(d, f"sshd_config.{tag}")
    with open(config, "w") as f:
        f.write(
            f"HostKey {d}/host_key\nPidFile none\nAuthorizedKeysFile {d}/authorized_keys\n"
            "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\nUsePAM no\nMaxStartups 200:30:300\n"
            f"MaxSessions 100\nLogLevel {log_level}\nSetEnv HOME={d}/home\n"
        )
        for a in addrs:
            f.write(f"ListenAddress {a}:{port}\n")
    log = open(os.path.join(d, f"sshd.{tag}.log"), "w")
    p = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", config], stdout=log, stderr=log,
                         start_new_session=True)
    deadline = time.time() + 10
    for a in addrs:
        while True:
            try:
                with socket.create_connection((a, port), timeout=2) as s:
                    if s.recv(4) == b"SSH-":
                        break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit(f"sshd does not answer on {a}:{port}")
            time.sleep(0.02)
    return p


def timed(procs_args, env):
    """Start every command at once from one small shell; the wall time of
    all and the CPU time (user+system, from wait4, to the microsecond) of
    that shell and everything it started. The shell's own share is the same
    few forks for every client, and no forked copy of this Python counts."""
    script = "pids=\n"
    for a in procs_args:
        script += shlex.join(a) + " >/dev/null 2>&1 & pids=\"$pids $!\"\n"
    script += "rc=0\nfor p in $pids; do wait $p || rc=1; done\nexit $rc\n"
    start = time.perf_counter()
    p = subprocess.Popen(["bash", "-c", script], env=env)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        again = subprocess.run(procs_args[0], env=env, capture_output=True, text=True)
        sys.exit(f"a client failed: {procs_args[0]}\n{again.stderr}")
    return wall, ru.ru_utime + ru.ru_stime


def peak_rss(args, env):
    """Peak RSS in MiB of one run of `args`, measured by GNU time (a small
    parent, so the figure is the program's own, not this forked Python's)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *args], env=env, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(out.stderr.split()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hosts", default="1,10,50")
    ap.add_argument("--only", choices=["all", "bastion"], default="all")
    args = ap.parse_args()
    counts = [int(n) for n in args.hosts.split(",")]
    if os.geteuid() != 0:
        sys.exit("run as root: sshd on loopback and root login by key")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
    os.makedirs("/run/sshd", exist_ok=True)
    d = tempfile.mkdtemp(prefix="opsguard-bench-")
    try:
        os.makedirs(os.path.join(d, "home"))
        keygen(os.path.join(d, "host_key"))
        keygen(os.path.join(d, "id_ed25519"))
        shutil.copy(os.path.join(d, "id_ed25519.pub"), os.path.join(d, "authorized_keys"))
        host_key = " ".join(open(os.path.join(d, "host_key.pub")).read().split()[:2])
        most = max(counts)
        addrs = [f"127.0.0.{2 + i}" for i in range(most)]
        port = free_port()
        servers = [start_sshd(d, addrs[i:i + 16], port, tag=str(i)) for i in range(0, most, 16)]
        probe_addr, probe_port = "127.0.0.200", free_port()
        servers.append(start_sshd(d, [probe_addr], probe_port, "DEBUG1", "probe"))
        kh = os.path.join(d, "known_hosts")
        with open(kh, "w") as f:
            for a in addrs:
                f.write(f"[{a}]:{port} {host_key}\n")
            f.write(f"[{probe_addr}]:{probe_port} {host_key}\n")
        env = dict(os.environ, OPSGUARD_AUDIT_LOG=os.path.join(d, "audit.jsonl"))
        env.pop("SSH_AUTH_SOCK", None)

        def inventory(n):
            path = os.path.join(d, f"inv{n}.yaml")
            with open(path, "w") as f:
                f.write(f"settings:\n  port: {port}\n  identity_files: [{d}/id_ed25519]\n"
                        f"  known_hosts: {kh}\nhosts:\n")
                for i, a in enumerate(addrs[:n]):
                    f.write(f"  h{i}: {{address: {a}, role: backup, groups: [all]}}\n")
                f.write(f"  probe: {{address: {probe_addr}, port: {probe_port}, role: backup}}\n")
            return path

        ssh = ["ssh", "-q", "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={kh}",
               "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
               "-i", os.path.join(d, "id_ed25519"), "-p", str(port)]

        # Which key exchange each client negotiates, from the probe's log.
        def kex_of(cmd):
            log = os.path.join(d, "sshd.probe.log")
            before = open(log).read().count("kex: algorithm:")
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            time.sleep(0.2)
            lines = [l for l in open(log).read().splitlines() if "kex: algorithm:" in l]
            if len(lines) <= before:
                return "?"
            return lines[before].split("kex: algorithm:")[1].replace("[preauth]", "").strip()

        inv = inventory(most)
        kex = {
            "opsguard": kex_of([BIN, "-i", inv, "exec", "probe", "--", "true"]),
            "ssh (default)": kex_of(["ssh", *ssh[1:-2], "-p", str(probe_port), f"root@{probe_addr}", "true"]),
            "ssh (curve25519)": kex_of(["ssh", *ssh[1:-2], "-p", str(probe_port),
                                        "-o", "KexAlgorithms=curve25519-sha256",
                                        f"root@{probe_addr}", "true"]),
        }

        bastion_addr, bastion_port = "127.0.0.201", free_port()
        servers.append(start_sshd(d, [bastion_addr], bastion_port, tag="bastion"))
        with open(kh, "a") as f:
            f.write(f"[{bastion_addr}]:{bastion_port} {host_key}\n")
        jump_config = os.path.join(d, "ssh_config")
        with open(jump_config, "w") as f:
            f.write(f"Host 127.0.0.* !{bastion_addr} !{probe_addr}\n"
                    f"  ProxyJump root@{bastion_addr}:{bastion_port}\n"
                    f"Host *\n  IdentityFile {d}/id_ed25519\n  UserKnownHostsFile {kh}\n"
                    "  GlobalKnownHostsFile /dev/null\n")

        def variant(n, extra):
            """The inventory for n hosts with `extra` settings lines."""
            base = inventory(n)
            path = base.replace(".yaml", f"-{abs(hash(extra))}.yaml")
            text = open(base).read().replace("settings:\n", "settings:\n" + extra)
            with open(path, "w") as f:
                f.write(text)
            return path

        # State folders short enough for ssh's control sockets (a longer
        # one would make opsguard use one shared folder in /tmp).
        short = tempfile.mkdtemp(prefix="og-")

        def stop_masters(state):
            subprocess.run(["pkill", "-f", state + "/"], check=False)
            time.sleep(0.1)

        def cold(n, name, cmd, tag):
            """`cmd` with no control master: a fresh state folder for each
            run, its masters stopped after it; one table row."""
            runs = []
            for i in range(args.runs):
                state = os.path.join(short, f"{tag}{n}-{i}")
                runs.append(timed([cmd], dict(env, XDG_STATE_HOME=state)))
                stop_masters(state)
            print(f"| {n} | {name} | ssh's | {statistics.median(r[0] for r in runs):.3f} "
                  f"| {statistics.median(r[1] for r in runs):.3f}* | |", flush=True)

        print(f"# exec of `true`, medians of {args.runs} runs; CPU is the client's own (user+sys)")
        print()
        print("| hosts | client | key exchange | wall (s) | client CPU (s) | peak RSS (MB) |")
        print("|---:|---|---|---:|---:|---:|")
        for n in counts:
            inv = inventory(n)
            if args.only == "bastion":
                cases = {}
            else:
                cases = {
                    "opsguard": [[BIN, "-i", inv, "exec", "@all", "--forks", str(n), "--", "true"]],
                    "ssh (default)": [[*ssh, f"root@{a}", "true"] for a in addrs[:n]],
                    "ssh (curve25519)": [[*ssh, "-o", "KexAlgorithms=curve25519-sha256",
                                          f"root@{a}", "true"] for a in addrs[:n]],
                }
            for name, cmds in cases.items():
                runs = [timed(cmds, env) for _ in range(args.runs)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                rss = peak_rss(cmds[0], env)
                print(f"| {n} | {name} | {kex[name]} | {wall:.3f} | {cpu:.3f} | {rss:.1f} |", flush=True)

            # The system ssh: cold (a fresh state folder, masters stopped
            # after each run) and warm (masters of a first run reused).
            if args.only != "bastion":
                ossh = variant(n, "  connection: openssh\n  ssh_config: none\n")
                cmd = [BIN, "-i", ossh, "exec", "@all", "--forks", str(n), "--", "true"]
                cold(n, "opsguard, openssh (cold)", cmd, "c")
                state = os.path.join(short, f"w{n}")
                warm_env = dict(env, XDG_STATE_HOME=state)
                timed([cmd], warm_env)
                runs = [timed([cmd], warm_env) for _ in range(args.runs)]
                rss = peak_rss(cmd, warm_env)
                stop_masters(state)
                print(f"| {n} | opsguard, openssh (warm) | ssh's "
                      f"| {statistics.median(r[0] for r in runs):.3f} "
                      f"| {statistics.median(r[1] for r in runs):.3f}* | {rss:.1f} |", flush=True)

            # Through one bastion.
            jumped = variant(n, f"  ssh_config: {jump_config}\n")
            cmd = [BIN, "-i", jumped, "exec", "@all", "--forks", str(n), "--", "true"]
            cold(n, "opsguard via bastion (cold)", cmd, "j")
            fleet = [["ssh", "-q", "-F", jump_config, "-o", "BatchMode=yes", "-p", str(port),
                      f"root@{a}", "true"] for a in addrs[:n]]
            runs = [timed(fleet, env) for _ in range(args.runs)]
            print(f"| {n} | ssh -J fleet via bastion | ssh's | {statistics.median(r[0] for r in runs):.3f} "
                  f"| {statistics.median(r[1] for r in runs):.3f} | |", flush=True)
    finally:
        for p in locals().get("servers", []):
            os.killpg(p.pid, 9)
            p.wait()
        shutil.rmtree(d, ignore_errors=True)
        if "short" in locals():
            subprocess.run(["pkill", "-f", short + "/"], check=False)
            shutil.rmtree(short, ignore_errors=True)


if __name__ == "__main__":
    main()
