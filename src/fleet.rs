//! Several workspaces served by one process (the tray, `--daemon`). Each is served on a
//! thread of its own by its own [`Host`] — instance lock, run lock, runtime, loop and
//! files — so that a hung, failing or broken workspace never delays another's runs, and
//! the set follows the person's list (`workspaces.json`) while the process runs.
//!
//! A workspace that cannot be served yet (its folder gone, a config that does not load)
//! or that another process serves waits in [`open_when_servable`], showing why, and is
//! served as soon as it can be.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use crate::config::{Config, Edit};
use crate::engine::{Command, RunOutcome};
use crate::health::{Blocker, Problem};
use crate::host::{self, GRACE, Host, OpenError};
use crate::lock::{Holder, InstanceLock};
use crate::notify::{self, Note, Notifier};
use crate::schedule::Trigger;
use crate::shutdown::Stop;
use crate::snapshot::{Message, Notice, Snapshot};
use crate::workspace::Workspace;
use crate::workspaces::WorkspaceList;

/// How often a workspace that cannot be served is tried again.
const RETRY_BROKEN: Duration = Duration::from_secs(1);

/// Which front end serves the workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Tray,
    Daemon,
}

impl Front {
    /// What the instance lock's messages call it.
    fn name(self) -> &'static str {
        match self {
            Front::Tray => "tray",
            Front::Daemon => "daemon",
        }
    }

    /// How often a workspace another process serves is looked at again: the tray shows its
    /// state (every 2 s); the daemon only takes it over once the other process is gone.
    fn look_elsewhere_every(self) -> Duration {
        match self {
            Front::Tray => Duration::from_secs(2),
            Front::Daemon => Duration::from_secs(30),
        }
    }
}

/// Why a workspace is not served here (yet), with what its files say.
#[derive(Debug)]
pub enum Waiting {
    /// It cannot be served: the snapshot's problem says why.
    Unserved(Snapshot),
    /// Another tray or daemon serves it: its state is read from its files.
    Elsewhere(Snapshot, Holder),
}

/// Opens `ws`'s host for `front` as soon as it can be served. Meanwhile `show` is told
/// why not (when that changes, and the files' state of a workspace served elsewhere at
/// each look); the first problem is notified, and its end too. A "Sync now" from
/// `commands` for a workspace served elsewhere runs here, under the lock, as `synctray
/// sync` would, and the menu's edits are written to its file. The stop signals are the
/// caller's to pass on to `stop`. `None` when `stop` leaves [`Stop::Run`] first.
pub fn open_when_servable(
    ws: &Workspace,
    front: Front,
    notifier: &dyn Notifier,
    stop: &watch::Sender<Stop>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    show: impl FnMut(Waiting),
) -> Option<Host> {
    host::runtime().block_on(wait_servable(ws, front, notifier, stop, commands, show))
}

