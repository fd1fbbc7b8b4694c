//! Hostile hosts and unlucky operators, through the real binary: a server
//! that streams text instead of an SSH banner; files on hosts and lock
//! owner files full of terminal escapes, which must reach a terminal as
//! text (and a pipe byte for byte).

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

use expectrl::Expect;
use support::pty::{spawn, transcript};
use support::{first_record, folder, opsguard, records, signal, wait_for};

/// A server on loopback that answers every connection with endless lines
/// of text (no SSH banner ever), until the client goes away.
fn flooding_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            std::thread::spawn(move || {
                let line = b"this is not an SSH server, and it never stops talking\r\n";
                while s.write_all(line).is_ok() {}
            });
        }
    });
    port
}

fn site(port: u16, connect_timeout: &str) -> tempfile::TempDir {
    folder(&[
        ("known_hosts", ""),
        (
            "inventory.yaml",
            &format!(
                "settings:\n  port: {port}\n  known_hosts: known_hosts\n  connect_timeout: {connect_timeout}\nhosts:\n  chatty: {{address: 127.0.0.1, role: backup}}\n"
            ),
        ),
    ])
}

/// Wait for `child` at most `most`; a failure if it is still running.
fn wait_at_most(child: &mut std::process::Child, most: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + most;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("opsguard was still running after {most:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_server_that_streams_text_instead_of_a_banner_is_cut_at_connect_timeout() {
    let dir = site(flooding_server(), "1s");
    let mut child = opsguard(
        dir.path(),
        &["-i", "inventory.yaml", "exec", "chatty", "--", "true"],
    )
    .spawn()
    .unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("chatty [BACKUP] unreachable:")
            && stderr.contains("no SSH session within connect_timeout (1s)"),
        "{stderr}"
    );
    let r = records(dir.path());
    assert_eq!(first_record(&r, "host.unreachable")["host"], "chatty");
    assert_eq!(r.last().unwrap()["event"], "session.end");
}

#[test]
fn ctrl_c_while_a_server_streams_text_ends_the_session_at_once() {
    let dir = site(flooding_server(), "10m");
    let mut child = opsguard(
        dir.path(),
        &["-i", "inventory.yaml", "exec", "chatty", "--", "true"],
    )
    .spawn()
    .unwrap();
    wait_for(dir.path(), |r| r.iter().any(|r| r["event"] == "plan"));
    // Let it get stuck in the handshake.
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, libc::SIGINT);
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(130));
    let end = records(dir.path()).last().unwrap().clone();
    assert_eq!(end["event"], "session.end");
    assert_eq!(end["status"], "interrupted");
}

/// What a hostile file on a host holds: a new window title naming the
/// backup, a cleared screen, a line drawn over, a fake banner.
const EVIL: &[u8] = b"\x1b]0;b1 [BACKUP]\x07\x1b[2J\x1b[H\rFAKE b1 [BACKUP] $ \x9b\xc2\x9b31m\n";

/// Raw pieces of [`EVIL`] that must never reach the terminal as bytes.
const RAW: &[&[u8]] = &[b"\x1b]0;", b"\x1b[2J", b"\x1b[H", b"\r\x46AKE", b"\xc2\x9b"];

fn hosts_with_evil() -> tempfile::TempDir {
    let dir = folder(&[
        (
            "inventory/local.yaml",
            "hosts:\n  b1: {connection: local, workdir: ../w/b1, role: backup}\n  b2: {connection: local, workdir: ../w/b2, role: backup}\n",
        ),
        ("w/b2/evil", ""),
    ]);
    std::fs::create_dir_all(dir.path().join("w/b1")).unwrap();
    std::fs::write(dir.path().join("w/b1/evil"), EVIL).unwrap();
    std::fs::write(dir.path().join("w/b2/evil"), EVIL).unwrap();
    dir
}

#[track_caller]
fn shown_as_text(screen: &[u8]) {
    let text = String::from_utf8_lossy(screen);
    for raw in RAW {
        assert!(
            !screen.windows(raw.len()).any(|w| w == *raw),
            "{:?} reached the terminal:\n{text}",
            String::from_utf8_lossy(raw)
        );
    }
    assert!(text.contains("\\x1b]0;b1 [BACKUP]\\x07\\x1b[2J"), "{text}");
}

