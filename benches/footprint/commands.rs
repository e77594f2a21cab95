//! Figures 6–8: what one-shot commands cost. `synctray sync` against `sh` running the
//! same jobs, `synctray status --json` against `cat` of the status file, and the peak
//! memory of a sync whose job prints 500 MB.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::app::{self, Binaries, Workspace};
use crate::baselines::sh_true;
use crate::process::{Exit, check_runs, run_to_exit};
use crate::report::{Met, Row, mib, ms, ratio};
use crate::stats::{median, median_ms};

/// How many timed runs each timing figure is the median of.
pub const ROUNDS: usize = 30;
/// How many runs the 500 MB figure is the median of (each takes a second or so).
const OUTPUT_ROUNDS: usize = 3;
/// The history length the "flat" figure fills in: synctray's default bound.
const FULL_HISTORY_LINES: usize = 200;

/// One command run over and over. Cases are run interleaved (one of each per round), so
/// that a noisy spell of the machine spreads over all of them instead of hitting one.
struct Case<'a> {
    command: Command,
    /// Runs untimed before each run: puts the workspace in the state the case is about.
    prepare: Box<dyn FnMut() + 'a>,
    exits: Vec<Exit>,
    /// Why the case stopped being timed (it failed to run or exited non-zero).
    error: Option<String>,
}

impl<'a> Case<'a> {
    fn new(command: Command) -> Case<'a> {
        Case {
            command,
            prepare: Box::new(|| {}),
            exits: Vec::new(),
            error: None,
        }
    }

    fn prepared(command: Command, prepare: impl FnMut() + 'a) -> Case<'a> {
        Case {
            prepare: Box::new(prepare),
            ..Case::new(command)
        }
    }

    /// A case that cannot run, with the reason; it keeps its place in the table.
    fn unavailable(why: &str) -> Case<'a> {
        Case {
            error: Some(why.to_string()),
            ..Case::new(Command::new("false"))
        }
    }

    /// One untimed run with its output captured, so that a failure is explained once,
    /// then the output is discarded for the timed runs.
    fn warm_up(&mut self) {
        if self.error.is_some() {
            return;
        }
        (self.prepare)();
        if let Err(why) = check_runs(&mut self.command) {
            self.error = Some(why);
        }
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }

    fn run_once(&mut self) {
        if self.error.is_some() {
            return;
        }
        (self.prepare)();
        match run_to_exit(&mut self.command) {
            Ok(exit) if exit.code == Some(0) => self.exits.push(exit),
            Ok(exit) => self.error = Some(format!("exited with {:?}", exit.code)),
            Err(e) => self.error = Some(format!("could not start: {e}")),
        }
    }

    fn median_ms(&self) -> Result<f64, String> {
        self.result()?;
        Ok(median_ms(
            &self.exits.iter().map(|exit| exit.wall).collect::<Vec<_>>(),
        ))
    }

    fn median_max_rss_kib(&self) -> Result<u64, String> {
        self.result()?;
        Ok(median(
            &self
                .exits
                .iter()
                .map(|exit| exit.max_rss_kib as f64)
                .collect::<Vec<_>>(),
        ) as u64)
    }

    fn result(&self) -> Result<(), String> {
        match &self.error {
            Some(why) => Err(why.clone()),
            None => Ok(()),
        }
    }
}

fn run_interleaved(cases: &mut [&mut Case], rounds: usize) {
    for case in cases.iter_mut() {
        case.warm_up();
    }
    for _ in 0..rounds {
        for case in cases.iter_mut() {
            case.run_once();
        }
    }
}

/// Median wall times, in ms, of every timed command of figures 6 and 7. The synctray
/// figures are for the default (tray) build, which is what a desktop user runs the CLI
/// from, and for the headless build where it is cheaper to leave out GTK.
pub struct CommandTimes {
    sync_3: Result<f64, String>,
    sync_3_headless: Result<f64, String>,
    sync_100: Result<f64, String>,
    sync_3_full_history: Result<f64, String>,
    sh_3: Result<f64, String>,
    sh_100: Result<f64, String>,
    status: Result<f64, String>,
    status_headless: Result<f64, String>,
    cat_status: Result<f64, String>,
}

