//! macOS: the Finder, and a GUI always.

use std::io;
use std::path::Path;

/// Opens a folder in the Finder (a file, in its default application) with `open`, and
/// waits for it to say whether it could. Blocks while the opener runs: call it off the GUI
/// thread.
pub fn open_folder(path: &Path) -> io::Result<()> {
    super::open_with("open", path)
}

/// Whether a GUI can be shown: a Mac always has its window server.
pub fn desktop_session_available() -> bool {
    true
}
