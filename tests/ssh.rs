//! `exec` and `run` over real SSH: opsguard against a real OpenSSH server
//! on loopback, started by each test (see `support/sshd.rs`).

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::sshd::{Sshd, keygen, must};
use support::{Test, first_record, opsguard, records, records_of, signal};

/// A test folder with an inventory for `sshd`, its known_hosts as given,
/// and the audit log in the folder.
fn site(sshd: &Sshd, known_hosts: &str) -> Test {
    let t = Test::new();
    let kh = t.path().join("known_hosts");
    let inventory = sshd.inventory("backup", &kh);
    t.file("known_hosts", known_hosts)
        .file("inventory.yaml", inventory)
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
}

/// A command that leaves `DIR/seen-ADDRESS` on the server, naming the
/// address the client connected to.
fn mark(dir: &Path) -> String {
    format!(
        "touch {}/seen-$(echo $SSH_CONNECTION | cut -d' ' -f3)",
        dir.display()
    )
}

fn seen(dir: &Path, addr: &str) -> bool {
    dir.join(format!("seen-{addr}")).exists()
}

#[test]
fn exec_on_one_host_streams_its_output() {
    let sshd = Sshd::start(1);
    let run = site(&sshd, &sshd.known_hosts())
        .args([
            "exec", "s1", "--", "echo out; echo err >&2; echo $SSH_CONNECTION | cut -d' ' -f3",
        ])
        .status(0);
    assert_eq!(run.stdout, "out\n127.0.0.2\n");
    assert!(run.stderr.contains("err"), "{}", run.stderr);
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["host"], "s1");
    assert_eq!(end["exit_code"], 0);
    assert_eq!(end["stdout"]["text"], "out\n127.0.0.2\n");
}

#[test]
fn exec_on_twenty_hosts_groups_identical_output() {
    let sshd = Sshd::start(20);
    let run = site(&sshd, &sshd.known_hosts())
        .args(["exec", "@all", "--forks", "20", "--", "echo same"])
        .status(0);
    let names: Vec<String> = (1..=20).map(|i| format!("s{i} [BACKUP]")).collect();
    assert_eq!(
        run.stdout,
        format!("== {} (20 hosts, exit 0)\nsame\n", names.join(", "))
    );
    assert!(run.stderr.ends_with("20 ok\n"), "{}", run.stderr);
}

#[test]
fn mixed_exit_codes_are_grouped_and_exit_1() {
    let sshd = Sshd::start(3);
    let run = site(&sshd, &sshd.known_hosts())
        .args([
            "exec",
            "@all",
            "--format",
            "json",
            "--",
            "ip=$(echo $SSH_CONNECTION | cut -d' ' -f3); echo $ip; [ $ip != 127.0.0.3 ] || exit 3",
        ])
        .status(1);
    let hosts = run.json();
    let by = |name: &str| {
        hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["host"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by("s1")["exit_code"], 0);
    assert_eq!(by("s2")["exit_code"], 3);
    assert_eq!(by("s2")["stdout"], "127.0.0.3\n");
    assert_eq!(by("s2")["status"], "failed");
    assert_eq!(by("s3")["exit_code"], 0);
    assert!(run.stderr.contains("2 ok; 1 failed: s2"), "{}", run.stderr);

    let text = site(&sshd, &sshd.known_hosts())
        .args([
            "exec",
            "@all",
            "--",
            "[ $(echo $SSH_CONNECTION | cut -d' ' -f3) != 127.0.0.3 ] || exit 3; echo fine",
        ])
        .status(1);
    assert_eq!(
        text.stdout,
        "== s1 [BACKUP], s3 [BACKUP] (2 hosts, exit 0)\nfine\n== s2 [BACKUP] (1 host, exit 3)\n"
    );
}

#[test]
fn an_unknown_host_key_is_refused_with_its_fingerprint_and_the_line_to_add() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let run = site(&sshd, "")
        .args(["exec", "s1", "--", &mark(marks.path())])
        .status(1);
    assert!(run.stderr.contains("host key not known"), "{}", run.stderr);
    let fingerprint = must(
        Command::new("ssh-keygen")
            .arg("-lf")
            .arg(sshd.path().join("host_key.pub")),
    );
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap();
    assert!(run.stderr.contains(fingerprint), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("[127.0.0.2]:{} {}", sshd.port, sshd.host_key())),
        "{}",
        run.stderr
    );
    assert!(!seen(marks.path(), "127.0.0.2"));
    let r = records(run.path());
    assert!(r.iter().any(|r| r["event"] == "host.unreachable"));
}

#[test]
fn a_host_known_only_on_another_port_is_unknown() {
    let sshd = Sshd::start(1);
    site(&sshd, &format!("127.0.0.2 {}\n", sshd.host_key()))
        .args(["exec", "s1", "--", "true"])
        .status(1)
        .stderr_has("host key not known");
}

#[test]
fn a_changed_host_key_is_refused_loudly() {
    let sshd = Sshd::start(1);
    let other = tempfile::tempdir().unwrap();
    keygen(&other.path().join("k"), "");
    let key = std::fs::read_to_string(other.path().join("k.pub")).unwrap();
    let key: Vec<&str> = key.split_whitespace().take(2).collect();
    let marks = tempfile::tempdir().unwrap();
    site(
        &sshd,
        &format!("[127.0.0.2]:{} {}\n", sshd.port, key.join(" ")),
    )
    .args(["exec", "s1", "--", &mark(marks.path())])
    .status(1)
    .stderr_has("HOST KEY CHANGED for `[127.0.0.2]:")
    .stderr_has("known_hosts:1 (ssh-ed25519)");
    assert!(!seen(marks.path(), "127.0.0.2"));
}

#[test]
fn a_revoked_host_key_is_refused_even_when_listed() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    site(
        &sshd,
        &format!("{}@revoked * {}\n", sshd.known_hosts(), sshd.host_key()),
    )
    .args(["exec", "s1", "--", &mark(marks.path())])
    .status(1)
    .stderr_has("REVOKED host key")
    .stderr_has("known_hosts:2");
    assert!(!seen(marks.path(), "127.0.0.2"));
}

#[test]
fn hashed_known_hosts_entries_are_honoured() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    must(
        Command::new("ssh-keygen")
            .arg("-Hf")
            .arg(t.path().join("known_hosts")),
    );
    let hashed = std::fs::read_to_string(t.path().join("known_hosts")).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    t.args(["exec", "s1", "--", "echo hashed"])
        .status(0)
        .stdout_has("hashed");
}

