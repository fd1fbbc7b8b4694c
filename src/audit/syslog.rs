//! Every record, once it is in the log of truth, also to the site's log
//! pipeline (`settings.audit_syslog`), as an RFC 5424 message:
//!
//! ```text
//! <86>1 TS WORKSTATION opsguard PID EVENT [opsguard@32473 session="..." seq="N" hash="..."] BOM RECORD
//! ```
//!
//! Facility authpriv, severity info; the timestamp, host and process are
//! the record's; MSGID is the event; the structured data names the
//! session, seq and hash (under the documentation enterprise number of RFC
//! 5612, as no number is registered for opsguard); the message is the
//! canonical record line, in UTF-8. Over TCP, messages are framed by octet
//! counting (RFC 6587); over UDP a record longer than a datagram is cut and
//! marked `truncated="true"` (the log of truth has it whole).
//!
//! A mirror that fails is a warning on stderr, once per run, and never
//! stops the work or loses a record: the log of truth already has it.
//! A collector that does not answer in time (a timeout) makes the mirror
//! rest for [`BACKOFF`]: records in that time are not sent, since each
//! would otherwise cost its timeout before the command it announces. A
//! failure that costs nothing (a socket that is not there, a refused
//! connection: a syslog daemon restarting) is tried again with the next
//! record. When a send works again, a warning says how many records the
//! pipeline lacks.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Where the mirror sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A local datagram socket, like `/dev/log`.
    Unix(PathBuf),
    Udp(String),
    Tcp(String),
}

/// How long connecting or sending may take before the mirror gives up.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Whether a failure took the mirror's time (it waited and gave up), so
/// that the next records should not wait for the same.
fn waited(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// How long a mirror that failed rests before it tries again.
pub const BACKOFF: Duration = Duration::from_secs(30);

/// The most a UDP message may hold.
const DATAGRAM: usize = 65_000;

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not unix:PATH, udp://HOST:PORT or tcp://HOST:PORT")]
pub struct BadTarget(pub String);

impl Target {
    pub fn parse(text: &str) -> Result<Target, BadTarget> {
        let bad = || BadTarget(text.to_string());
        if let Some(path) = text.strip_prefix("unix:") {
            return match path.starts_with('/') {
                true => Ok(Target::Unix(PathBuf::from(path))),
                false => Err(bad()),
            };
        }
        let (kind, rest) = text.split_once("://").ok_or_else(bad)?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(bad());
        }
        match kind {
            "udp" => Ok(Target::Udp(rest.to_string())),
            "tcp" => Ok(Target::Tcp(rest.to_string())),
            _ => Err(bad()),
        }
    }

    fn name(&self) -> String {
        match self {
            Target::Unix(p) => format!("unix:{}", p.display()),
            Target::Udp(a) => format!("udp://{a}"),
            Target::Tcp(a) => format!("tcp://{a}"),
        }
    }
}

/// A session's mirror: the target, and its connection once made.
pub struct Mirror {
    target: Target,
    tcp: Option<TcpStream>,
    /// How long a connect or a send may take.
    timeout: Duration,
    /// After a timeout: no send before this time.
    resting_until: Option<Instant>,
    /// Records not sent since the last that was.
    missed: u64,
}

/// What became of one record.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    Sent,
    Failed,
    /// Not tried: the mirror is resting after a failure.
    Skipped,
}

/// What the header takes from a record.
#[derive(Deserialize)]
struct Head<'a> {
    ts: &'a str,
    workstation: &'a str,
    pid: u32,
    event: &'a str,
    session: &'a str,
    seq: u64,
    hash: &'a str,
}

impl Mirror {
    pub fn new(target: Target) -> Mirror {
        Mirror {
            target,
            tcp: None,
            timeout: TIMEOUT,
            resting_until: None,
            missed: 0,
        }
    }

    /// Send the record `line`; a failure is a warning, once per run.
    pub fn send(&mut self, line: &str) {
        self.send_at(line, Instant::now());
    }

    /// [`Mirror::send`] at time `now`.
    pub fn send_at(&mut self, line: &str, now: Instant) -> Sent {
        if self.resting_until.is_some_and(|until| now < until) {
            self.missed += 1;
            return Sent::Skipped;
        }
        match self.try_send(line) {
            Ok(()) => {
                self.resting_until = None;
                if self.missed > 0 {
                    crate::ui::warn_once(&format!(
                        "the audit mirror {} works again; {} record(s) before this one were not sent to it (the audit log has them)",
                        self.target.name(),
                        self.missed
                    ));
                    self.missed = 0;
                }
                Sent::Sent
            }
            Err(e) => {
                self.tcp = None;
                self.missed += 1;
                let rest = if waited(&e) {
                    self.resting_until = Some(now + BACKOFF);
                    format!(
                        " (it does not answer: the mirror rests {} s)",
                        BACKOFF.as_secs()
                    )
                } else {
                    String::new()
                };
                crate::ui::warn_once(&format!(
                    "the audit mirror {}: {e}; the records are in the audit log all the same{rest}",
                    self.target.name(),
                ));
                Sent::Failed
            }
        }
    }

