//! Every record opsguard writes, one type per event: the schema of the
//! audit log, reviewable in one place. A record is its event's fields
//! plus what the writer adds to every record (`v`, `seq`, `ts`, `session`,
//! `event`, `user`, `workstation`, `pid`, `prev`, `hash`).
//!
//! Conventions, kept exactly because records are hashed: a field that may
//! be unknown is written as `null` (`exit_code`, `signal`, `count`,
//! `guarded`); a field that only some records of an event have is left
//! out where it does not apply (`step` of `exec`'s commands, `cwd` outside
//! the shell, `error` when there was none).

use serde::{Deserialize, Serialize};

use crate::classify::{self, Verdict};
use crate::inventory::Host;
use crate::transport::{Outcome, Stream};

/// One record's event and its fields.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum Event {
    #[serde(rename = "session.start")]
    SessionStart(SessionStart),
    #[serde(rename = "session.end")]
    SessionEnd(SessionEnd),
    #[serde(rename = "plan")]
    Plan(Plan),
    #[serde(rename = "guard.check.start")]
    GuardCheckStart(GuardCheckStart),
    #[serde(rename = "guard.check")]
    GuardCheck(GuardCheck),
    #[serde(rename = "guard.prompt")]
    GuardPrompt(GuardPrompt),
    #[serde(rename = "guard.confirmed")]
    GuardConfirmed(GuardConfirmed),
    #[serde(rename = "guard.refused")]
    GuardRefused(GuardRefused),
    #[serde(rename = "lock.acquire")]
    LockAcquire(LockAcquire),
    #[serde(rename = "lock.release")]
    LockRelease(LockRelease),
    #[serde(rename = "lock.break")]
    LockBreak(LockBreak),
    #[serde(rename = "command.start")]
    CommandStart(CommandStart),
    #[serde(rename = "command.end")]
    CommandEnd(CommandEnd),
    #[serde(rename = "host.unreachable")]
    HostUnreachable(HostUnreachable),
    #[serde(rename = "shell.line")]
    ShellLine(ShellLine),
    #[serde(rename = "shell.unsupported")]
    ShellUnsupported(ShellUnsupported),
    #[serde(rename = "shell.cd")]
    ShellCd(ShellCd),
    #[serde(rename = "note")]
    Note(Note),
    #[serde(rename = "plan.approve")]
    PlanApprove(PlanApprove),
    #[serde(rename = "batch.start")]
    BatchStart(BatchStart),
    #[serde(rename = "batch.end")]
    BatchEnd(BatchEnd),
    #[serde(rename = "audit.torn")]
    AuditTorn(AuditTorn),
}

/// The host a record is about: its name and role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct On {
    pub host: String,
    pub role: String,
}

impl On {
    pub fn host(host: &Host) -> On {
        On {
            host: host.name.clone(),
            role: host.role.clone(),
        }
    }
}

/// Why a rule says a command destroys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub reason: String,
    pub command: String,
}

impl Finding {
    pub fn all(of: &[classify::Finding]) -> Vec<Finding> {
        of.iter()
            .map(|f| Finding {
                rule: f.rule.to_string(),
                reason: f.reason.clone(),
                command: f.command.clone(),
            })
            .collect()
    }
}

/// A command not known to be safe, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doubt {
    pub command: String,
    pub reason: String,
}

impl Doubt {
    pub fn all(of: &[classify::Doubt]) -> Vec<Doubt> {
        of.iter()
            .map(|d| Doubt {
                command: d.command.clone(),
                reason: d.reason.clone(),
            })
            .collect()
    }
}

/// Why the guards stood in front of a planned step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Guarded {
    Destructive,
    NotKnownSafe,
}

/// Who held a lock, as its owner file said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockOwner {
    pub user: String,
    pub workstation: String,
    pub pid: u32,
    pub session: String,
    pub since: String,
    pub expires: String,
}

/// A host as the plan names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub role: String,
}

impl Target {
    pub fn of(host: &Host) -> Target {
        Target {
            name: host.name.clone(),
            role: host.role.clone(),
        }
    }
}

/// A command's output as a record keeps it: the text (cut at
/// [`super::record::OUTPUT_LIMIT`], at a character boundary), whether it
/// was cut, its size and its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub text: String,
    pub truncated: bool,
    pub bytes: u64,
    pub sha256: String,
}

