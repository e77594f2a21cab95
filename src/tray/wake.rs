//! An alarm that wakes the GUI thread at a given [`Instant`](std::time::Instant), for
//! `ControlFlow::WaitUntil`.
//!
//! On Windows and macOS tao arms a timer for `WaitUntil` itself. On Linux and the BSDs
//! (GTK) tao 0.37 does not: it blocks in `gtk_main_iteration_do` until some GTK source
//! fires, so a `WaitUntil` deadline passes unnoticed while nothing else happens
//! (tauri-apps/tao#988). There, [`Alarm`] adds a one-shot GLib timeout to the main
//! context: the blocked iteration returns at the deadline, tao sees it has passed and
//! sends `StartCause::ResumeTimeReached`. The timeout's callback does nothing else.
//!
//! GLib is linked already (tao, tray-icon and muda use GTK); these are its C functions,
//! declared here rather than through a `glib` dependency for three calls.

#[cfg(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
))]
pub use glib::Alarm;
#[cfg(not(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
)))]
pub use native::Alarm;

#[cfg(not(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
)))]
mod native {
    use std::time::Instant;

    /// Nothing to arm: tao wakes for `ControlFlow::WaitUntil` by itself here.
    #[derive(Debug, Default)]
    pub struct Alarm;

    impl Alarm {
        pub fn new() -> Alarm {
            Alarm
        }

        pub fn set(&mut self, _at: Instant) {}
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
))]
mod glib {
    use std::ffi::{c_int, c_uint, c_void};
    use std::time::Instant;

    /// Wakes the event loop at the instant last [`set`](Alarm::set); one pending at a time.
    #[derive(Debug, Default)]
    pub struct Alarm {
        armed: Option<Armed>,
    }

    impl Alarm {
        pub fn new() -> Alarm {
            Alarm::default()
        }

        /// Wakes the event loop at `at` (or at once if it has passed), in place of any
        /// earlier alarm. Call on the GUI thread.
        pub fn set(&mut self, at: Instant) {
            if self.armed.as_ref().is_some_and(|armed| armed.at == at) {
                return;
            }
            self.cancel();
            self.armed = Some(Armed::new(at));
        }

        fn cancel(&mut self) {
            if let Some(armed) = self.armed.take() {
                armed.cancel();
            }
        }
    }

    impl Drop for Alarm {
        fn drop(&mut self) {
            self.cancel();
        }
    }

    /// `G_PRIORITY_DEFAULT`.
    const PRIORITY_DEFAULT: c_int = 0;
    /// `G_SOURCE_REMOVE`: a callback's "do not call me again".
    const SOURCE_REMOVE: c_int = 0;

    type SourceFunc = unsafe extern "C" fn(data: *mut c_void) -> c_int;

    #[link(name = "glib-2.0")]
    unsafe extern "C" {
        fn g_timeout_add_full(
            priority: c_int,
            interval_ms: c_uint,
            function: SourceFunc,
            data: *mut c_void,
            notify: Option<unsafe extern "C" fn(data: *mut c_void)>,
        ) -> c_uint;
        fn g_main_context_find_source_by_id(context: *mut c_void, id: c_uint) -> *mut c_void;
        fn g_source_destroy(source: *mut c_void);
    }

    /// The timeout's callback: returning is all it is for (the wait it ends is tao's).
    extern "C" fn wake(_data: *mut c_void) -> c_int {
        SOURCE_REMOVE
    }

    /// A one-shot timeout source in the default main context.
    #[derive(Debug)]
    struct Armed {
        at: Instant,
        id: c_uint,
    }

    impl Armed {
        fn new(at: Instant) -> Armed {
            // Rounded up, and a millisecond more: fired early, the iteration would return
            // before tao's deadline and tao would block again with no timer left.
            let ms = at
                .saturating_duration_since(Instant::now())
                .as_micros()
                .div_ceil(1000)
                + 1;
            let ms = c_uint::try_from(ms).unwrap_or(c_uint::MAX);
            // SAFETY: a plain function and no data; GLib calls it on the thread that
            // iterates the default main context (the event loop's).
            let id = unsafe {
                g_timeout_add_full(PRIORITY_DEFAULT, ms, wake, std::ptr::null_mut(), None)
            };
            Armed { at, id }
        }

        /// Removes the timeout if it has not fired yet (a fired one is gone already, so
        /// its id is not found: GLib does not reuse ids).
        fn cancel(self) {
            // SAFETY: a null context is the default one; a source found there lives until
            // destroyed, and is destroyed on the thread that iterates the context.
            unsafe {
                let source = g_main_context_find_source_by_id(std::ptr::null_mut(), self.id);
                if !source.is_null() {
                    g_source_destroy(source);
                }
            }
        }
    }
}

#[cfg(all(
    test,
    any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    )
))]
mod tests {
    use std::ffi::{c_int, c_void};
    use std::time::{Duration, Instant};

    use super::Alarm;

    #[link(name = "glib-2.0")]
    unsafe extern "C" {
        fn g_main_context_iteration(context: *mut c_void, may_block: c_int) -> c_int;
    }

    /// One blocking iteration of the default main context, as `gtk_main_iteration_do`.
    fn iterate() {
        // SAFETY: the default context, iterated by this test's thread only.
        unsafe { g_main_context_iteration(std::ptr::null_mut(), 1) };
    }

    #[test]
    fn a_blocked_main_loop_wakes_at_the_alarm_and_not_before() {
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