#[test]
fn a_key_the_server_does_not_accept_is_reported() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    keygen(&t.path().join("wrong"), "");
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(sshd.key().to_str().unwrap(), "wrong");
    t.file("inventory.yaml", inventory)
        .args(["exec", "s1", "--", "true"])
        .status(1)
        .stderr_has("authentication as `root` failed")
        .stderr_has("the server accepted none of:")
        .stderr_has("authorized_keys");
}

#[test]
fn a_key_with_a_passphrase_asks_for_ssh_agent() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    keygen(&t.path().join("locked"), "secret words");
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(sshd.key().to_str().unwrap(), "locked");
    t.file("inventory.yaml", inventory)
        .args(["exec", "s1", "--", "true"])
        .status(1)
        .stderr_has("needs a passphrase, which opsguard does not ask for")
        .stderr_has("ssh-add");
}

/// ssh-agent on a socket in `dir`, killed on drop.
struct Agent {
    child: std::process::Child,
    sock: std::path::PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let sock = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&sock)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent (install openssh-client)");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !sock.exists() {
            assert!(Instant::now() < deadline, "ssh-agent did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        Agent { child, sock }
    }

    fn add(&self, key: &Path) {
        must(
            Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &self.sock),
        );
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_agent_identity_is_tried_not_just_the_first() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    keygen(&t.path().join("wrong"), "");
    let agent = Agent::start(t.path());
    agent.add(&t.path().join("wrong"));
    agent.add(&sshd.key());
    let listed = must(
        Command::new("ssh-add")
            .arg("-l")
            .env("SSH_AUTH_SOCK", &agent.sock),
    );
    assert_eq!(listed.lines().count(), 2, "{listed}");
    // No identity file: only the agent can log in.
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(sshd.key().to_str().unwrap(), "missing-on-purpose");
    let inventory = inventory.replace("  identity_files: [missing-on-purpose]\n", "");
    t.file("inventory.yaml", inventory)
        .env("SSH_AUTH_SOCK", agent.sock.to_str().unwrap())
        .env("HOME", "/nonexistent")
        .args(["exec", "s1", "--", "echo via agent"])
        .status(0)
        .stdout_has("via agent");
}

#[test]
fn a_closed_port_is_unreachable_while_the_other_hosts_succeed() {
    let sshd = Sshd::start(2);
    let closed = std::net::TcpListener::bind("127.0.0.9:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let t = site(&sshd, &sshd.known_hosts());
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml")).unwrap()
        + &format!(
            "  gone: {{address: 127.0.0.9, port: {closed_port}, role: backup, groups: [all]}}\n"
        );
    let run = t
        .file("inventory.yaml", inventory)
        .args(["exec", "@all", "--", "echo up"])
        .status(1);
    assert!(
        run.stderr
            .contains("gone [BACKUP] unreachable: root@127.0.0.9:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Connection refused"), "{}", run.stderr);
    assert!(
        run.stderr.contains("2 ok; 1 unreachable: gone"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("== s1 [BACKUP], s2 [BACKUP] (2 hosts, exit 0)\nup\n"),
        "{}",
        run.stdout
    );
    let unreachable = first_record(&records(run.path()), "host.unreachable");
    assert_eq!(unreachable["host"], "gone");
}

#[test]
fn a_timed_out_command_is_stopped_on_the_server() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let run = site(&sshd, &sshd.known_hosts())
        .args([
            "exec",
            "s1",
            "--timeout",
            "1s",
            "--",
            &format!(
                "(sleep 2; touch {}/late) & sleep 30",
                marks.path().display()
            ),
        ])
        .status(1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr
            .contains("s1 [BACKUP] timeout: timed out after 1s"),
        "{}",
        run.stderr
    );
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !marks.path().join("late").exists(),
        "a child of the timed-out command lived on"
    );
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["status"], "timeout");
    assert_eq!(end["signal"], "SIGTERM");
}

#[test]
fn a_server_killed_mid_run_is_reported_without_hanging() {
    let mut sshd = Sshd::start(2);
    let t = site(&sshd, &sshd.known_hosts());
    let dir = t.path().to_path_buf();
    let child = opsguard(&dir, &["exec", "@all", "--", "echo started; sleep 20"])
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .spawn()
        .unwrap();
    // Both commands have started once both are recorded.
    let deadline = Instant::now() + Duration::from_secs(15);
    while records(&dir)
        .iter()
        .filter(|r| r["event"] == "command.start")
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the commands did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Instant::now();
    sshd.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        killed.elapsed() < Duration::from_secs(10),
        "{:?}",
        killed.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connection lost"), "{stderr}");
    assert!(stderr.contains("2 unreachable: s1, s2"), "{stderr}");
    let r = records(&dir);
    assert_eq!(r.last().unwrap()["event"], "session.end");
    assert_eq!(r.last().unwrap()["status"], "failed");
}

#[test]
fn a_failing_canary_leaves_the_later_batches_untouched_on_the_servers() {
    let sshd = Sshd::start(4);
    let marks = tempfile::tempdir().unwrap();
    let playbook = format!(
        "name: roll\ndescription: canary first\nhosts: '@all'\nserial: [1, 2]\nsteps:\n  - name: check\n    run: \"[ $(echo $SSH_CONNECTION | cut -d' ' -f3) != 127.0.0.2 ]\"\n  - name: mark\n    run: \"{}\"\n",
        mark(marks.path())
    );
    let run = site(&sshd, &sshd.known_hosts())
        .file("pb.yaml", playbook)
        .args(["run", "pb.yaml"])
        .status(1);
    assert!(
        run.stderr.contains("3 never touched: s2, s3, s4"),
        "{}",
        run.stderr
    );
    for a in ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"] {
        assert!(!seen(marks.path(), a), "{a} was touched");
    }
    // The same rollout with a healthy canary reaches every host.
    let playbook = format!(
        "name: roll\ndescription: canary first\nhosts: '@all'\nserial: [1, 2]\nsteps:\n  - name: mark\n    run: \"{}\"\n",
        mark(marks.path())
    );
    site(&sshd, &sshd.known_hosts())
        .file("pb.yaml", playbook)
        .args(["run", "pb.yaml"])
        .status(0);
    for a in ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"] {
        assert!(seen(marks.path(), a), "{a} was not reached");
    }
}

