//! The orchestrator: one run under the lock ([`Engine::run_once`]) and the scheduler loop
//! ([`serve`]) that the tray and `--daemon` both drive. The front ends only pass in a
//! clock, a stop signal and commands, and read [`Snapshot`]s back; all scheduling,
//! locking and recording lives here.

use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Timelike, Utc};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::config::{self, Config, Edit};
use crate::lock::{self, Acquire, Holder, LockError};
use crate::notify::{self, Notifier};
use crate::runner::{self, JobContext, Stop};
use crate::schedule::{Due, Trigger};
use crate::status::{self, JobResult, Outcome, Status};
use crate::workspace::Workspace;

/// How many run logs `data/logs/` keeps.
pub const LOG_FILES: usize = 100;

/// Where the wall-clock time comes from: the system, or a test's hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What a front end asks of the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run now (trigger `manual`); ignored, with a message, while a run is in progress.
    SyncNow,
    /// Change interval: write `intervalMinutes` (dropping `schedule`) and reschedule.
    SetInterval(u32),
    /// Pause or resume scheduled runs (written to the file as `paused`).
    SetPaused(bool),
}

/// What the front ends show: the state of the workspace, sent on every change and at
/// every minute boundary (so relative times stay right).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The last finished run, by any process.
    pub last: Option<Status>,
    /// The next scheduled run; `None` when paused (or the schedule never fires again).
    pub next_run: Option<DateTime<Utc>>,
    /// A run in progress, here or in another process.
    pub running: Option<Running>,
    pub paused: bool,
    pub interval_minutes: u32,
    /// The `schedule` expression, when the file has one.
    pub cron: Option<String>,
    /// The file holds a bad edit; the last good configuration is still in use.
    pub config_error: Option<String>,
    /// The latest thing worth telling the user that is not in the status file, such as
    /// a "Sync now" that found another process's run in progress.
    pub message: Option<String>,
    /// The time this snapshot was taken.
    pub now: Option<DateTime<Utc>>,
}

/// A run in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Running {
    /// In this process: job `index` (from 1) of `total`.
    Here {
        index: usize,
        total: usize,
        job: String,
    },
    /// In another process, per the lock file.
    Elsewhere(Holder),
}

/// How a run attempt ended.
#[derive(Debug)]
pub enum RunOutcome {
    /// It ran; the status is written.
    Finished(Status),
    /// Another process held the lock: nothing ran, nothing was written.
    Skipped(Holder),
}

/// One workspace's orchestrator.
pub struct Engine {
    pub ws: Workspace,
    clock: Arc<dyn Clock>,
    notifier: Box<dyn Notifier>,
    snapshot: watch::Sender<Snapshot>,
}

impl Engine {
    pub fn new(ws: Workspace, clock: Arc<dyn Clock>, notifier: Box<dyn Notifier>) -> Engine {
        Engine {
            ws,
            clock,
            notifier,
            snapshot: watch::Sender::new(Snapshot::default()),
        }
    }

    /// Snapshots of the workspace's state, for a front end to display.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }

