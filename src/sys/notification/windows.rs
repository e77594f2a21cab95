//! Desktop notifications on Windows: toasts, sent as synctray (its AppUserModelID) once
//! the installer has registered that id, so that Windows shows them under synctray's name
//! and icon. Before that (the zip, unpacked and run as it is), a toast sent with an id
//! Windows does not know would be dropped: they go out as notify-rust's default sender
//! (Windows PowerShell) instead.

use notify_rust::Notification;

use windows_sys::Win32::Foundation::ERROR_SUCCESS;
use windows_sys::Win32::System::Registry::{HKEY_CURRENT_USER, RRF_RT_REG_SZ, RegGetValueW};

use super::APP_USER_MODEL_ID;

/// The platform's notification service.
#[derive(Debug, Default)]
pub struct NotificationService;

/// Whether the installer registered synctray's AppUserModelID (a `DisplayName` under
/// `HKCU\Software\Classes\AppUserModelId\<id>`, as the shortcut it made carries the id).
/// Asked at each toast: an install while the tray runs takes effect at once.
fn app_id_registered() -> bool {
    let key: Vec<u16> = format!(r"Software\Classes\AppUserModelId\{APP_USER_MODEL_ID}")
        .encode_utf16()
        .chain([0])
        .collect();
    let value: Vec<u16> = "DisplayName".encode_utf16().chain([0]).collect();
    // SAFETY: NUL-terminated strings; no buffer is given, so only whether it exists is
    // asked.
    let status = unsafe {
        RegGetValueW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    status == ERROR_SUCCESS
}

impl NotificationService {
    /// Shows `n`, as synctray when its AppUserModelID is registered; an alarm looks like
    /// any other notification here, and nothing replaces the incident's last one (the
    /// notification centre keeps them all).
    pub fn show(
        &self,
        n: &mut Notification,
        _severity: crate::sys::Severity,
        _incident: bool,
        _actions: &[(&str, &str)],
        _on_action: Option<crate::sys::OnAction>,
    ) -> notify_rust::error::Result<()> {
        if app_id_registered() {
            tracing::debug!("toast sent with the AppUserModelID {APP_USER_MODEL_ID}");
            n.app_id(APP_USER_MODEL_ID);
        } else {
            tracing::debug!(
                "toast sent as Windows PowerShell: the AppUserModelID {APP_USER_MODEL_ID} is \
                 not registered (synctray was not installed)"
            );
        }
        n.show().map(drop)
    }

    /// Nothing to close: the notification centre keeps what it was given.
    pub fn close_incident(&self) {}
}