/// [`open_when_servable`] in the caller's runtime.
async fn wait_servable(
    ws: &Workspace,
    front: Front,
    notifier: &dyn Notifier,
    stop: &watch::Sender<Stop>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    mut show: impl FnMut(Waiting),
) -> Option<Host> {
    let mut stops = stop.subscribe();
    let mut shown: Option<Blocker> = None;
    // A change from the menu that was refused, said in the menu for a while.
    let mut refused: Option<Message> = None;
    let mut told_problem = false;
    let mut told_elsewhere = false;
    loop {
        if *stops.borrow_and_update() != Stop::Run {
            break None;
        }
        // Read quietly at each look: its warnings are logged once it is served.
        let config = Config::load_in(ws).map_err(std::sync::Arc::new);
        let opened = config
            .as_ref()
            .ok()
            .map(|c| Host::with_config(ws.clone(), c.clone(), front.name()));
        let wait = match opened {
            Some(Ok(host)) => {
                tracing::info!("served from now on");
                host::log_warnings(ws, &host.config);
                if told_problem {
                    notifier.notify(Note::Recovered { duration_ms: None });
                }
                break Some(host);
            }
            Some(Err(OpenError::Taken { holder, .. })) => {
                if !told_elsewhere {
                    tracing::info!("served by another synctray ({holder})");
                    told_elsewhere = true;
                }
                shown = None;
                let mut snapshot =
                    Snapshot::read(ws, config.as_ref().map_err(Clone::clone), Utc::now());
                snapshot.message = refused.clone();
                show(Waiting::Elsewhere(snapshot, *holder));
                front.look_elsewhere_every()
            }
            not_served => {
                told_elsewhere = false;
                let why = match (&config, not_served) {
                    (Err(e), _) => Blocker::ConfigBroken(e.kind.to_string()),
                    (Ok(_), Some(Err(e))) => Blocker::Unserved(e.to_string()),
                    (Ok(_), _) => unreachable!("a loaded configuration was tried above"),
                };
                let mut snapshot = unserved(ws, why, config);
                snapshot.message = refused.clone();
                let why = snapshot.problem.as_ref().map(|p| p.what.clone());
                if why != shown {
                    if let Some(why) = &why {
                        tracing::warn!("cannot sync: {why}");
                        if !told_problem {
                            notifier.notify(Note::Problem(why.clone()));
                            told_problem = true;
                        }
                    }
                    shown = why;
                    show(Waiting::Unserved(snapshot));
                }
                RETRY_BROKEN
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stops.changed() => {}
            Some(command) = commands.recv() => match command {
                // Served elsewhere: a manual run here, under the lock.
                Command::SyncNow if told_elsewhere => sync_here(ws, stop).await,
                // The edits go to the file, which the scheduler there (or this one,
                // once it can serve) picks up; a refusal is said on the desktop.
                Command::SetInterval(n) => {
                    refused = edit(ws, Edit::Interval(n), notifier);
                    shown = None;
                }
                Command::SetPaused(on) => {
                    refused = edit(ws, Edit::Paused(on), notifier);
                    shown = None;
                }
                command => tracing::info!(
                    "{command:?} ignored: the workspace cannot be served"
                ),
            }
        }
    }
}

/// A change from the menu to a workspace served elsewhere or not yet: written to its
/// file. A refusal (the file does not load, or cannot be written) is notified and
/// returned as the menu's message.
fn edit(ws: &Workspace, edit: Edit, notifier: &dyn Notifier) -> Option<Message> {
    match crate::config::edit(&ws.config, edit) {
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("{}: {e}", edit.refused());
            let e = Arc::new(e);
            notifier.notify(Note::NotChanged {
                edit,
                why: Arc::clone(&e),
            });
            Some(Message {
                at: Utc::now(),
                what: Notice::Edit(edit, e),
            })
        }
    }
}

/// "Sync now" for a workspace another process serves: one run here, under the lock.
async fn sync_here(ws: &Workspace, stop: &watch::Sender<Stop>) {
    let config = match host::load_config(ws) {
        Ok(config) => config,
        Err(e) => {
            tracing::warn!("{e}");
            return;
        }
    };
    match host::sync_now(
        ws.clone(),
        &config,
        Box::new(notify::Silent),
        Trigger::Manual,
        stop.subscribe(),
    )
    .await
    {
        Ok(RunOutcome::Finished(run)) => tracing::info!(
            "manual run: {}",
            crate::runs::failure(&run).unwrap_or_else(|| "succeeded".to_owned())
        ),
        Ok(RunOutcome::Skipped(holder)) => {
            tracing::info!("manual run skipped: a sync was already running ({holder})")
        }
        Ok(RunOutcome::NotStarted) => tracing::info!("manual run not started: stopping"),
        Err(e) => tracing::warn!("manual run: {e}"),
    }
}

/// What is shown of a workspace that cannot be served (`why`, with `config` as it loaded):
/// its files' state, with why no run can start as the problem.
fn unserved(
    ws: &Workspace,
    why: Blocker,
    config: Result<Config, std::sync::Arc<crate::config::ConfigError>>,
) -> Snapshot {
    let now = Utc::now();
    let mut snapshot = Snapshot::read(ws, config.as_ref().map_err(Clone::clone), now);
    // The problem line says it; "Config not applied" would speak of a last good
    // configuration that there is not.
    snapshot.config_error = None;
    snapshot.problem.get_or_insert(Problem {
        what: why,
        since: now,
        probed: true,
    });
    snapshot
}

