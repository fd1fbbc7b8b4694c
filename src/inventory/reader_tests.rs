//! Table tests of the inventory reader: each problem with its code and
//! exact line:column.

use std::path::Path;

use super::*;
use crate::diagnostic::Code;

fn problems(files: &[(&str, &str)]) -> Vec<(String, u32, u32, Code, String)> {
    let mut report = Report::default();
    let mut reader = schema::Reader::default();
    for (name, text) in files {
        reader.read_file((*name).into(), Path::new(name), text, &mut report);
    }
    reader.finish(&mut report);
    report.sort();
    report
        .items
        .into_iter()
        .map(|d| {
            (
                d.loc.file.to_string(),
                d.loc.pos.line,
                d.loc.pos.column,
                d.code,
                d.message,
            )
        })
        .collect()
}

fn one(text: &str) -> Vec<(u32, u32, Code)> {
    problems(&[("inv.yaml", text)])
        .into_iter()
        .map(|(_, l, c, code, _)| (l, c, code))
        .collect()
}

#[test]
fn each_problem_at_its_place() {
    for (text, want) in [
        (
            "hosts:\n  a: {role: live, colour: red}\n",
            vec![(2, 19, Code::E002)],
        ),
        (
            "hosts:\n  a:\n    rol: live\n",
            vec![(2, 3, Code::E003), (3, 5, Code::E002)],
        ),
        ("hosts:\n  a: {}\n", vec![(2, 3, Code::E003)]),
        ("hosts:\n  a: {role: prod}\n", vec![(2, 13, Code::E004)]),
        (
            "hosts:\n  a: {role: live}\n  a: {role: backup}\n",
            vec![(3, 3, Code::E005)],
        ),
        (
            "settings:\n  port: 22\n  port: 23\nhosts:\n  a: {role: live}\n",
            vec![(3, 3, Code::E005)],
        ),
        (
            "hosts:\n  a: {role: live, mirror: b}\n",
            vec![(2, 27, Code::E012)],
        ),
        (
            "hosts:\n  a: {role: live, mirror: a}\n",
            vec![(2, 27, Code::E004)],
        ),
        (
            "hosts:\n  a: {role: live, mirror: b}\n  b: {role: live, mirror: a}\n",
            vec![(2, 27, Code::E004)],
        ),
        (
            "hosts:\n  a: {role: live, mirror: b}\n  b: {role: backup}\n",
            vec![(2, 27, Code::E004)],
        ),
        (
            "settings:\n  connect_timeout: 10\nhosts:\n  a: {role: live}\n",
            vec![(2, 20, Code::E004)],
        ),
        (
            "settings:\n  lock_ttl: soon\nhosts:\n  a: {role: live}\n",
            vec![(2, 13, Code::E004)],
        ),
        (
            "settings:\n  port: 70000\nhosts:\n  a: {role: live}\n",
            vec![(2, 9, Code::E004)],
        ),
        (
            "settings:\n  forks: many\nhosts:\n  a: {role: live}\n",
            vec![(2, 10, Code::E004)],
        ),
        (
            "hosts:\n  a: {role: live, groups: cluster-a}\n",
            vec![(2, 27, Code::E004)],
        ),
        ("hosts:\n  a: {role: 3}\n", vec![(2, 13, Code::E004)]),
        ("hosts:\n  'a b': {role: live}\n", vec![(2, 3, Code::E004)]),
        (
            "hosts:\n  a: {role: live, connection: telnet}\n",
            vec![(2, 31, Code::E004)],
        ),
        (
            "hosts:\n  a: {role: live, connection: local}\n",
            vec![(2, 3, Code::E003)],
        ),
        (
            "hosts:\n  a: {role: live, workdir: x}\n",
            vec![(2, 28, Code::E004)],
        ),
        (
            "roles:\n  Live: {}\nhosts:\n  a: {role: Live}\n",
            vec![(2, 3, Code::E004), (4, 13, Code::E004)],
        ),
        (
            "roles:\n  live: {color: pink}\nhosts:\n  a: {role: live}\n",
            vec![(2, 17, Code::E004)],
        ),
        (
            "policy:\n  require_change: [prod]\nhosts:\n  a: {role: live}\n",
            vec![(2, 20, Code::E004)],
        ),
        (
            "policy:\n  windows:\n    live: [\"tue 22:00-02:00\"]\nhosts:\n  a: {role: live}\n",
            vec![(3, 12, Code::E004)],
        ),
        (
            "policy:\n  freeze:\n    - {from: 2026-12-20T00:00:00Z, to: 2026-12-01T00:00:00Z, roles: [live]}\nhosts:\n  a: {role: live}\n",
            vec![(3, 7, Code::E004)],
        ),
        (
            "policy:\n  freeze:\n    - {from: yesterday, to: 2026-12-01T00:00:00Z, roles: [live]}\nhosts:\n  a: {role: live}\n",
            vec![(3, 14, Code::E004)],
        ),
        (
            "policy:\n  freeze:\n    - {from: 2026-12-20T00:00:00Z}\nhosts:\n  a: {role: live}\n",
            vec![(3, 7, Code::E003), (3, 7, Code::E003)],
        ),
        (
            "hosts: [a, b]\n",
            vec![(1, 8, Code::E004), (1, 1, Code::E003)],
        ),
        ("- a\n", vec![(1, 1, Code::E004), (1, 1, Code::E003)]),
        ("hosts:\n  a: {role: live\n", vec![(2, 6, Code::E001)]),
        ("", vec![(1, 1, Code::E003)]),
        ("hosts:\n\ta: {role: live}\n", vec![(2, 1, Code::E001)]),
    ] {
        let mut got = one(text);
        got.sort();
        let mut want = want;
        want.sort();
        assert_eq!(
            got,
            want,
            "\n{text}\n{:#?}",
            problems(&[("inv.yaml", text)])
        );
    }
}

