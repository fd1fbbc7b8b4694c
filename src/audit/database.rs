//! The team's audit log in PostgreSQL: one chain for every workstation.
//!
//! Records live in `opsguard.audit`, one row per record: `seq`, `line`
//! (exactly the canonical record line of the file format, so the same
//! hash rules verify it), `hash`, and the columns the filters of `audit
//! show` use (ts, session, event, host, role, user, change). A trigger
//! refuses UPDATE, DELETE and TRUNCATE; the writer role is granted SELECT
//! and EXECUTE on `opsguard.append` only ([`grants`]).
//!
//! One append is one statement, so one round trip and its commit: the
//! record goes to the server's `opsguard.append` as a template (its
//! canonical form with `seq`, `ts` and `prev` left open), which takes the
//! chain's advisory lock, reads the last record and the server's clock,
//! seals and inserts it; opsguard completes the same template with the
//! reply and checks the server's hash against its own. The lock is held
//! to the commit, so any number of writers keep one gapless chain, and
//! the record is committed before the command it announces starts.
//! Moving a whole log in (`audit import`, `audit push`) sends the records
//! in batches to the same function, in one transaction under the same
//! lock. The function runs as its owner and writers have no INSERT on the
//! table, so a writer cannot choose a row's seq, time or columns.
//!
//! Reading streams the lines out with `COPY ... TO STDOUT (FORMAT
//! binary)` on a thread of its own, into the same readers as the file
//! ([`Database::lines`]), so `verify`, `show` and `replay` are the file's
//! code. `verify` also checks, in the same COPY, that each row's columns
//! say what its line says ([`Database::checked_lines`]): the filters
//! trust the columns.
//!
//! Passwords come from `PGPASSWORD` or `~/.pgpass`, never from a URL: a
//! URL is written in inventories and command lines, and command lines are
//! recorded.

use std::io::Read;
use std::str::FromStr;
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, NoTls, Statement};
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::event::Event;
use super::record::{self, Identity};
use super::verify::Members;
use super::writer::{Appended, AuditError};

/// The schema version this opsguard writes and reads.
pub const SCHEMA: i32 = 3;

/// The advisory lock that serialises appends to the chain (any constant
/// the site does not use for something else: "opsguard" in ASCII).
const CHAIN_LOCK: i64 = 0x6f70_7367_7561_7264;

/// How long connecting may take when the URL does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations, in order: migration N brings the schema to version N.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE opsguard.audit (
    seq bigint PRIMARY KEY,
    line text NOT NULL,
    hash text NOT NULL,
    ts timestamptz NOT NULL,
    session text NOT NULL,
    event text NOT NULL,
    host text,
    role text,
    "user" text NOT NULL,
    change text
);
CREATE INDEX audit_ts ON opsguard.audit (ts);
CREATE INDEX audit_session ON opsguard.audit (session text_pattern_ops);
CREATE INDEX audit_event ON opsguard.audit (event text_pattern_ops);
CREATE INDEX audit_host ON opsguard.audit (host);
CREATE INDEX audit_role ON opsguard.audit (role);
CREATE INDEX audit_user ON opsguard.audit ("user");
CREATE INDEX audit_change ON opsguard.audit (change);
CREATE FUNCTION opsguard.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'opsguard.audit is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON opsguard.audit
    FOR EACH ROW EXECUTE FUNCTION opsguard.append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON opsguard.audit
    FOR EACH STATEMENT EXECUTE FUNCTION opsguard.append_only();
"#,
    r#"
CREATE INDEX audit_targets ON opsguard.audit
    USING gin (((replace(line, '\u0000', '\u0020')::jsonb) -> 'targets') jsonb_path_ops)
    WHERE event IN ('plan', 'batch.start');
"#,
    // Appends sealed on the server, one statement each: records arrive
    // as templates (`record::template`) and `opsguard.append` seals them
    // under the chain's lock (CHAIN_LOCK; GENESIS is the first record's
    // `prev`), so an append costs one round trip and its commit. It runs
    // as its owner (SECURITY DEFINER) and is the writers' only way in
    // (they have no INSERT, see `grants`): the seq, the time and every
    // column come from the chain and the sealed line; the isolation is
    // READ COMMITTED or nothing; a batch (a file log moved in) is sealed
    // in order under one lock.
    r#"
