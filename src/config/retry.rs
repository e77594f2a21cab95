//! `retry`: how many tries a failing job gets, and the first delay of its backoff. What a
//! try is and how the backoff runs is behaviour, kept outside the config with the wait.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, invalid, read_nested, unknown_keys_in};

/// The most tries a job may be given.
const MAX_ATTEMPTS: u64 = 10;
/// The longest first delay, in seconds.
const MAX_DELAY_SECONDS: u64 = 3600;

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

/// `retry`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawRetry {
    #[serde(default, deserialize_with = "super::given")]
    attempts: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    delay_seconds: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Retry {
    /// Validates the `retry` value (absent: no retry); its unknown keys are `warnings`.
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Retry, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(Retry::default());
        };
        let raw: RawRetry = read_nested("retry", SHAPE, value)?;
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
        warnings.extend(unknown_keys_in::<RawRetry>("retry", &raw.unknown));
        Ok(Retry { attempts, delay })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

    #[test]
    fn no_retry_unless_asked() {
        let config = Config::parse(r#"{"intervalMinutes": 15}"#).unwrap();
        assert_eq!(config.retry.attempts, 1);
    }

    #[test]
    fn retry_is_read() {
        let config = Config::parse(r#"{"retry": {"attempts": 4, "delaySeconds": 30}}"#).unwrap();
        assert_eq!(
            config.retry,
            Retry {
                attempts: 4,
                delay: Duration::from_secs(30)
            }
        );
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
        assert!(
            config.warnings[0]
                .to_string()
                .starts_with("retry.tries: unknown key")
        );
    }
}
