//! The destructive-command rules: one command name and its arguments in,
//! the rules that match out. Storage tools (disks, RAID, volumes, pools) are
//! in [`storage`], the rest (files, power, services, databases) in
//! [`system`]; helpers shared by both and the data-flow rules are here.
//!
//! Rules are grouped by family and each has a stable id (`disk.mkfs`,
//! `raid.mdadm`, ...). Where a tool is mostly read-only, only its writing
//! subcommands are listed; where it is mostly writing (partition editors),
//! only its read-only forms are let through.

mod storage;
mod system;

use super::lexer::Word;

pub(super) type Hit = (&'static str, String);

pub(super) fn has(args: &[Word], any: &[&str]) -> Option<String> {
    args.iter()
        .map(|w| w.text.as_str())
        .find(|t| {
            any.iter()
                .any(|a| t == a || (a.starts_with("--") && t.starts_with(&format!("{a}="))))
        })
        .map(str::to_string)
}

/// Short flags combined in one word: `-rf` has `r` and `f`.
pub(super) fn has_short(args: &[Word], letters: &str) -> Option<String> {
    args.iter()
        .map(|w| w.text.as_str())
        .take_while(|t| *t != "--")
        .find(|t| {
            t.starts_with('-')
                && !t.starts_with("--")
                && t[1..].chars().any(|c| letters.contains(c))
        })
        .map(str::to_string)
}

/// The first argument that is not an option: a subcommand.
pub(super) fn operands(args: &[Word]) -> Vec<&str> {
    args.iter()
        .map(|w| w.text.as_str())
        .filter(|t| !t.starts_with('-'))
        .collect()
}

pub fn check(name: &str, args: &[Word]) -> Vec<Hit> {
    let mut hits = storage::check(name, args);
    hits.extend(system::check(name, args));
    hits
}

/// `/etc/init.d/NAME stop`: the path matters, not just its last part.
pub fn init_script(path: &str, args: &[Word]) -> Option<Hit> {
    let name = path
        .strip_prefix("/etc/init.d/")
        .or_else(|| path.strip_prefix("/etc/rc.d/init.d/"))?;
    let action = args.first()?.text.as_str();
    matches!(
        action,
        "stop" | "restart" | "force-reload" | "force-stop" | "try-restart"
    )
    .then(|| {
        (
            "service.stop",
            format!("`{name} {action}` stops or restarts the service"),
        )
    })
}

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
                | "user" | "role" | "owned"),
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

/// Why writing to `path` destroys data, if it is a block device (or the
/// kernel's sysrq trigger).
pub fn device_target(path: &str) -> Option<String> {
    let dev = path.strip_prefix("/dev/")?;
    let harmless = [
        "null", "zero", "stdout", "stderr", "stdin", "tty", "console", "full", "random", "urandom",
        "kmsg", "ptmx",
    ];
    if harmless.contains(&dev)
        || dev.starts_with("fd/")
        || dev.starts_with("pts/")
        || dev.starts_with("tty")
        || dev.starts_with("shm/")
    {
        return None;
    }
    Some(format!("writing to `{path}` overwrites the device"))
}
