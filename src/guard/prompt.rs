//! Questions to the operator: a [`Prompt`] trait, with the terminal and a
//! scripted one for tests.
//!
//! The terminal prompt keeps the terminal in raw mode for the whole
//! question, so Ctrl-C and Ctrl-D arrive as keys and refuse. (dialoguer's
//! reader switches raw mode on and off around every key: a Ctrl-C typed in
//! between became a SIGINT that opsguard's handler caught while the read
//! went on waiting, and the prompt hung. The tests found it.) A SIGINT or
//! SIGTERM from elsewhere is seen too: the read waits with a timeout and
//! looks at the interrupt flag. Input typed before a question is shown is
//! thrown away: a pasted or typed-ahead "live" must not answer a banner
//! the operator has not seen yet.

use std::collections::VecDeque;
use std::io::Write;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::termios::{
    self, FlushArg, InputFlags, LocalFlags, SetArg, SpecialCharacterIndices, Termios,
};

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

/// Whether a terminal is on stdin and on stderr: only then can a person be
/// asked.
pub fn terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stdin())
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
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
    saved: Option<Termios>,
}

impl Raw {
    fn on() -> Raw {
        let stdin = std::io::stdin();
        let Ok(saved) = termios::tcgetattr(&stdin) else {
            return Raw { saved: None };
        };
        let mut t = saved.clone();
        t.local_flags &=
            !(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG | LocalFlags::IEXTEN);
        t.input_flags &= !(InputFlags::IXON | InputFlags::ICRNL | InputFlags::INLCR);
        t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        let _ = termios::tcsetattr(&stdin, SetArg::TCSANOW, &t);
        Raw { saved: Some(saved) }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, saved);
        }
    }
}

/// Throw away what was typed (or pasted) before the question is shown:
/// an answer must be given to the question on the screen, never typed
/// ahead of the banner that names the targets.
fn discard_type_ahead() {
    let _ = termios::tcflush(std::io::stdin(), FlushArg::TCIFLUSH);
}

/// The next byte of stdin; `None` at end of input, `Some(Err(()))` when
/// interrupted.
fn next_byte(cancel: &AtomicBool) -> Option<Result<u8, ()>> {
    let stdin = std::io::stdin();
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Some(Err(()));
        }
        let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(100u16)) {
            Ok(n) if n > 0 => {}
            _ => continue,
        }
        let mut byte = [0u8; 1];
        match nix::unistd::read(&stdin, &mut byte) {
            Ok(1) => return Some(Ok(byte[0])),
            Ok(_) => return None,
            Err(Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
}

impl Terminal {
    /// Ask for a secret: as [`Prompt::line`], but what is typed is not
    /// shown.
    pub fn secret(&mut self, question: &str) -> Answer {
        self.read(question, false)
    }

    fn read(&mut self, question: &str, echo: bool) -> Answer {
        let mut err = std::io::stderr();
        let raw = Raw::on();
        discard_type_ahead();
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
                    if echo {
                        let _ = write!(err, "\x08 \x08");
                    }
                }
                // A secret may hold any byte a terminal can send (a tab).
                Some(Ok(b)) if b >= 0x20 || (!echo && b != 0x1b) => {
                    line.push(b);
                    if echo {
                        let _ = err.write_all(&[b]);
                    }
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

impl Prompt for Terminal {
    fn line(&mut self, question: &str) -> Answer {
        self.read(question, true)
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
