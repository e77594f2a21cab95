//! The tray's menu widgets: built once, then kept in step with a [`MenuState`]. Clicks
//! come back as [`Action`]s, named by the items' ids.
//!
//! The widgets are not `Send`: everything here runs on the GUI thread.

use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuId, MenuItem, PredefinedMenuItem, Submenu,
};

use super::state::{MenuState, RECENT_RUNS, preset_label};
use crate::config::INTERVAL_PRESETS;

/// What a click on an item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SyncNow,
    Interval(u32),
    /// The "Custom: …" item: nothing to change, only the checks to restore.
    Custom,
    Pause,
    /// A line of "Recent runs ▸", newest first from 0: open that run's log.
    Recent(usize),
    OpenLogs,
    /// "Edit configuration…": `sync.json` in the desktop's editor for it.
    EditConfig,
    /// "Open workspace folder".
    OpenFolder,
    StartAtLogin,
    Quit,
}

impl Action {
    fn id(self) -> String {
        match self {
            Action::SyncNow => "sync-now".into(),
            Action::Interval(n) => format!("interval-{n}"),
            Action::Custom => "interval-custom".into(),
            Action::Pause => "pause".into(),
            Action::Recent(i) => format!("recent-{i}"),
            Action::OpenLogs => "open-logs".into(),
            Action::EditConfig => "edit-config".into(),
            Action::OpenFolder => "open-folder".into(),
            Action::StartAtLogin => "start-at-login".into(),
            Action::Quit => "quit".into(),
        }
    }

    /// The action of a clicked item.
    pub fn from_id(id: &MenuId) -> Option<Action> {
        let id = id.as_ref();
        Some(match id {
            "sync-now" => Action::SyncNow,
            "interval-custom" => Action::Custom,
            "pause" => Action::Pause,
            "open-logs" => Action::OpenLogs,
            "edit-config" => Action::EditConfig,
            "open-folder" => Action::OpenFolder,
            "start-at-login" => Action::StartAtLogin,
            "quit" => Action::Quit,
            _ if id.starts_with("recent-") => Action::Recent(id["recent-".len()..].parse().ok()?),
            _ => Action::Interval(id.strip_prefix("interval-")?.parse().ok()?),
        })
    }
}

/// Menu texts go through the toolkits' mnemonic parsing, where `&` marks an access key.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

/// The menu (status lines, Sync now, Change interval, Pause, Recent runs, Open logs, Edit
/// configuration…, Open workspace folder, Start at login, Quit), plus a notice line (a bad config edit or the engine's
/// latest message) under the two status lines when there is one.
pub struct TrayMenu {
    pub menu: Menu,
    last: MenuItem,
    next: MenuItem,
    notice: MenuItem,
    sync_now: MenuItem,
    presets: Vec<(u32, CheckMenuItem)>,
    interval: Submenu,
    custom: CheckMenuItem,
    pause: CheckMenuItem,
    /// "Recent runs ▸": its lines, made once, of which the first `recent_count` are in
    /// the submenu (none: the "No runs yet" line is).
    recent: Submenu,
    recent_lines: Vec<MenuItem>,
    no_runs: MenuItem,
    recent_count: usize,
    login: CheckMenuItem,
    shown: Option<MenuState>,
}

