//! The system-tray front end: `synctray` with no command.
//!
//! One tray for every workspace it serves (one, several given with `--workspace`, or the
//! person's list, followed as it changes), and a border between threads (the tray and its
//! menu are not `Send`):
//! - each workspace has its own engine thread ([`Fleet`]): it waits until the workspace
//!   can be served ([`fleet::open_when_servable`], showing why not meanwhile), then runs
//!   its [`Host`] — the same door as `--daemon` — and forwards every [`Snapshot`] into the
//!   event loop. A hung, failing or broken workspace never delays another's runs;
//! - one thread listens for the stop signals and passes them on to every workspace;
//! - the main thread runs the tao event loop, which owns the tray icon and its menu. It
//!   turns each snapshot into texts, checks and an icon (`state::menu_state`, pure and
//!   unit-tested), shows the worst state of all in the icon, and turns clicks into
//!   [`Command`]s for the engines.
//!
//! Relative times ("in 12 min") are the GUI thread's to keep right: it redraws the menu
//! from the last snapshots just after each wall-clock minute (`ControlFlow::WaitUntil`),
//! while the idle engines sleep until their next runs. Idle, that is one wake-up a minute.
//!
//! Nothing here schedules, locks or notifies: the engines do all of that, notifications
//! included. Quit is SIGTERM by another door: it sets [`Stop::Drain`] for every
//! workspace, and the event loop ends when every engine thread has finished. A logout (the
//! display lost, or the session's SIGTERM/SIGHUP) stops the same way with a 2.5 s grace.
//!
//! Modules: `state` (snapshot → what to show), `menu` (the widgets), `icons` (the
//! embedded PNGs). The platform's part — the icons' size, the event loop's setup, the
//! minute's alarm where tao needs help and the display's loss — is in
//! [`crate::sys::tray`], and the start-at-login entry in [`crate::sys::autostart`].

mod icons;
mod menu;
mod state;

