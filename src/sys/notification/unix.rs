//! Desktop notifications on a freedesktop notification server (Linux and the BSDs, over
//! the session bus): an icon, an urgency, and one place on screen for the incident, which
//! each of its notifications (the failure, the recovery) takes over.

use std::sync::{Arc, Mutex, OnceLock};

use notify_rust::{Notification, NotificationHandle, Urgency};

/// The platform's notification service.
#[derive(Default)]
pub struct NotificationService {
    /// The incident's notification last shown, so that the next one about the incident
    /// (the same failure's recovery, stale data) replaces it rather than stacking beside it
    /// (freedesktop servers allow it), and so that it can be closed.
    incident: Mutex<Option<NotificationHandle>>,
    /// The notification id whose actions are listened for, if any (one listener at a
    /// time: the incident's notifications share one id).
    listening: Arc<Mutex<Option<u32>>>,
}

/// Whether the notification server shows actions (asked once).
fn server_has_actions() -> bool {
    static ACTIONS: OnceLock<bool> = OnceLock::new();
    *ACTIONS.get_or_init(|| {
        notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "actions"))
    })
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
    /// Shows `n`. An alarm gets the error icon and critical urgency, a warning the
    /// warning icon, anything else the sync icon; an `incident` note takes the place of the incident's last one. Where the
    /// server shows actions, `actions` (key, label) are offered and the one chosen is
    /// given to `on_action`.
    pub fn show(
        &self,
        n: &mut Notification,
        severity: crate::sys::Severity,
        incident: bool,
        actions: &[(&str, &str)],
        on_action: Option<crate::sys::OnAction>,
    ) -> notify_rust::error::Result<()> {
        let on_action = on_action.filter(|_| !actions.is_empty() && server_has_actions());
        if on_action.is_some() {
            for (key, label) in actions {
                n.action(key, label);
            }
        }
        use crate::sys::Severity;
        n.icon(match severity {
            Severity::Alarm => "dialog-error",
            Severity::Warning => "dialog-warning",
            Severity::Info => "emblem-synchronizing",
        });
        if severity == Severity::Alarm {
            n.urgency(Urgency::Critical);
        }
        let mut shown = self.incident.lock().unwrap();
        if incident && let Some(last) = shown.as_ref() {
            n.id(last.id());
        }
        let handle = n.show()?;
        if let Some(on_action) = on_action {
            self.listen(handle.id(), on_action);
        }
        if incident {
            *shown = Some(handle);
        }
        Ok(())
    }

    /// Waits on a thread of its own for the person to choose an action of notification
    /// `id` (or for it to close), then hands the action to `on_action`. The thread sleeps
    /// on the bus meanwhile: no wake-ups.
    fn listen(&self, id: u32, on_action: crate::sys::OnAction) {
        let mut listening = self.listening.lock().unwrap();
        if *listening == Some(id) {
            return;
        }
        *listening = Some(id);
        let slot = Arc::clone(&self.listening);
        let spawned = std::thread::Builder::new()
            .name("notification-actions".into())
            .spawn(move || {
                let _ = notify_rust::handle_action(id, |response| {
                    if let notify_rust::ActionResponse::Custom(key) = response {
                        on_action(key);
                    }
                });
                let mut listening = slot.lock().unwrap();
                if *listening == Some(id) {
                    *listening = None;
                }
            });
        if spawned.is_err() {
            *listening = None;
        }
    }

    /// Closes the incident's notification, if one is up.
    pub fn close_incident(&self) {
        if let Some(handle) = self.incident.lock().unwrap().take() {
            handle.close();
        }
    }
}
