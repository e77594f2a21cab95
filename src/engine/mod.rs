//! The orchestrator: one run under the lock ([`Engine::run_once`], in `run.rs`) and the
//! scheduler loop ([`serve`], in `scheduler.rs`) that the tray and `--daemon` both drive.
//! The front ends only pass in a clock, a stop signal and commands, and read
//! [`Snapshot`]s back; all scheduling, locking and recording lives here.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;

use crate::config::Config;
use crate::lock::{Holder, LockError};
use crate::notify::{Alerts, Notifier, Verdict};
use crate::schedule::Trigger;
use crate::shutdown::Stop;
use crate::snapshot::Snapshot;
use crate::status::RunRecord;
use crate::wait::{self, Sensors};
use crate::workspace::Workspace;

mod run;
mod scheduler;

pub use scheduler::{ServeOptions, say_stopping, serve, serve_with};

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
    /// Pause scheduled runs until a time (written to the file as `pausedUntil`).
    PauseUntil(chrono::DateTime<chrono::Utc>),
}

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
