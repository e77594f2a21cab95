//! Figures 1–4: what a resting daemon or tray costs, memory and wake-ups, next to cron,
//! the Node original and a bare tray loop, all measured in the same idle window.
//!
//! Measuring every subject at once keeps the bench short, and is fair: each figure is
//! read per process tree from /proc, so one subject's activity does not show up in
//! another's counters.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::app::{self, Binaries, Workspace};
use crate::baselines::{NODE_READY_LINE, NodeOriginal, cron_command};
use crate::desktop::Desktop;
use crate::process::Daemon;
use crate::procfs::{TreeSample, sample_tree};
use crate::report::{Met, Row, mib, ratio};

/// Who rests in the idle window.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Who {
    HeadlessDaemon,
    TrayBuildDaemon,
    Cron,
    Node,
    Tray,
    BareTray,
    /// The headless daemon serving a workspace list of one.
    ListOfOne,
    /// The headless daemon serving a workspace list of ten.
    ListOfTen,
}

/// What one process tree did in the idle window.
#[derive(Clone, Copy, Debug)]
pub struct Idle {
    /// Resident memory at the end of the window, summed over the tree, in KiB.
    pub rss_kib: u64,
    /// Anonymous resident memory at the end of the window, summed over the tree, in KiB.
    pub anon_kib: u64,
    /// Proportional set size at the end of the window, summed over the tree, in KiB.
    pub pss_kib: u64,
    /// Context switches over the window, scaled to one minute.
    pub wakeups_per_min: f64,
    /// utime + stime spent in the window, in clock ticks (10 ms each).
    pub cpu_ticks: u64,
    pub processes: usize,
}

/// The subjects, started and left to settle, ready for [`IdleSubjects::measure`].
pub struct IdleSubjects {
    running: Vec<(Who, Result<Daemon, String>)>,
    // Kept alive (not read) until the subjects are stopped: dropping a workspace removes it.
    _workspaces: Vec<Workspace>,
    /// The home folders of the list subjects (their `workspaces.json`), kept likewise.
    _homes: Vec<tempfile::TempDir>,
    /// Where the subjects' logs go.
    scratch: PathBuf,
    /// The TZ every subject runs in.
    tz: &'static str,
}

/// The idle figures of every subject; an `Err` says why a subject has none.
pub struct IdleFigures {
    results: Vec<(Who, Result<Idle, String>)>,
    window: Duration,
}

/// How long every subject rests before the window opens: long enough for start-up work
/// (config parsing, GTK init, Node's module loading) to be over. GTK's accessibility
/// bridge (atk-bridge) holds the objects it reported at start for 15 s, then wakes once
/// to let them go: 20 s puts that wake before the window, in the tray and the bare loop.
const SETTLE: Duration = Duration::from_secs(20);

impl IdleSubjects {
    /// Starts every subject that can run here. A subject that cannot (no Node, no
    /// desktop, a synctray that fails to start) is kept with the reason, for the table.
    ///
    /// Nothing may fall due within `quiet_for` from now: see [`quiet_timezone`].
    pub fn start(
        binaries: &Binaries,
        node: &Result<NodeOriginal, String>,
        desktop: &Result<Desktop, String>,
        scratch: &Path,
        quiet_for: Duration,
    ) -> IdleSubjects {
        let mut subjects = IdleSubjects {
            running: Vec::new(),
            _workspaces: Vec::new(),
            _homes: Vec::new(),
            scratch: scratch.to_path_buf(),
            tz: quiet_timezone(quiet_for),
        };
        match &binaries.headless {
            Ok(headless) => subjects.start_synctray(Who::HeadlessDaemon, headless, None),
            Err(why) => subjects
                .running
                .push((Who::HeadlessDaemon, Err(why.clone()))),
        }
        subjects.start_synctray(Who::TrayBuildDaemon, &binaries.tray, None);
        if let Ok(headless) = &binaries.headless {
            subjects.start_list(Who::ListOfOne, headless, 1);
            subjects.start_list(Who::ListOfTen, headless, 10);
        }
        subjects.start_cron();
        // Without Node the caller has already said that the Node column is left out.
        if let Ok(node) = node {
            subjects.start_node(node);
        }
        // Without a desktop the caller has already said the tray rows are skipped, and why.
        if let Ok(desktop) = desktop {
            subjects.start_synctray(Who::Tray, &binaries.tray, Some(desktop));
            subjects.start_bare_tray(desktop);
        }
        thread::sleep(SETTLE);
        subjects
    }

