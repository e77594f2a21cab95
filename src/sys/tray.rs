//! The tray's platform differences: the size of its icons, what the event loop needs
//! before it runs, and an alarm that wakes the GUI thread at a given `Instant`, for
//! `ControlFlow::WaitUntil`. The start-at-login entry is in [`super::autostart`].
//!
//! # Platform specific behavior
//! - macOS: the icons are drawn at twice the pixels, and the tray is a menu-bar extra
//!   (no Dock icon, no application menu).
//! - The GTK platforms (`cfg(gtk)`, which the build script sets for Linux and the BSDs):
//!   tao does not wake for `WaitUntil` by itself; [`Alarm`] adds a GLib timeout that does
//!   (`tray/alarm_gtk.rs`). Elsewhere [`Alarm`] does nothing (`tray/alarm_none.rs`).

use tao::event_loop::EventLoop;

#[cfg_attr(gtk, path = "tray/alarm_gtk.rs")]
#[cfg_attr(not(gtk), path = "tray/alarm_none.rs")]
mod alarm;
pub use alarm::Alarm;

/// Whether the tray uses its large (64 px) icons: macOS draws the menu bar at twice the
/// pixels on every Mac sold today; elsewhere the panel asks for 16 to 32 px and scales
/// the 32 px image best.
pub const LARGE_ICONS: bool = cfg!(target_os = "macos");

/// Readies the event loop before it runs: on macOS the tray is a menu-bar extra, with no
/// Dock icon and no application menu.
#[cfg(target_os = "macos")]
pub fn prepare_event_loop<T: 'static>(event_loop: &mut EventLoop<T>) {
    use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
    event_loop.set_activation_policy(ActivationPolicy::Accessory);
}

/// Readies the event loop before it runs: nothing to do here.
#[cfg(not(target_os = "macos"))]
pub fn prepare_event_loop<T: 'static>(_event_loop: &mut EventLoop<T>) {}