use std::cell::RefCell;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use tokio::sync::{mpsc, watch};
use tray_icon::menu::{MenuEvent, MenuId};
use tray_icon::{TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::engine::Command;
use crate::fleet::{self, Fleet, Stops, Waiting};
use crate::host::{self, Host, OpenError, SESSION_GRACE};
use crate::lock::Holder;
use crate::notify::{self, Note, NoteAction, Notifier};
use crate::shutdown::Stop;
use crate::snapshot::Snapshot;
use crate::status::Status;
use crate::sys;
use crate::sys::autostart::{self, Starts};
use crate::sys::tray::Alarm;
use crate::workspace::Workspace;

use icons::Icons;
use menu::{Action, TrayMenu, WsAction, WsId};
use state::{IconKind, MenuState, menu_state, until_next_minute};

const NO_DISPLAY: &str = "synctray: no desktop session (no display) is available; run `synctray --daemon` for the headless scheduler";

/// What crosses the border into the event loop.
#[derive(Debug)]
enum UserEvent {
    /// A workspace's engine state changed.
    Snapshot(WsId, Box<Snapshot>),
    /// A workspace is not served here (yet): why, and what its files say.
    Waiting(WsId, Box<Waiting>),
    /// A workspace's last runs changed (newest first), for "Recent runs ▸".
    Recent(WsId, Vec<Status>),
    /// A menu item was clicked.
    Menu(MenuId),
    /// An action of a workspace's notification was chosen.
    NoteAction(WsId, NoteAction),
    /// A workspace's engine thread has ended: no run is left, its locks are released.
    Gone(WsId),
    /// The workspace list changed.
    ListChanged,
    /// A stop signal came.
    Stopping,
}

/// Runs the tray for `workspaces` (following the list at `list`, when given) until Quit,
/// SIGTERM or Ctrl-C, or the session's end. Exits 2 when there is no desktop session, or
/// when the one workspace asked for is served by another tray or daemon. A workspace that
/// cannot be served (a config that does not load, a folder gone, data/ unusable) is shown
/// in the error state with the reason, and served as soon as it is fixed.
///
/// Why it did not run to a Quit is said on stderr (and on the desktop when it can be);
/// the front end maps the [`Ended`] to its exit status.
pub fn run(workspaces: Vec<Workspace>, list: Option<PathBuf>) -> Result<(), Ended> {
    // tao panics (and GTK may abort) without a display: look before touching either.
    if !sys::desktop_session_available() {
        let _ = writeln!(std::io::stderr(), "{NO_DISPLAY}");
        return Err(Ended::NotStarted);
    }
    // One workspace: claimed before the toolkit, so that a second tray needs no display to
    // say that it does not start (on the desktop too: it may have no terminal).
    let mut first_host = None;
    if let ([ws], None) = (workspaces.as_slice(), &list) {
        match Host::open(ws.clone(), "tray") {
            Ok(host) => first_host = Some(host),
            Err(e @ OpenError::Taken { .. }) => {
                let _ = writeln!(std::io::stderr(), "synctray: {e}");
                notify::desktop().notify(Note::NotStarted(e.to_string()));
                return Err(Ended::NotStarted);
            }
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "synctray: {e}; the tray shows it until it is fixed"
                );
            }
        }
    }
    let Some(mut event_loop) = new_event_loop() else {
        let _ = writeln!(std::io::stderr(), "{NO_DISPLAY}");
        return Err(Ended::NotStarted);
    };
    sys::tray::prepare_event_loop(&mut event_loop);
    for ws in &workspaces {
        tracing::info!("synctray tray for {} ({})", ws.root.display(), ws.source);
    }
    let proxy = event_loop.create_proxy();
    let menu_proxy = proxy.clone();
    MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
        let _ = menu_proxy.send_event(UserEvent::Menu(e.id));
    }));
    // Nothing reads the icon's own click events (the menu is the whole UI); without a
    // handler they would pile up in tray-icon's channel.
    TrayIconEvent::set_event_handler(Some(|_| {}));

    // The tray's own stop (Quit, a signal, a logout), passed on to every workspace.
    let (stop, _) = watch::channel(Stop::Run);
    let named = workspaces.len() > 1 || list.is_some();
    let new_commands: NewCommands = Rc::default();
    let fleet = {
        let proxy = proxy.clone();
        let new_commands = Rc::clone(&new_commands);
        Fleet::new(Box::new(move |id, ws, ws_stop| {
            let (commands, commands_rx) = mpsc::unbounded_channel();
            new_commands.borrow_mut().push((id, commands));
            let host = first_host.take().filter(|h| h.ws.root == ws.root);
            let notifier = notifier_for(&proxy, id, named.then(|| ws.name.clone()));
            let proxy = proxy.clone();
            Box::new(move || engine_main(id, ws, host, notifier, commands_rx, ws_stop, proxy))
        }))
    };
    // Before any job can start: a SIGTERM that came first would end the process at once.
    listen_for_signals(stop.clone(), fleet.stops(), proxy.clone());

    let mut gui = Gui::new(fleet, new_commands, list.clone(), stop.clone());
    gui.set_workspaces(&workspaces);
    let _list_watcher = list.as_deref().and_then(|path| {
        let proxy = Mutex::new(proxy.clone());
        crate::watch::watch_list(path, move || {
            let proxy = proxy.lock().unwrap_or_else(|e| e.into_inner());
            let _ = proxy.send_event(UserEvent::ListChanged);
        })
        .inspect_err(|e| tracing::warn!("cannot watch {}: {e}", path.display()))
        .ok()
    });
    // Logout on X11: the display goes before any signal comes. Stop as Quit does, with
    // the session's short grace, and leave nothing behind.
    let stops = gui.fleet.stops();
    let icon_dir = gui.icon_dir.as_ref().map(|d| d.path().to_owned());
    sys::tray::on_display_lost(move || {
        tracing::warn!("the display connection is lost (the session is ending); stopping");
        stops.forward(host::escalate_with(&stop, SESSION_GRACE));
        if !stops.wait_finished(SESSION_GRACE + crate::runner::TERM_GRACE + Duration::from_secs(2))
        {
            tracing::error!("a run did not end in time");
        }
        if let Some(dir) = &icon_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    });
    let code = event_loop.run_return(|event, _, control_flow| {
        match event {
            Event::NewEvents(StartCause::Init) => gui.create_icon(),
            // The minute has turned (or a message's time is up): the same snapshots read
            // differently now.
            Event::NewEvents(StartCause::ResumeTimeReached { .. }) => gui.refresh(),
            Event::UserEvent(UserEvent::Snapshot(id, snapshot)) => gui.show(id, *snapshot),
            Event::UserEvent(UserEvent::Waiting(id, waiting)) => gui.waiting(id, *waiting),
            Event::UserEvent(UserEvent::Recent(id, runs)) => gui.show_recent(id, runs),
            Event::UserEvent(UserEvent::Menu(id)) => gui.clicked(&id),
            Event::UserEvent(UserEvent::NoteAction(id, action)) => gui.note_action(id, action),
            Event::UserEvent(UserEvent::ListChanged) => gui.list_changed(),
            Event::UserEvent(UserEvent::Stopping) => gui.stopping(),
            Event::UserEvent(UserEvent::Gone(id)) => gui.gone(id),
            _ => {}
        }
        if gui.quitting && gui.fleet.finished() {
            gui.tray = None;
            *control_flow = ControlFlow::Exit;
        }
        // Set for every event, so that none cancels the wait for the next redraw; an
        // exit is final.
        if !matches!(control_flow, ControlFlow::ExitWithCode(_)) {
            *control_flow = ControlFlow::WaitUntil(gui.next_refresh);
        }
    });
    if code != 0 && !gui.quitting {
        // The display went away under us: stop the engines as Quit would.
        tracing::warn!("the desktop session ended; stopping");
        gui.quit();
    }
    let Gui { fleet, .. } = gui;
    fleet.join();
    if code == 0 {
        Ok(())
    } else {
        Err(Ended::SessionLost)
    }
}

