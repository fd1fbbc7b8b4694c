//! Databases: the clients (`mysql`, `psql`, `redis-cli`, ...) are read-only
//! when each of their options is known to only read and every statement
//! they are given inline only reads; statements that delete (`DROP`,
//! `TRUNCATE`, `DELETE FROM`, `FLUSHALL`) are destructive wherever they
//! come from (an argument, a here-document, a pipe), which the walker
//! checks across the pipeline with [`database_statement`].
//!
//! A `SELECT` is not read-only by its first word: it can call functions
//! that end sessions, advance replication slots or write files. Only
//! statements that call functions on a list of read-only ones are, and
//! only text every database reads alike: a backslash, `$$`, `#` or a block
//! comment makes the text not known.

use super::{Judgement, destroys, unknown};
use crate::classify::args::{Parsed, Spec, parse};
use crate::classify::lexer::Word;

pub fn is_database_client(name: &str) -> bool {
    matches!(
        name,
        "mysql"
            | "mariadb"
            | "psql"
            | "sqlite3"
            | "mongo"
            | "mongosh"
            | "redis-cli"
            | "valkey-cli"
            | "clickhouse-client"
            | "clickhouse"
            | "cqlsh"
            | "sqlcmd"
            | "influx"
            | "cockroach"
    )
}

/// A statement that deletes data, if `text` holds one.
pub fn database_statement(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '('))
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        match pair {
            [
                "drop",
                what @ ("database" | "table" | "schema" | "keyspace" | "index" | "collection"
                | "user" | "role" | "owned" | "view" | "materialized"),
            ] => {
                return Some(format!("`DROP {}` deletes data", what.to_uppercase()));
            }
            ["truncate", _] => return Some("`TRUNCATE` deletes every row".into()),
            ["delete", "from"] => return Some("`DELETE FROM` deletes rows".into()),
            _ => {}
        }
    }
    words.iter().find_map(|w| match *w {
        "flushall" | "flushdb" => Some(format!("`{}` deletes every key", w.to_uppercase())),
        w if w.contains("dropdatabase(") || w.ends_with(".drop(") || w.contains(".deletemany(") => {
            Some(format!("`{w}` deletes data"))
        }
        _ => None,
    })
}

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "dropdb" | "dropuser" => {
            destroys("db.drop", format!("`{name}` deletes a database or role"))
        }
        "mysqladmin" | "mariadb-admin" => {
            let ops: Vec<&str> = args
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            if ops
                .iter()
                .any(|o| matches!(*o, "drop" | "shutdown" | "kill"))
            {
                destroys(
                    "db.drop",
                    format!("`{name}` drops a database, kills queries or shuts the server down"),
                )
            } else {
                mysqladmin(name, args)
            }
        }
        "pg_isready" | "pg_lsclusters" | "pg_config" | "pg_controldata" => Judgement::Safe,
        "pg_dump" => pg_dump(name, &PG_DUMP, args),
        "pg_dumpall" => pg_dump(name, &PG_DUMPALL, args),
        "mysqldump" | "mariadb-dump" => mysqldump(name, args),
        "pg_restore" => {
            if args.iter().any(|w| w.text == "-c" || w.text == "--clean") {
                destroys(
                    "db.drop",
                    "`pg_restore --clean` drops the database objects before recreating them",
                )
            } else {
                unknown("`pg_restore` writes into the database")
            }
        }
        n if is_database_client(n) => client(n, args),
        _ => return None,
    })
}

/// A tool's options: how they parse, its short options that take no
/// value, and the options that write a file, run a command or read
/// statements from elsewhere, with what they do. Any option not declared
/// makes the form not known.
struct Options {
    spec: Spec,
    flags: &'static str,
    writes: &'static [(&'static str, &'static str)],
}

impl Options {
    fn parse(&self, args: &[Word]) -> Parsed {
        parse(args, &self.spec)
    }

    /// Why `p` is not known to only read, if it is not.
    fn check(&self, tool: &str, p: &Parsed) -> Result<(), Judgement> {
        if p.dynamic {
            return Err(unknown(format!(
                "`{tool}` has words only known when the shell runs"
            )));
        }
        if let Some(o) = p.strange.first() {
            return Err(unknown(format!(
                "`{tool} {o}`: an option opsguard does not know for `{tool}`"
            )));
        }
        for o in &p.opts {
            if let Some((_, what)) = self.writes.iter().find(|(w, _)| *w == o.name) {
                return Err(unknown(format!("`{tool} {}` {what}", o.name)));
            }
            let short = o.name.strip_prefix('-').filter(|n| !n.starts_with('-'));
            if short.is_some_and(|c| !self.flags.contains(c) && !self.spec.short_values.contains(c))
            {
                return Err(unknown(format!(
                    "`{tool} {}`: an option opsguard does not know for `{tool}`",
                    o.name
                )));
            }
        }
        Ok(())
    }
}

