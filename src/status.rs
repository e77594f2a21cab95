//! The record of runs: `data/sync-status.json` (the last finished run, in the original's
//! format plus extensions, replaced atomically) and `data/sync-history.jsonl` (one line a
//! finished run, newest last, bounded).

use std::io::{self, BufRead, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::fsutil::{self, Durability};
use crate::schedule::Trigger;

/// How many runs the history keeps.
pub const HISTORY_LINES: usize = 200;

/// The result of a finished run, as the dashboard reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// When the run finished.
    #[serde(with = "iso_ms")]
    pub last_sync: DateTime<Utc>,
    pub status: Outcome,
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

impl Status {
    pub fn is_success(&self) -> bool {
        self.status == Outcome::Success
    }

    /// When the run started: `startedAt`, or for the original's files (which lack it)
    /// its end less its duration.
    pub fn started(&self) -> DateTime<Utc> {
        self.started_at
            .unwrap_or(self.last_sync - chrono::TimeDelta::milliseconds(self.duration_ms as i64))
    }

    /// Reads the status file; `None` when there is none yet. A file that does not parse
    /// (written by hand, or by something else) is reported and treated as absent.
    pub fn read(path: &Path) -> Option<Status> {
        let bytes = match std::fs::read(path) {
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

    /// Replaces the status file atomically.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut text = serde_json::to_vec_pretty(self).expect("status serialises");
        text.push(b'\n');
        fsutil::atomic_write(path, &text, 0o644, Durability::Renamed)
    }
}

/// Appends a run to the history, keeping the newest [`HISTORY_LINES`].
///
/// Appending is one `write` of one line; when the file has grown to twice the bound it is
/// rewritten atomically with the newest lines, so the cost per run stays flat.
pub fn append_history(path: &Path, status: &Status) -> io::Result<()> {
    let mut line = serde_json::to_vec(status).expect("status serialises");
    line.push(b'\n');
    let mut file = crate::sys::write_options()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&line)?;
    drop(file);
    let lines = io::BufReader::new(std::fs::File::open(path)?)
        .split(b'\n')
        .count();
    if lines >= 2 * HISTORY_LINES {
        let text = std::fs::read(path)?;
        let kept: Vec<&[u8]> = text
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let start = kept.len().saturating_sub(HISTORY_LINES);
        let mut out = kept[start..].join(&b'\n');
        out.push(b'\n');
        fsutil::atomic_write(path, &out, 0o644, Durability::Renamed)?;
    }
    Ok(())
}

/// The most recent runs of the history, oldest first (lines that do not parse are skipped).
pub fn read_history(path: &Path) -> Vec<Status> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let all: Vec<Status> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let start = all.len().saturating_sub(HISTORY_LINES);
    all[start..].to_vec()
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
        let status: Status = serde_json::from_str(original).unwrap();
        assert_eq!(status.status, Outcome::Error);
        assert_eq!(status.error.as_deref(), Some("Command failed"));
    }

    #[test]
    fn writes_times_like_to_iso_string() {
        let t = DateTime::parse_from_rfc3339("2026-11-25T14:30:03.120456Z")
            .unwrap()
            .with_timezone(&Utc);
        let status = Status {
            last_sync: t,
            status: Outcome::Success,
            duration_ms: 3120,
            error: None,
            trigger: Some(Trigger::CatchUp),
            started_at: Some(t),
            next_run: None,
            jobs: vec![JobResult::not_run("projects")],
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
        let mut status: Status =
            serde_json::from_str(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success"}"#)
                .unwrap();
        for i in 0..(2 * HISTORY_LINES + 5) {
            status.duration_ms = i as u64;
            append_history(&path, &status).unwrap();
        }
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= 2 * HISTORY_LINES, "{lines} lines");
        let history = read_history(&path);
        assert_eq!(history.len(), HISTORY_LINES);
        assert_eq!(
            history.last().unwrap().duration_ms,
            (2 * HISTORY_LINES + 4) as u64
        );
    }
}
