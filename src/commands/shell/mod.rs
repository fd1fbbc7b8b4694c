//! `opsguard shell HOST`: a guarded console on one host.
//!
//! A line editor (rustyline, with history per host) reads one line at a
//! time; the prompt carries the host, its role in the role's colour and
//! the working folder: `store-a1 [LIVE] /srv/mail $ `. Each line is
//! classified: safe lines run at once, destructive ones go through the
//! same guards as `exec` (role typed back, policy, replication check, a
//! host lock for the duration of that command); a refusal leaves the
//! session open. The whole session is one audit session.
//!
//! It is a line console, not a terminal: commands get no input and no
//! pseudo-terminal. Each line runs as `cd FOLDER && LINE`. A `cd` moves the
//! working folder for the next lines, as in a shell: a `cd` that is the
//! whole line is checked on the host at once; a line with `cd`, `pushd` or
//! `popd` anywhere in it leaves its final folder in a private file on the
//! host, which the console reads (and removes) after it, so `cd /srv &&
//! ls` moves and `(cd /srv; ls)` does not. A line that is stopped leaves
//! the folder where it was. Full-screen programs are refused with a clear
//! message instead of hanging.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use clap::Args;
use rustyline::error::ReadlineError;

mod lines;

use crate::audit::Session;
use crate::audit::event::{self, Event, On};
use crate::classify::{Classification, Verdict, classify};
use crate::commands::{GlobalArgs, GuardOptions, RunOptions};
use crate::error::{AppError, Exit};
use crate::guard::{self, online::Guarded};
use crate::inventory::Inventory;
use crate::lock::lease::{self, Renewer};
use crate::session::{self, RunSettings};
use crate::transport::remote::quote;
use crate::transport::{self, Limits, Outcome, Transport, TransportError, Which};
use crate::ui::{Stream, Ui};
use lines::{cd_target, full_screen, may_move, shown_folder};

#[derive(Debug, Args)]
pub struct ShellArgs {
    /// The host to open the console on
    #[arg(add = super::complete::host())]
    pub host: String,
    /// The change ticket this work belongs to (recorded; needed on roles
    /// whose policy requires one)
    #[arg(long, value_name = "ID")]
    pub change: Option<String>,
    /// Override a freeze or window, with the reason (recorded, and shown
    /// at every guarded line)
    #[arg(long, value_name = "REASON")]
    pub emergency: Option<String>,
    /// Run every line as USER (root when no USER is given) through `sudo -n`
    /// [default: the host's `become`, else settings.become]
    #[arg(long = "become", value_name = "USER", num_args = 0..=1, default_missing_value = "root")]
    pub become_user: Option<String>,
    /// Ask once for the sudo password that `become` needs, without echo
    #[arg(long)]
    pub ask_become_pass: bool,
}

/// The host's history file: private, and only when it is a regular file
/// (a planted link is not followed; the console then keeps no history).
fn history_file(host: &str) -> Option<PathBuf> {
    let path = crate::state::folder("history")?.join(host);
    crate::state::regular(&path).map(std::path::Path::to_path_buf)
}

struct Console<'a> {
    inv: &'a Inventory,
    host: usize,
    ui: &'a Ui,
    audit: Session,
    transport: Box<dyn Transport>,
    cwd: String,
    settings: RunSettings,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Lines run so far: names each line's folder file.
    lines: u64,
    /// The session's private folder on the host (see `private_folder`).
    private: Option<String>,
}

