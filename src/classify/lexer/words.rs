//! Words: quoting, `$'...'`, expansions and the substitutions inside
//! them, and brace expansion into the words bash makes of one.

use super::expand::{self, Q};
use super::{LexError, Lexer, Raw, Word, push_str};

impl Lexer {
    /// A redirection's target or a here-document's delimiter: one word,
    /// whatever braces it holds (bash does not expand them there).
    pub(super) fn single_word(&mut self) -> Result<Word, LexError> {
        let raw = self.raw_word()?;
        Ok(finish(&raw))
    }

    /// The next word, brace-expanded into the words bash makes of it.
    pub(super) fn word(&mut self) -> Result<Vec<Word>, LexError> {
        let raw = self.raw_word()?;
        Ok(match expand::braces(&raw) {
            Some(words) => words
                .iter()
                // An unquoted word that expands to nothing is no word.
                .filter(|w| !w.is_empty())
                .map(|w| finish(w))
                .collect(),
            None => {
                let mut w = finish(&raw);
                w.dynamic = true;
                vec![w]
            }
        })
    }

    fn raw_word(&mut self) -> Result<Raw, LexError> {
        let mut w: Raw = Vec::new();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' | ';' | '&' => break,
                '|' | '(' | ')' | '<' | '>' if !self.dbracket => {
                    // `name=(a b)`: an array assignment, one word.
                    if c == '(' && array_assignment(&w) {
                        let start = self.i;
                        let body = self.balanced()?;
                        let subs = substitutions_in(&body, self.nesting, self.posix)?;
                        let q = if subs.is_empty() && !body.contains(['$', '`']) {
                            Q::Quoted
                        } else {
                            Q::Dyn
                        };
                        self.out.subs.extend(subs);
                        w.extend(self.chars[start..self.i].iter().map(|&c| (c, q)));
                        continue;
                    }
                    break;
                }
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(n) => w.push((n, Q::Quoted)),
                        None => return Err(LexError::LoneBackslash),
                    }
                    self.i += 2;
                }
                '\'' => {
                    self.i += 1;
                    let start = self.i;
                    while self.peek(0).is_some_and(|c| c != '\'') {
                        self.i += 1;
                    }
                    if self.peek(0).is_none() {
                        return Err(LexError::Unclosed("a single quote"));
                    }
                    w.extend(self.chars[start..self.i].iter().map(|&c| (c, Q::Quoted)));
                    // An empty '' still makes a word.
                    if start == self.i {
                        w.push(('\0', Q::Quoted));
                    }
                    self.i += 1;
                }
                '"' => {
                    self.i += 1;
                    let before = w.len();
                    self.double_quoted(&mut w)?;
                    if w.len() == before {
                        w.push(('\0', Q::Quoted));
                    }
                }
                '$' if self.peek(1) == Some('"') && !self.posix => {
                    // $"...": a translated string, read as "...".
                    self.i += 2;
                    let before = w.len();
                    self.double_quoted(&mut w)?;
                    if w.len() == before {
                        w.push(('\0', Q::Quoted));
                    }
                }
                '$' if self.peek(1) == Some('\'') && !self.posix => {
                    self.i += 2;
                    let start = self.i;
                    while let Some(c) = self.peek(0) {
                        match c {
                            '\\' => self.i += 2,
                            '\'' => break,
                            _ => self.i += 1,
                        }
                    }
                    if self.peek(0) != Some('\'') {
                        return Err(LexError::Unclosed("a `$'` quote"));
                    }
                    let text = expand::ansi_c(&self.chars[start..self.i]);
                    push_str(&mut w, &text, Q::Quoted);
                    if text.is_empty() {
                        w.push(('\0', Q::Quoted));
                    }
                    self.i += 1;
                }
                '$' | '`' => self.expansion(&mut w)?,
                _ => {
                    w.push((c, Q::Lit));
                    self.i += 1;
                }
            }
        }
        Ok(w)
    }

    fn double_quoted(&mut self, w: &mut Raw) -> Result<(), LexError> {
        loop {
            match self.peek(0) {
                None => return Err(LexError::Unclosed("a double quote")),
                Some('"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some('\\') if matches!(self.peek(1), Some('$' | '`' | '"' | '\\' | '\n')) => {
                    if let Some(c) = self.peek(1).filter(|&c| c != '\n') {
                        w.push((c, Q::Quoted));
                    }
                    self.i += 2;
                }
                Some('$' | '`') => self.expansion(w)?,
                Some(c) => {
                    w.push((c, Q::Quoted));
                    self.i += 1;
                }
            }
        }
    }

    /// `$name`, `${...}`, `$((...))`, `$[...]`, `$(...)`, `` `...` ``: kept
    /// as written, marked dynamic; every substitution inside is a script.
    fn expansion(&mut self, w: &mut Raw) -> Result<(), LexError> {
        let start = self.i;
        if self.peek(0) == Some('`') {
            self.i += 1;
            let body_start = self.i;
            while self.peek(0).is_some_and(|c| c != '`') {
                if self.peek(0) == Some('\\') {
                    self.i += 1;
                }
                self.i += 1;
            }
            if self.peek(0).is_none() {
                return Err(LexError::Unclosed("a backtick"));
            }
            let body: String = self.chars[body_start..self.i].iter().collect();
            self.i += 1;
            self.out
                .subs
                .push(body.replace("\\`", "`").replace("\\\\", "\\"));
        } else {
            match self.peek(1) {
                Some('(') if self.peek(2) == Some('(') => {
                    self.i += 1;
                    let body = self.balanced()?;
                    // `$((1+2))`, or `$((cmd) | x)`: a command substitution
                    // that starts with a subshell.
                    let arith = body
                        .strip_prefix('(')
                        .and_then(|b| b.strip_suffix(')'))
                        .filter(|b| parens_balance(b));
                    match arith {
                        Some(arith) => self
                            .out
                            .subs
                            .extend(substitutions_in(arith, self.nesting, self.posix)?),
                        None => self.out.subs.push(body),
                    }
                }
                Some('(') => {
                    self.i += 1;
                    let body = self.balanced()?;
                    self.out.subs.push(body);
                }
                // `${ cmd; }` and `${| cmd; }`: a command substitution to
                // bash 5.3 and ksh, an error to older bash. Not read.
                Some('{') if matches!(self.peek(2), Some(' ' | '\t' | '\n' | '|')) => {
                    return Err(LexError::NotRead(
                        "`${ ...; }` runs commands in some shells; not read",
                    ));
                }
                Some('{') => {
                    self.i += 2;
                    // Its substitutions are found while it is read.
                    self.braced()?;
                }
                Some('[') => {
                    self.i += 2;
                    let body_start = self.i;
                    let mut depth = 1;
                    while depth > 0 {
                        match self.peek(0) {
                            None => return Err(LexError::Unclosed("a `$[`")),
                            Some('[') => depth += 1,
                            Some(']') => depth -= 1,
                            _ => {}
                        }
                        self.i += 1;
                    }
                    let body: String = self.chars[body_start..self.i - 1].iter().collect();
                    self.out
                        .subs
                        .extend(substitutions_in(&body, self.nesting, self.posix)?);
                }
                Some(c) if c.is_ascii_alphanumeric() || "_@*#?$!-".contains(c) => {
                    self.i += 2;
                    if c.is_ascii_alphabetic() || c == '_' {
                        while self
                            .peek(0)
                            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                        {
                            self.i += 1;
                        }
                    }
                }
                _ => {
                    // A lone `$` is a literal dollar sign.
                    w.push(('$', Q::Quoted));
                    self.i += 1;
                    return Ok(());
                }
            }
        }
        let text: String = self.chars[start..self.i].iter().collect();
        push_str(w, &text, Q::Dyn);
        Ok(())
    }

    /// After `${`: the text up to its `}`, across nested `${...}`, `$(...)`,
    /// backticks and quotes.
    fn braced(&mut self) -> Result<String, LexError> {
        self.deeper()?;
        let start = self.i;
        loop {
            match self.peek(0) {
                None => return Err(LexError::Unclosed("a `${`")),
                Some('}') => break,
                Some('\\') => self.i += 2,
                Some('\'') => {
                    self.i += 1;
                    let quoted = self.i;
                    while self.peek(0).is_some_and(|c| c != '\'') {
                        self.i += 1;
                    }
                    if self.peek(0).is_none() {
                        return Err(LexError::Unclosed("a single quote"));
                    }
                    // Inside double quotes, an array subscript or an offset,
                    // bash does not take these quotes as quoting: what they
                    // hold may run (`"${x:-'$(cmd)'}"`).
                    let text: String = self.chars[quoted..self.i].iter().collect();
                    self.out
                        .subs
                        .extend(substitutions_in(&text, self.nesting, self.posix)?);
                    self.i += 1;
                }
                Some('"') => {
                    self.i += 1;
                    let mut scratch = Vec::new();
                    self.double_quoted(&mut scratch)?;
                }
                Some('$' | '`') => {
                    // Nested: its own substitutions are scripts too.
                    let mut scratch = Vec::new();
                    self.expansion(&mut scratch)?;
                }
                Some(_) => self.i += 1,
            }
        }
        let body: String = self.chars[start..self.i].iter().collect();
        self.i += 1;
        self.nesting -= 1;
        Ok(body)
    }

    /// At `(`: the text up to the matching `)`, quotes respected.
    pub(super) fn balanced(&mut self) -> Result<String, LexError> {
        self.i += 1;
        let start = self.i;
        let mut depth = 1;
        while depth > 0 {
            match self.peek(0) {
                None => return Err(LexError::Unclosed("a `(`")),
                Some('(') => depth += 1,
                Some(')') => depth -= 1,
                Some('\\') => self.i += 1,
                Some(q @ ('\'' | '"' | '`')) => {
                    self.i += 1;
                    while self.peek(0).is_some_and(|c| c != q) {
                        if q != '\'' && self.peek(0) == Some('\\') {
                            self.i += 1;
                        }
                        self.i += 1;
                    }
                    if self.peek(0).is_none() {
                        return Err(LexError::Unclosed("a quote"));
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        let body: String = self.chars[start..self.i - 1].iter().collect();
        // A `case` pattern's `)` would end the body here while the shell
        // reads on: `$(case x in x) cmd;; esac)`.
        if body
            .split(|c: char| c.is_whitespace() || ";&|()".contains(c))
            .any(|w| w == "case")
        {
            return Err(LexError::NotRead(
                "a `case` inside `$(...)` or `<(...)` is not read",
            ));
        }
        Ok(body)
    }
}

/// Every `(` in `s` is closed, and no `)` comes first.
fn parens_balance(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// The word bash makes of `raw`.
pub(super) fn finish(raw: &[(char, Q)]) -> Word {
    let text: String = raw.iter().map(|&(c, _)| c).filter(|&c| c != '\0').collect();
    let lit = |c: char| raw.iter().any(|&(x, q)| x == c && q == Q::Lit);
    let glob = lit('*')
        || lit('?')
        || raw
            .iter()
            .position(|&(c, q)| c == '[' && q == Q::Lit)
            .is_some_and(|open| {
                raw[open + 1..]
                    .iter()
                    .any(|&(c, q)| c == ']' && q == Q::Lit)
            });
    // `$(` or a backtick the shell kept as text.
    let kept = |&(c, q): &(char, Q)| q != Q::Dyn && (c == '`' || c == '$' || c == '(');
    let holds_code = raw
        .windows(2)
        .any(|p| kept(&p[0]) && kept(&p[1]) && p[0].0 == '$' && p[1].0 == '(')
        || raw.iter().any(|&(c, q)| c == '`' && q != Q::Dyn);
    Word {
        text,
        dynamic: raw.iter().any(|&(_, q)| q == Q::Dyn),
        quoted: raw.iter().any(|&(_, q)| q == Q::Quoted),
        glob,
        holds_code,
    }
}

/// The `$(...)` and backtick scripts inside a here-document body, `${...}`
/// or `$((...))`.
pub(super) fn substitutions_in(
    body: &str,
    nesting: usize,
    posix: bool,
) -> Result<Vec<String>, LexError> {
    let mut l = Lexer::new(body);
    l.nesting = nesting;
    l.posix = posix;
    l.deeper()?;
    let mut scratch = Vec::new();
    while let Some(c) = l.peek(0) {
        match c {
            '\\' => l.i += 2,
            '$' | '`' => l.expansion(&mut scratch)?,
            _ => l.i += 1,
        }
    }
    Ok(l.out.subs)
}

/// The word so far is `name=` or `name+=`: a `(` makes it an array.
fn array_assignment(w: &[(char, Q)]) -> bool {
    let text: String = w.iter().map(|&(c, _)| c).collect();
    let Some(name) = text.strip_suffix('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && w.iter().all(|&(_, q)| q == Q::Lit)
}