    /// One run now, under the lock: the jobs in order, then the status and history.
    ///
    /// Skipped (not queued) when another process holds the lock. `stop` ends it early:
    /// no new job starts, and the running one is stopped at the deadline it carries.
    pub async fn run_once(
        &self,
        config: &Config,
        trigger: Trigger,
        mut stop: watch::Receiver<Stop>,
    ) -> Result<RunOutcome, LockError> {
        let started_at = self.clock.now();
        let started = Instant::now();
        let mut lock = match lock::try_acquire(
            &self.ws.lock,
            trigger,
            config.stale_lock,
            started_at,
        )? {
            Acquire::Acquired(lock) => lock,
            Acquire::Held(holder) => {
                tracing::info!(
                    "{trigger} run skipped: a sync of this workspace is already running ({holder})"
                );
                return Ok(RunOutcome::Skipped(holder));
            }
        };
        let previous = Status::read(&self.ws.status);
        tracing::info!("{trigger} run started: {} job(s)", config.jobs.len());
        if let Err(e) = crate::sys::create_dir(&self.ws.logs) {
            tracing::warn!(
                "{}: cannot create the logs folder: {e}",
                self.ws.logs.display()
            );
        }
        // One log a run, each job's output under a header: one file to create per run,
        // whatever the number of jobs.
        let log_path = self
            .ws
            .logs
            .join(format!("{}.log", started_at.format("%Y%m%dT%H%M%S%.3fZ")));
        let log = crate::sys::write_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&log_path)
            .inspect_err(|e| {
                tracing::warn!("{}: cannot write the run's log: {e}", log_path.display())
            })
            .ok();
        let log_shown = self.ws.shown(&log_path);
        let run_deadline = started + config.stale_lock;
        let total = config.jobs.len();
        let mut results = Vec::with_capacity(total);
        let mut failure: Option<String> = None;
        let mut failures = 0;
        let mut interrupted = false;
        for (i, job) in config.jobs.iter().enumerate() {
            let cut_short = *stop.borrow() != Stop::Run || Instant::now() >= run_deadline;
            let stopped_early = failure.is_some() && !config.continue_on_error;
            if cut_short || stopped_early {
                interrupted |= *stop.borrow() != Stop::Run;
                results.push(JobResult::not_run(&job.name));
                continue;
            }
            lock.set_job(Some(format!("{}/{total} {}", i + 1, job.name)));
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Here {
                    index: i + 1,
                    total,
                    job: job.name.clone(),
                });
            });
            let cx = JobContext {
                root: &self.ws.root,
                log: log.as_ref(),
                log_shown: log_shown.clone(),
                run_deadline,
                lock: Some(&lock),
            };
            let run = runner::run_job(job, &cx, &mut stop).await;
            interrupted |= run.interrupted;
            if run.result.status == Outcome::Error {
                failures += 1;
                if failure.is_none() {
                    let reason = run.result.reason.as_deref().unwrap_or("failed");
                    failure = Some(error_text(&job.name, reason, &run.tail));
                }
            }
            tracing::info!(
                "job {}: {}",
                job.name,
                run.result.reason.as_deref().unwrap_or("exited with code 0")
            );
            results.push(run.result);
        }
        let finished_at = self.clock.now();
        let error = if interrupted {
            Some(match &failure {
                Some(f) if !f.contains("interrupted by shutdown") => {
                    format!("interrupted by shutdown; {f}")
                }
                _ => "interrupted by shutdown".to_owned(),
            })
        } else if failures > 1 {
            failure.map(|f| format!("{f} (and {} more job(s) failed)", failures - 1))
        } else {
            failure
        };
        let next_run = config
            .plan(Some(started_at), started_at, finished_at)
            .map(|d| d.at);
        let status = Status {
            last_sync: finished_at,
            status: if error.is_some() {
                Outcome::Error
            } else {
                Outcome::Success
            },
            duration_ms: started.elapsed().as_millis() as u64,
            error,
            trigger: Some(trigger),
            started_at: Some(started_at),
            next_run,
            jobs: results,
        };
        if let Err(e) = status.write(&self.ws.status) {
            tracing::error!("{}: cannot write the status: {e}", self.ws.status.display());
        }
        if let Err(e) = status::append_history(&self.ws.history, &status) {
            tracing::error!(
                "{}: cannot append to the history: {e}",
                self.ws.history.display()
            );
        }
        // The status is on disk before the lock goes: whoever sees the lock free sees it.
        drop(lock);
        prune_logs(&self.ws.logs, LOG_FILES);
        match &status.error {
            None => tracing::info!("{trigger} run succeeded in {} ms", status.duration_ms),
            Some(e) => tracing::warn!("{trigger} run failed in {} ms: {e}", status.duration_ms),
        }
        if let Some(note) = notify::note_for(previous.as_ref(), &status, &config.notifications) {
            self.notifier.notify(note);
        }
        Ok(RunOutcome::Finished(status))
    }
}

/// "quality: exited with code 1: Error: ESLint config not found", at most 2,000 characters.
fn error_text(job: &str, reason: &str, tail: &str) -> String {
    let head = format!("{job}: {reason}");
    if tail.is_empty() {
        return head;
    }
    let room = runner::ERROR_TAIL_CHARS.saturating_sub(head.chars().count() + 2);
    format!("{head}: {}", runner::last_chars(tail, room))
}

/// Keeps the newest `keep` run logs (their names are the run's UTC start time).
fn prune_logs(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().ends_with(".log"))
        .collect();
    if logs.len() <= keep {
        return;
    }
    logs.sort();
    for name in &logs[..logs.len() - keep] {
        let _ = std::fs::remove_file(dir.join(name));
    }
}

