//! The record of runs: `data/sync-status.json` (the last finished run, in the original's
//! format plus extensions, replaced atomically) and `data/sync-history.jsonl` (one line a
//! finished run, newest last, bounded).

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

pub use crate::condition::Condition;
use crate::fsutil::{self, Durability};
use crate::schedule::Trigger;

/// The most runs the history holds.
pub const HISTORY_LINES: usize = 200;
/// How many of the oldest runs go at once when the history is full: it is rewritten once
/// every this many runs, not at every run (a rewrite reads, writes and renames the whole
/// file), and keeps the newest `HISTORY_LINES - HISTORY_TRIM` runs at least.
pub const HISTORY_TRIM: usize = 50;
/// At most this many characters of a job's output go into the status file's `error`.
pub const ERROR_TAIL_CHARS: usize = 2000;

/// The result of a finished run, as the dashboard reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// When the run finished.
    #[serde(with = "iso_ms")]
    pub last_sync: DateTime<Utc>,
    /// How it ended (the file's `status`).
    #[serde(rename = "status")]
    pub outcome: Outcome,
    /// The original left this out on error; synctray always writes it.
    #[serde(default)]
    pub duration_ms: u64,
    /// The failing job, the reason and its last error lines (at most 2,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_ms::option"
    )]
    pub started_at: Option<DateTime<Utc>>,
    /// The next scheduled run as the writer planned it (absent when paused).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_ms::option"
    )]
    pub next_run: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<JobResult>,
    /// The scheduler was stopped during the run (written only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// When the last successful run finished: this run, or one before it. Kept through
    /// later failures; the original's files lack it (see [`RunRecord::last_success`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_ms::option"
    )]
    pub last_success: Option<DateTime<Utc>>,
    /// What the run waited for before it started, and how long (`conditions`, `network`);
    /// absent when it did not wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited: Option<Waited>,
}

/// What a run waited for before it started, and how long: `waited` in the status file and
/// the history. `for` is what held the run last (what still did not hold at the deadline,
/// when it ran anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waited {
    #[serde(rename = "for")]
    pub what: Condition,
    pub ms: u64,
}

/// A run's or a job's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Success,
    Error,
    /// A job the run did not reach (it stopped at an earlier failure, or shut down).
    NotRun,
}

/// One job of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub name: String,
    pub status: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Why it failed: "exited with code 1", "timed out after 10 min", "could not start: …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its output, relative to the workspace root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// How many times it ran (more than 1 when `retry` tried it again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
}

/// Why a run is an error, as values: [`fmt::Display`] renders the status file's `error`,
/// and the notification is made from the same values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunError {
    /// The first job that failed.
    pub first: Option<JobFailure>,
    /// How many jobs after it failed too.
    pub more: usize,
    /// The scheduler was stopped during the run.
    pub interrupted: bool,
    /// Why the result could not be recorded (a full disk, a link in the way).
    pub unrecorded: Vec<String>,
}

/// A failed job, as a run's error names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub job: String,
    pub failure: Failure,
    /// The last lines of its error output (or of its output, when it wrote no errors).
    pub tail: String,
}

impl RunError {
    /// Whether the run failed at all.
    pub fn is_failure(&self) -> bool {
        self.first.is_some() || self.interrupted || !self.unrecorded.is_empty()
    }

    /// Takes in a failed job: the first is named, the others counted.
    pub fn add(&mut self, failed: JobFailure) {
        match self.first {
            None => self.first = Some(failed),
            Some(_) => self.more += 1,
        }
    }
}

