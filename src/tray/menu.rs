//! The tray's menu widgets: built for the workspaces served, then kept in step with each
//! one's [`MenuState`]. Clicks come back as [`Action`]s, named by the items' ids.
//!
//! With one workspace the menu is that workspace's: its name, its status lines and its
//! items, then Start at login and Quit. With several, each workspace is a line summing it
//! up (`dashboard: ✓ 14:30 · next 14:45`) that opens a submenu of its own lines and items,
//! then `Sync all now`, `Pause all`, `Start at login` and `Quit`.
//!
//! The widgets are not `Send`: everything here runs on the GUI thread.

use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuId, MenuItem, PredefinedMenuItem, Submenu,
};

use super::state::{MenuState, RECENT_RUNS, preset_label};
use crate::config::INTERVAL_PRESETS;
use crate::t;

/// A served workspace's id in the tray (its fleet id).
pub type WsId = u64;

/// "Until tomorrow 08:00": the time of day a pause for the night ends.
pub const MORNING: chrono::NaiveTime = chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("a time");

/// What a click on one workspace's item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsAction {
    SyncNow,
    Interval(u32),
    /// The "Custom: …" item: nothing to change, only the checks to restore.
    Custom,
    /// "Pause scheduled syncs ▸ Until I resume": `paused` (a check item; unchecking resumes).
    Pause,
    /// "Pause scheduled syncs ▸ For 1 hour".
    PauseHour,
    /// "Pause scheduled syncs ▸ Until tomorrow 08:00".
    PauseMorning,
    /// "Pause scheduled syncs ▸ Resume": ends either pause.
    Resume,
    /// A line of "Recent runs ▸", newest first from 0: open that run's log.
    Recent(usize),
    OpenLogs,
    /// "Edit configuration…": `sync.json` in the desktop's editor for it.
    EditConfig,
    /// "Open workspace folder".
    OpenFolder,
}

/// What a click asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ws(WsId, WsAction),
    SyncAll,
    PauseAll,
    StartAtLogin,
    Quit,
}

impl WsAction {
    fn name(self) -> String {
        match self {
            WsAction::SyncNow => "sync-now".into(),
            WsAction::Interval(n) => format!("interval-{n}"),
            WsAction::Custom => "interval-custom".into(),
            WsAction::Pause => "pause".into(),
            WsAction::PauseHour => "pause-hour".into(),
            WsAction::PauseMorning => "pause-morning".into(),
            WsAction::Resume => "resume".into(),
            WsAction::Recent(i) => format!("recent-{i}"),
            WsAction::OpenLogs => "open-logs".into(),
            WsAction::EditConfig => "edit-config".into(),
            WsAction::OpenFolder => "open-folder".into(),
        }
    }

    fn from_name(name: &str) -> Option<WsAction> {
        Some(match name {
            "sync-now" => WsAction::SyncNow,
            "interval-custom" => WsAction::Custom,
            "pause" => WsAction::Pause,
            "pause-hour" => WsAction::PauseHour,
            "pause-morning" => WsAction::PauseMorning,
            "resume" => WsAction::Resume,
            "open-logs" => WsAction::OpenLogs,
            "edit-config" => WsAction::EditConfig,
            "open-folder" => WsAction::OpenFolder,
            _ if name.starts_with("recent-") => {
                WsAction::Recent(name["recent-".len()..].parse().ok()?)
            }
            _ => WsAction::Interval(name.strip_prefix("interval-")?.parse().ok()?),
        })
    }
}

impl Action {
    fn id(self) -> String {
        match self {
            Action::Ws(ws, action) => format!("{ws}:{}", action.name()),
            Action::SyncAll => "sync-all".into(),
            Action::PauseAll => "pause-all".into(),
            Action::StartAtLogin => "start-at-login".into(),
            Action::Quit => "quit".into(),
        }
    }

    /// The action of a clicked item.
    pub fn from_id(id: &MenuId) -> Option<Action> {
        let id = id.as_ref();
        Some(match id {
            "sync-all" => Action::SyncAll,
            "pause-all" => Action::PauseAll,
            "start-at-login" => Action::StartAtLogin,
            "quit" => Action::Quit,
            _ => {
                let (ws, name) = id.split_once(':')?;
                Action::Ws(ws.parse().ok()?, WsAction::from_name(name)?)
            }
        })
    }
}

/// Menu texts go through the toolkits' mnemonic parsing, where `&` marks an access key.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

/// Where a workspace's items are: the menu itself, or the workspace's submenu.
enum Parent {
    Root(Menu),
    Sub(Submenu),
}

