#!/usr/bin/env python3
"""Peak memory of `opsguard exec` when hosts print a lot.

    python3 bench/memory.py [--quick]

Local hosts (`connection: local`, a folder each under a temporary
directory), role `backup`, so nothing asks. For each case it runs
`opsguard exec @fleet --forks F -- CMD` from a release build with its
output sent to a reader, and reports the wall time and the peak RSS of the
opsguard process itself: its VmHWM (the kernel's high-water mark of its
resident memory), read from /proc until it exits. The hosts' own shells
and commands are processes of their own and not counted.

Cases:
- one host printing 200 MB, read by a reader that takes 64 KiB every
  5 ms (a slow terminal): streamed, with backpressure;
- 32 hosts printing 20 MB each;
- 1,000 hosts printing 1 MB each (the report keeps a head and a tail of
  each, within the run's share of memory).

The goal: peak RSS under 100 MB whatever the output size, up to 1,000
hosts. Linux only (/proc).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "target", "release", "opsguard")


def inventory(root, n):
    lines = ["settings:", "  audit_log: audit.jsonl", "hosts:"]
    for i in range(n):
        os.makedirs(os.path.join(root, f"h{i:04}"), exist_ok=True)
        lines += [
            f"  h{i:04}:",
            "    connection: local",
            f"    workdir: h{i:04}",
            "    role: backup",
            "    groups: [fleet]",
        ]
    path = os.path.join(root, "inventory.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def peak_rss_kib(pid, stop, out):
    """Sample VmHWM of `pid` (opsguard itself) until `stop` is set."""
    best = 0
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        best = max(best, int(line.split()[1]))
        except OSError:
            break
        time.sleep(0.01)
    out.append(best)


def run(hosts, megabytes, forks, slow):
    with tempfile.TemporaryDirectory() as root:
        inv = inventory(root, hosts)
        size = megabytes * 1000 * 1000
        # Lines of 100 bytes: text, as a real command prints.
        cmd = f"yes 'opsguard memory bench {'x' * 73}' | head -c {size}"
        argv = [BIN, "-i", inv, "exec", "@fleet", "--forks", str(forks), "--", cmd]
        start = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stop = threading.Event()
        peak = []
        sampler = threading.Thread(target=peak_rss_kib, args=(p.pid, stop, peak))
        sampler.start()
        got = 0
        while True:
            chunk = p.stdout.read(65536)
            if not chunk:
                break
            got += len(chunk)
            if slow:
                time.sleep(0.005)
        code = p.wait()
        stop.set()
        sampler.join()
        wall = time.monotonic() - start
        if code != 0:
            sys.exit(f"opsguard exited {code} for {hosts} hosts")
        return wall, peak[0] / 1024, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller outputs")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    scale = 10 if args.quick else 1
    cases = [
        (1, 200 // scale, 1, True, "1 host, 200 MB, slow reader"),
        (32, 20 // scale, 32, False, "32 hosts x 20 MB"),
        (1000, max(1, 1 // scale), 50, False, "1,000 hosts x 1 MB"),
    ]
    print(f"{'case':32} {'wall':>8} {'peak RSS':>10} {'shown':>10}")
    for hosts, mb, forks, slow, name in cases:
        wall, rss, got = run(hosts, mb, forks, slow)
        print(f"{name:32} {wall:7.1f}s {rss:8.1f} MB {got / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()
