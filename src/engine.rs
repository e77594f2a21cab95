//! The orchestrator: one run under the lock ([`Engine::run_once`]) and the scheduler loop
//! ([`serve`]) that the tray and `--daemon` both drive. The front ends only pass in a
//! clock, a stop signal and commands, and read [`Snapshot`]s back; all scheduling,
//! locking and recording lives here.

use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::config::{self, Config, ConfigError, Edit};
use crate::health::{self, Problem};
use crate::lock::{self, Acquire, Holder, LockError};
use crate::notify::{self, Alerts, Notifier, Verdict};
use crate::runner::{self, JobContext, Stop};
use crate::schedule::{Due, Trigger};
use crate::snapshot::{Message, Notice, Running, Snapshot};
use crate::status::{self, Failure, JobFailure, JobResult, Outcome, RunError, Status};
use crate::sys;
use crate::wait::{self, Sensors, Waited};
use crate::workspace::Workspace;

/// How many run logs `data/logs/` keeps.
pub const LOG_FILES: usize = 100;

pub use crate::clock::{Clock, Sleep, SystemClock};

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

/// How a run attempt ended.
#[derive(Debug)]
pub enum RunOutcome {
    /// It ran; the status is written.
    Finished(Status),
    /// Another process held the lock: nothing ran, nothing was written.
    Skipped(Holder),
    /// The scheduler stopped while the run waited (for the network or a condition):
    /// nothing ran, nothing was written.
    NotStarted,
}

/// One workspace's orchestrator.
pub struct Engine {
    pub ws: Workspace,
    clock: Arc<dyn Clock>,
    notifier: Box<dyn Notifier>,
    snapshot: watch::Sender<Snapshot>,
    /// "Sync now" while a scheduled run waits: it stops waiting.
    wait_cut: tokio::sync::Notify,
    /// Where the wait before a run reads power, cost and the network.
    sensors: Arc<dyn Sensors>,
    /// Health pings (`ping`), on a worker thread; dropping it gives queued pings at most
    /// 2 s.
    pinger: crate::ping::Pinger,
    /// Which changes of state have been told on the desktop (one notification an incident).
    alerts: std::sync::Mutex<Alerts>,
}

impl Engine {
    pub fn new(ws: Workspace, clock: Arc<dyn Clock>, notifier: Box<dyn Notifier>) -> Engine {
        Engine {
            ws,
            clock,
            notifier,
            snapshot: watch::Sender::new(Snapshot::default()),
            wait_cut: tokio::sync::Notify::new(),
            sensors: Arc::new(wait::SystemSensors),
            pinger: crate::ping::Pinger::default(),
            alerts: std::sync::Mutex::new(Alerts::default()),
        }
    }

    /// The same engine, reading the machine's state from `sensors` (a simulation's).
    pub fn with_sensors(mut self, sensors: Arc<dyn Sensors>) -> Engine {
        self.sensors = sensors;
        self
    }

