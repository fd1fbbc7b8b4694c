//! Shell words, operators and redirections, as bash reads them.
//!
//! Just enough of the shell grammar to find every place a command can
//! start and to read each word as the shell will: quoting decides what is
//! data, `$'...'` escapes are decoded, brace expansion makes several words
//! of one, operators separate commands, and the bodies of `$(...)`,
//! backticks, `<(...)`, `>(...)`, here-documents, and the substitutions
//! inside `${...}` and `$((...))` are kept as scripts of their own (they
//! run wherever they stand, even inside double quotes). The lexer never
//! guesses: input it cannot read whole is an error, and the classifier
//! treats that as destructive. A word whose text is only known at run time
//! (an expansion, a glob) says so, and is never taken for a known command.

mod expand;
#[cfg(test)]
mod tests;
mod words;

use expand::Q;
use words::substitutions_in;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed and `$'...'` decoded; expansions are
    /// kept as written (`$HOME`).
    pub text: String,
    /// Part of the word is only known when the shell runs (`$x`, `$(...)`).
    pub dynamic: bool,
    /// Any part of the word was quoted or escaped.
    pub quoted: bool,
    /// An unquoted `*`, `?` or `[...]`: the shell replaces it by the
    /// names of matching files.
    pub glob: bool,
    /// Its text holds a command substitution the shell did not run here
    /// (`'$(reboot)'`, `"\`reboot\`"`): data to most commands, but code
    /// wherever bash evaluates text again (arithmetic, `${!x}`, prompts).
    pub holds_code: bool,
}

impl Word {
    pub fn plain(text: &str) -> Word {
        Word {
            text: text.to_string(),
            dynamic: false,
            quoted: false,
            glob: false,
            holds_code: false,
        }
    }

