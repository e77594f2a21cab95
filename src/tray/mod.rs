//! The system-tray front end: `synctray` with no command.
//!
//! Two threads, and a border between them (the tray and its menu are not `Send`):
//! - the engine thread runs the workspace's [`Host`] — the same door as `--daemon`, with
//!   the same signals and grace period — and forwards every [`Snapshot`] into the event
//!   loop;
//! - the main thread runs the tao event loop, which owns the tray icon and its menu (not
//!   `Send`). It turns a snapshot into texts, checks and an icon (`state::menu_state`,
//!   pure and unit-tested), and clicks into [`Command`]s for the engine.
//!
//! Relative times ("in 12 min") are the GUI thread's to keep right: it redraws the menu
//! from the last snapshot just after each wall-clock minute (`ControlFlow::WaitUntil`),
//! while the idle engine sleeps until its next run. Idle, that is one wake-up a minute.
//!
//! Nothing here schedules, locks or notifies: the engine does all of that, notifications
//! included. Quit is SIGTERM by another door: it sets [`Stop::Drain`] and the event loop
//! ends when the engine thread says it has finished.
//!
//! Modules: `state` (snapshot → what to show), `menu` (the widgets), `icons` (the
//! embedded PNGs). The platform's part — the icons' size, the event loop's setup and the
//! minute's alarm where tao needs help — is in [`crate::sys::tray`], and the
//! start-at-login entry in [`crate::sys::autostart`].

mod icons;
mod menu;
mod state;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use tokio::sync::{mpsc, watch};
use tray_icon::menu::{MenuEvent, MenuId};
use tray_icon::{TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::engine::Command;
use crate::host::{self, EXIT_USAGE, Host};
use crate::notify;
use crate::runner::Stop;
use crate::snapshot::Snapshot;
use crate::status::Status;
use crate::sys::tray::Alarm;
use crate::sys::{self, autostart};
use crate::workspace::Workspace;

use icons::Icons;
use menu::{Action, TrayMenu};
use state::{IconKind, MenuState, menu_state, until_next_minute};

const NO_DISPLAY: &str = "synctray: no desktop session (no display) is available; run `synctray --daemon` for the headless scheduler";

/// What crosses the border into the event loop.
#[derive(Debug)]
enum UserEvent {
    /// The engine's state changed.
    Snapshot(Box<Snapshot>),
    /// The last runs changed (newest first), for "Recent runs ▸".
    Recent(Vec<Status>),
    /// A menu item was clicked.
    Menu(MenuId),
    /// The engine has stopped: no run is left, the lock is released.
    Exit,
}

/// Runs the tray until Quit, SIGTERM or Ctrl-C. Exits 2 when there is no desktop session,
/// the config is invalid, or another tray or daemon serves the workspace.
pub fn run(ws: Workspace) -> ExitCode {
    // tao panics (and GTK may abort) without a display: look before touching either.
    if !sys::desktop_session_available() {
        let _ = writeln!(std::io::stderr(), "{NO_DISPLAY}");
        return ExitCode::from(EXIT_USAGE);
    }
    let host = match Host::open(ws, "tray") {
        Ok(host) => host,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "synctray: {e}");
            notify::desktop().notify(notify::Note::NotStarted(e.to_string()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let Some(mut event_loop) = new_event_loop() else {
        let _ = writeln!(std::io::stderr(), "{NO_DISPLAY}");
        return ExitCode::from(EXIT_USAGE);
    };
    sys::tray::prepare_event_loop(&mut event_loop);
    let ws = host.ws.clone();
    tracing::info!("synctray tray for {} ({})", ws.root.display(), ws.source);

    let proxy = event_loop.create_proxy();
    let menu_proxy = proxy.clone();
    MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
        let _ = menu_proxy.send_event(UserEvent::Menu(e.id));
    }));
    // Nothing reads the icon's own click events (the menu is the whole UI); without a
    // handler they would pile up in tray-icon's channel.
    TrayIconEvent::set_event_handler(Some(|_| {}));

    // Until the engine's first snapshot, show what the files say.
    let first = Snapshot::read(&ws, Ok(&host.config), Utc::now());
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (stop, _) = watch::channel(Stop::Run);
    let engine_thread = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || engine_main(host, commands_rx, stop, proxy))
            .expect("a thread for the engine")
    };

    let mut gui = Gui::new(ws, first, commands, stop);
    let code = event_loop.run_return(|event, _, control_flow| {
        match event {
            Event::NewEvents(StartCause::Init) => gui.create_icon(),
            // The minute has turned (or a message's time is up): the same snapshot reads
            // differently now.
            Event::NewEvents(StartCause::ResumeTimeReached { .. }) => gui.refresh(),
            Event::UserEvent(UserEvent::Snapshot(snapshot)) => gui.show(*snapshot),
            Event::UserEvent(UserEvent::Recent(runs)) => gui.show_recent(runs),
            Event::UserEvent(UserEvent::Menu(id)) => gui.clicked(&id),
            Event::UserEvent(UserEvent::Exit) => {
                gui.tray = None;
                *control_flow = ControlFlow::Exit;
            }
            _ => {}
        }
        // Set for every event, so that none cancels the wait for the next redraw; an
        // exit is final.
        if !matches!(control_flow, ControlFlow::ExitWithCode(_)) {
            *control_flow = ControlFlow::WaitUntil(gui.next_refresh);
        }
    });
    if code != 0 && !gui.quitting {
        // The display went away under us: stop the engine as Quit would.
        tracing::warn!("the desktop session ended; stopping");
        gui.quit();
    }
    drop(gui);
    match engine_thread.join() {
        Ok(()) if code == 0 => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(_) => {
            tracing::error!("the engine thread panicked");
            ExitCode::FAILURE
        }
    }
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