CREATE FUNCTION opsguard.append(templates text[])
    RETURNS TABLE (new_seq bigint, new_ts text, new_prev text, new_hash text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    template text;
    unsealed text;
    sealed text;
    r jsonb;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'opsguard.append runs READ COMMITTED only, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(8030045023789740644);
    SELECT a.seq, a.hash INTO new_seq, new_prev
        FROM opsguard.audit a ORDER BY a.seq DESC LIMIT 1;
    new_seq := coalesce(new_seq, 0);
    new_prev := coalesce(new_prev, repeat('0', 64));
    FOREACH template IN ARRAY templates LOOP
        new_seq := new_seq + 1;
        new_ts := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        unsealed := replace(replace(replace(template,
            E'\x01S', new_seq::text),
            E'\x01T', '"' || new_ts || '"'),
            E'\x01P', '"' || new_prev || '"');
        new_hash := encode(sha256(convert_to(replace(unsealed, E'\x02', ''), 'UTF8')), 'hex');
        sealed := replace(unsealed, E'\x02', '"hash":"' || new_hash || '",');
        r := replace(sealed, '\u0000', '\u0020')::jsonb;
        INSERT INTO opsguard.audit (seq, line, hash, ts, session, event, host, role, "user", change)
            VALUES (new_seq, sealed, new_hash, new_ts::timestamptz,
                CASE WHEN jsonb_typeof(r -> 'session') = 'string' THEN r ->> 'session' END,
                CASE WHEN jsonb_typeof(r -> 'event') = 'string' THEN r ->> 'event' END,
                CASE WHEN jsonb_typeof(r -> 'host') = 'string' THEN r ->> 'host' END,
                CASE WHEN jsonb_typeof(r -> 'role') = 'string' THEN r ->> 'role' END,
                CASE WHEN jsonb_typeof(r -> 'user') = 'string' THEN r ->> 'user' END,
                CASE WHEN jsonb_typeof(r -> 'change') = 'string' THEN r ->> 'change' END);
        RETURN NEXT;
        new_prev := new_hash;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION opsguard.append(text[]) FROM PUBLIC;
"#,
];

/// The records that name their hosts in `targets` (a plan, a batch), as
/// the `audit_targets` index reads them.
const TARGETS: &str = "((replace(line, '\\u0000', '\\u0020')::jsonb) -> 'targets')";

/// A PostgreSQL audit log: where it is, and how to log in.
#[derive(Clone, Debug)]
pub struct Database {
    config: postgres::Config,
    /// The URL without any secret, for messages.
    shown: String,
    /// `settings.audit_offline: spool`: while the database cannot be
    /// reached, work known to be safe runs with its records in the spool.
    pub spool_when_offline: bool,
}

/// Why a URL does not name a usable database.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("`{url}` is not a PostgreSQL URL: {reason}")]
    Invalid { url: String, reason: String },
    #[error(
        "the audit database URL holds a password; put it in ~/.pgpass or PGPASSWORD instead (a URL is recorded and shown)"
    )]
    Password,
    #[error(
        "sslmode=require: TLS to the audit database is not built in yet; reach it over a Unix socket or an SSH tunnel, or use sslmode=disable on a trusted network"
    )]
    Tls,
}

/// Whether `text` names a database rather than a file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgresql://") || text.starts_with("postgres://")
}

