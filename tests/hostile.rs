//! Hostile hosts and unlucky operators: a server that streams text
//! instead of an SSH banner, through the real binary.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

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
