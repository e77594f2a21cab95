//! `retry` in `data/config/sync.json`: how many tries a failing job gets, and the backoff
//! between them. A job is tried again only when it ran and failed by itself (a non-zero
//! exit, or killed by a signal); a timeout, a command that could not start and a shutdown
//! are final. The run keeps the lock while it waits, and the wait ends at once on
//! shutdown. The orchestrator ([`crate::engine::Engine::run_once`]) drives the tries.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::config::{self, ConfigErrorKind, invalid};
use crate::runner::Stop;

/// The most tries a job may be given.
pub const MAX_ATTEMPTS: u64 = 10;
/// The longest first delay, in seconds.
pub const MAX_DELAY_SECONDS: u64 = 3600;

const SHAPE: &str = "must be an object such as {\"attempts\": 3, \"delaySeconds\": 30}";

/// A validated `retry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Tries in all, from 1 (no retry, the default: the original's behaviour).
    pub attempts: u32,
    /// The wait before the second try; each later wait doubles it.
    pub delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 1,
            delay: Duration::from_secs(30),
        }
    }
}

/// `retry`, as written (see [`config`]'s raw structs).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawRetry {
    #[serde(default, deserialize_with = "config::given")]
    attempts: Option<Value>,
    #[serde(default, deserialize_with = "config::given")]
    delay_seconds: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Retry {
    /// Validates the `retry` value (absent: no retry); its unknown keys are `warnings`.
    pub fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<String>,
    ) -> Result<Retry, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(Retry::default());
        };
        let Value::Object(object) = value else {
            return Err(invalid("retry", SHAPE, value));
        };
        let raw: RawRetry = config::read_raw(object)?;
        let attempts = match &raw.attempts {
            None => Retry::default().attempts,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=MAX_ATTEMPTS).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "retry.attempts",
                        &format!(
                            "must be a whole number of tries in all from 1 (no retry) to {MAX_ATTEMPTS}"
                        ),
                        v,
                    )
                })? as u32,
        };
        let delay = match &raw.delay_seconds {
            None => Retry::default().delay,
            Some(v) => {
                Duration::from_secs(v.as_u64().filter(|n| *n <= MAX_DELAY_SECONDS).ok_or_else(
                    || {
                        invalid(
                            "retry.delaySeconds",
                            &format!(
                                "must be a whole number of seconds from 0 to {MAX_DELAY_SECONDS}"
                            ),
                            v,
                        )
                    },
                )?)
            }
        };
        warnings.extend(config::unknown_keys_in::<RawRetry>("retry", &raw.unknown));
        Ok(Retry { attempts, delay })
    }

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
    use crate::config::Config;

    fn error(text: &str) -> String {
        match Config::parse(text) {
            Err(ConfigErrorKind::Invalid { key, message }) => format!("{key} {message}"),
            other => panic!("{text}: expected an invalid value, got {other:?}"),
        }
    }

    #[test]
    fn no_retry_unless_asked() {
        let config = Config::parse(r#"{"intervalMinutes": 15}"#).unwrap();
        assert_eq!(config.retry.attempts, 1);
    }

    #[test]
    fn retry_is_read_and_backs_off_exponentially() {
        let config = Config::parse(r#"{"retry": {"attempts": 4, "delaySeconds": 30}}"#).unwrap();
        let retry = config.retry;
        assert_eq!(retry.attempts, 4);
        let secs: Vec<u64> = (2..=4).map(|t| retry.delay_before(t).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120]);
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    }

    #[test]
    fn bad_retry_values_name_the_key_and_what_is_allowed() {
        assert_eq!(
            error(r#"{"retry": 3}"#),
            r#"retry must be an object such as {"attempts": 3, "delaySeconds": 30}, got 3"#
        );
        assert_eq!(
            error(r#"{"retry": {"attempts": 0}}"#),
            "retry.attempts must be a whole number of tries in all from 1 (no retry) to 10, got 0"
        );
        assert_eq!(
            error(r#"{"retry": {"attempts": 2, "delaySeconds": -1}}"#),
            "retry.delaySeconds must be a whole number of seconds from 0 to 3600, got -1"
        );
        assert_eq!(
            error(r#"{"retry": {"delaySeconds": 1.5}}"#),
            "retry.delaySeconds must be a whole number of seconds from 0 to 3600, got 1.5"
        );
    }

    #[test]
    fn unknown_retry_keys_are_warnings() {
        let config = Config::parse(r#"{"retry": {"attempts": 2, "tries": 5}}"#).unwrap();
        assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
        assert!(config.warnings[0].contains("\"retry.tries\""));
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