#[test]
fn merged_folder_names_both_places() {
    let got = problems(&[
        (
            "inv/a.yaml", "settings:\n  user: ops\nhosts:\n  store-a1: {role: live}\n",
        ),
        (
            "inv/b.yaml",
            "settings:\n  user: root\nhosts:\n  x: {role: backup}\n  store-a1: {role: live}\n",
        ),
    ]);
    assert_eq!(
        got,
        vec![
            (
                "inv/b.yaml".into(),
                2,
                3,
                Code::E005,
                "setting `user` is defined twice; first at inv/a.yaml:2:3".into()
            ),
            (
                "inv/b.yaml".into(),
                5,
                3,
                Code::E005,
                "duplicate host `store-a1`; first defined at inv/a.yaml:4:3".into()
            ),
        ]
    );
}

#[test]
fn suggestions_in_messages() {
    let got = problems(&[("i.yaml", "hosts:\n  a: {role: bakup, adress: x}\n")]);
    let mut report = Report::default();
    let mut reader = schema::Reader::default();
    reader.read_file(
        "i.yaml".into(),
        Path::new("i.yaml"),
        "hosts:\n  a: {role: bakup, adress: x}\n",
        &mut report,
    );
    reader.finish(&mut report);
    let helps: Vec<String> = report.items.iter().filter_map(|d| d.help.clone()).collect();
    assert!(
        helps.iter().any(|h| h == "did you mean `address`?"),
        "{helps:?}"
    );
    assert!(
        helps
            .iter()
            .any(|h| h.starts_with("did you mean `backup`?")),
        "{helps:?}"
    );
    assert_eq!(got.len(), 2);
}

