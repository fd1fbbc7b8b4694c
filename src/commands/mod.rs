//! The command line: one file per subcommand, each holding its clap
//! arguments and a `run` that resolves them, makes one call into the
//! layers below and prints. The options several commands share are in
//! [`args`]; loading shared by commands lives here.

pub mod approve;
pub mod args;
pub mod audit;
pub mod classify;
pub mod complete;
pub mod completions;
pub mod exec;
pub mod hosts;
pub mod import;
pub mod lock;
pub mod man;
pub mod plan;
pub mod report;
pub mod run;
pub mod schema;
pub mod shell;
pub mod validate;

use clap::{Parser, Subcommand};

pub use args::{Format, GlobalArgs, GuardOptions, RunOptions};

use crate::diagnostic::{Report, Sources, render};
use crate::error::{AppError, Exit};
use crate::inventory::{self, Inventory, Selector};
use crate::ui::{Stream, Ui};

/// The version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("OPSGUARD_COMMIT"),
    ")"
);

/// What a destructive command meets, said where it matters.
macro_rules! guarded {
    () => {
        "Destructive work (and work not known to be safe on a protected role) asks for the \
targets' role, typed back at a terminal; without a terminal it needs --confirm-role ROLE (and \
--change ID on a protected role), or it is refused with exit 3 and nothing runs. `opsguard \
classify -- CMD` says whether a command is guarded, and why."
    };
}

const EXEC_HELP: &str = concat!(
    "Examples:\n",
    "  opsguard exec store-a1 -- df -h\n",
    "  opsguard exec 'role:backup' -- 'storctl pool status | head'\n",
    "  opsguard exec backup-a1 --change CHG-7 -- rm -rf /srv/old     # asks for the role\n",
    "  opsguard exec backup-a1 --confirm-role backup --change CHG-7 -- rm -rf /srv/old   # in CI\n",
    "\n",
    guarded!()
);

const RUN_HELP: &str = concat!(
    "Examples:\n",
    "  opsguard run playbooks/health-check.yaml\n",
    "  opsguard run playbooks/reinit-backup-pack.yaml --limit backup-a1 --dry-run\n",
    "  opsguard run --plan reinit.plan.json --confirm-role backup   # an approved plan\n",
    "\n",
    guarded!()
);

const PLAN_HELP: &str = "Examples:\n  \
opsguard plan playbooks/rolling-restart-mail.yaml --limit @cluster-b\n  \
opsguard plan playbooks/reinit-backup-pack.yaml --at 2026-11-24T22:30:00Z   # as on Tuesday night\n  \
opsguard plan playbooks/reinit-backup-pack.yaml --out reinit.plan.json      # to approve\n";

const SHELL_HELP: &str = "Examples:\n  \
opsguard shell store-a1 --change CHG-7\n\n\
Each line is classified before it runs: destructive lines ask for the host's role, typed back; \
full-screen programs are refused. Every line and its output is recorded.";

const AUDIT_HELP: &str = "Examples:\n  \
opsguard audit verify\n  \
opsguard audit show --host 'store-*' --since 2d --destructive\n  \
opsguard audit replay 20261122T1001\n  \
opsguard audit report 20261122T1001 -o CHG-7.html\n  \
opsguard audit note \"maintenance window opened\" --change CHG-7\n  \
opsguard audit init postgresql://db.example.net/opsguard\n  \
opsguard audit export -o audit-2026-12.jsonl\n  \
opsguard audit export --since 7d -o week-49.jsonl\n  \
opsguard --audit-log week-49.jsonl audit verify --after 18342:HASH\n  \
opsguard audit import audit.jsonl --audit-log postgresql://db.example.net/opsguard\n  \
opsguard audit push";

const HOSTS_HELP: &str = "Examples:\n  \
opsguard hosts\n  \
opsguard hosts @cluster-a\n  \
opsguard hosts 'role:backup,!backup-a2' --format json";

const APPROVE_HELP: &str = "Examples:\n  \
opsguard approve --show reinit.plan.json      # what it does, and who approved it so far\n  \
opsguard approve reinit.plan.json --key ~/.ssh/id_ed25519";