#[test]
fn ssh_and_local_hosts_mix_in_one_run() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts()).file("w/here", "");
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml")).unwrap()
        + "  here: {connection: local, workdir: w, role: backup, groups: [all]}\n";
    let run = t
        .file("inventory.yaml", inventory)
        .args(["exec", "@all", "--", "ls"])
        .status(0);
    assert!(
        run.stdout
            .contains("== here [BACKUP] (1 host, exit 0)\nhere\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn sigint_stops_the_remote_command_and_exits_130() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let t = site(&sshd, &sshd.known_hosts());
    let dir = t.path().to_path_buf();
    let late = format!("sleep 20; touch {}/late", marks.path().display());
    let child = opsguard(&dir, &["exec", "s1", "--", &late])
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !records(&dir).iter().any(|r| r["event"] == "command.start") {
        assert!(Instant::now() < deadline, "the command did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = records(&dir);
    assert_eq!(r.last().unwrap()["status"], "interrupted");
    // The remote sleep was stopped, so nothing runs after it.
    let left = support::running(&["-f", "sleep 20; touch"]);
    assert!(left.is_empty(), "still running: {left}");
}

#[test]
fn a_server_that_never_answers_is_given_up_after_connect_timeout() {
    // Accepts TCP connections (the kernel does) but never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.9:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace("connect_timeout: 5s", "connect_timeout: 1s")
        + &format!("  mute: {{address: 127.0.0.9, port: {port}, role: backup, groups: [all]}}\n");
    let started = Instant::now();
    let run = t
        .file("inventory.yaml", inventory)
        .args(["exec", "@all", "--", "echo up"])
        .status(1);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.contains("mute [BACKUP] unreachable: ")
            && run.stderr.contains("SSH handshake failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 ok; 1 unreachable: mute"),
        "{}",
        run.stderr
    );
    drop(silent);
}

#[test]
fn destructive_work_over_ssh_runs_under_a_lock_on_the_host_over_one_login() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    std::fs::create_dir(marks.path().join("old")).unwrap();
    let t = site(&sshd, &sshd.known_hosts());
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(
            "groups: [all]}", "groups: [all], replication_check: 'true'}",
        );
    let run = t
        .file("inventory.yaml", inventory)
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!(
                "test -d /run/lock/opsguard.lock && rm -rf {}/old",
                marks.path().display()
            ),
        ])
        .status(0);
    assert!(!marks.path().join("old").exists());
    assert!(!Path::new("/run/lock/opsguard.lock").exists());
    let r = records(run.path());
    let acquired = first_record(&r, "lock.acquire");
    assert_eq!(acquired["path"], "/run/lock/opsguard.lock");
    assert!(
        r.iter()
            .any(|r| r["event"] == "lock.release" && r["host"] == "s1" && r["error"].is_null())
    );
    // The replication check, the lock, the command and the release went
    // over one connection.
    assert!(r.iter().any(|r| r["event"] == "guard.check"));
    assert_eq!(sshd.logins(), 1, "{}", sshd.path().display());
}

/// `settings.lock_dir` (or the host's own) names the folder on the host
/// that holds the lock; one the login cannot create a lock in refuses the
/// work with a message naming the setting, and nothing runs.
#[test]
fn the_lock_lives_in_lock_dir_and_an_unusable_one_refuses() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let locks = tempfile::tempdir().unwrap();
    std::fs::create_dir(marks.path().join("old")).unwrap();
    let t = site(&sshd, &sshd.known_hosts());
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(
            "settings:\n",
            &format!("settings:\n  lock_dir: {}/\n", locks.path().display()),
        );
    let lock = locks.path().join("opsguard.lock");
    let run = t
        .file("inventory.yaml", inventory.clone())
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!(
                "test -d {} && rm -rf {}/old",
                lock.display(),
                marks.path().display()
            ),
        ])
        .status(0);
    assert!(!marks.path().join("old").exists());
    assert!(!lock.exists());
    let r = records(run.path());
    let acquired = first_record(&r, "lock.acquire");
    assert_eq!(acquired["path"], lock.to_str().unwrap());

    // The host's own lock_dir wins over settings; a folder that cannot be
    // made refuses before anything runs.
    std::fs::create_dir(marks.path().join("old")).unwrap();
    let inventory = inventory.replace(
        "groups: [all]}", "groups: [all], lock_dir: /nonexistent-opsguard/locks}",
    );
    let run = site(&sshd, &sshd.known_hosts())
        .file("inventory.yaml", inventory)
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!("rm -rf {}/old", marks.path().display()),
        ])
        .status(3);
    assert!(marks.path().join("old").exists(), "nothing ran");
    assert!(
        run.stderr
            .contains("cannot create the lock /nonexistent-opsguard/locks/opsguard.lock as root")
            && run
                .stderr
                .contains("set lock_dir (on the host or in settings)"),
        "{}",
        run.stderr
    );
    let r = records(run.path());
    assert!(!r.iter().any(|r| r["event"] == "command.start"));
}

/// `~/.ssh/config` as a site has it: an alias with its address, port,
/// key and known_hosts file, as `ssh db-alias` would read it.
fn alias_config(sshd: &Sshd, t: &Test, port: u16) -> String {
    format!(
        "# the site's config\nHost db-*\n  HostName {}\n  Port {port}\n  IdentityFile {}\n  \
         IdentitiesOnly yes\n  UserKnownHostsFile {}\n  StrictHostKeyChecking accept-new\n\
         Host *\n  ServerAliveInterval 20\n",
        sshd.addrs[0],
        sshd.key().display(),
        t.path().join("known_hosts").display()
    )
}

/// An inventory that names hosts by their ssh_config aliases only.
const ALIASES: &str = "hosts:\n  db-alias: {role: backup}\n";

/// A site whose one host, `db-alias`, is known by `known_hosts` and
/// reached as `config` (made knowing the test's folder) says, from
/// `home/.ssh/config`; `settings` are the inventory's settings lines.
fn alias_site(
    known_hosts: impl AsRef<[u8]>,
    config: impl FnOnce(&Test) -> String,
    settings: &str,
) -> Test {
    let t = Test::new();
    let config = config(&t);
    let inventory = match settings {
        "" => ALIASES.to_string(),
        lines => format!("settings:\n{lines}{ALIASES}"),
    };
    t.file("known_hosts", known_hosts)
        .file("home/.ssh/config", config)
        .file("inventory.yaml", inventory)
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
}

