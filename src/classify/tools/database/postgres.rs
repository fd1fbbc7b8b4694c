//! PostgreSQL's tools: `psql` (its options, the `\` commands it runs, and
//! the statements it is given), `pg_dump` and `pg_dumpall` (to stdout
//! only), and the libpq connection strings they take, which may carry
//! options that change what the server does.

use super::super::{Judgement, unknown};
use super::sql::{Dialect, reads_only};
use super::{Options, statements, values};
use crate::classify::args::{Parsed, Spec};
use crate::classify::lexer::Word;

pub(super) const PG_DUMP: Options = Options {
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
pub(super) fn pg_dump(tool: &str, options: &Options, args: &[Word]) -> Judgement {
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
pub(super) const LIBPQ_KEYS: &[&str] = &[
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
pub(super) fn libpq_targets(tool: &str, p: &Parsed) -> Result<(), Judgement> {
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

pub(super) const PG_DUMPALL: Options = Options {
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

pub(super) const PSQL: Options = Options {
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
pub(super) const PSQL_VARIABLES: &[&str] = &[
    "ON_ERROR_STOP", "QUIET", "VERBOSITY", "SHOW_CONTEXT", "FETCH_COUNT", "ECHO",
];

/// `\pset` settings that only format (not `pager`).
pub(super) const PSQL_PSET: &[&str] = &[
    "format", "border", "expanded", "fieldsep", "fieldsep_zero", "footer", "null", "numericlocale",
    "recordsep", "recordsep_zero", "tuples_only", "title", "tableattr", "csv_fieldsep",
    "linestyle", "unicode_border_linestyle", "unicode_column_linestyle",
    "unicode_header_linestyle", "columns", "xheader_width",
];

/// psql backslash commands that only read, besides the `\d` family.
pub(super) const PSQL_META: &[&str] = &[
    "l", "l+", "list", "list+", "z", "x", "conninfo", "q", "quit", "?", "h", "help", "sf", "sf+",
    "sv", "sv+", "lo_list", "copyright", "errverbose", "timing", "echo",
];

/// A backslash command line for psql (`\dt+`, `\l`): every command in it
/// only reads, and no backquoted text runs in a shell.
pub(super) fn psql_meta_reads(text: &str) -> bool {
    !text.contains('`')
        && text.split('\\').skip(1).all(|cmd| {
            let name = cmd.split_whitespace().next().unwrap_or("");
            name.starts_with('d') || PSQL_META.contains(&name)
        })
}

pub(super) fn psql(args: &[Word]) -> Judgement {
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
