//! Desktop notifications on macOS: the text as it is. Its notification centre takes no
//! urgency and no icon name, and stacks notifications rather than replacing one.

use notify_rust::Notification;

/// The platform's notification service.
#[derive(Debug, Default)]
pub struct NotificationService;

impl NotificationService {
    /// Shows `n`; an alarm looks like any other notification here, and nothing replaces
    /// the incident's last one (the notification centres keep them all).
    pub fn show(
        &self,
        n: &mut Notification,
        _severity: crate::sys::Severity,
        _incident: bool,
        _actions: &[(&str, &str)],
        _on_action: Option<crate::sys::OnAction>,
    ) -> notify_rust::error::Result<()> {
        n.show().map(drop)
    }

    /// Nothing to close: the notification centre keeps what it was given.
    pub fn close_incident(&self) {}
}
