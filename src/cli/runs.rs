//! Looking back and ahead: `synctray history` (the last runs, from
//! `data/sync-history.jsonl`), `synctray next` (the times the scheduler will use, from the
//! config as it is now) and `synctray logs` (a run's log). The runs themselves are read
//! through [`crate::runs`], the same helpers the tray's "Recent runs" menu uses.
//!
//! Nothing here runs a job or takes the lock; each command ends in an exit status.

use std::io::{self, Write};
use std::process;

use chrono::{DateTime, Local, Utc};

use super::exit_codes::ExitCode;
use crate::config::Config;
use crate::runs::{failure, log_path, recent};
use crate::schedule::{Due, Planning, Trigger};
use crate::status::{RunRecord, iso_ms};
use crate::workspace::Workspace;

/// The next `n` due times of the scheduler, as it plans them now: the first as
/// [`Config::next_run`] says (a catch-up is "now"), each later one after the one before.
/// Empty when paused.
pub fn upcoming(
    config: &Config,
    last: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
    n: usize,
) -> Vec<Due> {
    let mut times = Vec::with_capacity(n);
    let plan = |last, now| config.next_run(Planning::after_run(last, now));
    let mut due = plan(last, now);
    while let Some(d) = due.filter(|_| times.len() < n) {
        let at = d.at.max(now);
        times.push(Due { at, ..d });
        due = plan(Some((at, at)), at);
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
fn emit(text: &str) -> process::ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::Success.into(),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::Success.into(),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "synctray: cannot write the output: {e}");
            ExitCode::Failed.into()
        }
    }
}

/// `synctray history [-n N] [--json]`: the last N runs, newest first.
pub fn history(ws: &Workspace, n: usize, json: bool) -> process::ExitCode {
    let runs = recent(ws, n);
    if json {
        let mut text = serde_json::to_string_pretty(&runs).expect("history serialises");
        text.push('\n');
        return emit(&text);
    }
    if runs.is_empty() {
        return emit(&format!(
            "no runs recorded yet in {}\n",
            ws.history_file.display()
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
pub fn next(ws: &Workspace, n: usize, json: bool) -> process::ExitCode {
    let config = match crate::host::load_config(ws) {
        Ok(config) => config,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "synctray: {e}");
            return ExitCode::Usage.into();
        }
    };
    let now = Utc::now();
    let last = RunRecord::read(&ws.status_file).map(|s| s.span());
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
pub fn logs(ws: &Workspace, k: usize) -> process::ExitCode {
    let runs = recent(ws, k);
    let Some(run) = runs.get(k - 1) else {
        let _ = writeln!(
            std::io::stderr(),
            "synctray: no run {k} back: {} run(s) recorded in {}",
            runs.len(),
            ws.history_file.display()
        );
        return ExitCode::Failed.into();
    };
    let Some(path) = log_path(ws, run) else {
        let _ = writeln!(
            std::io::stderr(),
            "synctray: the run of {} has no log (no job ran)",
            local(run.started())
        );
        return ExitCode::Failed.into();
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mut out = io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::Success.into(),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::Success.into(),
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "synctray: cannot write the output: {e}");
                    ExitCode::Failed.into()
                }
            }
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "synctray: {}: cannot read the log of the run of {}: {e} (the newest {} logs are kept)",
                path.display(),
                local(run.started()),
                crate::workspace::LOG_FILES
            );
            ExitCode::Failed.into()
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
        let times: Vec<String> = upcoming(
            &c,
            Some((utc("2026-11-25T14:30:00Z"), utc("2026-11-25T14:30:04Z"))),
            now,
            3,
        )
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
}
