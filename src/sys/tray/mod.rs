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

/// Gives the tray one malloc arena (glibc), unless `MALLOC_ARENA_MAX` says otherwise.
/// glibc gives each thread that allocates an arena of its own, and each of the tray's
/// threads (GTK's, the engine's, the file watcher's) would keep one, mostly empty, for
/// the process's life; they allocate little, and seldom at once. Measured under Xvfb:
/// 0.25–0.45 MiB less PSS at rest. Call it first thing, before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn one_malloc_arena() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: a glibc setting, changed before any other thread exists.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
    }
}

/// Gives the tray one malloc arena: only glibc has (and needs) the setting.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_malloc_arena() {}

/// Whether the toolkit can start: GTK opens the display (X11 or Wayland). tao panics
/// where it cannot; the tray asks GTK first rather than catching that panic (a second
/// `gtk::init` is a no-op). Call on the thread that runs the event loop.
#[cfg(gtk)]
pub fn toolkit_starts() -> bool {
    gtk::init().is_ok()
}

/// Whether the toolkit can start: the system's own, always there.
#[cfg(not(gtk))]
pub fn toolkit_starts() -> bool {
    true
}

/// The library the tray icon needs and cannot load, if one is missing. tray-icon loads
/// libayatana-appindicator3 (or the older libappindicator3) with `dlopen` when the first
/// icon is built, and panics when neither loads; the tray loads it first (the same names,
/// in tray-icon's order), so that a missing library is an error that names its package.
#[cfg(gtk)]
pub fn missing_tray_library() -> Option<&'static str> {
    const NAMES: [&std::ffi::CStr; 4] = [
        c"libayatana-appindicator3.so.1",
        c"libappindicator3.so.1",
        c"libayatana-appindicator3.so",
        c"libappindicator3.so",
    ];
    // SAFETY: dlopen with NUL-terminated names; a library loaded here stays loaded, as
    // tray-icon keeps it once it loads it too.
    let loaded = NAMES
        .iter()
        .any(|name| !unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_LAZY) }.is_null());
    (!loaded).then_some("libayatana-appindicator3-1")
}

/// The library the tray icon needs and cannot load: none here (the system draws it).
#[cfg(not(gtk))]
pub fn missing_tray_library() -> Option<&'static str> {
    None
}

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

/// Calls `handler` once when the connection to the X display is lost (the session ended
/// under the tray: logout, the X server gone), then ends the process with status 0 when it
/// returns. The handler runs on the GUI thread and may block (it stops the engine and
/// waits for it): nothing else can happen on that thread any more, since Xlib ends the
/// process once its I/O error handler returns. Installed in place of GDK's own handler,
/// which ends the process at once, leaving the run unrecorded and the lock behind. Call
/// after the event loop (and so the display) is open.
///
/// Without an X display (a Wayland session) there is nothing to hook: GDK ends the process
/// itself when the compositor goes, and the session manager's SIGTERM is what gives the run
/// its grace.
#[cfg(gtk)]
pub fn on_display_lost(handler: impl Fn() + Send + Sync + 'static) {
    use std::ffi::{c_int, c_void};
    use std::sync::OnceLock;

    type IoErrorHandler = unsafe extern "C" fn(*mut c_void) -> c_int;
    type SetIoErrorHandler = unsafe extern "C" fn(Option<IoErrorHandler>) -> Option<IoErrorHandler>;
    static HANDLER: OnceLock<Box<dyn Fn() + Send + Sync>> = OnceLock::new();

    unsafe extern "C" fn lost(_display: *mut c_void) -> c_int {
        if let Some(handler) = HANDLER.get() {
            handler();
        }
        // Not `exit`: the display is gone, and GTK's exit handlers would talk to it.
        // SAFETY: ends the process; everything worth keeping was written by the handler.
        unsafe { libc::_exit(0) }
    }

    if HANDLER.set(Box::new(handler)).is_err() {
        return;
    }
    // libX11 is in the process already when GDK runs on X11 (it links it); it is looked
    // up rather than linked so that a Wayland-only session needs no X library.
    // SAFETY: dlsym with a NUL-terminated name; the pointer, when found, is Xlib's
    // `XSetIOErrorHandler`, whose signature is the one declared above.
    unsafe {
        let symbol = libc::dlsym(libc::RTLD_DEFAULT, c"XSetIOErrorHandler".as_ptr());
        if symbol.is_null() {
            return;
        }
        let set: SetIoErrorHandler = std::mem::transmute(symbol);
        set(Some(lost));
    }
}

/// Calls `handler` when the display connection is lost: nothing to hook on this platform
/// (the system's session end arrives as a signal or a session message).
#[cfg(not(gtk))]
pub fn on_display_lost(_handler: impl Fn() + Send + Sync + 'static) {}
