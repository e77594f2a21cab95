//! The conditions a scheduled run can wait for, as one table: each [`Condition`] has its
//! key (`status --json`, the status file), its words, how often a waiting run looks again,
//! and whether the `maxDelayMinutes` deadline applies. [`Condition::ALL`] is the list, in
//! the order a wait checks them; every `match` on a condition is exhaustive, so a new one
//! fails to compile until each place says what it means for it.
//!
//! Adding a condition: a variant here (and its rows below), its config key
//! (`config/conditions.rs`, [`crate::config::Conditions::asks`]), its sensor (a method of
//! [`crate::wait::Gauges`] and its reader in `sys/<sensor>/`, one file per OS), and how
//! the wait reads it (`wait::unmet`); the tray's words follow from [`fmt::Display`].

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a run can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// To be online (`network.require`).
    Network,
    /// To run on AC power (`conditions.power`).
    Power,
    /// An unmetered connection (`conditions.network`).
    Unmetered,
}

/// How often a run waiting for the network looks again.
pub const CHECK_NETWORK_EVERY: Duration = Duration::from_secs(5);
/// How often a run waiting for a condition looks again, where the platform sends no
/// change event (or in case one is missed).
pub const CHECK_CONDITIONS_EVERY: Duration = Duration::from_secs(30);

impl Condition {
    /// Every condition, in the order a wait checks them: online first (a run offline could
    /// only fail), then the rest.
    pub const ALL: [Condition; 3] = [Condition::Network, Condition::Power, Condition::Unmetered];

    /// The word `status --json` and the status file use.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Network => "network",
            Condition::Power => "power",
            Condition::Unmetered => "unmetered",
        }
    }

    /// How often a run waiting for it looks again (at once, too, on a change event).
    pub fn check_every(self) -> Duration {
        match self {
            Condition::Network => CHECK_NETWORK_EVERY,
            Condition::Power | Condition::Unmetered => CHECK_CONDITIONS_EVERY,
        }
    }

    /// Whether the run waits for it at most `maxDelayMinutes`, then runs anyway. Being
    /// online has no deadline: a run offline could only fail.
    pub fn has_deadline(self) -> bool {
        match self {
            Condition::Network => false,
            Condition::Power | Condition::Unmetered => true,
        }
    }
}

impl fmt::Display for Condition {
    /// What is waited for, in words: "the network", "AC power", "an unmetered network".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Condition::Network => "the network",
            Condition::Power => "AC power",
            Condition::Unmetered => "an unmetered network",
        })
    }
}