const PG_DUMP: Options = Options {
    spec: Spec::new(
        "dfFjnNStTUZehpE",
        &[
            "file=", "format=", "jobs=", "verbose", "version", "compress=", "lock-wait-timeout=",
            "no-sync", "help", "data-only", "large-objects", "blobs", "no-large-objects",
            "no-blobs", "clean", "create", "extension=", "encoding=", "schema=", "exclude-schema=",
            "no-owner", "schema-only", "superuser=", "table=", "exclude-table=", "no-privileges",
            "no-acl", "binary-upgrade", "column-inserts", "attribute-inserts",
            "disable-dollar-quoting", "disable-triggers", "enable-row-security",
            "exclude-table-data=", "exclude-table-and-children=",
            "exclude-table-data-and-children=", "extra-float-digits=", "filter=", "if-exists",
            "include-foreign-data=", "inserts", "load-via-partition-root", "no-comments",
            "no-publications", "no-security-labels", "no-subscriptions", "no-table-access-method",
            "no-tablespaces", "no-toast-compression", "no-unlogged-table-data",
            "on-conflict-do-nothing", "quote-all-identifiers", "rows-per-insert=", "section=",
            "serializable-deferrable", "snapshot=", "strict-names", "table-and-children=",
            "use-set-session-authorization", "dbname=", "host=", "port=", "username=",
            "no-password", "password", "role=",
        ],
    ),
    flags: "abBcCOsvVxwW?",
    writes: &[
        ("-f", "writes the dump to a file"),
        ("--file", "writes the dump to a file"),
    ],
};

/// A PostgreSQL dump tool: read-only when every option is (it writes to
/// its output) and it connects only by where and as whom.
fn pg_dump(tool: &str, options: &Options, args: &[Word]) -> Judgement {
    let p = options.parse(args);
    match options
        .check(tool, &p)
        .and_then(|()| libpq_targets(tool, &p))
    {
        Ok(()) => Judgement::Safe,
        Err(j) => j,
    }
}

/// libpq connection settings that only say where and as whom to connect;
/// others set server options (which can load libraries), name a service
/// file or write files.
const LIBPQ_KEYS: &[&str] = &[
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "connect_timeout",
    "client_encoding", "application_name", "fallback_application_name", "keepalives",
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslmode",
    "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcompression", "requiressl",
    "gssencmode", "target_session_attrs", "load_balance_hosts", "channel_binding", "require_auth",
    "sslnegotiation",
];

/// The database names and connection strings given (`-d`, operands) only
/// say where to connect (`host=db1 dbname=mail`,
/// `postgresql://db1/mail?sslmode=require`).
fn libpq_targets(tool: &str, p: &Parsed) -> Result<(), Judgement> {
    let settings_known = |target: &str| {
        target
            .split(|c: char| c.is_whitespace() || c == '?' || c == '&')
            .filter(|part| part.contains('='))
            .all(|part| LIBPQ_KEYS.contains(&part.split('=').next().unwrap_or("")))
    };
    let names = values(p, &["-d", "--dbname", "-l", "--database"]);
    match names
        .into_iter()
        .chain(p.operands.iter().map(String::as_str))
        .find(|t| !settings_known(t))
    {
        Some(t) => Err(unknown(format!(
            "`{tool} {t}`: a connection setting that can load code on the server or write files"
        ))),
        None => Ok(()),
    }
}

const PG_DUMPALL: Options = Options {
    spec: Spec::new(
        "fdhlpUSE",
        &[
            "file=", "verbose", "version", "lock-wait-timeout=", "help", "data-only", "clean",
            "encoding=", "globals-only", "no-owner", "roles-only", "schema-only", "superuser=",
            "tablespaces-only", "no-privileges", "no-acl", "binary-upgrade", "column-inserts",
            "attribute-inserts", "disable-dollar-quoting", "disable-triggers", "exclude-database=",
            "extra-float-digits=", "if-exists", "inserts", "load-via-partition-root",
            "no-comments", "no-publications", "no-role-passwords", "no-security-labels",
            "no-subscriptions", "no-sync", "no-table-access-method", "no-tablespaces",
            "no-toast-compression", "no-unlogged-table-data", "on-conflict-do-nothing",
            "quote-all-identifiers", "rows-per-insert=", "use-set-session-authorization",
            "dbname=", "host=", "database=", "port=", "username=", "no-password", "password",
            "role=",
        ],
    ),
    flags: "acgOrstvVxwW?",
    writes: &[
        ("-f", "writes the dump to a file"),
        ("--file", "writes the dump to a file"),
    ],
};

/// Options of the MySQL tools that read configuration or load code:
/// named in both tools' specs so an abbreviation finds them.
const MYSQL_CONFIG: &[(&str, &str)] = &[
    (
        "--defaults-file", "reads a configuration that can run statements or commands",
    ),
    (
        "--defaults-extra-file", "reads a configuration that can run statements or commands",
    ),
    (
        "--defaults-group-suffix", "reads more of the configuration, which can run statements",
    ),
    ("--init-command", "runs a statement of its own"),
    ("--plugin-dir", "loads plugins from that folder"),
    ("--default-auth", "loads an authentication plugin"),
    ("--debug", "writes a trace file"),
    ("-#", "writes a trace file"),
];

