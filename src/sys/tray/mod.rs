//! The tray's platform differences: the item on the panel ([`Item`]: its icon, tooltip and
//! menu), the size of its icons, what the event loop needs before it runs, whether the
//! toolkit is there, what happens when the display goes, and an alarm that wakes the GUI
//! thread at a given `Instant`, for `ControlFlow::WaitUntil`. The start-at-login entry is in
//! [`super::autostart`].
//!
//! # Platform specific behavior
//! - The item: on Linux a StatusNotifierItem of synctray's own, exported over D-Bus with its
//!   menu as `com.canonical.dbusmenu` (`item_sni.rs`), and, while no StatusNotifierWatcher
//!   is on the session bus, a GTK status icon in the XEmbed tray (`xembed.rs`). Elsewhere
//!   (Windows, macOS, the BSDs) tray-icon's icon (`item_tray_icon.rs`).
//! - The GTK platforms (`gtk.rs`; `cfg(gtk)`, which the build script sets for Linux and
//!   the BSDs): tao does not wake for `WaitUntil` by itself; [`Alarm`] adds a GLib timeout
//!   that does. GTK is asked whether it can open the display, and a lost X display lets the
//!   engine stop before the process ends.
//! - macOS (`macos.rs`): the icons are drawn at twice the pixels, and the tray is a
//!   menu-bar extra (no Dock icon, no application menu).
//! - Windows and the rest (`other.rs`): nothing to prepare, check or hook.
//! - glibc (`arena_glibc.rs`, else `arena_none.rs`): the tray keeps one malloc arena.

#[cfg_attr(gtk, path = "gtk.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(not(any(gtk, target_os = "macos")), path = "other.rs")]
mod imp;
pub use imp::{Alarm, LARGE_ICONS, on_display_lost, prepare_event_loop, toolkit_starts};

#[cfg_attr(target_os = "linux", path = "item_sni.rs")]
#[cfg_attr(not(target_os = "linux"), path = "item_tray_icon.rs")]
mod item;
pub use item::Item;
/// Public for the footprint bench, whose bare loop shows the same status icon.
#[cfg(target_os = "linux")]
pub mod xembed;

#[cfg_attr(all(target_os = "linux", target_env = "gnu"), path = "arena_glibc.rs")]
#[cfg_attr(
    not(all(target_os = "linux", target_env = "gnu")),
    path = "arena_none.rs"
)]
mod arena;
pub use arena::one_malloc_arena;

use std::sync::Arc;

/// An icon at the sizes a panel asks for, as square 8-bit RGBA, smallest first.
#[derive(Debug)]
pub struct Picture {
    /// Its name in the icon theme (`synctray-error`), used where the theme has it.
    pub name: &'static str,
    pub sizes: Vec<Pixels>,
}

/// One size of a [`Picture`].
#[derive(Debug)]
pub struct Pixels {
    /// Width and height.
    pub size: u32,
    /// `size * size` pixels, 4 bytes each: red, green, blue, alpha.
    pub rgba: Vec<u8>,
}

impl Picture {
    /// The smallest size at least `size` px, else the largest.
    pub fn at_least(&self, size: u32) -> &Pixels {
        self.sizes
            .iter()
            .find(|p| p.size >= size)
            .or(self.sizes.last())
            .expect("a picture has a size")
    }
}

/// What the item shows: its icon, its tooltip, and whether it asks for attention.
#[derive(Debug, Clone)]
pub struct Face {
    pub icon: Arc<Picture>,
    /// The tooltip's first line (`synctray — NAME`).
    pub title: String,
    /// The tooltip's body: the state in words, one line per workspace.
    pub text: String,
    /// A workspace is in error or stale: panels that hide quiet items show it.
    pub attention: bool,
}

impl PartialEq for Face {
    fn eq(&self, other: &Face) -> bool {
        self.icon.name == other.icon.name
            && self.title == other.title
            && self.text == other.text
            && self.attention == other.attention
    }
}

/// News of the panels, from the item to the event loop, which hands it back to
/// [`Item::panel_news`] on the GUI thread (and looks whether a panel shows the item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelNews {
    /// A StatusNotifierWatcher is on the session bus (`true`), or none is.
    Watcher(bool),
    /// An XEmbed tray took the icon (`true`), or let it go.
    Embedded(bool),
}

/// What the item calls with [`PanelNews`], from any thread.
pub type OnPanelNews = std::sync::Arc<dyn Fn(PanelNews) + Send + Sync>;

/// Why the tray item cannot be shown.
#[derive(Debug)]
pub struct NoItem(pub String);

impl std::fmt::Display for NoItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
