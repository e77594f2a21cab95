//! The tray's platform differences: the size of its icons, what the event loop needs
//! before it runs, whether the toolkit and the indicator library are there, what happens
//! when the display goes, and an alarm that wakes the GUI thread at a given `Instant`, for
//! `ControlFlow::WaitUntil`. The start-at-login entry is in [`super::autostart`].
//!
//! # Platform specific behavior
//! - The GTK platforms (`gtk.rs`; `cfg(gtk)`, which the build script sets for Linux and
//!   the BSDs): tao does not wake for `WaitUntil` by itself; [`Alarm`] adds a GLib timeout
//!   that does. GTK is asked whether it can open the display, libayatana-appindicator3 is
//!   loaded first, and a lost X display lets the engine stop before the process ends.
//! - macOS (`macos.rs`): the icons are drawn at twice the pixels, and the tray is a
//!   menu-bar extra (no Dock icon, no application menu).
//! - Windows and the rest (`other.rs`): nothing to prepare, check or hook.
//! - glibc (`arena_glibc.rs`, else `arena_none.rs`): the tray keeps one malloc arena.

#[cfg_attr(gtk, path = "gtk.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(not(any(gtk, target_os = "macos")), path = "other.rs")]
mod imp;
pub use imp::{
    Alarm, LARGE_ICONS, missing_tray_library, on_display_lost, prepare_event_loop, toolkit_starts,
};

#[cfg_attr(all(target_os = "linux", target_env = "gnu"), path = "arena_glibc.rs")]
#[cfg_attr(
    not(all(target_os = "linux", target_env = "gnu")),
    path = "arena_none.rs"
)]
mod arena;
pub use arena::one_malloc_arena;