    fn log(&self, who: Who) -> PathBuf {
        self.scratch.join(format!("{who:?}.log"))
    }

    fn start_cron(&mut self) {
        let cron = cron_command(&self.scratch)
            .and_then(|command| spawn("cron", command, &self.log(Who::Cron)));
        self.running.push((Who::Cron, cron));
    }

    fn start_node(&mut self, node: &NodeOriginal) {
        let started = spawn("node original", node.command(self.tz), &self.log(Who::Node)).and_then(
            |mut daemon| {
                if daemon.wait_for_log(NODE_READY_LINE, Duration::from_secs(60)) {
                    Ok(daemon)
                } else {
                    Err(format!("did not start: {}", daemon.log_tail(3)))
                }
            },
        );
        self.running.push((Who::Node, started));
    }

    fn start_bare_tray(&mut self, desktop: &Desktop) {
        let mut bare = Command::new(std::env::current_exe().expect("the bench's own path"));
        bare.arg("--bare-tray");
        desktop.apply(&mut bare);
        let started = spawn("bare tray", bare, &self.log(Who::BareTray));
        self.running.push((Who::BareTray, started));
    }

    /// `synctray --daemon` without a desktop, or the tray (no flag) on `desktop`.
    fn start_synctray(&mut self, who: Who, binary: &Path, desktop: Option<&Desktop>) {
        let workspace = Workspace::idle(&format!("{who:?}").to_lowercase());
        let args: &[&str] = if desktop.is_some() {
            &[]
        } else {
            &["--daemon"]
        };
        let mut command = app::command(binary, &workspace, args);
        command.env("TZ", self.tz);
        match desktop {
            Some(desktop) => desktop.apply(&mut command),
            // A daemon must not need a desktop; make sure it does not find one.
            None => {
                command
                    .env_remove("DISPLAY")
                    .env_remove("WAYLAND_DISPLAY")
                    .env_remove("DBUS_SESSION_BUS_ADDRESS");
            }
        }
        let started = spawn(&format!("{who:?}"), command, &self.log(who));
        self.running.push((who, started));
        self._workspaces.push(workspace);
    }

    /// `synctray --daemon` serving a workspace list of `count` idle workspaces (one
    /// process, a thread and a host each), from a home folder of its own.
    fn start_list(&mut self, who: Who, binary: &Path, count: usize) {
        let home = tempfile::Builder::new()
            .prefix("footprint-home-")
            .tempdir()
            .expect("a home folder");
        let workspaces: Vec<Workspace> = (0..count)
            .map(|i| Workspace::idle(&format!("{who:?}-{i}").to_lowercase()))
            .collect();
        let list: Vec<serde_json::Value> = workspaces
            .iter()
            .enumerate()
            .map(|(i, ws)| serde_json::json!({ "name": format!("ws{i}"), "path": ws.root() }))
            .collect();
        let config = home.path().join(".config/synctray");
        std::fs::create_dir_all(&config).expect("the config folder");
        std::fs::write(
            config.join("workspaces.json"),
            serde_json::json!({ "workspaces": list }).to_string(),
        )
        .expect("the workspace list");
        let mut command = Command::new(binary);
        command
            .arg("--daemon")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("TZ", self.tz)
            .env_remove("RUST_LOG")
            .env_remove("SYNCTRAY_WORKSPACE")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        let started = spawn(&format!("{who:?}"), command, &self.log(who));
        self.running.push((who, started));
        self._workspaces.extend(workspaces);
        self._homes.push(home);
    }