impl fmt::Display for JobFailure {
    /// "quality: exited with code 1: Error: ESLint config not found", at most
    /// [`ERROR_TAIL_CHARS`] characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = format!("{}: {}", self.job, self.failure);
        if self.tail.is_empty() {
            return f.write_str(&head);
        }
        let room = ERROR_TAIL_CHARS.saturating_sub(head.chars().count() + 2);
        write!(f, "{head}: {}", last_chars(&self.tail, room))
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match &self.first {
            Some(first) if self.interrupted && first.failure == Failure::Interrupted => {
                parts.push(first.failure.to_string());
            }
            Some(first) if self.interrupted => {
                parts.push(format!("{}; {first}", Failure::Interrupted));
            }
            Some(first) if self.more > 0 => {
                parts.push(format!("{first} (and {} more job(s) failed)", self.more));
            }
            Some(first) => parts.push(first.to_string()),
            None if self.interrupted => parts.push(Failure::Interrupted.to_string()),
            None => {}
        }
        if !self.unrecorded.is_empty() {
            parts.push(format!(
                "the result could not be recorded: {}",
                self.unrecorded.join("; ")
            ));
        }
        f.write_str(&parts.join("; "))
    }
}

/// Why a job did not succeed. Its text ([`fmt::Display`]) is the one the status file,
/// the log and the notification say; the code decides on the value, never on the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It exited with a code other than 0.
    Exited(i32),
    /// A signal ended it (unix).
    Signalled(i32),
    /// It ended with neither a code nor a signal.
    Abnormal(String),
    /// The shell found no such command (its exit code: 127, or 9009 for `cmd`).
    NotFound(i32),
    /// It could not be started: the program it tried and why ("program not found", or the
    /// operating system's reason).
    CouldNotStart { program: String, why: String },
    /// It could not be waited for: the operating system's reason.
    Unwaited(String),
    /// It ran past its `timeoutMinutes`.
    TimedOut(Duration),
    /// The run reached `staleLockMinutes`.
    RunTimedOut,
    /// The scheduler was stopped (the shutdown signal).
    Interrupted,
}

impl Failure {
    /// Whether it failed by itself (a code other than 0, a signal), which `retry` tries
    /// again; a timeout, a missing command, "could not start" and a shutdown are final.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Failure::Exited(_) | Failure::Signalled(_) | Failure::Abnormal(_)
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Exited(code) => write!(f, "exited with code {code}"),
            Failure::Signalled(sig) => write!(f, "killed by signal {sig}"),
            Failure::Abnormal(status) => write!(f, "ended abnormally ({status})"),
            Failure::NotFound(code) => {
                write!(f, "could not start: command not found (exit code {code})")
            }
            Failure::CouldNotStart { program, why } => {
                write!(f, "could not start \"{program}\": {why}")
            }
            Failure::Unwaited(e) => write!(f, "could not be waited for: {e}"),
            Failure::TimedOut(after) => {
                write!(f, "timed out after {} min", after.as_secs().div_ceil(60))
            }
            Failure::RunTimedOut => f.write_str("timed out (the run reached staleLockMinutes)"),
            Failure::Interrupted => f.write_str("interrupted by shutdown"),
        }
    }
}

impl JobResult {
    pub fn not_run(name: &str) -> JobResult {
        JobResult {
            name: name.to_owned(),
            status: Outcome::NotRun,
            exit_code: None,
            duration_ms: None,
            reason: None,
            log: None,
            attempts: None,
        }
    }
}

impl RunRecord {
    /// Records `error` as the run's outcome: `status`, `error` and `interrupted`.
    pub fn set_error(&mut self, error: &RunError) {
        let failed = error.is_failure();
        self.outcome = if failed {
            Outcome::Error
        } else {
            Outcome::Success
        };
        self.error = failed.then(|| error.to_string());
        self.interrupted = error.interrupted;
        if !failed {
            self.last_success = Some(self.last_sync);
        }
    }

