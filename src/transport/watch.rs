//! Bounds the setup of a connection as a whole: when its deadline passes,
//! or the operator interrupts, the socket is shut down, so whatever
//! libssh2 is blocked in returns at once with an error.
//!
//! libssh2's own timeout bounds each call's wait for data, not the call:
//! a server that streams text instead of an SSH banner keeps every read
//! busy, and the handshake would loop forever, deaf to Ctrl-C. Shutting
//! the socket down from outside is the one bound that holds whatever the
//! server sends. The watch holds its own handle on the socket (a
//! duplicate), so it can never touch a descriptor that was reused.

use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the watch looks at the clock and the interrupt flag.
const TICK: Duration = Duration::from_millis(20);

/// Why the watch cut the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    Deadline,
    Interrupted,
}

pub struct Watch {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<Option<Cut>>>,
}

impl Watch {
    /// Watch `tcp` until [`Watch::finish`] or `deadline`.
    pub fn start(tcp: &TcpStream, deadline: Instant) -> std::io::Result<Watch> {
        let socket = tcp.try_clone()?;
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = std::thread::Builder::new()
            .name("connect-watch".into())
            .spawn(move || {
                loop {
                    if stop.load(Ordering::Acquire) {
                        return None;
                    }
                    let cut = if crate::interrupt::requested() {
                        Some(Cut::Interrupted)
                    } else if Instant::now() >= deadline {
                        Some(Cut::Deadline)
                    } else {
                        None
                    };
                    if cut.is_some() {
                        let _ = socket.shutdown(Shutdown::Both);
                        return cut;
                    }
                    std::thread::park_timeout(TICK);
                }
            })?;
        Ok(Watch {
            done,
            thread: Some(thread),
        })
    }

    /// Stop watching; whether (and why) the connection was cut.
    pub fn finish(mut self) -> Option<Cut> {
        self.stop()
    }

    fn stop(&mut self) -> Option<Cut> {
        self.done.store(true, Ordering::Release);
        let thread = self.thread.take()?;
        thread.thread().unpark();
        thread.join().ok().flatten()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    #[test]
    fn a_read_that_never_ends_is_cut_at_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // Never answer; wait for the client to go away.
            let _ = s.read(&mut [0; 1]);
        });
        let mut tcp = TcpStream::connect(addr).unwrap();
        let watch = Watch::start(&tcp, Instant::now() + Duration::from_millis(200)).unwrap();
        // Blocks until the watch shuts the socket down.
        assert_eq!(tcp.read(&mut [0; 16]).unwrap(), 0);
        assert_eq!(watch.finish(), Some(Cut::Deadline));
        drop(tcp);
        server.join().unwrap();
    }

    #[test]
    fn finished_in_time_it_leaves_the_socket_alone() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let watch = Watch::start(&tcp, Instant::now() + Duration::from_secs(60)).unwrap();
        assert_eq!(watch.finish(), None);
        assert!(tcp.peer_addr().is_ok());
        tcp.set_nonblocking(true).unwrap();
        let mut buf = [0; 1];
        let err = (&tcp).read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "still open");
    }
}