#[test]
fn a_host_named_by_its_ssh_config_alias_is_reached_as_ssh_would() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let run = alias_site(
        sshd.known_hosts(),
        |t| alias_config(&sshd, t, sshd.port),
        "",
    )
    .args(["exec", "db-alias", "--", &mark(marks.path())])
    .status(0);
    assert!(seen(marks.path(), &sshd.addrs[0].to_string()));
    // Asking not to check host keys is refused with a warning, never obeyed.
    assert!(
        run.stderr.contains(
            "warning: db-alias: ssh_config: `StrictHostKeyChecking accept-new` is ignored"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn ssh_config_never_weakens_host_key_checks_and_the_inventory_wins() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    // A wrong port in ssh_config, the right one in the inventory: the
    // inventory's value is the one used.
    let t = Test::new();
    let config = alias_config(&sshd, &t, 1);
    t.file("known_hosts", sshd.known_hosts())
        .file("ssh/site.conf", config.clone())
        .file(
            "inventory.yaml",
            format!(
                "settings:\n  ssh_config: ssh/site.conf\nhosts:\n  db-alias: {{role: backup, port: {}}}\n",
                sshd.port
            ),
        )
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .args(["exec", "db-alias", "--", &mark(marks.path())])
        .status(0);
    assert!(seen(marks.path(), &sshd.addrs[0].to_string()));

    // `accept-new` with an empty known_hosts: still refused.
    let run = alias_site("", |t| alias_config(&sshd, t, sshd.port), "")
        .args(["exec", "db-alias", "--", "true"])
        .status(1);
    assert!(run.stderr.contains("host key not known"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(run.path().join("known_hosts")).unwrap(),
        ""
    );

    // `ssh_config: none` reads no file: the alias is then just a name.
    let t = Test::new();
    let config = alias_config(&sshd, &t, sshd.port);
    let run = t
        .file("home/.ssh/config", config)
        .file(
            "inventory.yaml",
            format!("settings:\n  ssh_config: none\n{ALIASES}"),
        )
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .args(["exec", "db-alias", "--", "true"])
        .status(1);
    assert!(run.stderr.contains("cannot resolve"), "{}", run.stderr);
}

/// A site's config for a target behind a bastion: both servers' keys and
/// host keys, the target reached through `ProxyJump`.
fn jump_config(bastion: &Sshd, target: &Sshd, t: &Test) -> String {
    format!(
        "Host db-*\n  HostName {}\n  Port {}\n  ProxyJump root@{}:{}\n\
         Host *\n  IdentityFile {}\n  IdentityFile {}\n  UserKnownHostsFile {}\n",
        target.addrs[0],
        target.port,
        bastion.addrs[0],
        bastion.port,
        bastion.key().display(),
        target.key().display(),
        t.path().join("known_hosts").display()
    )
}

/// A host whose ssh_config asks for a jump host goes to the system ssh,
/// with a note, and is reached through the bastion (whose log shows the
/// login); a bastion that does not forward makes it fail, and nothing
/// runs.
#[test]
fn a_host_behind_a_jump_host_is_reached_through_it_with_the_system_ssh() {
    let bastion = Sshd::start(1);
    let target = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    let run = alias_site(
        bastion.known_hosts() + &target.known_hosts(),
        |t| jump_config(&bastion, &target, t),
        "  ssh_config: home/.ssh/config\n",
    )
    .args(["exec", "db-alias", "--", &mark(marks.path())])
    .status(0);
    assert!(seen(marks.path(), &target.addrs[0].to_string()));
    assert!(
        run.stderr
            .contains("/home/.ssh/config:4: ssh_config asks for jump hosts (`proxyjump root@")
            && run
                .stderr
                .contains("connecting with the system ssh (connection: openssh)"),
        "{}",
        run.stderr
    );
    assert_eq!(bastion.logins(), 1, "the bastion carried the connection");
    assert_eq!(target.logins(), 1);

    let closed = Sshd::start_with(1, "AllowTcpForwarding no\n");
    let marks = tempfile::tempdir().unwrap();
    let run = alias_site(
        closed.known_hosts() + &target.known_hosts(),
        |t| jump_config(&closed, &target, t),
        "  ssh_config: home/.ssh/config\n",
    )
    .args(["exec", "db-alias", "--", &mark(marks.path())])
    .status(1);
    assert!(!seen(marks.path(), &target.addrs[0].to_string()));
    assert!(
        run.stderr
            .contains("db-alias [BACKUP] unreachable: db-alias: "),
        "{}",
        run.stderr
    );
    assert_eq!(target.logins(), 1, "no login through the closed bastion");
}

/// `connection: openssh`: the system ssh, with one control master for
/// the commands of a run, host keys still checked strictly, and the same
/// stop at a timeout.
#[test]
fn connection_openssh_runs_through_one_control_master_and_checks_host_keys() {
    let sshd = Sshd::start(1);
    let marks = tempfile::tempdir().unwrap();
    std::fs::create_dir(marks.path().join("old")).unwrap();
    // The test's site, every SSH host through the system ssh.
    let openssh = |known_hosts: &str| {
        let t = site(&sshd, known_hosts);
        let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
            .unwrap()
            .replace(
                "settings:\n", "settings:\n  connection: openssh\n  ssh_config: none\n",
            )
            .replace(
                "groups: [all]}", "groups: [all], replication_check: 'true'}",
            );
        t.file("inventory.yaml", inventory)
    };
    let run = openssh(&sshd.known_hosts())
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!("rm -rf {}/old && echo gone", marks.path().display()),
        ])
        .status(0);
    assert_eq!(run.stdout, "gone\n");
    assert!(!marks.path().join("old").exists());
    // The check, the lock, the command and the release: one login.
    assert_eq!(sshd.logins(), 1);
    let r = records(run.path());
    assert!(
        r.iter()
            .any(|r| r["event"] == "lock.release" && r["error"].is_null())
    );

    let run = openssh("").args(["exec", "s1", "--", "true"]).status(1);
    assert!(
        run.stderr.contains("Host key verification failed"),
        "{}",
        run.stderr
    );

    let run = openssh(&sshd.known_hosts())
        .args([
            "exec", "s1", "--timeout", "1s", "--", "sleep 41; echo survived",
        ])
        .status(1);
    assert!(!run.stdout.contains("survived"));
    assert!(run.stderr.contains("timeout"), "{}", run.stderr);
    assert!(
        support::running(&["-f", "sleep 41"]).is_empty(),
        "the command outlived its timeout"
    );
}