/// How the tray ended other than by a Quit or a stop signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It did not start: no desktop session, or the one workspace asked for is served by
    /// another tray or daemon.
    NotStarted,
    /// The event loop ended with an error (the display went away).
    SessionLost,
}

/// The event loop, or `None` when the toolkit cannot start (no usable display). tao
/// panics in that case; the panic is caught, and its message kept off the terminal.
fn new_event_loop() -> Option<EventLoop<UserEvent>> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let event_loop =
        std::panic::catch_unwind(|| EventLoopBuilder::<UserEvent>::with_user_event().build());
    std::panic::set_hook(hook);
    event_loop.ok()
}

/// The command senders of the engine threads just started, for the GUI to take.
type NewCommands = Rc<RefCell<Vec<(WsId, mpsc::UnboundedSender<Command>)>>>;

/// Workspace `id`'s notifications: named when the tray serves several; a failure's
/// offers "Show log" and "Sync now", whose clicks come back here as menu clicks do.
fn notifier_for(
    proxy: &EventLoopProxy<UserEvent>,
    id: WsId,
    name: Option<String>,
) -> Box<dyn Notifier> {
    let proxy = Mutex::new(proxy.clone());
    notify::desktop_for(
        name,
        Some(Arc::new(move |action| {
            let proxy = proxy.lock().unwrap_or_else(|e| e.into_inner());
            let _ = proxy.send_event(UserEvent::NoteAction(id, action));
        })),
    )
}