/// The engine thread: the host's scheduler (with its signals), and the snapshots sent
/// across the border.
fn engine_main(
    host: Host,
    commands: mpsc::UnboundedReceiver<Command>,
    stop: watch::Sender<Stop>,
    proxy: EventLoopProxy<UserEvent>,
) {
    /// Tells the event loop that the engine is gone, however this thread ends.
    struct ExitOnDrop(EventLoopProxy<UserEvent>);
    impl Drop for ExitOnDrop {
        fn drop(&mut self) {
            let _ = self.0.send_event(UserEvent::Exit);
        }
    }
    let exit = ExitOnDrop(proxy);
    // No minute snapshots: the GUI thread redraws "in 12 min" by itself, and the idle
    // engine sleeps until its next run.
    host.serve(notify::desktop(), commands, stop, |engine| {
        let mut snapshots = engine.subscribe();
        let ws = engine.ws.clone();
        let exit = &exit;
        async move {
            // The history is read here, off the GUI thread, when the last run changes.
            let mut runs_of = None;
            while snapshots.changed().await.is_ok() {
                let snapshot = snapshots.borrow_and_update().clone();
                if runs_of.as_ref() != Some(&snapshot.last) {
                    runs_of = Some(snapshot.last.clone());
                    let runs = crate::runs::recent(&ws, state::RECENT_RUNS);
                    if exit.0.send_event(UserEvent::Recent(runs)).is_err() {
                        break;
                    }
                }
                if exit
                    .0
                    .send_event(UserEvent::Snapshot(Box::new(snapshot)))
                    .is_err()
                {
                    break;
                }
            }
            // The event loop is gone; the scheduler still finishes its own way.
        }
    });
}

/// The GUI thread's side: the widgets, and what it last heard from the engine.
struct Gui {
    ws: Workspace,
    commands: mpsc::UnboundedSender<Command>,
    stop: watch::Sender<Stop>,
    icons: Icons,
    menu: TrayMenu,
    tray: Option<TrayIcon>,
    /// The icon shown now.
    icon: IconKind,
    snapshot: Snapshot,
    /// The last runs, newest first, for "Recent runs ▸".
    recent: Vec<Status>,
    /// Whether a snapshot came from the engine yet (before, the files' state is shown).
    started: bool,
    /// When the menu next reads differently without news from the engine: just after
    /// the next wall-clock minute, or when a message's time is up. The event loop waits
    /// until then.
    next_refresh: Instant,
    /// Wakes the event loop at `next_refresh` where tao would not.
    alarm: Alarm,
    /// Quit was chosen (or the session ended): the engine is draining.
    quitting: bool,
    /// Where tray-icon writes the icon PNGs the panel reads (Linux); removed on exit.
    icon_dir: Option<tempfile::TempDir>,
}

impl Gui {
    fn new(
        ws: Workspace,
        first: Snapshot,
        commands: mpsc::UnboundedSender<Command>,
        stop: watch::Sender<Stop>,
    ) -> Gui {
        let login = autostart::is_enabled(&ws.root);
        let name = workspace_name(&ws);
        let mut gui = Gui {
            ws,
            commands,
            stop,
            icons: Icons::load(),
            menu: TrayMenu::new(login, &name),
            tray: None,
            icon: IconKind::Ok,
            snapshot: first,
            recent: Vec::new(),
            started: false,
            next_refresh: Instant::now(),
            alarm: Alarm::new(),
            quitting: false,
            icon_dir: tempfile::Builder::new()
                .prefix("synctray-icons-")
                .tempdir()
                .ok(),
        };
        gui.render();
        gui
    }

