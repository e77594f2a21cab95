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
//! - the main thread runs the tao event loop, whose `Gui` (in `gui.rs`) owns the tray icon
//!   and its menu. It turns each snapshot into texts, checks and an icon
//!   (`state::menu_state`, pure and unit-tested), shows the worst state of all in the
//!   icon, and turns clicks into [`Command`]s for the engines.
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
//! Which file holds what: this one [`run`] — the event loop, the engine threads
//! (`engine_main`) and the signal thread; `gui.rs` the main thread's side (`Gui`: the
//! icon, the menu, redraws and clicks; `View`: a workspace as that thread knows it);
//! `state/` snapshot → what to show (pure; its unit tests in `state/tests.rs`); `menu.rs`
//! the widgets; `icons.rs` the embedded PNGs. The platform's part — the icons' size, the
//! event loop's setup, the minute's alarm where tao needs help and the display's loss — is
//! in [`crate::sys::tray`], and the start-at-login entry in [`crate::sys::autostart`].

mod gui;
mod icons;
mod menu;
mod state;

use std::cell::RefCell;
use std::io::Write as _;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use tokio::sync::{mpsc, watch};
use tray_icon::TrayIconEvent;
use tray_icon::menu::{MenuEvent, MenuId};

use crate::engine::Command;
use crate::fleet::{self, Fleet, Stops, Waiting};
use crate::host::{self, Host, OpenError, SESSION_GRACE};
use crate::notify::{self, Note, NoteAction, Notifier};
use crate::shutdown::Stop;
use crate::snapshot::Snapshot;
use crate::status::RunRecord;
use crate::sys;
use crate::workspace::Workspace;

use gui::Gui;
use menu::WsId;

/// How long the tray waits at start for a panel to show its item (a StatusNotifierItem
/// host, or an XEmbed tray) before it says that none does and exits 2: at login, panels
/// often start after the programs started with the session.
const PANEL_GRACE: Duration = Duration::from_secs(30);

/// [`PANEL_GRACE`], or the milliseconds in `SYNCTRAY_TEST_PANEL_GRACE_MS` (the tests' own
/// knob: a test of the end of the wait does not wait half a minute).
fn panel_grace() -> Duration {
    std::env::var("SYNCTRAY_TEST_PANEL_GRACE_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(PANEL_GRACE, Duration::from_millis)
}

/// Says on stderr and on the desktop why the tray cannot be shown.
fn say_no_tray(why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "synctray: cannot show the tray: {why} (or run `synctray --daemon`)"
    );
    notify::desktop().notify(Note::NoTray {
        why: why.to_owned(),
    });
}

const NO_DISPLAY: &str = "synctray: no desktop session (no display) is available; run `synctray --daemon` for the headless scheduler";

/// What crosses the border into the event loop.
#[derive(Debug)]
enum UserEvent {
    /// A workspace's engine state changed.
    Snapshot(WsId, Box<Snapshot>),
    /// A workspace is not served here (yet): why, and what its files say.
    Waiting(WsId, Box<Waiting>),
    /// A workspace's last runs changed (newest first), for "Recent runs ▸".
    Recent(WsId, Vec<RunRecord>),
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
    /// A StatusNotifierWatcher came or went, an XEmbed tray took the icon or let it go.
    Panel(sys::tray::PanelNews),
}

/// Runs the tray for `workspaces` (following the list at `list`, when given) until Quit,
/// SIGTERM or Ctrl-C, or the session's end. Exits 2 when there is no desktop session, or
/// when the one workspace asked for is served by another tray or daemon, or when no panel
/// shows the item within `PANEL_GRACE` (30 s) of the start (the engines run meanwhile). A workspace that
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
                if let OpenError::Taken { root, holder, .. } = e {
                    notify::desktop().notify(Note::AlreadyServed {
                        root,
                        holder: holder.to_string(),
                    });
                }
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
    let proxy = event_loop.create_proxy();
    // The item on the panel, before any workspace is served: where it cannot be (no session
    // bus), the tray does not start, and says so on the desktop too.
    let news_proxy = Mutex::new(proxy.clone());
    let item = match sys::tray::Item::new(Arc::new(move |news| {
        let proxy = news_proxy.lock().unwrap_or_else(|e| e.into_inner());
        let _ = proxy.send_event(UserEvent::Panel(news));
    })) {
        Ok(item) => item,
        Err(e) => {
            say_no_tray(&e.to_string());
            return Err(Ended::NotStarted);
        }
    };
    sys::tray::prepare_event_loop(&mut event_loop);
    for ws in &workspaces {
        tracing::info!("synctray tray for {} ({})", ws.root.display(), ws.source);
    }
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

    let mut gui = Gui::new(fleet, new_commands, list.clone(), stop.clone(), item);
    gui.panel_grace = panel_grace();
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
    // Logout: the display (X11) or the compositor (Wayland) goes before any signal comes.
    // Stop as Quit does, with the session's short grace, and leave nothing behind.
    let stops = gui.fleet.stops();
    sys::tray::on_display_lost(move || {
        tracing::warn!("the display connection is lost (the session is ending); stopping");
        stops.forward(host::escalate_with(&stop, SESSION_GRACE));
        if !stops.wait_finished(SESSION_GRACE + crate::runner::TERM_GRACE + Duration::from_secs(2))
        {
            tracing::error!("a run did not end in time");
        }
    });
    let code = event_loop.run_return(|event, _, control_flow| {
        let handled = matches!(event, Event::MainEventsCleared);
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
            Event::UserEvent(UserEvent::Panel(news)) => gui.item.panel_news(news),
            _ => {}
        }
        gui.check_panel();
        // Once the events at hand are handled: a click or a redraw may have changed the
        // menu or the face, and the panel is told.
        if handled {
            gui.item.publish();
        }
        if gui.may_exit() {
            gui.item.remove();
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
    let Gui {
        fleet, no_panel, ..
    } = gui;
    fleet.join();
    if no_panel {
        Err(Ended::NoPanel)
    } else if code == 0 {
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
    /// No panel showed the item within the start's grace (no StatusNotifierItem host, and
    /// no XEmbed tray): it stopped as Quit does.
    NoPanel,
}

/// The event loop, or `None` when the toolkit cannot start (no usable display).
fn new_event_loop() -> Option<EventLoop<UserEvent>> {
    sys::tray::toolkit_starts().then(|| EventLoopBuilder::<UserEvent>::with_user_event().build())
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
            // Served elsewhere (or not yet): the same menu, Recent runs included, read
            // from the files when the last run changes.
            let mut runs_of = None;
            let show = |waiting: fleet::Waiting| {
                let last = match &waiting {
                    fleet::Waiting::Unserved(snapshot) | fleet::Waiting::Elsewhere(snapshot, _) => {
                        snapshot.last.clone()
                    }
                };
                let _ = gone.0.send_event(UserEvent::Waiting(id, Box::new(waiting)));
                if runs_of.as_ref() != Some(&last) {
                    runs_of = Some(last);
                    let runs = crate::runs::recent(&ws, state::RECENT_RUNS);
                    let _ = gone.0.send_event(UserEvent::Recent(id, runs));
                }
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
