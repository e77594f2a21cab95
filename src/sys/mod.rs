//! The platform seam: everything that differs between unix and Windows lives here, behind
//! one set of functions — process groups and killing a job's whole process tree, the
//! shell, file permissions, opening files without following links, replacing a file,
//! the host name, opening a folder, whether a desktop session is there, whether there is
//! a route out, and (for the tray) the start-at-login entry. One file per OS: `unix.rs`,
//! `windows.rs`, `fs_unix.rs`, `fs_windows.rs`, and per OS under `net/` and `autostart/`.
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

#[cfg_attr(unix, path = "fs_unix.rs")]
#[cfg_attr(windows, path = "fs_windows.rs")]
mod fs;
pub use fs::{check_private, check_real_dir, check_regular_or_absent, open_regular};

/// Whether the system has a usable route out (the first half of "online"): one file per
/// OS. `Err` when the system cannot say.
#[cfg_attr(target_os = "linux", path = "net/linux.rs")]
#[cfg_attr(target_os = "macos", path = "net/macos.rs")]
#[cfg_attr(windows, path = "net/windows.rs")]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    path = "net/other.rs"
)]
mod net;
pub use net::route_out;

pub use imp::{
    JobTree, SHELL_NOT_FOUND, check_not_shared_writable, create_dir, desktop_session_available,
    hostname, open_folder, open_nofollow, persist, prepare_job_command, process_alive, same_file,
    shell_command, write_options,
};
