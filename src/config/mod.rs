//! `data/config/sync.json`: read it, validate it into a typed [`Config`], and rewrite the
//! keys synctray owns (`intervalMinutes`, `schedule`, `paused`) while keeping every other
//! key as the user wrote it.
//!
//! Parsing keeps the raw form apart from the checked one, as ripgrep's flags do: the file
//! becomes a JSON object (which an edit changes and splices back into the text), serde
//! reads that into raw structs whose fields are the known keys, each holding its value as
//! written, and [`Config::from_json`] checks each key once and says, on failure, which
//! key, what is allowed and what it got. Keys the raw structs do not know are warnings.
//! This is the only module that reads the file's JSON: the `retry`, `network` and
//! `conditions` keys are read here too (in `retry.rs`, `network.rs` and `conditions.rs`
//! beside this file) into [`Retry`], [`Network`] and [`Conditions`], values the backoff and
//! the wait before a run then use. Nothing here runs a job
//! or reads a clock.

use std::fmt;
use std::io;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::schedule::{self, Cadence, Zone};
pub use crate::schedule::{DEFAULT_INTERVAL_MINUTES, INTERVAL_MINUTES};

pub mod alerts;
mod conditions;
mod metrics;
mod network;
mod notifications;
mod ping;
mod retry;

pub use self::alerts::Alert;
pub use self::conditions::Conditions;
pub use self::metrics::Metrics;
pub use self::network::{Network, Probe};
pub use self::notifications::{Notifications, Wants};
pub use self::ping::Ping;
pub use self::retry::Retry;

mod edit;
mod jobs;
mod warning;

pub use self::edit::{EDIT_LOCK, Edit, edit};
pub use self::jobs::{Job, JobCommand};
use self::jobs::{original_jobs, parse_jobs};
pub use self::warning::ConfigWarning;
pub(crate) use self::warning::lines as warning_lines;

/// The presets of the tray's "Change interval" menu, in minutes.
pub const INTERVAL_PRESETS: [u32; 9] = [5, 10, 15, 30, 60, 120, 360, 720, 1440];

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// When runs fall due: `schedule` when the file has one, else `intervalMinutes`.
    pub cadence: Cadence,
    pub zone: Zone,
    pub jobs: Vec<Job>,
    pub continue_on_error: bool,
    pub catch_up: bool,
    /// No run may outlive this; an unprovable lock is honoured this long.
    pub stale_lock: Duration,
    /// `overdueAfterMinutes` as the file sets it (`Some(None)`: turned off with `0`);
    /// `None` when it names none: see [`Config::overdue_after`].
    overdue_after_set: Option<Option<chrono::TimeDelta>>,
    /// The default of `overdueAfterMinutes`, worked out at its first use: walking a week
    /// of due times costs milliseconds for a schedule of every minute, which a `sync` or
    /// an edit never needs.
    overdue_after_default: OnceLock<Option<chrono::TimeDelta>>,
    /// `paused`: scheduled runs are paused until someone resumes them.
    pub paused: bool,
    /// `pausedUntil`: scheduled runs are paused until this time, then resume by
    /// themselves (see [`Config::next_run`]); a time already past is a pause that ended.
    pub paused_until: Option<chrono::DateTime<chrono::Utc>>,
    /// `keepAwake`: a run holds a sleep inhibitor while its jobs run.
    pub keep_awake: bool,
    pub notifications: Notifications,
    /// `retry`: how often a failing job is tried, and the backoff between tries.
    pub retry: Retry,
    /// `network`: whether scheduled runs wait to be online, and the probe that says so.
    pub network: Network,
    /// `conditions`: AC power and an unmetered connection before a scheduled run, and the
    /// longest wait for them.
    pub conditions: Conditions,
    /// `metrics`: the node_exporter textfile written after every run.
    pub metrics: Option<Metrics>,
    /// `ping`: the health monitor told of each run's start and end.
    pub ping: Option<Ping>,
    /// `alerts`: the channels told of each incident (ntfy, webhooks, a command).
    pub alerts: Vec<Alert>,
    /// Unknown keys and the like: kept in the file, reported, never an error.
    pub warnings: Vec<ConfigWarning>,
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
    /// The file (or the lock that serialises edits) could not be written.
    Write(io::Error),
    /// The path is a folder or another non-file.
    NotAFile,
    /// The file is not UTF-8 text.
    NotUtf8,
    /// The file is not JSON, or its top level is not an object.
    Syntax(String),
    /// A key holds a value that is not allowed: what is allowed, and what it got.
    Invalid { key: String, message: String },
    /// Other users can write the file or its folders (`data/config/`, `data/`).
    Insecure(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.kind)
    }
}