    /// Known when the line is read: not an expansion, not a glob.
    pub fn fixed(&self) -> bool {
        !self.dynamic && !self.glob
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `;`, `&`, newline: the next word starts a command.
    End,
    /// `;;`, `;&`, `;;&`: the end of a `case` branch.
    CaseEnd,
    And,
    Or,
    /// `|` or `|&`: the next word starts a command in the same pipeline.
    Pipe,
    Open,
    Close,
}

/// What a redirection does to its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redir {
    /// `<`: reads the file into stdin.
    Read,
    /// `>`, `>|`, `&>`, `<>`: empties the file, then writes it.
    Truncate,
    /// `>>`, `&>>`: adds to the end.
    Append,
    /// `1<`, `2<`: a file opened for reading where output goes; writing to
    /// `/dev/stdout` or `/dev/stderr` then opens it again for writing.
    ReadOnOutput,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    Word(Word),
    Op(Op),
    /// A redirection onto a file; `>&2` (a descriptor) is left out.
    Redirect {
        kind: Redir,
        target: Word,
    },
    /// A here-document or here-string: text fed to the command's stdin;
    /// `dynamic` when expansions in it are only known at run time.
    Input {
        text: String,
        dynamic: bool,
    },
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lexed {
    pub toks: Vec<Tok>,
    /// Scripts run by substitutions, wherever they appeared.
    pub subs: Vec<String>,
}

/// Why a line cannot be read as shell. The classifier treats such a line
/// as destructive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    #[error("the line ends in a lone backslash")]
    LoneBackslash,
    /// What is left open: "a single quote", "a `${`".
    #[error("{0} is never closed")]
    Unclosed(&'static str),
    #[error("here-document is missing its end line `{0}`")]
    HeredocEnd(String),
    #[error("expansions nested deeper than {MAX_NESTING}")]
    TooDeep,
    /// A construct this reader does not follow, and why.
    #[error("{0}")]
    NotRead(&'static str),
}

#[cfg(test)]
pub fn lex(src: &str) -> Result<Lexed, LexError> {
    lex_as(src, false)
}

/// `src` as bash reads it, or (`posix`) as a POSIX `sh` such as dash does.
pub fn lex_as(src: &str, posix: bool) -> Result<Lexed, LexError> {
    let mut l = Lexer::new(src);
    l.posix = posix;
    l.run()?;
    Ok(l.out)
}

/// The words of `src`, for tests.
#[cfg(test)]
pub fn lex_words(src: &str) -> Vec<Word> {
    lex(src)
        .expect("test input lexes")
        .toks
        .into_iter()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// A here-document waiting for the end of its line.
struct Heredoc {
    delim: String,
    strip_tabs: bool,
    expands: bool,
    /// Index of its `Input` token.
    at: usize,
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    out: Lexed,
    heredocs: Vec<Heredoc>,
    /// How deep expansions nest here (`${a:-${b:-$((...))}}`), counting the
    /// lexers that read their bodies.
    nesting: usize,
    /// Read as a POSIX shell (dash) reads: `$'...'` and `$"..."` are a `$`
    /// and a quoted string, not decoded.
    posix: bool,
    /// Inside `[[ ... ]]`, where `&&`, `||`, `<`, `>` and parentheses are
    /// the test's own, not the shell's operators.
    dbracket: bool,
}

/// Expansions nested deeper than this are not read: the line is
/// unreadable (and so destructive), never a stack overflow.
const MAX_NESTING: usize = 64;

/// A word being read: each character with where it came from.
type Raw = Vec<(char, Q)>;

fn push_str(w: &mut Raw, s: &str, q: Q) {
    w.extend(s.chars().map(|c| (c, q)));
}

impl Lexer {
    fn new(src: &str) -> Lexer {
        Lexer {
            chars: src.chars().collect(),
            i: 0,
            out: Lexed::default(),
            heredocs: Vec::new(),
            nesting: 0,
            posix: false,
            dbracket: false,
        }
    }

    /// One level deeper; an error past [`MAX_NESTING`].
    fn deeper(&mut self) -> Result<(), LexError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(LexError::TooDeep);
        }
        Ok(())
    }

    fn peek(&self, n: usize) -> Option<char> {
        self.chars.get(self.i + n).copied()
    }

    fn run(&mut self) -> Result<(), LexError> {
        while let Some(c) = self.peek(0) {
            match c {
                // A carriage return is no blank to bash: `ls\r` is one word.
                ' ' | '\t' => self.i += 1,
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
                '&' | '|' if self.dbracket && self.peek(1) == Some(c) => {
                    self.i += 2;
                    let op = if c == '&' { "&&" } else { "||" };
                    self.out.toks.push(Tok::Word(Word::plain(op)));
                }
                '<' | '>' if self.dbracket => {
                    self.i += 1;
                    self.out.toks.push(Tok::Word(Word::plain(&c.to_string())));
                }
                '(' | ')' if self.dbracket => self.words()?,
                '&' if self.peek(1) == Some('>') => self.redirect()?,
                '(' if self.peek(1) == Some('(') && self.arithmetic()? => {}
                ';' | '&' | '|' | '(' | ')' => self.operator(c),
                '<' | '>' if self.peek(1) == Some('(') => {
                    // A process substitution: its body is a script, and it
                    // stands for a file name only known at run time.
                    let start = self.i;
                    self.i += 1;
                    let body = self.balanced()?;
                    self.out.subs.push(body);
                    let text: String = self.chars[start..self.i].iter().collect();
                    self.out.toks.push(Tok::Word(Word {
                        dynamic: true,
                        ..Word::plain(&text)
                    }));
                }
                '<' | '>' => self.redirect()?,
                c if c.is_ascii_digit() && self.fd_redirect() => self.redirect()?,
                _ => self.words()?,
            }
        }
        if let Some(h) = self.heredocs.first() {
            return Err(LexError::HeredocEnd(h.delim.clone()));
        }
        Ok(())
    }

    fn op(&mut self, op: Op) {
        self.dbracket = false;
        self.out.toks.push(Tok::Op(op));
    }

    /// The words at the cursor, noting where `[[ ... ]]` starts and ends.
    fn words(&mut self) -> Result<(), LexError> {
        let start = self.command_start();
        let words = self.word()?;
        for w in words {
            if !w.quoted && w.text == "[[" && start {
                self.dbracket = true;
            } else if !w.quoted && w.text == "]]" {
                self.dbracket = false;
            }
            self.out.toks.push(Tok::Word(w));
        }
        Ok(())
    }

    /// The next word stands where a command starts: first on the line,
    /// after an operator, or after a word that begins a command.
    fn command_start(&self) -> bool {
        match self.out.toks.last() {
            None | Some(Tok::Op(_)) => true,
            Some(Tok::Word(w)) => {
                !w.quoted
                    && matches!(
                        w.text.as_str(),
                        "!" | "then"
                            | "do"
                            | "else"
                            | "elif"
                            | "if"
                            | "while"
                            | "until"
                            | "{"
                            | "time"
                    )
            }
            _ => false,
        }
    }

    fn operator(&mut self, c: char) {
        let (op, len) = match (c, self.peek(1), self.peek(2)) {
            ('&', Some('&'), _) => (Op::And, 2),
            ('|', Some('|'), _) => (Op::Or, 2),
            ('|', Some('&'), _) => (Op::Pipe, 2),
            ('|', ..) => (Op::Pipe, 1),
            (';', Some(';'), Some('&')) => (Op::CaseEnd, 3),
            (';', Some(';' | '&'), _) => (Op::CaseEnd, 2),
            ('(', ..) => (Op::Open, 1),
            (')', ..) => (Op::Close, 1),
            _ => (Op::End, 1),
        };
        self.i += len;
        self.op(op);
    }

    /// At `((`: an arithmetic command up to its `))`. Its substitutions are
    /// scripts; the command itself is the word `((`. `false` (and nothing
    /// read) when the parentheses do not close as `))`: then they are two
    /// subshells.
    fn arithmetic(&mut self) -> Result<bool, LexError> {
        let start = self.i + 2;
        let mut j = start;
        let mut depth = 0;
        while let Some(&c) = self.chars.get(j) {
            match c {
                '(' => depth += 1,
                ')' if depth > 0 => depth -= 1,
                ')' if self.chars.get(j + 1) == Some(&')') => {
                    let body: String = self.chars[start..j].iter().collect();
                    self.out
                        .subs
                        .extend(substitutions_in(&body, self.nesting, self.posix)?);
                    self.i = j + 2;
                    // Arithmetic evaluates its text again: quotes, escapes
                    // or a substitution's output may hide `a[$(...)]`.
                    let holds_code = body.replace("$((", "").contains("$(")
                        || body.contains(['`', '\'', '"', '\\']);
                    self.out.toks.push(Tok::Word(Word {
                        holds_code,
                        ..Word::plain("((")
                    }));
                    // Its text, as one word, for what it evaluates.
                    self.out.toks.push(Tok::Word(Word {
                        quoted: true,
                        ..Word::plain(&body)
                    }));
                    return Ok(true);
                }
                ')' => return Ok(false),
                _ => {}
            }
            j += 1;
        }
        Ok(false)
    }

    /// `2>file`, `10>&1`: digits directly followed by a redirection.
    fn fd_redirect(&self) -> bool {
        let mut j = self.i;
        while self.chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        matches!(self.chars.get(j), Some('<' | '>'))
    }

    fn redirect(&mut self) -> Result<(), LexError> {
        let fd_start = self.i;
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let fd: String = self.chars[fd_start..self.i].iter().collect();
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
            let w = self.single_word()?;
            // The body comes after the end of the line; keep its place with
            // the command that reads it.
            self.heredocs.push(Heredoc {
                delim: w.text,
                strip_tabs: op == "<<-",
                expands: !w.quoted,
                at: self.out.toks.len(),
            });
            self.out.toks.push(Tok::Input {
                text: String::new(),
                dynamic: false,
            });
            return Ok(());
        }
        let target = self.single_word()?;
        if op == "<<<" {
            self.out.toks.push(Tok::Input {
                text: target.text,
                dynamic: target.dynamic,
            });
            return Ok(());
        }
        // `>&2`, `2>&1`, `<&0`, `>&-`: a descriptor, not a file.
        let dup = (op.ends_with('&') || op == ">&")
            && !target.text.is_empty()
            && target.text.chars().all(|c| c.is_ascii_digit() || c == '-');
        if dup {
            return Ok(());
        }
        let kind = if op.contains(">>") {
            Redir::Append
        } else if op.contains('>') {
            Redir::Truncate
        } else if matches!(fd.as_str(), "1" | "2") {
            Redir::ReadOnOutput
        } else {
            Redir::Read
        };
        self.out.toks.push(Tok::Redirect { kind, target });
        Ok(())
    }

