//! What follows a run, as observers: the status file and the history, the health pings,
//! the Prometheus textfile, log pruning, the desktop's notifications and each alert
//! channel watch a run's start and end and the workspace's changes of state (a problem
//! that keeps scheduled runs from starting, and its end; data gone stale), registered on
//! the [`Engine`](crate::engine::Engine) in one list. The run itself is lock → jobs →
//! its end told to the list; a new consumer of runs is a new [`Observer`] and one
//! registration, not an edit of the run.
//!
//! An observer never delays a run: what may take long (a request to a monitor, a
//! command) is queued for a worker thread of its own, and [`Observer::stop`] gives what is
//! queued a shared deadline when the process ends.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::Config;
use crate::schedule::Trigger;
use crate::status::{RunError, RunRecord};
use crate::workspace::Workspace;

/// A run that holds the lock and starts its jobs.
#[derive(Debug)]
pub struct RunStart<'a> {
    pub ws: &'a Workspace,
    pub config: &'a Config,
    pub trigger: Trigger,
    /// Pairs the start with the end (a UUID; the health ping's `rid`).
    pub run_id: &'a str,
    pub started_at: DateTime<Utc>,
}

/// A run that has ended.
#[derive(Debug)]
pub struct RunEnd<'a> {
    pub ws: &'a Workspace,
    pub config: &'a Config,
    pub trigger: Trigger,
    pub run_id: &'a str,
    /// The run before it, as recorded (read after this run's jobs, under its lock).
    pub previous: Option<&'a RunRecord>,
    /// This run's record: complete once the recorder has written it.
    pub record: RunRecord,
    /// Why it failed, if it did (the recorder adds why it could not be recorded).
    pub error: RunError,
    /// Its log file, when it has one.
    pub log: Option<&'a Path>,
}

/// A change of the workspace's state outside a run, as the scheduler sees it.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// What keeps scheduled runs from starting (`None`: they can start). Told whenever the
    /// scheduler looks; an observer acts on a change.
    Problem(Option<&'a crate::health::Blocker>),
    /// How old the data is when it is overdue (`None`: it is not), with the last success.
    /// Told whenever the scheduler looks.
    Overdue {
        age: Option<TimeDelta>,
        last_success: Option<DateTime<Utc>>,
    },
}

/// One consumer of runs and changes. Each method is called on the engine's thread, in the
/// order the observers were registered, and must return at once.
pub trait Observer: Send + Sync {
    /// A run holds the lock and starts.
    fn run_started(&self, _run: &RunStart<'_>) {}

    /// The run has ended and still holds the lock: whoever sees the lock free sees what is
    /// done here. The recorder, registered first, writes the status and the history (and
    /// may add to `run.error` why it could not); the others read.
    fn run_ended(&self, _run: &mut RunEnd<'_>) {}

    /// The run has ended and its lock is gone.
    fn run_released(&self, _run: &RunEnd<'_>) {}

    /// The workspace's state as the scheduler sees it now.
    fn changed(&self, _config: &Config, _change: Change<'_>) {}

    /// The process stops: what is still queued may take until `deadline`, no longer.
    fn stop(&self, _deadline: Instant) {}
}

/// The status file and the history: the run's record, written under the lock.
#[derive(Debug, Default)]
pub struct Recorder;

impl Observer for Recorder {
    fn run_ended(&self, run: &mut RunEnd<'_>) {
        crate::status::record(
            &run.ws.status_file,
            &run.ws.history_file,
            &mut run.record,
            &mut run.error,
        );
    }
}

/// `data/logs/` keeps the newest [`LOG_FILES`](crate::workspace::LOG_FILES) run logs.
#[derive(Debug, Default)]
pub struct LogPruner;

impl Observer for LogPruner {
    fn run_released(&self, run: &RunEnd<'_>) {
        run.ws.prune_logs(crate::workspace::LOG_FILES);
    }
}

/// The node_exporter textfile (`metrics`), rewritten after every run under its lock.
#[derive(Debug, Default)]
pub struct MetricsFile;

impl Observer for MetricsFile {
    fn run_ended(&self, run: &mut RunEnd<'_>) {
        if let Some(metrics) = &run.config.metrics
            && let Err(e) = crate::metrics::write(run.ws, metrics, &run.record)
        {
            tracing::warn!("cannot write the metrics textfile: {e}");
        }
    }
}
