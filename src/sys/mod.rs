//! The platform seam: everything that differs between unix and Windows lives here, behind
//! one set of functions — process groups and killing a job's whole process tree, file
//! permissions, opening files without following links, the host name, opening a folder,
//! whether a desktop session is there, and (for the tray) the start-at-login entry.
//!
//! The rest of the crate calls these; the few `cfg`s left elsewhere are local details of
//! one function each (an exit status's signal, a new file's mode, freedesktop notification
//! hints, the GTK main loop's alarm).

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

#[cfg(feature = "tray")]
pub mod autostart;

#[cfg_attr(unix, path = "fs_unix.rs")]
#[cfg_attr(windows, path = "fs_windows.rs")]
mod fs;
pub use fs::{check_private, check_real_dir, check_regular_or_absent, open_regular};

pub use imp::{
    JobTree, check_not_shared_writable, create_dir, desktop_session_available, hostname,
    open_folder, open_nofollow, prepare_job_command, process_alive, same_file, write_options,
};
