//! Windows: Explorer, and a GUI always.

use std::io;
use std::path::Path;

/// Opens a folder in Explorer (a file, in its default application).
///
/// Explorer's exit status says nothing (it is 1 when it worked), so only a failure to
/// start it is an error.
pub fn open_folder(path: &Path) -> io::Result<()> {
    std::process::Command::new("explorer")
        .arg(path)
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("explorer could not start: {e}")))
        .map(|mut child| {
            let _ = child.wait();
        })
}

/// Whether a GUI can be shown: an interactive Windows session always has a desktop.
pub fn desktop_session_available() -> bool {
    true
}