/// A workspace served by a [`Fleet`]: its thread, and the stop it listens to.
struct Member {
    id: u64,
    root: PathBuf,
    stop: watch::Sender<Stop>,
    thread: Option<JoinHandle<()>>,
}

/// Makes the body of a workspace's thread: from its id in the fleet, the workspace and
/// its stop.
pub type Spawn = Box<dyn FnMut(u64, Workspace, watch::Sender<Stop>) -> Box<dyn FnOnce() + Send>>;

/// The workspaces this process serves, one thread each, started and stopped as the set
/// changes ([`Fleet::set`]); the process's stop is passed on to every one ([`Stops`]).
pub struct Fleet {
    members: Vec<Member>,
    /// Removed from the set and still finishing (a run in progress gets its grace).
    leaving: Vec<Member>,
    spawn: Spawn,
    next_id: u64,
    stops: Stops,
}

/// A workspace's id and stop, as [`Stops`] keeps them.
type IdStop = (u64, watch::Sender<Stop>);

/// Every workspace's stop, and how many of their threads still run: shared with whoever
/// stops the process (a signal, a logout) from another thread.
#[derive(Clone, Default)]
pub struct Stops {
    senders: Arc<Mutex<Vec<IdStop>>>,
    live: Arc<(Mutex<usize>, Condvar)>,
}

impl Stops {
    /// Passes the process's stop on to every workspace.
    pub fn forward(&self, stop: Stop) {
        for (_, sender) in self
            .senders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            sender.send_replace(stop);
        }
    }

    /// Waits up to `timeout` for every workspace's thread to finish; whether they did.
    pub fn wait_finished(&self, timeout: Duration) -> bool {
        let (count, changed) = &*self.live;
        let count = count.lock().unwrap_or_else(|e| e.into_inner());
        let (count, _) = changed
            .wait_timeout_while(count, timeout, |n| *n > 0)
            .unwrap_or_else(|e| e.into_inner());
        *count == 0
    }

    /// Counts a thread from its start to its end.
    fn enter(&self) -> impl Drop + use<> {
        struct Leave(Arc<(Mutex<usize>, Condvar)>);
        impl Drop for Leave {
            fn drop(&mut self) {
                let (count, changed) = &*self.0;
                *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                changed.notify_all();
            }
        }
        *self.live.0.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        Leave(Arc::clone(&self.live))
    }
}

/// What [`Fleet::set`] changed: the ids started (with their workspaces) and stopped.
#[derive(Debug, Default)]
pub struct Changes {
    pub started: Vec<(u64, Workspace)>,
    pub stopped: Vec<u64>,
}

impl Fleet {
    pub fn new(spawn: Spawn) -> Fleet {
        Fleet {
            members: Vec::new(),
            leaving: Vec::new(),
            spawn,
            next_id: 0,
            stops: Stops::default(),
        }
    }

    /// The stops of every workspace, for another thread.
    pub fn stops(&self) -> Stops {
        self.stops.clone()
    }

    /// Serves exactly `wanted` (by folder): starts the new ones, asks the ones no longer
    /// wanted to stop (a run in progress gets [`GRACE`]).
    pub fn set(&mut self, wanted: &[Workspace]) -> Changes {
        let mut changes = Changes::default();
        let (keep, leave): (Vec<_>, Vec<_>) = std::mem::take(&mut self.members)
            .into_iter()
            .partition(|m| wanted.iter().any(|w| w.root == m.root));
        self.members = keep;
        for member in leave {
            tracing::info!("{}: no longer served", member.root.display());
            host::escalate_with(&member.stop, GRACE);
            changes.stopped.push(member.id);
            self.leaving.push(member);
        }
        for ws in wanted {
            if self.members.iter().any(|m| m.root == ws.root) {
                continue;
            }
            let id = self.next_id;
            self.next_id += 1;
            let (stop, _) = watch::channel(Stop::Run);
            self.stops
                .senders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((id, stop.clone()));
            let body = (self.spawn)(id, ws.clone(), stop.clone());
            let live = self.stops.enter();
            // Every line the workspace's thread logs names it: "workspace{name=alpha}: …".
            let span = tracing::info_span!("workspace", name = %ws.name);
            let thread = std::thread::Builder::new()
                .name(format!("ws {}", ws.name))
                .spawn(move || {
                    let _live = live;
                    let _in = span.enter();
                    body();
                })
                .expect("a thread for a workspace");
            self.members.push(Member {
                id,
                root: ws.root.clone(),
                stop,
                thread: Some(thread),
            });
            changes.started.push((id, ws.clone()));
        }
        self.reap();
        changes
    }