impl fmt::Display for ConfigErrorKind {
    /// What is wrong, without the file's path (a narrow menu says "Config" instead).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigErrorKind::Io(e) => write!(f, "cannot read: {e}"),
            ConfigErrorKind::Write(e) => write!(f, "cannot write: {e}"),
            ConfigErrorKind::NotAFile => f.write_str("is not a regular file"),
            ConfigErrorKind::NotUtf8 => f.write_str("is not UTF-8 text"),
            ConfigErrorKind::Syntax(e) => write!(f, "is not valid JSON: {e}"),
            ConfigErrorKind::Invalid { key, message } => write!(f, "{key} {message}"),
            ConfigErrorKind::Insecure(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ConfigErrorKind::Io(e) | ConfigErrorKind::Write(e) => Some(e),
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
fn invalid(key: impl Into<String>, allowed: &str, got: &Value) -> ConfigErrorKind {
    ConfigErrorKind::Invalid {
        key: key.into(),
        message: format!("{allowed}, got {}", shown(got)),
    }
}

/// A required key that the file leaves out.
fn missing(key: impl Into<String>, allowed: &str) -> ConfigErrorKind {
    ConfigErrorKind::Invalid {
        key: key.into(),
        message: format!("is missing: it {allowed}"),
    }
}

/// Whether `url` is one synctray can send to: http or https, a host, and no space or
/// control character anywhere (the pings and the alert channels).
fn http_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    !host.is_empty()
        && !host.starts_with(':')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
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
    /// Reads and validates the file at `path`. Refuses, like sshd's StrictModes, a file
    /// that other users can write, or whose folders (`data/config/`, `data/`, and the
    /// folder of the file a symlinked config points to) they can write.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (_, object) = read_object(path)?;
        check_private(path)?;
        let mut config = Config::from_json(&object).map_err(|kind| ConfigError::new(path, kind))?;
        // `data/config/sync.json`: the workspace folder is three levels up.
        let root = path.ancestors().nth(3).unwrap_or(Path::new("."));
        alerts::check_files(&config.alerts, root, &mut config.warnings)
            .map_err(|kind| ConfigError::new(path, kind))?;
        if let Ok(written) = std::fs::metadata(path).and_then(|m| m.modified()) {
            check_paused_until(&config, written.into())
                .map_err(|kind| ConfigError::new(path, kind))?;
        }
        Ok(config)
    }

    /// Loads the workspace's configuration, with the warnings only the workspace can give:
    /// a job whose program is not found from its root. `check`, the daemon and the tray
    /// (its menu line and its notification, when the warning is new) all load it here.
    pub fn load_in(ws: &crate::workspace::Workspace) -> Result<Config, ConfigError> {
        let mut config = Config::load(&ws.config)?;
        let unstartable: Vec<ConfigWarning> = config
            .jobs
            .iter()
            .filter_map(|job| job.program_warning(&ws.root))
            .collect();
        config.warnings.extend(unstartable);
        Ok(config)
    }