    /// Samples every subject, lets `window` pass, samples again.
    pub fn measure(&mut self, window: Duration) -> IdleFigures {
        let before: Vec<Result<TreeSample, String>> =
            self.running.iter_mut().map(|(_, d)| sample(d)).collect();
        let start = Instant::now();
        thread::sleep(window);
        let elapsed = start.elapsed();
        let results = self
            .running
            .iter_mut()
            .zip(before)
            .map(|((who, daemon), before)| {
                let after = sample(daemon);
                (
                    *who,
                    before.and_then(|before| Ok(idle_between(before, after?, elapsed))),
                )
            })
            .collect();
        IdleFigures { results, window }
    }
}

/// A time zone in which nothing the idle subjects schedule falls due within `window`.
///
/// The Node original runs at the top of every local hour (croner refuses `*/N` for
/// N > 60, so hourly is its quietest setting) and synctray's 24 h interval at local
/// midnight. UTC does when the next :00 UTC is further than `window`; otherwise India
/// (UTC+5:30), whose hours start at :30 UTC, half an hour away less `window`.
fn quiet_timezone(window: Duration) -> &'static str {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let to_next_hour = 3600 - now % 3600;
    if to_next_hour > window.as_secs() {
        "UTC"
    } else {
        "Asia/Kolkata"
    }
}

fn spawn(name: &str, command: Command, log: &Path) -> Result<Daemon, String> {
    Daemon::spawn(name, command, log).map_err(|e| e.to_string())
}

/// A sample of a subject's tree, or why there is none (it never started, or it exited).
fn sample(daemon: &mut Result<Daemon, String>) -> Result<TreeSample, String> {
    let daemon = daemon.as_mut().map_err(|why| why.clone())?;
    if let Some(why) = daemon.exited() {
        return Err(format!("exited: {why}"));
    }
    sample_tree(daemon.pid()).ok_or_else(|| "exited".to_string())
}

fn idle_between(before: TreeSample, after: TreeSample, elapsed: Duration) -> Idle {
    let switches = after.ctxt_switches.saturating_sub(before.ctxt_switches) as f64;
    Idle {
        rss_kib: after.rss_kib,
        anon_kib: after.anon_kib,
        pss_kib: after.pss_kib,
        wakeups_per_min: switches * 60.0 / elapsed.as_secs_f64(),
        cpu_ticks: after.cpu_ticks.saturating_sub(before.cpu_ticks),
        processes: after.processes,
    }
}

/// Goals, from the brief.
const HEADLESS_RSS_MAX_CRON_RATIO: f64 = 2.0;
const HEADLESS_ANON_MAX_CRON_RATIO: f64 = 1.5;
const TRAY_BUILD_RSS_MAX_KIB: u64 = 12 * 1024;
const DAEMON_WAKEUPS_MAX: f64 = 1.0;
const TRAY_RSS_MAX_ABOVE_BARE_KIB: u64 = 3 * 1024;
const TRAY_PSS_MAX_KIB: u64 = 25 * 1024;
const TRAY_PSS_MAX_ABOVE_BARE_KIB: u64 = 2 * 1024;
const TRAY_WAKEUPS_MAX_ABOVE_BARE: f64 = 1.0;
const EXTRA_WORKSPACE_RSS_MAX_KIB: f64 = 0.3 * 1024.0;
const TEN_WORKSPACES_RSS_MAX_ABOVE_ONE_KIB: u64 = 3 * 1024;