    fn read_heredocs(&mut self) -> Result<(), LexError> {
        for h in std::mem::take(&mut self.heredocs) {
            let mut body = String::new();
            loop {
                if self.i >= self.chars.len() {
                    return Err(LexError::HeredocEnd(h.delim.clone()));
                }
                let start = self.i;
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                let mut line: String = self.chars[start..self.i].iter().collect();
                self.i += 1;
                // In an unquoted here-document a backslash before the
                // newline joins the next line before the end line is
                // looked for (`x\` then `EOF` is no end).
                while h.expands && odd_backslashes(&line) && self.i < self.chars.len() {
                    line.pop();
                    let next = self.i;
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                    line.extend(&self.chars[next..self.i]);
                    self.i += 1;
                }
                let line = if h.strip_tabs {
                    line.trim_start_matches('\t').to_string()
                } else {
                    line
                };
                if line == h.delim {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            let (text, dynamic) = if h.expands {
                self.out
                    .subs
                    .extend(substitutions_in(&body, self.nesting, self.posix)?);
                expanded_heredoc(&body)
            } else {
                (body, false)
            };
            self.out.toks[h.at] = Tok::Input { text, dynamic };
        }
        Ok(())
    }
}

/// `line` ends in a backslash that escapes the newline after it.
fn odd_backslashes(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// The text an unquoted here-document gives its command: `\\`, `\$` and
/// `` \` `` lose their backslash and `\` before a newline joins lines, as
/// bash does; any expansion left makes it only known at run time.
fn expanded_heredoc(body: &str) -> (String, bool) {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut dynamic = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match (c, chars.get(i + 1).copied()) {
            ('\\', Some('\\' | '$' | '`')) => {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            ('\\', Some('\n')) => {
                i += 2;
                continue;
            }
            ('`', _) => dynamic = true,
            ('$', Some(n)) if n.is_ascii_alphanumeric() || "_{([@*#?$!-".contains(n) => {
                dynamic = true;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    (out, dynamic)
}
