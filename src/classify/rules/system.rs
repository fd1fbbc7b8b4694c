//! Rules for removing files, powering off, stopping services and
//! dropping databases.

use super::{Hit, device_target, has, has_short, operands};
use crate::classify::lexer::Word;

pub fn check(name: &str, args: &[Word]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut hit = |rule: &'static str, reason: String| hits.push((rule, reason));
    let ops = operands(args);
    let sub = ops.first().copied().unwrap_or("");
    match name {
        "rm" => {
            if let Some(flag) = has(args, &["--recursive", "--force", "--no-preserve-root"])
                .or_else(|| has_short(args, "rRf"))
            {
                hit(
                    "files.rm",
                    format!("`rm {flag}` removes files recursively or without asking"),
                );
            }
        }
        "find" if has(args, &["-delete"]).is_some() => {
            hit(
                "files.find-delete",
                "`find -delete` removes what it finds".into(),
            );
        }
        "rsync" => {
            if let Some(flag) = has(
                args,
                &[
                    "--delete", "--delete-before", "--delete-during", "--delete-delay",
                    "--delete-after", "--delete-excluded", "--del", "--remove-source-files",
                ],
            ) {
                hit(
                    "files.rsync-delete",
                    format!("`rsync {flag}` deletes files"),
                );
            }
        }
        "crontab" if has_short(args, "r").is_some() => hit(
            "files.crontab",
            "`crontab -r` removes the whole crontab".into(),
        ),
        "tee" | "cp" | "install" | "mv" => {
            if let Some(dev) = args
                .iter()
                .filter_map(|w| device_target(&w.text).map(|_| w.text.clone()))
                .next()
            {
                hit(
                    "disk.write",
                    format!("`{name}` writes onto the block device `{dev}`"),
                );
            }
        }
        "reboot" | "shutdown" | "poweroff" | "halt" => {
            hit("power.off", format!("`{name}` takes the host down"))
        }
        "init" | "telinit"
            if ops
                .iter()
                .any(|o| matches!(*o, "0" | "6" | "1" | "s" | "S")) =>
        {
            hit("power.off", format!("`{name} {sub}` changes the run level"))
        }
        "kexec" if has(args, &["-e", "--exec"]).is_some() => {
            hit("power.off", "`kexec -e` reboots into another kernel".into())
        }
        "systemctl" => {
            let stopping = [
                "stop", "restart", "disable", "kill", "mask", "isolate", "reboot", "poweroff",
                "halt", "kexec", "emergency", "rescue", "try-restart", "reload-or-restart",
                "try-reload-or-restart", "force-reload", "condrestart", "suspend", "hibernate",
                "soft-reboot", "default", "clean", "freeze",
            ];
            if stopping.contains(&sub) {
                hit(
                    "service.systemctl",
                    format!("`systemctl {sub}` stops, restarts or disables services"),
                );
            }
        }
        "service"
            if ops.get(1).is_some_and(|a| {
                matches!(
                    *a,
                    "stop"
                        | "restart"
                        | "force-reload"
                        | "try-restart"
                        | "condrestart"
                        | "force-stop"
                )
            }) =>
        {
            hit(
                "service.stop",
                format!("`service {} {}` stops or restarts the service", sub, ops[1]),
            )
        }
        "kill" => {
            let nine = ["-9", "-KILL", "-SIGKILL", "-s9", "-sKILL", "-sSIGKILL"];
            let by_name = args.windows(2).any(|w| {
                matches!(w[0].text.as_str(), "-s" | "-n" | "--signal")
                    && matches!(w[1].text.as_str(), "9" | "KILL" | "SIGKILL" | "kill")
            });
            if has(args, &nine).is_some() || by_name {
                hit(
                    "service.kill",
                    "`kill -9` kills processes without letting them clean up".into(),
                );
            }
        }
        "killall" | "pkill" | "killall5" => hit(
            "service.kill",
            format!("`{name}` kills every process that matches"),
        ),
        "dropdb" | "dropuser" => hit("db.drop", format!("`{name}` deletes a database or role")),
        "mysqladmin" | "mariadb-admin" if ops.iter().any(|o| matches!(*o, "drop" | "shutdown")) => {
            hit(
                "db.drop",
                format!("`{name}` drops a database or shuts the server down"),
            )
        }
        _ => {}
    }
    hits
}