    /// Lets the notification state machine decide on a change, and shows what it says.
    fn alert(&self, decide: impl FnOnce(&mut Alerts) -> Option<Verdict>) {
        let verdict = decide(&mut self.alerts.lock().unwrap());
        if let Some(verdict) = verdict {
            verdict.apply(&*self.notifier);
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
        stop: watch::Receiver<Stop>,
    ) -> Result<RunOutcome, LockError> {
        self.run_once_after(config, trigger, None, stop).await
    }

    /// [`Engine::run_once`] for a run that `waited` before it started, as recorded.
    pub async fn run_once_after(
        &self,
        config: &Config,
        trigger: Trigger,
        waited: Option<Waited>,
        mut stop: watch::Receiver<Stop>,
    ) -> Result<RunOutcome, LockError> {
        let started_at = self.clock.now();
        let started = Instant::now();
        // The run's processes start under a host started before the lock is taken, so that
        // the holder file's first write records it; declared after the lock, so that it
        // is gone before the lock goes, however the run ends (locals drop in reverse).
        let lock;
        let host = sys::JobHost::start();
        lock = match lock::try_acquire_for(
            &self.ws.lock,
            trigger,
            config.stale_lock,
            started_at,
            host.tree_id(),
        )? {
            Acquire::Acquired(lock) => lock,
            Acquire::Held(holder) => {
                host.finish().await;
                tracing::info!(
                    "{trigger} run skipped: a sync of this workspace is already running ({holder})"
                );
                return Ok(RunOutcome::Skipped(holder));
            }
        };
        tracing::info!("{trigger} run started: {} job(s)", config.jobs.len());
        let run_id = crate::ping::run_id();
        if let Some(ping) = &config.ping {
            self.pinger.send(ping, &run_id, crate::ping::Signal::Start);
        }
        // One log a run, each job's output under a header: one file to create per run,
        // whatever the number of jobs.
        let log_path = self.ws.run_log_path(started_at);
        let log = self.ws.create_run_log(&log_path);
        let log_shown = self.ws.shown(&log_path);
        let run_deadline = started + config.stale_lock;
        let total = config.jobs.len();
        let mut results = Vec::with_capacity(total);
        let mut error = RunError::default();
        for (i, job) in config.jobs.iter().enumerate() {
            let cut_short = *stop.borrow() != Stop::Run || Instant::now() >= run_deadline;
            let stopped_early = error.first.is_some() && !config.continue_on_error;
            if cut_short || stopped_early {
                error.interrupted |= *stop.borrow() != Stop::Run;
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
                attempt: None,
                lock: Some(&lock),
                host: &host,
            };
            let run = self
                .run_job_tried(config, job, (i + 1, total), cx, &lock, &mut stop)
                .await;
            error.interrupted |= run.interrupted;
            match run.failure {
                Some(failure) => {
                    tracing::info!("job {}: {failure}", job.name);
                    error.add(JobFailure {
                        job: job.name.clone(),
                        failure,
                        tail: run.tail,
                    });
                }
                None => tracing::info!("job {}: exited with code 0", job.name),
            }
            results.push(run.result);
        }
        host.finish().await;
        let finished_at = self.clock.now();
        // Read after the jobs, not between the due time and the first job: only runs
        // holding the lock write it, so it is the one there before this run.
        let previous = Status::read(&self.ws.status);
        let next_run = config
            .plan(Some(started_at), started_at, finished_at)
            .map(|d| d.at);
        // `status`, `error` and `interrupted` come from `error` as it is recorded.
        let mut status = Status {
            last_sync: finished_at,
            status: Outcome::Success,
            duration_ms: started.elapsed().as_millis() as u64,
            error: None,
            trigger: Some(trigger),
            started_at: Some(started_at),
            next_run,
            jobs: results,
            interrupted: false,
            // Carried over; this run's end if it succeeds.
            last_success: previous.as_ref().and_then(Status::last_success),
            waited,
        };
        status::record(&self.ws.status, &self.ws.history, &mut status, &mut error);
        if let Some(ping) = &config.ping {
            let signal = match &status.error {
                None => crate::ping::Signal::Success,
                Some(e) => crate::ping::Signal::Fail(e.clone()),
            };
            self.pinger.send(ping, &run_id, signal);
        }
        if let Some(metrics) = &config.metrics
            && let Err(e) = crate::metrics::write(&self.ws, metrics, &status)
        {
            tracing::warn!("cannot write the metrics textfile: {e}");
        }
        // The status is on disk before the lock goes: whoever sees the lock free sees it.
        drop(lock);
        self.ws.prune_logs(LOG_FILES);
        match &status.error {
            None => tracing::info!("{trigger} run succeeded in {} ms", status.duration_ms),
            Some(e) => tracing::warn!("{trigger} run failed in {} ms: {e}", status.duration_ms),
        }
        self.alert(|a| a.after_run(previous.as_ref(), &status, &error, &config.notifications));
        Ok(RunOutcome::Finished(status))
    }

    /// Runs one job, and with `retry` runs it again after a backoff while it fails by
    /// itself: the lock stays held, the wait ends at once on shutdown (the job's result is
    /// then its last failure, interrupted), and no wait outlives the run. `place` is the
    /// job's number (from 1) and the run's job count.
    async fn run_job_tried(
        &self,
        config: &Config,
        job: &config::Job,
        (index, total): (usize, usize),
        mut cx: JobContext<'_>,
        lock: &lock::RunLock,
        stop: &mut watch::Receiver<Stop>,
    ) -> runner::JobRun {
        let attempts = config.retry.attempts;
        cx.attempt = (attempts > 1).then_some((1, attempts));
        let mut run = runner::run_job(job, &cx, stop).await;
        let mut tries = 1;
        while let Some(failure) = run.failure.clone().filter(Failure::is_retryable)
            && tries < attempts
        {
            let delay = config.retry.delay_before(tries + 1);
            if Instant::now() + delay >= cx.run_deadline {
                break;
            }
            tries += 1;
            tracing::info!(
                "job {}: {failure}; trying again in {} s (try {tries}/{attempts})",
                job.name,
                delay.as_secs(),
            );
            lock.set_job(Some(format!(
                "{index}/{total} {} (waiting for try {tries}/{attempts})",
                job.name
            )));
            // The wait is long enough to be seen: write it now.
            lock.flush();
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Retrying {
                    index,
                    total,
                    job: job.name.clone(),
                    next_try: tries,
                    attempts,
                    at: self.clock.now() + chrono::TimeDelta::from_std(delay).unwrap_or_default(),
                });
            });
            if !crate::retry::wait(Instant::now() + delay, stop).await {
                tries -= 1;
                run.interrupted = true;
                break;
            }
            lock.set_job(Some(format!(
                "{index}/{total} {} (try {tries}/{attempts})",
                job.name
            )));
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Here {
                    index,
                    total,
                    job: job.name.clone(),
                });
            });
            cx.attempt = Some((tries, attempts));
            run = runner::run_job(job, &cx, stop).await;
        }
        run.result.attempts = Some(tries);
        run
    }
}

