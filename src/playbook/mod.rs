//! Playbooks: named steps run in order on selected hosts, rolled out in
//! batches.
//!
//! [`schema`] reads a file into this model, reporting shape problems (E001
//! to E005); [`rules`] checks the model against an inventory (selectors,
//! roles, destructive steps: E010 to W103). Both report everything they
//! find. Nothing here runs anything.

pub mod rules;
pub mod schema;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Loc, Report, Sources};
use crate::duration::Duration;
use crate::inventory::Selector;
use crate::schema::Sp;
use crate::source::ReadError;

#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    pub file: Arc<str>,
    pub name: Sp<String>,
    pub description: Option<String>,
    pub hosts: Option<SelectorAt>,
    /// `hosts` was written, even if it could not be read.
    pub hosts_given: bool,
    pub serial: Vec<Sp<Batch>>,
    pub max_failures: u32,
    pub change: Option<Sp<String>>,
    pub steps: Vec<Step>,
}

/// A selector and where each of its terms was written.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectorAt {
    pub selector: Selector,
    pub loc: Loc,
    /// Column of the first character of the selector text, when it was
    /// written on one line, so a bad term can be pointed at exactly.
    pub text_column: Option<u32>,
}

impl SelectorAt {
    /// Where term `t` stands (the whole selector when not known).
    pub fn term_loc(&self, term: Option<usize>) -> Loc {
        let mut loc = self.loc.clone();
        if let (Some(t), Some(col)) = (term, self.text_column) {
            let term = &self.selector.terms[t];
            loc.pos.column = col + self.selector.text[..term.offset].chars().count() as u32;
            loc.pos.len = term.to_string().chars().count() as u32;
        }
        loc
    }
}

/// One batch of a rollout: a number of hosts or a share of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batch {
    Count(u32),
    Percent(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 1-based, as shown to users.
    pub number: usize,
    pub loc: Loc,
    pub name: String,
    pub run: Sp<String>,
    pub hosts: Option<SelectorAt>,
    pub hosts_given: bool,
    pub destructive: Option<Sp<bool>>,
    pub role: Option<Sp<String>>,
    pub timeout: Option<Duration>,
    pub budget: Option<u64>,
    /// `become: USER` (or `true`, root): the step's command runs as USER.
    pub become_user: Option<Sp<String>>,
}

/// Read one playbook file. Problems go into `report`; `None` when the file
/// could not be read as a playbook at all.
pub fn load(path: &Path, report: &mut Report, sources: &mut Sources) -> Option<Playbook> {
    let name: Arc<str> = path.display().to_string().into();
    match crate::source::read(path) {
        Ok(text) => {
            sources.add(name.clone(), text.as_str().into());
            schema::read(name, &text, report)
        }
        Err(ReadError::Invalid(e)) => {
            report.push(Diagnostic::new(
                Loc {
                    file: name,
                    pos: e.pos,
                },
                Code::E001,
                e.message,
            ));
            None
        }
        Err(ReadError::Io(e)) => {
            let pos = crate::yaml::Pos {
                line: 1,
                column: 1,
                len: 0,
                end: None,
            };
            report.push(Diagnostic::new(
                Loc { file: name, pos },
                Code::E001,
                format!("cannot read the file: {e}"),
            ));
            None
        }
    }
}
