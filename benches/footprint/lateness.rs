//! Figure 5: how late a scheduled run starts, over 100 runs of a schedule that fires every
//! second.
//!
//! Two views of the same runs: synctray's own `startedAt` in the history file (when the
//! scheduler began the run), and the job's (it writes `date +%s%N` when it starts), which
//! adds the cost of spawning the job. Lateness is measured from the whole second the run
//! was due.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::{self, Workspace};
use crate::process::Daemon;
use crate::report::{Met, Row, ms};
use crate::stats::percentile;

/// How many runs the figure is quoted over.
pub const RUNS: usize = 100;

/// The job: append the time it started, in nanoseconds since the epoch, to `stamps`.
const STAMP_SCRIPT: &str = "date +%s%N >> stamps";

/// A daemon running the every-second schedule, started with [`LatenessRun::start`] and
/// read with [`LatenessRun::finish`], so that other figures can be measured meanwhile.
pub struct LatenessRun {
    /// Which synctray build runs the schedule, for the table.
    build: &'static str,
    daemon: Daemon,
    workspace: Workspace,
    started: Instant,
}

/// p50 and p99 of the lateness over [`RUNS`] runs, in ms.
#[derive(Clone, Copy)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The earliest run: negative means a run started before its second was due.
    pub min_ms: f64,
}

pub struct Lateness {
    build: &'static str,
    by_started_at: Result<Percentiles, String>,
    by_job: Result<Percentiles, String>,
}

impl LatenessRun {
    /// Starts `binary` (the `build` named in the table) on the every-second schedule.
    pub fn start(
        build: &'static str,
        binary: &Path,
        scratch: &Path,
    ) -> Result<LatenessRun, String> {
        let workspace = Workspace::new(
            "lateness",
            &json!({
                "schedule": "* * * * * *",
                "catchUp": false,
                "jobs": [{"name": "stamp", "command": ["sh", "-c", STAMP_SCRIPT]}]
            }),
        );
        let mut command = app::command(binary, &workspace, &["--daemon"]);
        command
            .env_remove("DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        let daemon = Daemon::spawn(
            "lateness daemon",
            command,
            &scratch.join("lateness-daemon.log"),
        )
        .map_err(|e| e.to_string())?;
        Ok(LatenessRun {
            build,
            daemon,
            workspace,
            started: Instant::now(),
        })
    }

    /// Waits for [`RUNS`] runs (a little over `RUNS` seconds after the start), stops the
    /// daemon and computes the figures.
    pub fn finish(mut self) -> Lateness {
        if let Err(why) = self.wait_for_runs() {
            return Lateness::failed(self.build, why);
        }
        // Stop the daemon before reading, so that the history file is complete.
        let workspace = self.workspace;
        drop(self.daemon);
        Lateness {
            build: self.build,
            by_started_at: history_start_times(&workspace.history())
                .and_then(|times| lateness_of(&times)),
            by_job: job_stamps(&workspace.path("stamps")).and_then(|times| lateness_of(&times)),
        }
    }

