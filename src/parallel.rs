//! The guards' and the locks' own work on many hosts at once (replication
//! checks, taking and releasing locks, reading them): not a run, so no
//! observer and no batches, only a bound on how many hosts at a time.

use std::collections::VecDeque;
use std::sync::Mutex;

/// `f` on every host of `hosts`, at most `forks` at once; the results in
/// the order of `hosts`. For the guards' own work (replication checks,
/// locks), which is not a run and has no observer.
pub fn each<R: Send>(hosts: &[usize], forks: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let queue = Mutex::new(hosts.iter().copied().enumerate().collect::<VecDeque<_>>());
    let results = Mutex::new(Vec::with_capacity(hosts.len()));
    std::thread::scope(|scope| {
        for _ in 0..forks.clamp(1, hosts.len().max(1)) {
            scope.spawn(|| {
                while let Some((i, host)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let r = f(host);
                    if let Ok(mut results) = results.lock() {
                        results.push((i, r));
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
