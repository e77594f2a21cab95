//! Start at login: the entry that makes the desktop start `synctray --workspace ROOT` when
//! the user logs in. One file per platform:
//!
//! # Platform specific behavior
//! - Linux and other freedesktop systems (`unix.rs`): an XDG autostart entry,
//!   `$XDG_CONFIG_HOME/autostart/synctray.desktop` (default `~/.config/autostart`).
//! - macOS (`macos.rs`): a LaunchAgent, `~/Library/LaunchAgents/dev.synctray.tray.plist`, which
//!   launchd loads at the next login.
//! - Windows (`windows.rs`): the value `synctray` under
//!   `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, read and written through the
//!   registry API (no helper process: the tray reads it every minute).
//!
//! There is one entry per user: it starts the tray on one workspace, or on the person's
//! workspace list (every listed workspace in one tray). The tray shows "Start at login"
//! checked only when the entry starts what *it* serves; checking it in another tray moves
//! the entry there.
//!
//! The entries are written by hand rather than with a crate: each holds the program and
//! its arguments quoted as its format requires, so a workspace path with spaces, quotes or
//! `%` starts the right folder.

use std::io;
use std::path::{Path, PathBuf};

#[cfg_attr(all(unix, not(target_os = "macos")), path = "unix.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;

/// The entry as a file (freedesktop, macOS).
#[cfg(unix)]
mod file;

/// What the login entry starts the tray on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Starts<'a> {
    /// One workspace: `synctray --workspace ROOT`.
    Workspace(&'a Path),
    /// The person's workspace list: `synctray` with no `--workspace`.
    List,
}

/// Whether the login entry exists and starts the tray on `starts`.
pub fn is_enabled(starts: Starts<'_>) -> bool {
    imp::is_enabled(starts).unwrap_or(false)
}

/// Writes (or replaces) the login entry so that it starts `exe` on `starts`.
pub fn enable(exe: &Path, starts: Starts<'_>) -> io::Result<()> {
    imp::enable(exe, starts)
}

/// Removes the login entry, if any.
pub fn disable() -> io::Result<()> {
    imp::disable()
}

/// Where the entry lives (for messages), if the platform keeps it in a file.
pub fn location() -> Option<PathBuf> {
    imp::location()
}