/// The tray's stop signals (SIGTERM and SIGHUP from an ending session, Ctrl-C): each one
/// escalates the tray's stop with the session's short grace, and passes it on to every
/// workspace. Returns once the thread listens.
fn listen_for_signals(stop: watch::Sender<Stop>, stops: Stops, proxy: EventLoopProxy<UserEvent>) {
    let (ready, listening) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            host::runtime().block_on(async {
                let signals = host::listen_for_stops();
                let _ = ready.send(());
                if let Some(signals) = signals {
                    host::escalate_on(signals, &stop, SESSION_GRACE, |next| {
                        stops.forward(next);
                        let _ = proxy.send_event(UserEvent::Stopping);
                    })
                    .await;
                }
            });
        });
    if spawned.is_ok() {
        let _ = listening.recv_timeout(Duration::from_secs(5));
    }
}

/// A workspace's engine thread: waits until the workspace can be served (unless `host`
/// is already open), then its scheduler, and its snapshots sent across the border.
fn engine_main(
    id: WsId,
    ws: Workspace,
    host: Option<Host>,
    notifier: Box<dyn Notifier>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    stop: watch::Sender<Stop>,
    proxy: EventLoopProxy<UserEvent>,
) {
    /// Tells the event loop that the thread is gone, however it ends.
    struct GoneOnDrop(EventLoopProxy<UserEvent>, WsId);
    impl Drop for GoneOnDrop {
        fn drop(&mut self) {
            let _ = self.0.send_event(UserEvent::Gone(self.1));
        }
    }
    let gone = GoneOnDrop(proxy, id);
    let host = match host {
        Some(host) => host,
        None => {
            let show = |waiting| {
                let _ = gone.0.send_event(UserEvent::Waiting(id, Box::new(waiting)));
            };
            match fleet::open_when_servable(
                &ws,
                fleet::Front::Tray,
                &*notifier,
                &stop,
                &mut commands,
                show,
            ) {
                Some(host) => host,
                None => return,
            }
        }
    };
    // No minute snapshots: the GUI thread redraws "in 12 min" by itself, and the idle
    // engine sleeps until its next run.
    host.without_signals()
        .serve(notifier, commands, stop, |engine| {
            let mut snapshots = engine.subscribe();
            let ws = engine.ws.clone();
            let proxy = &gone.0;
            async move {
                // The history is read here, off the GUI thread, when the last run changes.
                let mut runs_of = None;
                while snapshots.changed().await.is_ok() {
                    let snapshot = snapshots.borrow_and_update().clone();
                    if runs_of.as_ref() != Some(&snapshot.last) {
                        runs_of = Some(snapshot.last.clone());
                        let runs = crate::runs::recent(&ws, state::RECENT_RUNS);
                        if proxy.send_event(UserEvent::Recent(id, runs)).is_err() {
                            break;
                        }
                    }
                    if proxy
                        .send_event(UserEvent::Snapshot(id, Box::new(snapshot)))
                        .is_err()
                    {
                        break;
                    }
                }
                // The event loop is gone; the scheduler still finishes its own way.
            }
        });
}

/// How a workspace is served.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    /// Here, by its engine thread.
    Served,
    /// Not at all: its snapshot's problem says why.
    Unserved,
    /// By another tray or daemon: its state is read from its files.
    Elsewhere(Holder),
}

/// A workspace as the GUI thread knows it.
struct View {
    id: WsId,
    ws: Workspace,
    snapshot: Snapshot,
    /// The last runs, newest first, for "Recent runs ▸".
    recent: Vec<Status>,
    /// Whether its thread has said anything yet (before, "Starting…").
    started: bool,
    mode: Mode,
    commands: mpsc::UnboundedSender<Command>,
}

