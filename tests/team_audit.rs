//! The team's audit log in a real PostgreSQL server (started by each
//! test, see `support/postgres.rs`): the schema, one chain kept by many
//! writers, every audit command on the database, tampering caught, and
//! nothing run when the database cannot take the record.

mod support;

use std::process::Stdio;

use support::postgres::Postgres;
use support::{Test, opsguard};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: w/l1, role: backup, groups: [all]}
  l2: {connection: local, workdir: w/l2, role: backup, groups: [all]}
";

/// A site of two local hosts whose log is `pg`'s database.
fn site(pg: &Postgres) -> Test {
    Test::new()
        .file("inventory.yaml", LOCAL)
        .file("w/l1/name", "one\n")
        .file("w/l2/name", "two\n")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .env("OPSGUARD_AUDIT_LOG", &pg.url())
}

/// The rows' seq, in order.
fn seqs(pg: &Postgres) -> Vec<i64> {
    pg.client()
        .query("SELECT seq FROM opsguard.audit ORDER BY seq", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The records after the first `before`, as the database holds them.
fn records_after(pg: &Postgres, before: usize) -> Vec<serde_json::Value> {
    pg.client()
        .query(
            "SELECT line FROM opsguard.audit WHERE seq > $1 ORDER BY seq",
            &[&(before as i64)],
        )
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r.get::<_, &str>(0)).unwrap())
        .collect()
}

