//! The backoff between a failing job's tries, and the wait it makes. A job is tried again
//! only when it ran and failed by itself (a non-zero exit, or killed by a signal); a
//! timeout, a command that could not start and a shutdown are final. The run keeps the
//! lock while it waits, and the wait ends at once on shutdown. The orchestrator
//! ([`crate::engine::Engine::run_once`]) drives the tries; the `retry` key that sets them
//! is read by [`crate::config`] into a [`Retry`].

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::config::Retry;
use crate::shutdown::Stop;

impl Retry {
    /// The wait before try `try_` (from 2): `delay` × 2^(try−2), so 30 s, 60 s, 120 s…
    pub fn delay_before(&self, try_: u32) -> Duration {
        let doublings = try_.saturating_sub(2).min(31);
        self.delay.saturating_mul(1 << doublings)
    }
}

/// Waits until `until`, or less: returns `false` as soon as `stop` leaves [`Stop::Run`]
/// (a shutdown does not sit out a backoff), `true` when the time has come.
pub async fn wait(until: Instant, stop: &mut watch::Receiver<Stop>) -> bool {
    let stopped = async {
        // A closed channel means the front end is gone: stop too.
        let _ = stop.wait_for(|s| *s != Stop::Run).await;
    };
    tokio::select! {
        () = tokio::time::sleep_until(until) => true,
        () = stopped => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_the_first_delay() {
        let retry = Retry {
            attempts: 4,
            delay: Duration::from_secs(30),
        };
        let secs: Vec<u64> = (2..=4).map(|t| retry.delay_before(t).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120]);
    }

    #[tokio::test]
    async fn a_shutdown_ends_the_backoff_at_once() {
        let (tx, mut rx) = watch::channel(Stop::Run);
        let start = Instant::now();
        let waiting = wait(start + Duration::from_secs(30), &mut rx);
        tokio::pin!(waiting);
        tokio::select! {
            _ = &mut waiting => panic!("the wait ended early"),
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        tx.send_replace(Stop::Drain(Instant::now() + Duration::from_secs(10)));
        assert!(!waiting.await);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let (_tx, mut rx) = watch::channel(Stop::Run);
        let start = Instant::now();
        assert!(wait(start + Duration::from_millis(200), &mut rx).await);
        assert!(start.elapsed() >= Duration::from_millis(200));
    }
}