/// Settings of the scheduler loop.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Follow the workspace's files: edits of the config, and runs and locks of other
    /// processes (by a watcher, else by looking once a minute). Off only in simulations
    /// where nothing but the loop itself touches the files.
    pub follow_files: bool,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions { follow_files: true }
    }
}

/// A run in progress, as the scheduler holds it.
pub type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<RunOutcome, LockError>> + 'a>>;

/// What performs a run for the scheduler: in production the [`Engine`] (the wait for the
/// network and the conditions, then [`Engine::run_once`]); a stand-in in simulations, so that a run takes simulated
/// time.
pub trait Perform {
    fn perform(
        &self,
        config: Arc<Config>,
        trigger: Trigger,
        stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_>;
}

impl Perform for Engine {
    fn perform(
        &self,
        config: Arc<Config>,
        trigger: Trigger,
        stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_> {
        Box::pin(async move {
            let Some((trigger, waited)) =
                self.await_conditions(&config, trigger, stop.clone()).await
            else {
                return Ok(RunOutcome::NotStarted);
            };
            self.run_once_after(&config, trigger, waited, stop).await
        })
    }
}

/// How often the loop looks at the files when it cannot watch them.
const LOOK_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The scheduler: runs the workspace's jobs when they fall due, follows edits of the
/// config and runs made by other processes, obeys `commands`, and returns once `stop`
/// leaves [`Stop::Run`] and any run in progress has ended.
pub async fn serve(
    engine: &Engine,
    config: Config,
    commands: mpsc::UnboundedReceiver<Command>,
    stop: watch::Receiver<Stop>,
    options: ServeOptions,
) {
    serve_with(engine, engine, config, commands, stop, options).await
}

/// [`serve`], with the runs performed by `perform`.
///
/// All waiting goes through the engine's [`Clock`], and the loop only ever sleeps until a
/// time still ahead: while a run is in progress it waits for the run's end (and for
/// commands and the stop signal), never for a due time that has passed meanwhile; that
/// due time is handled once the run has ended.
pub async fn serve_with(
    engine: &Engine,
    perform: &dyn Perform,
    config: Config,
    mut commands: mpsc::UnboundedReceiver<Command>,
    mut stop: watch::Receiver<Stop>,
    options: ServeOptions,
) {
    let ws = &engine.ws;
    let clock = &*engine.clock;
    let mut state = LoopState {
        config: Arc::new(config),
        config_stamp: file_stamp(&ws.config),
        config_error: None,
        last: Status::read(&ws.status),
        handled: None,
        since: clock.now(),
        ran_until: None,
        ignored_start: None,
        message: None,
        elsewhere: lock::inspect(&ws.lock),
        fresh_since: None,
        problem: None,
    };
    state.fresh_since = health::fresh_since(&ws.history, state.last.as_ref());
    // Runs that cannot start are said at once, not at the first due time.
    state.see_problem(engine, health::probe(ws), true);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let watcher = if options.follow_files {
        crate::watch::watch_workspace(ws, events_tx)
            .inspect_err(|e| {
                tracing::warn!(
                    "cannot watch {} for changes ({e}); looking for edits once a minute",
                    ws.root.display()
                )
            })
            .ok()
    } else {
        drop(events_tx);
        None
    };
    // Without a watcher, edits and other processes' runs are only seen when the loop wakes.
    let look = options.follow_files && watcher.is_none();
    let mut run: Option<(RunFuture<'_>, Due)> = None;
    let mut commands_open = true;
    let mut stop_open = true;
    tracing::info!("scheduler started: {}", state.config.describe_schedule());

    loop {
        let stopping = *stop.borrow() != Stop::Run;
        if (stopping || !stop_open) && run.is_none() {
            break;
        }
        let now = clock.now();
        state.notice_clock(now);
        let due = (!stopping).then(|| state.plan(now)).flatten();
        if run.is_none()
            && let Some(due) = due.filter(|d| d.at <= now)
        {
            state.handled = Some(due.at);
            state.ran_until = None;
            state.message = None;
            run = Some((start_run(perform, &state.config, due.trigger, &stop), due));
            continue;
        }
        state.forget_gone_causes(run.is_some());
        let running_here = engine.snapshot.borrow().running.clone();
        let failing = engine.alerts.lock().unwrap().failing().cloned();
        let snap = state.snapshot(now, due, running_here, run.is_some(), failing);
        let overdue = snap.overdue(now);
        engine.alert(|a| a.overdue(overdue, snap.last_success(), &state.config.notifications));
        // Stale data is a deadline the loop sleeps to, once; not a poll.
        let overdue_at = health::overdue_at(snap.fresh_since, snap.overdue_after, snap.paused)
            .filter(|at| *at > now);
        engine.snapshot.send_replace(snap);

        // A due time only while nothing runs: during a run it may already have passed,
        // and sleeping until a past time returns at once, for ever.
        let due_at = due.filter(|_| run.is_none()).map(|d| d.at);
        let wake = wake_at(now, due_at.into_iter().chain(overdue_at).min(), look);
        let sleep = async {
            match wake {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            // In this order when several are ready at once: a stop first, then the end of
            // a run, then commands; the timer last.
            biased;
            changed = stop.changed(), if stop_open => {
                stop_open = changed.is_ok();
                let draining = match *stop.borrow() { Stop::Drain(until) => Some(until), _ => None };
                if let Some(until) = draining {
                    say_stopping(until, run.is_some());
                }
            }
            outcome = async { run.as_mut().expect("guarded").0.as_mut().await }, if run.is_some() => {
                let (_, due) = run.take().expect("guarded");
                engine.snapshot.send_modify(|s| s.running = None);
                // Our lock is gone; don't wait for the watcher to say so.
                state.elsewhere = lock::inspect(&ws.lock);
                state.ran_until = Some(clock.now());
                match outcome {
                    Ok(RunOutcome::Finished(status)) => {
                        state.last = Some(status);
                        state.fresh_since = health::fresh_since(&ws.history, state.last.as_ref());
                        state.see_problem(engine, None, false);
                    }
                    Ok(RunOutcome::Skipped(holder)) => {
                        state.tell(clock, Notice::Skipped { trigger: due.trigger, holder });
                        state.see_problem(engine, None, false);
                    }
                    Ok(RunOutcome::NotStarted) => {}
                    Err(e) => {
                        tracing::error!("{e}");
                        state.see_problem(engine, Some(health::lock_words(&e)), false);
                    }
                }
            }
            command = commands.recv(), if commands_open => match command {
                None => commands_open = false,
                Some(Command::SyncNow) if run.is_some() && !stopping && engine.cut_wait() => {
                    state.message = None;
                }
                Some(Command::SyncNow) if run.is_some() || stopping => {
                    state.tell(clock, Notice::AlreadyRunning);
                }
                Some(Command::SyncNow) => {
                    state.message = None;
                    state.ran_until = None;
                    run = Some((start_run(perform, &state.config, Trigger::Manual, &stop), Due { at: now, trigger: Trigger::Manual }));
                }
                Some(Command::SetInterval(n)) => state.apply(ws, clock, Edit::Interval(n)),
                Some(Command::SetPaused(p)) => state.apply(ws, clock, Edit::Paused(p)),
            },
            Some(()) = events.recv() => {
                // Coalesce a burst (a rename, a history append, a lock removal).
                tokio::time::sleep(Duration::from_millis(25)).await;
                while events.try_recv().is_ok() {}
                state.refresh(engine);
            }
            () = sleep => {}
        }
        if look {
            state.refresh(engine);
        }
    }
    tracing::info!("scheduler stopped");
}

/// Starts a due or requested run: the one place a run begins.
fn start_run<'a>(
    perform: &'a dyn Perform,
    config: &Arc<Config>,
    trigger: Trigger,
    stop: &watch::Receiver<Stop>,
) -> RunFuture<'a> {
    perform.perform(Arc::clone(config), trigger, stop.clone())
}

impl Engine {
    /// A scheduled or catch-up run first waits here, holding no lock, until what it needs
    /// holds: online with `network.require`, AC power and an unmetered connection with
    /// `conditions` — these at most `maxDelayMinutes`, then it runs anyway (see
    /// [`wait::wait`]). Manual and CLI runs never wait. The trigger to run with (`manual`
    /// when "Sync now" ended the wait) and what the run waited for, or `None` when the
    /// scheduler stopped meanwhile. A wait is never a failure and never notified.
    pub async fn await_conditions(
        &self,
        config: &Config,
        trigger: Trigger,
        mut stop: watch::Receiver<Stop>,
    ) -> Option<(Trigger, Option<Waited>)> {
        let needs = wait::Needs {
            network: config.network.require.then_some(&config.network),
            conditions: &config.conditions,
        };
        if !needs.any() || !matches!(trigger, Trigger::Schedule | Trigger::CatchUp) {
            return Some((trigger, None));
        }
        // A "Sync now" meant for an earlier wait is no reason to skip this one.
        tokio::select! {
            biased;
            () = self.wait_cut.notified() => {}
            () = std::future::ready(()) => {}
        }
        let mut marker: Option<wait::WaitMarker> = None;
        let mut marker_failed = false;
        let ended = wait::wait(
            needs,
            &*self.sensors,
            &*self.clock,
            &mut stop,
            &self.wait_cut,
            |waiting| {
                match waiting.until {
                    Some(until) => tracing::info!(
                        "{trigger} run waits for {} ({}); it runs anyway at {}",
                        waiting.what,
                        waiting.why,
                        until.with_timezone(&chrono::Local).format("%H:%M:%S"),
                    ),
                    None => {
                        tracing::info!("{trigger} run waits for {}: {}", waiting.what, waiting.why)
                    }
                }
                self.snapshot.send_modify(|s| {
                    s.running = Some(Running::Waiting {
                        what: waiting.what,
                        until: waiting.until,
                    })
                });
                if marker.is_none() && !marker_failed {
                    marker = wait::WaitMarker::create(&wait::marker_path(&self.ws))
                        .inspect_err(|e| tracing::warn!("cannot mark the wait: {e}"))
                        .ok();
                    marker_failed = marker.is_none();
                }
                if let Some(marker) = &marker {
                    let about = wait::About {
                        what: waiting.what,
                        until: waiting.until,
                    };
                    if let Err(e) = marker.tell(about) {
                        tracing::warn!("cannot say what the run waits for: {e}");
                    }
                }
            },
        )
        .await;
        drop(marker);
        let waited_at_all = self
            .snapshot
            .borrow()
            .running
            .as_ref()
            .is_some_and(|r| r.waiting_for().is_some());
        if waited_at_all {
            self.snapshot.send_modify(|s| s.running = None);
        }
        match ended {
            wait::Ended::Ready(waited) => {
                if let Some(w) = waited {
                    tracing::info!(
                        "the {trigger} run starts after waiting {} s for {}",
                        w.ms / 1000,
                        w.what
                    );
                }
                Some((trigger, waited))
            }
            wait::Ended::SyncNow(waited) => Some((Trigger::Manual, waited)),
            wait::Ended::Stopped => None,
        }
    }

