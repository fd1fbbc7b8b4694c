//! All terminal output goes through [`Ui`]: data on stdout, status and
//! problems on stderr, colour decided for each stream on its own.
//!
//! Colour follows `--color`, then `NO_COLOR`/`CLICOLOR_FORCE`, then whether
//! the stream is a terminal. Nothing else in opsguard prints, and no colour
//! code ever reaches JSON or the audit log: those are built as plain text
//! and colour is only added here, for a stream that takes it.
//!
//! What hosts and files say is data: on a terminal its control characters
//! are shown as text ([`escape`]); in a pipe it passes byte for byte.

pub mod escape;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use anstream::{AutoStream, ColorChoice};
use owo_colors::{AnsiColors, OwoColorize};

use crate::inventory::{Color, Inventory};

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

pub struct Ui {
    out_color: bool,
    err_color: bool,
    /// A terminal on the stream: its data is shown escaped.
    out_tty: bool,
    err_tty: bool,
    /// Command output streamed to each: a character split across pieces.
    out_held: Mutex<escape::Bytes>,
    err_held: Mutex<escape::Bytes>,
    pub quiet: bool,
    pub verbose: bool,
}

fn takes_color(when: ColorWhen, choice: ColorChoice) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => !matches!(choice, ColorChoice::Never),
    }
}

impl Ui {
    pub fn new(when: ColorWhen, quiet: bool, verbose: bool) -> Ui {
        Ui {
            out_color: takes_color(when, AutoStream::choice(&std::io::stdout())),
            err_color: takes_color(when, AutoStream::choice(&std::io::stderr())),
            out_tty: std::io::stdout().is_terminal(),
            err_tty: std::io::stderr().is_terminal(),
            out_held: Mutex::default(),
            err_held: Mutex::default(),
            quiet,
            verbose,
        }
    }

