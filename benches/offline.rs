//! Speed of the offline commands on a large site: `validate` of 1,000
//! playbooks against a 1,000-host inventory, `hosts` on that inventory,
//! process start-up (`--version`, `hosts`) of the real binary, and the
//! classifier on a line of 40,000 distinct commands (linear, not
//! quadratic) and on a typical operator's line.
//!
//! Run with `cargo bench --bench offline`. Targets (issue 2): validate at
//! least 2,000 playbooks per second on one core; `--version` and `hosts`
//! start in a few milliseconds.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const HOSTS: usize = 1000;
const PLAYBOOKS: usize = 1000;

fn inventory() -> String {
    let mut s = String::from(
        "settings:\n  user: ops\n  forks: 64\nroles:\n  live: {protected: true, color: red}\n  backup: {color: green}\n  beta: {color: yellow}\npolicy:\n  require_change: [live]\n  windows:\n    live: [\"tue 22:00-02:00 UTC\"]\n  destructive_patterns: [\"storctl pool reinit*\"]\nhosts:\n",
    );
    for i in 0..HOSTS {
        let cluster = i / 50;
        let (role, extra) = match i % 10 {
            0..=5 => (
                "live",
                if i % 2 == 0 {
                    format!(", mirror: store-{:04}", i + 1)
                } else {
                    String::new()
                },
            ),
            6..=8 => ("backup", String::new()),
            _ => ("beta", String::new()),
        };
        writeln!(
            s,
            "  store-{i:04}: {{address: 10.{}.{}.{}, role: {role}, groups: [cluster-{cluster}, mailstore]{extra}}}",
            i / 65536,
            (i / 256) % 256,
            i % 256
        )
        .unwrap();
    }
    s
}