    fn wait_for_runs(&mut self) -> Result<(), String> {
        let deadline = self.started + Duration::from_secs(RUNS as u64 + 30);
        loop {
            let runs = count_lines(&self.workspace.path("stamps"));
            if runs > RUNS {
                return Ok(());
            }
            if let Some(why) = self.daemon.exited() {
                return Err(format!("the daemon exited after {runs} runs: {why}"));
            }
            let waited = self.started.elapsed();
            if runs == 0 && waited > Duration::from_secs(15) {
                return Err(format!(
                    "no scheduled run in {} s: {}",
                    waited.as_secs(),
                    self.daemon.log_tail(2)
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("only {runs} runs in {} s", waited.as_secs()));
            }
            thread::sleep(Duration::from_millis(500));
        }
    }
}

fn count_lines(path: &Path) -> usize {
    fs::read_to_string(path)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

/// The `startedAt` of every scheduled run in the history, in ms since the epoch.
fn history_start_times(history: &Path) -> Result<Vec<f64>, String> {
    let text = fs::read_to_string(history).map_err(|e| format!("{}: {e}", history.display()))?;
    let mut times = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let run: Value =
            serde_json::from_str(line).map_err(|e| format!("sync-history.jsonl: {e}"))?;
        // A catch-up or manual run was not due at a whole second.
        if run
            .get("trigger")
            .and_then(Value::as_str)
            .is_some_and(|trigger| trigger != "schedule")
        {
            continue;
        }
        let started = run
            .get("startedAt")
            .and_then(Value::as_str)
            .ok_or("sync-history.jsonl: a line has no startedAt")?;
        let started_ms = utc_millis(started)
            .ok_or_else(|| format!("startedAt {started:?} is not UTC ISO-8601"))?;
        times.push(started_ms);
    }
    Ok(times)
}

/// Milliseconds since the epoch of a UTC time as the status files write it,
/// `2026-11-25T14:30:00.123Z` (the fraction may have any number of digits, or none).
///
/// Parsed by hand so that the bench does not depend on which date crate synctray uses.
fn utc_millis(text: &str) -> Option<f64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (ymd.next()?.ok()?, ymd.next()?.ok()?, ymd.next()?.ok()?);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut hms = hms.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (hms.next()?.ok()?, hms.next()?.ok()?, hms.next()?.ok()?);
    let fraction: f64 = if fraction.is_empty() {
        0.0
    } else {
        format!("0.{fraction}").parse().ok()?
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some((seconds as f64 + fraction) * 1000.0)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The times the jobs wrote, in ms since the epoch.
fn job_stamps(stamps: &Path) -> Result<Vec<f64>, String> {
    let text = fs::read_to_string(stamps).map_err(|e| format!("{}: {e}", stamps.display()))?;
    text.lines()
        .map(|line| {
            line.trim()
                .parse::<u128>()
                .map(|ns| ns as f64 / 1e6)
                .map_err(|e| format!("stamp {line:?}: {e}"))
        })
        .collect()
}

/// Lateness of the first [`RUNS`] times, each against the whole second it was due.
///
/// The due second is the whole second at or before the start, unless the start is up to
/// 200 ms before a whole second, which counts as early (negative lateness): a scheduler
/// whose timer fires a hair early must not look a second late.
fn lateness_of(times: &[f64]) -> Result<Percentiles, String> {
    if times.len() < RUNS {
        return Err(format!("only {} runs recorded", times.len()));
    }
    let lateness: Vec<f64> = times[..RUNS]
        .iter()
        .map(|&t| {
            let due = ((t + 200.0) / 1000.0).floor() * 1000.0;
            t - due
        })
        .collect();
    Ok(Percentiles {
        p50_ms: percentile(&lateness, 50.0),
        p99_ms: percentile(&lateness, 99.0),
        min_ms: lateness.iter().copied().fold(f64::INFINITY, f64::min),
    })
}

/// The goals: for synctray's own `startedAt`, and for the job (which starts after the
/// run's lock and its supervisor are set up).
const P99_MAX_MS: f64 = 20.0;
const JOB_P99_MAX_MS: f64 = 5.0;

impl Lateness {
    /// Both figures missing, for `why`.
    pub fn failed(build: &'static str, why: String) -> Lateness {
        Lateness {
            build,
            by_started_at: Err(why.clone()),
            by_job: Err(why),
        }
    }

    pub fn rows(&self) -> Vec<Row> {
        let figure = |view: &str| {
            format!(
                "lateness of a `* * * * * *` run, {view}, {} ({RUNS} runs)",
                self.build
            )
        };
        vec![
            row(
                figure("synctray's `startedAt`"),
                &self.by_started_at,
                P99_MAX_MS,
            ),
            row(figure("as the job sees it"), &self.by_job, JOB_P99_MAX_MS),
        ]
    }
}

fn row(figure: String, result: &Result<Percentiles, String>, p99_max_ms: f64) -> Row {
    let baseline = "cron: whole minutes only (due times 60 000 ms apart)".to_string();
    let goal = format!("p99 ≤ {p99_max_ms} ms, none early");
    match result {
        Ok(p) => Row {
            figure,
            synctray: format!(
                "p50 {} · p99 {} (earliest {})",
                ms(p.p50_ms),
                ms(p.p99_ms),
                ms(p.min_ms)
            ),
            baselines: baseline,
            ratio: "—".into(),
            goal,
            met: Met::from(p.p99_ms <= p99_max_ms && p.min_ms >= 0.0),
        },
        Err(why) => Row::failed(&figure, why, baseline, &goal),
    }
}