#[test]
fn reads_a_full_inventory() {
    let inv = super::tests::inventory(
        "settings:\n  user: ops\n  port: 2222\n  forks: 8\n  command_timeout: 10m\nroles:\n  live: {protected: true, color: red}\n  backup: {color: green}\npolicy:\n  require_change: [live]\n  destructive_patterns: [\"storctl pool reinit*\"]\nhosts:\n  s1: {address: 10.0.1.11, role: live, groups: [c], mirror: s1-m}\n  s1-m: {role: live}\n  d: {connection: local, workdir: demo/d, role: backup}\n",
    );
    assert_eq!(inv.settings.user.as_deref(), Some("ops"));
    assert_eq!(inv.forks(), 8);
    assert_eq!(inv.hosts.len(), 3);
    assert_eq!(inv.hosts[0].mirror.as_deref(), Some("s1-m"));
    assert_eq!(inv.hosts[1].address, "s1-m");
    assert_eq!(
        inv.hosts[2].connection,
        Connection::Local {
            workdir: PathBuf::from("demo/d")
        }
    );
    assert!(inv.is_protected("live"));
    assert!(!inv.is_protected("backup"));
    assert_eq!(
        inv.policy.destructive_patterns,
        vec!["storctl pool reinit*"]
    );
}

#[test]
fn default_roles_when_none_declared() {
    let inv = super::tests::inventory("hosts:\n  a: {role: backup}\n");
    assert!(inv.is_protected("live"));
    assert_eq!(inv.roles.len(), 2);
}

/// Two aliases that ssh_config sends to one server (`HostName`, `Port`)
/// are one place, as ssh would reach them; without that configuration
/// (`ssh_config: none`) they are two names.
#[test]
fn one_server_under_two_aliases_and_two_roles() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ssh_config");
    std::fs::write(
        &config,
        "Host live-a1 backup-a1\n  HostName Store-A1.example.net\n  Port 2200\nHost backup-a2\n  HostName store-a1.example.net\n",
    )
    .unwrap();
    let inventory = |setting: &str| {
        format!(
            "settings:\n  ssh_config: {setting}\nhosts:\n  l1: {{address: live-a1, role: live}}\n  b1: {{address: backup-a1, role: backup}}\n  b2: {{address: backup-a2, role: backup}}\n"
        )
    };
    let found = problems(&[("inv.yaml", &inventory(&config.display().to_string()))]);
    let e006: Vec<(u32, &str)> = found
        .iter()
        .filter(|p| p.3 == Code::E006)
        .map(|p| (p.1, p.4.as_str()))
        .collect();
    // b1 is l1's server and port; b2 is that server on port 22.
    assert_eq!(e006.len(), 1, "{found:?}");
    assert_eq!(e006[0].0, 5);
    assert!(
        e006[0]
            .1
            .starts_with("host `b1` [backup] is store-a1.example.net port 2200, like `l1` [live]"),
        "{}",
        e006[0].1
    );
    let found = problems(&[("inv.yaml", &inventory("none"))]);
    assert!(!found.iter().any(|p| p.3 == Code::E006), "{found:?}");
}

#[test]
fn one_place_under_two_roles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("live")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("live"), dir.path().join("alias")).unwrap();
    let file = dir.path().join("inv.yaml");
    let file = file.to_str().unwrap();
    let text = "settings:
  port: 2222
hosts:
  l1: {connection: local, workdir: live, role: live}
  b1: {connection: local, workdir: ./live/, role: backup}
  b2: {connection: local, workdir: alias/../live/., role: backup}
  b3: {connection: local, workdir: alias, role: backup}
  l2: {connection: local, workdir: live, role: live}
  s1: {address: Store-A1, role: live}
  s2: {address: store-a1., port: 2222, role: backup}
  s3: {address: store-a1, port: 22, role: backup}
