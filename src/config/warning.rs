//! What a configuration that loads still has wrong: kept in the file, never an error,
//! said by `synctray check`, the daemon's log and the tray (a notification and a menu
//! line). Each warning is a value; its words are made where it is shown.

use std::fmt;

/// One thing a configuration that loads has wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigWarning {
    /// A key synctray does not read, at `path` (`retry.tries`, `jobs[0].timeoutMinuts`):
    /// the known key it most likely meant, and the keys known at that place.
    UnknownKey {
        path: String,
        did_you_mean: Option<String>,
        known: Vec<String>,
    },
    /// `network.probe` without `network.require: true`: runs do not wait for the network.
    ProbeWithoutRequire,
    /// A key (`alerts[1].token`) that channels of another type read, not one of `kind`.
    NotForChannel { key: String, kind: String },
    /// The environment variable `var` that `key` names is not set in this process.
    EnvNotSet { key: String, var: String },
    /// Job `job`'s program is not found on its PATH: the job cannot start.
    NotOnPath { job: String, program: String },
}

impl ConfigWarning {
    /// The typo and its fix, for a line too short for the sentence (the tray's menu):
    /// `("intervalMinuts", "intervalMinutes")`. `None` for every other warning.
    pub fn typo_fix(&self) -> Option<(&str, &str)> {
        match self {
            ConfigWarning::UnknownKey {
                path,
                did_you_mean: Some(fix),
                ..
            } => Some((path, fix)),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigWarning::UnknownKey {
                path,
                did_you_mean: Some(fix),
                ..
            } => write!(f, "{path}: unknown key (did you mean {fix}?)"),
            ConfigWarning::UnknownKey {
                path,
                did_you_mean: None,
                known,
            } => write!(
                f,
                "{path}: unknown key, ignored (known: {})",
                known.join(", ")
            ),
            ConfigWarning::ProbeWithoutRequire => f.write_str(
                "\"network.probe\" is only used with \"network.require\": true (runs do not wait for the network)",
            ),
            ConfigWarning::NotForChannel { key, kind } => {
                write!(f, "{key}: not a key of a {kind} channel, ignored")
            }
            ConfigWarning::EnvNotSet { key, var } => {
                write!(f, "{key}: {var} is not set in this process's environment")
            }
            ConfigWarning::NotOnPath { job, program } => write!(
                f,
                "jobs.{job}: \"{program}\" is not on PATH (the job cannot start)"
            ),
        }
    }
}

/// Several warnings, one a line (a notification's body).
pub fn lines(warnings: &[ConfigWarning]) -> String {
    warnings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
