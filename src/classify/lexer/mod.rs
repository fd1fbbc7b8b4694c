//! Shell words, operators and redirections, as a POSIX shell reads them.
//!
//! Just enough of the shell grammar to find every place a command can
//! start: quoting decides what is data, operators separate commands, and the
//! bodies of `$(...)`, backticks, `<(...)`, `>(...)` and here-documents are
//! kept as scripts of their own (they run, wherever they stand, even inside
//! double quotes). The lexer never guesses: input it cannot read whole is
//! an error, and the classifier treats that as destructive.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed.
    pub text: String,
    /// Part of the word is only known when the shell runs (`$x`, `$(...)`).
    pub dynamic: bool,
    /// Any part of the word was quoted or escaped.
    pub quoted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `;`, `&`, newline, `;;`: the next word starts a command.
    End,
    And,
    Or,
    /// `|` or `|&`: the next word starts a command in the same pipeline.
    Pipe,
    Open,
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    Word(Word),
    Op(Op),
    /// A redirection that writes (`>`, `>>`, `>|`, `&>`, `<>`) or reads
    /// (`<`), and its target; `>&2` has no file target and is left out.
    Redirect {
        write: bool,
        target: Word,
    },
    /// A here-document or here-string: text fed to the command's stdin.
    Input(String),
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lexed {
    pub toks: Vec<Tok>,
    /// Scripts run by substitutions, wherever they appeared.
    pub subs: Vec<String>,
}

pub fn lex(src: &str) -> Result<Lexed, String> {
    let mut l = Lexer {
        chars: src.chars().collect(),
        i: 0,
        out: Lexed::default(),
        heredocs: Vec::new(),
    };
    l.run()?;
    Ok(l.out)
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    out: Lexed,
    /// Here-document delimiters waiting for the end of the line: (delimiter,
    /// strip tabs, body expands substitutions, index of its `Input` token).
    heredocs: Vec<(String, bool, bool, usize)>,
}