impl CommandTimes {
    pub fn measure(binaries: &Binaries) -> CommandTimes {
        let three = Workspace::noop_jobs("sync3", 3);
        let three_headless = Workspace::noop_jobs("sync3-headless", 3);
        let hundred = Workspace::noop_jobs("sync100", 100);
        let full = Workspace::noop_jobs("sync3-full-history", 3);
        let status = Workspace::noop_jobs("status", 3);

        let sync =
            |binary: &Path, workspace: &Workspace| app::command(binary, workspace, &["sync"]);
        let empty_history = |workspace: &Workspace| {
            let history = workspace.history();
            move || {
                let _ = fs::remove_file(&history);
            }
        };

        let mut sync_3 = Case::prepared(sync(&binaries.tray, &three), empty_history(&three));
        let mut sync_100 = Case::prepared(sync(&binaries.tray, &hundred), empty_history(&hundred));
        let mut sync_3_headless = match &binaries.headless {
            Ok(headless) => Case::prepared(
                sync(headless, &three_headless),
                empty_history(&three_headless),
            ),
            Err(why) => Case::unavailable(why),
        };
        let mut sync_3_full = match full_history(&binaries.tray, &full) {
            Ok(lines) => {
                let history = full.history();
                Case::prepared(sync(&binaries.tray, &full), move || {
                    fs::write(&history, &lines).expect("write history")
                })
            }
            Err(why) => Case::unavailable(&why),
        };
        let mut sh_3 = Case::new(sh_true(3));
        let mut sh_100 = Case::new(sh_true(100));

        // `status` reads a workspace that has a recorded run.
        let recorded = check_runs(&mut sync(&binaries.tray, &status));
        let status_case = |binary: &Path| match &recorded {
            Ok(()) => Case::new(app::command(binary, &status, &["status", "--json"])),
            Err(why) => Case::unavailable(&format!("the first sync failed: {why}")),
        };
        let mut status_tray = status_case(&binaries.tray);
        let mut status_headless = match &binaries.headless {
            Ok(headless) => status_case(headless),
            Err(why) => Case::unavailable(why),
        };
        let mut cat = Command::new("cat");
        cat.arg(status.status());
        let mut cat = Case::new(cat);

        eprintln!("footprint: timing sync and status, {ROUNDS} rounds…");
        run_interleaved(
            &mut [
                &mut sync_3,
                &mut sh_3,
                &mut sync_3_headless,
                &mut sync_100,
                &mut sh_100,
                &mut sync_3_full,
                &mut status_tray,
                &mut status_headless,
                &mut cat,
            ],
            ROUNDS,
        );
        CommandTimes {
            sync_3: sync_3.median_ms(),
            sync_3_headless: sync_3_headless.median_ms(),
            sync_100: sync_100.median_ms(),
            sync_3_full_history: sync_3_full.median_ms(),
            sh_3: sh_3.median_ms(),
            sh_100: sh_100.median_ms(),
            status: status_tray.median_ms(),
            status_headless: status_headless.median_ms(),
            cat_status: cat.median_ms(),
        }
    }
}

/// A history file of [`FULL_HISTORY_LINES`] lines, each a copy of a line synctray wrote,
/// so the figure does not depend on knowing the line format.
fn full_history(binary: &Path, workspace: &Workspace) -> Result<String, String> {
    check_runs(&mut app::command(binary, workspace, &["sync"]))
        .map_err(|why| format!("the first sync failed: {why}"))?;
    let history = fs::read_to_string(workspace.history())
        .map_err(|e| format!("no history after a sync: {e}"))?;
    let line = history
        .lines()
        .last()
        .ok_or("the history is empty after a sync")?;
    Ok(format!("{line}\n").repeat(FULL_HISTORY_LINES))
}

/// Goals, from the brief.
const SYNC_MAX_SH_RATIO: f64 = 2.0;
const FULL_HISTORY_MAX_RATIO: f64 = 1.2;
const STATUS_MAX_MS: f64 = 5.0;

impl CommandTimes {
    pub fn rows(&self) -> Vec<Row> {
        vec![
            self.sync_3_row(),
            self.sync_100_row(),
            self.per_job_row(),
            self.history_row(),
            self.status_row(),
        ]
    }