impl Output {
    /// The whole of a stream's bytes, as a record keeps them.
    pub fn of_bytes(bytes: &[u8]) -> Output {
        Output::kept(bytes, bytes.len() as u64, super::record::sha256_hex(bytes))
    }

    /// A stream as the transports capture it. The head the stream kept is
    /// all the log keeps: no need to hash it again, the stream's hash is of
    /// everything.
    pub fn of(s: &Stream) -> Output {
        Output::kept(&s.bytes, s.total, s.sha256.clone())
    }

    /// `head` (the first bytes) of a stream of `total` bytes with hash
    /// `sha256`: its text up to [`super::record::OUTPUT_LIMIT`].
    fn kept(head: &[u8], total: u64, sha256: String) -> Output {
        let limit = super::record::OUTPUT_LIMIT;
        let (text, _) = super::record::kept_text(&head[..head.len().min(limit)]);
        Output {
            text,
            truncated: total as usize > limit,
            bytes: total,
            sha256,
        }
    }
}

/// A file and the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

/// An inventory or playbook as it was read: its path and each of its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Files {
    pub path: String,
    pub files: Vec<FileHash>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionStart {
    pub argv: Vec<String>,
    pub cwd: String,
    pub version: String,
    /// The commit opsguard was built from (`unknown` outside a checkout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub terminal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Files>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playbook: Option<Files>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_role: Option<String>,
    /// The approved plan a `run --plan` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanRun>,
}

/// A plan file as a session runs it: its id, where it was, and who
/// approved it (those whose signatures held).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanRun {
    pub id: String,
    pub file: String,
    pub approvers: Vec<Approver>,
    /// The allowed_signers file the approvals were checked against, and
    /// its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_signers: Option<FileHash>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approver {
    pub principal: String,
    /// The `SHA256:` fingerprint of the key that signed.
    pub key: String,
}

/// A batch of a rollout is about to start: its number (from 1), how many
/// there are, and its hosts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchStart {
    pub batch: usize,
    pub of: usize,
    pub targets: Vec<Target>,
}

/// A batch is done: how many of its hosts ended how.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchEnd {
    pub batch: usize,
    pub of: usize,
    /// Hosts by status (`ok`, `failed`, `unreachable`, ...).
    pub statuses: std::collections::BTreeMap<String, usize>,
}

/// A reviewer approved a plan file (`opsguard approve`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanApprove {
    pub plan_id: String,
    pub file: String,
    pub principal: String,
    pub key: String,
    pub playbook: String,
    pub expires: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionEnd {
    pub status: String,
    pub exit_code: u8,
}

/// What the session is about to do. `exec` and `shell` name a command,
/// `run` a playbook with its batches and steps; `lock break` only its
/// command.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Plan {
    pub targets: Vec<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batches: Option<Vec<Vec<String>>>,
    pub destructive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<Finding>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<Vec<Doubt>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<PlannedStep>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlannedStep {
    pub number: usize,
    pub name: String,
    pub command: String,
    pub destructive: bool,
    pub verdict: Verdict,
    pub guarded: Option<Guarded>,
    pub rules: Vec<Finding>,
    pub unknown: Vec<Doubt>,
    pub hosts: Vec<Target>,
    /// The step's own `become`.
    #[serde(rename = "become", default, skip_serializing_if = "Option::is_none")]
    pub become_user: Option<String>,
    /// The most the step's output may report (its `budget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<u64>,
}