impl Lexer {
    fn peek(&self, n: usize) -> Option<char> {
        self.chars.get(self.i + n).copied()
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => self.i += 1,
                '\\' if self.peek(1) == Some('\n') => self.i += 2,
                '\n' => {
                    self.i += 1;
                    self.op(Op::End);
                    self.read_heredocs()?;
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                '&' if self.peek(1) == Some('>') => self.redirect()?,
                ';' | '&' | '|' | '(' | ')' => self.operator(c),
                '<' | '>' if self.peek(1) == Some('(') => {
                    self.i += 1;
                    let body = self.balanced()?;
                    self.out.subs.push(body);
                }
                '<' | '>' => self.redirect()?,
                c if c.is_ascii_digit() && self.fd_redirect() => self.redirect()?,
                _ => {
                    let w = self.word()?;
                    self.out.toks.push(Tok::Word(w));
                }
            }
        }
        if let Some((delim, ..)) = self.heredocs.first() {
            return Err(format!("here-document is missing its end line `{delim}`"));
        }
        Ok(())
    }

    fn op(&mut self, op: Op) {
        self.out.toks.push(Tok::Op(op));
    }

    fn operator(&mut self, c: char) {
        let next = self.peek(1);
        let (op, len) = match (c, next) {
            ('&', Some('&')) => (Op::And, 2),
            ('|', Some('|')) => (Op::Or, 2),
            ('|', Some('&')) => (Op::Pipe, 2),
            ('|', _) => (Op::Pipe, 1),
            (';', Some(';')) => (Op::End, 2),
            ('(', _) => (Op::Open, 1),
            (')', _) => (Op::Close, 1),
            _ => (Op::End, 1),
        };
        self.i += len;
        self.op(op);
    }

    /// `2>file`, `10>&1`: digits directly followed by a redirection.
    fn fd_redirect(&self) -> bool {
        let mut j = self.i;
        while self.chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        matches!(self.chars.get(j), Some('<' | '>'))
    }

    fn redirect(&mut self) -> Result<(), String> {
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let mut op = String::new();
        while let Some(c @ ('>' | '<' | '&' | '|' | '-')) = self.peek(0) {
            if op.len() >= 3
                || (c == '-' && op != "<<")
                || (c == '&' && !op.is_empty() && op.ends_with('&'))
            {
                break;
            }
            op.push(c);
            self.i += 1;
        }
        while matches!(self.peek(0), Some(' ' | '\t')) {
            self.i += 1;
        }
        if op == "<<" || op == "<<-" {
            let w = self.word()?;
            let expands = !w.quoted;
            // The body comes after the end of the line; keep its place with
            // the command that reads it.
            self.heredocs
                .push((w.text, op == "<<-", expands, self.out.toks.len()));
            self.out.toks.push(Tok::Input(String::new()));
            return Ok(());
        }
        let target = self.word()?;
        if op == "<<<" {
            self.out.toks.push(Tok::Input(target.text));
            return Ok(());
        }
        // `>&2`, `2>&1`, `<&0`: duplicating a descriptor, not a file.
        let dup = op.ends_with('&') && target.text.chars().all(|c| c.is_ascii_digit() || c == '-');
        if !dup {
            let write = op.contains('>');
            self.out.toks.push(Tok::Redirect { write, target });
        }
        Ok(())
    }

    fn read_heredocs(&mut self) -> Result<(), String> {
        for (delim, strip, expands, at) in std::mem::take(&mut self.heredocs) {
            let mut body = String::new();
            loop {
                if self.i >= self.chars.len() {
                    return Err(format!("here-document is missing its end line `{delim}`"));
                }
                let start = self.i;
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                let line: String = self.chars[start..self.i].iter().collect();
                self.i += 1;
                let line = if strip {
                    line.trim_start_matches('\t').to_string()
                } else {
                    line
                };
                if line == delim {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if expands {
                self.out.subs.extend(substitutions_in(&body)?);
            }
            self.out.toks[at] = Tok::Input(body);
        }
        Ok(())
    }

    fn word(&mut self) -> Result<Word, String> {
        let mut w = Word {
            text: String::new(),
            dynamic: false,
            quoted: false,
        };
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\\' => {
                    w.quoted = true;
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(n) => w.text.push(n),
                        None => return Err("the line ends in a lone backslash".into()),
                    }
                    self.i += 2;
                }
                '\'' => {
                    w.quoted = true;
                    self.i += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err("a single quote is never closed".into()),
                            Some('\'') => break,
                            Some(c) => w.text.push(c),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                }
                '"' => {
                    w.quoted = true;
                    self.i += 1;
                    self.double_quoted(&mut w)?;
                }
                '$' | '`' => self.expansion(&mut w)?,
                _ => {
                    w.text.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(w)
    }

    fn double_quoted(&mut self, w: &mut Word) -> Result<(), String> {
        loop {
            match self.peek(0) {
                None => return Err("a double quote is never closed".into()),
                Some('"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some('\\') if matches!(self.peek(1), Some('$' | '`' | '"' | '\\' | '\n')) => {
                    if self.peek(1) != Some('\n') {
                        w.text.push(self.peek(1).unwrap_or_default());
                    }
                    self.i += 2;
                }
                Some('$' | '`') => self.expansion(w)?,
                Some(c) => {
                    w.text.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// `$name`, `${...}`, `$((...))`, `$(...)`, `` `...` ``, `$'...'`.
    fn expansion(&mut self, w: &mut Word) -> Result<(), String> {
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
                return Err("a backtick is never closed".into());
            }
            let body: String = self.chars[body_start..self.i].iter().collect();
            self.i += 1;
            self.out.subs.push(body.replace("\\`", "`"));
        } else {
            match self.peek(1) {
                Some('(') if self.peek(2) == Some('(') => {
                    self.i += 1;
                    self.balanced()?;
                }
                Some('(') => {
                    self.i += 1;
                    let body = self.balanced()?;
                    self.out.subs.push(body);
                }
                Some('{') => {
                    self.i += 2;
                    let mut depth = 1;
                    while depth > 0 {
                        match self.peek(0) {
                            None => return Err("a `${` is never closed".into()),
                            Some('{') => depth += 1,
                            Some('}') => depth -= 1,
                            _ => {}
                        }
                        self.i += 1;
                    }
                }
                Some('\'') => {
                    // $'...': C-style escapes; `\'` does not end it.
                    self.i += 2;
                    loop {
                        match self.peek(0) {
                            None => return Err("a `$'` quote is never closed".into()),
                            Some('\'') => break,
                            Some('\\') => {
                                w.text.push(self.peek(1).unwrap_or('\\'));
                                self.i += 1;
                            }
                            Some(c) => w.text.push(c),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    w.quoted = true;
                    return Ok(());
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
                    w.text.push('$');
                    self.i += 1;
                    return Ok(());
                }
            }
        }
        w.dynamic = true;
        w.text.extend(&self.chars[start..self.i]);
        Ok(())
    }

    /// At `(`: the text up to the matching `)`, quotes respected.
    fn balanced(&mut self) -> Result<String, String> {
        self.i += 1;
        let start = self.i;
        let mut depth = 1;
        while depth > 0 {
            match self.peek(0) {
                None => return Err("a `(` is never closed".into()),
                Some('(') => depth += 1,
                Some(')') => depth -= 1,
                Some('\\') => self.i += 1,
                Some(q @ ('\'' | '"')) => {
                    self.i += 1;
                    while self.peek(0).is_some_and(|c| c != q) {
                        if q == '"' && self.peek(0) == Some('\\') {
                            self.i += 1;
                        }
                        self.i += 1;
                    }
                    if self.peek(0).is_none() {
                        return Err("a quote is never closed".into());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        Ok(self.chars[start..self.i - 1].iter().collect())
    }
}

/// The `$(...)` and backtick scripts inside a here-document body.
fn substitutions_in(body: &str) -> Result<Vec<String>, String> {
    let mut l = Lexer {
        chars: body.chars().collect(),
        i: 0,
        out: Lexed::default(),
        heredocs: Vec::new(),
    };
    let mut scratch = Word {
        text: String::new(),
        dynamic: false,
        quoted: false,
    };
    while let Some(c) = l.peek(0) {
        match c {
            '\\' => l.i += 2,
            '$' | '`' => l.expansion(&mut scratch)?,
            _ => l.i += 1,
        }
    }
    Ok(l.out.subs)
}

#[cfg(test)]
mod tests;