#[test]
fn output_from_hosts_reaches_a_terminal_as_text() {
    let dir = hosts_with_evil();
    // One host: streamed as it comes.
    let mut p = spawn(dir.path(), &["exec", "b1", "--", "cat evil"]);
    let (screen, code) = transcript(&mut p);
    assert_eq!(code, 0);
    shown_as_text(&screen);
    // Several: grouped at the end.
    let mut p = spawn(dir.path(), &["exec", "b1,b2", "--", "cat evil"]);
    let (screen, code) = transcript(&mut p);
    assert_eq!(code, 0);
    shown_as_text(&screen);
    // The log, listed and replayed.
    let session = records(dir.path())[0]["session"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [vec!["audit", "show"], vec!["audit", "replay", &session]] {
        let mut p = spawn(dir.path(), &args);
        let (screen, code) = transcript(&mut p);
        assert_eq!(code, 0, "{args:?}");
        if args[1] == "replay" {
            shown_as_text(&screen);
        }
        for raw in RAW {
            assert!(!screen.windows(raw.len()).any(|w| w == *raw), "{args:?}");
        }
    }
}

#[test]
fn in_a_pipe_output_stays_byte_for_byte() {
    let dir = hosts_with_evil();
    let out = opsguard(dir.path(), &["exec", "b1", "--", "cat evil"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, EVIL);
}

#[test]
fn a_lock_owner_file_with_escapes_is_shown_as_text() {
    let dir = hosts_with_evil();
    std::fs::create_dir_all(dir.path().join("w/b1/.opsguard.lock")).unwrap();
    std::fs::write(
        dir.path().join("w/b1/.opsguard.lock/owner"),
        "{\"user\":\"\\u001b]0;b1 [BACKUP]\\u0007\\u001b[2J\",\"workstation\":\"ws\",\"pid\":1,\"session\":\"s\",\"since\":\"2026-01-01T00:00:00Z\",\"expires\":\"2099-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    let mut p = spawn(dir.path(), &["lock", "status", "b1"]);
    let (screen, code) = transcript(&mut p);
    assert_eq!(code, 0);
    shown_as_text(&screen);
}

#[test]
fn the_shell_shows_output_and_folder_names_as_text() {
    let dir = hosts_with_evil();
    let folder = "x\r\x1b[2Kb1 [LIVE] y";
    std::fs::create_dir_all(dir.path().join("w/b1").join(folder)).unwrap();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect(" $ ").unwrap();
    p.send_line("cat evil").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line("cd x*").unwrap();
    p.expect("/x\\r\\x1b[2Kb1 [LIVE] y' $ ").unwrap();
    p.send_line("exit").unwrap();
    let (screen, code) = transcript(&mut p);
    assert_eq!(code, 0);
    for raw in RAW {
        assert!(!screen.windows(raw.len()).any(|w| w == *raw));
    }
    assert!(
        !screen.windows(4).any(|w| w == b"\x1b[2K"),
        "the folder name drew on the prompt"
    );
}

/// A backup host whose playbook sleeps, then leaves a marker.
fn slow_site() -> tempfile::TempDir {
    folder(&[
        (
            "inventory/local.yaml",
            "hosts:\n  b1: {connection: local, workdir: ../w/b1, role: backup}\n",
        ),
        ("w/b1/.keep", ""),
        (
            "slow.yaml",
            "name: slow\ndescription: wait, then mark\nhosts: b1\nsteps:\n  - name: wait\n    run: sleep 1\n  - name: mark\n    run: echo > marker\n",
        ),
    ])
}

#[test]
fn a_symlinked_audit_log_is_refused_and_nothing_runs() {
    let dir = slow_site();
    std::fs::write(dir.path().join("real.jsonl"), "").unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("real.jsonl"),
        dir.path().join("audit.jsonl"),
    )
    .unwrap();
    let out = opsguard(dir.path(), &["exec", "b1", "--", "echo > marker"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a symbolic link"));
    assert!(!dir.path().join("w/b1/marker").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.jsonl")).unwrap(),
        ""
    );
}

/// Start the slow playbook, wait for its first command, then do `what`
/// to the log; the run must stop with exit 4 before the second step.
fn lose_the_log_mid_session(what: impl Fn(&std::path::Path)) -> String {
    let dir = slow_site();
    let child = opsguard(dir.path(), &["run", "slow.yaml"]).spawn().unwrap();
    wait_for(dir.path(), |r| {
        r.iter().any(|r| r["event"] == "command.start")
    });
    what(&dir.path().join("audit.jsonl"));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        !dir.path().join("w/b1/marker").exists(),
        "a step ran unrecorded"
    );
    stderr
}

#[test]
fn a_log_removed_mid_session_stops_the_session() {
    let stderr = lose_the_log_mid_session(|log| std::fs::remove_file(log).unwrap());
    assert!(
        stderr.contains("audit.jsonl was removed while this session ran"),
        "{stderr}"
    );
}

#[test]
fn a_log_replaced_mid_session_stops_the_session() {
    let stderr = lose_the_log_mid_session(|log| {
        let other = log.with_file_name("other.jsonl");
        std::fs::write(&other, "").unwrap();
        std::fs::rename(&other, log).unwrap();
    });
    assert!(
        stderr.contains("audit.jsonl was replaced by another file while this session ran"),
        "{stderr}"
    );
}

#[test]
fn the_registry_and_the_history_do_not_follow_planted_links() {
    let dir = hosts_with_evil();
    let state = dir.path().join("state/opsguard");
    std::fs::create_dir_all(state.join("history")).unwrap();
    std::fs::write(dir.path().join("victim"), "keep").unwrap();
    std::os::unix::fs::symlink(dir.path().join("victim"), state.join("history/b1")).unwrap();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect(" $ ").unwrap();
    p.send_line("echo planted").unwrap();
    p.expect(" $ ").unwrap();
    p.send_line("exit").unwrap();
    let (_, code) = transcript(&mut p);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("victim")).unwrap(),
        "keep"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(state.join("sessions"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "the state folder is private");
}

#[test]
fn a_full_disk_stops_the_session_before_its_command() {
    // The file size limit stands in for a full disk: every write past it
    // fails (EFBIG; SIGXFSZ is ignored so the write returns the error).
    let dir = slow_site();
    std::fs::write(dir.path().join("audit.jsonl"), "").unwrap();
    let exe = env!("CARGO_BIN_EXE_opsguard");
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -f 0; exec {exe} exec b1 -- 'echo > marker'"),
        ])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("cannot write the audit log audit.jsonl"),
        "{stderr}"
    );
    assert!(!dir.path().join("w/b1/marker").exists());
}

