//! Linux and the BSDs: a freedesktop session.

use std::io;
use std::path::Path;

/// Opens a folder in the desktop's file manager (a file, in its default application) with
/// `xdg-open`, and waits for it to say whether it could. Blocks while the opener runs:
/// call it off the GUI thread.
pub fn open_folder(path: &Path) -> io::Result<()> {
    super::open_with("xdg-open", path)
}

/// Whether a GUI can be shown: only when a display server is named (`DISPLAY` for X11,
/// `WAYLAND_DISPLAY` for Wayland). Checked before touching the GUI toolkit, which panics or
/// aborts without one.
pub fn desktop_session_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}
