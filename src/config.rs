//! `data/config/sync.json`: read it, validate it into a typed [`Config`], and rewrite the
//! keys synctray owns (`intervalMinutes`, `schedule`, `paused`) while keeping every other
//! key as the user wrote it.
//!
//! Parsing is two steps, as in ripgrep's flags: the file becomes a JSON object (the raw
//! form), then [`Config::from_json`] checks each key and says, on failure, which key, what
//! is allowed and what it got. Nothing here runs a job or reads a clock.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::fsutil::{self, Durability};
use crate::schedule::{self, Schedule, Zone};

/// The interval when the file names none (the original's default).
pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;
/// The presets of the tray's "Change interval" menu, in minutes.
pub const INTERVAL_PRESETS: [u32; 9] = [5, 10, 15, 30, 60, 120, 360, 720, 1440];

const KNOWN_KEYS: [&str; 11] = [
    "intervalMinutes",
    "schedule",
    "timezone",
    "jobs",
    "continueOnError",
    "catchUp",
    "staleLockMinutes",
    "paused",
    "notifications",
    "retry",
    "network",
];

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `intervalMinutes` (default 15); replaced by `cron` when the file has a `schedule`.
    pub interval_minutes: u32,
    /// The `schedule` expression as written, when there is one.
    pub cron: Option<String>,
    /// When runs fall due, from `schedule` or `intervalMinutes`.
    pub schedule: Schedule,
    pub zone: Zone,
    pub jobs: Vec<Job>,
    pub continue_on_error: bool,
    pub catch_up: bool,
    /// No run may outlive this; an unprovable lock is honoured this long.
    pub stale_lock: Duration,
    pub paused: bool,
    pub notifications: Notifications,
    /// `retry`: how often a failing job is tried, and the backoff between tries.
    pub retry: crate::retry::Retry,
    /// `network`: whether scheduled runs wait to be online, and the probe that says so.
    pub network: crate::network::Network,
    /// Unknown keys: kept in the file, reported, never an error.
    pub warnings: Vec<String>,
}

/// One sync command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub name: String,
    pub command: JobCommand,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

/// How a job's command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobCommand {
    /// A string: run through the platform shell (`sh -c` / `cmd /C`).
    Shell(String),
    /// An array: the program and its arguments, no shell.
    Argv(Vec<String>),
}

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

/// A configuration that could not be used, with the file it came from.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub kind: ConfigErrorKind,
}

