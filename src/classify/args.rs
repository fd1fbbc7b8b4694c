//! A command's arguments read the way its own option parser reads them.
//!
//! Most tools parse with getopt: short flags bundle (`-Ss` is `-S -s`),
//! a flag that takes a value eats the rest of its word or the next word
//! (`-p mail`, `-pmail`), long options take `--name=value` or the next word
//! and may be abbreviated to any unambiguous prefix (`--zero` is
//! `--zero-superblock` to mdadm), and GNU tools keep reading options after
//! operands until `--`. Judging a tool by word matching gets every one of
//! those wrong in the unsafe direction (`rbd -p mail rm img`: the
//! subcommand is `rm`, not `mail`), so each judged tool declares its
//! options in a [`Spec`] and reads its arguments through [`parse`].
//!
//! Options the spec does not know are kept as [`Parsed::strange`]: a tool
//! judged safe only by its known read-only options is not safe with one it
//! cannot read.

use super::lexer::Word;

/// How a tool parses its arguments.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Short options that take a value (`"pnC"`).
    pub short_values: &'static str,
    /// Every long option the tool has, without dashes; a trailing `=`
    /// marks those that take a value (`"pool="`), a trailing `?` those whose
    /// value is optional and only given as `--name=value`.
    pub long: &'static [&'static str],
    /// Options stop at the first operand (POSIX, and every tool whose
    /// operands are a command line of their own).
    pub posix: bool,
    /// Long options may also be written with one dash (`-name value`, as
    /// `find`, `ceph-deploy` and Java tools do): off for getopt tools.
    pub single_dash_long: bool,
}

impl Spec {
    pub const fn new(short_values: &'static str, long: &'static [&'static str]) -> Spec {
        Spec {
            short_values,
            long,
            posix: false,
            single_dash_long: false,
        }
    }

    pub const fn posix(mut self) -> Spec {
        self.posix = true;
        self
    }
}

/// One option as parsed: its canonical name (`-C`, or `--create` with the
/// abbreviation resolved) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opt {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub opts: Vec<Opt>,
    pub operands: Vec<String>,
    /// Long options the spec does not have (or an ambiguous prefix), as
    /// written.
    pub strange: Vec<String>,
    /// A word is only known when the shell runs (`$OPTS`): it may be any
    /// option.
    pub dynamic: bool,
    /// Index in the original words of each operand, for wrappers.
    pub operand_at: Vec<usize>,
}

impl Parsed {
    /// The first option among `names` (`-S`, `--stop`), if given.
    pub fn get(&self, names: &[&str]) -> Option<&Opt> {
        self.opts.iter().find(|o| names.contains(&o.name.as_str()))
    }

    pub fn has(&self, names: &[&str]) -> bool {
        self.get(names).is_some()
    }

    /// The value of the last of `names` given.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|o| names.contains(&o.name.as_str()))
            .and_then(|o| o.value.as_deref())
    }

    /// Every option is one of `allowed` (the read-only ones), no option is
    /// strange and no word is only known at run time.
    pub fn only(&self, allowed: &[&str]) -> bool {
        !self.dynamic
            && self.strange.is_empty()
            && self.opts.iter().all(|o| allowed.contains(&o.name.as_str()))
    }

    /// The options given that are not among `allowed`, for a message.
    pub fn others(&self, allowed: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = self
            .opts
            .iter()
            .filter(|o| !allowed.contains(&o.name.as_str()))
            .map(|o| o.name.clone())
            .collect();
        out.extend(self.strange.iter().cloned());
        out.dedup();
        out
    }

    pub fn operand(&self, n: usize) -> &str {
        self.operands.get(n).map_or("", String::as_str)
    }
}

/// A word only known when the shell runs that may turn out to be an
/// option: one that starts with an expansion or a glob (`$OPTS`, `"$x"`,
/// `*`), or an option with an expansion in it (`-$F`). `/dev/$d` cannot.
pub fn may_be_option(w: &Word) -> bool {
    !w.fixed()
        && matches!(
            w.text.chars().next(),
            Some('$' | '`' | '*' | '?' | '[' | '-')
        )
}

/// The long option `name` (without dashes) resolves to, as getopt_long
/// does: an exact name, else the only one it is a prefix of.
fn resolve_long<'s>(spec: &'s Spec, name: &str) -> Option<&'s str> {
    let bare = |l: &'s str| l.trim_end_matches(['=', '?']);
    if let Some(l) = spec.long.iter().find(|l| bare(l) == name) {
        return Some(l);
    }
    let mut found = spec.long.iter().filter(|l| bare(l).starts_with(name));
    match (found.next(), found.next()) {
        (Some(l), None) if !name.is_empty() => Some(l),
        _ => None,
    }
}

