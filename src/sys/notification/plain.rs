//! Desktop notifications on macOS and Windows: the text as it is. Their notification
//! centres take no urgency and no icon name, and stack notifications rather than
//! replacing one.

use notify_rust::Notification;

/// The platform's notification service.
#[derive(Debug, Default)]
pub struct NotificationService;

impl NotificationService {
    /// Shows `n`; a failure looks like any other notification here.
    pub fn show(&self, n: &mut Notification, _failure: bool) -> notify_rust::error::Result<()> {
        n.show().map(drop)
    }
}
