//! The alarm on the GTK platforms (Linux and the BSDs), where tao 0.37 arms no timer for
//! `ControlFlow::WaitUntil`: it blocks in `gtk_main_iteration_do` until some GTK source
//! fires, so a `WaitUntil` deadline passes unnoticed while nothing else happens
//! (tauri-apps/tao#988). [`Alarm`] adds a one-shot GLib timeout to the main context: the
//! blocked iteration returns at the deadline, tao sees it has passed and sends
//! `StartCause::ResumeTimeReached`. The timeout's callback does nothing else.

use std::time::Instant;

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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::Alarm;

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