/// `IdentitiesOnly yes`: of the agent's keys, only those of the identity
/// files are offered, as ssh does; without it every agent key is.
#[test]
fn identities_only_limits_the_agent_to_the_identity_files() {
    let sshd = Sshd::start(1);
    let t = Test::new();
    keygen(&t.path().join("other"), "");
    let agent = Agent::start(t.path());
    agent.add(&sshd.key());
    let run = |only: &str, status: i32| {
        let r = Test::new();
        let config = format!(
            "Host db-*\n  HostName {}\n  Port {}\n  IdentityFile {}\n  IdentitiesOnly {only}\n  \
             UserKnownHostsFile {}\n",
            sshd.addrs[0],
            sshd.port,
            t.path().join("other").display(),
            r.path().join("known_hosts").display()
        );
        r.file("known_hosts", sshd.known_hosts())
            .file("home/.ssh/config", config)
            .file("inventory.yaml", ALIASES)
            .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
            .env("OPSGUARD_INVENTORY", "inventory.yaml")
            .env("SSH_AUTH_SOCK", agent.sock.to_str().unwrap())
            .args(["exec", "db-alias", "--", "echo in"])
            .status(status)
    };
    run("no", 0).stdout_has("in");
    let refused = run("yes", 1);
    assert!(
        refused.stderr.contains(
            "authentication as `root` failed: the server accepted none of: 0 ssh-agent identities \
             (1 more not offered: IdentitiesOnly yes)"
        ),
        "{}",
        refused.stderr
    );
}

/// `become`: every command on the host, the replication check and the
/// lock included, runs as that user through `sudo -n`; `--become` says it
/// for one run; the records name the user.
#[test]
fn become_runs_the_command_the_check_and_the_lock_as_that_user() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(
            "groups: [all]}",
            "groups: [all], become: nobody, replication_check: 'test \"$(id -un)\" = nobody'}",
        );
    let t = t.file("inventory.yaml", inventory);
    let lock = "/run/lock/opsguard.lock";
    let run = t
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!("id -un; stat -c %U {lock}; rm -rf /nonexistent-opsguard-x"),
        ])
        .status(0);
    assert_eq!(run.stdout, "nobody\nnobody\n", "{}", run.stderr);
    let r = records(run.path());
    let start = first_record(&r, "command.start");
    assert_eq!(start["become"], "nobody");
    assert!(
        r.iter()
            .any(|r| r["event"] == "guard.check" && r["ok"] == true)
    );

    // --become for one run, over the inventory's.
    let sshd_inventory = sshd.inventory("backup", Path::new("known_hosts"));
    let run = Test::new()
        .file("known_hosts", sshd.known_hosts())
        .file("inventory.yaml", sshd_inventory.clone())
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .args(["exec", "s1", "--become", "nobody", "--", "id -un"])
        .status(0);
    assert_eq!(run.stdout, "nobody\n");
    // Without it, the login's own user; no `become` in the record.
    let run = Test::new()
        .file("known_hosts", sshd.known_hosts())
        .file("inventory.yaml", sshd_inventory)
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .args(["exec", "s1", "--", "id -un"])
        .status(0);
    assert_eq!(run.stdout, "root\n");
    assert!(first_record(&records(run.path()), "command.start")["become"].is_null());
}

/// A site's maintenance login is not root: it logs in with its key, and
/// the command, the replication check and the lock run as the become
/// user through its NOPASSWD sudo (scripts/test makes `opsguard-nopw`,
/// which may become only `nobody`); a user it may not become is refused
/// by `sudo -n` at once, and nothing runs.
#[test]
fn a_non_root_login_with_nopasswd_sudo_runs_everything_as_its_become_user() {
    let sshd = Sshd::start(1);
    let locks = tempfile::tempdir().unwrap();
    std::fs::set_permissions(locks.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let inventory = |become_user: &str| {
        sshd.inventory("backup", Path::new("known_hosts"))
            .replace("settings:\n", "settings:\n  user: opsguard-nopw\n")
            .replace(
                "groups: [all]}",
                &format!(
                    "groups: [all], become: {become_user}, lock_dir: {}, \
                     replication_check: 'test \"$(id -un)\" = {become_user}'}}",
                    locks.path().display()
                ),
            )
    };
    let site = |become_user: &str| {
        Test::new()
            .file("known_hosts", sshd.known_hosts())
            .file("inventory.yaml", inventory(become_user))
            .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
            .env("OPSGUARD_INVENTORY", "inventory.yaml")
    };
    let lock = locks.path().join("opsguard.lock");
    let run = site("nobody")
        .args([
            "exec",
            "s1",
            "--confirm-role",
            "backup",
            "--",
            &format!(
                "id -un; stat -c %U {}; rm -rf /nonexistent-opsguard-x",
                lock.display()
            ),
        ])
        .status(0);
    assert_eq!(run.stdout, "nobody\nnobody\n", "{}", run.stderr);
    let r = records(run.path());
    let start = first_record(&r, "command.start");
    assert_eq!(
        (start["become"].as_str(), start["login"].as_str()),
        (
            Some("nobody"),
            Some(format!("opsguard-nopw@{}:{}", sshd.addrs[0], sshd.port).as_str())
        )
    );
    assert!(
        r.iter()
            .any(|r| r["event"] == "guard.check" && r["ok"] == true)
    );

    // Without become, the login's own user.
    let run = site("false").args(["exec", "s1", "--", "id -un"]).status(0);
    assert_eq!(run.stdout, "opsguard-nopw\n");

    // A user its sudo does not allow: refused without a prompt.
    let marks = tempfile::tempdir().unwrap();
    let run = site("false")
        .args(["exec", "s1", "--become", "root", "--", &mark(marks.path())])
        .status(1);
    assert!(!seen(marks.path(), &sshd.addrs[0].to_string()));
    assert!(run.stderr.contains("sudo"), "{}", run.stderr);
}

/// A command run through sudo is still stopped on the server when its
/// time is up: the watcher runs as the become user too.
#[test]
fn a_become_command_is_stopped_on_the_server_at_its_timeout() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    let run = t
        .args([
            "exec", "s1", "--become", "nobody", "--timeout", "1s", "--", "sleep 37; echo survived",
        ])
        .status(1);
    assert!(!run.stdout.contains("survived"));
    let left = support::running(&["-u", "nobody", "-f", "sleep 37"]);
    assert!(left.is_empty(), "still running as nobody: {left}");
}

/// `ssh-keygen -s CA -I ID [-h] -n PRINCIPALS KEY.pub`: KEY-cert.pub.
fn sign(ca: &Path, id: &str, host: bool, principals: &str, key: &Path) {
    let mut c = Command::new("ssh-keygen");
    c.arg("-q").arg("-s").arg(ca).args(["-I", id]);
    if host {
        c.arg("-h");
    }
    c.args(["-n", principals]).arg(key);
    must(&mut c);
}