/// Read `args` by `spec`.
pub fn parse(args: &[Word], spec: &Spec) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 0;
    let mut options_done = false;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if !options_done && may_be_option(w) {
            p.dynamic = true;
        }
        if options_done || t == "-" || !t.starts_with('-') {
            p.operands.push(t.to_string());
            p.operand_at.push(i);
            if spec.posix {
                options_done = true;
            }
            i += 1;
            continue;
        }
        if t == "--" {
            options_done = true;
            i += 1;
            continue;
        }
        if let Some(body) = t.strip_prefix("--") {
            i += long_opt(args, i, body, spec, &mut p);
            continue;
        }
        if spec.single_dash_long
            && t.len() > 2
            && resolve_long(spec, t[1..].split('=').next().unwrap_or("")).is_some()
        {
            i += long_opt(args, i, &t[1..], spec, &mut p);
            continue;
        }
        // -abc: flags, until one that takes a value eats the rest.
        let letters: Vec<char> = t[1..].chars().collect();
        let mut used_next = false;
        for (k, &c) in letters.iter().enumerate() {
            if spec.short_values.contains(c) {
                let rest: String = letters[k + 1..].iter().collect();
                let value = if rest.is_empty() {
                    used_next = true;
                    args.get(i + 1).map(|w| {
                        p.dynamic |= w.dynamic;
                        w.text.clone()
                    })
                } else {
                    Some(rest)
                };
                p.opts.push(Opt {
                    name: format!("-{c}"),
                    value,
                });
                break;
            }
            p.opts.push(Opt {
                name: format!("-{c}"),
                value: None,
            });
        }
        i += 1 + usize::from(used_next);
    }
    p
}

/// `--name`, `--name=value`, `--name value`; returns the words used.
fn long_opt(args: &[Word], i: usize, body: &str, spec: &Spec, p: &mut Parsed) -> usize {
    let (name, inline) = match body.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (body, None),
    };
    let Some(full) = resolve_long(spec, name) else {
        p.strange.push(format!("--{name}"));
        p.opts.push(Opt {
            name: format!("--{name}"),
            value: inline,
        });
        return 1;
    };
    let canonical = format!("--{}", full.trim_end_matches(['=', '?']));
    if full.ends_with('=') && inline.is_none() {
        let value = args.get(i + 1).map(|w| {
            p.dynamic |= w.dynamic;
            w.text.clone()
        });
        p.opts.push(Opt {
            name: canonical,
            value,
        });
        return 2;
    }
    p.opts.push(Opt {
        name: canonical,
        value: inline,
    });
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::lexer::lex_words;

    const MDADM: Spec = Spec::new("lnxc", &["create", "level=", "zero-superblock", "detail"]);

    #[test]
    fn bundled_flags_and_values() {
        let p = parse(&lex_words("-Cv /dev/md0 -l1 -n 2"), &MDADM);
        let names: Vec<&str> = p.opts.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["-C", "-v", "-l", "-n"]);
        assert_eq!(p.opts[2].value.as_deref(), Some("1"));
        assert_eq!(p.opts[3].value.as_deref(), Some("2"));
        assert_eq!(p.operands, ["/dev/md0"]);
    }

    #[test]
    fn long_options_abbreviated_and_with_values() {
        let p = parse(&lex_words("--zero /dev/sdb --lev=5 --det --lev 6"), &MDADM);
        let names: Vec<&str> = p.opts.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            ["--zero-superblock", "--level", "--detail", "--level"]
        );
        assert_eq!(p.value(&["--level"]), Some("6"));
        assert!(p.strange.is_empty());
        // Ambiguous or unknown: kept as strange.
        let p = parse(
            &lex_words("--de --frobnicate"),
            &Spec::new("", &["detail", "delete"]),
        );
        assert_eq!(p.strange, ["--de", "--frobnicate"]);
    }

    #[test]
    fn gnu_permutes_posix_stops() {
        let p = parse(&lex_words("a -x b -- -c"), &Spec::new("", &[]));
        assert_eq!(p.operands, ["a", "b", "-c"]);
        assert_eq!(p.opts.len(), 1);
        let p = parse(&lex_words("a -x b"), &Spec::new("", &[]).posix());
        assert_eq!(p.operands, ["a", "-x", "b"]);
        assert_eq!(p.operand_at, [0, 1, 2]);
    }

    #[test]
    fn words_known_only_at_run_time() {
        let p = parse(&lex_words("$OPTS file"), &Spec::new("", &[]));
        assert!(p.dynamic);
        assert!(!p.only(&[]));
        let p = parse(&lex_words("-o \"$OUT\""), &Spec::new("o", &[]));
        assert!(p.dynamic);
    }
}