    /// The end of a pause for a while that is still on at `now` (and not overruled by
    /// `paused`, a pause until someone resumes).
    pub fn paused_until_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.paused_until
            .filter(|until| !self.paused && *until > now)
    }

    /// Whether scheduled runs are paused at `now`: `paused`, or a `pausedUntil` still ahead.
    pub fn paused_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.paused || self.paused_until.is_some_and(|until| until > now)
    }

    /// Parses and validates configuration text (for tests and `load`).
    pub fn parse(text: &str) -> Result<Config, ConfigErrorKind> {
        Config::from_json(&parse_object(text)?)
    }

    /// Validates the raw JSON object into a typed configuration.
    pub fn from_json(object: &Map<String, Value>) -> Result<Config, ConfigErrorKind> {
        Config::from_raw(read_raw(object)?)
    }

    /// Checks every key, once: the first bad one is the error, naming the key, what is
    /// allowed and what it got. Unknown keys, here and in the nested objects, are
    /// warnings.
    fn from_raw(raw: RawConfig) -> Result<Config, ConfigErrorKind> {
        // Checked even when `schedule` rules: a bad value is an error either way.
        let interval = match &raw.interval_minutes {
            None => DEFAULT_INTERVAL_MINUTES,
            Some(v) => whole(v, INTERVAL_MINUTES)
                .ok_or_else(|| invalid("intervalMinutes", &interval_rule(), v))?,
        };
        let cadence = match &raw.schedule {
            None => Cadence::every_minutes(interval),
            Some(v @ Value::String(expr)) => Cadence::cron(expr).map_err(|e| {
                invalid(
                    "schedule",
                    &format!("must be a cron expression (5 fields, or 6 with seconds first): {e}"),
                    v,
                )
            })?,
            Some(v) => {
                return Err(invalid(
                    "schedule",
                    "must be a cron expression in a string",
                    v,
                ));
            }
        };
        let zone = match &raw.timezone {
            None => Zone::Local,
            Some(v) => v.as_str().and_then(Zone::named).ok_or_else(|| {
                invalid(
                    "timezone",
                    "must be an IANA time zone name such as \"Europe/Madrid\"",
                    v,
                )
            })?,
        };
        let stale_lock = match &raw.stale_lock_minutes {
            None => minutes(60),
            Some(v) => minutes(whole(v, 1..=u32::MAX).ok_or_else(|| {
                invalid(
                    "staleLockMinutes",
                    "must be a whole number of minutes from 1",
                    v,
                )
            })?),
        };
        let overdue_after_set = match &raw.overdue_after_minutes {
            None => None,
            Some(v) => match whole(v, 0..=OVERDUE_MAX_MINUTES) {
                Some(0) => Some(None),
                Some(n) => Some(Some(chrono::TimeDelta::minutes(n.into()))),
                None => {
                    return Err(invalid(
                        "overdueAfterMinutes",
                        &format!(
                            "must be a whole number of minutes from 0 (never overdue) to {OVERDUE_MAX_MINUTES}"
                        ),
                        v,
                    ));
                }
            },
        };
        // Each part's unknown keys, reported in this order.
        let mut warnings = unknown_keys_in::<RawConfig>("", &raw.unknown);
        let mut job_warnings = Vec::new();
        let jobs = match &raw.jobs {
            None => original_jobs(stale_lock),
            Some(v) => parse_jobs(v, stale_lock, &mut job_warnings)?,
        };
        let notifications = Notifications::from_json(raw.notifications.as_ref(), &mut warnings)?;
        let retry = Retry::from_json(raw.retry.as_ref(), &mut warnings)?;
        let network = Network::from_json(raw.network.as_ref(), &mut warnings)?;
        let conditions = Conditions::from_json(raw.conditions.as_ref(), &mut warnings)?;
        let metrics = Metrics::from_json(raw.metrics.as_ref(), &mut warnings)?;
        let ping = Ping::from_json(raw.ping.as_ref(), &mut warnings)?;
        let alerts = alerts::from_json(raw.alerts.as_ref(), &mut warnings)?;
        warnings.append(&mut job_warnings);
        Ok(Config {
            cadence,
            zone,
            jobs,
            continue_on_error: flag(&raw.continue_on_error, "continueOnError", false)?,
            catch_up: flag(&raw.catch_up, "catchUp", true)?,
            stale_lock,
            overdue_after_set,
            overdue_after_default: OnceLock::new(),
            paused: flag(&raw.paused, "paused", false)?,
            paused_until: raw.paused_until.as_ref().map(paused_until).transpose()?,
            keep_awake: flag(&raw.keep_awake, "keepAwake", true)?,
            notifications,
            retry,
            network,
            conditions,
            metrics,
            ping,
            alerts,
            warnings,
        })
    }

    /// `overdueAfterMinutes`: the data is stale when the last success is older than this;
    /// `None` when it is turned off (`0`). When the file names none: twice the longest gap
    /// between two due times of the coming week (see `default_overdue_after`).
    pub fn overdue_after(&self) -> Option<chrono::TimeDelta> {
        self.overdue_after_set.unwrap_or_else(|| {
            *self
                .overdue_after_default
                .get_or_init(|| default_overdue_after(&self.cadence, &self.zone))
        })
    }

    /// The next run, the one place it is planned (see [`schedule::plan`]); `None` when
    /// paused or when the schedule never fires again. A due time that came while the
    /// scheduler's last run was in progress (`ran_until`) is handled once, now that the run
    /// has ended: one catch-up run with `catchUp`, else the next slot.
    ///
    /// A `pausedUntil` is handled as a run in progress until then: the next run is planned
    /// as of that time, a due time that fell during the pause gives one catch-up (with
    /// `catchUp`) or the next slot; and so while the key is there, after it too.
    pub fn next_run(&self, mut at: schedule::Planning) -> Option<schedule::Due> {
        if self.paused {
            return None;
        }
        let Some(until) = self.paused_until else {
            return self.next_run_unpaused(at);
        };
        at.now = at.now.max(until);
        at.ran_until = at.ran_until.max(Some(until));
        let due = self.next_run_unpaused(at)?;
        Some(schedule::Due {
            at: due.at.max(until),
            ..due
        })
    }

    fn next_run_unpaused(&self, at: schedule::Planning) -> Option<schedule::Due> {
        let input = schedule::PlanInput {
            last: at.last,
            since: at.since,
            catch_up: self.catch_up,
        };
        let due = schedule::plan(&self.cadence, &self.zone, input, at.now)?;
        let Some(ended) = at.ran_until else {
            return Some(due);
        };
        if due.at > ended || due.trigger != schedule::Trigger::Schedule {
            return Some(due);
        }
        if self.catch_up {
            return Some(schedule::Due {
                at: due.at,
                trigger: schedule::Trigger::CatchUp,
            });
        }
        let last = at.last.map_or(ended, |l| l.min(ended));
        Some(schedule::Due {
            at: self.cadence.next_slot_after(&self.zone, last, ended)?,
            trigger: schedule::Trigger::Schedule,
        })
    }

    /// The `nextRun` a run that `started` and `ended` records: when the next run really
    /// starts as the loop plans it at that moment (a catch-up starts as the run ends).
    pub fn next_run_after(
        &self,
        started: chrono::DateTime<chrono::Utc>,
        ended: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.next_run(schedule::Planning::after_run(Some((started, ended)), ended))
            .map(|d| d.at.max(ended))
    }

    /// How the schedule reads in a menu or a status line.
    pub fn describe_schedule(&self) -> String {
        match &self.cadence {
            Cadence::Cron { expr, .. } => format!("schedule \"{expr}\" ({})", self.zone),
            Cadence::Every { minutes, .. } => format!("every {}", describe_minutes(*minutes)),
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

/// What `intervalMinutes` may be, as an error says it.
fn interval_rule() -> String {
    format!(
        "must be a whole number from {} to {}",
        INTERVAL_MINUTES.start(),
        INTERVAL_MINUTES.end()
    )
}

/// The largest `overdueAfterMinutes`: a year.
const OVERDUE_MAX_MINUTES: u32 = 525_600;

/// `overdueAfterMinutes` when the file names none: twice the longest gap between two
/// consecutive due times of the cadence over the coming week (30 min for every 15 min),
/// and never under two minutes (the key counts minutes): a schedule of every few seconds
/// whose runs take longer than its gap would otherwise be "stale" between every two runs.
fn default_overdue_after(cadence: &Cadence, zone: &Zone) -> Option<chrono::TimeDelta> {
    let week = chrono::TimeDelta::days(7);
    cadence
        .longest_gap(zone, chrono::Utc::now(), week)
        .map(|gap| gap.max(chrono::TimeDelta::minutes(1)) * 2)
}

fn minutes(n: u32) -> Duration {
    Duration::from_secs(u64::from(n) * 60)
}

/// A whole number within `range` (JSON numbers with a fraction, strings and the like are
/// not whole numbers).
fn whole(value: &Value, range: RangeInclusive<u32>) -> Option<u32> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| range.contains(n))
}