/// What is wrong with a configuration file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Io(io::Error),
    /// The path is a folder or another non-file.
    NotAFile,
    /// The file is not UTF-8 text.
    NotUtf8,
    /// The file is not JSON, or its top level is not an object.
    Syntax(String),
    /// A key holds a value that is not allowed: what is allowed, and what it got.
    Invalid { key: String, message: String },
    /// Other users can write the file.
    Insecure(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            ConfigErrorKind::Io(e) => write!(f, "{path}: cannot read: {e}"),
            ConfigErrorKind::NotAFile => write!(f, "{path}: is not a regular file"),
            ConfigErrorKind::NotUtf8 => write!(f, "{path}: is not UTF-8 text"),
            ConfigErrorKind::Syntax(e) => write!(f, "{path}: is not valid JSON: {e}"),
            ConfigErrorKind::Invalid { key, message } => write!(f, "{path}: {key} {message}"),
            ConfigErrorKind::Insecure(e) => write!(f, "{path}: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ConfigErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl ConfigError {
    fn new(path: &Path, kind: ConfigErrorKind) -> ConfigError {
        ConfigError {
            path: path.to_owned(),
            kind,
        }
    }
}

/// An invalid value: `key`, what is allowed, and what it got.
pub(crate) fn invalid(key: impl Into<String>, allowed: &str, got: &Value) -> ConfigErrorKind {
    ConfigErrorKind::Invalid {
        key: key.into(),
        message: format!("{allowed}, got {}", shown(got)),
    }
}

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

impl Config {
    /// Reads and validates the file at `path`. Refuses a file other users can write.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let object = read_object(path)?;
        let meta =
            std::fs::metadata(path).map_err(|e| ConfigError::new(path, ConfigErrorKind::Io(e)))?;
        crate::sys::check_not_shared_writable(&meta)
            .map_err(|e| ConfigError::new(path, ConfigErrorKind::Insecure(e)))?;
        Config::from_json(&object).map_err(|kind| ConfigError::new(path, kind))
    }

    /// Parses and validates configuration text (for tests and `load`).
    pub fn parse(text: &str) -> Result<Config, ConfigErrorKind> {
        Config::from_json(&parse_object(text)?)
    }

    /// Validates the raw JSON object into a typed configuration.
    pub fn from_json(object: &Map<String, Value>) -> Result<Config, ConfigErrorKind> {
        let interval_minutes = match object.get("intervalMinutes") {
            None => DEFAULT_INTERVAL_MINUTES,
            Some(v) => whole(v, 1, 1440).map(|n| n as u32).ok_or_else(|| {
                invalid(
                    "intervalMinutes",
                    "must be a whole number from 1 to 1440",
                    v,
                )
            })?,
        };
        let cron = match object.get("schedule") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => {
                return Err(invalid(
                    "schedule",
                    "must be a cron expression in a string",
                    v,
                ));
            }
        };
        let schedule = match &cron {
            None => Schedule::every_minutes(interval_minutes),
            Some(expr) => Schedule::Cron(Box::new(schedule::parse_cron(expr).map_err(|e| {
                ConfigErrorKind::Invalid {
                    key: "schedule".into(),
                    message: format!(
                        "must be a cron expression (5 fields, or 6 with seconds first): {e}, got {}",
                        shown(&Value::String(expr.clone()))
                    ),
                }
            })?)),
        };
        let zone = match object.get("timezone") {
            None => Zone::Local,
            Some(Value::String(name)) => Zone::named(name).ok_or_else(|| {
                invalid(
                    "timezone",
                    "must be an IANA time zone name such as \"Europe/Madrid\"",
                    &Value::String(name.clone()),
                )
            })?,
            Some(v) => {
                return Err(invalid(
                    "timezone",
                    "must be an IANA time zone name such as \"Europe/Madrid\"",
                    v,
                ));
            }
        };
        let stale_minutes = match object.get("staleLockMinutes") {
            None => 60,
            Some(v) => whole(v, 1, u32::MAX.into()).ok_or_else(|| {
                invalid(
                    "staleLockMinutes",
                    "must be a whole number of minutes from 1",
                    v,
                )
            })?,
        };
        let stale_lock = minutes(stale_minutes);
        let jobs = match object.get("jobs") {
            None => original_jobs(stale_lock),
            Some(v) => parse_jobs(v, stale_lock)?,
        };
        let notifications = match object.get("notifications") {
            None => Notifications::default(),
            Some(Value::Object(n)) => {
                let d = Notifications::default();
                Notifications {
                    on_error: flag(n, "notifications.onError", "onError", d.on_error)?,
                    on_recovery: flag(n, "notifications.onRecovery", "onRecovery", d.on_recovery)?,
                    on_success: flag(n, "notifications.onSuccess", "onSuccess", d.on_success)?,
                }
            }
            Some(v) => {
                return Err(invalid(
                    "notifications",
                    "must be an object with onError, onRecovery, onSuccess",
                    v,
                ));
            }
        };
        let retry = crate::retry::Retry::from_json(object.get("retry"))?;
        let network = crate::network::Network::from_json(object.get("network"))?;
        let mut warnings: Vec<String> = object
            .keys()
            .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
            .map(|k| {
                format!(
                    "unknown key {k:?} is ignored (known keys: {})",
                    KNOWN_KEYS.join(", ")
                )
            })
            .collect();
        if let Some(Value::Object(n)) = object.get("notifications") {
            warnings.extend(
                n.keys()
                    .filter(|k| !["onError", "onRecovery", "onSuccess"].contains(&k.as_str()))
                    .map(|k| format!("unknown key \"notifications.{k}\" is ignored")),
            );
        }
        warnings.extend(crate::retry::unknown_keys(object.get("retry")));
        warnings.extend(crate::network::unknown_keys(object.get("network")));
        if let Some(Value::Array(list)) = object.get("jobs") {
            for (i, job) in list.iter().enumerate() {
                if let Value::Object(job) = job {
                    warnings.extend(
                        job.keys()
                            .filter(|k| {
                                !["name", "command", "env", "timeoutMinutes"].contains(&k.as_str())
                            })
                            .map(|k| format!("unknown key \"jobs[{i}].{k}\" is ignored")),
                    );
                }
            }
        }
        Ok(Config {
            interval_minutes,
            cron,
            schedule,
            zone,
            jobs,
            continue_on_error: flag(object, "continueOnError", "continueOnError", false)?,
            catch_up: flag(object, "catchUp", "catchUp", true)?,
            stale_lock,
            paused: flag(object, "paused", "paused", false)?,
            notifications,
            retry,
            network,
            warnings,
        })
    }

    /// The next scheduled run after a run that started at `last` (see
    /// [`schedule::plan`]); `None` when paused or when the schedule never fires again.
    pub fn plan(
        &self,
        last: Option<chrono::DateTime<chrono::Utc>>,
        since: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<schedule::Due> {
        if self.paused {
            return None;
        }
        let input = schedule::PlanInput {
            last,
            since,
            catch_up: self.catch_up,
        };
        schedule::plan(&self.schedule, &self.zone, input, now)
    }

    /// How the schedule reads in a menu or a status line.
    pub fn describe_schedule(&self) -> String {
        match &self.cron {
            Some(expr) => format!("schedule \"{expr}\" ({})", self.zone),
            None => format!("every {}", describe_minutes(self.interval_minutes)),
        }
    }
}

