//! The tray's platform differences: the item on the panel ([`Item`]: its icon, tooltip and
//! menu), the size of its icons, what the event loop needs before it runs, and an alarm that
//! wakes the GUI thread at a given `Instant`, for `ControlFlow::WaitUntil`. The
//! start-at-login entry is in [`super::autostart`].
//!
//! # Platform specific behavior
//! - Linux: the item is a StatusNotifierItem of synctray's own, exported over D-Bus with its
//!   menu as `com.canonical.dbusmenu` (`tray/item_sni.rs`), and, while no
//!   StatusNotifierWatcher is on the session bus, a GTK status icon in the XEmbed tray
//!   (`tray/xembed.rs`). Windows, macOS (and the BSDs): tray-icon's icon
//!   (`tray/item_tray_icon.rs`).
//! - macOS: the icons are drawn at twice the pixels, and the tray is a menu-bar extra
//!   (no Dock icon, no application menu).
//! - The GTK platforms (`cfg(gtk)`, which the build script sets for Linux and the BSDs):
//!   tao does not wake for `WaitUntil` by itself; [`Alarm`] adds a GLib timeout that does
//!   (`tray/alarm_gtk.rs`). Elsewhere [`Alarm`] does nothing (`tray/alarm_none.rs`).

use std::sync::Arc;

use tao::event_loop::EventLoop;

#[cfg_attr(target_os = "linux", path = "tray/item_sni.rs")]
#[cfg_attr(not(target_os = "linux"), path = "tray/item_tray_icon.rs")]
mod item;
pub use item::Item;
#[cfg(target_os = "linux")]
#[path = "tray/xembed.rs"]
mod xembed;

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

/// Why the tray item cannot be shown.
#[derive(Debug)]
pub struct NoItem(pub String);

impl std::fmt::Display for NoItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

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
