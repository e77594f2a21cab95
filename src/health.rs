//! Whether the person can trust the data: how fresh it is (the last success, and when it
//! becomes overdue) and whether scheduled runs can start at all (a [`Problem`]). The
//! scheduler keeps both in its [`crate::snapshot::Snapshot`]; `synctray status` works them
//! out from the files.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::lock::LockError;
use crate::status::RunRecord;
use crate::workspace::Workspace;

/// Scheduled runs cannot start, and why: `✗ Cannot sync: data/ is read-only`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The reason, naming what to fix; in the status JSON, its words.
    pub what: Blocker,
    /// Since when runs have not been able to start.
    #[serde(with = "crate::status::iso_ms")]
    pub since: DateTime<Utc>,
    /// Whether [`probe`] sees it too: then its going is seen without a run.
    #[serde(skip)]
    pub probed: bool,
}

/// What keeps runs from starting. Two problems are the same one when their blockers are
/// equal; the words ([`fmt::Display`]) are made only where they are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The workspace folder itself is gone.
    WorkspaceGone(PathBuf),
    /// The `data/` folder is gone.
    DataGone,
    /// `data/` is there but cannot be looked at (the I/O error's words).
    DataUnreadable(String),
    /// `data/` is a file, not a folder.
    DataNotFolder,
    /// `data/` is on a read-only file system.
    DataReadOnly,
    /// `data/` may not be written (permission denied).
    NotWritable,
    /// The disk is full.
    DiskFull,
    /// The disk quota is used up.
    QuotaFull,
    /// `data/` cannot be used for another reason (the I/O error's words).
    DataUnusable(String),
    /// Something other than a regular file where synctray keeps one of its files.
    NotRegular(DataFile),
    /// The processes of the previous run (under `pid`) did not end.
    LeftoverRun { pid: u32 },
    /// The configuration does not load (what is wrong with it, in words); for a
    /// workspace that cannot be served at all.
    ConfigBroken(String),
    /// The workspace cannot be served for another reason (in words).
    Unserved(String),
}

/// A file synctray keeps in `data/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    /// `data/.sync-lock`
    Lock,
    /// `data/sync-status.json`
    Status,
}

impl fmt::Display for DataFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataFile::Lock => "data/.sync-lock",
            DataFile::Status => "data/sync-status.json",
        })
    }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::WorkspaceGone(root) => {
                write!(f, "the workspace folder {} is gone", root.display())
            }
            Blocker::DataGone => f.write_str("the data/ folder is gone"),
            Blocker::DataUnreadable(e) => write!(f, "data/ cannot be read: {e}"),
            Blocker::DataNotFolder => f.write_str("data/ is not a folder"),
            Blocker::DataReadOnly => f.write_str("data/ is read-only"),
            Blocker::NotWritable => f.write_str("data/ is not writable (permission denied)"),
            Blocker::DiskFull => f.write_str("the disk is full"),
            Blocker::QuotaFull => f.write_str("the disk quota is used up"),
            Blocker::DataUnusable(e) => write!(f, "data/ cannot be used: {e}"),
            Blocker::NotRegular(file) => write!(f, "{file} is not a regular file (remove it)"),
            Blocker::LeftoverRun { pid } => {
                write!(
                    f,
                    "the previous run's processes (under pid {pid}) did not end"
                )
            }
            Blocker::ConfigBroken(why) => write!(f, "the configuration does not load: {why}"),
            Blocker::Unserved(why) => f.write_str(why),
        }
    }
}