impl Database {
    pub fn parse(url: &str) -> Result<Database, UrlError> {
        let mut config = postgres::Config::from_str(url).map_err(|e| UrlError::Invalid {
            url: shown_url(url),
            reason: e.to_string(),
        })?;
        if config.get_password().is_some() {
            return Err(UrlError::Password);
        }
        if config.get_ssl_mode() == SslMode::Require {
            return Err(UrlError::Tls);
        }
        if config.get_user().is_none()
            && let Some(user) = crate::account::user_name()
        {
            config.user(&user);
        }
        if config.get_hosts().is_empty() {
            // libpq's default: the local socket.
            config.host_path("/var/run/postgresql");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("opsguard");
        let shown = shown_url(url);
        if let Some(password) = password_for(&config) {
            config.password(password);
        }
        Ok(Database {
            config,
            shown,
            spool_when_offline: false,
        })
    }

    /// The URL, for messages (it holds no password).
    pub fn name(&self) -> &str {
        &self.shown
    }

    fn error(&self, source: postgres::Error) -> AuditError {
        AuditError::Database {
            server: self.shown.clone(),
            message: message(&source),
        }
    }

    /// The spool of this database's records written while it was away:
    /// one file per database in opsguard's state folder.
    pub fn spool(&self) -> Option<std::path::PathBuf> {
        let id = record::sha256_hex(self.shown.as_bytes());
        crate::state::base().map(|b| b.join(format!("spool-{}.jsonl", &id[..12])))
    }

    pub fn connect(&self) -> Result<Client, AuditError> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| AuditError::Unreachable {
                server: self.shown.clone(),
                message: message(&e),
            })?;
        client
            .batch_execute("SET standard_conforming_strings = on; SET TIME ZONE 'UTC'")
            .map_err(|e| self.error(e))?;
        Ok(client)
    }

    /// A connection to a database whose schema this opsguard reads and
    /// writes; a clear error naming `audit init` otherwise.
    pub fn open(&self) -> Result<Client, AuditError> {
        let mut client = self.connect()?;
        let version = schema_version(&mut client).map_err(|e| self.error(e))?;
        match version {
            None => Err(AuditError::Schema {
                server: self.shown.clone(),
                what: format!(
                    "has no opsguard schema; create it with `opsguard audit init {}`",
                    self.shown
                ),
            }),
            Some(v) if v < SCHEMA => Err(AuditError::Schema {
                server: self.shown.clone(),
                what: format!(
                    "has schema version {v}; upgrade it to {SCHEMA} with `opsguard audit init {}`",
                    self.shown
                ),
            }),
            Some(v) if v > SCHEMA => Err(AuditError::Schema {
                server: self.shown.clone(),
                what: format!(
                    "has schema version {v}, newer than this opsguard's {SCHEMA}; upgrade opsguard"
                ),
            }),
            Some(_) => Ok(client),
        }
    }

    /// Create or upgrade the schema; the versions applied (none when it
    /// was current). Idempotent, and safe to run from two places at once.
    pub fn init(&self) -> Result<(Option<i32>, i32), AuditError> {
        let mut client = self.connect()?;
        // Records are UTF-8, and the server seals their bytes as UTF-8: a
        // database in another encoding would refuse some records or change
        // them between opsguard's hash and the server's.
        let encoding: String = client
            .query_one("SHOW server_encoding", &[])
            .map_err(|e| self.error(e))?
            .get(0);
        if encoding != "UTF8" {
            return Err(AuditError::Schema {
                server: self.shown.clone(),
                what: format!(
                    "is in the encoding {encoding}: the audit log needs a UTF8 database (createdb -E UTF8 -T template0)"
                ),
            });
        }
        let mut tx = client.transaction().map_err(|e| self.error(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])
            .map_err(|e| self.error(e))?;
        tx.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS opsguard;
             CREATE TABLE IF NOT EXISTS opsguard.migrations (
                 version integer PRIMARY KEY,
                 applied timestamptz NOT NULL DEFAULT clock_timestamp()
             );",
        )
        .map_err(|e| self.error(e))?;
        let before: Option<i32> = tx
            .query_one("SELECT max(version) FROM opsguard.migrations", &[])
            .map_err(|e| self.error(e))?
            .get(0);
        if before.is_some_and(|v| v > SCHEMA) {
            return Err(AuditError::Schema {
                server: self.shown.clone(),
                what: format!(
                    "has schema version {}, newer than this opsguard's {SCHEMA}; upgrade opsguard",
                    before.unwrap_or_default()
                ),
            });
        }
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            let version = i as i32 + 1;
            if before.is_some_and(|v| v >= version) {
                continue;
            }
            tx.batch_execute(migration).map_err(|e| self.error(e))?;
            tx.execute(
                "INSERT INTO opsguard.migrations (version) VALUES ($1)",
                &[&version],
            )
            .map_err(|e| self.error(e))?;
        }
        tx.commit().map_err(|e| self.error(e))?;
        Ok((before, SCHEMA))
    }

    /// The log's lines, in order, as the file holds them, from a thread
    /// that streams them out of the server; `filter` is a WHERE clause on
    /// the columns (the caller still matches every record it reads).
    pub fn lines(&self, filter: Option<&str>) -> Result<Lines, AuditError> {
        let query = format!(
            "COPY (SELECT line FROM opsguard.audit {} ORDER BY seq) TO STDOUT (FORMAT binary)",
            filter.map(|f| format!("WHERE {f}")).unwrap_or_default()
        );
        self.stream(query, None)
    }

    /// Every line of the log, as [`Database::lines`], and each row's
    /// columns beside it ([`Columns`]), in the same order, from one COPY
    /// (one snapshot): `verify` checks that they say what the line says,
    /// since `audit show`'s filters trust them.
    pub fn checked_lines(&self) -> Result<(Lines, Columns), AuditError> {
        let query = format!(
            "COPY (SELECT line, {CHECKED} FROM opsguard.audit ORDER BY seq) TO STDOUT (FORMAT binary)"
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = self.stream(query, Some(tx))?;
        Ok((
            lines,
            Columns {
                rx,
                batch: Batch::default(),
                at: 0,
                row: 0,
            },
        ))
    }

    fn stream(&self, query: String, columns: Option<Sender<Batch>>) -> Result<Lines, AuditError> {
        let mut client = self.open()?;
        let (tx, rx) = sync_channel(16);
        let shown = self.shown.clone();
        std::thread::spawn(move || {
            let result = client
                .copy_out(query.as_str())
                .map_err(|e| message(&e))
                .and_then(|reader| copy_lines(reader, &tx, columns.as_ref()));
            if let Err(what) = result {
                let _ = tx.send(Err(std::io::Error::other(format!(
                    "the audit database {shown}: {what}"
                ))));
            }
        });
        Ok(Lines {
            rx,
            chunk: Vec::new(),
            at: 0,
        })
    }
}

