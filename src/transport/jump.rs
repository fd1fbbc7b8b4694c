//! Jump hosts for the system ssh: one control master per hop, shared by
//! every target behind it.
//!
//! OpenSSH's own `ProxyJump` opens a new connection to the bastion for
//! each target. opsguard instead logs in to each hop once (a control
//! master, like a target's, checked as strictly: the same `BatchMode`,
//! `StrictHostKeyChecking` and known_hosts), and reaches the next hop, or
//! the target, with `ProxyCommand=ssh -W` through that master. A hop
//! master is started at most once per run, whatever the number of
//! targets; a hop that fails fails every target behind it at once, with
//! what ssh said, instead of each of them waiting out the timeout again.

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use super::openssh::{Login, login_with, master_options, value};
use super::remote::quote;
use crate::inventory::{Hop, Settings};

/// Each hop master of this run, by socket: whether its login worked.
type Masters = Mutex<HashMap<PathBuf, Arc<OnceLock<Result<(), String>>>>>;
static MASTERS: LazyLock<Masters> = LazyLock::new(Masters::default);

/// The `ProxyCommand` that reaches the machine after `hops`, each hop's
/// master started (or found) on the way. On failure, the hop that failed
/// and what ssh said.
pub(super) fn through(
    settings: &Settings,
    common: &[String],
    hops: &[Hop],
    control: &Path,
    timeout: Duration,
) -> Result<String, (String, String)> {
    let mut proxy: Option<String> = None;
    for hop in hops {
        let fail = |message: String| (hop.name.clone(), message);
        let login = Login {
            of: hop.login(settings),
            timeout,
        };
        let mut args = common.to_vec();
        args.extend(login.options().map_err(fail)?);
        if let Some(p) = &proxy {
            args.push("-o".into());
            args.push(format!("ProxyCommand={p}"));
        }
        let key = format!("{}\0{}", args.join("\0"), hop.address);
        let digest = crate::audit::record::sha256_hex(key.as_bytes());
        let socket = control.join(format!("j{}", &digest[..16]));
        args.push("-o".into());
        args.push(format!(
            "ControlPath={}",
            value(&socket.display().to_string())
        ));
        master(&args, &socket, &hop.address, timeout).map_err(fail)?;
        let mut forward = args;
        forward.extend([
            "-o".into(),
            "ControlMaster=no".into(),
            "-W".into(),
            "[%h]:%p".into(),
            "--".into(),
            hop.address.clone(),
        ]);
        proxy = Some(proxy_command(&forward));
    }
    Ok(proxy.unwrap_or_default())
}

/// The hop master on `socket`, started once per run.
fn master(args: &[String], socket: &Path, address: &str, timeout: Duration) -> Result<(), String> {
    let cell = MASTERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(socket.to_path_buf())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        let mut ssh = Command::new(&args[0]);
        ssh.args(&args[1..])
            .args(master_options())
            .args(["--", address, "true"])
            .process_group(0);
        login_with(ssh, timeout).map(drop)
    })
    .clone()
}

/// `args` as one `ProxyCommand`: each word quoted for the shell ssh runs
/// it with, then `%` doubled, since ssh expands `%` tokens in it; the
/// `%h` and `%p` of `-W` are kept to be expanded, quoted too (the
/// brackets are a glob to the shell, as OpenSSH's own ProxyJump knows).
fn proxy_command(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a == "[%h]:%p" {
                quote(a)
            } else {
                quote(a).replace('%', "%%")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_command_quotes_each_word_and_keeps_only_its_own_tokens() {
        let args: Vec<String> = [
            "ssh", "-o", "UserKnownHostsFile=\"/k/%%h it's\"", "-W", "[%h]:%p",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            proxy_command(&args),
            "'ssh' '-o' 'UserKnownHostsFile=\"/k/%%%%h it'\\''s\"' '-W' '[%h]:%p'"
        );
    }

    #[test]
    fn hops_read_as_ssh_writes_them() {
        let hop = Hop::parse("ops@bastion.example:2222").unwrap();
        assert_eq!(
            (hop.user.as_deref(), hop.address.as_str(), hop.port),
            (Some("ops"), "bastion.example", Some(2222))
        );
        let hop = Hop::parse("ssh://[fe80::1]:22").unwrap();
        assert_eq!((hop.address.as_str(), hop.port), ("fe80::1", Some(22)));
        assert_eq!(Hop::parse("b").unwrap().port, None);
        for bad in [
            "", "-oProxyCommand=x", "a b", "a:0", "a:x", "u@", "[::1", "a;b",
        ] {
            assert!(Hop::parse(bad).is_none(), "{bad}");
        }
    }
}