/// A host known only through `@cert-authority` is reached with the system
/// ssh, which checks its certificate: signed by that CA it connects; a
/// line naming another CA refuses it.
#[test]
fn a_host_known_by_its_certificate_is_checked_by_the_system_ssh() {
    let cas = tempfile::tempdir().unwrap();
    let (host_ca, other_ca) = (cas.path().join("host_ca"), cas.path().join("other_ca"));
    keygen(&host_ca, "");
    keygen(&other_ca, "");
    let sshd = Sshd::start_prepared(1, |d| {
        sign(
            &host_ca,
            "test-host",
            true,
            "127.0.0.2",
            &d.join("host_key.pub"),
        );
        format!(
            "HostCertificate {}\n",
            d.join("host_key-cert.pub").display()
        )
    });
    let authority = |ca: &Path| {
        let key = std::fs::read_to_string(ca.with_extension("pub")).unwrap();
        format!("@cert-authority * {}", key.trim())
    };
    let run = site(&sshd, &authority(&host_ca))
        .args(["exec", "s1", "--", "echo through the certificate"])
        .status(0);
    assert_eq!(run.stdout, "through the certificate\n");
    assert!(
        run.stderr
            .contains("is known through its host certificate (@cert-authority at ")
            && run.stderr.contains("connecting with the system ssh"),
        "{}",
        run.stderr
    );
    let run = site(&sshd, &authority(&other_ca))
        .args(["exec", "s1", "--", "echo never"])
        .status(1);
    assert!(!run.stdout.contains("never"));
    assert!(
        run.stderr.contains("Host key verification failed"),
        "{}",
        run.stderr
    );
}

/// A user certificate beside the identity file (KEY-cert.pub) logs in
/// where the server trusts its CA and not the key itself.
#[test]
fn a_user_certificate_logs_in_where_only_its_ca_is_trusted() {
    let cas = tempfile::tempdir().unwrap();
    let user_ca = cas.path().join("user_ca");
    keygen(&user_ca, "");
    let sshd = Sshd::start_with(
        1,
        &format!(
            "TrustedUserCAKeys {}\n",
            user_ca.with_extension("pub").display()
        ),
    );
    let keys = tempfile::tempdir().unwrap();
    let alice = keys.path().join("alice");
    keygen(&alice, "");
    let inventory = |t: &Test| {
        std::fs::read_to_string(t.path().join("inventory.yaml"))
            .unwrap()
            .replace(sshd.key().to_str().unwrap(), alice.to_str().unwrap())
    };
    // Without the certificate the key alone is refused.
    let t = site(&sshd, &sshd.known_hosts());
    let text = inventory(&t);
    let run = t
        .file("inventory.yaml", text)
        .args(["exec", "s1", "--", "echo in"])
        .status(1);
    assert!(
        run.stderr.contains("authentication as `root` failed"),
        "{}",
        run.stderr
    );

    sign(
        &user_ca,
        "alice",
        false,
        "root",
        &alice.with_extension("pub"),
    );
    let t = site(&sshd, &sshd.known_hosts());
    let text = inventory(&t);
    let run = t
        .file("inventory.yaml", text)
        .args(["exec", "s1", "--", "echo in"])
        .status(0);
    assert_eq!(run.stdout, "in\n");
    assert!(
        run.stderr
            .contains("alice-cert.pub, which only the system ssh offers"),
        "{}",
        run.stderr
    );
    // The record names the certificate that logged in, by its key id.
    let auth = first_record(&records(run.path()), "command.start")["auth"].clone();
    assert!(
        auth.as_str()
            .is_some_and(|a| a.starts_with("SHA256:") && a.ends_with("certificate \"alice\")")),
        "{auth}"
    );

    // From the agent (ssh-add loads the certificate beside the key), with
    // no identity file: libssh2 offers it like any agent identity.
    let t = site(&sshd, &sshd.known_hosts());
    let agent = Agent::start(t.path());
    agent.add(&alice);
    let listed = must(
        Command::new("ssh-add")
            .arg("-l")
            .env("SSH_AUTH_SOCK", &agent.sock),
    );
    assert!(listed.contains("(ED25519-CERT)"), "{listed}");
    let text = inventory(&t).replace(&format!("  identity_files: [{}]\n", alice.display()), "");
    let run = t
        .file("inventory.yaml", text)
        .env("SSH_AUTH_SOCK", agent.sock.to_str().unwrap())
        .env("HOME", "/nonexistent")
        .args(["exec", "s1", "--", "echo in"])
        .status(0);
    assert_eq!(run.stdout, "in\n");
    assert!(!run.stderr.contains("system ssh"), "{}", run.stderr);
}

