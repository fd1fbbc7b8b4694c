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

mod mysql;
mod postgres;
mod sql;

use super::{Judgement, destroys, unknown};
use crate::classify::args::{Parsed, Spec, parse};
use crate::classify::lexer::Word;
use mysql::{mysql, mysqladmin, mysqldump};
use postgres::{PG_DUMP, PG_DUMPALL, pg_dump, psql};
use sql::{Dialect, reads_only};

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
