//! Figures 6–8: what one-shot commands cost. `synctray sync` against `sh` running the
//! same jobs, `synctray status --json` against `cat` of the status file, and the peak
//! memory of a sync whose job prints 500 MB. And figure 9, the size of the binaries.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::app::{self, Binaries, Workspace};
use crate::baselines::sh_true;
use crate::process::{Exit, check_runs, peak_rss_kib, run_to_exit};
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
struct Case {
    command: Command,
    /// Runs untimed before each run: puts the workspace in the state the case is about.
    prepare: Box<dyn FnMut()>,
    exits: Vec<Exit>,
    /// Why the case stopped being timed (it failed to run or exited non-zero).
    error: Option<String>,
}

impl Case {
    fn new(command: Command) -> Case {
        Case {
            command,
            prepare: Box::new(|| {}),
            exits: Vec::new(),
            error: None,
        }
    }

    fn prepared(command: Command, prepare: impl FnMut() + 'static) -> Case {
        Case {
            prepare: Box::new(prepare),
            ..Case::new(command)
        }
    }

    /// A case that cannot run, with the reason; it keeps its place in the table.
    fn unavailable(why: &str) -> Case {
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

/// Median wall times, in ms, of figures 6 and 7, for both builds: the default (tray)
/// build is what a desktop user runs the CLI from, and it links GTK, whose loading the
/// headless build does not pay.
pub struct CommandTimes {
    tray: BuildTimes,
    headless: BuildTimes,
    /// The tray build's 3-job sync with a full history (200 lines) instead of none.
    sync_3_full_history: Result<f64, String>,
    sh_3: Result<f64, String>,
    sh_100: Result<f64, String>,
    cat_status: Result<f64, String>,
}

/// One build's median wall times, in ms.
struct BuildTimes {
    sync_3: Result<f64, String>,
    sync_100: Result<f64, String>,
    status: Result<f64, String>,
}

impl BuildTimes {
    /// The marginal cost of one more job: (100-job run − 3-job run) / 97.
    fn per_job(&self) -> Result<f64, String> {
        per_job(&self.sync_100, &self.sync_3)
    }
}

fn per_job(many: &Result<f64, String>, few: &Result<f64, String>) -> Result<f64, String> {
    Ok((many.clone()? - few.clone()?) / 97.0)
}

/// One build's timed cases, each in a workspace of its own.
struct BuildCases {
    sync_3: Case,
    sync_100: Case,
    status: Case,
    _workspaces: Vec<Workspace>,
}

impl BuildCases {
    /// `status` is a workspace with a recorded run (`recorded` says if that went wrong).
    fn new(
        label: &str,
        binary: Result<&Path, &String>,
        status: &Workspace,
        recorded: &Result<(), String>,
    ) -> BuildCases {
        let binary = match binary {
            Ok(binary) => binary,
            Err(why) => {
                return BuildCases {
                    sync_3: Case::unavailable(why),
                    sync_100: Case::unavailable(why),
                    status: Case::unavailable(why),
                    _workspaces: Vec::new(),
                };
            }
        };
        let three = Workspace::noop_jobs(&format!("{label}-sync3"), 3);
        let hundred = Workspace::noop_jobs(&format!("{label}-sync100"), 100);
        let status = match recorded {
            Ok(()) => Case::new(app::command(binary, status, &["status", "--json"])),
            Err(why) => Case::unavailable(&format!("the first sync failed: {why}")),
        };
        BuildCases {
            sync_3: sync_with_empty_history(binary, &three),
            sync_100: sync_with_empty_history(binary, &hundred),
            status,
            _workspaces: vec![three, hundred],
        }
    }

    fn cases(&mut self) -> [&mut Case; 3] {
        [&mut self.sync_3, &mut self.sync_100, &mut self.status]
    }

    fn times(&self) -> BuildTimes {
        BuildTimes {
            sync_3: self.sync_3.median_ms(),
            sync_100: self.sync_100.median_ms(),
            status: self.status.median_ms(),
        }
    }
}

/// `synctray sync` with the history removed before each run.
fn sync_with_empty_history(binary: &Path, workspace: &Workspace) -> Case {
    let history = workspace.history();
    Case::prepared(app::command(binary, workspace, &["sync"]), move || {
        let _ = fs::remove_file(&history);
    })
}

/// `synctray sync` with a history of [`FULL_HISTORY_LINES`] lines before each run.
fn sync_with_full_history(binary: &Path, workspace: &Workspace) -> Case {
    match full_history(binary, workspace) {
        Ok(lines) => {
            let history = workspace.history();
            Case::prepared(app::command(binary, workspace, &["sync"]), move || {
                fs::write(&history, &lines).expect("write the history")
            })
        }
        Err(why) => Case::unavailable(&why),
    }
}

impl CommandTimes {
    pub fn measure(binaries: &Binaries) -> CommandTimes {
        // `status` reads a workspace that has a recorded run.
        let status = Workspace::noop_jobs("status", 3);
        let recorded = check_runs(&mut app::command(&binaries.tray, &status, &["sync"]));
        let mut tray = BuildCases::new("tray", Ok(&binaries.tray), &status, &recorded);
        let mut headless =
            BuildCases::new("headless", binaries.headless.as_deref(), &status, &recorded);
        let full = Workspace::noop_jobs("sync3-full-history", 3);
        let mut sync_3_full = sync_with_full_history(&binaries.tray, &full);
        let mut sh_3 = Case::new(sh_true(3));
        let mut sh_100 = Case::new(sh_true(100));
        let mut cat = Command::new("cat");
        cat.arg(status.status());
        let mut cat = Case::new(cat);

        eprintln!("footprint: timing sync and status, {ROUNDS} rounds…");
        let mut cases: Vec<&mut Case> = vec![&mut sh_3, &mut sh_100, &mut cat, &mut sync_3_full];
        cases.extend(tray.cases());
        cases.extend(headless.cases());
        run_interleaved(&mut cases, ROUNDS);

        CommandTimes {
            tray: tray.times(),
            headless: headless.times(),
            sync_3_full_history: sync_3_full.median_ms(),
            sh_3: sh_3.median_ms(),
            sh_100: sh_100.median_ms(),
            cat_status: cat.median_ms(),
        }
    }
}

/// Peak RSS of a sync in each workspace, one of each per round (interleaved, like the
/// timings), stopping at the first failure.
fn interleaved_peaks(
    binary: &Path,
    loud: &Workspace,
    quiet: &Workspace,
    scratch: &Path,
) -> Result<(Vec<u64>, Vec<u64>), String> {
    let (mut loud_peaks, mut quiet_peaks) = (Vec::new(), Vec::new());
    for _ in 0..OUTPUT_ROUNDS {
        loud_peaks.push(peak_rss_kib(
            &app::command(binary, loud, &["sync"]),
            scratch,
        )?);
        quiet_peaks.push(peak_rss_kib(
            &app::command(binary, quiet, &["sync"]),
            scratch,
        )?);
    }
    Ok((loud_peaks, quiet_peaks))
}

fn median_kib(values: &[u64]) -> u64 {
    median(&values.iter().map(|&kib| kib as f64).collect::<Vec<_>>()) as u64
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
/// A sync of 3 no-op jobs, and one no-op job, against sh doing the same.
const SYNC_3_MAX_SH_RATIO: f64 = 1.6;
const PER_JOB_MAX_SH_RATIO: f64 = 1.3;
const STATUS_MAX_MS: f64 = 5.0;

impl CommandTimes {
    pub fn rows(&self) -> Vec<Row> {
        let within =
            |max_ratio: f64| move |synctray: f64, baseline: f64| synctray <= max_ratio * baseline;
        let sh_per_job = per_job(&self.sh_100, &self.sh_3);
        vec![
            builds_row(
                format!("`sync`, 3 no-op argv jobs, whole process (median of {ROUNDS})"),
                (&self.tray.sync_3, &self.headless.sync_3),
                &self.sh_3,
                "sh, 3× /bin/true",
                "≤ 1.6x sh",
                Some(&within(SYNC_3_MAX_SH_RATIO)),
            ),
            builds_row(
                format!("`sync`, 100 no-op argv jobs (median of {ROUNDS})"),
                (&self.tray.sync_100, &self.headless.sync_100),
                &self.sh_100,
                "sh, 100× /bin/true",
                "≤ 2x sh",
                Some(&within(SYNC_MAX_SH_RATIO)),
            ),
            builds_row(
                "cost per job, (100-job − 3-job) / 97".to_string(),
                (&self.tray.per_job(), &self.headless.per_job()),
                &sh_per_job,
                "sh",
                "≤ 1.3x sh",
                Some(&within(PER_JOB_MAX_SH_RATIO)),
            ),
            self.history_row(),
            builds_row(
                format!("`status --json` (median of {ROUNDS})"),
                (&self.tray.status, &self.headless.status),
                &self.cat_status,
                "cat sync-status.json",
                "< 5 ms",
                Some(&|synctray, _| synctray < STATUS_MAX_MS),
            ),
        ]
    }

    /// Running a sync must not get slower as the history fills up to its bound.
    fn history_row(&self) -> Row {
        let figure = format!(
            "`sync`, 3 jobs, history at {FULL_HISTORY_LINES} lines, tray build (median of {ROUNDS})"
        );
        let baselines = sh_cell("same, empty history", &self.tray.sync_3);
        let goal = "flat: ≤ 1.2x empty history";
        match (&self.sync_3_full_history, &self.tray.sync_3) {
            (Ok(full), Ok(empty)) => Row {
                figure,
                synctray: ms(*full),
                baselines,
                ratio: ratio(*full, *empty),
                goal: goal.into(),
                met: Met::from(*full <= FULL_HISTORY_MAX_RATIO * empty),
            },
            (Err(why), _) | (_, Err(why)) => Row::failed(&figure, why, baselines, goal),
        }
    }
}

/// A row with both builds' figures against one baseline: "tray X · headless Y".
/// `meets(synctray, baseline)` judges each build; the row meets its goal if both do.
/// Without `meets` the row is shown for scale only.
fn builds_row(
    figure: String,
    (tray, headless): (&Result<f64, String>, &Result<f64, String>),
    baseline: &Result<f64, String>,
    baseline_label: &str,
    goal: &str,
    meets: Option<&dyn Fn(f64, f64) -> bool>,
) -> Row {
    let baselines = sh_cell(baseline_label, baseline);
    let base = match baseline {
        Ok(base) => *base,
        Err(why) => return Row::failed(&figure, &format!("no baseline: {why}"), baselines, goal),
    };
    let per_build = |show: &dyn Fn(f64) -> String| {
        [("tray", tray), ("headless", headless)]
            .iter()
            .map(|(build, value)| match value {
                Ok(value) => format!("{build} {}", show(*value)),
                Err(why) => format!("{build} failed: {why}"),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let met = match meets {
        None => Met::NotJudged,
        Some(meets) => Met::from(
            [tray, headless]
                .iter()
                .all(|value| value.as_ref().is_ok_and(|&v| meets(v, base))),
        ),
    };
    Row {
        figure,
        synctray: per_build(&|value| ms(value)),
        baselines,
        ratio: per_build(&|value| ratio(value, base)),
        goal: goal.into(),
        met,
    }
}

fn sh_cell(label: &str, value: &Result<f64, String>) -> String {
    match value {
        Ok(value) => format!("{label} {}", ms(*value)),
        Err(why) => format!("{label}: failed: {why}"),
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
    pub fn measure(binary: &Path, scratch: &Path) -> OutputMemory {
        let one_job = |label: &str, script: &str| {
            let job = json!({"name": label, "command": ["sh", "-c", script]});
            Workspace::new(
                label,
                &json!({"intervalMinutes": 1440, "catchUp": false, "jobs": [job]}),
            )
        };
        let loud = one_job("loud", LOUD_SCRIPT);
        let quiet = one_job("quiet", "true");
        eprintln!(
            "footprint: peak memory of a sync whose job prints 500 MB, {OUTPUT_ROUNDS} rounds…"
        );
        match interleaved_peaks(binary, &loud, &quiet, scratch) {
            Ok((loud, quiet)) => OutputMemory {
                loud_kib: Ok(median_kib(&loud)),
                quiet_kib: Ok(median_kib(&quiet)),
            },
            Err(why) => OutputMemory {
                loud_kib: Err(why.clone()),
                quiet_kib: Err(why),
            },
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

/// Figure 9: the size of both release builds (the release profile strips them). The
/// default build ships two executables, `synctray` and the tray's `synctray-tray`: both count.
pub fn binary_size_rows(binaries: &Binaries) -> Vec<Row> {
    let size_row = |build: &str, paths: Result<Vec<PathBuf>, String>, max_mib: u64| {
        let figure = format!("release binary size, {build}");
        let goal = format!("≤ {max_mib} MiB");
        let size = paths.and_then(|paths| {
            paths
                .iter()
                .map(|path| {
                    fs::metadata(path)
                        .map(|m| m.len())
                        .map_err(|e| format!("{}: {e}", path.display()))
                })
                .sum::<Result<u64, String>>()
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
    let tray = binaries.tray.clone();
    let tray_exe = tray.with_file_name("synctray-tray");
    vec![
        size_row(
            "headless build",
            binaries.headless.clone().map(|p| vec![p]),
            4,
        ),
        size_row(
            "tray build (synctray + synctray-tray)",
            Ok(vec![tray, tray_exe]),
            8,
        ),
    ]
}
