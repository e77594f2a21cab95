//! Looking back and ahead: `synctray history` (the last runs, from
//! `data/sync-history.jsonl`), `synctray next` (the times the scheduler will use, from the
//! config as it is now) and `synctray logs` (a run's log). The tray's "Recent runs" menu
//! reads runs through the same helpers ([`recent`], [`failure`], [`log_path`]).
//!
//! Nothing here runs a job or takes the lock; each command ends in an exit status.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Local, Utc};

use crate::config::Config;
use crate::host::{EXIT_FAILED, EXIT_USAGE};
use crate::schedule::{Due, Trigger};
use crate::status::{self, Outcome, Status, iso_ms};
use crate::workspace::Workspace;

/// The last `n` runs of the history, newest first.
pub fn recent(ws: &Workspace, n: usize) -> Vec<Status> {
    let mut runs = status::read_history(&ws.history);
    runs.reverse();
    runs.truncate(n);
    runs
}

/// Why a run failed, as one line: "quality: exited with code 1 (3 tries)", or the run's
/// error when no job failed ("interrupted by shutdown"). `None` for a success.
pub fn failure(run: &Status) -> Option<String> {
    if run.status != Outcome::Error {
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

/// The run's log file, if the record names one: always inside `data/logs/` (only the file
/// name is taken from the record).
pub fn log_path(ws: &Workspace, run: &Status) -> Option<PathBuf> {
    let shown = run.jobs.iter().find_map(|j| j.log.as_deref())?;
    let name = std::path::Path::new(shown).file_name()?;
    Some(ws.logs.join(name))
}

/// The next `n` due times of the scheduler, as it plans them now: the first as
/// [`Config::plan`] says (a catch-up is "now"), each later one after the one before.
/// Empty when paused.
pub fn upcoming(
    config: &Config,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    n: usize,
) -> Vec<Due> {
    let mut times = Vec::with_capacity(n);
    let mut due = config.plan(last, now, now);
    while let Some(d) = due.filter(|_| times.len() < n) {
        let at = d.at.max(now);
        times.push(Due { at, ..d });
        due = config.plan(Some(at), at, at);
    }
    times
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%a %Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// Writes to stdout; a closed pipe (`synctray history | head -1`) ends quietly.
fn emit(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "synctray: cannot write the output: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// `synctray history [-n N] [--json]`: the last N runs, newest first.
pub fn history(ws: &Workspace, n: usize, json: bool) -> ExitCode {
    let runs = recent(ws, n);
    if json {
        let mut text = serde_json::to_string_pretty(&runs).expect("history serialises");
        text.push('\n');
        return emit(&text);
    }
    if runs.is_empty() {
        return emit(&format!(
            "no runs recorded yet in {}\n",
            ws.history.display()
        ));
    }
    let mut text = String::new();
    for run in &runs {
        let (mark, result) = if run.is_success() {
            ("✓", "success")
        } else {
            ("✗", "error")
        };
        let trigger = run.trigger.map_or("-".to_owned(), |t| t.to_string());
        text.push_str(&format!(
            "{}  {mark} {result:<7}  {trigger:<8}  {:>8}",
            local(run.started()),
            seconds(run.duration_ms)
        ));
        if let Some(why) = failure(run) {
            text.push_str("  ");
            text.push_str(&why);
        }
        text.push('\n');
    }
    emit(&text)
}

/// `synctray next [-n N] [--json]`: the next N times the scheduler will run. Exits 2
/// when the config is invalid.
pub fn next(ws: &Workspace, n: usize, json: bool) -> ExitCode {
    let config = match crate::host::load_config(ws) {
        Ok(config) => config,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "synctray: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let now = Utc::now();
    let last = Status::read(&ws.status).map(|s| s.started());
    let times = upcoming(&config, last, now, n);
    if json {
        let list: Vec<String> = times.iter().map(|d| iso_ms::format(&d.at)).collect();
        let mut text = serde_json::to_string_pretty(&list).expect("strings serialise");
        text.push('\n');
        return emit(&text);
    }
    if config.paused {
        return emit(&format!(
            "paused: no scheduled runs ({}; `synctray resume` to resume)\n",
            config.describe_schedule()
        ));
    }
    if times.is_empty() {
        return emit(&format!(
            "no scheduled runs: {} does not fire again\n",
            config.describe_schedule()
        ));
    }
    let mut text = format!("{}:\n", config.describe_schedule());
    for due in &times {
        let note = match due.trigger {
            Trigger::CatchUp => "  (catch-up: behind schedule, runs now)",
            _ => "",
        };
        text.push_str(&format!(
            "  {}  {}{note}\n",
            local(due.at),
            due.at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    if config.network.require {
        text.push_str("  (each waits for the network if the machine is offline then)\n");
    }
    emit(&text)
}

/// `synctray logs [--run K]`: prints the log of the last run (K = 1) or K runs back.
/// Exits 1 when there is no such run or its log is gone.
pub fn logs(ws: &Workspace, k: usize) -> ExitCode {
    let runs = recent(ws, k);
    let Some(run) = runs.get(k - 1) else {
        let _ = writeln!(
            std::io::stderr(),
            "synctray: no run {k} back: {} run(s) recorded in {}",
            runs.len(),
            ws.history.display()
        );
        return ExitCode::from(EXIT_FAILED);
    };
    let Some(path) = log_path(ws, run) else {
        let _ = writeln!(
            std::io::stderr(),
            "synctray: the run of {} has no log (no job ran)",
            local(run.started())
        );
        return ExitCode::from(EXIT_FAILED);
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mut out = io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "synctray: cannot write the output: {e}");
                    ExitCode::from(EXIT_FAILED)
                }
            }
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "synctray: {}: cannot read the log of the run of {}: {e} (the newest {} logs are kept)",
                path.display(),
                local(run.started()),
                crate::engine::LOG_FILES
            );
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// A count from the command line: 1 or more.
pub fn parse_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("must be a whole number from 1, got {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn config(text: &str) -> Config {
        Config::parse(text).unwrap()
    }

    #[test]
    fn upcoming_times_follow_the_schedule_from_the_last_run() {
        let c = config(r#"{"schedule": "0 */15 * * * *", "timezone": "UTC"}"#);
        let now = utc("2026-11-25T14:33:10Z");
        let times: Vec<String> = upcoming(&c, Some(utc("2026-11-25T14:30:00Z")), now, 3)
            .iter()
            .map(|d| iso_ms::format(&d.at))
            .collect();
        assert_eq!(
            times,
            [
                "2026-11-25T14:45:00.000Z",
                "2026-11-25T15:00:00.000Z",
                "2026-11-25T15:15:00.000Z"
            ]
        );
    }

    #[test]
    fn a_workspace_behind_schedule_runs_now_then_on_the_grid() {
        let c = config(r#"{"intervalMinutes": 45}"#);
        let now = utc("2026-11-25T14:33:10Z");
        let times = upcoming(&c, None, now, 3);
        assert_eq!(times[0].trigger, Trigger::CatchUp);
        assert_eq!(times[0].at, now);
        assert_eq!(times[1].at, utc("2026-11-25T15:18:10Z"));
        assert_eq!(times[2].at, utc("2026-11-25T16:03:10Z"));
    }

    #[test]
    fn paused_has_no_upcoming_runs() {
        let c = config(r#"{"paused": true}"#);
        assert!(upcoming(&c, None, utc("2026-11-25T14:33:10Z"), 5).is_empty());
    }

    #[test]
    fn a_failure_names_the_job_its_reason_and_its_tries() {
        let run: Status = serde_json::from_str(
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
        let interrupted: Status = serde_json::from_str(
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
        let run: Status = serde_json::from_str(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"success",
                "jobs":[{"name":"a","status":"success","log":"../../../etc/passwd"}]}"#,
        )
        .unwrap();
        let ws = Workspace::at("/ws", crate::workspace::Source::Flag);
        assert_eq!(log_path(&ws, &run), Some(ws.logs.join("passwd")));
    }
}