const MYSQL: Options = Options {
    spec: Spec::new(
        "DehPSu",
        &[
            "execute=", "user=", "password?", "host=", "port=", "database=", "socket=",
            "protocol=", "batch", "skip-column-names", "column-names", "silent", "raw", "table",
            "verbose", "vertical", "html", "xml", "no-auto-rehash", "auto-rehash",
            "skip-auto-rehash", "compress", "quick", "unbuffered", "wait", "force", "version",
            "help", "connect-timeout=", "default-character-set=", "ssl-mode=", "ssl-ca=",
            "ssl-capath=", "ssl-cert=", "ssl-key=", "ssl-cipher=", "tls-version=", "ssl",
            "skip-ssl", "login-path=", "no-defaults", "show-warnings", "column-type-info",
            "safe-updates", "i-am-a-dummy", "line-numbers", "skip-line-numbers", "binary-mode",
            "comments", "skip-comments", "max-allowed-packet=", "net-buffer-length=",
            "select-limit=", "max-join-size=", "reconnect", "skip-reconnect", "sigint-ignore",
            "get-server-public-key", "server-public-key-path=", "one-database", "ignore-spaces",
            "no-beep", "no-tee", "no-pager", "print-defaults", "tee=", "pager?", "init-command=",
            "defaults-file=", "defaults-extra-file=", "defaults-group-suffix=", "plugin-dir=",
            "default-auth=", "local-infile?", "load-data-local-dir=", "delimiter=",
            "named-commands", "histignore=", "debug?", "debug-info", "debug-check",
            "system-command?", "enable-cleartext-plugin", "pipe", "shared-memory-base-name=",
        ],
    ),
    flags: "?AbBCcEfHiLnNoqrstUvVwX",
    writes: &[
        ("--tee", "writes everything to a file"),
        ("--pager", "runs output through a command"),
        ("--local-infile", "lets statements read the client's files"),
        (
            "--load-data-local-dir", "lets statements read the client's files",
        ),
        ("--delimiter", "reads statements split another way"),
        (
            "--named-commands", "reads client commands (`system`) on any line",
        ),
        ("--histignore", "changes what is kept in the history file"),
        ("--debug-info", "prints debugging information"),
        ("--debug-check", "prints debugging information"),
        ("--system-command", "allows `system` commands"),
        (
            "--enable-cleartext-plugin", "sends the password in clear text",
        ),
        ("--pipe", "connects through a named pipe"),
        (
            "--shared-memory-base-name", "connects through shared memory",
        ),
        ("-G", "reads client commands (`system`) on any line"),
    ],
};

const MYSQLDUMP: Options = Options {
    spec: Spec::new(
        "uhPSwrT",
        &[
            "user=", "password?", "host=", "port=", "socket=", "protocol=", "where=",
            "result-file=", "tab=", "databases", "all-databases", "single-transaction", "quick",
            "routines", "triggers", "skip-triggers", "events", "no-data", "no-create-info",
            "no-create-db", "add-drop-table", "skip-add-drop-table", "add-drop-database",
            "add-drop-trigger", "add-locks", "skip-add-locks", "complete-insert",
            "extended-insert", "skip-extended-insert", "hex-blob", "compact", "ignore-table=",
            "ignore-error=", "tables", "default-character-set=", "set-gtid-purged=",
            "column-statistics", "skip-column-statistics", "max-allowed-packet=",
            "net-buffer-length=", "lock-tables", "skip-lock-tables", "order-by-primary",
            "compress", "verbose", "force", "comments", "skip-comments", "dump-date",
            "skip-dump-date", "tz-utc", "skip-tz-utc", "no-tablespaces", "opt", "skip-opt",
            "insert-ignore", "replace", "xml", "quote-names", "skip-quote-names", "compatible=",
            "create-options", "allow-keywords", "disable-keys", "skip-disable-keys", "no-defaults",
            "version", "help", "ssl-mode=", "ssl-ca=", "ssl-cert=", "ssl-key=", "login-path=",
            "set-charset", "skip-set-charset", "no-autocommit", "fields-terminated-by=",
            "fields-enclosed-by=", "fields-optionally-enclosed-by=", "fields-escaped-by=",
            "lines-terminated-by=", "flush-logs", "flush-privileges", "master-data?",
            "source-data?", "delete-master-logs", "delete-source-logs", "dump-slave?",
            "dump-replica?", "apply-slave-statements", "apply-replica-statements",
            "include-master-host-port", "include-source-host-port", "lock-all-tables",
            "log-error=", "defaults-file=", "defaults-extra-file=", "defaults-group-suffix=",
            "plugin-dir=", "default-auth=", "init-command=", "debug?", "debug-info", "debug-check",
        ],
    ),
    flags: "?ABcCdeEfFiKlnNqQRtvVxXyY",
    writes: &[
        ("-r", "writes the dump to a file"),
        ("--result-file", "writes the dump to a file"),
        ("-T", "writes files on the server"),
        ("--tab", "writes files on the server"),
        ("--log-error", "writes its errors to a file"),
        ("-F", "rotates the server's logs"),
        ("--flush-logs", "rotates the server's logs"),
        ("--flush-privileges", "reloads the server's privileges"),
        (
            "--master-data", "locks every table and rotates the binary log position",
        ),
        (
            "--source-data", "locks every table and rotates the binary log position",
        ),
        ("--delete-master-logs", "deletes the binary logs"),
        ("--delete-source-logs", "deletes the binary logs"),
        ("--dump-slave", "stops the replication threads"),
        ("--dump-replica", "stops the replication threads"),
        ("-x", "locks every table of every database"),
        ("--lock-all-tables", "locks every table of every database"),
    ],
};