/// A `true`/`false` key: `default` when absent.
/// What `pausedUntil` may be.
pub const PAUSED_UNTIL_RULE: &str = "must be a time in the future, ISO-8601 with its offset \
     (e.g. \"2026-11-25T15:30:00+01:00\" or \"2026-11-25T14:30:00Z\")";

/// `pausedUntil`: an ISO-8601 (RFC 3339) time with its offset.
fn paused_until(value: &Value) -> Result<chrono::DateTime<chrono::Utc>, ConfigErrorKind> {
    value
        .as_str()
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&chrono::Utc))
        .ok_or_else(|| invalid("pausedUntil", PAUSED_UNTIL_RULE, value))
}

/// A `pausedUntil` at or before the time the file was written is a mistake, not a pause
/// that ended: the file is bad, and a running scheduler keeps its last good configuration.
/// (One written earlier that has since passed is a pause that ended, and is no error.)
fn check_paused_until(
    config: &Config,
    written: chrono::DateTime<chrono::Utc>,
) -> Result<(), ConfigErrorKind> {
    match config.paused_until {
        Some(until) if until <= written => Err(invalid(
            "pausedUntil",
            PAUSED_UNTIL_RULE,
            &Value::from(until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        )),
        _ => Ok(()),
    }
}

fn flag(value: &Option<Value>, key: &str, default: bool) -> Result<bool, ConfigErrorKind> {
    match value {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(invalid(key, "must be true or false", v)),
    }
}

/// `data/config/sync.json` as written, before any check. Each field is a known key, and
/// holds its value exactly as written (`null` included; `None` when the key is absent) so
/// that an error can quote it; every other key lands in `unknown`. The nested objects
/// (`notifications`, each job, `retry`, `network`) have raw structs of their own, read
/// once their key is known to hold an object.
///
/// The fields are the list of known keys: the warning for an unknown key names them from
/// here ([`known_keys`]), so that list cannot drift from the keys that are read.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    #[serde(default, deserialize_with = "given")]
    interval_minutes: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    schedule: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    timezone: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    jobs: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    continue_on_error: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    catch_up: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    stale_lock_minutes: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    overdue_after_minutes: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    paused: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    paused_until: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    keep_awake: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    notifications: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    retry: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    network: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    conditions: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    metrics: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    ping: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    alerts: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// A key's value as written. Serde reads a `null` as an absent key into an `Option`;
/// here `null` is `Some(Value::Null)`, a value that is not allowed, and only an absent
/// key is `None` (with `#[serde(default)]`).
fn given<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(value).map(Some)
}

