//! A real OpenSSH server for tests: keys generated in a temp folder, an
//! sshd_config written there, `/usr/sbin/sshd -D -e -f ...` listening on
//! loopback addresses 127.0.0.x (at most 16 per process), killed with its
//! session children when dropped.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub addrs: Vec<Ipv4Addr>,
    procs: Vec<Child>,
    /// Lines added to the server's configuration.
    extra: String,
}

/// Run a program and insist that it worked.
pub fn must(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new key pair without a passphrase at `path` (and `path.pub`).
pub fn keygen(path: &Path, passphrase: &str) {
    must(
        Command::new("ssh-keygen")
            .args([
                "-q", "-t", "ed25519", "-N", passphrase, "-C", "opsguard-test", "-f",
            ])
            .arg(path),
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Sshd {
    /// A server answering on `hosts` loopback addresses, 127.0.0.2 on.
    pub fn start(hosts: usize) -> Sshd {
        Sshd::start_with(hosts, "")
    }

    /// A server as [`Sshd::start`] makes it, with `extra` lines in its
    /// configuration (`AllowTcpForwarding no`).
    pub fn start_with(hosts: usize, extra: &str) -> Sshd {
        Sshd::start_prepared(hosts, |_| extra.to_string())
    }

    /// A server whose folder `prepare` sees once its keys are made
    /// (`host_key`, `id_ed25519`), and whose answer is added to the
    /// configuration: to sign the host key with a CA, say.
    pub fn start_prepared(hosts: usize, prepare: impl Fn(&Path) -> String) -> Sshd {
        let mut dir = tempfile::tempdir().unwrap();
        let _ = std::fs::create_dir_all("/run/sshd");
        keygen(&dir.path().join("host_key"), "");
        keygen(&dir.path().join("id_ed25519"), "");
        std::fs::copy(
            dir.path().join("id_ed25519.pub"),
            dir.path().join("authorized_keys"),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let extra = prepare(dir.path());
        let addrs: Vec<Ipv4Addr> = (0..hosts)
            .map(|i| Ipv4Addr::new(127, 0, 0, 2 + i as u8))
            .collect();
        for _attempt in 0..5 {
            let port = free_port();
            let mut sshd = Sshd {
                dir,
                port,
                addrs: addrs.clone(),
                procs: Vec::new(),
                extra: extra.clone(),
            };
            if sshd.spawn() {
                return sshd;
            }
            sshd.kill();
            dir = std::mem::replace(&mut sshd.dir, tempfile::tempdir().unwrap());
        }
        panic!("sshd did not start on loopback after 5 ports");
    }

    fn spawn(&mut self) -> bool {
        let d = self.dir.path();
        for (i, chunk) in self.addrs.chunks(16).enumerate() {
            let mut config = format!(
                "HostKey {d}/host_key\nPidFile none\nAuthorizedKeysFile {d}/authorized_keys\nStrictModes no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 UsePAM no\nMaxStartups 200:30:300\nMaxSessions 100\nLogLevel INFO\nSetEnv HOME={d}/home\n",
                d = d.display()
            );
            config.push_str(&self.extra);
            for a in chunk {
                config.push_str(&format!("ListenAddress {a}:{}\n", self.port));
            }
            let file = d.join(format!("sshd_config.{i}"));
            std::fs::write(&file, config).unwrap();
            let child = Command::new("/usr/sbin/sshd")
                .args(["-D", "-e", "-f"])
                .arg(&file)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(d.join(format!("sshd.{i}.log"))).unwrap())
                .process_group(0)
                .spawn()
                .expect("start /usr/sbin/sshd (install openssh-server)");
            self.procs.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for a in &self.addrs {
            loop {
                if self
                    .procs
                    .iter_mut()
                    .any(|p| p.try_wait().unwrap().is_some())
                {
                    return false;
                }
                if let Ok(mut s) = TcpStream::connect((*a, self.port)) {
                    let mut banner = [0u8; 4];
                    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    if s.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                        break;
                    }
                }
                assert!(
                    Instant::now() < deadline,
                    "sshd does not answer on {a}:{}",
                    self.port
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        true
    }

    /// Kill the servers and every session they started (sshd puts each
    /// session in a session of its own, so the process group is not
    /// enough: every descendant is found through /proc).
    pub fn kill(&mut self) {
        let roots: Vec<i32> = self.procs.iter().map(|p| p.id() as i32).collect();
        for pid in descendants(&roots) {
            // A process this fixture started, or one of its descendants.
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        for p in &mut self.procs {
            let _ = p.wait();
        }
        self.procs.clear();
    }

    /// Close every open connection (as a firewall dropping idle flows
    /// would); the servers go on listening.
    pub fn drop_connections(&self) {
        let roots: Vec<i32> = self.procs.iter().map(|p| p.id() as i32).collect();
        for pid in descendants(&roots) {
            if !roots.contains(&pid) {
                // A session process of a server this fixture started.
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }

    /// How many logins the servers have accepted so far.
    pub fn logins(&self) -> usize {
        (0..self.procs.len())
            .map(|i| {
                std::fs::read_to_string(self.path().join(format!("sshd.{i}.log")))
                    .unwrap_or_default()
                    .matches("Accepted publickey")
                    .count()
            })
            .sum()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The client key the server accepts.
    pub fn key(&self) -> PathBuf {
        self.path().join("id_ed25519")
    }

    /// The server's public host key, `TYPE BASE64`.
    pub fn host_key(&self) -> String {
        let text = std::fs::read_to_string(self.path().join("host_key.pub")).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `[127.0.0.x]:PORT TYPE BASE64` for every address.
    pub fn known_hosts(&self) -> String {
        self.addrs
            .iter()
            .map(|a| format!("[{a}]:{} {}\n", self.port, self.host_key()))
            .collect()
    }

    /// An inventory with host `s1`, `s2`, ... on the addresses, all with
    /// role `role`, in group `all`; SSH settings point at this server.
    pub fn inventory(&self, role: &str, known_hosts: &Path) -> String {
        let mut text = format!(
            "settings:\n  port: {}\n  identity_files: [{}]\n  known_hosts: {}\n  connect_timeout: 5s\nhosts:\n",
            self.port,
            self.key().display(),
            known_hosts.display()
        );
        for (i, a) in self.addrs.iter().enumerate() {
            text.push_str(&format!(
                "  s{}: {{address: {a}, role: {role}, groups: [all]}}\n",
                i + 1
            ));
        }
        text
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `roots` and every process below them.
fn descendants(roots: &[i32]) -> Vec<i32> {
    let mut parent = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<i32>().ok())
        {
            parent.push((pid, ppid));
        }
    }
    let mut found: Vec<i32> = roots.to_vec();
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parent.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found
}
