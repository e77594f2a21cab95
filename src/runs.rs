//! The runs recorded so far, as the tray's "Recent runs" menu and the CLI's `history` and
//! `logs` read them: the last runs (from `data/sync-history.jsonl`), why one failed, and
//! its log file. Nothing here runs a job, takes the lock or prints.

use std::path::PathBuf;

use crate::status::{self, Outcome, RunRecord};
use crate::workspace::Workspace;

/// The last `n` runs of the history, newest first.
pub fn recent(ws: &Workspace, n: usize) -> Vec<RunRecord> {
    let mut runs = status::read_history(&ws.history_file);
    runs.reverse();
    runs.truncate(n);
    runs
}

/// Why a run failed, as one line: "quality: exited with code 1 (3 tries)", or the run's
/// error when no job failed ("interrupted by shutdown"). `None` for a success.
pub fn failure(run: &RunRecord) -> Option<String> {
    if run.outcome != Outcome::Error {
        return None;
    }
    if let Some(job) = run.jobs.iter().find(|j| j.status == Outcome::Error) {
        let tries = match job.attempts {
            Some(n) if n > 1 => format!(" ({n} tries)"),
            _ => String::new(),
        };
        let reason = job.reason.as_deref().unwrap_or("failed");
        return Some(format!("{}: {reason}{tries}", job.name));
    }
    let error = run.error.as_deref().unwrap_or("failed");
    Some(error.lines().next().unwrap_or(error).to_owned())
}

/// The log of the newest failed run of the last few (what a failure's "Show log" opens).
pub fn last_failed_log(ws: &Workspace) -> Option<PathBuf> {
    recent(ws, 5)
        .into_iter()
        .find(|run| !run.is_success() && !run.interrupted)
        .and_then(|run| log_path(ws, &run))
}

/// The run's log file, if the record names one: always inside `data/logs/` (only the file
/// name is taken from the record).
pub fn log_path(ws: &Workspace, run: &RunRecord) -> Option<PathBuf> {
    let shown = run.jobs.iter().find_map(|j| j.log.as_deref())?;
    let name = std::path::Path::new(shown).file_name()?;
    Some(ws.logs.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_job_its_reason_and_its_tries() {
        let run: RunRecord = serde_json::from_str(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"quality: exited with code 1: boom",
                "jobs":[{"name":"tokens","status":"success"},
                        {"name":"quality","status":"error","reason":"exited with code 1","attempts":3,"log":"data/logs/x.log"}]}"#,
        )
        .unwrap();
        assert_eq!(
            failure(&run).as_deref(),
            Some("quality: exited with code 1 (3 tries)")
        );
        let ws = Workspace::at("/ws", crate::workspace::Source::Flag);
        assert_eq!(log_path(&ws, &run), Some(ws.logs.join("x.log")));
        let interrupted: RunRecord = serde_json::from_str(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"interrupted by shutdown\nmore"}"#,
        )
        .unwrap();
        assert_eq!(
            failure(&interrupted).as_deref(),
            Some("interrupted by shutdown")
        );
        assert_eq!(log_path(&ws, &interrupted), None);
    }

    #[test]
    fn a_log_path_never_leaves_the_logs_folder() {
        let run: RunRecord = serde_json::from_str(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success",
                "jobs":[{"name":"a","status":"success","log":"../../../etc/passwd"}]}"#,
        )
        .unwrap();
        let ws = Workspace::at("/ws", crate::workspace::Source::Flag);
        assert_eq!(log_path(&ws, &run), Some(ws.logs.join("passwd")));
    }
}