/// "15 min", "1 h", "90 min", "24 h".
pub fn describe_minutes(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    }
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n.saturating_mul(60))
}

/// A whole number within `lo..=hi` (JSON numbers with a fraction, strings and the like are
/// not whole numbers).
fn whole(value: &Value, lo: u64, hi: u64) -> Option<u64> {
    value.as_u64().filter(|n| (lo..=hi).contains(n))
}

fn flag(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
    default: bool,
) -> Result<bool, ConfigErrorKind> {
    match object.get(field) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(invalid(key, "must be true or false", v)),
    }
}

/// The original's three jobs, run when the file has no `jobs` (its file held only
/// `intervalMinutes`).
fn original_jobs(timeout: Duration) -> Vec<Job> {
    ["tokens", "quality", "projects"]
        .into_iter()
        .map(|name| Job {
            name: name.to_owned(),
            command: JobCommand::Shell(format!("npx tsx scripts/sync-{name}.ts")),
            env: Vec::new(),
            timeout,
        })
        .collect()
}

fn parse_jobs(value: &Value, stale_lock: Duration) -> Result<Vec<Job>, ConfigErrorKind> {
    let Value::Array(list) = value else {
        return Err(invalid(
            "jobs",
            "must be a list of jobs ({\"name\": …, \"command\": …})",
            value,
        ));
    };
    if list.is_empty() {
        return Err(invalid(
            "jobs",
            "must hold at least one job (leave the key out to run the default jobs)",
            value,
        ));
    }
    let mut names = HashSet::new();
    let mut jobs = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let key = |field: &str| format!("jobs[{i}].{field}");
        let Value::Object(job) = item else {
            return Err(invalid(
                format!("jobs[{i}]"),
                "must be an object with a name and a command",
                item,
            ));
        };
        let name = match job.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(v) => return Err(invalid(key("name"), "must be a non-empty string", v)),
            None => {
                return Err(invalid(
                    key("name"),
                    "must be a non-empty string",
                    &Value::Null,
                ));
            }
        };
        if !names.insert(name.clone()) {
            return Err(invalid(
                key("name"),
                "must be unique among the jobs",
                &Value::String(name),
            ));
        }
        let command = match job.get("command") {
            Some(Value::String(s)) if !s.trim().is_empty() => JobCommand::Shell(s.clone()),
            Some(Value::Array(parts))
                if !parts.is_empty()
                    && parts.iter().all(Value::is_string)
                    && !parts[0].as_str().unwrap_or_default().is_empty() =>
            {
                JobCommand::Argv(
                    parts
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect(),
                )
            }
            other => {
                return Err(invalid(
                    key("command"),
                    "must be a non-empty string (run by the shell) or a non-empty list of strings (program and arguments)",
                    other.unwrap_or(&Value::Null),
                ));
            }
        };
        let env = match job.get("env") {
            None => Vec::new(),
            Some(Value::Object(vars)) => vars
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) if !k.is_empty() && !k.contains('=') => {
                        Ok((k.clone(), s.clone()))
                    }
                    _ => Err(invalid(
                        key(&format!("env.{k}")),
                        "must be a string (and the name non-empty, without '=')",
                        v,
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(v) => {
                return Err(invalid(
                    key("env"),
                    "must be an object of names to string values",
                    v,
                ));
            }
        };
        let timeout = match job.get("timeoutMinutes") {
            None => stale_lock,
            Some(v) => minutes(whole(v, 1, u32::MAX.into()).ok_or_else(|| {
                invalid(
                    key("timeoutMinutes"),
                    "must be a whole number of minutes from 1",
                    v,
                )
            })?),
        };
        jobs.push(Job {
            name,
            command,
            env,
            timeout,
        });
    }
    Ok(jobs)
}

fn parse_object(text: &str) -> Result<Map<String, Value>, ConfigErrorKind> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(ConfigErrorKind::Syntax(format!(
            "the top level must be an object {{…}}, got {}",
            shown(&other)
        ))),
        Err(e) => Err(ConfigErrorKind::Syntax(e.to_string())),
    }
}

fn read_object(path: &Path) -> Result<Map<String, Value>, ConfigError> {
    let fail = |kind| ConfigError::new(path, kind);
    let meta = std::fs::metadata(path).map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(fail(ConfigErrorKind::NotAFile));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    let text = String::from_utf8(bytes).map_err(|_| fail(ConfigErrorKind::NotUtf8))?;
    parse_object(&text).map_err(fail)
}

/// A change synctray makes to the file: only these keys, every other key kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Sets `intervalMinutes` and removes `schedule` (the user picked an interval).
    Interval(u32),
    /// Sets `paused`.
    Paused(bool),
}

