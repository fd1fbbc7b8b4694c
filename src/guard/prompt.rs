//! Questions to the operator: a [`Prompt`] trait, with the terminal
//! (dialoguer's `console`) and a scripted one for tests.

use std::collections::VecDeque;
use std::io::{ErrorKind, Write};

use dialoguer::console::{Key, Term};

/// What came back from one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Line(String),
    /// The input ended (Ctrl-D on an empty line, a closed terminal).
    Eof,
    /// Ctrl-C.
    Interrupted,
}

pub trait Prompt {
    /// Ask `question` and read one line.
    fn line(&mut self, question: &str) -> Answer;
}

/// The operator's terminal, on stderr. Keys are read one by one so that
/// Ctrl-C and Ctrl-D are answers (refusals), not characters; anything the
/// terminal cannot give is an end of input, which refuses too.
pub struct Terminal {
    term: Term,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            term: Term::stderr(),
        }
    }
}

impl Prompt for Terminal {
    fn line(&mut self, question: &str) -> Answer {
        let _ = write!(&self.term, "{question} ");
        let _ = self.term.flush();
        let mut line = String::new();
        let answer = loop {
            match self.term.read_key() {
                Ok(Key::Enter) => break Answer::Line(line),
                Ok(Key::Backspace) => {
                    if line.pop().is_some() {
                        let _ = self.term.clear_chars(1);
                    }
                }
                Ok(Key::CtrlC) => break Answer::Interrupted,
                Ok(Key::Char('\u{4}')) if line.is_empty() => break Answer::Eof,
                Ok(Key::Char(c)) if !c.is_control() => {
                    line.push(c);
                    let _ = write!(&self.term, "{c}");
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => break Answer::Interrupted,
                Err(_) => break Answer::Eof,
            }
        };
        let _ = self.term.write_line("");
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
