//! Ctrl-C and SIGTERM: one flag for the whole process, set by the signal
//! and read wherever opsguard waits, so that no wait outlives the
//! operator's interrupt (a prompt, a command, a connection being set up).
//!
//! The flag is installed once, by the commands that touch hosts; until
//! then nothing has been interrupted. It never clears itself: a caller that
//! handles an interrupt and goes on (the shell console) clears it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{AppError, Exit};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The process's interrupt flag, with SIGINT and SIGTERM set to raise it:
/// they set the flag instead of killing opsguard, so running commands are
/// stopped cleanly and the interruption is recorded. Asking again returns
/// the same flag.
pub fn flag() -> Result<Arc<AtomicBool>, AppError> {
    if let Some(flag) = FLAG.get() {
        return Ok(flag.clone());
    }
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, flag.clone())
            .map_err(|e| AppError::new(Exit::Failed, format!("cannot handle signals: {e}")))?;
    }
    Ok(FLAG.get_or_init(|| flag).clone())
}

/// An interrupt has arrived (and not been cleared) since [`flag`] was
/// installed.
pub fn requested() -> bool {
    FLAG.get().is_some_and(|f| f.load(Ordering::Relaxed))
}