/// The MySQL tools read configuration and load code with these.
fn mysql_config(tool: &str, p: &Parsed) -> Result<(), Judgement> {
    match MYSQL_CONFIG.iter().find(|(o, _)| p.has(&[o])) {
        Some((o, what)) => Err(unknown(format!("`{tool} {o}` {what}"))),
        None => Ok(()),
    }
}

fn mysqldump(name: &str, args: &[Word]) -> Judgement {
    let p = MYSQLDUMP.parse(&mysql_words(args, MYSQLDUMP.spec.short_values));
    match MYSQLDUMP
        .check(name, &p)
        .and_then(|()| mysql_config(name, &p))
    {
        Ok(()) => Judgement::Safe,
        Err(j) => j,
    }
}

const MYSQLADMIN: Options = Options {
    spec: Spec::new(
        "uhPSci",
        &[
            "user=", "password?", "host=", "port=", "socket=", "protocol=", "count=", "sleep=",
            "relative", "silent", "verbose", "version", "force", "compress", "vertical", "help",
            "connect-timeout=", "shutdown-timeout=", "ssl-mode=", "ssl-ca=", "ssl-cert=",
            "ssl-key=", "login-path=", "no-defaults", "defaults-file=", "defaults-extra-file=",
            "defaults-group-suffix=", "init-command=", "plugin-dir=", "default-auth=", "debug?",
        ],
    ),
    flags: "?rsvVfCE",
    writes: &[],
};

/// `mysqladmin status`: read-only commands with options known to be.
fn mysqladmin(name: &str, args: &[Word]) -> Judgement {
    let p = MYSQLADMIN.parse(&mysql_words(args, MYSQLADMIN.spec.short_values));
    if let Err(j) = MYSQLADMIN
        .check(name, &p)
        .and_then(|()| mysql_config(name, &p))
    {
        return j;
    }
    let reads = [
        "status", "processlist", "variables", "version", "ping", "extended-status",
    ];
    if !p.operands.is_empty() && p.operands.iter().all(|o| reads.contains(&o.as_str())) {
        Judgement::Safe
    } else {
        unknown(format!("`{name}` changes the database server"))
    }
}

/// MySQL's `-p` takes a password only in its own word (`-psecret`); a
/// bare `-p` asks for one and takes nothing after it, which getopt
/// cannot say: it is read as `--password`, the same in every place.
fn mysql_words(args: &[Word], values: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for w in args {
        let letters = w.text.strip_prefix('-').filter(|l| !l.starts_with('-'));
        let p_at = letters.and_then(|l| {
            l.char_indices()
                .take_while(|(_, c)| !values.contains(*c))
                .find(|(_, c)| *c == 'p')
                .map(|(i, _)| (l, i))
        });
        let Some((letters, i)) = p_at else {
            out.push(w.clone());
            continue;
        };
        let before = &letters[..i];
        let password = &letters[i + 1..];
        if !before.is_empty() {
            out.push(Word {
                text: format!("-{before}"),
                ..w.clone()
            });
        }
        out.push(Word {
            text: if password.is_empty() {
                "--password".into()
            } else {
                format!("--password={password}")
            },
            ..w.clone()
        });
    }
    out
}

const PSQL: Options = Options {
    spec: Spec::new(
        "cdfvLoFPRThpU",
        &[
            "command=", "dbname=", "file=", "list", "set=", "variable=", "version", "no-psqlrc",
            "single-transaction", "help?", "echo-all", "echo-errors", "echo-queries",
            "echo-hidden", "log-file=", "no-readline", "output=", "quiet", "single-step",
            "single-line", "no-align", "csv", "field-separator=", "html", "pset=",
            "record-separator=", "tuples-only", "table-attr=", "expanded", "field-separator-zero",
            "record-separator-zero", "host=", "port=", "username=", "no-password", "password",
        ],
    ),
    flags: "lVX1?abeEnqsSAHtxz0wW",
    writes: &[
        ("-f", "runs the statements in a file"),
        ("--file", "runs the statements in a file"),
        ("-o", "writes the results to a file or a command"),
        ("--output", "writes the results to a file or a command"),
        ("-L", "writes a log of the session to a file"),
        ("--log-file", "writes a log of the session to a file"),
    ],
};

/// psql variables that only change how it reports (`-v ON_ERROR_STOP=1`);
/// others can hold commands (`PROMPT1`, `PAGER`-like settings).
const PSQL_VARIABLES: &[&str] = &[
    "ON_ERROR_STOP", "QUIET", "VERBOSITY", "SHOW_CONTEXT", "FETCH_COUNT", "ECHO",
];