/// The statements that give a writer role (workstations: INSERT and
/// SELECT, nothing else) and a reviewer role (SELECT) what they need.
pub fn grants() -> &'static str {
    "-- Workstations that run opsguard: append and read, never change.\n\
     CREATE ROLE opsguard_writer;\n\
     GRANT USAGE ON SCHEMA opsguard TO opsguard_writer;\n\
     GRANT SELECT ON opsguard.audit, opsguard.migrations TO opsguard_writer;\n\
     GRANT EXECUTE ON FUNCTION opsguard.append(text[]) TO opsguard_writer;\n\
     -- Writers append only through opsguard.append (schema 3):\n\
     REVOKE INSERT ON opsguard.audit FROM opsguard_writer;\n\
     -- Change reviewers: read only.\n\
     CREATE ROLE opsguard_reviewer;\n\
     GRANT USAGE ON SCHEMA opsguard TO opsguard_reviewer;\n\
     GRANT SELECT ON opsguard.audit, opsguard.migrations TO opsguard_reviewer;\n\
     -- Then, per person: GRANT opsguard_writer TO alice;\n"
}

fn schema_version(client: &mut Client) -> Result<Option<i32>, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('opsguard.migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    client
        .query_one("SELECT max(version) FROM opsguard.migrations", &[])
        .map(|r| r.get(0))
}

/// The server's words, with the cause a bare "db error" hides.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// `url` with any password taken out, for messages.
fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((login, host)) => {
            let user = login.split(':').next().unwrap_or("");
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    // A password may also come as a parameter.
    let tail: String = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// The password for `config`: `PGPASSWORD`, else the first matching line
/// of `PGPASSFILE` or `~/.pgpass` (ignored unless only its owner may read
/// it, as libpq does).
fn password_for(config: &postgres::Config) -> Option<String> {
    if let Some(p) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(p.to_string_lossy().into_owned());
    }
    let file = match std::env::var_os("PGPASSFILE") {
        Some(f) => std::path::PathBuf::from(f),
        None => crate::account::expand_home("~/.pgpass").ok()?,
    };
    let meta = std::fs::metadata(&file).ok()?;
    if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = match config.get_hosts().first()? {
        Host::Tcp(h) => h.clone(),
        Host::Unix(_) => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().or(config.get_user()).unwrap_or("");
    let user = config.get_user().unwrap_or("");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| pgpass_line(l, [&host, &port, db, user]))
}

/// The password of one `host:port:database:user:password` line, when its
/// first four fields (`*` for any, `\` escaping `:` and `\`) match.
fn pgpass_line(line: &str, want: [&str; 4]) -> Option<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    let [host, port, db, user, password] = &fields[..] else {
        return None;
    };
    [host, port, db, user]
        .iter()
        .zip(want)
        .all(|(f, w)| f.as_str() == "*" || f.as_str() == w)
        .then(|| password.clone())
}

/// The columns [`Database::checked_lines`] reads beside each line, in
/// the order [`differs`] takes them.
const CHECKED: &str = r#"seq, hash, ts, session, event, host, role, "user", change"#;

/// The record's keys of [`CHECKED`]'s columns, in order.
const CHECKED_KEYS: [&str; 9] = [
    "seq", "hash", "ts", "session", "event", "host", "role", "user", "change",
];

/// The columns of the rows of one chunk of lines: their bytes, and for
/// each row where each column's are (`None` for NULL).
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    rows: Vec<[Option<(usize, usize)>; 9]>,
}

