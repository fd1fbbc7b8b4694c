//! Open connections kept by host, so that the work of one destructive run
//! on a host (replication check, lock, commands, release) goes over one
//! login instead of one each.
//!
//! A kept connection may have died while it waited (the operator took a
//! while at the prompt, a firewall dropped an idle flow). [`Pool::retry`]
//! is for work that may safely run twice, such as the lock scripts: on a
//! transport failure of a kept connection it connects anew and tries once
//! more. Commands are never retried: the executor first renews the host's
//! lock over the connection, which proves it alive.
//!
//! It keeps at most `capacity` connections (the run's `--forks`), so a
//! destructive run on many hosts never holds more than twice `--forks`
//! sessions open: those working and those kept.

use std::sync::Mutex;

use super::{Transport, TransportError, connect};
use crate::inventory::{Host, Settings};

pub struct Pool {
    slots: Mutex<Vec<(usize, Box<dyn Transport>)>>,
    capacity: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<usize> = self
            .slots
            .lock()
            .map(|s| s.iter().map(|(h, _)| *h).collect())
            .unwrap_or_default();
        f.debug_struct("Pool").field("hosts", &hosts).finish()
    }
}

/// A connection taken from a [`Pool`] or newly made.
pub struct Taken {
    pub transport: Box<dyn Transport>,
    /// It was kept from earlier work, so it may have died since.
    pub kept: bool,
}

impl Pool {
    /// A pool that keeps at most `capacity` connections.
    pub fn new(capacity: usize) -> Pool {
        Pool {
            slots: Mutex::new(Vec::new()),
            capacity,
        }
    }

    /// Host `index`'s kept connection, or a new one to `host`.
    pub fn take(
        &self,
        settings: &Settings,
        index: usize,
        host: &Host,
    ) -> Result<Taken, TransportError> {
        let kept = self.slots.lock().ok().and_then(|mut slots| {
            let at = slots.iter().position(|(h, _)| *h == index)?;
            Some(slots.swap_remove(at).1)
        });
        match kept {
            Some(transport) => Ok(Taken {
                transport,
                kept: true,
            }),
            None => connect(settings, host).map(|transport| Taken {
                transport,
                kept: false,
            }),
        }
    }

    /// Keep `transport` for the next piece of work on host `index`, if
    /// there is room; else it is closed.
    pub fn put(&self, index: usize, transport: Box<dyn Transport>) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.retain(|(h, _)| *h != index);
            if slots.len() < self.capacity {
                slots.push((index, transport));
            }
        }
    }

    /// `work` on host `index` over its kept connection, kept again after.
    /// If a kept connection fails at the transport level, `work` runs once
    /// more over a new one: only for work that may safely run twice.
    pub fn retry<R, E>(
        &self,
        settings: &Settings,
        index: usize,
        host: &Host,
        work: impl Fn(&mut dyn Transport) -> Result<R, Failure<E>>,
    ) -> Result<R, Failure<E>> {
        let taken = self
            .take(settings, index, host)
            .map_err(Failure::Transport)?;
        let mut transport = taken.transport;
        let result = match taken.kept {
            true => redo_if_lost(settings, host, &mut transport, work),
            false => work(transport.as_mut()),
        };
        if !matches!(result, Err(Failure::Transport(_))) {
            self.put(index, transport);
        }
        result
    }
}

/// `work` over `transport`, which may have died since it was last used; if
/// it fails at the transport level, once more over a new connection to
/// `host`, which then replaces `transport`. Only for work that may safely
/// run twice.
pub fn redo_if_lost<R, E>(
    settings: &Settings,
    host: &Host,
    transport: &mut Box<dyn Transport>,
    work: impl Fn(&mut dyn Transport) -> Result<R, Failure<E>>,
) -> Result<R, Failure<E>> {
    match work(transport.as_mut()) {
        Err(Failure::Transport(_)) => {
            *transport = connect(settings, host).map_err(Failure::Transport)?;
            work(transport.as_mut())
        }
        done => done,
    }
}

/// How work over a pooled connection failed: the connection itself, or
/// the work (`E`) with the connection fine.
#[derive(Debug, thiserror::Error)]
pub enum Failure<E> {
    #[error("{0}")]
    Transport(TransportError),
    #[error("{0}")]
    Work(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_keeps_at_most_its_capacity_and_one_connection_per_host() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::local_for_tests("backup", dir.path());
        let settings = Settings::default();
        let pool = Pool::new(1);
        let new = |i| pool.take(&settings, i, &host).unwrap();
        assert!(!new(0).kept);
        pool.put(0, new(0).transport);
        pool.put(1, new(1).transport);
        // Full with host 0's: host 1's was closed, not kept.
        assert!(!new(1).kept);
        assert!(new(0).kept);
        assert!(!new(0).kept);
        // With room for two, a second put for a host replaces its first.
        let pool = Pool::new(2);
        let new = |i| pool.take(&settings, i, &host).unwrap();
        let (a, b) = (new(0).transport, new(0).transport);
        pool.put(0, a);
        pool.put(0, b);
        assert!(new(0).kept);
        assert!(!new(0).kept);
    }
}
