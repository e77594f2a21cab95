//! The tray on the GTK platforms (Linux and the BSDs): the toolkit is asked whether it
//! can start, the indicator library is loaded first so that its absence has a name, a lost
//! X display is caught, and the alarm wakes the event loop.
//!
//! The alarm: on the GTK platforms tao 0.37 arms no timer for
//! `ControlFlow::WaitUntil`: it blocks in `gtk_main_iteration_do` until some GTK source
//! fires, so a `WaitUntil` deadline passes unnoticed while nothing else happens
//! (tauri-apps/tao#988). [`Alarm`] adds a one-shot GLib timeout to the main context: the
//! blocked iteration returns at the deadline, tao sees it has passed and sends
//! `StartCause::ResumeTimeReached`. The timeout's callback does nothing else.

use std::time::Instant;

use tao::event_loop::EventLoop;

use glib::{ControlFlow, MainContext, SourceId};

/// Wakes the event loop at the instant last [`set`](Alarm::set); one pending at a time.
#[derive(Debug, Default)]
pub struct Alarm {
    armed: Option<(Instant, SourceId)>,
}

impl Alarm {
    pub fn new() -> Alarm {
        Alarm::default()
    }

    /// Wakes the event loop at `at` (or at once if it has passed), in place of any
    /// earlier alarm. Call on the GUI thread.
    pub fn set(&mut self, at: Instant) {
        if self.armed.as_ref().is_some_and(|(armed, _)| *armed == at) {
            return;
        }
        self.cancel();
        // Rounded up, and a millisecond more: fired early, the iteration would return
        // before tao's deadline and tao would block again with no timer left.
        let ms = at
            .saturating_duration_since(Instant::now())
            .as_micros()
            .div_ceil(1000)
            + 1;
        let ms = u32::try_from(ms).unwrap_or(u32::MAX);
        let id = glib::timeout_add_local_full(
            std::time::Duration::from_millis(ms.into()),
            glib::Priority::DEFAULT,
            || ControlFlow::Break,
        );
        self.armed = Some((at, id));
    }

    /// Removes the pending timeout; one that fired is gone already (GLib does not
    /// reuse ids, so it is simply not found).
    fn cancel(&mut self) {
        if let Some((_, id)) = self.armed.take()
            && let Some(source) = MainContext::default().find_source_by_id(&id)
        {
            source.destroy();
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Whether the tray uses its large (64 px) icons: no; the panel asks for 16 to 32 px and
/// scales the 32 px image best.
pub const LARGE_ICONS: bool = false;

/// Readies the event loop before it runs: nothing to do here.
pub fn prepare_event_loop<T: 'static>(_event_loop: &mut EventLoop<T>) {}

/// Whether the toolkit can start: GTK opens the display (X11 or Wayland). tao panics
/// where it cannot; the tray asks GTK first rather than catching that panic (a second
/// `gtk::init` is a no-op). Call on the thread that runs the event loop.
pub fn toolkit_starts() -> bool {
    gtk::init().is_ok()
}

/// Calls `handler` once when the connection to the X display is lost (the session ended
/// under the tray: logout, the X server gone), then ends the process with status 0 when it
/// returns. The handler runs on the GUI thread and may block (it stops the engine and
/// waits for it): nothing else can happen on that thread any more, since Xlib ends the
/// process once its I/O error handler returns. Installed in place of GDK's own handler,
/// which ends the process at once, leaving the run unrecorded and the lock behind. Call
/// after the event loop (and so the display) is open.
///
/// On Wayland, when the compositor goes, GDK says so in a message (`Error reading events
/// from display: …`, `Error flushing display: …`, `Error N (…) dispatching to Wayland
/// display.`) and then ends the process with `_exit(1)`; the handler runs from that message
/// (GLib's log writer sees it first), before the `_exit`, and the process then ends with
/// status 0 as on X11.
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
    // GTK logs structured (its messages reach the writer function, not `g_log` handlers);
    // the writer is GLib's own for everything, after a look at what GDK says.
    glib::log_set_writer_func(|level, fields| {
        let field = |key: &str| {
            fields
                .iter()
                .find(|f| f.key() == key)
                .and_then(|f| f.value_str())
        };
        let lost_now = field("GLIB_DOMAIN") == Some("Gdk")
            && field("MESSAGE").is_some_and(wayland_connection_lost);
        let written = glib::log_writer_default(level, fields);
        if lost_now {
            // SAFETY: as for the X display; GDK would `_exit(1)` right after this.
            unsafe { lost(std::ptr::null_mut()) };
        }
        written
    });
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

/// Whether GDK's `message` says that the Wayland compositor's connection is gone (it ends
/// the process right after saying so).
fn wayland_connection_lost(message: &str) -> bool {
    message.starts_with("Error reading events from display")
        || message.starts_with("Error flushing display")
        || (message.starts_with("Error ") && message.ends_with("dispatching to Wayland display."))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Alarm, wayland_connection_lost};

    #[test]
    fn gdks_words_for_a_lost_compositor_are_recognised() {
        assert!(wayland_connection_lost(
            "Error reading events from display: Broken pipe"
        ));
        assert!(wayland_connection_lost(
            "Error flushing display: Broken pipe"
        ));
        assert!(wayland_connection_lost(
            "Error 32 (Broken pipe) dispatching to Wayland display."
        ));
        assert!(!wayland_connection_lost("Error loading an icon"));
    }

    /// One blocking iteration of the default main context, as `gtk_main_iteration_do`.
    fn iterate() {
        glib::MainContext::default().iteration(true);
    }

    #[test]
    fn a_blocked_main_loop_wakes_at_the_alarm_and_not_before() {
        let context = glib::MainContext::default();
        let _owner = context.acquire().expect("the default main context is free");
        let mut alarm = Alarm::new();
        let start = Instant::now();
        // Moved before it fires: only the later one wakes the loop.
        alarm.set(start + Duration::from_millis(30));
        alarm.set(start + Duration::from_millis(120));
        iterate();
        let woke = Instant::now();
        assert!(
            woke >= start + Duration::from_millis(120),
            "{:?}",
            woke - start
        );
        assert!(woke < start + Duration::from_secs(5), "{:?}", woke - start);
        // A fired alarm is gone; setting another after it works the same.
        alarm.set(woke + Duration::from_millis(40));
        iterate();
        assert!(Instant::now() >= woke + Duration::from_millis(40));
    }
}
