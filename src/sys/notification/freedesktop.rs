//! Desktop notifications on a freedesktop notification server (Linux and the BSDs, over
//! the session bus): an icon, an urgency, and a failure that replaces the last one.

use std::sync::Mutex;

use notify_rust::{Notification, Urgency};

/// The platform's notification service.
#[derive(Debug, Default)]
pub struct NotificationService {
    /// The id of the last failure shown, so that the next failure replaces it rather than
    /// stacking (freedesktop servers allow it).
    last_failure: Mutex<Option<u32>>,
}

impl NotificationService {
    /// Shows `n`. A `failure` gets the error icon and critical urgency, and takes the
    /// place of the last failure shown; anything else gets the sync icon.
    pub fn show(&self, n: &mut Notification, failure: bool) -> notify_rust::error::Result<()> {
        n.icon(if failure {
            "dialog-error"
        } else {
            "emblem-synchronizing"
        });
        if failure {
            n.urgency(Urgency::Critical);
            if let Some(id) = *self.last_failure.lock().unwrap() {
                n.id(id);
            }
        }
        let handle = n.show()?;
        if failure {
            *self.last_failure.lock().unwrap() = Some(handle.id());
        }
        Ok(())
    }
}
