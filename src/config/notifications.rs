//! `notifications`: which runs raise a desktop notification (a failure, a recovery, a
//! success).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, flag, given, known_keys, read_nested, unknown_keys_in};

/// Which runs raise a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    pub on_error: bool,
    pub on_recovery: bool,
    pub on_success: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            on_error: true,
            on_recovery: true,
            on_success: false,
        }
    }
}

/// `notifications`, as written (see [`RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawNotifications {
    #[serde(default, deserialize_with = "given")]
    on_error: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    on_recovery: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    on_success: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Notifications {
    /// Validates the `notifications` value (absent: the defaults).
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Notifications, ConfigErrorKind> {
        let d = Notifications::default();
        let Some(value) = value else {
            return Ok(d);
        };
        let allowed = format!(
            "must be an object with {}",
            known_keys::<RawNotifications>().join(", ")
        );
        let raw: RawNotifications = read_nested("notifications", &allowed, value)?;
        let notifications = Notifications {
            on_error: flag(&raw.on_error, "notifications.onError", d.on_error)?,
            on_recovery: flag(&raw.on_recovery, "notifications.onRecovery", d.on_recovery)?,
            on_success: flag(&raw.on_success, "notifications.onSuccess", d.on_success)?,
        };
        warnings.extend(unknown_keys_in::<RawNotifications>(
            "notifications",
            &raw.unknown,
        ));
        Ok(notifications)
    }
}

/// Which incidents an observer wants told: the desktop's from `notifications`, an alert
/// channel's from its `on`. The same state machine (`notify::Alerts`) decides for each, so that
/// every one of them gets the same incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    /// A failure (the first of a streak, or a different one).
    pub failure: bool,
    /// The recovery from an incident that was told.
    pub recovery: bool,
    /// Data gone stale (overdue).
    pub stale: bool,
    /// A problem that keeps scheduled runs from starting.
    pub problem: bool,
    /// Every success that is not a recovery.
    pub success: bool,
}

impl From<&Notifications> for Wants {
    /// The desktop's: `onError` covers failures, problems and stale data.
    fn from(n: &Notifications) -> Wants {
        Wants {
            failure: n.on_error,
            recovery: n.on_recovery,
            stale: n.on_error,
            problem: n.on_error,
            success: n.on_success,
        }
    }
}

impl From<&Wants> for Wants {
    fn from(w: &Wants) -> Wants {
        *w
    }
}
