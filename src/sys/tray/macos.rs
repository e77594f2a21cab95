//! The tray on macOS: a menu-bar extra (no Dock icon, no application menu), drawn at twice
//! the pixels; the system draws it and tao arms its own timers.

use tao::event_loop::EventLoop;

/// Nothing to arm: tao wakes for `ControlFlow::WaitUntil` by itself here.
#[derive(Debug, Default)]
pub struct Alarm;

impl Alarm {
    pub fn new() -> Alarm {
        Alarm
    }

    pub fn set(&mut self, _at: std::time::Instant) {}
}

/// Whether the tray uses its large (64 px) icons: yes; macOS draws the menu bar at twice
/// the pixels on every Mac sold today.
pub const LARGE_ICONS: bool = true;

/// Readies the event loop before it runs: on macOS the tray is a menu-bar extra, with no
/// Dock icon and no application menu.
pub fn prepare_event_loop<T: 'static>(event_loop: &mut EventLoop<T>) {
    use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
    event_loop.set_activation_policy(ActivationPolicy::Accessory);
}

/// Whether the toolkit can start: the system's own, always there.
pub fn toolkit_starts() -> bool {
    true
}

/// Calls `handler` when the display connection is lost: nothing to hook on this platform
/// (the system's session end arrives as a signal or a session message).
pub fn on_display_lost(_handler: impl Fn() + Send + Sync + 'static) {}