/// Reads a JSON object into the raw struct `T`: its known keys, and the rest in its
/// flattened map. Every field takes any value, so this fails only if `T` is not such a
/// struct.
fn read_raw<T: DeserializeOwned>(object: &Map<String, Value>) -> Result<T, ConfigErrorKind> {
    T::deserialize(object).map_err(|e| ConfigErrorKind::Syntax(e.to_string()))
}

/// [`read_raw`] for the value of a nested key (`notifications`, `jobs[0]`, `retry`…): a
/// value that is not an object is an error at `key` that says what is `allowed`.
fn read_nested<T: DeserializeOwned>(
    key: impl Into<String>,
    allowed: &str,
    value: &Value,
) -> Result<T, ConfigErrorKind> {
    match value {
        Value::Object(object) => read_raw(object),
        _ => Err(invalid(key, allowed, value)),
    }
}

/// The keys the raw struct `T` reads, spelled as in the file, in the order of its fields
/// (an empty `T` serialises every field, and nothing for its flattened map).
fn known_keys<T: Serialize + Default>() -> Vec<String> {
    match serde_json::to_value(T::default()) {
        Ok(Value::Object(fields)) => fields.into_iter().map(|(key, _)| key).collect(),
        _ => Vec::new(),
    }
}

/// "retry.tries: unknown key (did you mean attempts?)" for each key of the object `name`
/// (empty: the top level) that its raw struct `T` left in `unknown`; a key too far from
/// every known one is given the list of known keys instead.
fn unknown_keys_in<T: Serialize + Default>(
    name: &str,
    unknown: &Map<String, Value>,
) -> Vec<ConfigWarning> {
    if unknown.is_empty() {
        return Vec::new();
    }
    let known = known_keys::<T>();
    unknown
        .keys()
        .map(|k| {
            let path = if name.is_empty() {
                k.clone()
            } else {
                format!("{name}.{k}")
            };
            ConfigWarning::UnknownKey {
                path,
                did_you_mean: closest(k, &known).map(str::to_owned),
                known: known.clone(),
            }
        })
        .collect()
}

