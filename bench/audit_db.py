#!/usr/bin/env python3
"""The audit log in PostgreSQL: appends per second, and `audit verify` and
`audit show --host X` on a 1,000,000-record chain.

    python3 bench/audit_db.py [--runs 3] [--notes 1000] [--records 1000000]

Builds the release binary (`cargo build --release`), then starts a
PostgreSQL server of its own in a temporary folder (`initdb -A trust -U
postgres`; as the `postgres` system user when run as root; Unix socket in
that folder only, no TCP; server settings at their defaults except
max_wal_size=4GB, so the bulk load does not checkpoint every few seconds)
and stops it by its pid at the end, also on errors or Ctrl-C. Then:

1. `opsguard audit init` on the database `postgres`;
2. appends: `opsguard audit note -` processes fed --notes lines each on
   stdin (each writes session.start, one `note` per line, session.end: one
   statement, so one round trip and its commit, per record), 1 writer and 8 concurrent
   writers, medians of --runs runs; records written (from the table) over
   wall time from the first start to the last exit; then `audit verify`
   must pass on what they wrote (one gapless chain);
3. a 1,000,000-record chain (the log of benches/audit.rs's big_log(),
   byte for byte: sessions of a start, a plan, four commands with output
   and an end on 1,000 hosts; generated here, or reused from
   target/tmp/audit-1m-typed.jsonl when `cargo bench --bench audit` or a
   previous run left it) loaded into a database of its own after `audit
   init`: COPY of the lines into an unlogged staging table, then INSERT
   ... SELECT with the columns taken from line::jsonb (what the
   writer puts in them, which verify checks), then VACUUM ANALYZE;
4. `audit verify` and `audit show --host store-0042` on it: wall time
   (median of --runs), records/s, peak RSS of opsguard (GNU time's %M,
   /usr/bin/time, package `time`); then 8 concurrent writers appending on
   top of the 1,000,000 records, and a verify of the whole chain;
5. where the time goes: each statement opsguard sent during one traced
   verify and one traced show, with the server's own duration for it
   (log_min_duration_statement=0 for that run only), the plan of the
   column check, and EXPLAIN (ANALYZE, BUFFERS) of show's query; WAL
   flushes per append (pg_stat_wal), beside pgbench's INSERT + COMMIT on
   the same server as the cost of one round trip and one commit;
6. experiments, not what opsguard does (skip with --no-experiments): an
   append's round trips emulated with pgbench: two round trips, and one
   (sealed on the server, as opsguard does), each with the lock held over
   the commit's WAL flush (as opsguard does) or released before it (a
   second transaction then waits for the flush, so writers share it).

Prints a Markdown table, the machine (CPU count, PostgreSQL version, the
disk's fsync latency as pg_test_fsync measures it, the load average) and
the diagnostics. The figures move with the disk's fsync latency and with
whatever else runs on the machine: compare rows of one run.
Targets (the issue): >= 500 appends/s with 8 writers, an append costing at
most one round trip plus one commit; verify >= 200,000 records/s in under
50 MB; show --host X under a second with the indexes.

Needs PostgreSQL 14 or later (initdb, postgres, psql, pgbench and
pg_test_fsync from --pg-bin, default /usr/lib/postgresql/15/bin), GNU
time, up to 5 GB of disk in the temporary folder (--tmp; the bulk load's
WAL is most of it) and, for the generated log, 0.55 GB in target/tmp.
Linux. Takes about 15 minutes, most of it the bulk load.
"""

import argparse
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "target", "release", "opsguard")
CACHE = os.path.join(REPO, "target", "tmp", "audit-1m-typed.jsonl")
GNU_TIME = "/usr/bin/time"
HOST = "store-0042"
GENESIS = "0" * 64
# The log line prefix of the server, so its log can be read back.
PREFIX = "@@ %m [%p] "


def say(text):
    print(text, file=sys.stderr, flush=True)


# --- the 1,000,000-record chain ----------------------------------------------------------