impl View {
    /// What its part of the menu shows at `now`.
    fn menu_state(&self, now: DateTime<Local>, quitting: bool) -> MenuState {
        let snapshot = &self.snapshot;
        let mut m = menu_state(snapshot, now);
        m.recent = state::recent_items(&self.recent, now);
        if !self.started {
            m.next_line = "Starting…".into();
        }
        match &self.mode {
            Mode::Served => {}
            Mode::Unserved => {
                m.next_line = "Not syncing until this is fixed".into();
                m.sync_now_enabled = false;
            }
            Mode::Elsewhere(holder) => {
                if snapshot.running.is_none() {
                    m.next_line = match holder.pid {
                        Some(pid) => format!("Served by another synctray (pid {pid})"),
                        None => "Served by another synctray".to_owned(),
                    };
                }
            }
        }
        if quitting {
            // A run waiting for the network stops at once: nothing to wait for.
            m.next_line = if self.mode == Mode::Served
                && snapshot
                    .running
                    .as_ref()
                    .is_some_and(|r| r.waiting_for().is_none())
            {
                "Quitting: stopping the sync…"
            } else {
                "Quitting…"
            }
            .into();
            m.sync_now_enabled = false;
        }
        m
    }

    fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            tracing::warn!(
                "{}: {command:?} ignored: its scheduler has stopped",
                self.ws.name
            );
        }
    }
}

/// The GUI thread's side: the widgets, and what it last heard from the engines.
struct Gui {
    views: Vec<View>,
    fleet: Fleet,
    new_commands: NewCommands,
    /// The workspace list followed, if the tray serves it.
    list: Option<PathBuf>,
    stop: watch::Sender<Stop>,
    icons: Icons,
    menu: TrayMenu,
    tray: Option<TrayIcon>,
    /// The icon shown now.
    icon: IconKind,
    /// When the menu next reads differently without news from the engines: just after
    /// the next wall-clock minute, or when a message's time is up. The event loop waits
    /// until then.
    next_refresh: Instant,
    /// Wakes the event loop at `next_refresh` where tao would not.
    alarm: Alarm,
    /// Quit was chosen (or the session ended): the engines are draining.
    quitting: bool,
    /// Where tray-icon writes the icon PNGs the panel reads (Linux); removed on exit.
    icon_dir: Option<tempfile::TempDir>,
    /// Tells the person what the tray itself could not do (open a file or folder).
    notes: Arc<dyn Notifier>,
}

impl Gui {
    fn new(
        fleet: Fleet,
        new_commands: NewCommands,
        list: Option<PathBuf>,
        stop: watch::Sender<Stop>,
    ) -> Gui {
        Gui {
            views: Vec::new(),
            fleet,
            new_commands,
            list,
            stop,
            icons: Icons::load(),
            menu: TrayMenu::new(false, &[]),
            tray: None,
            icon: IconKind::Ok,
            next_refresh: Instant::now(),
            alarm: Alarm::new(),
            quitting: false,
            icon_dir: tempfile::Builder::new()
                .prefix("synctray-icons-")
                .tempdir()
                .ok(),
            notes: Arc::from(notify::desktop()),
        }
    }

    /// Serves exactly `wanted`: starts the new workspaces' threads, stops the removed
    /// ones', and rebuilds the menu when the set changed.
    fn set_workspaces(&mut self, wanted: &[Workspace]) {
        let changes = self.fleet.set(wanted);
        if changes.started.is_empty() && changes.stopped.is_empty() {
            return;
        }
        self.views.retain(|v| !changes.stopped.contains(&v.id));
        let mut commands = self.new_commands.borrow_mut();
        for (id, ws) in changes.started {
            let Some(index) = commands.iter().position(|(c, _)| *c == id) else {
                continue;
            };
            let (_, commands) = commands.swap_remove(index);
            self.views.push(View {
                id,
                ws,
                snapshot: Snapshot::default(),
                recent: Vec::new(),
                started: false,
                mode: Mode::Served,
                commands,
            });
        }
        drop(commands);
        // In the list's order.
        self.views.sort_by_key(|v| {
            wanted
                .iter()
                .position(|w| w.root == v.ws.root)
                .unwrap_or(usize::MAX)
        });
        let names: Vec<(WsId, String)> = self
            .views
            .iter()
            .map(|v| (v.id, v.ws.name.clone()))
            .collect();
        self.menu = TrayMenu::new(autostart::is_enabled(self.starts()), &names);
        if let Some(tray) = &self.tray {
            tray.set_menu(Some(Box::new(self.menu.menu.clone())));
        }
        self.render();
    }