impl Parent {
    fn append(&self, item: &dyn IsMenuItem) {
        let _ = match self {
            Parent::Root(menu) => menu.append(item),
            Parent::Sub(sub) => sub.append(item),
        };
    }

    fn insert(&self, item: &dyn IsMenuItem, position: usize) {
        let _ = match self {
            Parent::Root(menu) => menu.insert(item, position),
            Parent::Sub(sub) => sub.insert(item, position),
        };
    }

    fn remove(&self, item: &dyn IsMenuItem) {
        let _ = match self {
            Parent::Root(menu) => menu.remove(item),
            Parent::Sub(sub) => sub.remove(item),
        };
    }
}

/// One workspace's widgets: its status lines, a notice line when there is one, Sync now,
/// Change interval, Pause, Recent runs, Open logs, Edit configuration…, Open workspace
/// folder.
struct WsMenu {
    parent: Parent,
    /// Where the notice line goes: just under the first status line.
    notice_at: usize,
    last: MenuItem,
    next: MenuItem,
    /// The notice's lines (a long one takes two).
    notice: [MenuItem; 2],
    sync_now: MenuItem,
    presets: Vec<(u32, CheckMenuItem)>,
    interval: Submenu,
    custom: CheckMenuItem,
    /// "Pause scheduled syncs ▸": For 1 hour, Until tomorrow 08:00, Until I resume (`pause`,
    /// checked while paused until resumed), Resume (enabled while paused).
    pause_menu: Submenu,
    pause: CheckMenuItem,
    resume: MenuItem,
    /// "Recent runs ▸": its lines, made once, of which the first `recent_count` are in
    /// the submenu (none: the "No runs yet" line is).
    recent: Submenu,
    recent_lines: Vec<MenuItem>,
    no_runs: MenuItem,
    recent_count: usize,
    shown: Option<MenuState>,
}

impl WsMenu {
    /// The widgets of workspace `ws`, appended to `parent` (after `before` items there).
    fn new(ws: WsId, parent: Parent, before: usize) -> WsMenu {
        let action = |a: WsAction| Action::Ws(ws, a).id();
        let item = |a: WsAction, text: &str| MenuItem::with_id(action(a), label(text), true, None);
        let check = |a: WsAction, text: &str, checked| {
            CheckMenuItem::with_id(action(a), label(text), true, checked, None)
        };
        let presets: Vec<_> = INTERVAL_PRESETS
            .iter()
            .map(|&n| (n, check(WsAction::Interval(n), &preset_label(n), false)))
            .collect();
        let interval = Submenu::new(label(&t!(CHANGE_INTERVAL)), true);
        for (_, preset) in &presets {
            interval.append(preset).expect("a menu item appends");
        }
        let pause_menu = Submenu::new(label(&t!(PAUSE_SCHEDULED)), true);
        let pause = check(WsAction::Pause, &t!(PAUSE_UNTIL_RESUMED), false);
        let resume = item(WsAction::Resume, &t!(RESUME));
        resume.set_enabled(false);
        let morning = crate::i18n::time(MORNING, false);
        let pause_items: [&dyn IsMenuItem; 5] = [
            &item(WsAction::PauseHour, &t!(PAUSE_FOR_AN_HOUR)),
            &item(
                WsAction::PauseMorning,
                &t!(PAUSE_UNTIL_TOMORROW, time = morning),
            ),
            &pause,
            &PredefinedMenuItem::separator(),
            &resume,
        ];
        for entry in pause_items {
            pause_menu.append(entry).expect("a menu item appends");
        }
        let recent = Submenu::new(label(&t!(RECENT_RUNS)), true);
        let no_runs = MenuItem::new(label(&t!(NO_RUNS_YET)), false, None);
        recent.append(&no_runs).expect("a menu item appends");
        let menu = WsMenu {
            parent,
            notice_at: before + 1,
            last: MenuItem::new(label(&t!(NEVER_SYNCED)), false, None),
            next: MenuItem::new(label(&t!(STARTING)), false, None),
            notice: [
                MenuItem::new("", false, None),
                MenuItem::new("", false, None),
            ],
            sync_now: item(WsAction::SyncNow, &t!(SYNC_NOW)),
            presets,
            interval,
            custom: check(WsAction::Custom, &t!(CUSTOM), true),
            pause_menu,
            pause,
            resume,
            recent,
            recent_lines: (0..RECENT_RUNS)
                .map(|i| item(WsAction::Recent(i), ""))
                .collect(),
            no_runs,
            recent_count: 0,
            shown: None,
        };
        let items: [&dyn IsMenuItem; 10] = [
            &menu.last,
            &menu.next,
            &PredefinedMenuItem::separator(),
            &menu.sync_now,
            &menu.interval,
            &menu.pause_menu,
            &menu.recent,
            &item(WsAction::OpenLogs, &t!(OPEN_LOGS)),
            &item(WsAction::EditConfig, &t!(EDIT_CONFIG)),
            &item(WsAction::OpenFolder, &t!(OPEN_FOLDER)),
        ];
        for item in items {
            menu.parent.append(item);
        }
        menu
    }

