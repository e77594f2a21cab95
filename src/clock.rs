//! Wall-clock time as the scheduler and the wait before a run use it: what time it is,
//! and waiting until a time, behind one trait so that a simulation can move it.

use std::pin::Pin;
use std::time::SystemTime;

use chrono::{DateTime, Utc};

/// A future that waits, as a [`Clock`] hands it out.
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Wall-clock time: what time it is, and waiting until a time. One trait for both, so
/// that whatever moves the clock (a test's hand, a suspend, someone setting the time)
/// also ends the waits on it, and a simulation can drive the scheduler through days of
/// its time in moments of real time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Returns once the clock reads `at` or later — or earlier, when the clock was set
    /// (callers look at the time again and sleep again). A time already past returns at
    /// once.
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_>;
}

/// The real wall clock. Its sleeps are wall-clock timers ([`crate::sys::WallTimer`]):
/// they end at the wall-clock time even across a suspend, and early when the clock is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        Box::pin(async move {
            // A timer a sleep: created in the runtime that awaits it, gone with it.
            crate::sys::WallTimer::new()
                .sleep_until(SystemTime::from(at))
                .await
        })
    }
}
