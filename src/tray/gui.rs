//! The GUI thread's side of the tray: what it knows of each workspace ([`View`]), and
//! [`Gui`], which owns the icon and the menu, redraws them from the engines' snapshots and
//! turns clicks into [`Command`]s. Everything here runs on the event loop's thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use tokio::sync::{mpsc, watch};
use tray_icon::menu::MenuId;

use crate::engine::Command;
use crate::fleet::{self, Fleet, Waiting};
use crate::host;
use crate::i18n;
use crate::lock::Holder;
use crate::notify::{self, Note, NoteAction, Notifier};
use crate::snapshot::Snapshot;
use crate::status::RunRecord;
use crate::sys;
use crate::sys::autostart::{self, Starts};
use crate::sys::tray::{Alarm, Face, Item};
use crate::t;
use crate::workspace::Workspace;

use super::icons::Icons;
use super::menu::{Action, TrayMenu, WsAction, WsId};
use super::state::{self, IconKind, MenuState, menu_state, until_next_minute};
use super::{NewCommands, Stop};

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
    recent: Vec<RunRecord>,
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
        m.recent = state::recent_items(&self.recent, now, &snapshot.cadence);
        if !self.started {
            m.next_line = t!(STARTING);
        }
        match &self.mode {
            Mode::Served => {}
            Mode::Unserved => {
                m.next_line = t!(NOT_SYNCING_UNTIL_FIXED);
                m.sync_now_enabled = false;
            }
            Mode::Elsewhere(holder) => {
                if snapshot.running.is_none() {
                    m.next_line = match holder.pid {
                        Some(pid) => t!(SERVED_ELSEWHERE_PID, pid = pid),
                        None => t!(SERVED_ELSEWHERE),
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
                t!(QUITTING_STOPPING_SYNC)
            } else {
                t!(QUITTING)
            };
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
pub(super) struct Gui {
    views: Vec<View>,
    pub(super) fleet: Fleet,
    new_commands: NewCommands,
    /// The workspace list followed, if the tray serves it.
    list: Option<PathBuf>,
    stop: watch::Sender<Stop>,
    icons: Icons,
    menu: TrayMenu,
    /// The item on the panel: the icon, its tooltip and the menu.
    pub(super) item: Item,
    /// The icon shown now.
    icon: IconKind,
    /// The workspaces whose thread has ended.
    gone: std::collections::HashSet<WsId>,
    /// When the menu next reads differently without news from the engines: just after
    /// the next wall-clock minute, or when a message's time is up. The event loop waits
    /// until then.
    pub(super) next_refresh: Instant,
    /// Wakes the event loop at `next_refresh` where tao would not.
    alarm: Alarm,
    /// Quit was chosen (or the session ended): the engines are draining.
    pub(super) quitting: bool,
    /// Tells the person what the tray itself could not do (open a file or folder).
    notes: Arc<dyn Notifier>,
    /// The workspaces the last "Pause all" paused: un-pausing resumes only these.
    paused_by_all: Vec<WsId>,
    /// How long a panel may take to show the item, from the event loop's start.
    pub(super) panel_grace: Duration,
    /// Until when a panel may still come to show the item: set at the start, gone once one
    /// shows it.
    panel_deadline: Option<Instant>,
    /// No panel showed the item in time: the tray stopped for that.
    pub(super) no_panel: bool,
}

impl Gui {
    pub(super) fn new(
        fleet: Fleet,
        new_commands: NewCommands,
        list: Option<PathBuf>,
        stop: watch::Sender<Stop>,
        item: Item,
    ) -> Gui {
        Gui {
            views: Vec::new(),
            fleet,
            new_commands,
            list,
            stop,
            icons: Icons::load(),
            menu: TrayMenu::new(false, &[]),
            item,
            icon: IconKind::Ok,
            gone: std::collections::HashSet::new(),
            next_refresh: Instant::now(),
            alarm: Alarm::new(),
            quitting: false,
            notes: Arc::from(notify::desktop()),
            paused_by_all: Vec::new(),
            panel_grace: Duration::ZERO,
            panel_deadline: None,
            no_panel: false,
        }
    }

    /// Serves exactly `wanted`: starts the new workspaces' threads, stops the removed
    /// ones', and rebuilds the menu when the set changed.
    pub(super) fn set_workspaces(&mut self, wanted: &[Workspace]) {
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
        self.item.set_menu(&self.menu.menu);
        self.render();
    }

    /// The list changed: serve what it holds now.
    pub(super) fn list_changed(&mut self) {
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

    /// Shows the item (at `StartCause::Init`, once the toolkit runs).
    pub(super) fn create_icon(&mut self) {
        if let Err(e) = self.item.start() {
            self.fail(&e.to_string());
        }
        tracing::debug!("icon: {}", self.icon.name());
        // A panel has until then to show the item (the event loop wakes to look).
        let deadline = Instant::now() + self.panel_grace;
        self.panel_deadline = Some(deadline);
        if deadline < self.next_refresh {
            self.next_refresh = deadline;
            self.alarm.set(deadline);
        }
    }

    /// Until a panel shows the item: whether one does yet. When none has at the end of the
    /// grace, says so (stderr and the desktop) and stops as Quit does. Call after each
    /// event.
    pub(super) fn check_panel(&mut self) {
        let Some(deadline) = self.panel_deadline else {
            return;
        };
        if self.item.shown() {
            self.panel_deadline = None;
            // The wake planned for the deadline is not needed any more.
            self.render();
            return;
        }
        if self.quitting || Instant::now() < deadline {
            return;
        }
        self.panel_deadline = None;
        let why = self.item.missing(self.panel_grace);
        tracing::error!("{why}; stopping");
        super::say_no_tray(&why);
        self.no_panel = true;
        self.quit();
    }

    /// The item's face: the worst state's icon; a tooltip titled with the workspace's name
    /// (or how many there are), one line per workspace, worst first, so that two trays (or
    /// two workspaces) can be told apart; attention while any is in error or stale.
    fn face(&self, shown: &[(&str, MenuState, String)]) -> Face {
        let icon = IconKind::worst(shown.iter().map(|(_, m, _)| m.icon)).unwrap_or(IconKind::Ok);
        let (title, text) = match shown {
            [(name, m, _)] => state::named_tooltip(name, m),
            shown => {
                let mut lines: Vec<_> = shown.iter().map(|(_, m, line)| (m.icon, line)).collect();
                lines.sort_by_key(|(icon, _)| std::cmp::Reverse(*icon));
                let text: Vec<&str> = lines.iter().map(|(_, line)| line.as_str()).collect();
                (
                    t!(TOOLTIP_TITLE_SEVERAL, count = shown.len()),
                    text.join("\n"),
                )
            }
        };
        Face {
            icon: self.icons.get(icon),
            title,
            text,
            attention: shown
                .iter()
                .any(|(_, m, _)| matches!(m.icon, IconKind::Error | IconKind::Stale)),
        }
    }

    fn fail(&mut self, why: &str) {
        tracing::error!("{why}; stopping (`synctray --daemon` runs without a tray)");
        self.quit();
    }

    pub(super) fn show(&mut self, id: WsId, snapshot: Snapshot) {
        if let Some(view) = self.view(id) {
            view.snapshot = snapshot;
            view.started = true;
            view.mode = Mode::Served;
        }
        self.refresh();
    }

    /// Workspace `id` is not served here (yet).
    pub(super) fn waiting(&mut self, id: WsId, waiting: Waiting) {
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

    pub(super) fn show_recent(&mut self, id: WsId, runs: Vec<RunRecord>) {
        if let Some(view) = self.view(id) {
            view.recent = runs;
        }
        self.render();
    }

    /// A workspace's thread has ended.
    pub(super) fn gone(&mut self, id: WsId) {
        if !self.quitting && self.views.iter().any(|v| v.id == id) {
            tracing::error!("a workspace's scheduler stopped by itself");
        }
        self.gone.insert(id);
    }

    /// Quitting, and every workspace's thread has said it is gone (its run recorded, its
    /// locks released): the event loop may end. Said by the threads themselves, since a
    /// thread that has just said so may not have finished yet, and no event would come to
    /// look again.
    pub(super) fn may_exit(&self) -> bool {
        self.quitting && self.fleet.ids().all(|id| self.gone.contains(&id))
    }

    /// A stop signal came: the engines are draining.
    pub(super) fn stopping(&mut self) {
        self.quitting = true;
        self.render();
    }

    /// Shows the last snapshots as of now: after a new one, and at each minute.
    pub(super) fn refresh(&mut self) {
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
        let mut shown = Vec::with_capacity(self.views.len());
        for view in &self.views {
            let m = view.menu_state(now, self.quitting);
            if self.menu.shown(view.id) != Some(&m) {
                // The log reads the same in every language.
                let english = i18n::in_english(|| view.menu_state(now, self.quitting));
                log_menu(&view.ws.name, &english);
            }
            let summary = state::summary(&view.ws.name, &view.snapshot, now);
            self.menu.show(view.id, &m, &summary);
            shown.push((view.ws.name.as_str(), m, summary));
        }
        let all_paused = !self.views.is_empty() && self.views.iter().all(|v| v.snapshot.paused);
        self.menu.sync_checks(all_paused);
        let icon = IconKind::worst(shown.iter().map(|(_, m, _)| m.icon)).unwrap_or(IconKind::Ok);
        if icon != self.icon {
            tracing::debug!("icon: {}", icon.name());
        }
        let face = self.face(&shown);
        self.item.show(&face);
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
        let mut target = Instant::now() + wait;
        // The end of the panel's grace, still to come, is looked at when it comes.
        if let Some(deadline) = self.panel_deadline.filter(|d| *d > Instant::now()) {
            target = target.min(deadline);
        }
        let off = target
            .saturating_duration_since(self.next_refresh)
            .max(self.next_refresh.saturating_duration_since(target));
        if self.next_refresh <= Instant::now() || off > Duration::from_secs(1) {
            self.next_refresh = target;
            self.alarm.set(target);
        }
    }

    pub(super) fn clicked(&mut self, id: &MenuId) {
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
                let paused: Vec<(WsId, bool)> = self
                    .views
                    .iter()
                    .map(|v| (v.id, v.snapshot.paused))
                    .collect();
                for (id, pause) in state::pause_all(&paused, &mut self.paused_by_all) {
                    if let Some(view) = self.views.iter().find(|v| v.id == id) {
                        view.send(Command::SetPaused(pause));
                    }
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
            // The check item: checked while paused until resumed, and a click turns it over.
            WsAction::Pause => {
                let until_resumed = view.snapshot.paused && view.snapshot.paused_until.is_none();
                view.send(Command::SetPaused(!until_resumed));
            }
            WsAction::PauseHour => {
                view.send(Command::PauseUntil(
                    Utc::now() + chrono::TimeDelta::hours(1),
                ));
            }
            WsAction::PauseMorning => {
                view.send(Command::PauseUntil(tomorrow_morning(Local::now())))
            }
            WsAction::Resume => view.send(Command::SetPaused(false)),
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
    pub(super) fn note_action(&self, id: WsId, action: NoteAction) {
        tracing::debug!("notification action: {action:?}");
        let Some(view) = self.views.iter().find(|v| v.id == id) else {
            return;
        };
        match action {
            NoteAction::SyncNow => view.send(Command::SyncNow),
            NoteAction::PauseHour => {
                view.send(Command::PauseUntil(
                    Utc::now() + chrono::TimeDelta::hours(1),
                ));
            }
            NoteAction::ShowLog => {
                // The failed run's log: the newest failed run of the history.
                if let Some(path) = crate::runs::last_failed_log(&view.ws) {
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
                    sys::open_folder(&path).map_err(|e| Some(e.to_string()))
                } else {
                    Err(None)
                };
                if let Err(why) = result {
                    tracing::warn!(
                        "cannot open {}: {}",
                        path.display(),
                        why.as_deref().unwrap_or("it does not exist")
                    );
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
    pub(super) fn quit(&mut self) {
        self.quitting = true;
        // A signal may have started the drain already: then this is the second stop.
        let next = host::escalate(&self.stop);
        // With no panel to show it on, there is no Quit to choose again.
        if matches!(next, Stop::Drain(_)) && !self.no_panel {
            tracing::info!("choose Quit again to stop at once");
        }
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

/// "Until tomorrow 08:00": the next day's [`super::menu::MORNING`] in the local zone (the
/// first valid time after it on a night the clocks skip it).
fn tomorrow_morning(now: chrono::DateTime<Local>) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    let day = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    let mut at = day.and_time(super::menu::MORNING);
    loop {
        if let Some(t) = Local.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += chrono::TimeDelta::minutes(30);
    }
}