    /// When the last successful run finished: `lastSuccess`, or for a file written by
    /// the original (which lacks it) its `lastSync` when it says `success`.
    pub fn last_success(&self) -> Option<DateTime<Utc>> {
        match self.last_success {
            Some(at) => Some(at),
            None => self.is_success().then_some(self.last_sync),
        }
    }

    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }

    /// When the run started: `startedAt`, or for the original's files (which lack it)
    /// its end less its duration.
    pub fn started(&self) -> DateTime<Utc> {
        self.started_at
            .unwrap_or(self.last_sync - chrono::TimeDelta::milliseconds(self.duration_ms as i64))
    }

    /// When the run started and when it ended: what a next run is planned from (see
    /// [`crate::schedule::Planning::after_run`]).
    pub fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.started(), self.last_sync)
    }

    /// Reads the status file; `None` when there is none yet. A file that does not parse
    /// (written by hand, or by something else), a link or a FIFO at the path is reported
    /// and treated as absent.
    pub fn read(path: &Path) -> Option<RunRecord> {
        let bytes = match crate::fsutil::read_regular(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("{}: cannot read: {e}", path.display());
                return None;
            }
        };
        serde_json::from_slice(&bytes)
            .inspect_err(|e| tracing::warn!("{}: not a status file, ignored: {e}", path.display()))
            .ok()
    }

    /// Replaces the status file atomically. A link, a FIFO or a folder at the path is
    /// refused; the error names the path.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut text = serde_json::to_vec_pretty(self).expect("status serialises");
        text.push(b'\n');
        fsutil::atomic_write(path, &text, 0o644, Durability::Renamed)
            .map_err(|e| cannot_write(path, e))
    }
}

/// Records a finished run whose outcome is `error`: replaces the status file and appends
/// to the history. A run whose result cannot be recorded (a full disk, a link or a folder
/// in the way) is a failed run: `error` says why (logged here), and so does `run`, and
/// the status file too when it can still be written.
pub fn record(status_path: &Path, history_path: &Path, run: &mut RunRecord, error: &mut RunError) {
    run.set_error(error);
    let status_written = match run.write(status_path) {
        Ok(()) => true,
        Err(e) => {
            error.unrecorded.push(e.to_string());
            run.set_error(error);
            false
        }
    };
    if let Err(e) = append_history(history_path, run) {
        error.unrecorded.push(e.to_string());
        run.set_error(error);
        if status_written {
            let _ = run.write(status_path);
        }
    }
    if !error.unrecorded.is_empty() {
        tracing::error!(
            "the result could not be recorded: {}",
            error.unrecorded.join("; ")
        );
    }
}

fn cannot_write(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: cannot write: {e}", path.display()))
}

/// Appends a run to the history, which never holds more than [`HISTORY_LINES`].
///
/// Below the bound, the line is appended with one `write`; at the bound, the file is
/// rewritten atomically without its oldest [`HISTORY_TRIM`] lines. A failed append (a full
/// disk) is taken back, and a torn last line left by anything else is cut off first, so a
/// record never gets glued to a fragment. A link, a FIFO or a folder at the path is refused; the
/// error names the path.
pub fn append_history(path: &Path, status: &RunRecord) -> io::Result<()> {
    let at = |e| cannot_write(path, e);
    let mut line = serde_json::to_vec(status).expect("status serialises");
    line.push(b'\n');
    let mut file = crate::sys::open_regular(
        path,
        OpenOptions::new().read(true).append(true).create(true),
        false,
    )
    .map_err(at)?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(at)?;
    let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if whole < text.len() {
        tracing::warn!(
            "{}: removing a torn last line ({} bytes)",
            path.display(),
            text.len() - whole
        );
        file.set_len(whole as u64).map_err(at)?;
        text.truncate(whole);
    }
    let kept: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    if kept.len() >= HISTORY_LINES {
        drop(file);
        let mut out = Vec::with_capacity(text.len() + line.len());
        for l in &kept[kept.len() + HISTORY_TRIM - HISTORY_LINES..] {
            out.extend_from_slice(l);
            out.push(b'\n');
        }
        out.extend_from_slice(&line);
        return fsutil::atomic_write(path, &out, 0o644, Durability::Renamed).map_err(at);
    }
    if let Err(e) = file.write_all(&line) {
        // Take back what part of the line got written, so that the next record starts a
        // line of its own.
        if let Err(e2) = file.set_len(text.len() as u64) {
            tracing::warn!("{}: cannot take back a torn line: {e2}", path.display());
        }
        return Err(at(e));
    }
    Ok(())
}