/// `\pset` settings that only format (not `pager`).
const PSQL_PSET: &[&str] = &[
    "format", "border", "expanded", "fieldsep", "fieldsep_zero", "footer", "null", "numericlocale",
    "recordsep", "recordsep_zero", "tuples_only", "title", "tableattr", "csv_fieldsep",
    "linestyle", "unicode_border_linestyle", "unicode_column_linestyle",
    "unicode_header_linestyle", "columns", "xheader_width",
];

/// psql backslash commands that only read, besides the `\d` family.
const PSQL_META: &[&str] = &[
    "l", "l+", "list", "list+", "z", "x", "conninfo", "q", "quit", "?", "h", "help", "sf", "sf+",
    "sv", "sv+", "lo_list", "copyright", "errverbose", "timing", "echo",
];

/// A backslash command line for psql (`\dt+`, `\l`): every command in it
/// only reads, and no backquoted text runs in a shell.
fn psql_meta_reads(text: &str) -> bool {
    !text.contains('`')
        && text.split('\\').skip(1).all(|cmd| {
            let name = cmd.split_whitespace().next().unwrap_or("");
            name.starts_with('d') || PSQL_META.contains(&name)
        })
}

fn psql(args: &[Word]) -> Judgement {
    let p = PSQL.parse(args);
    if let Err(j) = PSQL
        .check("psql", &p)
        .and_then(|()| libpq_targets("psql", &p))
    {
        return j;
    }
    let named = |names: &[&str], allowed: &[&str]| {
        p.opts
            .iter()
            .filter(|o| names.contains(&o.name.as_str()))
            .filter_map(|o| o.value.as_deref())
            .find(|v| !allowed.contains(&v.split('=').next().unwrap_or("")))
            .map(str::to_string)
    };
    if let Some(v) = named(&["-v", "--set", "--variable"], PSQL_VARIABLES) {
        return unknown(format!(
            "`psql -v {v}` sets a variable that can run commands"
        ));
    }
    if let Some(v) = named(&["-P", "--pset"], PSQL_PSET) {
        return unknown(format!("`psql -P {v}` can run output through a command"));
    }
    let commands = values(&p, &["-c", "--command"]);
    if commands.is_empty() && p.has(&["-l", "--list", "-V", "--version", "-?", "--help"]) {
        return Judgement::Safe;
    }
    // A command that starts with a backslash is psql's own; any other is
    // sent to the server as it is.
    statements("psql", &commands, |c| {
        if c.starts_with('\\') {
            psql_meta_reads(c)
        } else {
            reads_only(c, Dialect::Other)
        }
    })
}

fn mysql(name: &str, args: &[Word]) -> Judgement {
    let p = MYSQL.parse(&mysql_words(args, MYSQL.spec.short_values));
    if let Err(j) = MYSQL.check(name, &p).and_then(|()| mysql_config(name, &p)) {
        return j;
    }
    statements(name, &values(&p, &["-e", "--execute"]), |s| {
        reads_only(s, Dialect::Mysql)
    })
}

/// sqlite3's options, with one dash or two, anywhere on the line: those
/// that only choose how results look, and those that take a value.
const SQLITE_FLAGS: &[&str] = &[
    "ascii", "bail", "batch", "box", "column", "csv", "echo", "header", "noheader", "help", "html",
    "json", "line", "list", "markdown", "quote", "readonly", "safe", "table", "tabs", "version",
    "nofollow",
];

/// sqlite3 dot-commands that only read; the others write files (`.output`,
/// `.save`, `.backup`), run commands (`.shell`, `.system`) or read more
/// (`.read`, `.open`, `.load`).
const SQLITE_META: &[&str] = &[
    ".tables", ".schema", ".fullschema", ".indexes", ".indices", ".dump", ".databases", ".dbinfo",
    ".show", ".help", ".headers", ".mode", ".width", ".nullvalue", ".separator", ".timer",
];

/// `sqlite3 [OPTIONS] FILE COMMAND...`: safe when every command (and every
/// `-cmd`) only reads; with no command it reads them from its input.
fn sqlite(args: &[Word]) -> Judgement {
    let mut words = args.iter().map(|w| w.text.as_str());
    let mut operands = Vec::new();
    let mut commands = Vec::new();
    while let Some(w) = words.next() {
        let Some(option) = w.strip_prefix('-') else {
            operands.push(w);
            continue;
        };
        match option.strip_prefix('-').unwrap_or(option) {
            "cmd" => commands.extend(words.next()),
            "separator" | "newline" | "nullvalue" => {
                words.next();
            }
            o if SQLITE_FLAGS.contains(&o) => {}
            _ => {
                return unknown(format!(
                    "`sqlite3 {w}` is not an option opsguard knows to only read"
                ));
            }
        }
    }
    if operands.len() < 2 {
        return unknown("`sqlite3` runs the statements it reads on the database");
    }
    commands.extend(&operands[1..]);
    statements("sqlite3", &commands, |c| {
        let c = c.trim_start();
        if c.starts_with('.') {
            !c.contains('\n') && SQLITE_META.contains(&c.split_whitespace().next().unwrap_or(""))
        } else {
            !c.lines().any(|l| l.trim_start().starts_with('.')) && reads_only(c, Dialect::Other)
        }
    })
}