impl IdleFigures {
    fn get(&self, who: Who) -> Option<&Result<Idle, String>> {
        self.results
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, result)| result)
    }

    fn ok(&self, who: Who) -> Option<Idle> {
        self.get(who)?.as_ref().ok().copied()
    }

    /// "cron 2.4 MiB · Node original 226 MiB (5 processes)", via `show`.
    fn daemon_baselines(&self, show: impl Fn(&Idle) -> String) -> String {
        [(Who::Cron, "cron"), (Who::Node, "Node original")]
            .iter()
            // A subject never started (Node not installed) has no column at all.
            .filter_map(|&(who, name)| {
                Some(match self.get(who)? {
                    Ok(idle) if idle.processes > 1 => {
                        format!("{name} {} ({} processes)", show(idle), idle.processes)
                    }
                    Ok(idle) => format!("{name} {}", show(idle)),
                    Err(why) => format!("{name}: failed: {why}"),
                })
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn rows(&self) -> Vec<Row> {
        let mut rows = vec![
            self.headless_anon_row(),
            self.headless_rss_row(),
            self.tray_build_rss_row(),
        ];
        rows.push(self.daemon_wakeups_row(Who::HeadlessDaemon, "headless build"));
        rows.push(self.daemon_wakeups_row(Who::TrayBuildDaemon, "tray build"));
        rows.extend(self.list_rows());
        if self.get(Who::Tray).is_some() {
            rows.push(self.tray_rss_row());
            rows.push(self.tray_pss_row());
            rows.push(self.tray_wakeups_row());
        }
        rows
    }

    /// A daemon serving a list of ten idle workspaces against one serving a list of one:
    /// what each extra workspace costs, and the whole difference.
    fn list_rows(&self) -> Vec<Row> {
        let extra = "each extra idle workspace: RSS · wake-ups per idle minute (daemon serving a list, headless build)";
        let ten = "a daemon serving 10 idle workspaces: RSS, against one serving 1";
        let (one, tens) = match (self.get(Who::ListOfOne), self.get(Who::ListOfTen)) {
            (Some(Ok(one)), Some(Ok(tens))) => (*one, *tens),
            (one, tens) => {
                let why = [one, tens]
                    .into_iter()
                    .find_map(|r| match r {
                        Some(Err(why)) => Some(why.clone()),
                        None => Some("not run (no headless build)".to_owned()),
                        Some(Ok(_)) => None,
                    })
                    .unwrap_or_default();
                return vec![
                    Row::failed(extra, &why, "—".into(), "≤ 0.3 MiB, no wake-ups"),
                    Row::failed(ten, &why, "—".into(), "≤ 1 + 3 MiB"),
                ];
            }
        };
        let per = (tens.rss_kib as f64 - one.rss_kib as f64) / 9.0;
        let more_wakeups = (tens.wakeups_per_min - one.wakeups_per_min).max(0.0);
        vec![
            Row {
                figure: extra.into(),
                synctray: format!("{:.2} MiB · {:.1}", per / 1024.0, more_wakeups / 9.0),
                baselines: format!(
                    "1 workspace {} · {:.1}; 10: {} · {:.1}",
                    mib(one.rss_kib),
                    one.wakeups_per_min,
                    mib(tens.rss_kib),
                    tens.wakeups_per_min
                ),
                ratio: "—".into(),
                goal: "≤ 0.3 MiB, no wake-ups".into(),
                met: Met::from(
                    per <= EXTRA_WORKSPACE_RSS_MAX_KIB
                        && tens.wakeups_per_min <= DAEMON_WAKEUPS_MAX,
                ),
            },
            Row {
                figure: ten.into(),
                synctray: format!(
                    "{} (+{})",
                    mib(tens.rss_kib),
                    mib(tens.rss_kib.saturating_sub(one.rss_kib))
                ),
                baselines: format!("1 workspace {}", mib(one.rss_kib)),
                ratio: format!("{:.2}x", tens.rss_kib as f64 / one.rss_kib.max(1) as f64),
                goal: "≤ 1 + 3 MiB".into(),
                met: Met::from(tens.rss_kib <= one.rss_kib + TEN_WORKSPACES_RSS_MAX_ABOVE_ONE_KIB),
            },
        ]
    }

    fn window_secs(&self) -> u64 {
        self.window.as_secs()
    }

    fn headless_rss_row(&self) -> Row {
        let figure = format!(
            "`--daemon` RSS after {} s idle, headless build",
            self.window_secs()
        );
        let goal = "≤ 2x cron (side by side)";
        let baselines = self.daemon_baselines(|idle| mib(idle.rss_kib));
        let rss = match self.get(Who::HeadlessDaemon) {
            Some(Ok(idle)) => idle.rss_kib,
            Some(Err(why)) => return Row::failed(&figure, why, baselines, goal),
            None => return Row::failed(&figure, "not run", baselines, goal),
        };
        let cron = self.ok(Who::Cron).map(|idle| idle.rss_kib);
        let node = self.ok(Who::Node).map(|idle| idle.rss_kib);
        let within_cron =
            cron.is_some_and(|cron| rss as f64 <= HEADLESS_RSS_MAX_CRON_RATIO * cron as f64);
        Row {
            figure,
            synctray: mib(rss),
            baselines,
            ratio: rss_ratios(rss, cron, node),
            goal: goal.into(),
            met: Met::from(within_cron),
        }
    }

    /// Anonymous memory, what the daemon really holds (the rest of its RSS is the binary's
    /// clean pages), against cron's measured in the same run.
    fn headless_anon_row(&self) -> Row {
        let figure = format!(
            "`--daemon` anonymous memory (RssAnon) after {} s idle, headless build",
            self.window_secs()
        );
        let goal = "≤ 1.5x cron (side by side)";
        let baselines = self.daemon_baselines(|idle| mib(idle.anon_kib));
        let anon = match self.get(Who::HeadlessDaemon) {
            Some(Ok(idle)) => idle.anon_kib,
            Some(Err(why)) => return Row::failed(&figure, why, baselines, goal),
            None => return Row::failed(&figure, "not run", baselines, goal),
        };
        let cron = self.ok(Who::Cron).map(|idle| idle.anon_kib);
        let node = self.ok(Who::Node).map(|idle| idle.anon_kib);
        Row {
            figure,
            synctray: mib(anon),
            baselines,
            ratio: rss_ratios(anon, cron, node),
            goal: goal.into(),
            met: Met::from(
                cron.is_some_and(|cron| anon as f64 <= HEADLESS_ANON_MAX_CRON_RATIO * cron as f64),
            ),
        }
    }

    fn tray_build_rss_row(&self) -> Row {
        let figure = format!(
            "`--daemon` RSS after {} s idle, tray build",
            self.window_secs()
        );
        let goal = "≤ 12 MiB";
        let baselines = self.daemon_baselines(|idle| mib(idle.rss_kib));
        match self.get(Who::TrayBuildDaemon) {
            Some(Ok(idle)) => Row {
                figure,
                synctray: mib(idle.rss_kib),
                baselines,
                ratio: rss_ratios(
                    idle.rss_kib,
                    self.ok(Who::Cron).map(|i| i.rss_kib),
                    self.ok(Who::Node).map(|i| i.rss_kib),
                ),
                goal: goal.into(),
                met: Met::from(idle.rss_kib <= TRAY_BUILD_RSS_MAX_KIB),
            },
            Some(Err(why)) => Row::failed(&figure, why, baselines, goal),
            None => Row::failed(&figure, "not run", baselines, goal),
        }
    }

    fn daemon_wakeups_row(&self, who: Who, build: &str) -> Row {
        let figure = format!("`--daemon` wake-ups · CPU ticks per idle minute, {build}");
        let goal = "≤ 1 wake-up, 0 ticks";
        let baselines = self.daemon_baselines(wakeups_and_ticks);
        match self.get(who) {
            Some(Ok(idle)) => Row {
                figure,
                synctray: wakeups_and_ticks(idle),
                baselines,
                ratio: "—".into(),
                goal: goal.into(),
                met: Met::from(idle.wakeups_per_min <= DAEMON_WAKEUPS_MAX && idle.cpu_ticks == 0),
            },
            Some(Err(why)) => Row::failed(&figure, why, baselines, goal),
            None => Row::failed(&figure, "not run", baselines, goal),
        }
    }

    fn tray_rss_row(&self) -> Row {
        let figure = format!(
            "tray RSS after {} s idle (Xvfb + trayer)",
            self.window_secs()
        );
        let goal = "≤ bare + 3 MiB";
        let (tray, bare) = match (self.get(Who::Tray), self.get(Who::BareTray)) {
            (Some(Ok(tray)), Some(Ok(bare))) => (*tray, *bare),
            (tray, bare) => return self.tray_failed_row(&figure, tray, bare, goal),
        };
        Row {
            figure,
            synctray: mib(tray.rss_kib),
            baselines: format!("bare status icon + tao loop {}", mib(bare.rss_kib)),
            ratio: format!(
                "{} ({:+.1} MiB)",
                ratio(tray.rss_kib as f64, bare.rss_kib as f64),
                (tray.rss_kib as f64 - bare.rss_kib as f64) / 1024.0
            ),
            goal: goal.into(),
            met: Met::from(tray.rss_kib <= bare.rss_kib + TRAY_RSS_MAX_ABOVE_BARE_KIB),
        }
    }

    fn tray_pss_row(&self) -> Row {
        let figure = format!(
            "tray PSS after {} s idle (Xvfb + trayer)",
            self.window_secs()
        );
        let goal = "≤ 25 MiB and ≤ bare + 2 MiB";
        let (tray, bare) = match (self.get(Who::Tray), self.get(Who::BareTray)) {
            (Some(Ok(tray)), Some(Ok(bare))) => (*tray, *bare),
            (tray, bare) => return self.tray_failed_row(&figure, tray, bare, goal),
        };
        Row {
            figure,
            synctray: mib(tray.pss_kib),
            baselines: format!("bare status icon + tao loop {}", mib(bare.pss_kib)),
            ratio: format!(
                "{} ({:+.1} MiB)",
                ratio(tray.pss_kib as f64, bare.pss_kib as f64),
                (tray.pss_kib as f64 - bare.pss_kib as f64) / 1024.0
            ),
            goal: goal.into(),
            met: Met::from(
                tray.pss_kib <= TRAY_PSS_MAX_KIB
                    && tray.pss_kib <= bare.pss_kib + TRAY_PSS_MAX_ABOVE_BARE_KIB,
            ),
        }
    }

    fn tray_wakeups_row(&self) -> Row {
        let figure = "tray wake-ups · CPU ticks per idle minute".to_string();
        let goal = "≤ bare + 1 wake-up";
        let (tray, bare) = match (self.get(Who::Tray), self.get(Who::BareTray)) {
            (Some(Ok(tray)), Some(Ok(bare))) => (*tray, *bare),
            (tray, bare) => return self.tray_failed_row(&figure, tray, bare, goal),
        };
        Row {
            figure,
            synctray: wakeups_and_ticks(&tray),
            baselines: format!("bare loop {}", wakeups_and_ticks(&bare)),
            ratio: format!(
                "{:+.1} wake-ups",
                tray.wakeups_per_min - bare.wakeups_per_min
            ),
            goal: goal.into(),
            met: Met::from(
                tray.wakeups_per_min <= bare.wakeups_per_min + TRAY_WAKEUPS_MAX_ABOVE_BARE,
            ),
        }
    }

    fn tray_failed_row(
        &self,
        figure: &str,
        tray: Option<&Result<Idle, String>>,
        bare: Option<&Result<Idle, String>>,
        goal: &str,
    ) -> Row {
        let bare = match bare {
            Some(Ok(bare)) => format!(
                "bare loop {} · {}",
                mib(bare.rss_kib),
                wakeups_and_ticks(bare)
            ),
            Some(Err(why)) => format!("bare loop failed: {why}"),
            None => "bare loop not run".into(),
        };
        let why = match tray {
            Some(Err(why)) => why.as_str(),
            _ => "no baseline to compare with",
        };
        Row::failed(figure, why, bare, goal)
    }
}

fn wakeups_and_ticks(idle: &Idle) -> String {
    format!("{:.1} · {} ticks", idle.wakeups_per_min, idle.cpu_ticks)
}

fn rss_ratios(rss: u64, cron: Option<u64>, node: Option<u64>) -> String {
    let mut parts = Vec::new();
    if let Some(cron) = cron {
        parts.push(format!("{} cron", ratio(rss as f64, cron as f64)));
    }
    if let Some(node) = node {
        parts.push(format!("{:.3}x Node", rss as f64 / node as f64));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" · ")
    }
}
