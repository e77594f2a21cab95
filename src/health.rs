//! Whether the person can trust the data: how fresh it is (the last success, and when it
//! becomes overdue) and whether scheduled runs can start at all (a [`Problem`]). The
//! scheduler keeps both in its [`crate::snapshot::Snapshot`]; `synctray status` works them
//! out from the files.

use std::io;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::lock::LockError;
use crate::status::RunRecord;
use crate::workspace::Workspace;

/// Scheduled runs cannot start, and why: `✗ Cannot sync: data/ is read-only`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The reason in words, naming what to fix.
    pub what: String,
    /// Since when runs have not been able to start.
    #[serde(with = "crate::status::iso_ms")]
    pub since: DateTime<Utc>,
    /// Whether [`probe`] sees it too: then its going is seen without a run.
    #[serde(skip)]
    pub probed: bool,
}

/// What keeps runs of `ws` from starting that can be seen without trying: the workspace
/// or its data folder gone, the data folder not writable (a read-only file system, no
/// permission), something other than a file where the lock or the status goes. `None`
/// when nothing is seen (a run may still find something).
pub fn probe(ws: &Workspace) -> Option<String> {
    if !ws.root.is_dir() {
        return Some(format!(
            "the workspace folder {} is gone",
            ws.root.display()
        ));
    }
    let data = ws.data_dir();
    match std::fs::symlink_metadata(&data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Some("the data/ folder is gone".to_owned());
        }
        Err(e) => return Some(format!("data/ cannot be read: {e}")),
        Ok(meta) if !meta.is_dir() => return Some("data/ is not a folder".to_owned()),
        Ok(_) => {}
    }
    if let Err(e) = crate::sys::check_dir_writable(&data) {
        return Some(io_words("data/", &e));
    }
    for (path, shown) in [
        (&ws.lock, "data/.sync-lock"),
        (&ws.status_file, "data/sync-status.json"),
    ] {
        if crate::sys::check_regular_or_absent(path).is_err() {
            return Some(format!("{shown} is not a regular file (remove it)"));
        }
    }
    None
}

/// A run's failure to try the lock, in words.
pub fn lock_words(e: &LockError) -> String {
    match e {
        LockError::Symlink(_) | LockError::NotAFile(_) => {
            "data/.sync-lock is not a regular file (remove it)".to_owned()
        }
        LockError::Leftover { pid, .. } => {
            format!("the previous run's processes (under pid {pid}) did not end")
        }
        LockError::Io(_, e) if e.kind() == io::ErrorKind::NotFound => {
            "the data/ folder is gone".to_owned()
        }
        LockError::Io(_, e) => io_words("data/", e),
    }
}

/// An I/O error on the folder `what`, in words.
fn io_words(what: &str, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ReadOnlyFilesystem => format!("{what} is read-only"),
        io::ErrorKind::PermissionDenied => format!("{what} is not writable (permission denied)"),
        io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        io::ErrorKind::QuotaExceeded => "the disk quota is used up".to_owned(),
        _ => format!("{what} cannot be used: {e}"),
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
        assert_eq!(probe(&ws).as_deref(), Some("the data/ folder is gone"));
        std::fs::create_dir_all(ws.data_dir()).unwrap();
        assert_eq!(probe(&ws), None);
        std::fs::create_dir(&ws.lock).unwrap();
        assert_eq!(
            probe(&ws).as_deref(),
            Some("data/.sync-lock is not a regular file (remove it)")
        );
        std::fs::remove_dir(&ws.lock).unwrap();
        let gone = Workspace::at(dir.path().join("nowhere"), crate::workspace::Source::Flag);
        assert!(probe(&gone).unwrap().ends_with("is gone"));
    }

    #[test]
    fn lock_errors_read_as_what_to_fix() {
        let p = std::path::PathBuf::from("data/.sync-lock");
        let io = |kind| LockError::Io(p.clone(), io::Error::from(kind));
        assert_eq!(
            lock_words(&io(io::ErrorKind::ReadOnlyFilesystem)),
            "data/ is read-only"
        );
        assert_eq!(
            lock_words(&io(io::ErrorKind::StorageFull)),
            "the disk is full"
        );
        assert_eq!(
            lock_words(&io(io::ErrorKind::NotFound)),
            "the data/ folder is gone"
        );
        assert_eq!(
            lock_words(&LockError::NotAFile(p.clone())),
            "data/.sync-lock is not a regular file (remove it)"
        );
    }
}
