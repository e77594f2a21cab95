//! A login entry kept in a file (freedesktop's autostart entry, macOS's LaunchAgent):
//! written atomically, removed without complaint when it is not there.

use std::io;
use std::path::Path;

/// Writes a file-based entry (freedesktop, macOS) atomically, creating its folder.
pub fn write_entry(path: &Path, text: &str) -> io::Result<()> {
    crate::sys::create_dir(path.parent().expect("an entry has a folder"))?;
    crate::sys::atomic_write(
        path,
        text.as_bytes(),
        0o644,
        crate::sys::Durability::Flushed,
    )
}

/// Removes a file-based entry; one that is not there is no error.
pub fn remove_entry(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