    fn try_send(&mut self, line: &str) -> std::io::Result<()> {
        match &self.target {
            Target::Unix(path) => {
                let socket = UnixDatagram::unbound()?;
                socket.set_write_timeout(Some(self.timeout))?;
                socket.send_to(message(line, usize::MAX).as_bytes(), path)?;
            }
            Target::Udp(address) => {
                let to = resolve(address)?;
                let socket = UdpSocket::bind(if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" })?;
                socket.send_to(message(line, DATAGRAM).as_bytes(), to)?;
            }
            Target::Tcp(address) => {
                let text = message(line, usize::MAX);
                let framed = format!("{} {text}", text.len());
                // One retry on a new connection: the receiver may have
                // closed an idle one.
                for attempt in 0..2 {
                    if self.tcp.is_none() {
                        let stream = TcpStream::connect_timeout(&resolve(address)?, self.timeout)?;
                        stream.set_write_timeout(Some(self.timeout))?;
                        stream.set_nodelay(true)?;
                        self.tcp = Some(stream);
                    }
                    let stream = self.tcp.as_mut().expect("connected above");
                    match stream.write_all(framed.as_bytes()) {
                        Ok(()) => break,
                        Err(e) if attempt == 1 => return Err(e),
                        Err(_) => self.tcp = None,
                    }
                }
            }
        }
        Ok(())
    }
}

fn resolve(address: &str) -> std::io::Result<std::net::SocketAddr> {
    address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{address} resolves to no address")))
}

/// The RFC 5424 message of record `line`, at most `limit` bytes.
pub fn message(line: &str, limit: usize) -> String {
    let head: Option<Head> = serde_json::from_str(line).ok();
    let Some(h) = head else {
        return format!("<86>1 - - opsguard - - - \u{feff}{line}");
    };
    let mut text = format!(
        "<86>1 {} {} opsguard {} {} [opsguard@32473 session=\"{}\" seq=\"{}\" hash=\"{}\"",
        h.ts,
        header_word(h.workstation, 255),
        h.pid,
        header_word(h.event, 32),
        param(h.session),
        h.seq,
        param(h.hash)
    );
    let room = limit.saturating_sub(text.len() + 24);
    if line.len() > room {
        let mut cut = room;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        text.push_str(&format!(" truncated=\"true\"] \u{feff}{}", &line[..cut]));
    } else {
        text.push_str(&format!("] \u{feff}{line}"));
    }
    text
}

/// A header field: printable ASCII without blanks, at most `max` long.
fn header_word(text: &str, max: usize) -> String {
    let word: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if word.is_empty() { "-".into() } else { word }
}

/// A structured-data value: `"`, `\` and `]` escaped.
fn param(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"event":"command.start","hash":"ab12","pid":42,"seq":7,"session":"S1","ts":"2026-12-03T10:00:00.000Z","workstation":"ws 1"}"#;

    #[test]
    fn a_mirror_that_is_not_there_is_tried_with_each_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let mut mirror = Mirror::new(Target::Unix(path.clone()));
        let t0 = Instant::now();
        // No socket (a syslog daemon restarting): cheap to find out, so
        // the next record tries again, and gets through.
        assert_eq!(mirror.send_at(LINE, t0), Sent::Failed);
        assert_eq!(mirror.resting_until, None);
        let socket = UnixDatagram::bind(&path).unwrap();
        assert_eq!(mirror.send_at(LINE, t0), Sent::Sent);
        let mut buf = [0u8; 512];
        let n = socket.recv(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).ends_with(LINE));
        assert_eq!(mirror.missed, 0);
    }

    #[test]
    fn a_mirror_that_does_not_answer_rests_before_it_tries_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket.set_nonblocking(true).unwrap();
        // A collector that reads nothing: its queue full, a send waits.
        let filler = UnixDatagram::unbound().unwrap();
        filler.set_nonblocking(true).unwrap();
        while filler.send_to(&[0u8; 512], &path).is_ok() {}
        let mut mirror = Mirror::new(Target::Unix(path.clone()));
        mirror.timeout = Duration::from_millis(50);
        let t0 = Instant::now();
        assert_eq!(mirror.send_at(LINE, t0), Sent::Failed);
        // Now it would get through, but the back-off is not over.
        let mut buf = [0u8; 512];
        while socket.recv(&mut buf).is_ok() {}
        for s in [1, 10, 29] {
            assert_eq!(
                mirror.send_at(LINE, t0 + Duration::from_secs(s)),
                Sent::Skipped
            );
        }
        assert!(socket.recv(&mut buf).is_err(), "a resting mirror sent");
        assert_eq!(mirror.missed, 4);
        // After it, it tries, and it works.
        assert_eq!(mirror.send_at(LINE, t0 + BACKOFF), Sent::Sent);
        let n = socket.recv(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).ends_with(LINE));
        assert_eq!((mirror.missed, mirror.resting_until), (0, None));
    }

    #[test]
    fn a_record_is_an_rfc5424_message() {
        assert_eq!(
            message(LINE, usize::MAX),
            format!(
                "<86>1 2026-12-03T10:00:00.000Z ws1 opsguard 42 command.start \
                 [opsguard@32473 session=\"S1\" seq=\"7\" hash=\"ab12\"] \u{feff}{LINE}"
            )
        );
        let cut = message(LINE, 150);
        assert!(
            cut.len() <= 150 && cut.contains("truncated=\"true\"]"),
            "{cut}"
        );
    }

    #[test]
    fn targets_are_read_and_checked() {
        assert_eq!(
            Target::parse("unix:/dev/log").unwrap(),
            Target::Unix("/dev/log".into())
        );
        assert_eq!(
            Target::parse("tcp://logs.example:6514").unwrap(),
            Target::Tcp("logs.example:6514".into())
        );
        for bad in [
            "unix:dev/log", "udp://host", "tcp://:514", "http://x:1", "udp://h:0",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