const VALIDATE_HELP: &str = "Examples:\n  \
opsguard validate\n  \
opsguard validate inventory/ playbooks/ --strict --format github   # in CI\n  \
opsguard validate --format sarif > opsguard.sarif                  # for code scanning";

const CLASSIFY_HELP: &str = "Examples:\n  \
opsguard classify -- 'df -h && sudo wipefs -a /dev/sdb'\n  \
opsguard classify --format json -- rm -rf /srv/old";

const LOCK_HELP: &str = "Examples:\n  \
opsguard lock status @cluster-a\n  \
opsguard lock break backup-a1 --reason \"bob's laptop crashed, checked with bob\"";

const COMPLETIONS_HELP: &str = "Examples:\n  \
opsguard completions bash > ~/.local/share/bash-completion/completions/opsguard\n  \
opsguard completions zsh > ~/.zfunc/_opsguard\n\n\
The script asks opsguard for the candidates as you type: host names, @groups and role:NAME \
from the inventory (-i, OPSGUARD_INVENTORY or ./inventory) and session ids from the audit log.";

const MAN_HELP: &str = "Examples:\n  \
opsguard man --dir /usr/local/share/man/man1\n  \
opsguard man | man -l -";

const SCHEMA_HELP: &str = "Examples:\n  \
opsguard schema inventory > inventory.schema.json";

const IMPORT_HELP: &str = "Examples:\n  \
ansible-inventory -i production.ini --list | opsguard import ansible - --role-groups live,backup\n  \
opsguard import clustershell /etc/clustershell/groups.d/cluster.yaml --source site --role-groups live,backup";

/// Guarded maintenance for storage clusters: run commands and playbooks on
/// hosts tagged live or backup, and never wipe the wrong one.
#[derive(Debug, Parser)]
#[command(
    name = "opsguard",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List hosts with role, address, groups and mirror (no network)
    #[command(after_help = HOSTS_HELP)]
    Hosts(hosts::HostsArgs),
    /// Show what a playbook run would do, and which guards apply (no network);
    /// --out writes it as a plan file to approve and run exactly
    #[command(after_help = PLAN_HELP)]
    Plan(plan::PlanArgs),
    /// Sign a plan file with your SSH key (a recorded session)
    #[command(after_help = APPROVE_HELP)]
    Approve(approve::ApproveArgs),
    /// Check the inventory and playbooks offline
    #[command(after_help = VALIDATE_HELP)]
    Validate(validate::ValidateArgs),
    /// Run one command on the selected hosts
    #[command(after_help = EXEC_HELP)]
    Exec(exec::ExecArgs),
    /// Run a playbook: its steps on its hosts, in serial batches
    #[command(after_help = RUN_HELP)]
    Run(run::RunArgs),
    /// Say whether a command is destructive, and why
    #[command(after_help = CLASSIFY_HELP)]
    Classify(classify::ClassifyArgs),
    /// An interactive, guarded console on one host
    #[command(after_help = SHELL_HELP)]
    Shell(shell::ShellArgs),
    /// Show host locks, or break one (guarded and recorded)
    #[command(after_help = LOCK_HELP)]
    Lock(lock::LockArgs),
    /// Verify, search and replay the audit log; add a note to it
    #[command(after_help = AUDIT_HELP)]
    Audit(audit::AuditArgs),
    /// Print the shell script that completes opsguard's commands, hosts,
    /// groups, roles and sessions
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per command to a folder
    #[command(after_help = MAN_HELP)]
    Man(man::ManArgs),
    /// Print the JSON Schema of the inventory or playbook format
    #[command(after_help = SCHEMA_HELP)]
    Schema(schema::SchemaArgs),
    /// Write an opsguard inventory from another tool's (no network)
    #[command(after_help = IMPORT_HELP)]
    Import(import::ImportArgs),
}