/// Settings of the scheduler loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// Wake at every wall-clock minute and send a snapshot, so that relative times in a
    /// front end ("in 12 min") stay right. The daemon has no use for it and, idle, sleeps
    /// until its next run.
    pub minute_updates: bool,
    /// Also look at the clock at least this often: for tests whose injected clock jumps
    /// without the OS knowing. `None` in production, where the wall-clock timer wakes on
    /// resume and on clock changes by itself.
    pub tick: Option<Duration>,
}

type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<RunOutcome, LockError>> + 'a>>;

/// The scheduler: runs the workspace's jobs when they fall due, follows edits of the
/// config and runs made by other processes, obeys `commands`, and returns once `stop`
/// leaves [`Stop::Run`] and any run in progress has ended.
pub async fn serve(
    engine: &Engine,
    config: Config,
    mut commands: mpsc::UnboundedReceiver<Command>,
    mut stop: watch::Receiver<Stop>,
    options: ServeOptions,
) {
    let ws = &engine.ws;
    let mut state = LoopState {
        config: Arc::new(config),
        config_stamp: file_stamp(&ws.config),
        config_error: None,
        last: Status::read(&ws.status),
        handled: None,
        since: engine.clock.now(),
        message: None,
        elsewhere: lock::inspect(&ws.lock),
    };
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let watcher = crate::watch::watch_workspace(ws, events_tx)
        .inspect_err(|e| {
            tracing::warn!(
                "cannot watch {} for changes ({e}); looking for edits once a minute",
                ws.root.display()
            )
        })
        .ok();
    // Without a watcher, edits and other processes' runs are only seen when the loop wakes.
    let tick = options
        .tick
        .or(watcher.is_none().then_some(Duration::from_secs(60)));
    let timer = crate::sys::WallTimer::new();
    let mut run: Option<(RunFuture<'_>, Due)> = None;
    let mut commands_open = true;
    let mut stop_open = true;
    tracing::info!("scheduler started: {}", state.config.describe_schedule());

    loop {
        let stopping = *stop.borrow() != Stop::Run;
        if stopping && run.is_none() {
            break;
        }
        let now = engine.clock.now();
        let due = (!stopping).then(|| state.plan(now)).flatten();
        if run.is_none()
            && let Some(due) = due.filter(|d| d.at <= now)
        {
            state.handled = Some(due.at);
            state.message = None;
            run = Some((start_run(engine, &state.config, due.trigger, &stop), due));
            continue;
        }
        let running_here = engine.snapshot.borrow().running.clone();
        engine
            .snapshot
            .send_replace(state.snapshot(now, due, running_here, run.is_some()));

        let wake = wake_after(now, due.map(|d| d.at), options.minute_updates);
        tokio::select! {
            _ = timer.sleep_until(SystemTime::now() + wake.unwrap_or_default()), if wake.is_some() => {}
            _ = tokio::time::sleep(tick.unwrap_or_default()), if tick.is_some() => {}
            outcome = async { run.as_mut().expect("guarded").0.as_mut().await }, if run.is_some() => {
                let (_, due) = run.take().expect("guarded");
                engine.snapshot.send_modify(|s| s.running = None);
                // Our lock is gone; don't wait for the watcher to say so.
                state.elsewhere = lock::inspect(&ws.lock);
                match outcome {
                    Ok(RunOutcome::Finished(status)) => state.last = Some(status),
                    Ok(RunOutcome::Skipped(holder)) => {
                        state.message = Some(format!("{} skipped: a sync was already running ({holder})", due.trigger));
                    }
                    Err(e) => {
                        tracing::error!("{e}");
                        state.message = Some(e.to_string());
                    }
                }
            }
            command = commands.recv(), if commands_open => match command {
                None => commands_open = false,
                Some(Command::SyncNow) if run.is_some() || stopping => {
                    state.message = Some("a sync is already running".into());
                }
                Some(Command::SyncNow) => {
                    state.message = None;
                    run = Some((start_run(engine, &state.config, Trigger::Manual, &stop), Due { at: now, trigger: Trigger::Manual }));
                }
                Some(Command::SetInterval(n)) => state.apply(ws, Edit::Interval(n)),
                Some(Command::SetPaused(p)) => state.apply(ws, Edit::Paused(p)),
            },
            Some(()) = events.recv() => {
                // Coalesce a burst (a rename, a history append, a lock removal).
                tokio::time::sleep(Duration::from_millis(25)).await;
                while events.try_recv().is_ok() {}
                state.refresh(engine);
            }
            changed = stop.changed(), if stop_open => stop_open = changed.is_ok(),
        }
        if !stop_open && run.is_none() {
            break;
        }
        if watcher.is_none() {
            state.refresh(engine);
        }
    }
    tracing::info!("scheduler stopped");
}

fn start_run<'a>(
    engine: &'a Engine,
    config: &Arc<Config>,
    trigger: Trigger,
    stop: &watch::Receiver<Stop>,
) -> RunFuture<'a> {
    let config = Arc::clone(config);
    let stop = stop.clone();
    Box::pin(async move { engine.run_once(&config, trigger, stop).await })
}