impl TrayMenu {
    pub fn new(login: bool, name: &str) -> TrayMenu {
        let item = |action: Action, text: &str| MenuItem::with_id(action.id(), text, true, None);
        let check = |action: Action, text: &str, checked| {
            CheckMenuItem::with_id(action.id(), text, true, checked, None)
        };
        let presets: Vec<_> = INTERVAL_PRESETS
            .iter()
            .map(|&n| (n, check(Action::Interval(n), &preset_label(n), false)))
            .collect();
        let interval = Submenu::new("Change interval", true);
        for (_, preset) in &presets {
            interval.append(preset).expect("a menu item appends");
        }
        let recent = Submenu::new("Recent runs", true);
        let no_runs = MenuItem::new("No runs yet", false, None);
        recent.append(&no_runs).expect("a menu item appends");
        let tray = TrayMenu {
            menu: Menu::new(),
            last: MenuItem::new("Never synced", false, None),
            next: MenuItem::new("Starting…", false, None),
            notice: MenuItem::new("", false, None),
            sync_now: item(Action::SyncNow, "Sync now"),
            presets,
            interval,
            custom: check(Action::Custom, "Custom", true),
            pause: check(Action::Pause, "Pause scheduled syncs", false),
            recent,
            recent_lines: (0..RECENT_RUNS)
                .map(|i| item(Action::Recent(i), ""))
                .collect(),
            no_runs,
            recent_count: 0,
            login: check(Action::StartAtLogin, "Start at login", login),
            shown: None,
        };
        // The workspace's name first, so that two trays can be told apart.
        let title = MenuItem::new(format!("synctray — {name}"), false, None);
        let items: [&dyn IsMenuItem; 14] = [
            &title,
            &tray.last,
            &tray.next,
            &PredefinedMenuItem::separator(),
            &tray.sync_now,
            &tray.interval,
            &tray.pause,
            &tray.recent,
            &item(Action::OpenLogs, "Open logs"),
            &item(Action::EditConfig, "Edit configuration…"),
            &item(Action::OpenFolder, "Open workspace folder"),
            &tray.login,
            &PredefinedMenuItem::separator(),
            &item(Action::Quit, "Quit"),
        ];
        tray.menu.append_items(&items).expect("menu items append");
        tray
    }

    /// Makes the widgets show `m`, touching only what changed.
    pub fn show(&mut self, m: &MenuState) {
        let old = self.shown.take();
        if old.as_ref().is_none_or(|o| o.last_line != m.last_line) {
            self.last.set_text(label(&m.last_line));
        }
        if old.as_ref().is_none_or(|o| o.next_line != m.next_line) {
            self.next.set_text(label(&m.next_line));
        }
        if old.as_ref().is_none_or(|o| o.notice != m.notice) {
            let was_shown = old.as_ref().is_some_and(|o| o.notice.is_some());
            match &m.notice {
                Some(text) => {
                    self.notice.set_text(label(text));
                    if !was_shown {
                        let _ = self.menu.insert(&self.notice, 2);
                    }
                }
                None if was_shown => {
                    let _ = self.menu.remove(&self.notice);
                }
                None => {}
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

    /// Puts every check mark back as the state says. The toolkit toggles a check item
    /// itself when it is clicked, before the engine has said what happened.
    pub fn sync_checks(&self) {
        let Some(m) = &self.shown else { return };
        for (n, item) in &self.presets {
            set_checked(item, m.interval_checked == Some(*n));
        }
        set_checked(&self.custom, m.custom.is_some());
        set_checked(&self.pause, m.paused);
    }

    pub fn set_login(&self, on: bool) {
        set_checked(&self.login, on);
    }

    /// The state last shown.
    pub fn shown(&self) -> Option<&MenuState> {
        self.shown.as_ref()
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
        let mut actions = vec![
            Action::SyncNow,
            Action::Custom,
            Action::Pause,
            Action::OpenLogs,
            Action::EditConfig,
            Action::OpenFolder,
            Action::StartAtLogin,
            Action::Quit,
        ];
        actions.extend((0..RECENT_RUNS).map(Action::Recent));
        actions.extend(INTERVAL_PRESETS.iter().map(|&n| Action::Interval(n)));
        for action in actions {
            assert_eq!(Action::from_id(&MenuId::new(action.id())), Some(action));
        }
        assert_eq!(Action::from_id(&MenuId::new("interval-x")), None);
        assert_eq!(Action::from_id(&MenuId::new("recent-x")), None);
        assert_eq!(Action::from_id(&MenuId::new("something")), None);
    }

    #[test]
    fn ampersands_are_not_access_keys() {
        assert_eq!(label("tokens & quality"), "tokens && quality");
    }
}