/// Each line of a binary COPY whose first column is the line, with its
/// newline; with `columns`, the other columns ([`CHECKED`]) of the rows
/// of each chunk go there before the chunk does.
fn copy_lines(
    mut input: impl Read,
    tx: &SyncSender<Result<Vec<u8>, std::io::Error>>,
    columns: Option<&Sender<Batch>>,
) -> Result<(), String> {
    let read = |e: std::io::Error| format!("reading the copy: {e}");
    let mut header = [0u8; 19];
    input.read_exact(&mut header).map_err(read)?;
    if &header[..11] != b"PGCOPY\n\xff\r\n\0" {
        return Err("the server's copy is not in the binary format".into());
    }
    let extension = u32::from_be_bytes(header[15..19].try_into().expect("4 bytes"));
    std::io::copy(
        &mut (&mut input).take(extension as u64),
        &mut std::io::sink(),
    )
    .map_err(read)?;
    let mut batch = Vec::with_capacity(1 << 16);
    let mut rows = Batch::default();
    let field = |input: &mut dyn Read, into: &mut Vec<u8>| {
        let mut len = [0u8; 4];
        input.read_exact(&mut len).map_err(read)?;
        let Ok(len) = usize::try_from(i32::from_be_bytes(len)) else {
            return Ok(None);
        };
        let from = into.len();
        into.resize(from + len, 0);
        input.read_exact(&mut into[from..]).map_err(read)?;
        Ok::<_, String>(Some((from, from + len)))
    };
    loop {
        let mut count = [0u8; 2];
        input.read_exact(&mut count).map_err(read)?;
        let count = i16::from_be_bytes(count);
        if count == -1 {
            break;
        }
        field(&mut input, &mut batch)?;
        batch.push(b'\n');
        if columns.is_some() {
            if count != 10 {
                return Err(format!("a row of {count} columns, not 10"));
            }
            let mut row = [None; 9];
            for cell in &mut row {
                *cell = field(&mut input, &mut rows.bytes)?;
            }
            rows.rows.push(row);
        }
        if batch.len() >= 1 << 16 {
            if let Some(columns) = columns
                && columns.send(std::mem::take(&mut rows)).is_err()
            {
                return Ok(());
            }
            if tx.send(Ok(std::mem::take(&mut batch))).is_err() {
                return Ok(());
            }
            batch.reserve(1 << 16);
        }
    }
    if let Some(columns) = columns {
        let _ = columns.send(rows);
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
    Ok(())
}

/// The columns of a database log's rows, in the order of its lines
/// ([`Database::checked_lines`]).
pub struct Columns {
    rx: Receiver<Batch>,
    batch: Batch,
    /// The next row of `batch`.
    at: usize,
    /// Rows taken so far.
    row: u64,
}

impl Columns {
    /// Whether the columns of the row of line `line` (1-based, as the
    /// lines were read) say what that record's `fields` say; the first
    /// that does not, as a finding.
    pub fn agree(&mut self, line: u64, fields: &Members) -> Result<(), String> {
        while self.row < line {
            while self.at == self.batch.rows.len() {
                self.batch = self
                    .rx
                    .recv()
                    .map_err(|_| format!("no columns for line {line}"))?;
                self.at = 0;
            }
            self.at += 1;
            self.row += 1;
        }
        let cells = &self.batch.rows[self.at - 1];
        let row = cells.map(|c| c.map(|(from, to)| &self.batch.bytes[from..to]));
        match differs(fields, &row) {
            Some(column) => Err(format!(
                "the row's `{column}` column differs from its record"
            )),
            None => Ok(()),
        }
    }
}

/// The first of a row's columns ([`CHECKED`], as a binary COPY gives
/// them) that does not say what the record's `fields` say.
fn differs(fields: &Members, row: &[Option<&[u8]>; 9]) -> Option<&'static str> {
    let int = |cell: Option<&[u8]>| Some(i64::from_be_bytes(cell?.try_into().ok()?));
    let agree = |cell: Option<&[u8]>, key: &str| -> bool {
        match key {
            "seq" => {
                let seq = int(cell);
                seq.is_some() && fields.seq().and_then(|s| i64::try_from(s).ok()) == seq
            }
            // A timestamptz: microseconds since 2000-01-01 UTC.
            "ts" => {
                let ts = fields
                    .text("ts")
                    .and_then(|t| time::OffsetDateTime::parse(&t, &Rfc3339).ok())
                    .map(|t| (t.unix_timestamp_nanos() / 1000) as i64 - 946_684_800_000_000);
                ts.is_some() && ts == int(cell)
            }
            _ => fields.text(key).as_deref().map(str::as_bytes) == cell,
        }
    };
    CHECKED_KEYS
        .iter()
        .zip(row)
        .find(|(key, cell)| !agree(**cell, key))
        .map(|(key, _)| *key)
}

