//! The tray on Windows (and any other system that is neither GTK nor macOS): the system
//! draws the icon and tao arms its own timers, so there is nothing to prepare, check or
//! hook.

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

/// Whether the tray uses its large (64 px) icons: no; the taskbar asks for 16 to 32 px
/// and scales the 32 px image best.
pub const LARGE_ICONS: bool = false;

/// Readies the event loop before it runs: nothing to do here.
pub fn prepare_event_loop<T: 'static>(_event_loop: &mut EventLoop<T>) {}

/// Whether the toolkit can start: the system's own, always there.
pub fn toolkit_starts() -> bool {
    true
}

/// Calls `handler` when the display connection is lost: nothing to hook on this platform
/// (the system's session end arrives as a signal or a session message).
pub fn on_display_lost(_handler: impl Fn() + Send + Sync + 'static) {}