    /// The list changed: serve what it holds now.
    fn list_changed(&mut self) {
        if self.quitting {
            return;
        }
        if let Some(wanted) = self.list.as_deref().and_then(fleet::listed) {
            self.set_workspaces(&wanted);
        }
    }

    /// What "Start at login" starts: this workspace, or the list.
    fn starts(&self) -> Starts<'_> {
        match (&self.list, self.views.as_slice()) {
            (None, [view]) => Starts::Workspace(&view.ws.root),
            _ => Starts::List,
        }
    }

    fn view(&mut self, id: WsId) -> Option<&mut View> {
        self.views.iter_mut().find(|v| v.id == id)
    }

    /// Creates the tray icon (at `StartCause::Init`, once the toolkit runs).
    fn create_icon(&mut self) {
        let mut builder = TrayIconBuilder::new()
            // Stable across starts, so that a desktop remembers the icon's settings.
            .with_id("synctray")
            .with_menu(Box::new(self.menu.menu.clone()))
            .with_icon(self.icons.get(self.icon))
            .with_tooltip(self.tooltip())
            .with_menu_on_left_click(true);
        if let Some(dir) = &self.icon_dir {
            builder = builder.with_temp_dir_path(dir.path());
        }
        // tray-icon panics when the platform's tray library is missing
        // (libayatana-appindicator3 on Linux).
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build())) {
            Ok(Ok(tray)) => {
                self.tray = Some(tray);
                tracing::debug!("icon: {}", self.icon.name());
            }
            Ok(Err(e)) => self.fail(&format!("cannot show the tray icon: {e}")),
            Err(_) => self
                .fail("cannot show the tray icon (on Linux it needs libayatana-appindicator3-1)"),
        }
    }

    /// The tooltip: each workspace by name and what it shows, so that two trays (or two
    /// workspaces) can be told apart.
    fn tooltip(&self) -> String {
        let now = Local::now();
        match self.views.as_slice() {
            [view] => state::named_tooltip(&view.ws.name, &view.menu_state(now, self.quitting)),
            views => {
                let mut tooltip = String::from("synctray");
                for view in views {
                    tooltip.push('\n');
                    tooltip.push_str(&state::summary(&view.ws.name, &view.snapshot, now));
                }
                tooltip
            }
        }
    }

    fn fail(&mut self, why: &str) {
        tracing::error!("{why}; stopping (`synctray --daemon` runs without a tray)");
        self.quit();
    }

    fn show(&mut self, id: WsId, snapshot: Snapshot) {
        if let Some(view) = self.view(id) {
            view.snapshot = snapshot;
            view.started = true;
            view.mode = Mode::Served;
        }
        self.refresh();
    }

    /// Workspace `id` is not served here (yet).
    fn waiting(&mut self, id: WsId, waiting: Waiting) {
        if let Some(view) = self.view(id) {
            let (snapshot, mode) = match waiting {
                Waiting::Unserved(snapshot) => (snapshot, Mode::Unserved),
                Waiting::Elsewhere(snapshot, holder) => (snapshot, Mode::Elsewhere(holder)),
            };
            view.snapshot = snapshot;
            view.started = true;
            view.mode = mode;
        }
        self.refresh();
    }

    fn show_recent(&mut self, id: WsId, runs: Vec<Status>) {
        if let Some(view) = self.view(id) {
            view.recent = runs;
        }
        self.render();
    }

    /// A workspace's thread has ended.
    fn gone(&mut self, id: WsId) {
        if !self.quitting && self.views.iter().any(|v| v.id == id) {
            tracing::error!("a workspace's scheduler stopped by itself");
        }
    }

    /// A stop signal came: the engines are draining.
    fn stopping(&mut self) {
        self.quitting = true;
        self.render();
    }

    /// Shows the last snapshots as of now: after a new one, and at each minute.
    fn refresh(&mut self) {
        self.render();
        // The entry may have been changed outside; a file read a minute is cheap.
        self.menu.set_login(autostart::is_enabled(self.starts()));
    }

    /// Shows the last snapshots, with relative times counted from now, the worst state in
    /// the icon, and plans the next redraw.
    fn render(&mut self) {
        let now = Local::now();
        let message_hidden_at = self
            .views
            .iter()
            .filter_map(|v| v.snapshot.message.as_ref().map(state::hidden_at))
            .filter(|at| *at > now)
            .min();
        self.plan_refresh(now, message_hidden_at);
        // SIGTERM or Ctrl-C may have started the drain.
        self.quitting |= *self.stop.borrow() != Stop::Run;
        let mut states = Vec::new();
        for view in &self.views {
            let m = view.menu_state(now, self.quitting);
            if self.menu.shown(view.id) != Some(&m) {
                log_menu(&view.ws.name, &m);
            }
            states.push(m.icon);
            let summary = state::summary(&view.ws.name, &view.snapshot, now);
            self.menu.show(view.id, &m, &summary);
        }
        let all_paused = !self.views.is_empty() && self.views.iter().all(|v| v.snapshot.paused);
        self.menu.sync_checks(all_paused);
        let icon = IconKind::worst(states).unwrap_or(IconKind::Ok);
        let tooltip = self.tooltip();
        if let Some(tray) = &self.tray {
            if icon != self.icon {
                tracing::debug!("icon: {}", icon.name());
                if let Err(e) = tray.set_icon(Some(self.icons.get(icon))) {
                    tracing::warn!("cannot change the tray icon: {e}");
                }
            }
            let _ = tray.set_tooltip(Some(tooltip));
        }
        self.icon = icon;
    }

    /// Sets [`Self::next_refresh`]: just past the next minute, or when the message shown
    /// is hidden if that comes first. A deadline still ahead is kept unless the clock says
    /// otherwise (it was set, or the machine slept), so redraws within a minute re-arm
    /// nothing.
    fn plan_refresh(&mut self, now: DateTime<Local>, message_hidden_at: Option<DateTime<Utc>>) {
        let mut wait = until_next_minute(now);
        if let Some(hidden) = message_hidden_at {
            // The same margin as the minute's, so that the message has expired when read.
            let left = (hidden - now.with_timezone(&Utc))
                .to_std()
                .unwrap_or_default();
            wait = wait.min(left + Duration::from_millis(20));
        }
        let target = Instant::now() + wait;
        let off = target
            .saturating_duration_since(self.next_refresh)
            .max(self.next_refresh.saturating_duration_since(target));
        if self.next_refresh <= Instant::now() || off > Duration::from_secs(1) {
            self.next_refresh = target;
            self.alarm.set(target);
        }
    }

    fn clicked(&mut self, id: &MenuId) {
        let Some(action) = Action::from_id(id) else {
            return;
        };
        tracing::debug!("clicked: {action:?}");
        match action {
            Action::Ws(id, action) => self.ws_clicked(id, action),
            Action::SyncAll => {
                for view in &self.views {
                    view.send(Command::SyncNow);
                }
            }
            Action::PauseAll => {
                let pause = !self.views.iter().all(|v| v.snapshot.paused);
                for view in &self.views {
                    view.send(Command::SetPaused(pause));
                }
            }
            Action::StartAtLogin => self.toggle_login(),
            Action::Quit => self.quit(),
        }
        // The toolkit has toggled the clicked check item; the engines' next snapshots
        // say what really holds, and until then the checks show the last ones.
        let all_paused = !self.views.is_empty() && self.views.iter().all(|v| v.snapshot.paused);
        self.menu.sync_checks(all_paused);
    }

    fn ws_clicked(&mut self, id: WsId, action: WsAction) {
        let Some(view) = self.views.iter().find(|v| v.id == id) else {
            return;
        };
        match action {
            WsAction::SyncNow => view.send(Command::SyncNow),
            WsAction::Interval(n) => view.send(Command::SetInterval(n)),
            WsAction::Custom => {}
            WsAction::Pause => view.send(Command::SetPaused(!view.snapshot.paused)),
            WsAction::Recent(i) => {
                if let Some(path) = view
                    .recent
                    .get(i)
                    .and_then(|run| crate::runs::log_path(&view.ws, run))
                {
                    self.open(&path);
                }
            }
            WsAction::OpenLogs => {
                // Made for the person to look into, as the logs will be there.
                let _ = sys::create_dir(&view.ws.logs);
                self.open(&view.ws.logs);
            }
            WsAction::EditConfig => self.open(&view.ws.config),
            WsAction::OpenFolder => self.open(&view.ws.root),
        }
    }

    /// The person chose an action of a workspace's failure notification.
    fn note_action(&self, id: WsId, action: NoteAction) {
        tracing::debug!("notification action: {action:?}");
        let Some(view) = self.views.iter().find(|v| v.id == id) else {
            return;
        };
        match action {
            NoteAction::SyncNow => view.send(Command::SyncNow),
            NoteAction::ShowLog => {
                // The failed run's log: the newest failed run of the history.
                let failed = crate::runs::recent(&view.ws, state::RECENT_RUNS)
                    .into_iter()
                    .find(|run| !run.is_success() && !run.interrupted);
                if let Some(path) = failed.and_then(|run| crate::runs::log_path(&view.ws, &run)) {
                    self.open(&path);
                }
            }
        }
    }

    /// Opens `path` with the desktop's opener (the file manager for a folder, the default
    /// application for a file) off the GUI thread; when that fails, a notification says
    /// so with the path, so that it can be opened by hand.
    fn open(&self, path: &Path) {
        let path = path.to_owned();
        let notes = Arc::clone(&self.notes);
        let opening = std::thread::Builder::new()
            .name("open".into())
            .spawn(move || {
                let result = if path.exists() {
                    sys::open_folder(&path).map_err(|e| e.to_string())
                } else {
                    Err("it does not exist".to_owned())
                };
                if let Err(why) = result {
                    tracing::warn!("cannot open {}: {why}", path.display());
                    notes.notify(Note::OpenFailed { path, why });
                }
            });
        if let Err(e) = opening {
            tracing::warn!("cannot open anything: {e}");
        }
    }

    fn toggle_login(&self) {
        let starts = self.starts();
        let result = if autostart::is_enabled(starts) {
            autostart::disable()
        } else {
            std::env::current_exe().and_then(|exe| autostart::enable(&exe, starts))
        };
        let on = autostart::is_enabled(starts);
        match result {
            Ok(()) => tracing::info!(
                "start at login: {}{}",
                if on { "on" } else { "off" },
                autostart::location()
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default()
            ),
            Err(e) => tracing::warn!("cannot change start at login: {e}"),
        }
        self.menu.set_login(on);
    }

    /// Quit: as SIGTERM. The first asks the runs in progress to finish within the grace
    /// period; a second Quit stops them at once.
    fn quit(&mut self) {
        self.quitting = true;
        // A signal may have started the drain already: then this is the second stop.
        let next = host::escalate(&self.stop);
        self.fleet.forward(next);
        self.render();
    }
}

/// One debug line per change of a workspace's menu: what a user would read in it.
fn log_menu(name: &str, m: &MenuState) {
    tracing::debug!(
        "menu {name}: {} | {} | sync now {} | {} | paused {}{}",
        m.last_line,
        m.next_line,
        if m.sync_now_enabled { "on" } else { "off" },
        match (m.interval_checked, &m.custom) {
            (Some(n), _) => state::preset_label(n),
            (None, Some(custom)) => custom.clone(),
            (None, None) => "no interval".into(),
        },
        if m.paused { "on" } else { "off" },
        m.notice
            .as_deref()
            .map(|n| format!(" | {n}"))
            .unwrap_or_default(),
    );
}
