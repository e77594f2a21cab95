//! Sleeping until a wall-clock time, the way a scheduler must across a suspend.
//!
//! A monotonic timer (tokio's) stops while the machine sleeps, so a run due during a
//! suspend would start late by the length of the suspend. On Linux a `timerfd` on
//! `CLOCK_REALTIME` with an absolute deadline fires when the wall clock reaches it,
//! including right after resume, and `TFD_TIMER_CANCEL_ON_SET` wakes it when the clock is
//! set: an idle process then sleeps in one `epoll_wait` until its next run, with no
//! periodic wake-up at all. Elsewhere the sleep is cut into steps of at most a minute, so
//! a run that fell due during sleep starts within a minute of waking.
//!
//! The scheduler makes one timer a sleep (through [`crate::engine::SystemClock`]), in the
//! runtime that awaits it: an idle scheduler sleeps once, so the cost is a few system
//! calls a wake-up.

//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): a `timerfd` on `CLOCK_REALTIME`, falling back to steps when
//!   the kernel refuses one.
//! - Elsewhere (`other.rs`): steps of at most a minute.

use std::time::{Duration, SystemTime};

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(not(target_os = "linux"), path = "other.rs")]
mod imp;
pub use imp::WallTimer;

/// The longest step of the portable fallback.
const STEP: Duration = Duration::from_secs(60);

/// The portable fallback: sleeps until `at` or for a step, whichever comes first.
async fn sleep_by_step(at: SystemTime) {
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    tokio::time::sleep(left.min(STEP)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_at_the_wall_clock_time_and_not_before() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let timer = WallTimer::new();
            let at = SystemTime::now() + Duration::from_millis(150);
            timer.sleep_until(at).await;
            let now = SystemTime::now();
            assert!(
                now >= at,
                "woke {:?} early",
                at.duration_since(now).unwrap()
            );
            assert!(
                now.duration_since(at).unwrap() < Duration::from_millis(100),
                "woke late"
            );
            // A time already past returns at once.
            let started = std::time::Instant::now();
            timer
                .sleep_until(SystemTime::now() - Duration::from_secs(5))
                .await;
            assert!(started.elapsed() < Duration::from_millis(50));
        });
    }
}
