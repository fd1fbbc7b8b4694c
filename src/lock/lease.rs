//! Host locks for the length of a destructive run: taken on every target
//! (all or none), renewed in the background while commands run, released
//! at the end, Ctrl-C included. A lock that cannot be released is left to
//! go stale at its expiry, never silently forgotten: the release is
//! recorded either way.

use std::sync::Arc;
use std::time::Duration;

use crate::audit::event::{self, Event, On};
use crate::audit::{AuditError, Session};
use crate::inventory::Inventory;
use crate::lock;
use crate::parallel::each;
use crate::transport::pool::Pool;

/// Host locks this run holds: renewed before each command on those hosts,
/// over the connections that took them (kept in `connections`).
#[derive(Clone, Debug)]
pub struct Lease {
    pub owner: lock::Owner,
    pub hosts: Vec<usize>,
    pub ttl: Duration,
    pub connections: Arc<Pool>,
}

impl Lease {
    /// A lease of `session`'s, holding no host yet, whose locks live `ttl`
    /// between renewals; its connections are kept for the run (at most
    /// `forks` at once).
    pub fn new(session: &str, ttl: Duration, forks: usize) -> Lease {
        Lease {
            owner: lock::Owner::new(session, ttl, time::OffsetDateTime::now_utc()),
            hosts: Vec::new(),
            ttl,
            connections: Arc::new(Pool::new(forks)),
        }
    }
}

/// Why the locks could not all be taken: the first host that refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The lock there has expired: it stays until `lock break`.
    pub stale: bool,
    pub message: String,
}

/// Lock every one of `hosts`; on any refusal, release those taken. Each
/// lock taken is recorded before the next step.
pub fn take(
    session: &mut Session,
    inv: &Inventory,
    hosts: &[usize],
    mut lease: Lease,
    forks: usize,
) -> Result<Result<Lease, Refused>, AuditError> {
    // Over the connection of the replication check, if there was one; kept
    // for the run. Taking it again after a lost reply is safe: a lock of
    // this session's own counts as taken.
    let results = each(hosts, forks, |h| {
        lease
            .connections
            .retry(&inv.settings, h, &inv.hosts[h], |t| {
                lock::acquire(t, &inv.hosts[h], &lease.owner)
            })
    });
    let now = time::OffsetDateTime::now_utc();
    let mut refusal = None;
    for (&h, result) in hosts.iter().zip(results) {
        let host = &inv.hosts[h];
        let problem = match result {
            Ok(lock::State::Free) => {
                lease.hosts.push(h);
                session.record(Event::LockAcquire(event::LockAcquire {
                    on: On::host(host),
                    path: lock::path(host),
                    expires: lease.owner.expires.clone(),
                }))?;
                continue;
            }
            Ok(lock::State::Held(o)) if o.is_stale(now) => (
                true,
                format!(
                    "{} has a stale lock (expired): {}. If its owner is gone, remove it with \
                     `opsguard lock break {} --reason ...`",
                    host.name,
                    o.describe(),
                    host.name
                ),
            ),
            Ok(lock::State::Held(o)) => (
                false,
                format!("{} is locked by {}", host.name, o.describe()),
            ),
            Ok(lock::State::Unknown(why)) => (
                false,
                format!("{} is locked by someone unknown ({why})", host.name),
            ),
            Err(e) => (
                false,
                format!("{}: the lock could not be taken: {e}", host.name),
            ),
        };
        if refusal.is_none() {
            refusal = Some(Refused {
                stale: problem.0,
                message: problem.1,
            });
        }
    }
    match refusal {
        None => Ok(Ok(lease)),
        Some(r) => {
            release(session, inv, &lease, forks);
            Ok(Err(r))
        }
    }
}

/// Renews the locks of a lease in the background, every third of their
/// time to live, for as long as it lives: a command that runs longer than
/// `lock_ttl` keeps its lock fresh. It has connections of its own (kept
/// between renewals), so it never waits on the one a command is using.
pub struct Renewer {
    stop: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Renewer {
    /// Renew `lease`'s locks, on at most `forks` hosts at once.
    pub fn start(inv: &Inventory, lease: &Lease, forks: usize) -> Renewer {
        let stop = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let settings = inv.settings.clone();
        let hosts: Vec<crate::inventory::Host> =
            lease.hosts.iter().map(|&h| inv.hosts[h].clone()).collect();
        let (owner, ttl) = (lease.owner.clone(), lease.ttl);
        let every = (ttl / 3).max(Duration::from_millis(200));
        let flag = stop.clone();
        let own = Pool::new(forks);
        let thread = std::thread::spawn(move || {
            let (lock, wake) = &*flag;
            loop {
                let Ok(guard) = lock.lock() else { return };
                let Ok((stopped, _)) = wake.wait_timeout_while(guard, every, |s| !*s) else {
                    return;
                };
                if *stopped {
                    return;
                }
                drop(stopped);
                let renewed = owner.renewed(ttl, time::OffsetDateTime::now_utc());
                let all: Vec<usize> = (0..hosts.len()).collect();
                each(&all, forks, |i| {
                    own.retry(&settings, i, &hosts[i], |t| {
                        lock::renew(t, &hosts[i], &renewed)
                    })
                });
            }
        });
        Renewer {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Renewer {
    fn drop(&mut self) {
        if let Ok(mut s) = self.stop.0.lock() {
            *s = true;
        }
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Release the locks of `lease`, recording each; failures are recorded and
/// reported, never fatal (the lock then goes stale at its expiry).
pub fn release(session: &mut Session, inv: &Inventory, lease: &Lease, forks: usize) {
    let results = each(&lease.hosts, forks, |h| {
        lease
            .connections
            .retry(&inv.settings, h, &inv.hosts[h], |t| {
                lock::release(t, &inv.hosts[h], &lease.owner)
            })
    });
    for (&h, result) in lease.hosts.iter().zip(results) {
        let _ = session.record(Event::LockRelease(event::LockRelease {
            on: On::host(&inv.hosts[h]),
            error: result.err().map(|e| e.to_string()),
        }));
    }
}