/// In the status JSON, a blocker is its words.
impl Serialize for Blocker {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What keeps runs of `ws` from starting that can be seen without trying: the workspace
/// or its data folder gone, the data folder not writable (a read-only file system, no
/// permission), something other than a file where the lock or the status goes. `None`
/// when nothing is seen (a run may still find something).
pub fn probe(ws: &Workspace) -> Option<Blocker> {
    if !ws.root.is_dir() {
        return Some(Blocker::WorkspaceGone(ws.root.clone()));
    }
    let data = ws.data_dir();
    match std::fs::symlink_metadata(&data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some(Blocker::DataGone),
        Err(e) => return Some(Blocker::DataUnreadable(e.to_string())),
        Ok(meta) if !meta.is_dir() => return Some(Blocker::DataNotFolder),
        Ok(_) => {}
    }
    if let Err(e) = crate::sys::check_dir_writable(&data) {
        return Some(data_io(&e));
    }
    for (path, file) in [
        (&ws.lock, DataFile::Lock),
        (&ws.status_file, DataFile::Status),
    ] {
        if crate::sys::check_regular_or_absent(path).is_err() {
            return Some(Blocker::NotRegular(file));
        }
    }
    None
}

/// What a run's failure to try the lock blocks on.
pub fn lock_blocker(e: &LockError) -> Blocker {
    match e {
        LockError::Symlink(_) | LockError::NotAFile(_) => Blocker::NotRegular(DataFile::Lock),
        LockError::Leftover { pid, .. } => Blocker::LeftoverRun { pid: *pid },
        LockError::Io(_, e) if e.kind() == io::ErrorKind::NotFound => Blocker::DataGone,
        LockError::Io(_, e) => data_io(e),
    }
}

/// An I/O error on the `data/` folder, as a blocker.
fn data_io(e: &io::Error) -> Blocker {
    match e.kind() {
        io::ErrorKind::ReadOnlyFilesystem => Blocker::DataReadOnly,
        io::ErrorKind::PermissionDenied => Blocker::NotWritable,
        io::ErrorKind::StorageFull => Blocker::DiskFull,
        io::ErrorKind::QuotaExceeded => Blocker::QuotaFull,
        _ => Blocker::DataUnusable(e.to_string()),
    }
}

/// When the data was last known fresh: the last success, else (it never succeeded) the
/// first recorded run. `None` when nothing has run yet.
pub fn fresh_since(history: &Path, last: Option<&RunRecord>) -> Option<DateTime<Utc>> {
    let last = last?;
    if let Some(at) = last.last_success() {
        return Some(at);
    }
    let first = crate::status::read_history(history)
        .first()
        .map(|run| run.last_success().unwrap_or_else(|| run.started()));
    Some(first.unwrap_or_else(|| last.started()).min(last.started()))
}

/// How stale the data is at `now`: its age when it has been fresh for longer than
/// `after` allows, else `None`.
pub fn overdue_age(
    fresh_since: Option<DateTime<Utc>>,
    after: Option<TimeDelta>,
    paused: bool,
    now: DateTime<Utc>,
) -> Option<TimeDelta> {
    let at = overdue_at(fresh_since, after, paused)?;
    (now >= at).then(|| now - fresh_since.expect("overdue_at needs it"))
}

/// When the data becomes overdue: a deadline the scheduler sleeps to, not a poll.
pub fn overdue_at(
    fresh_since: Option<DateTime<Utc>>,
    after: Option<TimeDelta>,
    paused: bool,
) -> Option<DateTime<Utc>> {
    if paused {
        return None;
    }
    Some(fresh_since? + after?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn data_is_overdue_once_its_last_success_is_older_than_allowed_unless_paused() {
        let fresh = Some(utc("2026-11-25T11:30:00Z"));
        let after = Some(TimeDelta::minutes(30));
        let at = |s| overdue_age(fresh, after, false, utc(s));
        assert_eq!(at("2026-11-25T11:59:59Z"), None);
        assert_eq!(at("2026-11-25T12:00:00Z"), Some(TimeDelta::minutes(30)));
        assert_eq!(at("2026-11-25T14:30:00Z"), Some(TimeDelta::hours(3)));
        assert_eq!(
            overdue_age(fresh, after, true, utc("2026-11-25T14:30:00Z")),
            None
        );
        assert_eq!(
            overdue_age(fresh, None, false, utc("2026-11-25T14:30:00Z")),
            None
        );
    }

    #[test]
    fn the_originals_success_is_fresh_and_a_failure_keeps_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("h.jsonl");
        let original: RunRecord =
            serde_json::from_str(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success"}"#)
                .unwrap();
        assert_eq!(
            fresh_since(&history, Some(&original)),
            Some(utc("2026-11-25T14:30:03.120Z"))
        );
        let failed: RunRecord = serde_json::from_str(
            r#"{"lastSync":"2026-11-25T15:30:03.120Z","status":"error","lastSuccess":"2026-11-25T14:30:03.120Z"}"#,
        )
        .unwrap();
        assert_eq!(
            fresh_since(&history, Some(&failed)),
            Some(utc("2026-11-25T14:30:03.120Z"))
        );
    }

    #[test]
    fn a_workspace_that_never_succeeded_is_fresh_since_its_first_recorded_run() {
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("h.jsonl");
        let run = |at: &str| -> RunRecord {
            serde_json::from_str(&format!(
                r#"{{"lastSync":"{at}","status":"error","durationMs":0}}"#
            ))
            .unwrap()
        };
        let first = run("2026-11-25T10:00:00.000Z");
        let last = run("2026-11-25T12:00:00.000Z");
        crate::status::append_history(&history, &first).unwrap();
        crate::status::append_history(&history, &last).unwrap();
        assert_eq!(
            fresh_since(&history, Some(&last)),
            Some(utc("2026-11-25T10:00:00Z"))
        );
        assert_eq!(fresh_since(&history, None), None);
    }

    #[test]
    fn a_read_only_or_missing_data_folder_is_a_problem_seen_without_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path(), crate::workspace::Source::Flag);
        assert_eq!(probe(&ws), Some(Blocker::DataGone));
        assert_eq!(probe(&ws).unwrap().to_string(), "the data/ folder is gone");
        std::fs::create_dir_all(ws.data_dir()).unwrap();
        assert_eq!(probe(&ws), None);
        std::fs::create_dir(&ws.lock).unwrap();
        assert_eq!(probe(&ws), Some(Blocker::NotRegular(DataFile::Lock)));
        assert_eq!(
            probe(&ws).unwrap().to_string(),
            "data/.sync-lock is not a regular file (remove it)"
        );
        std::fs::remove_dir(&ws.lock).unwrap();
        let gone = Workspace::at(dir.path().join("nowhere"), crate::workspace::Source::Flag);
        assert_eq!(
            probe(&gone),
            Some(Blocker::WorkspaceGone(dir.path().join("nowhere")))
        );
        assert!(probe(&gone).unwrap().to_string().ends_with("is gone"));
    }

