//! A real, if invisible, desktop for the tray figures: an Xvfb display, a session bus
//! and trayer as the system tray. It is the desktop the tray tests use (`tests/support`).
//!
//! With no StatusNotifierWatcher on the bus, the tray shows a GTK status icon, which
//! trayer embeds: the tray app does the work it does on a real desktop. The bare-loop
//! baseline shows the same status icon.

#[path = "../../tests/support/mod.rs"]
pub mod support;

pub use support::desktop::Desktop;