    /// Makes the widgets show `m`, touching only what changed.
    fn show(&mut self, m: &MenuState) {
        let old = self.shown.take();
        if old.as_ref().is_none_or(|o| o.last_line != m.last_line) {
            self.last.set_text(label(&m.last_line));
        }
        if old.as_ref().is_none_or(|o| o.next_line != m.next_line) {
            self.next.set_text(label(&m.next_line));
        }
        if old.as_ref().is_none_or(|o| o.notice != m.notice) {
            let lines = |n: Option<&String>| n.map_or(0, |t| t.lines().count().min(2));
            let was = lines(old.as_ref().and_then(|o| o.notice.as_ref()));
            let now = lines(m.notice.as_ref());
            for item in self.notice.iter().take(was).skip(now) {
                self.parent.remove(item);
            }
            let texts = m.notice.iter().flat_map(|t| t.lines());
            for (i, (item, text)) in self.notice.iter().zip(texts).enumerate() {
                item.set_text(label(text));
                if i >= was {
                    self.parent.insert(item, self.notice_at + i);
                }
            }
        }
        if old
            .as_ref()
            .is_none_or(|o| o.sync_now_enabled != m.sync_now_enabled)
        {
            self.sync_now.set_enabled(m.sync_now_enabled);
        }
        if old.as_ref().is_none_or(|o| o.custom != m.custom) {
            let was_shown = old.as_ref().is_some_and(|o| o.custom.is_some());
            match &m.custom {
                Some(text) => {
                    self.custom.set_text(label(text));
                    if !was_shown {
                        let _ = self.interval.append(&self.custom);
                    }
                }
                None if was_shown => {
                    let _ = self.interval.remove(&self.custom);
                }
                None => {}
            }
        }
        if old.as_ref().is_none_or(|o| o.recent != m.recent) {
            self.show_recent(m);
        }
        self.shown = Some(m.clone());
        self.sync_checks();
    }

    /// Fills "Recent runs ▸", adding or removing lines when their number changes.
    fn show_recent(&mut self, m: &MenuState) {
        let n = m.recent.len().min(self.recent_lines.len());
        if n != self.recent_count {
            if self.recent_count == 0 {
                let _ = self.recent.remove(&self.no_runs);
            }
            for line in &self.recent_lines[..self.recent_count] {
                let _ = self.recent.remove(line);
            }
            for line in &self.recent_lines[..n] {
                let _ = self.recent.append(line);
            }
            if n == 0 {
                let _ = self.recent.append(&self.no_runs);
            }
            self.recent_count = n;
        }
        for (line, run) in self.recent_lines.iter().zip(&m.recent) {
            line.set_text(label(&run.label));
            line.set_enabled(run.has_log);
        }
    }

    /// Puts every check mark back as the state says.
    fn sync_checks(&self) {
        let Some(m) = &self.shown else { return };
        for (n, item) in &self.presets {
            set_checked(item, m.interval_checked == Some(*n));
        }
        set_checked(&self.custom, m.custom.is_some());
        set_checked(&self.pause, m.paused && m.paused_until.is_none());
        self.resume.set_enabled(m.paused);
    }
}

/// The tray's menu: each workspace's widgets, then the items for all of them.
pub struct TrayMenu {
    pub menu: Menu,
    workspaces: Vec<(WsId, WsMenu)>,
    /// With several workspaces, the line that sums each up and opens its submenu, and
    /// what it says.
    summaries: Vec<(WsId, Submenu, String)>,
    login: CheckMenuItem,
    pause_all: Option<CheckMenuItem>,
}

