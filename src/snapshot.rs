//! What the front ends show: the state of a workspace as one [`Snapshot`] value. The
//! scheduler sends one on every change ([`crate::engine::Engine::subscribe`]); a process
//! that runs no scheduler (`synctray status`), or the tray before its scheduler's first
//! word, reads one from the workspace's files ([`Snapshot::read`]). Either way the front
//! ends render the same value.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::{Config, ConfigError, ConfigWarning};
use crate::health::{self, Problem};
use crate::lock::{self, Holder};
use crate::notify::Failing;
use crate::schedule::{Cadence, Planning, Trigger};
use crate::status::RunRecord;
use crate::wait::Condition;
use crate::workspace::Workspace;

/// What the front ends show: the state of the workspace, sent on every change.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The last finished run, by any process.
    pub last: Option<RunRecord>,
    /// The next scheduled run; `None` when paused (or the schedule never fires again).
    pub next_run: Option<DateTime<Utc>>,
    /// A run in progress, here or in another process.
    pub running: Option<Running>,
    /// Scheduled runs are paused now (`paused`, or a `pausedUntil` still ahead).
    pub paused: bool,
    /// When a pause for a while ends (`pausedUntil`, while it is ahead); `None` for a
    /// pause until someone resumes, and when not paused.
    pub paused_until: Option<DateTime<Utc>>,
    /// Every N minutes, or the `schedule` expression.
    pub cadence: Cadence,
    /// The config file does not load. From the scheduler: a bad edit, and the last good
    /// configuration stays in use. Read from the files: there is no configuration, so
    /// nothing is planned (and `paused` and `cadence` mean nothing).
    pub config_error: Option<Arc<ConfigError>>,
    /// The latest thing worth telling the user that is not in the status file, such as
    /// a "Sync now" that found another process's run in progress.
    pub message: Option<Message>,
    /// When the data was last known fresh (see [`health::fresh_since`]).
    pub fresh_since: Option<DateTime<Utc>>,
    /// `overdueAfterMinutes`; `None` when off (or there is no configuration).
    pub overdue_after: Option<TimeDelta>,
    /// Scheduled runs cannot start: why, since when.
    pub problem: Option<Problem>,
    /// The same failure, run after run (from the scheduler only).
    pub failing: Option<Failing>,
    /// No configuration is in force (it did not load, and there is no last good one):
    /// no interval is checked in the menu, nothing is paused.
    pub no_config: bool,
}

impl Snapshot {
    /// The workspace's state as its files say it at `now`, with `config` as loaded: the
    /// last run from the status file, a run in progress from the lock (never from a
    /// pid), a run that waits (for the network or a condition) from its marker, and the next run as the
    /// scheduler would plan it from the last run. With a configuration that does not
    /// load, nothing is planned and the error is said.
    pub fn read(
        ws: &Workspace,
        config: Result<&Config, Arc<ConfigError>>,
        now: DateTime<Utc>,
    ) -> Snapshot {
        let last = RunRecord::read(&ws.status_file);
        let stale = config
            .as_ref()
            .map_or(lock::DEFAULT_STALE, |c| c.stale_lock);
        let running = match lock::probe(&ws.lock, stale, now) {
            Some(holder) => Some(Running::Elsewhere(holder)),
            None => {
                crate::wait::waiting(&crate::wait::marker_path(ws)).map(|about| Running::Waiting {
                    what: about.what,
                    until: about.until,
                })
            }
        };
        let (config, config_error) = match config {
            Ok(config) => (Some(config), None),
            Err(e) => (None, Some(e)),
        };
        let started = last.as_ref().map(RunRecord::started);
        let next_run = config
            .and_then(|c| c.next_run(Planning::after_run(last.as_ref().map(RunRecord::span), now)))
            .map(|d| d.at.max(now));
        // Runs cannot start since the first one that should have run after the last one
        // recorded (or now, when none has been missed yet).
        let problem = health::probe(ws).map(|what| Problem {
            what,
            since: config
                .zip(started)
                .and_then(|(c, s)| c.cadence.next_slot_after(&c.zone, s, s))
                .filter(|at| *at <= now)
                .unwrap_or(now),
            probed: true,
        });
        Snapshot {
            fresh_since: health::fresh_since(&ws.history_file, last.as_ref()),
            last,
            next_run,
            running,
            paused: config.is_some_and(|c| c.paused_at(now)),
            paused_until: config.and_then(|c| c.paused_until_at(now)),
            cadence: config.map(|c| c.cadence.clone()).unwrap_or_default(),
            config_error,
            message: None,
            overdue_after: config.and_then(Config::overdue_after),
            problem,
            failing: None,
            no_config: config.is_none(),
        }
    }

