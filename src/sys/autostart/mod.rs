//! Start at login: the entry that makes the desktop start `synctray --workspace ROOT` when
//! the user logs in. One file per platform:
//!
//! # Platform specific behavior
//! - Linux and other freedesktop systems (`freedesktop`): an XDG autostart entry,
//!   `$XDG_CONFIG_HOME/autostart/synctray.desktop` (default `~/.config/autostart`).
//! - macOS (`macos`): a LaunchAgent, `~/Library/LaunchAgents/dev.synctray.tray.plist`, which
//!   launchd loads at the next login.
//! - Windows (`windows`): the value `synctray` under
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

#[cfg(all(unix, not(target_os = "macos")))]
mod freedesktop;
#[cfg(all(unix, not(target_os = "macos")))]
use freedesktop as imp;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

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

/// Writes a file-based entry (freedesktop, macOS) atomically, creating its folder.
#[cfg(unix)]
fn write_entry(path: &Path, text: &str) -> io::Result<()> {
    crate::sys::create_dir(path.parent().expect("an entry has a folder"))?;
    crate::sys::atomic_write(
        path,
        text.as_bytes(),
        0o644,
        crate::sys::Durability::Flushed,
    )
}

/// Removes a file-based entry; one that is not there is no error.
#[cfg(unix)]
fn remove_entry(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