    /// Creates the tray icon (at `StartCause::Init`, once the toolkit runs).
    fn create_icon(&mut self) {
        let Some(m) = self.menu.shown().cloned() else {
            return;
        };
        let mut builder = TrayIconBuilder::new()
            // Stable across starts, so that a desktop remembers the icon's settings.
            .with_id("synctray")
            .with_menu(Box::new(self.menu.menu.clone()))
            .with_icon(self.icons.get(m.icon))
            .with_tooltip(self.tooltip(&m))
            .with_menu_on_left_click(true);
        if let Some(dir) = &self.icon_dir {
            builder = builder.with_temp_dir_path(dir.path());
        }
        // tray-icon panics when the platform's tray library is missing
        // (libayatana-appindicator3 on Linux).
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build())) {
            Ok(Ok(tray)) => {
                self.tray = Some(tray);
                self.icon = m.icon;
                tracing::debug!("icon: {}", m.icon.name());
            }
            Ok(Err(e)) => self.fail(&format!("cannot show the tray icon: {e}")),
            Err(_) => self
                .fail("cannot show the tray icon (on Linux it needs libayatana-appindicator3-1)"),
        }
    }

    /// The tooltip, naming the workspace by its folder's name.
    fn tooltip(&self, m: &MenuState) -> String {
        state::named_tooltip(&workspace_name(&self.ws), m)
    }

    fn fail(&mut self, why: &str) {
        tracing::error!("{why}; stopping (`synctray --daemon` runs without a tray)");
        self.quit();
    }

    fn show(&mut self, snapshot: Snapshot) {
        self.snapshot = snapshot;
        self.started = true;
        self.refresh();
    }

    fn show_recent(&mut self, runs: Vec<Status>) {
        self.recent = runs;
        self.render();
    }

    /// Shows the last snapshot as of now: after a new one, and at each minute.
    fn refresh(&mut self) {
        self.render();
        // The entry may have been changed outside; a file read a minute is cheap.
        self.menu.set_login(autostart::is_enabled(&self.ws.root));
    }

    /// Shows the last snapshot, with relative times counted from now, and plans the
    /// next redraw.
    fn render(&mut self) {
        let now = Local::now();
        let message_hidden_at = self
            .snapshot
            .message
            .as_ref()
            .map(state::hidden_at)
            .filter(|at| *at > now);
        self.plan_refresh(now, message_hidden_at);
        let snapshot = &self.snapshot;
        let mut m = menu_state(snapshot, now);
        m.recent = state::recent_items(&self.recent, now);
        if !self.started {
            m.next_line = "Starting…".into();
        }
        // SIGTERM or Ctrl-C may have started the drain.
        self.quitting |= *self.stop.borrow() != Stop::Run;
        if self.quitting {
            // A waiting run stops at once: nothing to wait for.
            m.next_line = if snapshot
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
        if self.menu.shown() != Some(&m) {
            log_menu(&m);
        }
        self.menu.show(&m);
        if let Some(tray) = &self.tray {
            if m.icon != self.icon {
                tracing::debug!("icon: {}", m.icon.name());
                if let Err(e) = tray.set_icon(Some(self.icons.get(m.icon))) {
                    tracing::warn!("cannot change the tray icon: {e}");
                }
                self.icon = m.icon;
            }
            let _ = tray.set_tooltip(Some(self.tooltip(&m)));
        }
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
            Action::SyncNow => self.send(Command::SyncNow),
            Action::Interval(n) => self.send(Command::SetInterval(n)),
            Action::Custom => {}
            Action::Pause => self.send(Command::SetPaused(!self.snapshot.paused)),
            Action::Recent(i) => self.open_run_log(i),
            Action::OpenLogs => self.open_logs(),
            Action::StartAtLogin => self.toggle_login(),
            Action::Quit => self.quit(),
        }
        // The toolkit has toggled the clicked check item; the engine's next snapshot says
        // what really holds, and until then the checks show the last one.
        self.menu.sync_checks();
    }

    fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            tracing::warn!("{command:?} ignored: the scheduler has stopped");
        }
    }

    fn open_logs(&self) {
        let logs = &self.ws.logs;
        if let Err(e) = sys::create_dir(logs).and_then(|()| sys::open_folder(logs)) {
            tracing::warn!("cannot open {}: {e}", logs.display());
        }
    }

    /// Opens a recent run's log with the desktop's viewer for it.
    fn open_run_log(&self, i: usize) {
        let Some(path) = self
            .recent
            .get(i)
            .and_then(|run| crate::runs::log_path(&self.ws, run))
        else {
            return;
        };
        if !path.is_file() {
            tracing::warn!("{}: the run's log is gone", path.display());
            return;
        }
        if let Err(e) = sys::open_folder(&path) {
            tracing::warn!("cannot open {}: {e}", path.display());
        }
    }

    fn toggle_login(&self) {
        let root = &self.ws.root;
        let result = if autostart::is_enabled(root) {
            autostart::disable()
        } else {
            std::env::current_exe().and_then(|exe| autostart::enable(&exe, root))
        };
        let on = autostart::is_enabled(root);
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

    /// Quit: as SIGTERM. The first asks a run in progress to finish within the grace
    /// period; a second Quit stops it at once.
    fn quit(&mut self) {
        self.quitting = true;
        // A signal may have started the drain already: then this is the second stop.
        if let Stop::Drain(_) = host::escalate(&self.stop) {
            self.render();
        }
    }
}

/// The workspace's name as the tray shows it: its folder's name.
fn workspace_name(ws: &Workspace) -> String {
    ws.root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ws.root.display().to_string())
}

/// One debug line per change of the menu: what a user would read in it.
fn log_menu(m: &MenuState) {
    tracing::debug!(
        "menu: {} | {} | sync now {} | {} | paused {}{}",
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