    /// "Sync now" while a scheduled run waits: that run starts now, as a manual one.
    /// Whether a run was waiting.
    fn cut_wait(&self) -> bool {
        let waiting = self
            .snapshot
            .borrow()
            .running
            .as_ref()
            .is_some_and(|r| r.waiting_for().is_some());
        if waiting {
            self.wait_cut.notify_one();
        }
        waiting
    }
}

/// When to wake: at the due time, and within a minute when the files are looked at
/// rather than watched, whichever comes first; `None` when there is nothing to wait for.
/// (Relative times in the tray, "in 12 min", are the GUI thread's to redraw.) Always after
/// `now`, given a due time after `now`.
fn wake_at(now: DateTime<Utc>, due: Option<DateTime<Utc>>, look: bool) -> Option<DateTime<Utc>> {
    let look = look.then(|| now + LOOK_EVERY);
    [due, look].into_iter().flatten().min()
}

/// What the scheduler loop knows between iterations.
struct LoopState {
    config: Arc<Config>,
    /// The config file's modification time and length when last read.
    config_stamp: Option<(SystemTime, u64)>,
    config_error: Option<Arc<ConfigError>>,
    last: Option<Status>,
    /// The last due time this loop handled (ran, or skipped for a held lock).
    handled: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
    /// When this loop's last run ended, until the next one starts: a due time that fell
    /// at or before it came while that run was in progress.
    ran_until: Option<DateTime<Utc>>,
    /// A last run's start dated in the future (the clock was set back, or a bad file):
    /// while it is the last run, it does not count, and `handled` holds the time the loop
    /// found it instead. Planning from "now" at every look would put the next slot always
    /// ahead, and nothing would run until the clock caught up with the old date.
    ignored_start: Option<DateTime<Utc>>,
    message: Option<Message>,
    elsewhere: Option<Holder>,
    /// See [`health::fresh_since`]; follows `last`.
    fresh_since: Option<DateTime<Utc>>,
    /// Scheduled runs cannot start (a run could not try the lock, or it is seen without one).
    problem: Option<Problem>,
}

impl LoopState {
    /// The previous slot: the last run's start, or the last due time handled.
    fn last_slot(&self) -> Option<DateTime<Utc>> {
        let started = self.last.as_ref().map(Status::started);
        let started = started.filter(|s| Some(*s) != self.ignored_start);
        started.max(self.handled)
    }

