//! The platform seam: everything that differs between unix and Windows lives here, behind
//! one set of functions — process groups and killing a job's whole process tree, the
//! shell, file permissions, opening files without following links, replacing a file,
//! the host name, opening a folder, whether a desktop session is there, and (for the tray)
//! the start-at-login entry. One file per OS: `unix.rs`, `windows.rs`, and per OS under
//! `autostart/`.
//!
//! The rest of the crate calls these; the few `cfg`s left elsewhere are local details of
//! one function each (an exit status's signal, a new file's mode, freedesktop notification
//! hints, the GTK main loop's alarm, Windows' console events in the CLI's signal wait).

mod timer;
pub use timer::WallTimer;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;
#[cfg(windows)]
pub use windows::next_stop_signal;

#[cfg(feature = "tray")]
pub mod autostart;

pub use imp::{
    JobTree, SHELL_NOT_FOUND, check_not_shared_writable, create_dir, desktop_session_available,
    hostname, open_folder, open_nofollow, persist, prepare_job_command, process_alive, same_file,
    shell_command, write_options,
};
