//! The desktop around synctray: whether a GUI can be shown at all, and opening a folder (or
//! a file) in the person's file manager.
//!
//! # Platform specific behavior
//! - Linux and the BSDs (`unix.rs`): a display server must be named (`DISPLAY`,
//!   `WAYLAND_DISPLAY`); `xdg-open` opens.
//! - macOS (`macos.rs`): always a GUI; `open` opens.
//! - Windows (`windows.rs`): always a GUI; Explorer opens.

#[cfg_attr(all(unix, not(target_os = "macos")), path = "unix.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;
pub use imp::{desktop_session_available, open_folder};

/// Runs `opener PATH` and waits for it to say whether it could: an error when it cannot
/// start (not installed) or exits with a failure (no application for the file, no file
/// manager).
#[cfg(unix)]
fn open_with(opener: &str, path: &std::path::Path) -> std::io::Result<()> {
    use std::io;
    let status = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                io::Error::new(e.kind(), format!("{opener} is not installed"))
            }
            _ => io::Error::new(e.kind(), format!("{opener} could not start: {e}")),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{opener} found no application to open it ({status})"
        )))
    }
}
