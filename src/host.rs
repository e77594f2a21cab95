//! The one door that builds a runtime and wires the stop signals, for every front end:
//! [`Host`] hosts a workspace's scheduler for those that keep one running (`--daemon` and
//! the tray): it loads the configuration, claims the workspace's instance lock, builds
//! the runtime, wires the stop signals with the two-stage stop, and runs
//! [`engine::serve`]; [`run_once`] does the same for one run now (`synctray sync`). The
//! front ends only render what the engine says and map its typed results to their own exit
//! statuses (the host knows none).

use std::fmt;
use std::future::Future;

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::config::{Config, ConfigError};
use crate::engine::{self, Command, Engine, RunOutcome, ServeOptions};
use crate::lock::{self, Holder, InstanceLock, LockError};
use crate::notify::Notifier;
use crate::schedule::Trigger;
use crate::shutdown::Stop;
use crate::workspace::Workspace;

/// How long a run in progress may go on after the first SIGTERM, Ctrl-C, SIGHUP or Quit.
pub const GRACE: Duration = Duration::from_secs(10);

/// How long a run in progress may go on when the desktop session ends under the tray
/// (logout: the session manager's SIGTERM or SIGHUP, or the display connection lost): a
/// session that ends does not wait long, and the run must still be recorded and the lock
/// released before it is gone.
pub const SESSION_GRACE: Duration = Duration::from_millis(2500);