    fn sync_3_row(&self) -> Row {
        let figure = format!("`sync`, 3 no-op argv jobs, whole process (median of {ROUNDS})");
        let baselines = sh_cell("sh, 3× /bin/true", &self.sh_3);
        let goal = "≤ 2x sh";
        let (tray, sh) = match (&self.sync_3, &self.sh_3) {
            (Ok(tray), Ok(sh)) => (*tray, *sh),
            (Err(why), _) | (_, Err(why)) => return Row::failed(&figure, why, baselines, goal),
        };
        let headless = self.sync_3_headless.as_ref().ok().copied();
        Row {
            figure,
            synctray: with_headless(ms(tray), headless.map(ms), &self.sync_3_headless),
            baselines,
            ratio: with_headless(
                ratio(tray, sh),
                headless.map(|h| ratio(h, sh)),
                &self.sync_3_headless,
            ),
            goal: goal.into(),
            met: Met::from(
                tray <= SYNC_MAX_SH_RATIO * sh
                    && headless.is_none_or(|h| h <= SYNC_MAX_SH_RATIO * sh),
            ),
        }
    }

    fn sync_100_row(&self) -> Row {
        let figure = format!("`sync`, 100 no-op argv jobs (median of {ROUNDS})");
        let baselines = sh_cell("sh, 100× /bin/true", &self.sh_100);
        compare_row(
            figure,
            &self.sync_100,
            &self.sh_100,
            baselines,
            "≤ 2x sh",
            SYNC_MAX_SH_RATIO,
        )
    }

    /// The marginal cost of one more job: (100-job run − 3-job run) / 97.
    fn per_job_row(&self) -> Row {
        let figure = "cost per job, (100-job − 3-job) / 97".to_string();
        let per_job = |many: &Result<f64, String>,
                       few: &Result<f64, String>|
         -> Result<f64, String> { Ok((many.clone()? - few.clone()?) / 97.0) };
        let synctray = per_job(&self.sync_100, &self.sync_3);
        let sh = per_job(&self.sh_100, &self.sh_3);
        let baselines = sh_cell("sh", &sh);
        match (synctray, sh) {
            (Ok(synctray), Ok(sh)) => Row {
                figure,
                synctray: ms(synctray),
                baselines,
                ratio: ratio(synctray, sh),
                goal: "— (shown for scale)".into(),
                met: Met::NotJudged,
            },
            (Err(why), _) | (_, Err(why)) => Row {
                met: Met::NotJudged,
                ..Row::failed(&figure, &why, baselines, "—")
            },
        }
    }

    /// Running a sync must not get slower as the history fills up to its bound.
    fn history_row(&self) -> Row {
        let figure =
            format!("`sync`, 3 jobs, history at {FULL_HISTORY_LINES} lines (median of {ROUNDS})");
        let baselines = match &self.sync_3 {
            Ok(empty) => format!("synctray, empty history {}", ms(*empty)),
            Err(why) => format!("synctray, empty history: failed: {why}"),
        };
        compare_row(
            figure,
            &self.sync_3_full_history,
            &self.sync_3,
            baselines,
            "flat: ≤ 1.2x empty history",
            FULL_HISTORY_MAX_RATIO,
        )
    }

    fn status_row(&self) -> Row {
        let figure = format!("`status --json` (median of {ROUNDS})");
        let baselines = sh_cell("cat sync-status.json", &self.cat_status);
        let goal = "< 5 ms";
        let tray = match &self.status {
            Ok(tray) => *tray,
            Err(why) => return Row::failed(&figure, why, baselines, goal),
        };
        let headless = self.status_headless.as_ref().ok().copied();
        let cat = self.cat_status.as_ref().ok().copied().unwrap_or(f64::NAN);
        Row {
            figure,
            synctray: with_headless(ms(tray), headless.map(ms), &self.status_headless),
            baselines,
            ratio: with_headless(
                ratio(tray, cat),
                headless.map(|h| ratio(h, cat)),
                &self.status_headless,
            ),
            goal: goal.into(),
            met: Met::from(tray < STATUS_MAX_MS && headless.is_none_or(|h| h < STATUS_MAX_MS)),
        }
    }
}

/// "tray-build figure (headless: figure)", or the headless failure.
fn with_headless(
    tray: String,
    headless: Option<String>,
    headless_result: &Result<f64, String>,
) -> String {
    match (headless, headless_result) {
        (Some(headless), _) => format!("{tray} (headless {headless})"),
        (None, Err(why)) => format!("{tray} (headless failed: {why})"),
        (None, Ok(_)) => tray,
    }
}

