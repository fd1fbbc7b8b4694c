//! Reading SQL text as the databases read it, just enough to say whether
//! a statement only reads: its tokens (strings, quoted names, comments),
//! its first word, the words that change data, and every function it
//! calls, which must be on a list of read-only ones. Text the databases
//! read differently (a backslash, `$$`, `#`, block comments) is not known.

/// What a SQL text is read as where the databases differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// The mysql client ends a statement at `\G` as well as `;`.
    Mysql,
    Other,
}

/// A SQL token: a word (lower-cased), a quoted name (as written), a
/// string or number, or a sign.
#[derive(Debug, PartialEq)]
pub(super) enum Tok {
    Word(String),
    Quoted(String),
    Value,
    Sign(char),
}

/// `sql` as statements of tokens, or `None` where it holds what the
/// databases do not read alike: a backslash, `$`, `#`, `/*`, `--` without
/// a blank after it, a string left open.
pub(super) fn sql_tokens(sql: &str, dialect: Dialect) -> Option<Vec<Vec<Tok>>> {
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
pub(super) const SQL_READS: &[&str] = &[
    "select", "show", "explain", "table", "values", "with", "describe", "desc",
];

/// Words that make any statement write, lock or run what it names: `INTO`
/// (`SELECT INTO`, `INTO OUTFILE`), `FOR UPDATE`, a data-changing `WITH`,
/// `EXPLAIN ANALYZE`.
pub(super) const SQL_CHANGES: &[&str] = &[
    "into", "insert", "update", "delete", "merge", "upsert", "drop", "truncate", "alter", "create",
    "grant", "revoke", "copy", "call", "lock", "share", "analyze", "analyse", "vacuum", "reindex",
    "refresh", "load", "handler", "rename", "outfile", "dumpfile",
];

/// Keywords a `(` may follow that are not function calls.
pub(super) const SQL_BEFORE_PAREN: &[&str] = &[
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
pub(super) const SQL_FUNCTIONS: &[&str] = &[
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
pub(super) fn reads_only(sql: &str, dialect: Dialect) -> bool {
    let Some(statements) = sql_tokens(sql, dialect) else {
        return false;
    };
    statements
        .iter()
        .filter(|s| !s.is_empty())
        .all(|s| statement_reads(s))
}

pub(super) fn sql_word(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

pub(super) fn statement_reads(toks: &[Tok]) -> bool {
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