/// Why a workspace cannot be hosted.
#[derive(Debug)]
pub enum OpenError {
    /// The configuration does not load.
    Config(ConfigError),
    /// Another tray or daemon serves the workspace.
    Taken {
        root: std::path::PathBuf,
        holder: Box<Holder>,
        what: &'static str,
    },
    /// The instance lock cannot be taken or read.
    Instance(LockError),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Config(e) => e.fmt(f),
            OpenError::Taken { root, holder, what } => write!(
                f,
                "synctray is already running for {} ({holder}); not starting a second {what}",
                root.display()
            ),
            OpenError::Instance(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OpenError {}

/// A workspace held by this process's scheduler: its configuration as loaded, and the
/// instance lock (released when the host is dropped).
pub struct Host {
    pub ws: Workspace,
    pub config: Config,
    /// `None` while the lock cannot even be created (data/ read-only, gone): the scheduler
    /// serves the workspace anyway, so that the problem is seen, and claims the lock once
    /// runs can start again.
    instance: Option<InstanceLock>,
    /// The grace a stop signal gives a run in progress: [`GRACE`], or [`SESSION_GRACE`]
    /// for the tray, whose signals come from the ending session. `None`: this host does
    /// not listen for signals (a [`Fleet`](crate::fleet::Fleet) does, for all of its workspaces).
    signal_grace: Option<Duration>,
}

impl Host {
    /// Loads the configuration (its warnings go to the log) and claims the workspace for
    /// `what` ("daemon", "tray"): one tray or daemon per workspace.
    pub fn open(ws: Workspace, what: &'static str) -> Result<Host, OpenError> {
        let config = load_config(&ws).map_err(OpenError::Config)?;
        Host::with_config(ws, config, what)
    }

    /// [`Host::open`] with the configuration already loaded (whose warnings are the
    /// caller's to tell).
    pub fn with_config(
        ws: Workspace,
        config: Config,
        what: &'static str,
    ) -> Result<Host, OpenError> {
        let instance = match claim(&ws, what) {
            Ok(guard) => Some(guard),
            // Nothing can run while the lock cannot be created: the scheduler says why,
            // on the desktop too, rather than the process ending with a line on stderr.
            Err(OpenError::Instance(e)) if crate::health::probe(&ws).is_some() => {
                tracing::warn!("{e}; serving the workspace until it can be claimed");
                None
            }
            Err(e) => return Err(e),
        };
        Ok(Host {
            ws,
            config,
            instance,
            signal_grace: Some(GRACE),
        })
    }

    /// Gives a run in progress `grace` after a stop signal (the first; a second stops it
    /// at once) instead of [`GRACE`].
    pub fn with_signal_grace(mut self, grace: Duration) -> Host {
        self.signal_grace = Some(grace);
        self
    }

    /// Does not listen for stop signals: whoever drives `stop` does (a [`Fleet`](crate::fleet::Fleet)).
    pub fn without_signals(mut self) -> Host {
        self.signal_grace = None;
        self
    }

    /// Runs the scheduler on this thread until `stop` leaves [`Stop::Run`] and the run in
    /// progress has ended. SIGTERM, SIGINT and SIGHUP drive `stop` the way [`escalate`]
    /// says; a front end may drive it too (the tray's Quit). `beside` runs alongside the
    /// scheduler with the engine (the tray forwards its snapshots there) and is dropped
    /// when the scheduler returns.
    pub fn serve<F>(
        self,
        notifier: Box<dyn Notifier>,
        commands: mpsc::UnboundedReceiver<Command>,
        stop: watch::Sender<Stop>,
        beside: impl FnOnce(&Engine) -> F,
    ) where
        F: Future<Output = ()>,
    {
        let instance = runtime().block_on(self.serve_here(notifier, commands, stop, beside));
        // Released once the runtime is gone, with whatever it still held.
        drop(instance);
    }

    /// [`Host::serve`] in the caller's runtime (the daemon's fleet of one serves its
    /// workspace on the thread and in the runtime that listen for the signals). Returns the workspace's claim, for the
    /// caller to release once its runtime is gone.
    pub async fn serve_here<F>(
        self,
        notifier: Box<dyn Notifier>,
        commands: mpsc::UnboundedReceiver<Command>,
        stop: watch::Sender<Stop>,
        beside: impl FnOnce(&Engine) -> F,
    ) -> Option<InstanceLock>
    where
        F: Future<Output = ()>,
    {
        let Host {
            ws,
            config,
            mut instance,
            signal_grace,
        } = self;
        {
            let engine = Engine::system(ws.clone(), notifier).with_alerts();
            let stop_rx = stop.subscribe();
            let stop_tx = stop.clone();
            if let Some(grace) = signal_grace {
                tokio::spawn(stop_on_signals_with(stop, grace));
            }
            // Let the signal task install its handlers before a job can start: a SIGTERM
            // that came first would end the process at once, leaving the job and the lock.
            tokio::task::yield_now().await;
            let beside = beside(&engine);
            let unclaimed = instance.is_none();
            let claim_later = async {
                if unclaimed {
                    instance = claim_once_runs_can_start(&engine, &stop_tx).await;
                }
                std::future::pending::<()>().await
            };
            tokio::select! {
                () = engine::serve(&engine, config, commands, stop_rx, ServeOptions::default()) => {}
                () = async { beside.await; std::future::pending::<()>().await } => {}
                () = claim_later => {}
            }
        }
        instance
    }
}

/// One run of `ws`'s jobs now, in this process, under the run lock (`synctray sync`):
/// builds the runtime, and SIGTERM, SIGINT and SIGHUP stop the run the way [`escalate`]
/// says (the first gives it [`GRACE`], and says so in the log). Does not claim the
/// instance lock: a tray or daemon may serve the workspace meanwhile (it, not this run,
/// tells the alert channels then).
pub fn run_once(
    ws: Workspace,
    config: &Config,
    notifier: Box<dyn Notifier>,
    trigger: Trigger,
) -> Result<RunOutcome, LockError> {
    runtime().block_on(async {
        let (stop_tx, stop_rx) = watch::channel(Stop::Run);
        let signals = tokio::spawn(stop_on_signals(stop_tx));
        // This run is in progress until `run_once` returns: a graceful stop gives it grace.
        let mut stops = stop_rx.clone();
        let say = tokio::spawn(async move {
            while stops.changed().await.is_ok() {
                let draining = match *stops.borrow() {
                    Stop::Drain(until) => Some(until),
                    _ => None,
                };
                if let Some(until) = draining {
                    engine::say_stopping(until, true);
                }
            }
        });
        // Let the signal task install its handlers before the run starts (as in `serve`).
        tokio::task::yield_now().await;
        // A scheduled run (`sync --scheduled`) first waits for the network and the
        // conditions, as the scheduler's own runs do (in `Engine::run_once`); a CLI run
        // does not wait.
        let outcome = sync_now(ws, config, notifier, trigger, stop_rx).await;
        signals.abort();
        say.abort();
        outcome
    })
}

/// One run of `ws` now, under the run lock, in the caller's runtime: `synctray sync`
/// ([`run_once`], which adds the runtime and the signals) and the tray's "Sync now" for a
/// workspace another process serves. [`Engine::run_once`] is the door; the scheduler's
/// runs go through it too.
pub async fn sync_now(
    ws: Workspace,
    config: &Config,
    notifier: Box<dyn Notifier>,
    trigger: Trigger,
    stop: watch::Receiver<Stop>,
) -> Result<RunOutcome, LockError> {
    // The tray or daemon that serves the workspace tells the alert channels; this run
    // does only when none does.
    let served = lock::served_by(&ws.instance_lock());
    let engine = Engine::system(ws, notifier);
    let engine = match served {
        Some(holder) => {
            if !config.alerts.is_empty() {
                tracing::info!(
                    "alerts are left to the synctray that serves the workspace ({holder})"
                );
            }
            engine
        }
        None => engine.with_alerts(),
    };
    engine.run_once(config, trigger, stop).await
}

/// Claims `ws` for `what` with its instance lock.
fn claim(ws: &Workspace, what: &'static str) -> Result<InstanceLock, OpenError> {
    match lock::instance(&ws.instance_lock()).map_err(OpenError::Instance)? {
        Ok(guard) => Ok(guard),
        Err(holder) => Err(OpenError::Taken {
            root: ws.root.clone(),
            holder: Box::new(holder),
            what,
        }),
    }
}

/// Waits until the engine sees no problem, then claims the instance lock. Another tray or
/// daemon that claimed it meanwhile serves the workspace: this one stops.
async fn claim_once_runs_can_start(
    engine: &Engine,
    stop: &watch::Sender<Stop>,
) -> Option<InstanceLock> {
    let mut snapshots = engine.subscribe();
    loop {
        if snapshots.borrow_and_update().problem.is_none() {
            match claim(&engine.ws, "scheduler") {
                Ok(guard) => {
                    tracing::info!("the workspace is claimed: runs can start");
                    return Some(guard);
                }
                Err(OpenError::Taken { holder, .. }) => {
                    tracing::warn!(
                        "another synctray serves the workspace now ({holder}); stopping"
                    );
                    escalate(stop);
                    return None;
                }
                Err(_) => {}
            }
        }
        if snapshots.changed().await.is_err() {
            return None;
        }
    }
}

/// Loads the workspace's configuration; its warnings go to the log.
pub fn load_config(ws: &Workspace) -> Result<Config, ConfigError> {
    let config = Config::load_in(ws)?;
    log_warnings(ws, &config);
    Ok(config)
}

/// Logs the configuration's warnings.
pub fn log_warnings(ws: &Workspace, config: &Config) {
    for warning in &config.warnings {
        tracing::warn!("{}: {warning}", ws.config.display());
    }
}

/// A single-threaded runtime: the engine waits on timers, pipes and child processes, and
/// one thread does that with the fewest wake-ups and the least memory.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The two-stage stop, for every way a user asks to stop (a signal, Quit): the first asks
/// a run in progress to finish within [`GRACE`], any later one stops at once. Sends the
/// new stop and returns it.
pub fn escalate(stop: &watch::Sender<Stop>) -> Stop {
    escalate_with(stop, GRACE)
}

/// [`escalate`], with `grace` for a run in progress at the first stop.
pub fn escalate_with(stop: &watch::Sender<Stop>, grace: Duration) -> Stop {
    let next = match *stop.borrow() {
        Stop::Run => Stop::Drain(tokio::time::Instant::now() + grace),
        _ => Stop::Now,
    };
    // The engine says what a graceful stop means (it knows whether a run is in progress).
    if next == Stop::Now {
        tracing::info!("stopping now");
    }
    stop.send_replace(next);
    next
}

/// The stop signals a terminal or a service manager gives — SIGTERM, SIGINT (Ctrl-C),
/// SIGHUP (the terminal closed); on Windows Ctrl-C, Ctrl-Break and the console's close,
/// logoff and shutdown events — each [`escalate`]s `stop`.
pub async fn stop_on_signals(stop: watch::Sender<Stop>) {
    stop_on_signals_with(stop, GRACE).await
}

/// [`stop_on_signals`], with `grace` for a run in progress at the first signal.
pub async fn stop_on_signals_with(stop: watch::Sender<Stop>, grace: Duration) {
    if let Some(signals) = listen_for_stops() {
        escalate_on(signals, &stop, grace, |_| {}).await;
    }
}

/// Starts listening for the stop signals (inside a runtime); `None`, the reason logged,
/// when they cannot be listened for.
pub fn listen_for_stops() -> Option<crate::sys::StopSignals> {
    crate::sys::StopSignals::new()
        .inspect_err(|e| tracing::error!("cannot listen for signals: {e}"))
        .ok()
}

/// Each of `signals` [`escalate_with`]s `stop` by `grace`, then `then` is told the new stop.
pub async fn escalate_on(
    mut signals: crate::sys::StopSignals,
    stop: &watch::Sender<Stop>,
    grace: Duration,
    mut then: impl FnMut(Stop),
) {
    loop {
        signals.next().await;
        let next = escalate_with(stop, grace);
        if matches!(next, Stop::Drain(_)) {
            tracing::info!("press Ctrl-C again (or send the signal again) to stop at once");
        }
        then(next);
    }
}