    /// How old the data is at `now`, when it is overdue; never while paused.
    pub fn overdue(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        health::overdue_age(self.fresh_since, self.overdue_after, self.paused, now)
    }

    /// When the last successful run finished.
    pub fn last_success(&self) -> Option<DateTime<Utc>> {
        self.last.as_ref().and_then(RunRecord::last_success)
    }

    /// The workspace's state in one word, as the icon shows it at `now`. Never "ok" over
    /// a workspace whose runs cannot start or whose data is stale.
    pub fn state(&self, now: DateTime<Utc>) -> State {
        // A run waiting for the network holds no lock and has not started.
        let busy = self
            .running
            .as_ref()
            .is_some_and(|r| r.waiting_for().is_none());
        if busy {
            State::Syncing
        } else if self.problem.is_some() {
            State::Error
        } else if self.paused {
            State::Paused
        } else if self
            .last
            .as_ref()
            .is_some_and(|s| s.outcome == crate::status::Outcome::Error && !s.interrupted)
        {
            State::Error
        } else if self.overdue(now).is_some() {
            State::Stale
        } else {
            State::Ok
        }
    }
}

/// A workspace's state in one word: what its icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Ordered from the least to the most in need of attention (see [`State::worst`]).
    Paused,
    Ok,
    Syncing,
    /// The data is overdue: no run has succeeded for longer than `overdueAfterMinutes`.
    Stale,
    /// The last run failed, or runs cannot start.
    Error,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Syncing => "syncing",
            State::Error => "error",
            State::Paused => "paused",
            State::Stale => "stale",
        }
    }

    /// The state of several workspaces shown as one: the worst (error > stale > syncing >
    /// ok), and paused only when all are.
    pub fn worst(states: impl IntoIterator<Item = State>) -> Option<State> {
        states.into_iter().max()
    }

    /// A mark for a line: "✓", "✗", …
    pub fn mark(self) -> &'static str {
        match self {
            State::Ok => "✓",
            State::Syncing => "↻",
            State::Error => "✗",
            State::Paused => "⏸",
            State::Stale => "⚠",
        }
    }
}

/// Something the scheduler tells the front ends that the status file does not say, and
/// when: a front end shows it for a while, then it is old news.
#[derive(Debug, Clone)]
pub struct Message {
    pub at: DateTime<Utc>,
    pub what: Notice,
}

/// What a [`Message`] says; its text is its [`fmt::Display`].
#[derive(Debug, Clone)]
pub enum Notice {
    /// "Sync now" while a run is in progress.
    AlreadyRunning,
    /// A run was due (or asked for) while another process's run was in progress.
    Skipped { trigger: Trigger, holder: Holder },
    /// A front end's change could not be saved: which, and why.
    Edit(crate::config::Edit, Arc<ConfigError>),
    /// The config file, as just reloaded, has a warning (or several, one a line) it did
    /// not have before: an unknown key, a program not on PATH.
    Warning(Vec<ConfigWarning>),
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::AlreadyRunning => f.write_str("a sync is already running"),
            Notice::Skipped { trigger, holder } => {
                write!(
                    f,
                    "{trigger} skipped: a sync was already running ({holder})"
                )
            }
            Notice::Edit(edit, e) => write!(f, "{}: {}", edit.refused(), e.kind),
            Notice::Warning(w) => write!(f, "config: {}", crate::config::warning_lines(w)),
        }
    }
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
    /// In this process: job `index` of `total` failed and is tried again at `at`
    /// (`retry`), try `next_try` of `attempts`. The lock is held.
    Retrying {
        index: usize,
        total: usize,
        job: String,
        next_try: u32,
        attempts: u32,
        at: DateTime<Utc>,
    },
    /// A scheduled run fell due and waits for `what` (the network, AC power, an unmetered
    /// connection; see [`crate::wait`]), at most `until` (none for the network). No lock is
    /// held, and "Sync now" runs at once.
    Waiting {
        what: Condition,
        until: Option<DateTime<Utc>>,
    },
}

impl Running {
    /// What a run that has not started yet waits for.
    pub fn waiting_for(&self) -> Option<Condition> {
        match self {
            Running::Waiting { what, .. } => Some(*what),
            _ => None,
        }
    }
}