/// A replication check, announced before it runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardCheckStart {
    #[serde(flatten)]
    pub on: On,
    pub command: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardCheck {
    #[serde(flatten)]
    pub on: On,
    pub command: String,
    /// How it ended, when it could be run at all.
    #[serde(flatten)]
    pub ran: Option<CheckRan>,
    pub ok: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckRan {
    pub exit_code: Option<i32>,
    pub stdout: Output,
    pub stderr: Output,
}

/// What the guards ask a person to confirm.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Question {
    pub role: String,
    pub hosts: Vec<String>,
    pub count: Option<usize>,
    pub overrides: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardPrompt {
    #[serde(flatten)]
    pub question: Question,
    /// What the operator saw, without colour.
    pub banner: String,
    pub prompt: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardConfirmed {
    #[serde(flatten)]
    pub question: Question,
    /// Each answer, or the `--confirm-role` value.
    pub typed: Vec<String>,
    /// `prompt` or `--confirm-role`.
    pub via: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardRefused {
    /// The reason code.
    pub reason: String,
    pub typed: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LockAcquire {
    #[serde(flatten)]
    pub on: On,
    pub path: String,
    pub expires: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LockRelease {
    #[serde(flatten)]
    pub on: On,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LockBreak {
    #[serde(flatten)]
    pub on: On,
    pub reason: String,
    /// The owner the lock named, when it could be read.
    pub owner: Option<LockOwner>,
}

/// A command, recorded before it starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommandStart {
    #[serde(flatten)]
    pub on: On,
    /// The shell's working folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// A playbook step's number and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_name: Option<String>,
    pub command: String,
    pub destructive: bool,
    pub verdict: Verdict,
    /// The user it ran as, through sudo (`become`).
    #[serde(rename = "become", default, skip_serializing_if = "Option::is_none")]
    pub become_user: Option<String>,
    /// How the SSH connection it ran over was made.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Box<Connection>>,
}

/// An SSH connection as it was made: the login, the jump hosts, the host
/// key and the key that logged in, when known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub login: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
}

impl Connection {
    pub fn of(c: &crate::transport::Connected) -> Box<Connection> {
        Box::new(Connection {
            login: c.login.clone(),
            via: c.via.clone(),
            host_key: c.host_key.clone(),
            auth: c.auth.clone(),
        })
    }
}

/// How a command ended: its start's fields, its status, and, when it ran,
/// its outcome.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommandEnd {
    #[serde(flatten)]
    pub start: CommandStart,
    pub status: String,
    #[serde(flatten)]
    pub ran: Option<Ran>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ran {
    pub exit_code: Option<i32>,
    pub signal: Option<String>,
    pub duration_ms: u64,
    pub stdout: Output,
    pub stderr: Output,
}

impl Ran {
    pub fn of(o: &Outcome) -> Ran {
        Ran {
            exit_code: o.exit_code,
            signal: o.signal.clone(),
            duration_ms: o.duration.as_millis() as u64,
            stdout: Output::of(&o.stdout),
            stderr: Output::of(&o.stderr),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HostUnreachable {
    #[serde(flatten)]
    pub on: On,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub message: Option<String>,
    /// The user commands would have run as.
    #[serde(rename = "become", default, skip_serializing_if = "Option::is_none")]
    pub become_user: Option<String>,
    /// How the connection was tried: the login and the jump hosts.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Box<Connection>>,
}

/// A line typed at the shell, with its classification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShellLine {
    #[serde(flatten)]
    pub on: On,
    pub cwd: String,
    pub line: String,
    pub destructive: bool,
    pub verdict: Verdict,
    pub rules: Vec<Finding>,
    pub unknown: Vec<Doubt>,
}

/// A full-screen program the shell refused to start.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShellUnsupported {
    #[serde(flatten)]
    pub on: On,
    pub cwd: String,
    pub line: String,
    pub program: String,
}

/// The shell's folder moved.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShellCd {
    #[serde(flatten)]
    pub on: On,
    pub cwd: String,
    pub to: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Note {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
}

/// A last line left incomplete (a crash), ended by the next writer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditTorn {
    pub offset: u64,
    pub length: u64,
    pub sha256: String,
}

impl Event {
    /// The record's fields, `event` included, as the writer seals them.
    pub fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            // Every event is a struct of plain data: always an object.
            other => unreachable!("an event serialises to an object: {other:?}"),
        }
    }
}

/// What the writer adds to every record. Read leniently: a field a forged
/// or older record lacks is empty, never a reason to drop the record.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Header {
    pub seq: u64,
    pub ts: String,
    pub session: String,
    pub event: String,
    pub user: String,
    pub workstation: String,
    pub pid: Option<u32>,
}

/// A record read back from a log: its header, and its event when this
/// version knows the kind and its shape. A record that does not read as
/// a known event keeps only its fields, so a reader shows it rather than
/// drops it.
#[derive(Clone, Debug)]
pub struct Record {
    pub header: Header,
    pub event: Option<Event>,
    /// Every field as written.
    pub fields: serde_json::Value,
}

impl Record {
    pub fn read(fields: serde_json::Value) -> Record {
        Record {
            header: Header::deserialize(&fields).unwrap_or_default(),
            event: Event::deserialize(&fields).ok(),
            fields,
        }
    }
}