/// Until `audit init`, nothing runs: the database has no schema, and the
/// error says how to make it. `init` creates it once (a second run finds
/// it current) and prints the GRANTs for a writer and a reviewer role.
#[test]
fn init_creates_the_schema_once_and_nothing_runs_before_it() {
    let pg = Postgres::start();
    let run = site(&pg).args(["exec", "l1", "--", "touch ran"]).status(4);
    assert!(
        run.stderr
            .contains("has no opsguard schema; create it with `opsguard audit init"),
        "{}",
        run.stderr
    );
    assert!(!run.path().join("w/l1/ran").exists());

    let run = site(&pg).args(["audit", "init", &pg.url()]).status(0);
    assert!(
        run.stderr
            .contains("created the opsguard schema (version 3)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("GRANT EXECUTE ON FUNCTION opsguard.append(text[]) TO opsguard_writer;"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("GRANT SELECT ON opsguard.audit, opsguard.migrations TO opsguard_reviewer;")
    );
    // A database in another encoding than UTF8 is refused.
    pg.client()
        .batch_execute("CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        .unwrap();
    let latin = pg.url().replace("/postgres?", "/latin?");
    site(&pg)
        .args(["audit", "init", &latin])
        .status(4)
        .stderr_has("is in the encoding LATIN1: the audit log needs a UTF8 database");
    // From the log's own setting, the second time.
    site(&pg)
        .args(["audit", "init"])
        .status(0)
        .stderr_has("the opsguard schema is current (version 3)");
    // A database at an older version is refused until `init` upgrades it.
    pg.client()
        .batch_execute(
            "DROP FUNCTION opsguard.append(text[]); DELETE FROM opsguard.migrations WHERE version = 3",
        )
        .unwrap();
    site(&pg)
        .args(["exec", "l1", "--", "true"])
        .status(4)
        .stderr_has("has schema version 2; upgrade it to 3 with `opsguard audit init");
    site(&pg)
        .args(["audit", "init"])
        .status(0)
        .stderr_has("upgraded the opsguard schema from version 2 to 3");

    let run = site(&pg).args(["exec", "l1", "--", "touch ran"]).status(0);
    assert!(run.path().join("w/l1/ran").exists());
    let events: Vec<String> = pg
        .client()
        .query("SELECT event FROM opsguard.audit ORDER BY seq", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(events.first().map(String::as_str), Some("session.start"));
    assert!(events.iter().any(|e| e == "command.start"));
    assert_eq!(events.last().map(String::as_str), Some("session.end"));
    // Output holding a NUL byte is recorded, and the log still verifies.
    site(&pg)
        .args(["exec", "l1", "--", "printf 'a\\0b'"])
        .status(0);
    site(&pg).args(["audit", "verify"]).status(0);
}

/// Many writers at once, from separate processes, keep one gapless chain
/// that verifies; the server's clock stamps the records in order; show,
/// replay and export read the database as they read a file, and the
/// exported file verifies, with opsguard and with the Python verifier.
#[test]
fn many_writers_keep_one_chain_that_every_audit_command_reads() {
    let pg = Postgres::start();
    site(&pg).args(["audit", "init"]).status(0);
    // Whatever the database's default isolation, an append reads the
    // chain's end after it has the chain's lock.
    pg.client()
        .batch_execute(
            "ALTER DATABASE postgres SET default_transaction_isolation = 'repeatable read'",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    support::write(dir.path(), "inventory.yaml", LOCAL);
    support::write(dir.path(), "w/l1/name", "one\n");
    support::write(dir.path(), "w/l2/name", "two\n");
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let mut note = opsguard(dir.path(), &["audit", "note", "-"]);
            note.env("OPSGUARD_AUDIT_LOG", pg.url())
                .stdin(Stdio::piped());
            let mut child = note.spawn().unwrap();
            let notes: String = (0..10).map(|n| format!("writer {i} note {n}\n")).collect();
            std::io::Write::write_all(child.stdin.as_mut().unwrap(), notes.as_bytes()).unwrap();
            drop(child.stdin.take());
            child
        })
        .collect();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let mut exec = opsguard(
                dir.path(),
                &["-i", "inventory.yaml", "exec", "@all", "--", "cat name"],
            );
            exec.env("OPSGUARD_AUDIT_LOG", pg.url());
            exec.spawn().unwrap()
        })
        .collect();
    for child in writers.into_iter().chain(runs) {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let seqs = seqs(&pg);
    let n = seqs.len() as i64;
    // 8 sessions of 10 notes, 2 of 2 hosts, each with its start and end.
    assert!(n >= 8 * 12 + 2 * 6, "{n} records");
    assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "gapless");
    let in_order: bool = pg
        .client()
        .query_one(
            "SELECT bool_and(ts >= prev) FROM (SELECT ts, lag(ts, 1, ts) OVER (ORDER BY seq) AS prev FROM opsguard.audit) t",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(in_order, "the server's clock stamps records in seq order");

    let verified = site(&pg).args(["audit", "verify"]).status(0);
    assert!(
        verified
            .stdout
            .starts_with(&format!("{n} records, head {n}:")),
        "{}",
        verified.stdout
    );

    // show, filtered in the database and again as records are read.
    let run = site(&pg)
        .args([
            "audit", "show", "--host", "l2", "--event", "command.end", "--format", "json",
        ])
        .status(0);
    let shown: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(shown.len(), 2, "{}", run.stdout);
    assert!(
        shown
            .iter()
            .all(|r| r["host"] == "l2" && r["stdout"]["text"] == "two\n")
    );
    // Plans name their hosts in `targets`: found by the index on them.
    let plans = site(&pg)
        .args([
            "audit", "show", "--host", "l2", "--event", "plan", "--format", "json",
        ])
        .status(0);
    assert_eq!(plans.stdout.lines().count(), 2, "{}", plans.stdout);
    let none = site(&pg)
        .args(["audit", "show", "--host", "nowhere", "--format", "json"])
        .status(0);
    assert_eq!(none.stdout, "");
    let notes = site(&pg)
        .args(["audit", "show", "--event", "note", "--format", "json"])
        .status(0);
    assert_eq!(notes.stdout.lines().count(), 80);

    // replay one session by a prefix of its id.
    let session: String = pg
        .client()
        .query_one(
            "SELECT session FROM opsguard.audit WHERE event = 'command.start' ORDER BY seq LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    site(&pg)
        .args(["audit", "replay", &session[..session.len() - 2]])
        .status(0)
        .stdout_has("cat name");

    // export: a file that verifies with the same head.
    let exported = dir.path().join("exported.jsonl");
    site(&pg)
        .args(["audit", "export", "-o", exported.to_str().unwrap()])
        .status(0);
    let head = verified.stdout.clone();
    let file = Test::new()
        .env("OPSGUARD_AUDIT_LOG", exported.to_str().unwrap())
        .args(["audit", "verify"])
        .status(0);
    assert_eq!(file.stdout, head);
    let python = std::process::Command::new("python3")
        .arg(support::repo().join("tests/fixtures/verify_audit.py"))
        .arg(&exported)
        .output()
        .unwrap();
    assert!(
        python.status.success(),
        "{}{}",
        String::from_utf8_lossy(&python.stdout),
        String::from_utf8_lossy(&python.stderr)
    );
    // export writes a new file, never over one.
    site(&pg)
        .args(["audit", "export", "-o", exported.to_str().unwrap()])
        .status(1);

    // export --since: the part from the first record at that time, which
    // verifies as the continuation of the chain it names, by both
    // verifiers, and not as a whole log.
    let (since, first, total): (String, i64, i64) = {
        let row = pg
            .client()
            .query_one(
                "SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
                   (SELECT min(seq) FROM opsguard.audit b WHERE b.ts >= a.ts), \
                   (SELECT max(seq) FROM opsguard.audit) \
                 FROM opsguard.audit a WHERE seq = 40",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    };
    let part = dir.path().join("part.jsonl");
    let run = site(&pg)
        .args([
            "audit",
            "export",
            "--since",
            &since,
            "-o",
            part.to_str().unwrap(),
        ])
        .status(0);
    let text = std::fs::read_to_string(&part).unwrap();
    let seqs: Vec<i64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, (first..=total).collect::<Vec<i64>>());
    let after = support::after_printed(&run.stderr);
    assert!(after.starts_with(&format!("{}:", first - 1)), "{after}");
    let part_log = || Test::new().env("OPSGUARD_AUDIT_LOG", part.to_str().unwrap());
    let part_head = format!(
        "{} records, head {}",
        total - first + 1,
        head.split("head ").nth(1).unwrap()
    );
    let verified = part_log()
        .args(["audit", "verify", "--after", &after])
        .status(0);
    assert_eq!(verified.stdout, part_head);
    part_log()
        .args(["audit", "verify"])
        .status(4)
        .stderr_has(&format!("the log starts at seq {first}, not 1"));
    let wrong = format!("{}:{}", first - 1, "0".repeat(64));
    part_log()
        .args(["audit", "verify", "--after", &wrong])
        .status(4)
        .stderr_has("prev mismatch");
    let python = std::process::Command::new("python3")
        .arg(support::repo().join("tests/fixtures/verify_audit.py"))
        .arg(&part)
        .arg(&after)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&python.stdout),
        part_head,
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    // Nothing since then: an empty part, and it says so.
    let run = site(&pg)
        .args(["audit", "export", "--since", "2999-01-01T00:00:00Z"])
        .status(0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no record in"), "{}", run.stderr);
}

/// The GRANTs `audit init` prints are what each role needs and no more:
/// a writer runs work and appends (one statement each) but cannot change a
/// row; a reviewer verifies and reads, and work under a reviewer's login
/// does not run, since its record cannot be written.
#[test]
fn the_printed_grants_let_writers_append_and_reviewers_read() {
    let pg = Postgres::start();
    let init = site(&pg).args(["audit", "init"]).status(0);
    pg.client().batch_execute(&init.stdout).unwrap();
    pg.client()
        .batch_execute(
            "CREATE ROLE alice LOGIN IN ROLE opsguard_writer; \
             CREATE ROLE rita LOGIN IN ROLE opsguard_reviewer;",
        )
        .unwrap();
    let as_user = |user: &str| {
        site(&pg).env(
            "OPSGUARD_AUDIT_LOG",
            &pg.url().replace("user=postgres", &format!("user={user}")),
        )
    };
    let run = as_user("alice")
        .args(["exec", "@all", "--", "touch ran"])
        .status(0);
    assert!(run.path().join("w/l1/ran").exists());
    as_user("alice").args(["audit", "verify"]).status(0);
    let written = seqs(&pg);

    let run = as_user("rita").args(["audit", "verify"]).status(0);
    assert!(
        run.stdout
            .starts_with(&format!("{} records, head", written.len())),
        "{}",
        run.stdout
    );
    as_user("rita")
        .args(["audit", "show", "--host", "l2"])
        .status(0)
        .stdout_has("touch ran");
    let run = as_user("rita")
        .args(["exec", "l1", "--", "touch rita"])
        .status(4);
    assert!(
        run.stderr.contains("permission denied for function append"),
        "{}",
        run.stderr
    );
    assert!(!run.path().join("w/l1/rita").exists());

    let mut alice = postgres::Config::new()
        .host_path(pg.socket())
        .user("alice")
        .dbname("postgres")
        .connect(postgres::NoTls)
        .unwrap();
    for sql in [
        // Around opsguard.append: its seq, time and columns would be the
        // writer's to choose.
        "INSERT INTO opsguard.audit (seq, line, hash, ts, session, event, \"user\") \
         VALUES (999, '{}', 'x', now(), 's', 'note', 'alice')",
        "UPDATE opsguard.audit SET host = 'x'",
        "DELETE FROM opsguard.audit",
        "TRUNCATE opsguard.audit",
        "DROP TABLE opsguard.audit",
    ] {
        assert!(alice.batch_execute(sql).is_err(), "{sql} was allowed");
    }
    assert_eq!(seqs(&pg), written);
    // Whoever calls it, opsguard.append seals READ COMMITTED or not at
    // all: under another isolation its read of the chain's end could be
    // older than its lock.
    let refused = alice
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ; \
             SELECT * FROM opsguard.append(ARRAY['{}']); COMMIT",
        )
        .unwrap_err();
    assert!(
        refused
            .as_db_error()
            .is_some_and(|e| e.message().contains("READ COMMITTED only")),
        "{refused}"
    );
    assert_eq!(seqs(&pg), written);
}

/// The table refuses UPDATE and DELETE; a superuser who goes around the
/// trigger is caught by `verify` (exit 4): a changed line, a deleted row,
/// two rows' seq swapped, a column that no longer says what its line says.
#[test]
fn tampering_with_rows_is_caught_by_verify() {
    let pg = Postgres::start();
    site(&pg).args(["audit", "init"]).status(0);
    for _ in 0..2 {
        site(&pg).args(["exec", "@all", "--", "cat name"]).status(0);
    }
    site(&pg).args(["audit", "verify"]).status(0);
    let refused = pg
        .client()
        .execute("DELETE FROM opsguard.audit WHERE seq = 3", &[])
        .unwrap_err();
    assert!(
        refused
            .as_db_error()
            .unwrap()
            .message()
            .contains("append-only: DELETE refused"),
        "{refused}"
    );

    // Each case on the intact log, restored from a copy afterwards; the
    // superuser goes around the trigger as a replica would.
    pg.client()
        .batch_execute("CREATE TABLE keep AS SELECT * FROM opsguard.audit")
        .unwrap();
    let tamper = |sql: &str| {
        pg.client()
            .batch_execute(&format!("SET session_replication_role = replica; {sql}"))
            .unwrap();
    };
    let restore = || {
        tamper("DELETE FROM opsguard.audit; INSERT INTO opsguard.audit SELECT * FROM keep;");
    };
    for (sql, says) in [
        (
            "UPDATE opsguard.audit SET line = replace(line, 'cat name', 'true') WHERE event = 'command.start'",
            "hash",
        ),
        ("DELETE FROM opsguard.audit WHERE seq = 4", "seq"),
        (
            "UPDATE opsguard.audit SET seq = -4 WHERE seq = 4; \
             UPDATE opsguard.audit SET seq = 4 WHERE seq = 5; \
             UPDATE opsguard.audit SET seq = 5 WHERE seq = -4",
            "line 4",
        ),
        (
            "UPDATE opsguard.audit SET host = 'elsewhere' WHERE host = 'l1'",
            "`host` column differs from its record",
        ),
        (
            "UPDATE opsguard.audit SET ts = ts - interval '1 day' WHERE seq = 2",
            "line 2 (seq 2): the row's `ts` column differs from its record",
        ),
    ] {
        tamper(sql);
        let run = site(&pg).args(["audit", "verify"]).status(4);
        assert!(run.stderr.contains(says), "{sql}: {}", run.stderr);
        restore();
        site(&pg).args(["audit", "verify"]).status(0);
    }
}

/// A database that cannot be reached stops new work with exit 4, naming
/// the server and never a password; a URL that holds a password is
/// refused before anything connects.
#[test]
fn a_stopped_server_stops_new_commands() {
    let mut pg = Postgres::start();
    site(&pg).args(["audit", "init"]).status(0);
    site(&pg).args(["exec", "l1", "--", "true"]).status(0);
    pg.stop();
    let run = site(&pg)
        .env("PGPASSWORD", "hunter2-secret")
        .args(["exec", "l1", "--", "touch ran"])
        .status(4);
    assert!(!run.path().join("w/l1/ran").exists());
    assert!(
        run.stderr
            .contains(&format!("the audit database {}", pg.url()))
            && run.stderr.contains("nothing was run"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"));

    let run = Test::new()
        .file("inventory.yaml", LOCAL)
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .env(
            "OPSGUARD_AUDIT_LOG", "postgresql://ops:hunter2@db.example/audit",
        )
        .args(["exec", "l1", "--", "touch ran"])
        .status(4);
    assert!(run.stderr.contains("holds a password"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    let run = Test::new()
        .file(
            "inventory.yaml",
            format!("settings:\n  audit_log: postgresql://ops:hunter2@db.example/audit\n{LOCAL}"),
        )
        .args(["validate", "-i", "inventory.yaml"])
        .run();
    assert_ne!(run.status, 0);
    assert!(run.stdout.contains("holds a password") || run.stderr.contains("holds a password"));
}

/// `settings.audit_offline: spool`: while the database is away, work
/// known to be safe runs with its records in a local spool, marked
/// `deferred`; destructive work and commands not known to be safe never
/// run. `audit push` then appends the spool to the chain, each record
/// keeping its own seq, time and hashes as `original`.
#[test]
fn offline_safe_work_is_spooled_and_pushed_later_and_nothing_else_runs() {
    let mut pg = Postgres::start();
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().display().to_string();
    let site = |pg: &Postgres| {
        site(pg)
            .file(
                "inventory.yaml",
                format!("settings:\n  audit_offline: spool\n{LOCAL}"),
            )
            .env("XDG_STATE_HOME", &state_dir)
    };
    site(&pg).args(["audit", "init"]).status(0);
    site(&pg).args(["exec", "l1", "--", "cat name"]).status(0);
    pg.stop();

    let run = site(&pg).args(["exec", "@all", "--", "cat name"]).status(0);
    assert_eq!(
        run.stdout.matches("one").count() + run.stdout.matches("two").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("recording in the spool")
            && run.stderr.contains("only work known to be safe runs"),
        "{}",
        run.stderr
    );
    for (command, flags) in [
        ("rm -rf name; touch ran", &["--confirm-role", "backup"][..]),
        ("frobnicate --all; touch ran", &[][..]),
    ] {
        let run = site(&pg)
            .args(["exec", "l1"])
            .args(flags.iter().copied())
            .args(["--", command])
            .status(4);
        assert!(!run.path().join("w/l1/ran").exists());
        assert!(run.path().join("w/l1/name").exists());
        assert!(
            run.stderr
                .contains("only work known to be safe runs while it is away"),
            "{}",
            run.stderr
        );
    }
    let spool = std::fs::read_dir(state.path().join("opsguard"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("spool-")
        })
        .expect("a spool");
    let spooled: Vec<serde_json::Value> = std::fs::read_to_string(&spool)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(spooled.iter().all(|r| r["deferred"] == true));
    assert!(
        spooled
            .iter()
            .any(|r| r["event"] == "command.end" && r["host"] == "l2")
    );
    // The refused sessions left their start and refusal, never a command.
    assert_eq!(
        spooled
            .iter()
            .filter(|r| r["event"] == "command.start")
            .count(),
        2
    );
    // The server is back.
    pg.run();
    let before = seqs(&pg).len();

    let run = site(&pg).args(["audit", "push"]).status(0);
    assert!(
        run.stderr
            .contains(&format!("pushed {} records", spooled.len())),
        "{}",
        run.stderr
    );
    assert!(!spool.exists(), "the spool is moved aside");
    site(&pg).args(["audit", "verify"]).status(0);
    let rows = records_after(&pg, before);
    assert_eq!(rows.len(), spooled.len());
    for (row, original) in rows.iter().zip(&spooled) {
        assert_eq!(row["event"], original["event"]);
        assert_eq!(row["session"], original["session"]);
        assert_eq!(row["deferred"], true);
        assert_eq!(row["original"]["hash"], original["hash"]);
        assert_eq!(row["original"]["seq"], original["seq"]);
    }
    site(&pg)
        .args(["audit", "push"])
        .status(0)
        .stderr_has("nothing to push");
}

/// `audit import FILE`: a workstation's file log moves into the team's
/// chain, each record keeping its original seq, time and hashes and the
/// file's name and SHA-256; a file whose chain is broken moves nothing.
#[test]
fn a_file_log_is_imported_into_the_chain() {
    let pg = Postgres::start();
    site(&pg).args(["audit", "init"]).status(0);
    site(&pg).args(["exec", "l2", "--", "cat name"]).status(0);
    let file = site(&pg)
        .env("OPSGUARD_AUDIT_LOG", "old.jsonl")
        .args(["exec", "@all", "--", "cat name"])
        .status(0);
    let old = file.path().join("old.jsonl");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&old)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let before = seqs(&pg).len();
    let run = site(&pg)
        .args(["audit", "import", old.to_str().unwrap()])
        .status(0);
    assert!(
        run.stderr
            .contains(&format!("imported {} records", lines.len())),
        "{}",
        run.stderr
    );
    site(&pg).args(["audit", "verify"]).status(0);
    let rows = records_after(&pg, before);
    assert_eq!(rows.len(), lines.len());
    assert!(
        rows[0]["original"]["from"]
            .as_str()
            .unwrap()
            .ends_with(&format!(
                "old.jsonl (sha256 {})",
                support::sha256_file(&old)
            )),
        "{}",
        rows[0]["original"]["from"]
    );
    assert_eq!(rows[0]["original"]["prev"], "0".repeat(64));

    // A broken file: nothing moves.
    let text = std::fs::read_to_string(&old)
        .unwrap()
        .replace("\"two\\n\"", "\"TWO\\n\"");
    std::fs::write(&old, text).unwrap();
    let n = seqs(&pg).len();
    site(&pg)
        .args(["audit", "import", old.to_str().unwrap()])
        .status(4)
        .stderr_has("nothing was moved");
    assert_eq!(seqs(&pg).len(), n);
}

/// The server stopped in the middle of a run: the next command's record
/// cannot be committed, so that command never starts, and the run ends
/// with exit 4.
#[test]
fn a_server_stopped_mid_run_stops_the_next_command() {
    let mut pg = Postgres::start();
    site(&pg).args(["audit", "init"]).status(0);
    let dir = tempfile::tempdir().unwrap();
    support::write(dir.path(), "inventory.yaml", LOCAL);
    support::write(dir.path(), "w/l1/name", "one\n");
    support::write(
        dir.path(),
        "two-steps.yaml",
        "name: two-steps\ndescription: a slow step, then another\nhosts: l1\nsteps:\n  - name: slow\n    run: sleep 2; cat name\n  - name: after\n    run: touch after\n",
    );
    let mut run = opsguard(
        dir.path(),
        &["-i", "inventory.yaml", "run", "two-steps.yaml"],
    );
    run.env("OPSGUARD_AUDIT_LOG", pg.url());
    let child = run.spawn().unwrap();
    // Stop the server once the slow step has started.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let started: i64 = pg
            .client()
            .query_one(
                "SELECT count(*) FROM opsguard.audit WHERE event = 'command.start'",
                &[],
            )
            .unwrap()
            .get(0);
        if started == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the slow step never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    pg.stop();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        !dir.path().join("w/l1/after").exists(),
        "the second step ran"
    );
    assert!(stderr.contains("the audit database"), "{stderr}");
}