    /// Takes in a clock set back: the previous slot, the loop's start and the end of its
    /// last run, when dated after `now`, count as `now`, once.
    fn notice_clock(&mut self, now: DateTime<Utc>) {
        if self.last_slot().is_some_and(|last| last > now) {
            let started = self.last.as_ref().map(Status::started);
            if let Some(started) = started.filter(|s| *s > now) {
                self.ignored_start = Some(started);
            }
            self.handled = Some(now);
        }
        self.since = self.since.min(now);
        self.ran_until = self.ran_until.filter(|ended| *ended <= now);
    }

    /// The next run. A due time that came while a run was in progress is handled once,
    /// now that it has ended: one catch-up run with `catchUp`, else the next slot.
    fn plan(&self, now: DateTime<Utc>) -> Option<Due> {
        let last = self.last_slot();
        let due = self.config.plan(last, self.since, now)?;
        let Some(ended) = self.ran_until else {
            return Some(due);
        };
        if due.at > ended || due.trigger != Trigger::Schedule {
            return Some(due);
        }
        if self.config.catch_up {
            return Some(Due {
                at: due.at,
                trigger: Trigger::CatchUp,
            });
        }
        let last = last.map_or(ended, |l| l.min(ended));
        Some(Due {
            at: self
                .config
                .cadence
                .next_slot_after(&self.config.zone, last, ended)?,
            trigger: Trigger::Schedule,
        })
    }

