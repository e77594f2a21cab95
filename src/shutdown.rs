//! The shutdown signal: what the front end (a signal, Quit, the end of a one-shot run) tells
//! the scheduler, the wait before a run, the retry backoff and a running job. It travels on
//! a `tokio::sync::watch` channel; every part that waits also watches it.

use tokio::time::Instant;

/// The shutdown signal, as the front end sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Keep going.
    Run,
    /// Start nothing new; a job still running at this instant is stopped.
    Drain(Instant),
    /// Stop everything now (a second Ctrl-C).
    Now,
}

impl Stop {
    /// The instant by which running jobs must be gone, if any.
    pub fn deadline(self) -> Option<Instant> {
        match self {
            Stop::Run => None,
            Stop::Drain(at) => Some(at),
            Stop::Now => Some(Instant::now()),
        }
    }
}