/// How long to sleep: until the due time or, with `minute_updates`, the next wall-clock
/// minute, whichever comes first; `None` when there is nothing to wait for.
fn wake_after(
    now: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    minute_updates: bool,
) -> Option<Duration> {
    let to_minute = minute_updates.then(|| {
        Duration::from_millis(
            60_000 - (u64::from(now.second()) * 1000 + u64::from(now.timestamp_subsec_millis())),
        )
    });
    let to_due = due.map(|d| (d - now).to_std().unwrap_or_default());
    match (to_due, to_minute) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What the scheduler loop knows between iterations.
struct LoopState {
    config: Arc<Config>,
    /// The config file's modification time and length when last read.
    config_stamp: Option<(SystemTime, u64)>,
    config_error: Option<String>,
    last: Option<Status>,
    /// The last due time this loop handled (ran, or skipped for a held lock).
    handled: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
    message: Option<String>,
    elsewhere: Option<Holder>,
}

impl LoopState {
    fn plan(&self, now: DateTime<Utc>) -> Option<Due> {
        let last = self.last.as_ref().map(Status::started).max(self.handled);
        self.config.plan(last, self.since, now)
    }

    fn snapshot(
        &self,
        now: DateTime<Utc>,
        due: Option<Due>,
        running_here: Option<Running>,
        run_here: bool,
    ) -> Snapshot {
        let running = if run_here {
            running_here
        } else {
            self.elsewhere.clone().map(Running::Elsewhere)
        };
        Snapshot {
            last: self.last.clone(),
            next_run: due.map(|d| d.at.max(now)),
            running,
            paused: self.config.paused,
            interval_minutes: self.config.interval_minutes,
            cron: self.config.cron.clone(),
            config_error: self.config_error.clone(),
            message: self.message.clone(),
            now: Some(now),
        }
    }

    /// Applies a front end's change to the config file, and uses the result at once.
    fn apply(&mut self, ws: &Workspace, edit: Edit) {
        match config::edit(&ws.config, edit) {
            Ok(config) => {
                tracing::info!(
                    "{}: {edit:?} saved; now {}",
                    ws.config.display(),
                    config.describe_schedule()
                );
                self.config = Arc::new(config);
                self.config_stamp = file_stamp(&ws.config);
                self.config_error = None;
                self.message = None;
            }
            Err(e) => {
                tracing::error!("{e}");
                self.message = Some(e.to_string());
            }
        }
    }

    /// Re-reads what other processes and editors may have changed: the config (a bad
    /// edit keeps the last good one), the status, the lock.
    fn refresh(&mut self, engine: &Engine) {
        let ws = &engine.ws;
        let stamp = file_stamp(&ws.config);
        if stamp != self.config_stamp {
            self.config_stamp = stamp;
            match Config::load(&ws.config) {
                Ok(config) => {
                    tracing::info!(
                        "{}: reloaded; {}",
                        ws.config.display(),
                        config.describe_schedule()
                    );
                    for warning in &config.warnings {
                        tracing::warn!("{}: {warning}", ws.config.display());
                    }
                    self.config = Arc::new(config);
                    self.config_error = None;
                }
                Err(e) => {
                    let text = e.to_string();
                    if self.config_error.as_deref() != Some(text.as_str()) {
                        tracing::error!("{text}; keeping the last good configuration");
                        engine
                            .notifier
                            .notify(notify::Note::ConfigError(text.clone()));
                        self.config_error = Some(text);
                    }
                }
            }
        }
        if let Some(status) = Status::read(&ws.status) {
            self.last = Some(status);
        }
        self.elsewhere = lock::inspect(&ws.lock);
    }
}

fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
