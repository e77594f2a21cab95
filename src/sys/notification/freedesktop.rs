//! Desktop notifications on a freedesktop notification server (Linux and the BSDs, over
//! the session bus): an icon, an urgency, and one place on screen for the incident, which
//! each of its notifications (the failure, the recovery) takes over.

use std::sync::Mutex;

use notify_rust::{Notification, NotificationHandle, Urgency};

/// The platform's notification service.
#[derive(Default)]
pub struct NotificationService {
    /// The incident's notification last shown, so that the next one about the incident
    /// (the same failure's recovery, stale data) replaces it rather than stacking beside it
    /// (freedesktop servers allow it), and so that it can be closed.
    incident: Mutex<Option<NotificationHandle>>,
}

impl std::fmt::Debug for NotificationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.incident.lock().unwrap().as_ref().map(|h| h.id());
        f.debug_struct("NotificationService")
            .field("incident", &id)
            .finish()
    }
}

impl NotificationService {
    /// Shows `n`. An `alarm` gets the error icon and critical urgency, anything else the
    /// sync icon; an `incident` note takes the place of the incident's last one.
    pub fn show(
        &self,
        n: &mut Notification,
        alarm: bool,
        incident: bool,
    ) -> notify_rust::error::Result<()> {
        n.icon(if alarm {
            "dialog-error"
        } else {
            "emblem-synchronizing"
        });
        if alarm {
            n.urgency(Urgency::Critical);
        }
        let mut shown = self.incident.lock().unwrap();
        if incident && let Some(last) = shown.as_ref() {
            n.id(last.id());
        }
        let handle = n.show()?;
        if incident {
            *shown = Some(handle);
        }
        Ok(())
    }

    /// Closes the incident's notification, if one is up.
    pub fn close_incident(&self) {
        if let Some(handle) = self.incident.lock().unwrap().take() {
            handle.close();
        }
    }
}