#[test]
fn the_shell_leaves_folders_in_a_private_folder_of_its_own() {
    let dir = hosts_with_evil();
    std::fs::create_dir_all(dir.path().join("w/b1/sub")).unwrap();
    let mut p = spawn(dir.path(), &["shell", "b1"]);
    p.expect(" $ ").unwrap();
    let session = records(dir.path())[0]["session"]
        .as_str()
        .unwrap()
        .to_string();
    let private = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!(".opsguard-{session}."))
            })
            .collect()
    };
    let mine = private();
    assert_eq!(mine.len(), 1, "{mine:?}");
    use std::os::unix::fs::PermissionsExt;
    let m = std::fs::symlink_metadata(&mine[0]).unwrap();
    assert!(m.is_dir());
    assert_eq!(m.permissions().mode() & 0o777, 0o700);
    // A cd inside a line still moves the console, through that folder.
    p.send_line("cd sub && true").unwrap();
    p.expect("/w/b1/sub $ ").unwrap();
    p.send_line("exit").unwrap();
    let (_, code) = transcript(&mut p);
    assert_eq!(code, 0);
    assert!(private().is_empty(), "the private folder was left behind");
}

#[test]
fn a_symlinked_inventory_reads_paths_from_the_real_file() {
    let dir = folder(&[
        (
            "site/inventory/local.yaml",
            "settings:\n  audit_log: ../audit.jsonl\nhosts:\n  b1: {connection: local, workdir: ../w/b1, role: backup}\n",
        ),
        ("site/w/b1/.keep", ""),
        ("elsewhere/w/b1/.keep", ""),
    ]);
    std::os::unix::fs::symlink(
        dir.path().join("site/inventory/local.yaml"),
        dir.path().join("elsewhere/inv.yaml"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsguard"))
        .args([
            "-i", "elsewhere/inv.yaml", "exec", "b1", "--", "echo > marker",
        ])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("site/w/b1/marker").exists());
    assert!(!dir.path().join("elsewhere/w/b1/marker").exists());
    assert!(dir.path().join("site/audit.jsonl").exists());
}