fn playbook(n: usize) -> String {
    let cluster = n % (HOSTS / 50);
    format!(
        "name: maintenance-{n}
description: Routine maintenance of cluster {cluster}
hosts: \"@cluster-{cluster},!role:beta\"
serial: [1, \"25%\"]
change: CHG-{n}
steps:
  - name: disk space
    run: df -h /srv/mail | tail -1
  - name: count index files
    run: find /srv/mail -name '*.idx' | wc -l
    budget: 25000
  - name: restart the indexer
    run: sudo systemctl restart mail-indexer
    hosts: \"@cluster-{cluster},!role:backup,!role:beta\"
    role: live
    timeout: 5m
  - name: wipe the backup scratch pack
    run: storctl pool reinit --pool scratch
    hosts: \"@cluster-{cluster},!role:live,!role:beta\"
    role: backup
  - name: no stale locks
    run: test -z \"$(find /srv/mail -name '*.lock' -mmin +30)\"
"
    )
}

fn setup(dir: &Path) {
    std::fs::write(dir.join("inventory.yaml"), inventory()).unwrap();
    let books = dir.join("playbooks");
    std::fs::create_dir_all(&books).unwrap();
    for n in 0..PLAYBOOKS {
        std::fs::write(books.join(format!("p{n:04}.yaml")), playbook(n)).unwrap();
    }
}

fn run(args: &[&str]) -> u8 {
    opsguard::app::run(std::iter::once("opsguard").chain(args.iter().copied()))
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let inv = dir.path().join("inventory.yaml").display().to_string();
    let books = dir.path().join("playbooks").display().to_string();
    assert_eq!(
        run(&["-q", "-i", &inv, "validate", "--strict", &books]),
        0,
        "the generated site must be valid"
    );

    let mut g = c.benchmark_group("validate");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(PLAYBOOKS as u64));
    g.bench_function("1000 playbooks x 1000 hosts", |b| {
        b.iter(|| run(&["-q", "-i", &inv, "validate", &books]));
    });
    g.finish();

    // An 8,000-host mirror chain: validation walks it once.
    let chain_dir = tempfile::tempdir().unwrap();
    let mut chain = String::from("hosts:\n");
    for i in 0..8000 {
        let mirror = if i + 1 < 8000 {
            format!(", mirror: h{}", i + 1)
        } else {
            String::new()
        };
        chain.push_str(&format!("  h{i}: {{role: live{mirror}}}\n"));
    }
    let chain_file = chain_dir.path().join("chain.yaml");
    std::fs::write(&chain_file, chain).unwrap();
    let chain_file = chain_file.display().to_string();
    let mut g = c.benchmark_group("validate");
    g.sample_size(10);
    g.bench_function("an 8,000-host mirror chain", |b| {
        b.iter(|| run(&["-q", "-i", &chain_file, "validate"]));
    });
    g.finish();

    let mut g = c.benchmark_group("classify");
    g.sample_size(10);
    let long: String = (0..40_000).map(|i| format!("tool{i} --x; ")).collect();
    let wipes: String = (0..40_000).map(|i| format!("rm -rf /srv/f{i}; ")).collect();
    let none = opsguard::classify::Patterns::default();
    g.throughput(Throughput::Bytes(long.len() as u64));
    g.bench_function("40,000 distinct unknown commands on one line", |b| {
        b.iter(|| opsguard::classify::classify(&long, &none));
    });
    g.bench_function("40,000 distinct destructive commands on one line", |b| {
        b.iter(|| opsguard::classify::classify(&wipes, &none));
    });
    let typical = "sudo -u mail doveadm -f table who | grep -v '^username' | awk '{print $1}' \
                   | sort -u | xargs -n1 doveadm quota get -u; ceph -s && zpool status -x";
    g.throughput(Throughput::Elements(1));
    g.bench_function("a typical operator's line", |b| {
        b.iter(|| opsguard::classify::classify(typical, &none));
    });
    g.finish();

    let exe = env!("CARGO_BIN_EXE_opsguard");
    let mut g = c.benchmark_group("process");
    g.sample_size(30);
    g.bench_function("--version", |b| {
        b.iter(|| Command::new(exe).arg("--version").output().unwrap());
    });
    g.bench_function("hosts (1000-host inventory)", |b| {
        b.iter(|| {
            Command::new(exe)
                .args(["-i", &inv, "hosts"])
                .output()
                .unwrap()
        });
    });
    g.bench_function("hosts role:backup --format json", |b| {
        b.iter(|| {
            Command::new(exe)
                .args(["-i", &inv, "hosts", "role:backup", "--format", "json"])
                .output()
                .unwrap()
        });
    });
    g.finish();

    // A site's ssh_config (50 clusters behind patterns, per-host blocks,
    // a catch-all) read once, then evaluated for 1,000 hosts.
    let mut config = String::from("Include /nonexistent/conf.d/*.conf\n");
    for cluster in 0..50 {
        writeln!(
            config,
            "Host store-c{cluster:02}-*\n  User ops{cluster}\n  IdentityFile ~/.ssh/c{cluster}"
        )
        .unwrap();
    }
    for i in 0..HOSTS {
        writeln!(
            config,
            "Host store-c{:02}-{i:04}\n  HostName 10.{}.{}.{}\n  Port 22",
            i / 20,
            i / 250,
            (i / 10) % 25,
            i % 10
        )
        .unwrap();
    }
    config.push_str("Host *\n  ServerAliveInterval 30\n  IdentitiesOnly yes\n");
    let config = opsguard::transport::ssh_config::Config::parse("config", &config).unwrap();
    let names: Vec<String> = (0..HOSTS)
        .map(|i| format!("store-c{:02}-{i:04}", i / 20))
        .collect();
    let mut g = c.benchmark_group("ssh_config");
    g.throughput(Throughput::Elements(HOSTS as u64));
    g.bench_function("1000 hosts against 1,050 Host blocks", |b| {
        b.iter(|| {
            for n in &names {
                config.resolve(n).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(offline, benches);
criterion_main!(offline);