def canonical(record):
    """The canonical form (README, "The chain, exactly"): keys sorted,
    no whitespace, UTF-8, minimal escapes. Every key here is ASCII, so
    Python's code point order is the UTF-8 byte order."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def output(data):
    return {"text": data.decode(), "truncated": False, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def generate(path, records):
    """benches/audit.rs's big_log(), record for record: the same events,
    fields and values, so the same bytes."""
    stdout = output(b"Filesystem Size Used Avail Use% Mounted on\n/dev/sdb 1.8T 1.2T 600G 67% /srv\n")
    stderr = output(b"")
    common = {"v": 1, "ts": "2026-11-22T10:01:02.123Z", "user": "alice",
              "workstation": "ws-12", "pid": 4411}
    prev, seq, session = GENESIS, 0, 0
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
        while seq < records:
            session += 1
            host = f"store-{session % 1000:04}"
            events = [
                {"event": "session.start", "argv": ["opsguard", "exec", host, "--", "df", "-h"],
                 "cwd": "/home/alice", "version": "0.1.0", "terminal": True},
                {"event": "plan", "targets": [{"name": host, "role": "live"}],
                 "command": "df -h", "destructive": False},
            ]
            for i in range(4):
                start = {"host": host, "role": "live", "command": f"df -h /srv/{i}",
                         "destructive": False, "verdict": "safe"}
                events.append(dict(start, event="command.start"))
                events.append(dict(start, event="command.end", status="ok", exit_code=0,
                                   signal=None, duration_ms=12, stdout=stdout, stderr=stderr))
            events.append({"event": "session.end", "status": "ok", "exit_code": 0})
            sid = f"20261122T100102Z-{session:012x}"
            for e in events:
                if seq == records:
                    break
                seq += 1
                e.update(common)
                e["seq"] = seq
                e["session"] = sid
                e["prev"] = prev
                # The keys before "hash" and after it, each part canonical:
                # the record without its hash, and the line, from one pass.
                # (Every record has `event` before `hash` and `prev` after.)
                head = canonical({k: v for k, v in e.items() if k < "hash"})[:-1]
                tail = canonical({k: v for k, v in e.items() if k > "hash"})[1:]
                digest = hashlib.sha256(f"{head},{tail}".encode()).hexdigest()
                out.write(f'{head},"hash":"{digest}",{tail}\n')
                prev = digest
    os.replace(tmp, path)


def big_log(records):
    """The chain to load: the cached file when it holds `records` records
    whose first and last lines are what the generator writes."""
    path = CACHE if records == 1_000_000 else os.path.join(
        REPO, "target", "tmp", f"audit-{records}-typed.jsonl")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, "rb") as f:
            first = json.loads(f.readline())
            f.seek(max(0, os.path.getsize(path) - 4096))
            last = json.loads(f.read().splitlines()[-1])
        if first.get("seq") == 1 and first.get("prev") == GENESIS and last.get("seq") == records:
            say(f"reusing {os.path.relpath(path, REPO)} ({os.path.getsize(path) / 1e6:.0f} MB)")
            return path
    say(f"generating a {records:,}-record chain in {os.path.relpath(path, REPO)} ...")
    t = time.monotonic()
    generate(path, records)
    say(f"  {time.monotonic() - t:.1f} s, {os.path.getsize(path) / 1e6:.0f} MB")
    return path


# --- the server ---------------------------------------------------------------------------

class Server:
    """A PostgreSQL server in `root`, reached by its Unix socket there."""

    def __init__(self, pg_bin, root):
        self.pg_bin = pg_bin
        self.root = root
        self.data = os.path.join(root, "data")
        self.log_path = os.path.join(root, "server.log")
        self.proc = None
        self.as_user = None
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            self.as_user = (pw.pw_uid, pw.pw_gid)
            os.chown(root, *self.as_user)

    def _drop(self):
        if self.as_user:
            os.setgroups([])
            os.setgid(self.as_user[1])
            os.setuid(self.as_user[0])

    def bin(self, name):
        return os.path.join(self.pg_bin, name)

    def start(self):
        subprocess.run([self.bin("initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                        "--locale=C", "-D", self.data], check=True, stdout=subprocess.DEVNULL,
                       preexec_fn=self._drop, cwd=self.root)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.bin("postgres"), "-D", self.data, "-k", self.root, "-c", "listen_addresses=",
             "-c", "max_wal_size=4GB", "-c", f"log_line_prefix={PREFIX}"],
            stdout=log, stderr=log, preexec_fn=self._drop, cwd=self.root,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while subprocess.run([self.bin("pg_isready"), "-q", "-h", self.root, "-U", "postgres"]
                             ).returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"PostgreSQL did not start; its log:\n{open(self.log_path).read()}")
            time.sleep(0.1)

    def stop(self):
        """Fast shutdown of the server this script started, by its pid."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def url(self, db):
        return f"postgresql:///{db}?host={self.root}&user=postgres"

    def psql(self, db, sql, stdin=None, tuples=True):
        """Run `sql` with psql; its output (unaligned, tuples only)."""
        argv = [self.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.root,
                "-U", "postgres", "-d", db, "-c", sql]
        if tuples:
            argv[1:1] = ["-A", "-t"]
        p = subprocess.run(argv, stdin=stdin, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"psql failed on {sql[:200]!r}:\n{p.stderr}")
        return p.stdout.strip()

    def log_size(self):
        return os.path.getsize(self.log_path)

    def statements(self, since):
        """(duration ms, statement) of each statement logged after byte
        `since` of the server's log."""
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            f.seek(since)
            text = f.read()
        out = []
        for entry in re.split(r"^@@ ", text, flags=re.M):
            m = re.search(r"LOG:  duration: ([\d.]+) ms  (?:execute [^:]*|statement): (.*)",
                          entry, flags=re.S)
            if m:
                out.append((float(m.group(1)), m.group(2).strip()))
        return out


