//! Questions to the operator: a [`Prompt`] trait, with the terminal and a
//! scripted one for tests.
//!
//! The terminal prompt keeps the terminal in raw mode for the whole
//! question, so Ctrl-C and Ctrl-D arrive as keys and refuse. (dialoguer's
//! reader switches raw mode on and off around every key: a Ctrl-C typed in
//! between became a SIGINT that opsguard's handler caught while the read
//! went on waiting, and the prompt hung. The tests found it.) A SIGINT or
//! SIGTERM from elsewhere is seen too: the read waits with a timeout and
//! looks at the interrupt flag.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What came back from one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Line(String),
    /// The input ended (Ctrl-D on an empty line, a closed terminal).
    Eof,
    /// Ctrl-C, or SIGINT/SIGTERM while asking.
    Interrupted,
}

pub trait Prompt {
    /// Ask `question` and read one line.
    fn line(&mut self, question: &str) -> Answer;
}

/// The operator's terminal: reads stdin, writes the question and the echo
/// to stderr.
pub struct Terminal {
    cancel: Arc<AtomicBool>,
}

impl Terminal {
    pub fn new(cancel: Arc<AtomicBool>) -> Terminal {
        Terminal { cancel }
    }
}

/// Raw mode on stdin while it lives; the old settings come back on drop.
struct Raw {
    saved: Option<libc::termios>,
}

impl Raw {
    fn on() -> Raw {
        // SAFETY: termios is plain data; tcgetattr fills it for fd 0 or
        // fails, in which case nothing is changed.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return Raw { saved: None };
            }
            let saved = t;
            t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
            t.c_iflag &= !(libc::IXON | libc::ICRNL | libc::INLCR);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            Raw { saved: Some(saved) }
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: restores the settings read from fd 0 in `on`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
        }
    }
}

/// The next byte of stdin; `None` at end of input, `Some(Err(()))` when
/// interrupted.
fn next_byte(cancel: &AtomicBool) -> Option<Result<u8, ()>> {
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Some(Err(()));
        }
        let mut fd = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for stdin.
        let ready = unsafe { libc::poll(&mut fd, 1, 100) };
        if ready <= 0 {
            continue;
        }
        let mut byte = 0u8;
        // SAFETY: reads at most one byte into `byte`.
        let n = unsafe { libc::read(0, (&mut byte as *mut u8).cast(), 1) };
        match n {
            1 => return Some(Ok(byte)),
            0 => return None,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
                continue;
            }
            _ => return None,
        }
    }
}

impl Prompt for Terminal {
    fn line(&mut self, question: &str) -> Answer {
        let mut err = std::io::stderr();
        let raw = Raw::on();
        let _ = write!(err, "{question} ");
        let _ = err.flush();
        let mut line: Vec<u8> = Vec::new();
        let answer = loop {
            match next_byte(&self.cancel) {
                None => break Answer::Eof,
                Some(Err(())) => break Answer::Interrupted,
                Some(Ok(0x03)) => break Answer::Interrupted,
                Some(Ok(0x04)) if line.is_empty() => break Answer::Eof,
                Some(Ok(b'\r' | b'\n')) => {
                    break Answer::Line(String::from_utf8_lossy(&line).into_owned());
                }
                Some(Ok(0x7f | 0x08)) => {
                    // One whole character back, UTF-8 continuation bytes too.
                    while line.pop().is_some_and(|b| b & 0xC0 == 0x80) {}
                    let _ = write!(err, "\x08 \x08");
                }
                Some(Ok(b)) if b >= 0x20 => {
                    line.push(b);
                    let _ = err.write_all(&[b]);
                }
                Some(Ok(_)) => {}
            }
            let _ = err.flush();
        };
        drop(raw);
        let _ = writeln!(err);
        answer
    }
}

/// Answers given in advance; records the questions. Runs out as EOF.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: VecDeque<Answer>,
    pub asked: Vec<String>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Scripted {
        Scripted {
            answers: answers.into_iter().collect(),
            asked: Vec::new(),
        }
    }

    /// Typed lines, in order.
    pub fn lines(lines: &[&str]) -> Scripted {
        Scripted::new(lines.iter().map(|l| Answer::Line(l.to_string())))
    }
}

impl Prompt for Scripted {
    fn line(&mut self, question: &str) -> Answer {
        self.asked.push(question.to_string());
        self.answers.pop_front().unwrap_or(Answer::Eof)
    }
}