/// The lines of a database log, as a reader: what the thread sends, or
/// its error.
pub struct Lines {
    rx: Receiver<Result<Vec<u8>, std::io::Error>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Lines {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Appends a session's records to the database, as [`super::Writer`]
/// does to a file.
pub struct DbWriter {
    db: Database,
    client: Client,
    identity: Identity,
    session: String,
    /// `opsguard.append`, prepared once: each append is then one round
    /// trip.
    append: Statement,
}

/// How many records moved in from another log go to the server at once.
const BATCH: usize = 500;

impl DbWriter {
    pub fn open(
        db: &Database,
        identity: Identity,
        session: String,
    ) -> Result<DbWriter, AuditError> {
        let mut client = db.open()?;
        // READ COMMITTED whatever the database's default (`opsguard.append`
        // refuses any other): each statement of it then sees what was
        // committed when it runs, so the chain's end it reads is the one
        // after the lock was taken.
        client
            .batch_execute(
                "SET lock_timeout = '10s'; \
                 SET default_transaction_isolation = 'read committed'",
            )
            .map_err(|e| db.error(e))?;
        let append = client
            .prepare("SELECT new_seq, new_ts, new_prev, new_hash FROM opsguard.append($1)")
            .map_err(|e| db.error(e))?;
        Ok(DbWriter {
            client,
            db: db.clone(),
            identity,
            session,
            append,
        })
    }

    /// One record, sealed and committed by the server in one statement
    /// (`opsguard.append`): one round trip and its commit.
    fn append_fields(
        &mut self,
        event: &str,
        mut fields: Map<String, Value>,
    ) -> Result<Appended, AuditError> {
        fields.insert("event".into(), json!(event));
        let templates = vec![record::template(own(&self.session, &self.identity, fields))];
        let batch: Vec<&str> = templates.iter().map(String::as_str).collect();
        let rows = self
            .client
            .query(&self.append, &[&batch])
            .map_err(|e| self.db.error(e))?;
        let (seq, hash, line) = completed(&self.db, &templates, &rows)?
            .pop()
            .expect("one reply, checked");
        Ok(Appended {
            seq,
            hash,
            lines: vec![line],
        })
    }

    /// Append the records of another log (a file, the offline spool) to
    /// the chain, in order and in one transaction: each keeps its fields
    /// and who wrote it, gets the chain's seq, the server's time and this
    /// chain's links, and carries its own as `original` (`v`, `seq`, `ts`,
    /// `prev`, `hash`, and `from`, where it came from), so the old chain
    /// can still be checked from them. The server seals them in batches,
    /// under the chain's lock from the first to the commit. The number
    /// appended.
    pub fn append_originals(
        &mut self,
        records: impl Iterator<Item = Result<Map<String, Value>, String>>,
        from: &str,
    ) -> Result<u64, AuditError> {
        let mut templates = Vec::new();
        let mut n = 0;
        let db = self.db.clone();
        // Nothing is committed unless every record is: dropped unfinished,
        // the transaction rolls back.
        let mut tx = self.client.transaction().map_err(|e| db.error(e))?;
        let send = |tx: &mut postgres::Transaction, templates: &mut Vec<String>| {
            let batch: Vec<&str> = templates.iter().map(String::as_str).collect();
            let rows = tx.query(&self.append, &[&batch]).map_err(|e| db.error(e))?;
            let sealed = completed(&db, templates, &rows)?;
            templates.clear();
            Ok::<_, AuditError>(sealed.len() as u64)
        };
        for fields in records {
            let mut fields = fields.map_err(|message| AuditError::Database {
                server: db.shown.clone(),
                message,
            })?;
            let mut original = Map::new();
            for key in ["v", "seq", "ts", "prev", "hash"] {
                if let Some(v) = fields.remove(key) {
                    original.insert(key.into(), v);
                }
            }
            original.insert("from".into(), json!(from));
            fields.insert("original".into(), Value::Object(original));
            templates.push(record::template(own(&self.session, &self.identity, fields)));
            if templates.len() == BATCH {
                n += send(&mut tx, &mut templates)?;
            }
        }
        if !templates.is_empty() {
            n += send(&mut tx, &mut templates)?;
        }
        tx.commit().map_err(|e| db.error(e))?;
        Ok(n)
    }
}

/// `fields` with the record version and who wrote it: `session`'s and
/// `identity`'s unless the fields say (a record moved in from a file or
/// the spool).
fn own(session: &str, identity: &Identity, mut fields: Map<String, Value>) -> Map<String, Value> {
    fields.insert("v".into(), json!(record::VERSION));
    let who = [
        ("session", json!(session)),
        ("user", json!(identity.user)),
        ("workstation", json!(identity.workstation)),
        ("pid", json!(identity.pid)),
    ];
    for (key, value) in who {
        fields.entry(key).or_insert(value);
    }
    fields
}

/// The templates as the server sealed them (its replies, in order): each
/// line completed here from the same template, and the server's hash
/// required to be the one it makes. Seq, hash and line of each.
fn completed(
    db: &Database,
    templates: &[String],
    rows: &[postgres::Row],
) -> Result<Vec<(u64, String, String)>, AuditError> {
    let said = |message: String| AuditError::Database {
        server: db.shown.clone(),
        message,
    };
    if rows.len() != templates.len() {
        return Err(said(format!(
            "{} replies to {} records",
            rows.len(),
            templates.len()
        )));
    }
    templates
        .iter()
        .zip(rows)
        .map(|(template, row)| {
            let seq = row.get::<_, i64>(0) as u64;
            let (ts, prev, hash): (String, String, String) = (row.get(1), row.get(2), row.get(3));
            let (line, ours) = record::fill(template, seq, &ts, &prev);
            if ours != hash {
                return Err(said(format!(
                    "the server sealed record {seq} with hash {hash} where opsguard makes {ours}: its opsguard.append is not this opsguard's"
                )));
            }
            Ok((seq, hash, line))
        })
        .collect()
}

impl super::Sink for DbWriter {
    fn session(&self) -> &str {
        &self.session
    }

    fn append(&mut self, event: &Event) -> Result<Appended, AuditError> {
        let mut fields = event.fields();
        let name = match fields.remove("event") {
            Some(Value::String(name)) => name,
            _ => unreachable!("every event is tagged with its name"),
        };
        self.append_fields(&name, fields)
    }
}

/// What of `filter` the database can select by its columns, as a WHERE
/// clause: every record the filter matches is in what it selects (a plan
/// and a batch name their hosts in `targets`, so those are always read);
/// `None` when
/// nothing narrows it.
pub fn pushdown(filter: &super::query::Filter) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(prefix) = &filter.session {
        parts.push(prefix_of("session", prefix));
    }
    if let Some(user) = &filter.user {
        parts.push(format!("\"user\" = {}", literal(user)));
    }
    if let Some(since) = &filter.since {
        parts.push(format!("ts >= {}::timestamptz", literal(since)));
    }
    if let Some(until) = &filter.until {
        parts.push(format!("ts <= {}::timestamptz", literal(until)));
    }
    if let Some(event) = &filter.event {
        parts.push(match event.strip_suffix('*') {
            Some(prefix) => prefix_of("event", prefix),
            None if event.ends_with('.') => prefix_of("event", event),
            None => format!("event = {}", literal(event)),
        });
    }
    if let Some(change) = &filter.change {
        parts.push(format!(
            "session IN (SELECT session FROM opsguard.audit WHERE change = {})",
            literal(change)
        ));
    }
    if let Some((names, roles)) = filter.hosts.as_ref().and_then(|h| h.exact()) {
        let named = names
            .iter()
            .map(|n| ("name", *n))
            .chain(roles.iter().map(|r| ("role", *r)));
        parts.push(format!(
            "(host = ANY({}) OR role = ANY({}) OR {})",
            array(&names),
            array(&roles),
            in_targets(named)
        ));
    }
    if let Some(role) = &filter.role {
        parts.push(format!(
            "(role = {} OR {})",
            literal(role),
            in_targets(std::iter::once(("role", role.as_str())))
        ));
    }
    if filter.refused {
        parts.push("event IN ('guard.refused', 'session.end')".into());
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// A plan or batch whose `targets` hold one of `wanted` (`name` or
/// `role`, and its value), by the `audit_targets` index.
fn in_targets<'a>(wanted: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let each: Vec<String> = wanted
        .map(|(key, value)| {
            let one = serde_json::json!([{ key: value }]).to_string();
            format!("{TARGETS} @> {}::jsonb", literal(&one))
        })
        .collect();
    match each.is_empty() {
        true => "false".into(),
        false => format!(
            "(event IN ('plan', 'batch.start') AND ({}))",
            each.join(" OR ")
        ),
    }
}

/// `column LIKE 'prefix%'`, the prefix's own `%`, `_` and `\` taken
/// literally.
fn prefix_of(column: &str, prefix: &str) -> String {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!(
        "{column} LIKE {} ESCAPE '\\'",
        literal(&format!("{escaped}%"))
    )
}

fn array(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|i| literal(i)).collect();
    format!("ARRAY[{}]::text[]", items.join(", "))
}

/// The records of a session while the database is away
/// (`settings.audit_offline: spool`): written to the spool file, marked
/// `deferred`, and only for work known to be safe: a record announcing
/// anything else is refused, so that work never starts.
pub struct Spool {
    pub writer: super::Writer,
    pub server: String,
}

impl Spool {
    fn allows(event: &Event) -> bool {
        use crate::classify::Verdict;
        let safe = |v: Verdict| v == Verdict::Safe;
        match event {
            Event::Plan(p) => {
                !p.destructive
                    && p.verdict.is_none_or(safe)
                    && p.steps
                        .iter()
                        .flatten()
                        .all(|s| !s.destructive && safe(s.verdict))
            }
            Event::CommandStart(c) => !c.destructive && safe(c.verdict),
            Event::ShellLine(l) => !l.destructive && safe(l.verdict),
            Event::LockBreak(_) | Event::LockAcquire(_) | Event::GuardConfirmed(_) => false,
            _ => true,
        }
    }
}

impl super::Sink for Spool {
    fn session(&self) -> &str {
        self.writer.session()
    }