pub fn run(g: &GlobalArgs, args: &ShellArgs, ui: &Ui) -> Result<Exit, AppError> {
    let mut inv = super::load_inventory(g, ui)?;
    let host = super::host_named(&inv, &args.host)?;
    if !guard::prompt::terminal() {
        return Err(AppError::invalid(
            "opsguard shell needs a terminal on stdin and stderr; for scripts use `opsguard exec`",
        ));
    }
    let opts = RunOptions {
        forks: Some(1),
        guard: GuardOptions {
            confirm_role: None,
            change: args.change.clone(),
            emergency: args.emergency.clone(),
        },
        become_user: args.become_user.clone(),
        ..RunOptions::default()
    };
    opts.become_on(&mut inv, &[host])?;
    let settings = opts.settings(g, &inv, None)?;
    if args.ask_become_pass {
        super::args::ask_become_pass()?;
    }
    let cancel = crate::interrupt::flag()?;
    let mut audit = session::start(&settings, None)?;
    let h = &inv.hosts[host];
    let plan = event::Plan {
        targets: vec![event::Target::of(h)],
        command: Some("shell".into()),
        destructive: false,
        ..event::Plan::default()
    };
    audit
        .record(Event::Plan(plan))
        .map_err(crate::audit::nothing_ran)?;
    let _identity = session::identify(&inv, &[host], &audit, &format!("shell {}", h.name));
    ui.err(&banner(&inv, host, ui));
    let transport = match transport::connect(&inv.settings, h) {
        Ok(t) => t,
        Err(e) => {
            let unreachable = event::HostUnreachable {
                on: On::host(h),
                status: None,
                message: Some(e.to_string()),
                become_user: h.become_user.clone(),
                connection: transport::attempted(&inv.settings, h)
                    .as_ref()
                    .map(event::Connection::of),
            };
            audit
                .record(Event::HostUnreachable(unreachable))
                .map_err(crate::audit::nothing_ran)?;
            audit
                .end("failed", Exit::Failed.code())
                .map_err(crate::audit::nothing_ran)?;
            ui.error(&format!("{}: {e}", h.name));
            return Ok(Exit::Failed);
        }
    };
    let mut console = Console {
        inv: &inv,
        host,
        ui,
        audit,
        transport,
        cwd: String::new(),
        settings,
        cancel,
        lines: 0,
        private: None,
    };
    console.cwd = console.ask_pwd(SAY_FOLDER).unwrap_or_else(|_| ".".into());
    console.private = console.private_folder();
    console.repl()
}

fn banner(inv: &Inventory, host: usize, ui: &Ui) -> String {
    let h = &inv.hosts[host];
    let tag = ui.host_tag(Stream::Err, inv, &h.name, &h.role);
    let mut text = format!(
        "opsguard shell on {tag}\n  address {} ({}), groups {}\n",
        h.address,
        h.connection.name(),
        if h.groups.is_empty() {
            "-".to_string()
        } else {
            h.groups.join(", ")
        }
    );
    if let Some(m) = h.mirror.as_deref().and_then(|m| inv.host(m)) {
        text.push_str(&format!(
            "  changes here are copied at once to its mirror {}\n",
            ui.host_tag(Stream::Err, inv, &m.name, &m.role)
        ));
    }
    let others = crate::presence::others();
    text.push_str(&guard::online::other_sessions(inv, ui, &others, None));
    text.push_str(
        "  a line console: commands get no input and no terminal; `cd` moves the folder as in a \
         shell; destructive lines are guarded; Ctrl-C stops a command, Ctrl-D or `exit` ends\n",
    );
    text
}

/// Ends a script by saying the folder it is in: a NUL (which no path can
/// hold), then the name exactly (no newline added, none lost).
const SAY_FOLDER: &str = "printf '\\000%s' \"$PWD\"";

/// The folder a script said with [`SAY_FOLDER`]: what follows the last
/// mark. A name that is not UTF-8, or not absolute, is not followed.
fn said_folder(stdout: &[u8]) -> Result<String, FolderError> {
    let at = stdout
        .iter()
        .rposition(|&b| b == 0)
        .ok_or(FolderError::NotSaid)?;
    let name = std::str::from_utf8(&stdout[at + 1..]).map_err(|_| FolderError::NotUtf8)?;
    if !name.starts_with('/') {
        return Err(FolderError::NotFull(name.escape_debug().to_string()));
    }
    Ok(name.to_string())
}

/// Why the console does not know, or does not follow, a host's folder.
#[derive(Debug, thiserror::Error)]
enum FolderError {
    #[error("the host did not say which folder it is in")]
    NotSaid,
    #[error("the folder's name is not UTF-8")]
    NotUtf8,
    #[error("`{0}` is not a folder's full path")]
    NotFull(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The script failed; what it said on stderr.
    #[error("{0}")]
    Failed(String),
}

impl Console<'_> {
    fn limits(&self, tap: Option<std::sync::mpsc::SyncSender<(Which, Vec<u8>)>>) -> Limits {
        Limits {
            timeout: self.settings.timeout,
            cancel: self.cancel.clone(),
            grace: Duration::from_secs(5),
            tap,
            become_user: None,
            trail: None,
        }
    }