";
    let found: Vec<(u32, Code, String)> = problems(&[(file, text)])
        .into_iter()
        .map(|(_, l, _, code, m)| (l, code, m))
        .collect();
    let lines: Vec<(u32, Code)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
    // b1, b2 (the same folder however written) and b3 (a symlink to it)
    // against l1; s2 (the same name, case and root dot aside, on the
    // settings' port) against s1. l2 shares l1's role; s3 is another port.
    assert_eq!(
        lines,
        [
            (5, Code::E006),
            (6, Code::E006),
            (7, Code::E006),
            (10, Code::E006)
        ]
    );
    assert!(
        found[0].2.starts_with("host `b1` [backup] is the folder ")
            && found[0].2.ends_with(&format!(
                "/live, like `l1` [live] (defined at {file}:4:3): one place cannot have two roles"
            )),
        "{}",
        found[0].2
    );
    assert!(
        found[3]
            .2
            .contains("is store-a1 port 2222, like `s1` [live]"),
        "{}",
        found[3].2
    );
}

#[test]
fn names_shown_on_terminals_hold_no_control_characters() {
    let text = "hosts:
  a1: {address: \"10.0.0.1\\e[2J\", role: live}
  a2: {address: 10.0.0.2, user: \"ops\\r\", role: live}
  a3: {address: 10.0.0.3, role: live, groups: [\"g\\e]0;x\"]}
";
    assert_eq!(
        one(text),
        [
            (2, 17, Code::E004),
            (3, 33, Code::E004),
            (4, 47, Code::E004)
        ]
    );
}

#[test]
fn a_long_mirror_chain_and_loop_are_read_once() {
    // 8,000 hosts each mirroring the next; the last back to the first.
    let mut text = String::from("hosts:\n");
    for i in 0..8000 {
        text.push_str(&format!(
            "  h{i}: {{role: live, mirror: h{}}}\n",
            (i + 1) % 8000
        ));
    }
    let found = problems(&[("inv.yaml", &text)]);
    assert_eq!(found.len(), 1, "{:?}", &found[..found.len().min(3)]);
    let (_, line, _, code, message) = &found[0];
    assert_eq!((*line, *code), (2, Code::E004));
    assert!(
        message.starts_with("mirror loop: h0 → h1 → h2 → "),
        "{}",
        &message[..60]
    );
    assert!(message.ends_with("→ h7999 → h0"));
}

#[test]
fn lock_dir_is_a_full_path_and_settings_give_the_default() {
    let bad = problems(&[(
        "inv.yaml",
        "settings:\n  lock_dir: locks\nhosts:\n  a: {role: live, lock_dir: /srv/../etc}\n",
    )]);
    let found: Vec<(u32, Code, &str)> = bad
        .iter()
        .map(|(_, l, _, code, m)| (*l, *code, m.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                Code::E004,
                "settings.lock_dir `locks` is not a full path on the host"
            ),
            (
                4,
                Code::E004,
                "lock_dir `/srv/../etc` is not a full path on the host"
            ),
        ]
    );
    let inv = tests::inventory(
        "hosts:\n  a: {role: live, lock_dir: /var/tmp/}\n  b: {role: live}\nsettings:\n  lock_dir: /srv/locks\n",
    );
    assert_eq!(crate::lock::path(&inv.hosts[0]), "/var/tmp/opsguard.lock");
    assert_eq!(crate::lock::path(&inv.hosts[1]), "/srv/locks/opsguard.lock");
    let inv = tests::inventory("hosts:\n  a: {role: live}\n");
    assert_eq!(crate::lock::path(&inv.hosts[0]), "/run/lock/opsguard.lock");
}

#[test]
fn become_is_a_user_name_for_ssh_hosts_and_settings_give_the_default() {
    let bad = problems(&[(
        "inv.yaml",
        "settings:\n  become: Ops Team\nhosts:\n  a: {role: live}\n  l: {role: backup, connection: local, workdir: x, become: true}\n",
    )]);
    let found: Vec<(u32, &str)> = bad.iter().map(|(_, l, _, _, m)| (*l, m.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "settings.become `Ops Team` is not a user name"),
            (5, "`become` is for SSH hosts"),
        ]
    );
    let inv = tests::inventory(
        "settings:\n  become: true\nhosts:\n  a: {role: live}\n  b: {role: live, become: postgres}\n  c: {role: live, become: false}\n  l: {role: backup, connection: local, workdir: x}\n",
    );
    let users: Vec<Option<&str>> = inv.hosts.iter().map(|h| h.become_user.as_deref()).collect();
    assert_eq!(users, [Some("root"), Some("postgres"), None, None]);
}

#[test]
fn jump_names_hosts_or_logins_and_settings_give_the_default() {
    let bad = problems(&[(
        "inv.yaml",
        "settings:\n  jump: \"ok, -oProxyCommand=x\"\nhosts:\n  a: {role: live, jump: a}\n  l: {role: backup, connection: local, workdir: x, jump: b}\n  b: {role: live, jump: [l]}\n",
    )]);
    let found: Vec<(u32, &str)> = bad.iter().map(|(_, l, _, _, m)| (*l, m.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "settings.jump `-oProxyCommand=x` is not a jump host"),
            (4, "host `a` jumps through itself"),
            (5, "`jump` is for SSH hosts"),
            (
                6, "jump host `l` is a local host; a jump host is reached over SSH"
            ),
        ]
    );
    let inv = tests::inventory(
        "settings:\n  user: ops\n  jump: bastion\nhosts:\n  bastion: {role: backup, address: 10.0.0.1, port: 2200}\n  \
         a: {role: live}\n  b: {role: live, jump: none}\n  c: {role: live, jump: \"bastion, admin@[fe80::1]:22\"}\n  \
         l: {role: backup, connection: local, workdir: x}\n",
    );
    let hops: Vec<Vec<&str>> = inv
        .hosts
        .iter()
        .map(|h| h.jump.iter().map(|j| j.name.as_str()).collect())
        .collect();
    assert_eq!(
        hops,
        [
            vec![],
            vec!["bastion"],
            vec![],
            vec!["bastion", "admin@[fe80::1]:22"],
            vec![]
        ]
    );
    let c = &inv.hosts[3];
    assert_eq!(
        (
            c.jump[0].address.as_str(),
            c.jump[0].port,
            c.jump[0].in_inventory
        ),
        ("10.0.0.1", Some(2200), true)
    );
    assert_eq!(
        (
            c.jump[1].address.as_str(),
            c.jump[1].user.as_deref(),
            c.jump[1].in_inventory
        ),
        ("fe80::1", Some("admin"), false)
    );
    // Hosts with hops go through the system ssh.
    let clients: Vec<_> = inv.hosts.iter().map(|h| h.ssh_client).collect();
    use crate::inventory::SshClient::{Auto, OpenSsh};
    assert_eq!(clients, [Auto, OpenSsh, Auto, OpenSsh, Auto]);
}

#[test]
fn host_syslog_is_on_off_or_a_socket() {
    use crate::inventory::HostSyslog;
    let read = |value: &str| {
        tests::inventory(&format!(
            "settings:\n  host_syslog: {value}\nhosts:\n  a: {{role: live}}\n"
        ))
        .settings
        .host_syslog
    };
    assert_eq!(
        tests::inventory("hosts:\n  a: {role: live}\n")
            .settings
            .host_syslog,
        HostSyslog::On
    );
    assert_eq!(read("false"), HostSyslog::Off);
    assert_eq!(read("true"), HostSyslog::On);
    assert_eq!(
        read("unix:/run/log.sock"),
        HostSyslog::Socket("/run/log.sock".into())
    );
    let bad = problems(&[(
        "inv.yaml", "settings:\n  host_syslog: loud\nhosts:\n  a: {role: live}\n",
    )]);
    assert_eq!(
        bad[0].4,
        "settings.host_syslog `loud` is not true, false or unix:PATH"
    );
}
