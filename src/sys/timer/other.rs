//! Systems without a wall-clock timer here: the sleep is cut into steps of at most a
//! minute ([`super::sleep_by_step`]), so a run that fell due during a suspend starts within
//! a minute of waking.

use std::time::SystemTime;

/// Sleeps until a wall-clock time.
#[derive(Debug)]
pub struct WallTimer {}

impl WallTimer {
    /// Must be called inside a tokio runtime (so it is no `Default`).
    #[allow(clippy::new_without_default)]
    pub fn new() -> WallTimer {
        WallTimer {}
    }

    /// Returns once the wall clock reads `at` or later, or earlier after a step. Callers
    /// re-check the time and sleep again.
    pub async fn sleep_until(&self, at: SystemTime) {
        super::sleep_by_step(at).await;
    }
}