fn sh_cell(label: &str, value: &Result<f64, String>) -> String {
    match value {
        Ok(value) => format!("{label} {}", ms(*value)),
        Err(why) => format!("{label}: failed: {why}"),
    }
}

/// A row for `synctray ≤ max_ratio × baseline`.
fn compare_row(
    figure: String,
    synctray: &Result<f64, String>,
    baseline: &Result<f64, String>,
    baselines: String,
    goal: &str,
    max_ratio: f64,
) -> Row {
    match (synctray, baseline) {
        (Ok(synctray), Ok(baseline)) => Row {
            figure,
            synctray: ms(*synctray),
            baselines,
            ratio: ratio(*synctray, *baseline),
            goal: goal.into(),
            met: Met::from(*synctray <= max_ratio * baseline),
        },
        (Err(why), _) | (_, Err(why)) => Row::failed(&figure, why, baselines, goal),
    }
}

/// Figure 8: peak memory of `synctray sync` when its job floods stdout, against the same
/// sync with a job that prints nothing. Job output must stream to the log, not pile up.
pub struct OutputMemory {
    loud_kib: Result<u64, String>,
    quiet_kib: Result<u64, String>,
}

/// 500 MB of 'x' on stdout.
const LOUD_SCRIPT: &str = "head -c 500000000 /dev/zero | tr '\\0' x";
const OUTPUT_MAX_EXTRA_KIB: u64 = 2 * 1024;

impl OutputMemory {
    pub fn measure(binary: &Path) -> OutputMemory {
        let one_job = |label: &str, script: &str| {
            Workspace::new(
                label,
                &json!({"intervalMinutes": 1440, "catchUp": false, "jobs": [{"name": label, "command": ["sh", "-c", script]}]}),
            )
        };
        let loud = one_job("loud", LOUD_SCRIPT);
        let quiet = one_job("quiet", "true");
        let mut loud_case = Case::new(app::command(binary, &loud, &["sync"]));
        let mut quiet_case = Case::new(app::command(binary, &quiet, &["sync"]));
        eprintln!(
            "footprint: peak memory of a sync whose job prints 500 MB, {OUTPUT_ROUNDS} rounds…"
        );
        run_interleaved(&mut [&mut loud_case, &mut quiet_case], OUTPUT_ROUNDS);
        OutputMemory {
            loud_kib: loud_case.median_max_rss_kib(),
            quiet_kib: quiet_case.median_max_rss_kib(),
        }
    }

    pub fn row(&self) -> Row {
        let figure = format!("peak RSS of `sync`, job printing 500 MB (median of {OUTPUT_ROUNDS})");
        let goal = "≤ silent + 2 MiB";
        let baselines = match &self.quiet_kib {
            Ok(quiet) => format!("same sync, job printing nothing {}", mib(*quiet)),
            Err(why) => format!("job printing nothing: failed: {why}"),
        };
        match (&self.loud_kib, &self.quiet_kib) {
            (Ok(loud), Ok(quiet)) => Row {
                figure,
                synctray: mib(*loud),
                baselines,
                ratio: format!("{:+.1} MiB", (*loud as f64 - *quiet as f64) / 1024.0),
                goal: goal.into(),
                met: Met::from(*loud <= quiet + OUTPUT_MAX_EXTRA_KIB),
            },
            (Err(why), _) | (_, Err(why)) => Row::failed(&figure, why, baselines, goal),
        }
    }
}

/// Figure 9: the size of both release binaries (the release profile strips them).
pub fn binary_size_rows(binaries: &Binaries) -> Vec<Row> {
    let size_row = |build: &str, path: Result<&Path, &String>, max_mib: u64| {
        let figure = format!("release binary size, {build} build");
        let goal = format!("≤ {max_mib} MiB");
        let size = path.map_err(Clone::clone).and_then(|path| {
            fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| format!("{}: {e}", path.display()))
        });
        match size {
            Ok(bytes) => Row {
                figure,
                synctray: mib(bytes / 1024),
                baselines: "—".into(),
                ratio: "—".into(),
                goal,
                met: Met::from(bytes <= max_mib * 1024 * 1024),
            },
            Err(why) => Row::failed(&figure, &why, "—".into(), &goal),
        }
    };
    vec![
        size_row(
            "headless",
            binaries.headless.as_ref().map(|p| p.as_path()),
            4,
        ),
        size_row("tray", Ok(binaries.tray.as_path()), 8),
    ]
}
