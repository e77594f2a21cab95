//! The scheduler loop: when runs fall due, following edits of the config and other
//! processes' runs, obeying the front ends' commands, and waking only when something is due.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use super::{Clock, Command, Engine, Perform, RunFuture, RunOutcome};
use crate::config::{self, Config, ConfigError, ConfigWarning, Edit};
use crate::health::{self, Blocker, Problem};
use crate::lock::{self, Holder};
use crate::notify;
use crate::observe::Change;
use crate::schedule::{Due, Planning, Trigger};
use crate::shutdown::Stop;
use crate::snapshot::{Message, Notice, Running, Snapshot};
use crate::status::RunRecord;

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

/// How often the loop looks at the files when it cannot watch them.
const LOOK_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// How often the loop looks whether a problem the probe sees has gone.
const PROBE_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// How long a burst of file events (a rename, a history append, a lock removal) is let
/// settle before the loop looks at the files once for all of it.
const SETTLE: Duration = Duration::from_millis(25);

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
        last: RunRecord::read(&ws.status_file),
        handled: None,
        since: clock.now(),
        ran_until: None,
        pause_ended: None,
        ignored_start: None,
        message: None,
        elsewhere: lock::inspect(&ws.lock),
        fresh_since: None,
        problem: None,
    };
    state.fresh_since = health::fresh_since(&ws.history_file, state.last.as_ref());
    // Runs that cannot start are said at once, not at the first due time.
    state.see_problem(engine, health::probe(ws), true);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let watch = |quiet: bool| {
        crate::watch::watch_workspace(ws, events_tx.clone())
            .inspect_err(|e| {
                if !quiet {
                    tracing::warn!(
                        "cannot watch {} for changes ({e}); looking for edits once a minute",
                        ws.root.display()
                    )
                }
            })
            .ok()
    };
    let mut watcher = if options.follow_files {
        watch(false)
    } else {
        None
    };
    // Without a watcher, edits and other processes' runs are only seen when the loop wakes.
    let look = options.follow_files && watcher.is_none();
    let mut run: Option<(RunFuture<'_>, Due)> = None;
    // When the burst of file events seen so far has settled. A deadline of the loop, not a
    // sleep in it: the run in progress is polled meanwhile (its jobs write to data/ too).
    let mut settled_at: Option<tokio::time::Instant> = None;
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
        // A pause for a while that has ended leaves the file. Until the next run starts the
        // loop goes on planning as the key did: the pause as a run that ended at its end.
        if run.is_none()
            && !stopping
            && let Some(until) = state.config.paused_until.filter(|at| *at <= now)
            && state.pause_ended != Some(until)
        {
            // Once for each pause: an edit that fails is said once, not at each wake.
            state.pause_ended = Some(until);
            state.ran_until = state.ran_until.max(Some(until));
            tracing::info!("the pause ended at {until}; scheduled runs resume");
            state.apply(engine, Edit::PausedUntil(None));
            continue;
        }
        state.forget_gone_causes(run.is_some());
        let running_here = engine.snapshot.borrow().running.clone();
        let failing = engine.alerts.lock().unwrap().failing().cloned();
        let snap = state.snapshot(now, due, running_here, run.is_some(), failing);
        let overdue = snap.overdue(now);
        engine.observe(
            &state.config,
            Change::Overdue {
                age: overdue,
                last_success: snap.last_success(),
            },
        );
        // Stale data is a deadline the loop sleeps to, once; not a poll.
        let overdue_at = health::overdue_at(snap.fresh_since, snap.overdue_after, snap.paused)
            .filter(|at| *at > now);
        engine.snapshot.send_replace(snap);

        // A due time only while nothing runs: during a run it may already have passed,
        // and sleeping until a past time returns at once, for ever.
        let due_at = due.filter(|_| run.is_none()).map(|d| d.at);
        // While the probe sees runs cannot start (the workspace folder gone, data/
        // read-only), its end is looked for every second: a folder that comes back sends
        // no event to a watcher that watched the one that went.
        let probing = options.follow_files && state.problem.as_ref().is_some_and(|p| p.probed);
        let probe_at = probing.then(|| now + PROBE_EVERY);
        // The end of a pause for a while: the menu stops saying it, the file forgets it.
        let pause_ends = state.config.paused_until_at(now);
        let wake = wake_at(
            now,
            [due_at, overdue_at, probe_at, pause_ends]
                .into_iter()
                .flatten()
                .min(),
            look,
        );
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
                        state.fresh_since = health::fresh_since(&ws.history_file, state.last.as_ref());
                        state.see_problem(engine, None, false);
                    }
                    Ok(RunOutcome::Skipped(holder)) => {
                        state.tell(clock, Notice::Skipped { trigger: due.trigger, holder });
                        state.see_problem(engine, None, false);
                    }
                    Ok(RunOutcome::NotStarted) => {}
                    Err(e) => {
                        tracing::error!("{e}");
                        // What the probe sees says it best ("the workspace folder … is
                        // gone" rather than "the data/ folder is gone").
                        let what = health::probe(ws).unwrap_or_else(|| health::lock_blocker(&e));
                        state.see_problem(engine, Some(what), false);
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
                Some(Command::SetInterval(n)) => state.apply(engine, Edit::Interval(n)),
                Some(Command::SetPaused(p)) => state.apply(engine, Edit::Paused(p)),
                Some(Command::PauseUntil(until)) => state.apply(engine, Edit::PausedUntil(Some(until))),
            },
            // The rest of a burst waits in the channel until it has settled.
            Some(()) = events.recv(), if settled_at.is_none() => {
                settled_at = Some(tokio::time::Instant::now() + SETTLE);
            }
            () = tokio::time::sleep_until(settled_at.unwrap_or_else(tokio::time::Instant::now)), if settled_at.is_some() => {
                settled_at = None;
                while events.try_recv().is_ok() {}
                state.refresh(engine);
            }
            () = sleep => {}
        }
        if look || probing {
            state.refresh(engine);
            // The folder is back: watch it anew (the old watches went with the old one).
            if probing && state.problem.is_none() && options.follow_files {
                watcher = watch(true);
            }
        }
    }
    drop(watcher);
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
    last: Option<RunRecord>,
    /// The last due time this loop handled (ran, or skipped for a held lock).
    handled: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
    /// When this loop's last run ended, until the next one starts: a due time that fell
    /// at or before it came while that run was in progress.
    ran_until: Option<DateTime<Utc>>,
    /// The `pausedUntil` this loop last removed from the file once it had passed.
    pause_ended: Option<DateTime<Utc>>,
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
        let started = self.last.as_ref().map(RunRecord::started);
        let started = started.filter(|s| Some(*s) != self.ignored_start);
        started.max(self.handled)
    }

    /// Takes in a clock set back: the previous slot, the loop's start and the end of its
    /// last run, when dated after `now`, count as `now`, once.
    fn notice_clock(&mut self, now: DateTime<Utc>) {
        if self.last_slot().is_some_and(|last| last > now) {
            let started = self.last.as_ref().map(RunRecord::started);
            if let Some(started) = started.filter(|s| *s > now) {
                self.ignored_start = Some(started);
            }
            self.handled = Some(now);
        }
        self.since = self.since.min(now);
        self.ran_until = self.ran_until.filter(|ended| *ended <= now);
    }

    /// The next run, as [`Config::next_run`] plans it from what this loop knows.
    fn plan(&self, now: DateTime<Utc>) -> Option<Due> {
        self.config.next_run(Planning {
            last: self.last_slot(),
            since: self.since,
            now,
            ran_until: self.ran_until,
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
            paused: self.config.paused_at(now),
            paused_until: self.config.paused_until_at(now),
            cadence: self.config.cadence.clone(),
            config_error: self.config_error.clone(),
            message: self.message.clone(),
            fresh_since: self.fresh_since,
            overdue_after: self.config.overdue_after(),
            problem: self.problem.clone(),
            failing,
            // The last good configuration is in force.
            no_config: false,
        }
    }

    /// Takes in what keeps runs from starting: `what` (none, when a run got the lock or
    /// the probe sees nothing), from the probe when `probed`. A problem only a run could
    /// see (a full disk, a leftover run) goes only when a run gets the lock.
    fn see_problem(&mut self, engine: &Engine, what: Option<Blocker>, probed: bool) {
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
        let now = self.problem.as_ref().map(|p| &p.what);
        engine.observe(&self.config, Change::Problem(now));
    }

    /// Drops the message whose cause has gone: "already running" once no run is left
    /// here, "skipped" once the other process's run has ended.
    fn forget_gone_causes(&mut self, run_here: bool) {
        let gone = self.message.as_ref().is_some_and(|m| match &m.what {
            Notice::AlreadyRunning => !run_here,
            Notice::Skipped { .. } => self.elsewhere.is_none(),
            // A failed edit goes when a good configuration is read (see `refresh`).
            Notice::Edit(..) => false,
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

    /// Applies a front end's change to the config file, and uses the result at once. A
    /// refusal is said on the desktop (menu line and notification): the person clicked.
    fn apply(&mut self, engine: &Engine, edit: Edit) {
        let (ws, clock) = (&engine.ws, &*engine.clock);
        match config::edit(&ws.config, edit) {
            Ok(config) => {
                tracing::info!(
                    "{}: {} saved; now {}",
                    ws.config.display(),
                    edit.describe(),
                    config.describe_schedule()
                );
                self.config = Arc::new(config);
                self.config_stamp = file_stamp(&ws.config);
                self.config_error = None;
                self.message = None;
            }
            Err(e) => {
                tracing::error!("{}: {e}", edit.refused());
                let e = Arc::new(e);
                engine.notifier.notify(notify::Note::NotChanged {
                    edit,
                    why: Arc::clone(&e),
                });
                self.tell(clock, Notice::Edit(edit, e));
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
            match Config::load_in(ws) {
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
                    let new: Vec<ConfigWarning> = config
                        .warnings
                        .iter()
                        .filter(|w| !self.config.warnings.contains(w))
                        .cloned()
                        .collect();
                    if !new.is_empty() {
                        engine
                            .notifier
                            .notify(notify::Note::ConfigWarning(new.clone()));
                        self.tell(&*engine.clock, Notice::Warning(new));
                    }
                    self.config = Arc::new(config);
                    self.config_error = None;
                    // The file was fixed: a failed edit's message is old news.
                    if self
                        .message
                        .as_ref()
                        .is_some_and(|m| matches!(m.what, Notice::Edit(..)))
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
        if let Some(status) = RunRecord::read(&ws.status_file) {
            self.last = Some(status);
            self.fresh_since = health::fresh_since(&ws.history_file, self.last.as_ref());
        }
        self.elsewhere = lock::inspect(&ws.lock);
        self.see_problem(engine, health::probe(ws), true);
    }
}

/// What a graceful stop means now: a run in progress gets its grace, else nothing waits.
/// How to stop at once is said where the stop came from (a signal, Quit): a workspace
/// removed from the list or a session that ends has no "again".
pub fn say_stopping(until: tokio::time::Instant, running: bool) {
    if running {
        let grace = until.saturating_duration_since(tokio::time::Instant::now());
        tracing::info!(
            "stopping: a run in progress has {} s to finish",
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
