//! The orchestrator: one run under the lock ([`Engine::run_once`], in `run.rs`) and the
//! scheduler loop ([`serve`], in `scheduler.rs`) that the tray and `--daemon` both drive.
//! The front ends only pass in a clock, a stop signal and commands, and read
//! [`Snapshot`]s back; all scheduling, locking and recording lives here.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;

use crate::config::Config;
use crate::lock::{Holder, LockError};
use crate::notify::{Alerts, DesktopAlerts, Notifier};
use crate::observe::{self, Change, Observer};
use crate::schedule::Trigger;
use crate::shutdown::Stop;
use crate::snapshot::Snapshot;
use crate::status::RunRecord;
use crate::wait::{self, Sensors};
use crate::workspace::Workspace;

mod run;
mod scheduler;

pub use scheduler::{ServeOptions, say_stopping, serve, serve_with};

pub use crate::clock::{Clock, Sleep, SystemClock};
pub use crate::command::Command;

/// How a run attempt ended.
#[derive(Debug)]
pub enum RunOutcome {
    /// It ran; the status is written.
    Finished(RunRecord),
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
    /// The desktop, for what is not about runs (a configuration that does not load).
    notifier: Arc<dyn Notifier>,
    snapshot: watch::Sender<Snapshot>,
    /// "Sync now" while a scheduled run waits: it stops waiting.
    wait_cut: tokio::sync::Notify,
    /// Where the wait before a run reads power, cost and the network.
    sensors: Arc<dyn Sensors>,
    /// Which changes of state have been told on the desktop (one notification an
    /// incident); the menu shows its failure streak.
    alerts: Arc<std::sync::Mutex<Alerts>>,
    /// What follows a run and watches the workspace's state, in the order told.
    observers: Vec<Box<dyn Observer>>,
}

/// How long the end of the process waits for what the observers still have queued (a
/// health ping, an alert), all of them together.
pub const FLUSH_WITHIN: std::time::Duration = crate::ping::FLUSH_WITHIN;

impl Engine {
    /// The engine of `ws`, with what follows a run: the status file and the history, the
    /// Prometheus textfile, the health pings, log pruning, and the desktop (`notifier`).
    /// The incidents are taken up where the last recorded run left them.
    pub fn new(ws: Workspace, clock: Arc<dyn Clock>, notifier: Box<dyn Notifier>) -> Engine {
        let notifier: Arc<dyn Notifier> = Arc::from(notifier);
        let last = RunRecord::read(&ws.status_file);
        let alerts = Arc::new(std::sync::Mutex::new(Alerts::resume(last.as_ref())));
        Engine {
            ws,
            clock,
            notifier: Arc::clone(&notifier),
            snapshot: watch::Sender::new(Snapshot::default()),
            wait_cut: tokio::sync::Notify::new(),
            sensors: Arc::new(wait::SystemSensors),
            alerts: Arc::clone(&alerts),
            observers: vec![
                // First: the others see the run as recorded.
                Box::new(observe::Recorder),
                Box::new(observe::MetricsFile),
                Box::new(crate::ping::Pinger::default()),
                Box::new(observe::LogPruner),
                Box::new(DesktopAlerts { notifier, alerts }),
            ],
        }
    }

    /// The engine of `ws` as the front ends run it, on the system clock: the one builder
    /// of [`crate::host`] (the scheduler, `synctray sync`, "Sync now" elsewhere) and of the
    /// tests that run real jobs in real time.
    pub fn system(ws: Workspace, notifier: Box<dyn Notifier>) -> Engine {
        Engine::new(ws, Arc::new(SystemClock), notifier)
    }

    /// The same engine, telling the configuration's alert channels (`alerts`) of its
    /// incidents: for the process that serves the workspace, or that runs it when none
    /// does (one message an incident, from one process).
    pub fn with_alerts(self) -> Engine {
        let channels = crate::alerts::Channels::new(&self.ws);
        self.with_observer(Box::new(channels))
    }

    /// The same engine, with `observer` told of runs and changes after the others.
    pub fn with_observer(mut self, observer: Box<dyn Observer>) -> Engine {
        self.observers.push(observer);
        self
    }

    /// The same engine, reading the machine's state from `sensors` (a simulation's).
    pub fn with_sensors(mut self, sensors: Arc<dyn Sensors>) -> Engine {
        self.sensors = sensors;
        self
    }

    /// Tells every observer of a change of the workspace's state.
    fn observe(&self, config: &Config, change: Change<'_>) {
        for observer in &self.observers {
            observer.changed(config, change);
        }
    }

    /// Snapshots of the workspace's state, for a front end to display.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }
}

impl Drop for Engine {
    /// What the observers still have queued gets [`FLUSH_WITHIN`], all of them together.
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + FLUSH_WITHIN;
        for observer in &self.observers {
            observer.stop(deadline);
        }
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
        Box::pin(async move { self.run_once(&config, trigger, stop).await })
    }
}