    fn recorded(&mut self, event: Event) -> Result<crate::audit::writer::Appended, AppError> {
        self.audit
            .record(event)
            .map_err(crate::audit::nothing_more_ran)
    }

    /// A folder on the host that only this session can write (`mktemp -d`,
    /// mode 0700), where lines leave the folder they end in: a file there
    /// cannot have been planted. `None` (with a warning) when the host
    /// cannot make one; lines then never move the console mid-line.
    fn private_folder(&mut self) -> Option<String> {
        let script = format!(
            "umask 077 && d=$(mktemp -d \"${{TMPDIR:-/tmp}}/.opsguard-{}.XXXXXXXXXX\") && {}",
            self.audit.id(),
            SAY_FOLDER.replace("$PWD", "$d")
        );
        let dir = self.ask_pwd(&script).ok();
        let ok = dir
            .as_deref()
            .is_some_and(|d| d.starts_with('/') && !d.chars().any(|c| c.is_control() || c == '\''));
        if !ok {
            self.ui.warn(
                "cannot make a private folder on the host (mktemp -d): a `cd` inside a line will not move the console",
            );
        }
        dir.filter(|_| ok)
    }

    /// Run `script` quietly and return the folder it ends by saying
    /// ([`SAY_FOLDER`]): exactly, whatever its name holds (a newline too).
    fn ask_pwd(&mut self, script: &str) -> Result<String, FolderError> {
        let limits = self.limits(None);
        let out = self.transport.run(script, &limits)?;
        if out.exit_code == Some(0) {
            said_folder(&out.stdout.bytes)
        } else {
            Err(FolderError::Failed(
                String::from_utf8_lossy(&out.stderr.bytes)
                    .trim()
                    .to_string(),
            ))
        }
    }

    fn prompt(&self) -> (String, String) {
        let h = &self.inv.hosts[self.host];
        let tag = format!("{} [{}]", h.name, h.role.to_uppercase());
        let folder = shown_folder(&self.cwd);
        let raw = format!("{tag} {folder} $ ");
        let styled = format!(
            "{} {folder} $ ",
            self.ui.host_tag(Stream::Out, self.inv, &h.name, &h.role),
        );
        (raw, styled)
    }

    fn record(&mut self, event: Event) -> Result<(), AppError> {
        self.recorded(event).map(|_| ())
    }

    fn on(&self) -> On {
        On::host(&self.inv.hosts[self.host])
    }

    /// The console's folder moves to `dir`: recorded (`shell.cd`), then
    /// taken for the next lines.
    fn move_to(&mut self, dir: String) -> Result<(), AppError> {
        self.record(Event::ShellCd(event::ShellCd {
            on: self.on(),
            cwd: self.cwd.clone(),
            to: dir.clone(),
        }))?;
        self.cwd = dir;
        Ok(())
    }

