//! Showing a desktop notification.
//!
//! # Platform specific behavior
//! - Linux and the BSDs (`unix.rs`): a freedesktop notification server gets an icon, an
//!   urgency, and the incident's notification replaced rather than stacked.
//! - Windows (`windows.rs`): a toast, sent with synctray's AppUserModelID once the
//!   installer registered it (Windows then names synctray as its sender).
//! - macOS (`other.rs`): the text as it is.

#[cfg(feature = "notifications")]
#[cfg_attr(all(unix, not(target_os = "macos")), path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(
    not(any(windows, all(unix, not(target_os = "macos")))),
    path = "other.rs"
)]
mod imp;
#[cfg(feature = "notifications")]
pub use imp::NotificationService;

/// synctray's AppUserModelID: Windows names a toast's sender after it (the tray's and
/// `synctray --daemon`'s toasts, and the Start-menu shortcut that carries it). Windows'
/// documented form, `Company.Product` (the publisher is the synctray developers; no version
/// part, so that an upgrade keeps the person's notification settings).
pub const APP_USER_MODEL_ID: &str = "synctray.synctray";

/// How a notification looks: an alarm (the error icon, critical urgency), a warning (the
/// warning icon: something to fix that stops nothing), or news (the sync icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Alarm,
}

#[cfg(feature = "notifications")]
/// Called with the key of the action the person chose on a notification.
pub type OnAction = std::sync::Arc<dyn Fn(&str) + Send + Sync>;