    fn snapshot(
        &self,
        now: DateTime<Utc>,
        due: Option<Due>,
        running_here: Option<Running>,
        run_here: bool,
        failing: Option<notify::Failing>,
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
            cadence: self.config.cadence.clone(),
            config_error: self.config_error.clone(),
            message: self.message.clone(),
            fresh_since: self.fresh_since,
            overdue_after: self.config.overdue_after,
            problem: self.problem.clone(),
            failing,
        }
    }

    /// Takes in what keeps runs from starting: `what` (none, when a run got the lock or
    /// the probe sees nothing), from the probe when `probed`. A problem only a run could
    /// see (a full disk, a leftover run) goes only when a run gets the lock.
    fn see_problem(&mut self, engine: &Engine, what: Option<String>, probed: bool) {
        let keep = match (&self.problem, &what) {
            (Some(p), None) => probed && !p.probed,
            (Some(p), Some(w)) => p.what == *w,
            (None, _) => false,
        };
        if keep || (self.problem.is_none() && what.is_none()) {
            return;
        }
        self.problem = match what {
            Some(what) => {
                tracing::error!("scheduled runs cannot start: {what}");
                Some(Problem {
                    probed: probed || health::probe(&engine.ws).as_ref() == Some(&what),
                    since: engine.clock.now(),
                    what,
                })
            }
            None => {
                tracing::info!("scheduled runs can start again");
                None
            }
        };
        let now = self.problem.as_ref().map(|p| p.what.as_str());
        engine.alert(|a| a.problem(now, &self.config.notifications));
    }