    fn append(&mut self, event: &Event) -> Result<Appended, AuditError> {
        if !Spool::allows(event) {
            return Err(AuditError::Offline {
                server: self.server.clone(),
                spool: self.writer.path().to_path_buf(),
            });
        }
        let mut fields = event.fields();
        let name = match fields.remove("event") {
            Some(Value::String(name)) => name,
            _ => unreachable!("every event is tagged with its name"),
        };
        fields.insert("deferred".into(), json!(true));
        self.writer.append_fields(&name, fields)
    }
}

/// A string literal (standard_conforming_strings is on for the session).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            shown_url("postgresql://ops:secret@db.example:5433/audit?sslmode=disable&password=x"),
            "postgresql://ops@db.example:5433/audit?sslmode=disable"
        );
        assert_eq!(
            shown_url("postgres:///audit?host=/run/pg"),
            "postgres:///audit?host=/run/pg"
        );
        assert!(matches!(
            Database::parse("postgresql://ops:secret@db/audit"),
            Err(UrlError::Password)
        ));
        assert!(matches!(
            Database::parse("postgresql://db/audit?sslmode=require"),
            Err(UrlError::Tls)
        ));
    }

    #[test]
    fn pgpass_lines_match_field_by_field() {
        let want = ["db", "5432", "audit", "ops"];
        assert_eq!(
            pgpass_line("db:5432:audit:ops:pw", want).as_deref(),
            Some("pw")
        );
        assert_eq!(pgpass_line("*:*:*:ops:p\\:w", want).as_deref(), Some("p:w"));
        assert_eq!(pgpass_line("db:5432:other:ops:pw", want), None);
        assert_eq!(pgpass_line("db:5432:audit", want), None);
    }

    #[test]
    fn the_checked_keys_are_the_checked_columns() {
        let columns: Vec<&str> = CHECKED.split(", ").map(|c| c.trim_matches('"')).collect();
        assert_eq!(columns, CHECKED_KEYS);
    }

    #[test]
    fn the_server_seals_under_the_same_lock_and_genesis() {
        let append = MIGRATIONS[2];
        assert!(append.contains(&format!("pg_advisory_xact_lock({CHAIN_LOCK})")));
        assert_eq!(record::GENESIS, "0".repeat(64));
        assert!(append.contains("coalesce(new_prev, repeat('0', 64))"));
    }

    /// A row as `checked_lines` COPYs it: the line, then [`CHECKED`].
    fn row(line: &str, cells: [Option<&[u8]>; 9]) -> Vec<u8> {
        let mut out = 10i16.to_be_bytes().to_vec();
        for cell in std::iter::once(Some(line.as_bytes())).chain(cells) {
            match cell {
                Some(bytes) => {
                    out.extend((bytes.len() as i32).to_be_bytes());
                    out.extend(bytes);
                }
                None => out.extend((-1i32).to_be_bytes()),
            }
        }
        out
    }

    #[test]
    fn each_column_is_checked_against_its_line() {
        let line = r#"{"event":"command.start","hash":"ab","host":"store-a1","seq":7,"session":"s1","ts":"2026-12-03T19:07:16.123Z","user":"ana"}"#;
        // 2026-12-03T19:07:16.123Z in microseconds since 2000-01-01.
        let ts = (1_796_324_836_123_000i64 - 946_684_800_000_000).to_be_bytes();
        let seq = 7i64.to_be_bytes();
        let good: [Option<&[u8]>; 9] = [
            Some(&seq),
            Some(b"ab"),
            Some(&ts),
            Some(b"s1"),
            Some(b"command.start"),
            Some(b"store-a1"),
            None,
            Some(b"ana"),
            None,
        ];
        // The row through a COPY, as `verify` meets it: the line, and
        // its columns' finding.
        let check = |cells: [Option<&[u8]>; 9]| {
            let mut copy = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
            copy.extend(row(line, cells));
            copy.extend((-1i16).to_be_bytes());
            let (tx, rx) = sync_channel(4);
            let (columns_tx, columns_rx) = std::sync::mpsc::channel();
            assert!(copy_lines(&copy[..], &tx, Some(&columns_tx)).is_ok());
            drop(tx);
            let sent: Vec<u8> = rx.iter().flatten().flatten().collect();
            assert_eq!(sent, format!("{line}\n").into_bytes());
            let mut columns = Columns {
                rx: columns_rx,
                batch: Batch::default(),
                at: 0,
                row: 0,
            };
            let mut fields = Members::default();
            fields.read(line.as_bytes()).unwrap();
            columns.agree(1, &fields)
        };
        assert_eq!(check(good), Ok(()));
        let other_seq = 8i64.to_be_bytes();
        let other_ts = (1_796_324_836_124_000i64 - 946_684_800_000_000).to_be_bytes();
        let changes: [(usize, Option<&[u8]>, &str); 9] = [
            (0, Some(&other_seq), "seq"),
            (1, Some(b"cd"), "hash"),
            (2, Some(&other_ts), "ts"),
            (3, Some(b"s2"), "session"),
            (4, Some(b"note"), "event"),
            (5, None, "host"),
            (6, Some(b"live"), "role"),
            (7, Some(b"bob"), "user"),
            (8, Some(b"CHG-1"), "change"),
        ];
        for (i, cell, column) in changes {
            let mut cells = good;
            cells[i] = cell;
            assert_eq!(
                check(cells),
                Err(format!(
                    "the row's `{column}` column differs from its record"
                ))
            );
        }
    }

    #[test]
    fn a_binary_copy_reads_as_lines() {
        let mut copy = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        for line in ["{\"a\":1}", "x\ty\\n"] {
            copy.extend(1i16.to_be_bytes());
            copy.extend((line.len() as i32).to_be_bytes());
            copy.extend(line.as_bytes());
        }
        copy.extend((-1i16).to_be_bytes());
        let (tx, rx) = sync_channel(4);
        assert!(copy_lines(&copy[..], &tx, None).is_ok());
        drop(tx);
        let mut text = String::new();
        Lines {
            rx,
            chunk: Vec::new(),
            at: 0,
        }
        .read_to_string(&mut text)
        .unwrap();
        assert_eq!(text, "{\"a\":1}\nx\ty\\n\n");
    }
}