# --- opsguard -----------------------------------------------------------------------------

def og(url, *args):
    return [BIN, "--audit-log", url, "-q", *args]


def run_checked(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {p.returncode}:\n{p.stderr}{p.stdout[-2000:]}")
    return p.stdout


def count(server, db):
    return int(server.psql(db, "SELECT count(*) FROM opsguard.audit"))


def wal_flushes(server):
    """WAL flushes (fsyncs) the server has made since its start."""
    return int(server.psql("postgres", "SELECT wal_sync FROM pg_stat_wal"))


def appends(server, db, writers, notes, root):
    """`writers` concurrent `audit note -` processes of `notes` lines
    each: (records written, wall seconds, WAL flushes meanwhile)."""
    url = server.url(db)
    feed = os.path.join(root, f"notes-{notes}.txt")
    if not os.path.exists(feed):
        with open(feed, "w") as f:
            for i in range(notes):
                f.write(f"bench note {i}: window for CHG-1234 open, draining store-{i % 1000:04}\n")
    before = count(server, db)
    flushes = wal_flushes(server)
    procs = []
    start = time.monotonic()
    for _ in range(writers):
        with open(feed) as stdin:
            procs.append(subprocess.Popen(og(url, "audit", "note", "-"), stdin=stdin,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    errors = [(p.wait(), p.stderr.read()) for p in procs]
    wall = time.monotonic() - start
    flushes = wal_flushes(server) - flushes
    for code, err in errors:
        if code != 0:
            sys.exit(f"audit note exited {code}: {err.decode(errors='replace')}")
    written = count(server, db) - before
    if written != writers * (notes + 2):
        sys.exit(f"{written} records written, expected {writers * (notes + 2)}")
    return written, wall, flushes


def measured(argv):
    """Wall seconds, peak RSS (MB, None without GNU time) and stdout of
    one run."""
    rss_file = None
    if os.access(GNU_TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="opsguard-rss-")
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file, *argv]
    start = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    rss = None
    if rss_file:
        with open(rss_file) as f:
            lines = f.read().split()
        os.unlink(rss_file)
        rss = int(lines[-1]) / 1024 if lines else None
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {p.returncode}:\n{p.stderr.decode(errors='replace')}")
    return wall, rss, p.stdout


def verify_ok(url, expect):
    out = run_checked(og(url, "audit", "verify"))
    if not out.startswith(f"{expect} records, head {expect}:"):
        sys.exit(f"verify said {out!r}, expected {expect} records")
    return out.strip()


def load(server, db, path):
    """COPY the lines into a staging table, then INSERT ... SELECT with
    the columns taken from each line, as the writer fills them (OFFSET 0
    keeps the planner from inlining `line::jsonb` into each of the nine
    extractions: one parse per line instead of nine)."""
    server.psql(db, "CREATE UNLOGGED TABLE bench_stage (line text NOT NULL)")
    t = time.monotonic()
    # CSV with quote and delimiter characters a canonical line cannot hold
    # (control characters are escaped in it): each line is one value, as is.
    with open(path, "rb") as f:
        server.psql(db, "COPY bench_stage (line) FROM STDIN "
                        "(FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')", stdin=f)
    copied = time.monotonic() - t
    t = time.monotonic()
    server.psql(db, """
        INSERT INTO opsguard.audit (seq, line, hash, ts, session, event, host, role, "user", change)
        SELECT (r->>'seq')::bigint, line, r->>'hash', (r->>'ts')::timestamptz, r->>'session',
               r->>'event', r->>'host', r->>'role', r->>'user', r->>'change'
        FROM (SELECT line, line::jsonb AS r FROM bench_stage OFFSET 0) s""")
    inserted = time.monotonic() - t
    server.psql(db, "DROP TABLE bench_stage")
    t = time.monotonic()
    server.psql(db, "VACUUM (ANALYZE) opsguard.audit")
    vacuumed = time.monotonic() - t
    return copied, inserted, vacuumed


def traced(server, db, argv):
    """Run `argv` once with every statement logged: what it sent, and how
    long the server took for each."""
    server.psql(db, "ALTER SYSTEM SET log_min_duration_statement = 0")
    server.psql(db, "SELECT pg_reload_conf()")
    time.sleep(0.3)
    mark = server.log_size()
    t = time.monotonic()
    run_checked(argv)
    wall = time.monotonic() - t
    time.sleep(0.3)
    got = server.statements(mark)
    server.psql(db, "ALTER SYSTEM RESET log_min_duration_statement")
    server.psql(db, "SELECT pg_reload_conf()")
    return wall, [(ms, sql) for ms, sql in got if "opsguard" in sql or "COPY" in sql]


def explain(server, db, sql, analyze=True):
    options = "ANALYZE, BUFFERS, COSTS OFF" if analyze else "VERBOSE, COSTS OFF"
    return server.psql(db, f"EXPLAIN ({options}) {sql}", tuples=False)


def timed_psql(server, db, sql):
    """Wall seconds of `sql` run by psql, its output thrown away."""
    t = time.monotonic()
    with open(os.devnull, "wb") as null:
        subprocess.run([server.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                        server.root, "-U", "postgres", "-d", db, "-c", sql],
                       stdout=null, check=True)
    return time.monotonic() - t


def pgbench(server, db, script, clients, seconds):
    """Transactions per second, mean latency (ms) and WAL flushes per
    transaction of `script` (extended protocol, so it may pipeline)."""
    path = os.path.join(server.root, "bench.sql")
    with open(path, "w") as f:
        f.write(script)
    flushes = wal_flushes(server)
    p = subprocess.run([server.bin("pgbench"), "-n", "-M", "extended", "-h", server.root,
                        "-U", "postgres", "-c", str(clients),
                        "-j", str(min(clients, os.cpu_count() or 1)),
                        "-T", str(seconds), "-f", path, db], capture_output=True, text=True)
    flushes = wal_flushes(server) - flushes
    tps = re.search(r"^tps = ([\d.]+)", p.stdout, flags=re.M)
    lat = re.search(r"^latency average = ([\d.]+) ms", p.stdout, flags=re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", p.stdout, flags=re.M)
    if p.returncode != 0 or not tps or not lat or not done:
        sys.exit(f"pgbench failed:\n{p.stdout}{p.stderr}")
    return float(tps.group(1)), float(lat.group(1)), flushes / max(1, int(done.group(1)))


def inner_select(copy_sql):
    """The SELECT inside `COPY (SELECT ...) TO STDOUT ...`."""
    m = re.match(r"COPY \((.*)\) TO STDOUT", copy_sql, flags=re.S)
    return m.group(1) if m else None


def fsync_latency(pg_bin, root):
    """pg_test_fsync's fdatasync figure (µs per 8 kB write) in `root`."""
    p = subprocess.run([os.path.join(pg_bin, "pg_test_fsync"), "-s", "1", "-f",
                        os.path.join(root, "fsync-test")], capture_output=True, text=True)
    m = re.search(r"^\s+fdatasync\s+[\d.]+ ops/sec\s+(\d+) usecs/op", p.stdout, flags=re.M)
    return int(m.group(1)) if m else None


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def short(sql, n=160):
    sql = " ".join(sql.split())
    return sql if len(sql) <= n else sql[: n - 3] + "..."


def median_run(argv, runs, check):
    """Median wall, highest peak RSS (MB or None), and the walls, of
    `runs` runs; `check(stdout)` on each."""
    walls, rsss = [], []
    for _ in range(runs):
        wall, rss, out = measured(argv)
        check(out)
        walls.append(wall)
        rsss.append(rss)
    rss = max(r for r in rsss if r is not None) if any(r is not None for r in rsss) else None
    return statistics.median(walls), rss, walls


def mb(rss):
    return f"{rss:.1f} MB" if rss is not None else "n/a (no GNU time)"


# An append's round trips, one as opsguard makes them and others:
# the lock held over the commit's WAL flush (every append waits for the
# one before it to reach the disk), or released before it, the append
# made durable by a second transaction that writes WAL and so flushes
# everything before it (concurrent writers share flushes).
_LOCK = "SELECT pg_advisory_xact_lock(8029759185026510436);\n"
_TAIL = "SELECT seq, hash, clock_timestamp() FROM bench_chain ORDER BY seq DESC LIMIT 1;\n"
_INSERT = ("INSERT INTO bench_chain SELECT coalesce(max(seq), 0) + 1, repeat('x', 400), "
           "md5(random()::text), clock_timestamp() FROM bench_chain;\n")
_ASYNC = "SET LOCAL synchronous_commit = off;\n"
_FLUSH = "SELECT pg_logical_emit_message(true, 'opsguard', '');\n"
PROTOCOLS = [
    ("2 round trips (lock + tail; insert + commit), lock held over the flush",
     f"\\startpipeline\nBEGIN;\n{_LOCK}{_TAIL}\\endpipeline\n"
     f"\\startpipeline\n{_INSERT}COMMIT;\n\\endpipeline\n"),
    ("2 round trips, lock released before the flush",
     f"\\startpipeline\nBEGIN;\n{_ASYNC}{_LOCK}{_TAIL}\\endpipeline\n"
     f"\\startpipeline\n{_INSERT}COMMIT;\n{_FLUSH}\\endpipeline\n"),
    ("opsguard: 1 round trip (sealed on the server), lock held over the flush",
     f"\\startpipeline\nBEGIN;\n{_LOCK}{_INSERT}COMMIT;\n\\endpipeline\n"),
    ("1 round trip, lock released before the flush",
     f"\\startpipeline\nBEGIN;\n{_ASYNC}{_LOCK}{_INSERT}COMMIT;\n{_FLUSH}\\endpipeline\n"),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--notes", type=int, default=1000, help="notes per writer")
    ap.add_argument("--records", type=int, default=1_000_000, help="records of the big chain")
    ap.add_argument("--pg-bin", default="/usr/lib/postgresql/15/bin")
    ap.add_argument("--tmp", default=None, help="folder for the server (default: $TMPDIR)")
    ap.add_argument("--no-experiments", action="store_true",
                    help="skip the append protocols emulated with pgbench")
    args = ap.parse_args()
    if not os.access(GNU_TIME, os.X_OK):
        say(f"{GNU_TIME} not found (apt-get install time): no peak RSS figures")
    say("cargo build --release ...")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    log_file = big_log(args.records)

    root = tempfile.mkdtemp(prefix="opsguard-pg-", dir=args.tmp)
    server = Server(args.pg_bin, root)
    rows = []  # (what, measured, target)
    notes = []
    diag = []
    loads = [loadavg()]
    try:
        server.start()
        version = server.psql("postgres", "SHOW server_version")
        fsync_us = fsync_latency(args.pg_bin, root)

        # 1-2. init, and appends on a fresh chain, each beside the cost of
        # one round trip and one commit on the same server (pgbench).
        url = server.url("postgres")
        run_checked(og(url, "audit", "init", url))
        server.psql("postgres", "CREATE TABLE bench_commit (x int)")
        for writers in (1, 8):
            tps, lat, per = pgbench(server, "postgres", "INSERT INTO bench_commit VALUES (1);\n",
                                    writers, 5)
            rows.append((f"baseline: INSERT + COMMIT, one round trip each (pgbench, "
                         f"{writers} client{'s' if writers > 1 else ''})",
                         f"{tps:,.0f}/s ({lat:.2f} ms each; {per:.2f} WAL flushes each)", ""))
            results = []
            for _ in range(args.runs):
                results.append(appends(server, "postgres", writers, args.notes, root))
            rates = sorted(n / wall for n, wall, _ in results)
            rate = statistics.median(rates)
            n = results[0][0]
            per = sum(f for _, _, f in results) / sum(n for n, _, _ in results)
            say(f"{writers} writer(s): {', '.join(f'{r:.0f}' for r in rates)} appends/s")
            rows.append((f"appends, {writers} writer{'s' if writers > 1 else ''} "
                         f"({writers} x {args.notes} notes + start/end = {n:,} records)",
                         f"**{rate:,.0f}/s** ({1000 / rate:.2f} ms each; runs "
                         f"{', '.join(f'{r:.0f}' for r in rates)}; {per:.2f} WAL flushes each)",
                         ">= 500/s" if writers == 8 else ""))
        total = count(server, "postgres")
        verify_ok(url, total)
        notes.append(f"`audit verify` after the appends: {total:,} records, one gapless chain.")

        # 3. the big chain, in a database of its own.
        server.psql("postgres", "CREATE DATABASE audit1m")
        big = server.url("audit1m")
        run_checked(og(big, "audit", "init", big))
        say(f"loading {args.records:,} records ...")
        copied, inserted, vacuumed = load(server, "audit1m", log_file)
        size = server.psql("audit1m", "SELECT pg_size_pretty(pg_table_size('opsguard.audit')) "
                                      "|| ' + ' || pg_size_pretty(pg_indexes_size('opsguard.audit'))")
        notes.append(f"Load of {args.records:,} records: COPY {copied:.1f} s, INSERT ... SELECT "
                     f"{inserted:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s; table + indexes {size}.")
        records = count(server, "audit1m")
        if records != args.records:
            sys.exit(f"{records} rows loaded, expected {args.records}")

        # 4. verify and show, and the same chain as a file for comparison.
        def verified(out):
            if not out.startswith(f"{records} records, head {records}:".encode()):
                sys.exit(f"verify said {out!r}, expected {records} records")

        say("verify (file) ...")
        wall, rss, walls = median_run([BIN, "--audit-log", log_file, "-q", "audit", "verify"],
                                      args.runs, verified)
        file_verify = (wall, rss)
        say("verify (database) ...")
        wall, rss, walls = median_run(og(big, "audit", "verify"), args.runs, verified)
        say(f"verify: {', '.join(f'{w:.2f}' for w in walls)} s")
        rows.append((f"`audit verify` on {records:,} records",
                     f"{wall:.2f} s: **{records / wall:,.0f} records/s**", ">= 200,000/s"))
        rows.append(("peak RSS of `audit verify`", f"**{mb(rss)}**", "< 50 MB"))
        rows.append(("(the same chain as a file: `audit verify FILE`)",
                     f"{file_verify[0]:.2f} s: {records / file_verify[0]:,.0f} records/s, "
                     f"{mb(file_verify[1])}", ""))

        expect = int(server.psql("audit1m", f"SELECT count(*) FROM opsguard.audit WHERE host = '{HOST}' "
                                            f"OR (event = 'plan' AND line LIKE '%\"name\":\"{HOST}\"%')"))

        def shown_all(out):
            got = out.count(b"\n")
            if got != expect:
                sys.exit(f"show --host {HOST} printed {got} records, expected {expect}")

        say("show ...")
        wall, rss, walls = median_run(og(big, "audit", "show", "--host", HOST), args.runs, shown_all)
        say(f"show: {', '.join(f'{w:.2f}' for w in walls)} s")
        rows.append((f"`audit show --host {HOST}` ({expect} records shown)",
                     f"**{wall:.2f} s**", "< 1 s"))
        rows.append((f"peak RSS of `audit show --host {HOST}`", mb(rss), ""))

        # 5. where the time goes.
        say("traced runs ...")
        v_wall, v_sql = traced(server, "audit1m", og(big, "audit", "verify"))
        s_wall, s_sql = traced(server, "audit1m", og(big, "audit", "show", "--host", HOST))
        for name, wall, stmts in (("verify", v_wall, v_sql), (f"show --host {HOST}", s_wall, s_sql)):
            diag.append(f"Traced `audit {name}`: {wall:.2f} s of wall; the statements that "
                        f"took >= 1 ms on the server (a COPY's time includes waiting for "
                        f"opsguard to read it):")
            diag.append("")
            diag.append("| server time | statement |")
            diag.append("|---:|---|")
            for ms, sql in stmts:
                if ms >= 1:
                    diag.append(f"| {ms / 1000:.2f} s | `{short(sql)}` |")
            diag.append("")
        copy_all = next((sql for _, sql in v_sql if sql.startswith("COPY")), None)
        if copy_all:
            diag.append(f"The COPY `verify` streams, into /dev/null with psql: "
                        f"{timed_psql(server, 'audit1m', copy_all):.2f} s.")
            diag.append("")
        show_copy = next((sql for _, sql in s_sql if sql.startswith("COPY")), None)
        select = inner_select(show_copy) if show_copy else None
        if select:
            diag.append("EXPLAIN ANALYZE of the query `audit show --host` sends:")
            diag.append("")
            diag.append("```")
            diag.append(f"-- {select}")
            diag.append(explain(server, "audit1m", select))
            diag.append("```")
            diag.append("")

        # Appends on top of the big chain, and the whole chain checked.
        say("appends on the big chain ...")
        n, wall, flushes = appends(server, "audit1m", 8, args.notes, root)
        rows.append((f"appends, 8 writers, on the {records:,}-record table ({n:,} records)",
                     f"{n / wall:,.0f}/s ({flushes / n:.2f} WAL flushes each)", ">= 500/s"))
        total = count(server, "audit1m")
        verify_ok(big, total)
        notes.append(f"`audit verify` after those appends: {total:,} records, one gapless chain.")

        if not args.no_experiments:
            say("experiments ...")
            diag.append("Append protocols emulated with pgbench on a table of the same shape "
                        "(`bench_chain`: the chain's advisory lock, the tail read, a 400-byte "
                        "line; each `\\startpipeline`...`\\endpipeline` is one round trip; medians of 3 "
                        "interleaved runs of 3 s):")
            diag.append("")
            diag.append("| protocol | clients | appends/s | latency | WAL flushes each |")
            diag.append("|---|---:|---:|---:|---:|")
            server.psql("postgres", "CREATE TABLE bench_chain (seq bigint PRIMARY KEY, "
                                    "line text, hash text, ts timestamptz)")
            # Round-robin, 3 s each, medians of 3: the disk's fsync latency
            # drifts, and each variant should see the same drift.
            cases = [(name, script, clients) for name, script in PROTOCOLS for clients in (1, 8)]
            got = {i: [] for i in range(len(cases))}
            for _ in range(3):
                for i, (_, script, clients) in enumerate(cases):
                    got[i].append(pgbench(server, "postgres", script, clients, 3))
            for i, (name, _, clients) in enumerate(cases):
                tps = statistics.median(g[0] for g in got[i])
                lat = statistics.median(g[1] for g in got[i])
                per = statistics.mean(g[2] for g in got[i])
                diag.append(f"| {name} | {clients} | {tps:,.0f} | {lat:.2f} ms | {per:.2f} |")
            diag.append("")
        loads.append(loadavg())
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    print(f"Machine: {os.cpu_count()} CPUs, PostgreSQL {version}, fdatasync "
          f"{fsync_us} µs per 8 kB write in the server's folder (pg_test_fsync), "
          f"load average {loads[0]:.2f} at the start and {loads[-1]:.2f} at the end.")
    print()
    print("| what | measured | target |")
    print("|---|---|---|")
    for what, got, target in rows:
        print(f"| {what} | {got} | {target} |")
    print()
    for n in notes:
        print(f"- {n}")
    print()
    print("\n".join(diag))


if __name__ == "__main__":
    main()