    /// Passes the process's stop on to every workspace.
    pub fn forward(&self, stop: Stop) {
        self.stops.forward(stop);
    }

    /// The ids of every workspace's thread, removed ones still finishing included.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.members.iter().chain(&self.leaving).map(|m| m.id)
    }

    /// Whether every workspace's thread has finished.
    pub fn finished(&self) -> bool {
        self.members
            .iter()
            .chain(&self.leaving)
            .all(|m| m.thread.as_ref().is_none_or(JoinHandle::is_finished))
    }

    /// Waits for every thread.
    pub fn join(mut self) {
        for member in self.members.iter_mut().chain(self.leaving.iter_mut()) {
            if let Some(thread) = member.thread.take()
                && thread.join().is_err()
            {
                tracing::error!("{}: its thread panicked", member.root.display());
            }
        }
    }

    /// Joins the removed workspaces' threads that have finished.
    fn reap(&mut self) {
        let senders = &self.stops.senders;
        self.leaving.retain_mut(|m| {
            if m.thread.as_ref().is_some_and(JoinHandle::is_finished) {
                let _ = m.thread.take().map(JoinHandle::join);
                senders
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|(id, _)| *id != m.id);
                false
            } else {
                true
            }
        });
    }
}

/// The workspaces of the list at `path`; `None` (and the reason logged) when it does not
/// parse, so that the set served stays as it is.
pub fn listed(path: &Path) -> Option<Vec<Workspace>> {
    match WorkspaceList::load(path) {
        Ok(list) => Some(list.workspaces.iter().map(Workspace::listed).collect()),
        Err(e) => {
            tracing::error!("{e}; serving the workspaces as they were");
            None
        }
    }
}

/// `--daemon` for several workspaces (or for the list, followed as it changes): each
/// served on its own thread; SIGTERM, SIGINT and SIGHUP stop them all the two-stage way.
pub fn serve_daemon(initial: Vec<Workspace>, list: Option<PathBuf>) {
    serve_daemon_with(initial, list, Vec::new());
}

/// `--daemon` for one workspace, already opened (its configuration loaded, the workspace
/// claimed: a daemon that cannot start says so and ends at once): a fleet of one, served
/// as [`serve_daemon`] serves several. It ends when its workspace's scheduler does.
pub fn serve_daemon_host(host: Host) {
    let ws = host.ws.clone();
    serve_daemon_with(vec![ws], None, vec![host]);
}