/// `command.start` names the connection: the login, the host key's
/// fingerprint and the key that logged in (libssh2), or the login and
/// the jump hosts as the system ssh resolves them.
#[test]
fn command_records_name_the_login_the_host_key_and_the_key() {
    let sshd = Sshd::start(1);
    let run = site(&sshd, &sshd.known_hosts())
        .args(["exec", "s1", "--", "true"])
        .status(0);
    let start = first_record(&records(run.path()), "command.start");
    let print = |file: &Path| {
        must(Command::new("ssh-keygen").arg("-lf").arg(file))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(
        start["login"],
        format!("root@{}:{}", sshd.addrs[0], sshd.port)
    );
    assert_eq!(start["host_key"], print(&sshd.path().join("host_key.pub")));
    assert_eq!(
        start["auth"],
        format!(
            "{} ({})",
            print(&sshd.key().with_extension("pub")),
            sshd.key().display()
        )
    );
    assert!(start.get("via").is_none());
    let end = first_record(&records(run.path()), "command.end");
    assert_eq!(end["login"], start["login"]);

    // Through a bastion, with the system ssh: the host key and the key
    // as ssh's login said them; a second run over the same master, which
    // says nothing of its login, records what it said when it started.
    let target = Sshd::start(1);
    let state = tempfile::tempdir().unwrap();
    let state = state.path().display().to_string();
    let first = alias_site(
        sshd.known_hosts() + &target.known_hosts(),
        |t| jump_config(&sshd, &target, t),
        "  ssh_config: home/.ssh/config\n",
    )
    .env("XDG_STATE_HOME", &state)
    .args(["exec", "db-alias", "--", "true"])
    .status(0);
    // The same site again, from the first run's folder.
    Test::new()
        .cwd(first.path())
        .env("HOME", &first.path().join("home").display().to_string())
        .env("XDG_STATE_HOME", &state)
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .args(["exec", "db-alias", "--", "true"])
        .status(0);
    assert_eq!(target.logins(), 1, "the second run used the master");
    let starts: Vec<_> = records_of(first.path(), "command.start");
    assert_eq!(starts.len(), 2);
    for start in &starts {
        assert_eq!(
            start["login"],
            format!("root@{}:{}", target.addrs[0], target.port)
        );
        // As ssh writes the jump (`ssh -G`).
        assert_eq!(
            start["via"],
            serde_json::json!([format!("root@[{}]:{}", sshd.addrs[0], sshd.port)])
        );
        assert_eq!(
            start["host_key"],
            print(&target.path().join("host_key.pub"))
        );
        assert_eq!(
            start["auth"],
            format!(
                "{} ({})",
                print(&target.key().with_extension("pub")),
                target.key().display()
            )
        );
    }
}

/// A step's `become` runs that step's command as its user; the plan
/// shows it, the records name it, and a step with `become` on a local
/// host is refused at validation.
#[test]
fn a_step_with_become_runs_as_its_user() {
    let sshd = Sshd::start(1);
    let playbook = "name: who\ndescription: who runs each step\nhosts: s1\nsteps:\n  - name: me\n    run: id -un\n  - name: them\n    run: id -un\n    become: nobody\n";
    let t = site(&sshd, &sshd.known_hosts()).file("who.yaml", playbook);
    let plan = t.args(["plan", "who.yaml"]).status(0);
    assert!(
        plan.stdout
            .contains("  as:     nobody (become, through sudo -n)"),
        "{}",
        plan.stdout
    );
    let run = site(&sshd, &sshd.known_hosts())
        .file("who.yaml", playbook)
        .args(["run", "who.yaml", "--format", "json"])
        .status(0);
    let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let said: Vec<&str> = out[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stdout"].as_str().unwrap())
        .collect();
    assert_eq!(said, ["root\n", "nobody\n"], "{}", run.stdout);
    let starts: Vec<serde_json::Value> = records(run.path())
        .into_iter()
        .filter(|r| r["event"] == "command.start")
        .map(|r| r["become"].clone())
        .collect();
    assert_eq!(starts, [serde_json::Value::Null, "nobody".into()]);

    let local = "hosts:\n  l1: {role: backup, connection: local, workdir: .}\n";
    Test::new()
        .file("inventory.yaml", local)
        .file(
            "who.yaml",
            "name: who\ndescription: d\nhosts: l1\nsteps:\n  - name: them\n    run: id -un\n    become: nobody\n",
        )
        .args(["-i", "inventory.yaml", "validate", "who.yaml"])
        .status(2)
        .stdout_has("step `them` has `become` but runs on `l1`, a local host");
}

/// A state folder too long for a socket path (ssh's control sockets live
/// at most 107 bytes deep) falls back to a short private folder.
#[test]
fn the_system_ssh_works_from_a_deep_state_folder() {
    let sshd = Sshd::start(1);
    let t = site(&sshd, &sshd.known_hosts());
    let deep = t.path().join("state").join("a".repeat(60));
    let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
        .unwrap()
        .replace(
            "settings:\n", "settings:\n  connection: openssh\n  ssh_config: none\n",
        );
    t.file("inventory.yaml", inventory)
        .env("XDG_STATE_HOME", deep.to_str().unwrap())
        .args(["exec", "s1", "--", "echo deep"])
        .status(0)
        .stdout_has("deep");
}

/// RSA and ECDSA client keys log in from identity files, as Ed25519 ones
/// do, and the record names the key that did.
#[test]
fn rsa_and_ecdsa_identity_files_log_in() {
    let sshd = Sshd::start(1);
    let keys = tempfile::tempdir().unwrap();
    for (kind, bits) in [("rsa", "3072"), ("ecdsa", "256")] {
        let key = keys.path().join(kind);
        must(
            Command::new("ssh-keygen")
                .args(["-q", "-t", kind, "-b", bits, "-N", "", "-f"])
                .arg(&key),
        );
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        let authorized = sshd.path().join("authorized_keys");
        let mut all = std::fs::read_to_string(&authorized).unwrap();
        all.push_str(&public);
        std::fs::write(&authorized, all).unwrap();
        let t = site(&sshd, &sshd.known_hosts());
        let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
            .unwrap()
            .replace(sshd.key().to_str().unwrap(), key.to_str().unwrap());
        let run = t
            .file("inventory.yaml", inventory)
            .args(["exec", "s1", "--", &format!("echo {kind}")])
            .status(0);
        assert_eq!(run.stdout, format!("{kind}\n"));
        let start = first_record(&records(run.path()), "command.start");
        assert!(
            start["auth"]
                .as_str()
                .unwrap()
                .ends_with(&format!("({})", key.display())),
            "{start}"
        );
    }
}

/// A `Match exec` that hangs does not hang opsguard: ssh's evaluation of
/// the configuration is bounded by `connect_timeout`, as the login is.
#[test]
fn a_hanging_match_exec_is_given_up_after_connect_timeout() {
    let sshd = Sshd::start(1);
    let started = Instant::now();
    let run = alias_site(
        sshd.known_hosts(),
        |t| {
            format!(
                "Match exec \"sleep 61\"\n  User nobody\n{}",
                alias_config(&sshd, t, sshd.port)
            )
        },
        "  ssh_config: home/.ssh/config\n  connect_timeout: 1s\n",
    )
    .args(["exec", "db-alias", "--", "echo never"])
    .status(1);
    assert!(!run.stdout.contains("never"));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.contains("which only the system ssh can judge"),
        "{}",
        run.stderr
    );
    // What ssh started for it went with it.
    let left = support::running(&["-f", "sleep 61"]);
    assert!(left.is_empty(), "{left}");
}

/// A control master checked against one inventory's known_hosts is never
/// used with another's: the socket's name carries the options.
#[test]
fn a_master_is_not_reused_under_other_known_hosts() {
    let sshd = Sshd::start(1);
    let state = tempfile::tempdir().unwrap();
    let openssh = |known_hosts: &str| {
        let t = site(&sshd, known_hosts);
        let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
            .unwrap()
            .replace(
                "settings:\n", "settings:\n  connection: openssh\n  ssh_config: none\n",
            );
        t.file("inventory.yaml", inventory)
            .env("XDG_STATE_HOME", state.path().to_str().unwrap())
    };
    openssh(&sshd.known_hosts())
        .args(["exec", "s1", "--", "true"])
        .status(0);
    let run = openssh("")
        .args(["exec", "s1", "--", "echo reused"])
        .status(1);
    assert!(!run.stdout.contains("reused"));
    assert!(
        run.stderr.contains("Host key verification failed"),
        "{}",
        run.stderr
    );
}

/// A site whose hosts are behind jump hosts named in the inventory: the
/// bastion as an inventory host, reached directly, and `targets` (host
/// name, its server and address index) behind `jump`.
fn jump_site(servers: &[&Sshd], bastion: &Sshd, targets: &[(&str, &Sshd, usize, &str)]) -> Test {
    let t = Test::new();
    let keys: Vec<String> = servers
        .iter()
        .map(|s| s.key().display().to_string())
        .collect();
    let mut inventory = format!(
        "settings:\n  ssh_config: none\n  user: root\n  identity_files: [{}]\n  known_hosts: known_hosts\n  \
         connect_timeout: 3s\n  jump: bastion\nhosts:\n  bastion: {{address: {}, port: {}, role: backup}}\n",
        keys.join(", "),
        bastion.addrs[0],
        bastion.port
    );
    for (name, server, i, jump) in targets {
        inventory.push_str(&format!(
            "  {name}: {{address: {}, port: {}, role: backup{jump}}}\n",
            server.addrs[*i], server.port
        ));
    }
    let known: String = servers.iter().map(|s| s.known_hosts()).collect();
    t.file("known_hosts", known)
        .file("inventory.yaml", inventory)
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
}

/// `jump:` in the inventory: every target behind a bastion is reached
/// through one login to it, each hop of a chain is logged in to once,
/// and the records name the hops.
#[test]
fn targets_behind_jump_hosts_share_one_login_to_each_hop() {
    let bastion = Sshd::start(1);
    let inner = Sshd::start(1);
    let target = Sshd::start(3);
    let marks = tempfile::tempdir().unwrap();
    let servers = [&bastion, &inner, &target];
    let chain = format!(
        ", jump: [bastion, \"root@{}:{}\"]",
        inner.addrs[0], inner.port
    );
    let run = jump_site(
        &servers,
        &bastion,
        &[
            ("s1", &target, 0, ""),
            ("s2", &target, 1, ""),
            ("s3", &target, 2, &chain),
        ],
    )
    .args(["exec", "s1,s2", "--", &mark(marks.path())])
    .status(0);
    assert!(seen(marks.path(), &target.addrs[0].to_string()));
    assert!(seen(marks.path(), &target.addrs[1].to_string()));
    assert_eq!(bastion.logins(), 1, "one login to the bastion for both");
    assert_eq!(target.logins(), 2);
    let starts: Vec<_> = records_of(run.path(), "command.start");
    assert_eq!(starts.len(), 2);
    for start in &starts {
        assert_eq!(start["via"], serde_json::json!(["bastion"]));
    }

    // Two hops: the bastion, then the inner one, each logged in to once;
    // the bastion as a target is reached directly, with a login of its
    // own.
    let run = jump_site(&servers, &bastion, &[("s3", &target, 2, &chain)])
        .args(["exec", "s3,bastion", "--", &mark(marks.path())])
        .status(0);
    assert!(seen(marks.path(), &target.addrs[2].to_string()));
    assert_eq!((bastion.logins(), inner.logins()), (1 + 2, 1));
    let start = first_record(&records(run.path()), "command.start");
    let vias: Vec<_> = records(run.path())
        .into_iter()
        .filter(|r| r["event"] == "command.start")
        .map(|r| (r["host"].clone(), r["via"].clone()))
        .collect();
    assert!(
        vias.contains(&(
            "s3".into(),
            serde_json::json!(["bastion", format!("root@{}:{}", inner.addrs[0], inner.port)])
        )) && vias.contains(&("bastion".into(), serde_json::Value::Null)),
        "{vias:?} {start}"
    );
}

/// A jump host that does not answer fails every target behind it, each
/// reported on its own and recorded with the login and the hops tried,
/// after one attempt at the jump host.
#[test]
fn a_jump_host_that_does_not_answer_fails_each_target_after_one_attempt() {
    let target = Sshd::start(2);
    // Takes connections and never speaks.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = accepted.clone();
    std::thread::spawn(move || {
        for stream in silent.incoming().flatten() {
            kept.lock().unwrap().push(stream);
        }
    });
    let jump = format!(", jump: \"root@127.0.0.1:{port}\"");
    let run = jump_site(
        &[&target],
        &target,
        &[("s1", &target, 0, &jump), ("s2", &target, 1, &jump)],
    )
    .args(["exec", "s1,s2", "--", "true"])
    .status(1);
    for host in ["s1", "s2"] {
        assert!(
            run.stderr.contains(&format!(
                "{host} [BACKUP] unreachable: {host}: jump host root@127.0.0.1:{port}: "
            )),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        accepted.lock().unwrap().len(),
        1,
        "one attempt at the jump host"
    );
    assert_eq!(target.logins(), 0);
    let unreachable: Vec<_> = records_of(run.path(), "host.unreachable");
    assert_eq!(unreachable.len(), 2);
    for r in &unreachable {
        assert_eq!(
            r["via"],
            serde_json::json!([format!("root@127.0.0.1:{port}")])
        );
        assert!(
            r["login"].as_str().is_some_and(
                |l| l.starts_with("root@127.0.0.") && l.ends_with(&format!(":{}", target.port))
            ),
            "{r}"
        );
    }
}

/// Before a command not known to be safe, the SSH host's own syslog gets
/// a line (`logger -t opsguard`) naming the session, the operator, the
/// command's record and the command, so the host remembers who changed it;
/// a safe command leaves none. (The test's host writes to a socket the
/// test listens on.)
#[test]
fn the_host_keeps_its_own_trail_of_commands_not_known_to_be_safe() {
    let sshd = Sshd::start(1);
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let syslog = support::Syslog::bind(&socket);
    // A lock folder of its own: other tests lock in /run/lock at once.
    let with = |setting: &str| {
        let t = site(&sshd, &sshd.known_hosts());
        let inventory = std::fs::read_to_string(t.path().join("inventory.yaml"))
            .unwrap()
            .replace(
                "settings:\n",
                &format!(
                    "settings:\n  host_syslog: {setting}\n  lock_dir: {}\n",
                    dir.path().display()
                ),
            );
        t.file("inventory.yaml", inventory)
    };
    let command = "rm -rf /nonexistent-opsguard-trail";
    let run = with(&format!("unix:{}", socket.display()))
        .args(["exec", "s1", "--confirm-role", "backup", "--", command])
        .status(0);
    let start = first_record(&records(run.path()), "command.start");
    syslog.assert_trail(&start, command);

    with(&format!("unix:{}", socket.display()))
        .args(["exec", "s1", "--", "df -h"])
        .status(0);
    assert_eq!(syslog.heard(1000), None, "nothing for a safe command");
}
