//! `conditions`: what must hold before a scheduled or catch-up run starts (AC power, an
//! unmetered connection), and how long a run waits for them before it runs anyway. How a
//! run waits, and how power and cost are read, is behaviour, kept outside the config
//! (`crate::wait`, `crate::sys`).

use std::time::Duration;

use crate::condition::Condition;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, invalid, read_nested, unknown_keys_in};

/// The longest wait: a week.
pub const MAX_DELAY_MINUTES: u64 = 10_080;
/// The wait when `maxDelayMinutes` is not given: four hours.
pub const DEFAULT_DELAY_MINUTES: u64 = 240;

const SHAPE: &str = "must be an object such as {\"power\": \"ac\", \"network\": \"unmetered\", \"maxDelayMinutes\": 240}";

/// A validated `conditions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditions {
    /// `"power": "ac"`: wait until the machine runs on mains power.
    pub ac_power: bool,
    /// `"network": "unmetered"`: wait until the connection is not metered.
    pub unmetered: bool,
    /// `maxDelayMinutes`: after this long a waiting run starts anyway.
    pub max_delay: Duration,
}

impl Default for Conditions {
    fn default() -> Conditions {
        Conditions {
            ac_power: false,
            unmetered: false,
            max_delay: Duration::from_secs(DEFAULT_DELAY_MINUTES * 60),
        }
    }
}

impl Conditions {
    /// Whether any condition is asked for (the network is `network.require`'s).
    pub fn any(&self) -> bool {
        Condition::ALL.into_iter().any(|c| self.asks(c))
    }

    /// Whether `conditions` asks a run to wait for `condition`.
    pub fn asks(&self, condition: Condition) -> bool {
        match condition {
            Condition::Network => false,
            Condition::Power => self.ac_power,
            Condition::Unmetered => self.unmetered,
        }
    }
}

/// `conditions`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawConditions {
    #[serde(default, deserialize_with = "super::given")]
    power: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    network: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    max_delay_minutes: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// A key that takes one word: `Some(true)` for `word`, `None` when absent.
fn one_word(value: &Option<Value>, key: &str, word: &str) -> Result<bool, ConfigErrorKind> {
    match value {
        None => Ok(false),
        Some(Value::String(s)) if s == word => Ok(true),
        Some(v) => {
            // A near miss names the word it meant: "acc" → "ac".
            let meant = v
                .as_str()
                .and_then(|s| super::closest_of(s, [word]))
                .map(|w| format!(" (did you mean \"{w}\"?)"))
                .unwrap_or_default();
            Err(ConfigErrorKind::Invalid {
                key: key.to_owned(),
                message: format!(
                    "must be \"{word}\" (or the key left out), got {}{meant}",
                    super::shown(v)
                ),
            })
        }
    }
}

impl Conditions {
    /// Validates the `conditions` value (absent: runs start when due); its unknown keys
    /// are `warnings`.
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Conditions, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(Conditions::default());
        };
        let raw: RawConditions = read_nested("conditions", SHAPE, value)?;
        let ac_power = one_word(&raw.power, "conditions.power", "ac")?;
        let unmetered = one_word(&raw.network, "conditions.network", "unmetered")?;
        let max_delay = match &raw.max_delay_minutes {
            None => Conditions::default().max_delay,
            Some(v) => Duration::from_secs(
                60 * v
                    .as_u64()
                    .filter(|n| (1..=MAX_DELAY_MINUTES).contains(n))
                    .ok_or_else(|| {
                        invalid(
                            "conditions.maxDelayMinutes",
                            &format!(
                                "must be a whole number of minutes from 1 to {MAX_DELAY_MINUTES} (a week)"
                            ),
                            v,
                        )
                    })?,
            ),
        };
        warnings.extend(unknown_keys_in::<RawConditions>("conditions", &raw.unknown));
        Ok(Conditions {
            ac_power,
            unmetered,
            max_delay,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

    #[test]
    fn conditions_are_read_with_a_four_hour_default_delay() {
        let config = Config::parse(
            r#"{"conditions": {"power": "ac", "network": "unmetered", "maxDelayMinutes": 30}}"#,
        )
        .unwrap();
        assert_eq!(
            config.conditions,
            Conditions {
                ac_power: true,
                unmetered: true,
                max_delay: Duration::from_secs(1800)
            }
        );
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        let power = Config::parse(r#"{"conditions": {"power": "ac"}}"#).unwrap();
        assert!(power.conditions.ac_power && !power.conditions.unmetered);
        assert_eq!(power.conditions.max_delay, Duration::from_secs(240 * 60));
        let none = Config::parse("{}").unwrap().conditions;
        assert!(!none.any());
        let week = r#"{"conditions": {"power": "ac", "maxDelayMinutes": 10080}}"#;
        assert_eq!(
            Config::parse(week).unwrap().conditions.max_delay,
            Duration::from_secs(7 * 24 * 3600)
        );
    }

    #[test]
    fn bad_conditions_name_the_key_and_what_is_allowed() {
        assert!(
            error(r#"{"conditions": "ac"}"#).starts_with("conditions must be an object such as")
        );
        assert_eq!(
            error(r#"{"conditions": {"power": "battery"}}"#),
            r#"conditions.power must be "ac" (or the key left out), got "battery""#
        );
        assert_eq!(
            error(r#"{"conditions": {"network": true}}"#),
            r#"conditions.network must be "unmetered" (or the key left out), got true"#
        );
        for bad in ["0", "10081", "1.5", "\"60\"", "-1", "null"] {
            assert_eq!(
                error(&format!(
                    r#"{{"conditions": {{"maxDelayMinutes": {bad}}}}}"#
                )),
                format!(
                    "conditions.maxDelayMinutes must be a whole number of minutes from 1 to 10080 (a week), got {bad}"
                )
            );
        }
    }

    #[test]
    fn unknown_condition_keys_are_warnings() {
        let config =
            Config::parse(r#"{"conditions": {"power": "ac", "maxDelayMinute": 5}}"#).unwrap();
        assert_eq!(
            super::super::tests::words(&config.warnings),
            ["conditions.maxDelayMinute: unknown key (did you mean maxDelayMinutes?)"]
        );
    }
}