const CLICKHOUSE: Options = Options {
    spec: Spec::new(
        "qhpudf",
        &[
            "query=", "host=", "port=", "user=", "password=", "database=", "format=", "vertical",
            "time", "secure", "multiline", "multiquery", "help", "version",
        ],
    ),
    flags: "mntsEV",
    writes: &[],
};

const CQLSH: Options = Options {
    spec: Spec::new(
        "eukfp",
        &[
            "execute=", "username=", "password=", "keyspace=", "file=", "ssl", "color", "no-color",
            "connect-timeout=", "request-timeout=", "cqlversion=", "protocol-version=", "debug",
            "tty", "help", "version",
        ],
    ),
    flags: "Ct",
    writes: &[
        ("-f", "runs the statements in a file"),
        ("--file", "runs the statements in a file"),
    ],
};

/// A client: safe when it is given statements inline and all of them read.
fn client(name: &str, args: &[Word]) -> Judgement {
    if args.iter().any(|w| w.dynamic) {
        return unknown(format!("`{name}` has words only known when the shell runs"));
    }
    let (options, names) = match name {
        "mysql" | "mariadb" => return mysql(name, args),
        "psql" => return psql(args),
        "sqlite3" => return sqlite(args),
        "redis-cli" | "valkey-cli" => return redis(name, args),
        "clickhouse-client" | "clickhouse" => (&CLICKHOUSE, ["-q", "--query"]),
        "cqlsh" => (&CQLSH, ["-e", "--execute"]),
        _ => return unknown(format!("`{name}` runs statements on the database")),
    };
    let p = options.parse(args);
    if let Err(j) = options.check(name, &p) {
        return j;
    }
    statements(name, &values(&p, &names), |s| reads_only(s, Dialect::Other))
}

fn values<'p>(p: &'p Parsed, names: &[&str]) -> Vec<&'p str> {
    p.opts
        .iter()
        .filter(|o| names.contains(&o.name.as_str()))
        .filter_map(|o| o.value.as_deref())
        .collect()
}

/// Safe when there are statements and `reads` holds for each.
fn statements(tool: &str, texts: &[&str], reads: impl Fn(&str) -> bool) -> Judgement {
    if texts.is_empty() {
        return unknown(format!(
            "`{tool}` runs the statements it reads on the database"
        ));
    }
    match texts.iter().find(|s| !reads(s)) {
        None => Judgement::Safe,
        Some(s) => unknown(format!(
            "`{tool}` runs `{}`, which is not known to only read",
            s.trim()
        )),
    }
}

/// What a SQL text is read as where the databases differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// The mysql client ends a statement at `\G` as well as `;`.
    Mysql,
    Other,
}

/// A SQL token: a word (lower-cased), a quoted name (as written), a
/// string or number, or a sign.
#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Value,
    Sign(char),
}

/// `sql` as statements of tokens, or `None` where it holds what the
/// databases do not read alike: a backslash, `$`, `#`, `/*`, `--` without
/// a blank after it, a string left open.
fn sql_tokens(sql: &str, dialect: Dialect) -> Option<Vec<Vec<Tok>>> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '-' if next == Some('-') => {
                if !chars.get(i + 2).is_none_or(|c| c.is_whitespace()) {
                    return None;
                }
                while chars.get(i).is_some_and(|c| *c != '\n') {
                    i += 1;
                }
                continue;
            }
            ';' => {
                out.push(Vec::new());
                i += 1;
                continue;
            }
            '\\' if dialect == Dialect::Mysql && matches!(next, Some('G' | 'g')) => {
                out.push(Vec::new());
                i += 2;
                continue;
            }
            '\\' | '$' | '#' => return None,
            '/' if next == Some('*') => return None,
            '\'' | '"' | '`' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match *chars.get(i)? {
                        '\\' => return None,
                        d if d == c && chars.get(i + 1) == Some(&c) => {
                            text.push(c);
                            i += 2;
                        }
                        d if d == c => break,
                        d => {
                            text.push(d);
                            i += 1;
                        }
                    }
                }
                i += 1;
                if c == '\'' {
                    Tok::Value
                } else {
                    Tok::Quoted(text)
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect::<String>().to_lowercase())
            }
            c if c.is_ascii_digit() => {
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '.')
                {
                    i += 1;
                }
                Tok::Value
            }
            c => {
                i += 1;
                Tok::Sign(c)
            }
        };
        out.last_mut()?.push(tok);
    }
    Some(out)
}

/// Statements that only read, by their first word.
const SQL_READS: &[&str] = &[
    "select", "show", "explain", "table", "values", "with", "describe", "desc",
];

/// Words that make any statement write, lock or run what it names: `INTO`
/// (`SELECT INTO`, `INTO OUTFILE`), `FOR UPDATE`, a data-changing `WITH`,
/// `EXPLAIN ANALYZE`.
const SQL_CHANGES: &[&str] = &[
    "into", "insert", "update", "delete", "merge", "upsert", "drop", "truncate", "alter", "create",
    "grant", "revoke", "copy", "call", "lock", "share", "analyze", "analyse", "vacuum", "reindex",
    "refresh", "load", "handler", "rename", "outfile", "dumpfile",
];

