//! Windows, macOS (and the BSDs): the tray item is tray-icon's icon, built when the event
//! loop starts. The tooltip is its title and body on two lines; the system has no attention
//! state for it, and no StatusNotifierWatcher to wait for.

use tray_icon::menu::Menu;
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use super::{Face, LARGE_ICONS, NoItem};

/// The tray's item on the panel.
pub struct Item {
    tray: Option<TrayIcon>,
    menu: Option<Menu>,
    face: Option<Face>,
}

/// The picture at the size this platform draws best.
fn icon(face: &Face) -> Option<Icon> {
    let pixels = face.icon.at_least(if LARGE_ICONS { 64 } else { 32 });
    Icon::from_rgba(pixels.rgba.clone(), pixels.size, pixels.size)
        .inspect_err(|e| tracing::warn!("cannot make the tray icon: {e}"))
        .ok()
}

fn tooltip(face: &Face) -> String {
    format!("{}\n{}", face.title, face.text)
        .trim_end()
        .to_owned()
}

impl Item {
    /// Nothing to connect to: the icon is built by [`Item::start`].
    pub fn new(_on_news: super::OnPanelNews) -> Result<Item, NoItem> {
        Ok(Item {
            tray: None,
            menu: None,
            face: None,
        })
    }

    /// Builds the icon (once the event loop runs).
    pub fn start(&mut self) -> Result<(), NoItem> {
        let mut builder = TrayIconBuilder::new()
            // Stable across starts, so that a desktop remembers the icon's settings.
            .with_id("synctray")
            .with_menu_on_left_click(true);
        if let Some(menu) = &self.menu {
            builder = builder.with_menu(Box::new(menu.clone()));
        }
        if let Some(face) = &self.face {
            builder = builder.with_tooltip(tooltip(face));
            if let Some(icon) = icon(face) {
                builder = builder.with_icon(icon);
            }
        }
        let tray = builder
            .build()
            .map_err(|e| NoItem(format!("cannot show the tray icon: {e}")))?;
        self.tray = Some(tray);
        Ok(())
    }

    pub fn set_menu(&mut self, menu: &Menu) {
        self.menu = Some(menu.clone());
        if let Some(tray) = &self.tray {
            tray.set_menu(Some(Box::new(menu.clone())));
        }
    }

    /// The widgets are the menu and the icon themselves: nothing to pass on.
    pub fn publish(&mut self) {}

    pub fn show(&mut self, face: &Face) {
        if let Some(tray) = &self.tray {
            let old = self.face.as_ref();
            if old.is_none_or(|old| old.icon.name != face.icon.name)
                && let Err(e) = tray.set_icon(icon(face))
            {
                tracing::warn!("cannot change the tray icon: {e}");
            }
            if old.is_none_or(|old| (&old.title, &old.text) != (&face.title, &face.text)) {
                let _ = tray.set_tooltip(Some(tooltip(face)));
            }
        }
        self.face = Some(face.clone());
    }

    /// No panel news here.
    pub fn panel_news(&mut self, _news: super::PanelNews) {}

    /// Takes the icon off the panel (the tray is ending).
    pub fn remove(&mut self) {
        self.tray = None;
    }

    /// Whether the item is on a panel: the system's tray is always there.
    pub fn shown(&self) -> bool {
        true
    }

    /// What keeps the item off the panel (never, here: see [`Item::shown`]).
    pub fn missing(&self, _waited: std::time::Duration) -> String {
        "the system tray did not take the icon".into()
    }
}
