//! Showing a desktop notification.
//!
//! # Platform specific behavior
//! - Linux and the BSDs (`unix.rs`): a freedesktop notification server gets an icon, an
//!   urgency, and the incident's notification replaced rather than stacked.
//! - macOS and Windows (`other.rs`): the text as it is.

#[cfg_attr(all(unix, not(target_os = "macos")), path = "unix.rs")]
#[cfg_attr(not(all(unix, not(target_os = "macos"))), path = "other.rs")]
mod imp;
pub use imp::NotificationService;

/// Called with the key of the action the person chose on a notification.
pub type OnAction = std::sync::Arc<dyn Fn(&str) + Send + Sync>;
