//! The MySQL and MariaDB tools: `mysql`, `mysqldump` and `mysqladmin`,
//! their options (including those that read a configuration able to run
//! statements or commands, and `-pPASSWORD`, whose value is only ever
//! joined to it), and the statements `mysql -e` is given.

use super::super::{Judgement, unknown};
use super::sql::{Dialect, reads_only};
use super::{Options, statements, values};
use crate::classify::args::{Parsed, Spec};
use crate::classify::lexer::Word;

/// Options of the MySQL tools that read configuration or load code:
/// named in both tools' specs so an abbreviation finds them.
pub(super) const MYSQL_CONFIG: &[(&str, &str)] = &[
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

pub(super) const MYSQL: Options = Options {
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

pub(super) const MYSQLDUMP: Options = Options {
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
pub(super) fn mysql_config(tool: &str, p: &Parsed) -> Result<(), Judgement> {
    match MYSQL_CONFIG.iter().find(|(o, _)| p.has(&[o])) {
        Some((o, what)) => Err(unknown(format!("`{tool} {o}` {what}"))),
        None => Ok(()),
    }
}

pub(super) fn mysqldump(name: &str, args: &[Word]) -> Judgement {
    let p = MYSQLDUMP.parse(&mysql_words(args, MYSQLDUMP.spec.short_values));
    match MYSQLDUMP
        .check(name, &p)
        .and_then(|()| mysql_config(name, &p))
    {
        Ok(()) => Judgement::Safe,
        Err(j) => j,
    }
}

pub(super) const MYSQLADMIN: Options = Options {
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
pub(super) fn mysqladmin(name: &str, args: &[Word]) -> Judgement {
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
pub(super) fn mysql_words(args: &[Word], values: &str) -> Vec<Word> {
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

pub(super) fn mysql(name: &str, args: &[Word]) -> Judgement {
    let p = MYSQL.parse(&mysql_words(args, MYSQL.spec.short_values));
    if let Err(j) = MYSQL.check(name, &p).and_then(|()| mysql_config(name, &p)) {
        return j;
    }
    statements(name, &values(&p, &["-e", "--execute"]), |s| {
        reads_only(s, Dialect::Mysql)
    })
}