    fn repl(mut self) -> Result<Exit, AppError> {
        let mut editor = rustyline::DefaultEditor::new()
            .map_err(|e| AppError::new(Exit::Failed, format!("cannot read lines: {e}")))?;
        let history = history_file(&self.inv.hosts[self.host].name);
        if let Some(h) = &history {
            let _ = editor.load_history(h);
        }
        loop {
            self.cancel.store(false, Ordering::Relaxed);
            let line = match editor.readline(&self.prompt()) {
                Ok(line) => line,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    self.ui.error(&format!("cannot read the line: {e}"));
                    break;
                }
            };
            let line = line.trim().to_string();
            if line.is_empty() {
                continue;
            }
            let _ = editor.add_history_entry(line.as_str());
            if let Some(h) = &history {
                let _ = editor.append_history(h);
            }
            if line == "exit" {
                break;
            }
            self.line(&line)?;
        }
        if let Some(dir) = self.private.take() {
            let _ = self.ask_pwd(&format!("rm -rf -- {}", quote(&dir)));
        }
        self.audit
            .end("ok", Exit::Ok.code())
            .map_err(crate::audit::nothing_more_ran)?;
        Ok(Exit::Ok)
    }

    fn line(&mut self, line: &str) -> Result<(), AppError> {
        let class = classify(line, &self.inv.policy.patterns());
        self.record(Event::ShellLine(event::ShellLine {
            on: self.on(),
            cwd: self.cwd.clone(),
            line: line.to_string(),
            destructive: class.destructive,
            verdict: class.verdict,
            rules: event::Finding::all(&class.rules),
            unknown: event::Doubt::all(&class.unknown),
        }))?;
        if let Some(program) = full_screen(line) {
            self.record(Event::ShellUnsupported(event::ShellUnsupported {
                on: self.on(),
                cwd: self.cwd.clone(),
                line: line.to_string(),
                program: program.to_string(),
            }))?;
            self.ui.error(&format!(
                "`{program}` needs a full terminal, which opsguard shell does not give (commands get \
                 no input and no terminal): not started. Use `ssh` for it, or run it non-interactively"
            ));
            return Ok(());
        }
        if let (Some(target), Verdict::Safe) = (cd_target(line), class.verdict) {
            let script = match target {
                Some(t) => format!("cd {} && cd {t} && {SAY_FOLDER}", quote(&self.cwd)),
                None => format!("cd && {SAY_FOLDER}"),
            };
            match self.ask_pwd(&script) {
                Ok(dir) => self.move_to(dir)?,
                Err(e) => self.ui.error(&format!("cd: {e}")),
            }
            return Ok(());
        }
        let mut lease = None;
        let action = guard::Action::for_command(
            self.inv,
            format!("`{line}`"),
            &class,
            false,
            vec![self.host],
        );
        if let Some(action) = action {
            let verdict = session::guard(
                &mut self.audit,
                self.inv,
                &[action],
                &self.settings,
                true,
                self.ui,
            )?;
            // Ctrl-C at a prompt refuses that line only.
            self.cancel.store(false, Ordering::Relaxed);
            match verdict {
                Guarded::Go(l) => lease = l,
                Guarded::Refused(_) => return Ok(()),
            }
        }
        let renewer = lease.as_ref().map(|l| Renewer::start(self.inv, l, 1));
        self.execute(line, &class)?;
        drop(renewer);
        if let Some(l) = &lease {
            lease::release(&mut self.audit, self.inv, l, 1);
        }
        Ok(())
    }

    /// Send `line` to the host in the working folder; its output goes to
    /// `tx` as it comes. Also where the line leaves its final folder, if
    /// it may move.
    fn run_line(
        &mut self,
        line: &str,
        tx: std::sync::mpsc::SyncSender<(Which, Vec<u8>)>,
        trail: Option<crate::transport::remote::Trail>,
    ) -> (Result<Outcome, TransportError>, Option<String>) {
        let limits = Limits {
            trail,
            ..self.limits(Some(tx))
        };
        self.lines += 1;
        // Where the line leaves its final folder, if it may move; the name
        // holds the session's random id, the file is made private and
        // never written through an existing one (noclobber).
        let place = self
            .private
            .as_ref()
            .filter(|_| may_move(line))
            .map(|dir| format!("{}/cwd-{}", quote(dir), self.lines));
        let script = match &place {
            None => format!("cd {} && {line}", quote(&self.cwd)),
            Some(file) => format!(
                "cd {} || exit; {{ {line}\n}}; r=$?; (umask 077; set -C; {SAY_FOLDER} > {file}) 2>/dev/null; exit $r",
                quote(&self.cwd)
            ),
        };
        (self.transport.run(&script, &limits), place)
    }

    /// Run `line` in the working folder, output to the terminal as it
    /// comes, recorded before and after.
    fn execute(&mut self, line: &str, class: &Classification) -> Result<(), AppError> {
        let start = event::CommandStart {
            on: self.on(),
            cwd: Some(self.cwd.clone()),
            step: None,
            step_name: None,
            command: line.to_string(),
            destructive: class.destructive,
            verdict: class.verdict,
            become_user: self.inv.hosts[self.host].become_user.clone(),
            connection: self
                .transport
                .connected()
                .map(|c| event::Connection::of(&c)),
        };
        let at = self.recorded(Event::CommandStart(start.clone()))?;
        // The host's own syslog remembers a line not known to be safe.
        let trail = crate::transport::remote::Trail::before(
            &self.inv.settings,
            &self.inv.hosts[self.host],
            class.verdict,
            self.audit.id(),
            &at,
            line,
        );
        let (tx, rx) = sync_channel::<(Which, Vec<u8>)>(64);
        let ui = self.ui;
        let (ran, place) = std::thread::scope(|scope| {
            // The output as it comes, through the Ui: escaped on the
            // terminal, so a host cannot draw on it.
            let printer = scope.spawn(move || {
                for (which, chunk) in rx {
                    match which {
                        Which::Stdout => ui.out_bytes(&chunk),
                        Which::Stderr => ui.err_bytes(&chunk),
                    }
                }
                ui.end_bytes();
            });
            let ran = self.run_line(line, tx, trail);
            let _ = printer.join();
            ran
        });
        match ran {
            Ok(o) => {
                let status = if o.timed_out {
                    "timeout"
                } else if o.interrupted {
                    "interrupted"
                } else if o.exit_code == Some(0) {
                    "ok"
                } else {
                    "failed"
                };
                self.record(Event::CommandEnd(event::CommandEnd {
                    start,
                    status: status.into(),
                    ran: Some(event::Ran::of(&o)),
                    message: None,
                }))?;
                let ends_open = o.stdout.last_byte().is_some_and(|b| b != b'\n');
                if ends_open {
                    self.ui.out("\n");
                }
                match (status, o.exit_code, &o.signal) {
                    ("ok", _, _) => {}
                    ("interrupted", _, _) => self.ui.status("^C: the command was stopped"),
                    ("timeout", _, _) => self.ui.status(&format!(
                        "timed out after {}: the command was stopped",
                        crate::duration::Duration(self.settings.timeout)
                    )),
                    (_, Some(c), _) => self.ui.status(&format!("[exit {c}]")),
                    (_, None, Some(s)) => self.ui.status(&format!("[{s}]")),
                    _ => {}
                }
            }
            Err(e) => {
                self.record(Event::CommandEnd(event::CommandEnd {
                    start,
                    status: "unreachable".into(),
                    ran: None,
                    message: Some(e.to_string()),
                }))?;
                self.ui.error(&e.to_string());
                // A lost SSH connection: try once to come back.
                if let Ok(t) = transport::connect(&self.inv.settings, &self.inv.hosts[self.host]) {
                    self.transport = t;
                }
            }
        }
        match place {
            Some(file) => self.follow(&file),
            None => Ok(()),
        }
    }

    /// Move to the folder a line left in `file` (nothing there if it was
    /// stopped first), and remove the file. Not cancelled by the Ctrl-C
    /// that may have stopped the line.
    fn follow(&mut self, file: &str) -> Result<(), AppError> {
        let limits = Limits {
            timeout: Duration::from_secs(30),
            cancel: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
            grace: Duration::from_secs(1),
            tap: None,
            become_user: None,
            trail: None,
        };
        let script = format!("cat {file} 2>/dev/null; rm -f {file}");
        let Ok(out) = self.transport.run(&script, &limits) else {
            return Ok(());
        };
        match said_folder(&out.stdout.bytes) {
            Ok(dir) if dir != self.cwd => self.move_to(dir)?,
            Ok(_) => {}
            // Nothing there: the line was stopped before it ended.
            Err(e) if out.stdout.total == 0 => drop(e),
            Err(e) => self.ui.warn(&format!(
                "the console stays in {}: {e}",
                shown_folder(&self.cwd)
            )),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::said_folder;

    #[test]
    fn the_folder_said_is_what_follows_the_last_nul_exactly() {
        assert_eq!(said_folder(b"\0/srv/mail").unwrap(), "/srv/mail");
        // `cd` may print before it; a name may hold newlines and \x01.
        assert_eq!(
            said_folder(b"/srv\n\0/tmp/a\x01\n/etc").unwrap(),
            "/tmp/a\x01\n/etc"
        );
        assert!(said_folder(b"/srv/mail\n").is_err());
        assert!(said_folder(b"\0relative").is_err());
        assert!(said_folder(b"\0/bad\xff").is_err());
    }
}