/// [`serve_daemon`], the workspaces of `opened` served by their hosts. Without a list to
/// follow, the daemon ends once every workspace's scheduler has ended by itself (another
/// synctray took it over). A set that cannot change (one workspace, no list) has nothing
/// to serve beside its workspace: that one is served on this thread, in the runtime that
/// listens for the signals, rather than on a thread with a runtime of its own (memory for
/// nothing, which an idle daemon should not take).
fn serve_daemon_with(initial: Vec<Workspace>, list: Option<PathBuf>, mut opened: Vec<Host>) {
    let named = initial.len() > 1 || list.is_some();
    let mut here = match (&list, initial.as_slice()) {
        (None, [ws]) => Some((ws.clone(), take(&mut opened, ws))),
        _ => None,
    };
    let on_threads: &[Workspace] = if here.is_some() { &[] } else { &initial };
    let (ended_tx, mut ended) = mpsc::unbounded_channel();
    let here_ended = ended_tx.clone();
    let mut fleet = Fleet::new(Box::new(move |_, ws, stop| {
        let host = take(&mut opened, &ws);
        let ended = ended_tx.clone();
        Box::new(move || {
            let claim = host::runtime().block_on(serve_one(ws, stop, named, host));
            // Released once its runtime is gone, with whatever that still held.
            drop(claim);
            let _ = ended.send(());
        })
    }));
    let mut claim = None;
    host::runtime().block_on(async {
        let (stop_tx, mut stop_rx) = watch::channel(Stop::Run);
        // The workspace served here is stopped by the signals directly: it ends after
        // this loop may have (a second signal still stops its run at once).
        let here_stop = stop_tx.clone();
        tokio::spawn(host::stop_on_signals(stop_tx));
        // Let the signal task install its handlers before a job can start: a SIGTERM
        // that came first would end the process at once, leaving the job and the lock.
        tokio::task::yield_now().await;
        let serve_here = async {
            if let Some((ws, host)) = here.take() {
                // Its lines name it, as a workspace's thread's do.
                let span = tracing::info_span!("workspace", name = %ws.name);
                claim = serve_one(ws, here_stop, named, host).instrument(span).await;
                let _ = here_ended.send(());
            }
        };
        fleet.set(on_threads);
        let mut ended_count = 0;
        let (changed_tx, mut changed) = mpsc::unbounded_channel();
        let _watcher = list.as_deref().and_then(|path| {
            match crate::watch::watch_list(path, move || {
                let _ = changed_tx.send(());
            }) {
                Ok(watcher) => Some(watcher),
                Err(e) => {
                    tracing::warn!(
                        "cannot watch {}: {e}; changes need a restart",
                        path.display()
                    );
                    None
                }
            }
        });
        let follow = async {
            let mut stopping = false;
            loop {
                tokio::select! {
                    Ok(()) = stop_rx.changed() => {
                        stopping = true;
                        fleet.forward(*stop_rx.borrow_and_update());
                    }
                    Some(()) = changed.recv(), if !stopping => {
                        // A burst of events for one save: read the list once it has settled.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        while changed.try_recv().is_ok() {}
                        if let Some(wanted) = list.as_deref().and_then(listed) {
                            fleet.set(&wanted);
                        }
                    }
                    Some(()) = ended.recv() => {
                        ended_count += 1;
                        if list.is_none() && ended_count == initial.len() {
                            break;
                        }
                    }
                    () = tokio::time::sleep(Duration::from_millis(100)), if stopping => {
                        if fleet.finished() {
                            break;
                        }
                    }
                }
            }
        };
        tokio::join!(serve_here, follow);
    });
    drop(claim);
    fleet.join();
}

/// The host opened for `ws`, taken from `opened`.
fn take(opened: &mut Vec<Host>, ws: &Workspace) -> Option<Host> {
    opened
        .iter()
        .position(|h| h.ws.root == ws.root)
        .map(|at| opened.swap_remove(at))
}

/// One workspace of a daemon's fleet: served by `opened`, or as soon as it can be, until
/// `stop`. Returns its claim, for the caller to release once its runtime is gone.
async fn serve_one(
    ws: Workspace,
    stop: watch::Sender<Stop>,
    named: bool,
    opened: Option<Host>,
) -> Option<InstanceLock> {
    // Its controls are the config file and the CLI; the only commands it takes are the
    // actions of its own failure notifications ("Sync now").
    let (commands, mut commands_rx) = mpsc::unbounded_channel();
    let actions = notify::daemon_actions(ws.clone(), commands);
    let notifier = notify::desktop_for(named.then(|| ws.name.clone()), Some(actions));
    let host = match opened {
        Some(host) => host,
        None => {
            wait_servable(
                &ws,
                Front::Daemon,
                &*notifier,
                &stop,
                &mut commands_rx,
                |_| {},
            )
            .await?
        }
    };
    host.without_signals()
        .serve_here(notifier, commands_rx, stop, |_| std::future::pending())
        .await
}