/// Run the command `cli` names.
pub fn dispatch(cli: &Cli, ui: &Ui) -> Result<Exit, AppError> {
    let g = &cli.global;
    match &cli.command {
        Command::Hosts(args) => hosts::run(g, args, ui),
        Command::Plan(args) => plan::run(g, args, ui),
        Command::Approve(args) => approve::run(g, args, ui),
        Command::Validate(args) => validate::run(g, args, ui),
        Command::Classify(args) => classify::run(g, args, ui),
        Command::Exec(args) => exec::run(g, args, ui),
        Command::Run(args) => run::run(g, args, ui),
        Command::Shell(args) => shell::run(g, args, ui),
        Command::Lock(args) => lock::run(g, args, ui),
        Command::Audit(args) => audit::run(g, args, ui),
        Command::Completions(args) => completions::run(args, ui),
        Command::Man(args) => man::run(args, ui),
        Command::Schema(args) => schema::run(args, ui),
        Command::Import(args) => import::run(args, ui),
    }
}

/// The host called `name`, or an error (exit 2) with the nearest name.
pub fn host_named(inv: &Inventory, name: &str) -> Result<usize, AppError> {
    inv.host_index(name).ok_or_else(|| {
        let hint = inv
            .nearest_host(name)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        AppError::invalid(format!("no host `{name}` in the inventory{hint}"))
    })
}

/// A playbook read and checked against `inv`, its problems shown on
/// stderr; an error (exit 2) when it has errors, saying `consequence`
/// ("nothing was run").
pub fn load_playbook(
    inv: &Inventory,
    path: &std::path::Path,
    ui: &Ui,
    consequence: &str,
) -> Result<
    (
        crate::playbook::Playbook,
        Vec<crate::playbook::rules::StepFacts>,
    ),
    AppError,
> {
    let mut report = Report::default();
    let mut sources = Sources::default();
    let pb = crate::playbook::load(path, &mut report, &mut sources);
    let facts = pb
        .as_ref()
        .map(|pb| crate::playbook::rules::check(pb, inv, &mut report));
    show(&mut report, &sources, ui);
    match (pb, facts, report.has_errors()) {
        (Some(pb), Some(facts), false) => Ok((pb, facts)),
        _ => Err(AppError::invalid(format!(
            "the playbook {} is invalid ({} error(s)); {consequence}",
            path.display(),
            report.errors()
        ))),
    }
}

/// Load the inventory for a command that acts on it: problems are shown on
/// stderr; errors stop the command with exit 2.
pub fn load_inventory(g: &GlobalArgs, ui: &Ui) -> Result<Inventory, AppError> {
    let path = g.inventory_path();
    let mut report = Report::default();
    let mut sources = Sources::default();
    let inv = read_inventory(g, &mut report, &mut sources)?;
    show(&mut report, &sources, ui);
    if report.has_errors() {
        return Err(AppError::invalid(format!(
            "the inventory {} is invalid ({} error(s)); nothing was run",
            path.display(),
            report.errors()
        ))
        .hint("`opsguard validate` lists every problem with its file and line"));
    }
    Ok(inv)
}

/// Read the `-i` inventory, its problems into `report`. Only a missing or
/// unreadable inventory is an error here.
pub fn read_inventory(
    g: &GlobalArgs,
    report: &mut Report,
    sources: &mut Sources,
) -> Result<Inventory, AppError> {
    inventory::load(&g.inventory_path(), report, sources).map_err(|e| {
        let e = AppError::of(Exit::Invalid, e);
        if g.inventory.is_none() {
            e.hint("name the inventory with -i PATH or OPSGUARD_INVENTORY")
        } else {
            e
        }
    })
}

/// The hosts a selector given on the command line picks; `what` names the
/// option in messages (`--limit`, `selector`).
pub fn select(inv: &Inventory, text: &str, what: &str) -> Result<Vec<usize>, AppError> {
    let sel: Selector = text
        .parse()
        .map_err(|e| AppError::invalid(format!("invalid {what} `{text}`: {e}")))?;
    sel.resolve(inv).map_err(|problems| {
        let messages: Vec<&str> = problems.iter().map(|p| p.message()).collect();
        AppError::invalid(format!("{what}: {}", messages.join("; ")))
    })
}

/// Diagnostics on stderr, in file order.
pub fn show(report: &mut Report, sources: &Sources, ui: &Ui) {
    report.sort();
    if !report.items.is_empty() {
        ui.err(&render::text(&report.items, sources, ui.color(Stream::Err)));
    }
}

/// Words after `--` as one shell line, joined with spaces as ssh does.
pub fn shell_line(words: &[String]) -> String {
    words.join(" ")
}