    #[test]
    fn lock_errors_read_as_what_to_fix() {
        let p = std::path::PathBuf::from("data/.sync-lock");
        let io = |kind| LockError::Io(p.clone(), io::Error::from(kind));
        let words = |e: &LockError| lock_blocker(e).to_string();
        assert_eq!(
            lock_blocker(&io(io::ErrorKind::ReadOnlyFilesystem)),
            Blocker::DataReadOnly
        );
        assert_eq!(
            words(&io(io::ErrorKind::ReadOnlyFilesystem)),
            "data/ is read-only"
        );
        assert_eq!(words(&io(io::ErrorKind::StorageFull)), "the disk is full");
        assert_eq!(
            words(&io(io::ErrorKind::NotFound)),
            "the data/ folder is gone"
        );
        assert_eq!(
            words(&LockError::NotAFile(p.clone())),
            "data/.sync-lock is not a regular file (remove it)"
        );
        assert_eq!(
            words(&LockError::Leftover {
                path: p.clone(),
                pid: 42
            }),
            "the previous run's processes (under pid 42) did not end"
        );
    }

    #[test]
    fn a_problem_in_the_status_json_is_its_words() {
        let problem = Problem {
            what: Blocker::DiskFull,
            since: utc("2026-11-25T11:30:00Z"),
            probed: true,
        };
        assert_eq!(
            serde_json::to_string(&problem).unwrap(),
            r#"{"what":"the disk is full","since":"2026-11-25T11:30:00.000Z"}"#
        );
    }
}