impl TrayMenu {
    /// The menu for `workspaces` (id and name), with "Start at login" checked as `login`.
    pub fn new(login: bool, workspaces: &[(WsId, String)]) -> TrayMenu {
        let menu = Menu::new();
        let login = CheckMenuItem::with_id(
            Action::StartAtLogin.id(),
            label(&t!(START_AT_LOGIN)),
            true,
            login,
            None,
        );
        let quit = MenuItem::with_id(Action::Quit.id(), label(&t!(QUIT)), true, None);
        let mut tray = TrayMenu {
            menu: menu.clone(),
            workspaces: Vec::new(),
            summaries: Vec::new(),
            login,
            pause_all: None,
        };
        if let [(id, name)] = workspaces {
            // The workspace's name first, so that two trays can be told apart.
            let title = MenuItem::new(label(&super::state::title(name)), false, None);
            menu.append(&title).expect("a menu item appends");
            let ws = WsMenu::new(*id, Parent::Root(menu.clone()), 1);
            tray.workspaces.push((*id, ws));
        } else {
            for (id, name) in workspaces {
                let sub = Submenu::new(
                    label(&super::state::elide_middle(name, super::state::LABEL_CHARS)),
                    true,
                );
                menu.append(&sub).expect("a menu item appends");
                let ws = WsMenu::new(*id, Parent::Sub(sub.clone()), 0);
                tray.workspaces.push((*id, ws));
                tray.summaries.push((*id, sub, name.clone()));
            }
            let pause_all = CheckMenuItem::with_id(
                Action::PauseAll.id(),
                label(&t!(PAUSE_ALL)),
                true,
                false,
                None,
            );
            let items: [&dyn IsMenuItem; 3] = [
                &PredefinedMenuItem::separator(),
                &MenuItem::with_id(Action::SyncAll.id(), label(&t!(SYNC_ALL)), true, None),
                &pause_all,
            ];
            menu.append_items(&items).expect("menu items append");
            tray.pause_all = Some(pause_all);
        }
        let items: [&dyn IsMenuItem; 3] = [&tray.login, &PredefinedMenuItem::separator(), &quit];
        menu.append_items(&items).expect("menu items append");
        tray
    }

    /// Makes workspace `ws`'s widgets show `m`; with several workspaces, its line says
    /// `summary`.
    pub fn show(&mut self, ws: WsId, m: &MenuState, summary: &str) {
        if let Some((_, menu)) = self.workspaces.iter_mut().find(|(id, _)| *id == ws) {
            menu.show(m);
        }
        if let Some(index) = self.summaries.iter().position(|(id, ..)| *id == ws)
            && self.summaries[index].2 != summary
        {
            let (_, sub, said) = &mut self.summaries[index];
            // A submenu's new label does not reach the exported menu (libdbusmenu-gtk
            // follows the labels of plain items only): the line is put back in its place
            // with the new label, as a new item.
            let _ = self.menu.remove(sub);
            sub.set_text(label(summary));
            let _ = self.menu.insert(sub, index);
            *said = summary.to_owned();
        }
    }

    /// Puts every check mark back as the states say. The toolkit toggles a check item
    /// itself when it is clicked, before the engine has said what happened.
    pub fn sync_checks(&self, all_paused: bool) {
        for (_, ws) in &self.workspaces {
            ws.sync_checks();
        }
        if let Some(pause_all) = &self.pause_all {
            set_checked(pause_all, all_paused);
        }
    }

    pub fn set_login(&self, on: bool) {
        set_checked(&self.login, on);
    }

    /// The state last shown for workspace `ws`.
    pub fn shown(&self, ws: WsId) -> Option<&MenuState> {
        self.workspaces
            .iter()
            .find(|(id, _)| *id == ws)
            .and_then(|(_, menu)| menu.shown.as_ref())
    }
}

fn set_checked(item: &CheckMenuItem, on: bool) {
    if item.is_checked() != on {
        item.set_checked(on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_item_id() {
        let mut ws_actions = vec![
            WsAction::SyncNow,
            WsAction::Custom,
            WsAction::Pause,
            WsAction::PauseHour,
            WsAction::PauseMorning,
            WsAction::Resume,
            WsAction::OpenLogs,
            WsAction::EditConfig,
            WsAction::OpenFolder,
        ];
        ws_actions.extend((0..RECENT_RUNS).map(WsAction::Recent));
        ws_actions.extend(INTERVAL_PRESETS.iter().map(|&n| WsAction::Interval(n)));
        let mut actions: Vec<Action> = ws_actions
            .into_iter()
            .flat_map(|a| [Action::Ws(0, a), Action::Ws(12, a)])
            .collect();
        actions.extend([
            Action::SyncAll,
            Action::PauseAll,
            Action::StartAtLogin,
            Action::Quit,
        ]);
        for action in actions {
            assert_eq!(Action::from_id(&MenuId::new(action.id())), Some(action));
        }
        assert_eq!(Action::from_id(&MenuId::new("0:interval-x")), None);
        assert_eq!(Action::from_id(&MenuId::new("0:recent-x")), None);
        assert_eq!(Action::from_id(&MenuId::new("x:sync-now")), None);
        assert_eq!(Action::from_id(&MenuId::new("something")), None);
    }

    #[test]
    fn ampersands_are_not_access_keys() {
        assert_eq!(label("tokens & quality"), "tokens && quality");
    }
}