    /// Drops the message whose cause has gone: "already running" once no run is left
    /// here, "skipped" once the other process's run has ended.
    fn forget_gone_causes(&mut self, run_here: bool) {
        let gone = self.message.as_ref().is_some_and(|m| match &m.what {
            Notice::AlreadyRunning => !run_here,
            Notice::Skipped { .. } => self.elsewhere.is_none(),
            // A failed edit goes when a good configuration is read (see `refresh`).
            Notice::Edit(_) => false,
            // Shown for a while, as any message (its cause is in the file until fixed).
            Notice::Warning(_) => false,
        });
        if gone {
            self.message = None;
        }
    }

    /// Tells the front ends `what`, as of now.
    fn tell(&mut self, clock: &dyn Clock, what: Notice) {
        self.message = Some(Message {
            at: clock.now(),
            what,
        });
    }

    /// Applies a front end's change to the config file, and uses the result at once.
    fn apply(&mut self, ws: &Workspace, clock: &dyn Clock, edit: Edit) {
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
                self.tell(clock, Notice::Edit(Arc::new(e)));
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
                    // A warning the last configuration did not have is said once, on the
                    // desktop and in the menu: a tray's log is read by nobody.
                    let new: Vec<&String> = config
                        .warnings
                        .iter()
                        .filter(|w| !self.config.warnings.contains(w))
                        .collect();
                    if !new.is_empty() {
                        let text = new
                            .iter()
                            .map(|w| w.as_str())
                            .collect::<Vec<_>>()
                            .join("\n");
                        engine
                            .notifier
                            .notify(notify::Note::ConfigWarning(text.clone()));
                        self.tell(&*engine.clock, Notice::Warning(text));
                    }
                    self.config = Arc::new(config);
                    self.config_error = None;
                    // The file was fixed: a failed edit's message is old news.
                    if self
                        .message
                        .as_ref()
                        .is_some_and(|m| matches!(m.what, Notice::Edit(_)))
                    {
                        self.message = None;
                    }
                }
                Err(e) => {
                    // Told once: the file may be looked at again before it is fixed.
                    let text = e.to_string();
                    if self.config_error.as_ref().map(ToString::to_string) != Some(text.clone()) {
                        tracing::error!("{text}; keeping the last good configuration");
                        let e = Arc::new(e);
                        engine
                            .notifier
                            .notify(notify::Note::ConfigError(Arc::clone(&e)));
                        self.config_error = Some(e);
                    }
                }
            }
        }
        if let Some(status) = Status::read(&ws.status) {
            self.last = Some(status);
            self.fresh_since = health::fresh_since(&ws.history, self.last.as_ref());
        }
        self.elsewhere = lock::inspect(&ws.lock);
        self.see_problem(engine, health::probe(ws), true);
    }
}

/// What a graceful stop means now: a run in progress gets its grace, else nothing waits.
pub fn say_stopping(until: tokio::time::Instant, running: bool) {
    if running {
        let grace = until.saturating_duration_since(tokio::time::Instant::now());
        tracing::info!(
            "stopping: a run in progress has {} s to finish (press Ctrl-C again or Quit again to stop at once)",
            grace.as_secs_f64().round()
        );
    } else {
        tracing::info!("stopping: no run in progress");
    }
}

fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