/// Applies `edit` to the file at `path` atomically and returns the new configuration.
///
/// The file is read and validated first; a file that does not parse, or would not be
/// valid after the edit, is left exactly as it is.
pub fn edit(path: &Path, edit: Edit) -> Result<Config, ConfigError> {
    let mut object = read_object(path)?;
    match edit {
        Edit::Interval(n) => {
            let value = Value::from(n);
            if !(1..=1440).contains(&n) {
                return Err(ConfigError::new(
                    path,
                    invalid(
                        "intervalMinutes",
                        "must be a whole number from 1 to 1440",
                        &value,
                    ),
                ));
            }
            object.insert("intervalMinutes".into(), value);
            object.shift_remove("schedule");
        }
        Edit::Paused(p) => {
            object.insert("paused".into(), Value::Bool(p));
        }
    }
    let config = Config::from_json(&object).map_err(|kind| ConfigError::new(path, kind))?;
    let mut text =
        serde_json::to_string_pretty(&Value::Object(object)).expect("a JSON object serialises");
    text.push('\n');
    fsutil::atomic_write(
        path,
        text.as_bytes(),
        fsutil::mode_of(path),
        Durability::Flushed,
    )
    .map_err(|e| ConfigError::new(path, ConfigErrorKind::Io(e)))?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_originals_file_runs_the_originals_three_jobs() {
        let config = Config::parse(r#"{"intervalMinutes": 15}"#).unwrap();
        assert_eq!(config.interval_minutes, 15);
        let names: Vec<_> = config.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["tokens", "quality", "projects"]);
        assert_eq!(
            config.jobs[1].command,
            JobCommand::Shell("npx tsx scripts/sync-quality.ts".into())
        );
        assert!(config.catch_up && !config.continue_on_error && !config.paused);
        assert_eq!(config.stale_lock, Duration::from_secs(3600));
        assert!(config.warnings.is_empty());
    }

    #[test]
    fn every_key_is_read() {
        let config = Config::parse(
            r#"{ "intervalMinutes": 30, "schedule": "0 9-18 * * MON-FRI", "timezone": "Europe/Madrid",
                 "jobs": [ { "name": "a", "command": "echo a", "timeoutMinutes": 10 },
                           { "name": "b", "command": ["echo", "b"], "env": { "X": "1" } } ],
                 "continueOnError": true, "catchUp": false, "staleLockMinutes": 20, "paused": true,
                 "notifications": { "onError": false, "onRecovery": false, "onSuccess": true } }"#,
        )
        .unwrap();
        assert_eq!(config.cron.as_deref(), Some("0 9-18 * * MON-FRI"));
        assert_eq!(config.zone.to_string(), "Europe/Madrid");
        assert_eq!(config.jobs[0].timeout, Duration::from_secs(600));
        assert_eq!(
            config.jobs[1].timeout,
            Duration::from_secs(1200),
            "defaults to staleLockMinutes"
        );
        assert_eq!(
            config.jobs[1].command,
            JobCommand::Argv(vec!["echo".into(), "b".into()])
        );
        assert_eq!(config.jobs[1].env, [("X".to_owned(), "1".to_owned())]);
        assert!(config.continue_on_error && !config.catch_up && config.paused);
        assert_eq!(
            config.notifications,
            Notifications {
                on_error: false,
                on_recovery: false,
                on_success: true
            }
        );
    }

    #[test]
    fn unknown_keys_are_warnings() {
        let config = Config::parse(r#"{"intervalMinutes": 5, "colour": "blue", "jobs": [{"name": "a", "command": "x", "retries": 2}]}"#).unwrap();
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        assert!(config.warnings[0].contains("\"colour\""));
        assert!(config.warnings[1].contains("jobs[0].retries"));
    }

    #[test]
    fn errors_name_the_key_what_is_allowed_and_what_it_got() {
        let message = |text: &str| match Config::parse(text) {
            Err(ConfigErrorKind::Invalid { key, message }) => format!("{key} {message}"),
            other => panic!("{text}: expected an invalid value, got {other:?}"),
        };
        assert_eq!(
            message(r#"{"intervalMinutes": 0}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got 0"
        );
        assert_eq!(
            message(r#"{"intervalMinutes": "15"}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got \"15\""
        );
        assert!(
            message(r#"{"jobs": [{"name": "a", "command": "x"}, {"name": "a", "command": "y"}]}"#)
                .starts_with("jobs[1].name must be unique")
        );
        assert!(
            message(r#"{"jobs": [{"name": "a", "command": []}]}"#)
                .starts_with("jobs[0].command must be")
        );
        assert!(message(r#"{"timezone": "Mars/Olympus"}"#).starts_with("timezone must be an IANA"));
    }
}
