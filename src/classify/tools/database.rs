//! Databases: the clients (`mysql`, `psql`, `redis-cli`, ...) are read-only
//! when every statement they are given inline only reads; statements that
//! delete (`DROP`, `TRUNCATE`, `DELETE FROM`, `FLUSHALL`) are destructive
//! wherever they come from (an argument, a here-document, a pipe), which
//! the walker checks across the pipeline with [`database_statement`].

use super::{Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
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
            } else if !ops.is_empty()
                && ops.iter().all(|o| {
                    matches!(
                        *o,
                        "status"
                            | "processlist"
                            | "variables"
                            | "version"
                            | "ping"
                            | "extended-status"
                    )
                })
            {
                Judgement::Safe
            } else {
                unknown(format!("`{name}` changes the database server"))
            }
        }
        "pg_isready" | "pg_lsclusters" | "pg_config" | "pg_controldata" => Judgement::Safe,
        "pg_dump" | "pg_dumpall" | "mysqldump" | "mariadb-dump" => {
            if args.iter().any(|w| {
                w.text == "-f"
                    || w.text.starts_with("--file")
                    || w.text == "-r"
                    || w.text.starts_with("--result-file")
            }) {
                unknown(format!("`{name} -f` writes the dump to a file"))
            } else {
                Judgement::Safe
            }
        }
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

/// A client: safe when it is given statements inline and all of them read.
fn client(name: &str, args: &[Word]) -> Judgement {
    let inline: Vec<String> = match name {
        "mysql" | "mariadb" => values(
            args,
            Spec::new(
                "euphDPSh",
                &[
                    "execute=", "user=", "password?", "host=", "port=", "database=", "socket=",
                    "defaults-file=", "defaults-extra-file=",
                ],
            ),
            &["-e", "--execute"],
        ),
        "psql" => {
            let p = parse(
                args,
                &Spec::new(
                    "cdfhpUvoLPT",
                    &[
                        "command=", "dbname=", "file=", "host=", "port=", "username=", "set=",
                        "variable=", "output=", "log-file=", "pset=",
                    ],
                ),
            );
            if p.has(&["-l", "--list"]) && !p.has(&["-c", "--command", "-f", "--file"]) {
                return Judgement::Safe;
            }
            if p.has(&["-f", "--file", "-o", "--output", "-L", "--log-file"]) {
                return unknown("`psql -f`/`-o` reads statements from or writes results to a file");
            }
            p.opts
                .iter()
                .filter(|o| o.name == "-c" || o.name == "--command")
                .filter_map(|o| o.value.clone())
                .collect()
        }
        "sqlite3" => {
            let p = parse(
                args,
                &Spec::new("", &["cmd=", "separator=", "newline=", "nullvalue="]),
            );
            p.operands
                .get(1..)
                .map(<[String]>::to_vec)
                .unwrap_or_default()
        }
        "redis-cli" | "valkey-cli" => return redis(name, args),
        "clickhouse-client" | "clickhouse" => values(
            args,
            Spec::new(
                "qhpud",
                &[
                    "query=", "host=", "port=", "user=", "password=", "database=",
                ],
            ),
            &["-q", "--query"],
        ),
        "cqlsh" => values(
            args,
            Spec::new("eukf", &["execute=", "username=", "keyspace=", "file="]),
            &["-e", "--execute"],
        ),
        _ => Vec::new(),
    };
    if args.iter().any(|w| w.dynamic) {
        return unknown(format!("`{name}` has words only known when the shell runs"));
    }
    if inline.is_empty() {
        return unknown(format!("`{name}` runs statements on the database"));
    }
    match inline.iter().find(|s| !reads_only(s)) {
        None => Judgement::Safe,
        Some(s) => unknown(format!(
            "`{name}` runs `{}`, which is not known to only read",
            s.trim()
        )),
    }
}

fn values(args: &[Word], spec: Spec, names: &[&str]) -> Vec<String> {
    let p = parse(args, &spec);
    p.opts
        .iter()
        .filter(|o| names.contains(&o.name.as_str()))
        .filter_map(|o| o.value.clone())
        .collect()
}

/// Every statement in `sql` only reads (`SELECT`, `SHOW`, `EXPLAIN`, `\d`).
fn reads_only(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let side_effects = [
        "into", "for update", "terminate", "cancel", "setval", "nextval", "lo_unlink", "reload",
        "rotate", "switch", "promote", "set_config", "dblink", "pg_file", "pg_write", "sleep",
        "lock", "load_file", "sys_exec", "drop", "delete", "insert", "update", "truncate",
    ];
    lower
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|s| {
            let first = s.split_whitespace().next().unwrap_or("");
            let meta = first.starts_with('\\')
                && !matches!(
                    first,
                    "\\!"
                        | "\\o"
                        | "\\copy"
                        | "\\w"
                        | "\\i"
                        | "\\ir"
                        | "\\g"
                        | "\\gexec"
                        | "\\out"
                        | "\\write"
                );
            (matches!(
                first,
                "select" | "show" | "explain" | "describe" | "desc" | "values"
            ) || meta)
                && !side_effects.iter().any(|w| s.contains(w))
        })
}

fn redis(name: &str, args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "hpsaunrid",
            &[
                "user=", "pass=", "tls", "cacert=", "cert=", "key=", "sni=", "scan", "bigkeys",
                "memkeys", "hotkeys", "stat", "latency", "latency-history", "pattern=", "count=",
                "no-auth-warning", "raw", "no-raw", "csv", "json", "quoted-input", "askpass",
                "cluster?", "help", "version",
            ],
        ),
    );
    if p.dynamic {
        return unknown(format!("`{name}` has words only known when the shell runs"));
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
            "--scan", "--bigkeys", "--memkeys", "--hotkeys", "--stat", "--latency",
            "--latency-history", "-v", "--version", "--help",
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