/// The most recent runs of the history, oldest first (lines that do not parse are skipped).
pub(crate) fn read_history(path: &Path) -> Vec<RunRecord> {
    let text = match crate::fsutil::read_regular(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!("{}: cannot read: {e}", path.display());
            }
            return Vec::new();
        }
    };
    let all: Vec<RunRecord> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let start = all.len().saturating_sub(HISTORY_LINES);
    all[start..].to_vec()
}

/// The last `max` characters of `text`, cut at a line start where possible.
pub fn last_chars(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().skip(count - max).collect();
    match cut.find('\n') {
        Some(i) if i + 1 < cut.len() => cut[i + 1..].to_owned(),
        _ => cut,
    }
}

/// Times as JavaScript's `toISOString` writes them: UTC, milliseconds, `Z`.
pub mod iso_ms {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn format(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            let text: Option<String> = Option::deserialize(d)?;
            text.map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_originals_status_file() {
        let original =
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"Command failed"}"#;
        let status: RunRecord = serde_json::from_str(original).unwrap();
        assert_eq!(status.outcome, Outcome::Error);
        assert_eq!(status.error.as_deref(), Some("Command failed"));
    }

    #[test]
    fn writes_times_like_to_iso_string() {
        let t = DateTime::parse_from_rfc3339("2026-11-25T14:30:03.120456Z")
            .unwrap()
            .with_timezone(&Utc);
        let status = RunRecord {
            last_sync: t,
            outcome: Outcome::Success,
            duration_ms: 3120,
            error: None,
            trigger: Some(Trigger::CatchUp),
            started_at: Some(t),
            next_run: None,
            jobs: vec![JobResult::not_run("projects")],
            interrupted: false,
            last_success: None,
            waited: None,
        };
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(
            json,
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success","durationMs":3120,"trigger":"catch-up","startedAt":"2026-11-25T14:30:03.120Z","jobs":[{"name":"projects","status":"not-run"}]}"#
        );
    }

    #[test]
    fn history_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        let mut status: RunRecord =
            serde_json::from_str(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success"}"#)
                .unwrap();
        let count = || std::fs::read_to_string(&path).map_or(0, |text| text.lines().count());
        let mut rewrites = 0;
        for i in 0..(2 * HISTORY_LINES + 5) {
            status.duration_ms = i as u64;
            let before = count();
            append_history(&path, &status).unwrap();
            let lines = count();
            rewrites += usize::from(lines != before + 1);
            assert!(lines <= HISTORY_LINES, "after {} appends: {lines}", i + 1);
            assert!(
                lines >= (i + 1).min(HISTORY_LINES - HISTORY_TRIM + 1),
                "after {} appends: only {lines} kept",
                i + 1
            );
        }
        // Full after 200 runs, then rewritten once every 50: at runs 201, 251, 301, 351, 401.
        assert_eq!(rewrites, 5);
        let history = read_history(&path);
        assert_eq!(
            history.last().unwrap().duration_ms,
            (2 * HISTORY_LINES + 4) as u64
        );
        let durations: Vec<u64> = history.iter().map(|r| r.duration_ms).collect();
        assert!(
            durations.windows(2).all(|w| w[1] == w[0] + 1),
            "the newest runs, in order"
        );
    }

    #[test]
    fn a_torn_last_line_is_cut_off_before_the_next_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        let status: RunRecord =
            serde_json::from_str(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success"}"#)
                .unwrap();
        append_history(&path, &status).unwrap();
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(br#"{"lastSync":"2026-11-25T14:45"#);
        std::fs::write(&path, &text).unwrap();
        append_history(&path, &status).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<RunRecord>(l).is_ok()),
            "{text}"
        );
    }
}