/// Keywords a `(` may follow that are not function calls.
const SQL_BEFORE_PAREN: &[&str] = &[
    "in", "exists", "any", "all", "some", "as", "from", "join", "on", "and", "or", "not", "where",
    "select", "over", "filter", "within", "group", "by", "using", "lateral", "values", "when",
    "then", "else", "between", "like", "ilike", "similar", "to", "distinct", "is", "case", "union",
    "intersect", "except", "having", "limit", "offset", "with", "array", "row", "explain",
    "recursive", "only", "partition", "rollup", "cube", "sets", "interval", "numeric", "decimal",
    "varchar", "char", "character", "varying", "timestamp", "timestamptz", "time", "bit", "float",
    "asc", "desc",
];

/// Functions that only compute or read: aggregates, window functions,
/// text, numbers, dates, and the server's read-only status functions.
/// Any other call is not known (`pg_terminate_backend`, `setval`,
/// `lo_export`, `pg_logical_slot_get_changes`, `writefile`, `sleep`).
const SQL_FUNCTIONS: &[&str] = &[
    // Aggregates and window functions.
    "count", "sum", "min", "max", "avg", "array_agg", "string_agg", "json_agg", "jsonb_agg",
    "json_object_agg", "bool_and", "bool_or", "every", "stddev", "stddev_pop", "stddev_samp",
    "variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc", "mode",
    "group_concat", "total", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
    "ntile", "lag", "lead", "first_value", "last_value", "nth_value", // Conditions, casts.
    "coalesce", "nullif", "greatest", "least", "cast", "ifnull", "if", "isnull", "typeof",
    "pg_typeof", "format_type", // Text.
    "lower", "upper", "length", "char_length", "character_length", "octet_length", "substr",
    "substring", "position", "strpos", "instr", "trim", "btrim", "ltrim", "rtrim", "replace",
    "split_part", "concat", "concat_ws", "left", "right", "lpad", "rpad", "reverse", "initcap",
    "format", "printf", "quote", "quote_ident", "quote_literal", "md5", "hex", "regexp_replace",
    "regexp_match", "regexp_matches", "regexp_split_to_array", "string_to_array",
    "array_to_string", "array_length", "cardinality", "unnest", "generate_series", "to_json",
    "to_jsonb", "row_to_json", "json_build_object", "jsonb_build_object", "jsonb_pretty",
    "json_extract", "json_unquote", "inet_ntoa", "inet_aton", // Numbers.
    "abs", "ceil", "ceiling", "floor", "round", "trunc", "mod", "power", "sqrt", "sign",
    // Dates and times.
    "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
    "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "age",
    "extract", "date_part", "date_trunc", "to_char", "to_date", "to_timestamp", "to_number",
    "make_interval", "justify_interval", "justify_hours", "justify_days", "date", "datetime",
    "julianday", "strftime", "unix_timestamp", "from_unixtime", "date_format", "datediff",
    "timestampdiff", "date_add", "date_sub", "curdate", "curtime", "sysdate", "sec_to_time",
    "time_to_sec", // The server, read only.
    "version", "sqlite_version", "database", "schema", "user", "current_user", "session_user",
    "connection_id", "current_database", "current_schema", "current_setting", "inet_server_addr",
    "inet_server_port", "inet_client_addr", "pg_backend_pid", "pg_postmaster_start_time",
    "pg_conf_load_time", "pg_is_in_recovery", "pg_is_wal_replay_paused",
    "pg_get_wal_replay_pause_state", "pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp", "pg_current_wal_lsn", "pg_current_wal_insert_lsn",
    "pg_current_wal_flush_lsn", "pg_wal_lsn_diff", "pg_walfile_name", "pg_size_pretty",
    "pg_size_bytes", "pg_database_size", "pg_relation_size", "pg_total_relation_size",
    "pg_table_size", "pg_indexes_size", "pg_tablespace_size", "pg_column_size", "pg_blocking_pids",
    "pg_get_userbyid", "pg_get_indexdef", "pg_get_viewdef", "pg_get_constraintdef",
    "pg_get_triggerdef", "pg_get_expr", "pg_relation_filepath", "obj_description",
    "col_description", "has_table_privilege", "has_database_privilege", "has_schema_privilege",
    "pg_has_role", "to_regclass", "uptime", "formatreadablesize",
];

/// Every statement in `sql` only reads: a `SELECT`, `SHOW`, `EXPLAIN`
/// (without `ANALYZE`), `TABLE`, `VALUES` or `WITH` that writes nowhere
/// and calls only functions known to only read.
fn reads_only(sql: &str, dialect: Dialect) -> bool {
    let Some(statements) = sql_tokens(sql, dialect) else {
        return false;
    };
    statements
        .iter()
        .filter(|s| !s.is_empty())
        .all(|s| statement_reads(s))
}