    /// Text from a host or a file, as it may be shown on `stream`: control
    /// characters escaped on a terminal, as it is in a pipe.
    pub fn data<'a>(&self, stream: Stream, text: &'a str) -> Cow<'a, str> {
        if self.tty(stream) {
            escape::visible(text)
        } else {
            Cow::Borrowed(text)
        }
    }

    /// Bytes from a host, as they may be shown on `stream`: escaped text
    /// on a terminal, byte for byte in a pipe (invalid UTF-8 included).
    pub fn data_bytes<'a>(&self, stream: Stream, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        if self.tty(stream) {
            let text = String::from_utf8_lossy(bytes);
            Cow::Owned(escape::visible(&text).into_owned().into_bytes())
        } else {
            Cow::Borrowed(bytes)
        }
    }

    /// Bytes already made fit for stdout ([`Ui::data_bytes`]): written as
    /// they are.
    pub fn out_raw(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes).and_then(|_| out.flush());
    }

    fn tty(&self, stream: Stream) -> bool {
        match stream {
            Stream::Out => self.out_tty,
            Stream::Err => self.err_tty,
        }
    }

    pub fn color(&self, stream: Stream) -> bool {
        match stream {
            Stream::Out => self.out_color,
            Stream::Err => self.err_color,
        }
    }

    /// Data: what the user asked for. A closed pipe (`| head`) is not an
    /// error worth a message.
    pub fn out(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    }

    /// Command output passed through as it arrives (escaped on a
    /// terminal).
    pub fn out_bytes(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = if self.out_tty {
            let shown = lock(&self.out_held).push(bytes);
            out.write_all(shown.as_bytes())
        } else {
            out.write_all(bytes)
        }
        .and_then(|_| out.flush());
    }

    pub fn err_bytes(&self, bytes: &[u8]) {
        let mut err = std::io::stderr().lock();
        let _ = if self.err_tty {
            let shown = lock(&self.err_held).push(bytes);
            err.write_all(shown.as_bytes())
        } else {
            err.write_all(bytes)
        };
    }

    /// The end of streamed command output: what was held back of a split
    /// character is shown.
    pub fn end_bytes(&self) {
        let (out, err) = (lock(&self.out_held).finish(), lock(&self.err_held).finish());
        if !out.is_empty() {
            self.out(&out);
        }
        if !err.is_empty() {
            self.err(&err);
        }
    }

    /// Progress and summaries, hidden by `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            self.err_line(text);
        }
    }

    pub fn warn(&self, text: &str) {
        self.labelled("warning", owo_colors::AnsiColors::Yellow, text);
    }

    /// What the operator can do about the error just shown.
    pub fn hint(&self, text: &str) {
        self.labelled("hint", owo_colors::AnsiColors::Cyan, text);
    }

    pub fn error(&self, text: &str) {
        self.labelled("error", owo_colors::AnsiColors::Red, text);
    }

    /// `label: text` on stderr, the label bold in `color` on a terminal.
    fn labelled(&self, label: &str, color: owo_colors::AnsiColors, text: &str) {
        let label = if self.err_color {
            label.color(color).bold().to_string()
        } else {
            label.to_string()
        };
        self.err_line(&format!("{label}: {text}"));
    }

    /// Raw text for stderr (diagnostics rendered by the caller).
    pub fn err(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
    }

    fn err_line(&self, text: &str) {
        self.err(&format!("{text}\n"));
    }

    /// `[LIVE]` in the role's colour (bold when protected), for `stream`.
    pub fn role_tag(&self, stream: Stream, inv: &Inventory, role: &str) -> String {
        self.paint_role(stream, inv, role, &format!("[{}]", role.to_uppercase()))
    }

    /// `store-a1 [LIVE]`, all of it in the role's colour, for `stream`.
    pub fn host_tag(&self, stream: Stream, inv: &Inventory, name: &str, role: &str) -> String {
        self.paint_role(
            stream,
            inv,
            role,
            &format!("{name} [{}]", role.to_uppercase()),
        )
    }

    /// `text` in the colour of `role`, for `stream`.
    pub fn paint_role(&self, stream: Stream, inv: &Inventory, role: &str, text: &str) -> String {
        if !self.color(stream) {
            return text.to_string();
        }
        let Some(def) = inv.role(role) else {
            return text.to_string();
        };
        let painted = text.color(ansi(def.color));
        if def.protected {
            painted.bold().to_string()
        } else {
            painted.to_string()
        }
    }

    /// A progress bar on stderr for `total` hosts, shown only on a
    /// terminal, for more than one host, and without `--quiet`.
    pub fn progress(&self, total: usize) -> Progress {
        let show = total > 1 && !self.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} hosts {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            quiet: self.quiet,
        }
    }

    pub fn bold(&self, stream: Stream, text: &str) -> String {
        if self.color(stream) {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    }
}

fn lock(m: &Mutex<escape::Bytes>) -> std::sync::MutexGuard<'_, escape::Bytes> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn ansi(c: Color) -> AnsiColors {
    match c {
        Color::Red => AnsiColors::Red,
        Color::Green => AnsiColors::Green,
        Color::Yellow => AnsiColors::Yellow,
        Color::Blue => AnsiColors::Blue,
        Color::Magenta => AnsiColors::Magenta,
        Color::Cyan => AnsiColors::Cyan,
        Color::White => AnsiColors::White,
    }
}

/// A cell of a text table: the plain text (for width) and how it is shown.
pub struct Cell {
    pub plain: String,
    pub shown: String,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        let plain = text.into();
        Cell {
            shown: plain.clone(),
            plain,
        }
    }
}

/// Say `text` on stderr as a warning, once per run (for layers that have
/// no [`Ui`]: the transports, the audit mirror).
pub fn warn_once(text: &str) {
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|s| s == text) {
        said.push(text.to_string());
        anstream::eprintln!("warning: {text}");
    }
}

/// Rows of cells aligned in columns, two spaces apart, no trailing blanks.
pub fn table(rows: &[Vec<Cell>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.plain.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(&cell.shown);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.plain.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Progress over hosts; status lines printed through it stay above the bar.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None if !self.quiet => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{text}");
            }
            None => {}
        }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