/// The known key a typo most likely meant: the nearest by edit distance (ignoring case
/// and `_`/`-`; a swap of two letters counts as one edit), if it is at most a third of
/// the key's length away (at least 1).
fn closest<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    closest_of(key, known.iter().map(String::as_str))
}

/// [`closest`] among any words: the known key, or the allowed value (`"acc"` → `ac`).
pub(crate) fn closest_of<'a>(
    key: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let k = norm(key);
    let limit = (k.chars().count() / 3).max(1);
    known
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&k, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
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

/// Reads the file (following a link: the config may be one) as text and parses it. A
/// FIFO, socket or device at the path is an error, never a hang.
fn read_object(path: &Path) -> Result<(String, Map<String, Value>), ConfigError> {
    let fail = |kind| ConfigError::new(path, kind);
    let meta = std::fs::metadata(path).map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(fail(ConfigErrorKind::NotAFile));
    }
    let mut file = crate::sys::open_regular(path, std::fs::OpenOptions::new().read(true), true)
        .map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    let text = String::from_utf8(bytes).map_err(|_| fail(ConfigErrorKind::NotUtf8))?;
    let object = parse_object(&text).map_err(fail)?;
    Ok((text, object))
}

/// The StrictModes check of [`Config::load`]: the file, and every folder through which
/// someone could replace it.
fn check_private(path: &Path) -> Result<(), ConfigError> {
    let insecure = |text: String| ConfigError::new(path, ConfigErrorKind::Insecure(text));
    let meta =
        std::fs::metadata(path).map_err(|e| ConfigError::new(path, ConfigErrorKind::Io(e)))?;
    crate::sys::check_private(&meta, path).map_err(insecure)?;
    let mut folders: Vec<PathBuf> = Vec::new();
    let config_dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = config_dir {
        folders.push(dir.to_owned());
        if let Some(data) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            folders.push(data.to_owned());
        }
    }
    let target = real_path(path).map_err(|e| ConfigError::new(path, ConfigErrorKind::Io(e)))?;
    if let Some(dir) = target.parent().filter(|_| target != path) {
        folders.push(dir.to_owned());
    }
    for dir in folders {
        let meta =
            std::fs::metadata(&dir).map_err(|e| ConfigError::new(&dir, ConfigErrorKind::Io(e)))?;
        crate::sys::check_private(&meta, &dir)
            .map_err(|e| insecure(format!("its folder {} {e}", dir.display())))?;
    }
    Ok(())
}

/// The file a config path names: itself, or the file a symbolic link there points to.
fn real_path(path: &Path) -> io::Result<PathBuf> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        std::fs::canonicalize(path)
    } else {
        Ok(path.to_owned())
    }
}

#[cfg(test)]
mod tests;