fn sql_word(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

fn statement_reads(toks: &[Tok]) -> bool {
    let word = sql_word;
    if !toks
        .first()
        .and_then(word)
        .is_some_and(|w| SQL_READS.contains(&w))
    {
        return false;
    }
    if toks
        .iter()
        .filter_map(word)
        .any(|w| SQL_CHANGES.contains(&w))
    {
        return false;
    }
    (1..toks.len())
        .filter(|&i| toks[i] == Tok::Sign('('))
        .all(|i| {
            let qualified = i >= 2 && toks[i - 2] == Tok::Sign('.');
            let name = match &toks[i - 1] {
                Tok::Word(w) if !qualified && SQL_BEFORE_PAREN.contains(&w.as_str()) => {
                    return true;
                }
                Tok::Word(w) | Tok::Quoted(w) => w.as_str(),
                _ => return true,
            };
            // `pg_catalog.now()` is the built-in; another schema's `now`
            // is not.
            let schema_ok = !qualified
                || matches!(
                    i.checked_sub(3).and_then(|j| toks.get(j)),
                    Some(Tok::Word(s) | Tok::Quoted(s)) if s == "pg_catalog"
                );
            schema_ok && SQL_FUNCTIONS.contains(&name)
        })
}

fn redis(name: &str, args: &[Word]) -> Judgement {
    let p = REDIS.parse(args);
    if let Err(j) = REDIS.check(name, &p) {
        return j;
    }
    let reads = [
        "get", "mget", "exists", "ttl", "pttl", "type", "keys", "scan", "sscan", "hscan", "zscan",
        "info", "ping", "dbsize", "hget", "hgetall", "hmget", "hkeys", "hvals", "hlen", "hexists",
        "lrange", "llen", "lindex", "smembers", "scard", "sismember", "zrange", "zrevrange",
        "zcard", "zscore", "zrangebyscore", "strlen", "getrange", "memory", "config", "client",
        "slowlog", "latency", "cluster", "role", "time", "lastsave", "object", "xlen", "xrange",
        "xinfo", "pubsub", "command", "echo",
    ];
    let Some(command) = p.operands.first().map(|c| c.to_ascii_lowercase()) else {
        return if p.has(&[
            "--scan", "--bigkeys", "--memkeys", "--hotkeys", "--keystats", "--stat", "--latency",
            "--latency-history", "--latency-dist", "-v", "--version", "--help",
        ]) {
            Judgement::Safe
        } else {
            unknown(format!(
                "`{name}` runs the commands it reads on the database"
            ))
        };
    };
    let sub = p.operand(1).to_ascii_lowercase();
    let read_sub = match command.as_str() {
        "config" => sub == "get",
        "client" => matches!(sub.as_str(), "list" | "info" | "getname" | "id"),
        "slowlog" => matches!(sub.as_str(), "get" | "len"),
        "memory" => matches!(sub.as_str(), "usage" | "stats" | "doctor"),
        "cluster" => matches!(sub.as_str(), "info" | "nodes" | "slots" | "shards" | "myid"),
        "latency" => matches!(sub.as_str(), "latest" | "history" | "doctor"),
        "object" => matches!(sub.as_str(), "encoding" | "freq" | "idletime" | "refcount"),
        _ => true,
    };
    if reads.contains(&command.as_str()) && read_sub {
        Judgement::Safe
    } else {
        unknown(format!(
            "`{name} {command}` writes to the database or changes the server"
        ))
    }
}

/// redis-cli reads its options up to the first word that is not one,
/// each spelled out; the rest is the command.
const REDIS: Options = Options {
    spec: Spec::new(
        "hpsaunridtD",
        &[
            "user=", "pass=", "askpass", "tls", "sni=", "cacert=", "cacertdir=", "cert=", "key=",
            "insecure", "tls-ciphers=", "tls-ciphersuites=", "resp2", "resp3", "raw", "no-raw",
            "quoted-input", "csv", "json", "quoted-json", "show-pushes=", "stat", "latency",
            "latency-history", "latency-dist", "lru-test=", "replica", "slave", "rdb=",
            "functions-rdb=", "pipe", "pipe-timeout=", "bigkeys", "memkeys", "memkeys-samples=",
            "hotkeys", "keystats", "keystats-samples=", "scan", "pattern=", "quoted-pattern=",
            "count=", "intrinsic-latency=", "eval=", "ldb", "ldb-sync-mode", "cluster=", "verbose",
            "no-auth-warning", "help", "version",
        ],
    )
    .posix(),
    flags: "ce2346v",
    writes: &[
        ("-x", "reads the command's last argument from its input"),
        ("--pipe", "sends the commands it reads from its input"),
        (
            "--pipe-timeout", "sends the commands it reads from its input",
        ),
        ("--rdb", "writes a copy of the database to a file"),
        ("--functions-rdb", "writes the server's functions to a file"),
        ("--replica", "takes part in replication"),
        ("--slave", "takes part in replication"),
        ("--eval", "runs a script"),
        ("--ldb", "runs a script"),
        ("--ldb-sync-mode", "runs a script"),
        (
            "--cluster", "manages the cluster (fix, reshard, delete nodes)",
        ),
        ("--lru-test", "writes keys to test the cache"),
    ],
};
