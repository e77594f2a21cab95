//! The platform seam: everything that differs between unix and Windows lives here, behind
//! one set of functions — process groups and killing a job's whole process tree, the
//! shell, handing the process over to another program, file permissions and modes,
//! opening files without following links, replacing a file, the host name, opening a
//! folder, whether a desktop session is there, whether there is a route out, whether the
//! machine is on AC power and its connection metered, how a
//! desktop notification is shown, and (for the tray) the start-at-login entry, the
//! icons' size, the event loop's setup and its alarm. One file per OS: `unix.rs`,
//! `windows.rs`, `fs_unix.rs`, `fs_windows.rs`, and per OS (or per kind of desktop)
//! under `net/`, `autostart/`, `notification/` and `tray/`.
//!
//! The rest of the crate calls these and needs no `cfg` of its own for an OS difference:
//! the `cfg`s left elsewhere are features, tests that need a unix API to set up (a
//! symbolic link, a FIFO), and the tray binary's `windows_subsystem`, an attribute of its
//! crate root.
//!
//! # What keeps a job's processes from outliving its run
//! - Linux: each run has a supervisor, a process forked from synctray as the run begins,
//!   which starts the run's jobs on request (see `supervisor/`). It is a child
//!   subreaper, so every process a job starts — including ones that call `setsid` or
//!   daemonise — stays its descendant; it kills whatever a job left when the job ends,
//!   before reporting its end; it learns of synctray's death through `PR_SET_PDEATHSIG`,
//!   even a SIGKILL, and then kills everything. A run that takes over a dead holder's lock
//!   waits for that supervisor to be gone ([`end_leftover_tree`]).
//! - Windows: a job object with kill-on-close.
//! - macOS and the other unixes: the job's process group, killed when the job ends or
//!   stops, and killed again when a dead holder's lock is taken over. A process that
//!   leaves the group (`setsid`) escapes it there.

mod timer;
pub use timer::WallTimer;

mod inhibit;
pub use inhibit::{Inhibitor, keep_awake};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(target_os = "linux")]
mod supervisor;

mod job;
pub use job::{JobHost, JobOutput, RunningJob};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

#[cfg(feature = "tray")]
pub mod autostart;
#[cfg(feature = "tray")]
pub mod tray;

mod atomic;
pub use atomic::{Durability, TEMP_PREFIX, TEMP_SUFFIX, atomic_write};

#[cfg_attr(unix, path = "fs_unix.rs")]
#[cfg_attr(windows, path = "fs_windows.rs")]
mod fs;
pub use fs::{
    check_dir_writable, check_private, check_real_dir, check_regular_or_absent, file_mode,
    open_regular, set_create_mode, set_mode,
};

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

/// Whether the machine runs on AC power (`conditions.power`): one file per OS. `Err` when
/// the system cannot say (the caller counts it as AC).
#[cfg_attr(target_os = "linux", path = "power/linux.rs")]
#[cfg_attr(target_os = "macos", path = "power/macos.rs")]
#[cfg_attr(windows, path = "power/windows.rs")]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    path = "power/other.rs"
)]
mod power;
pub use power::on_ac_power;

/// Whether the connection is metered (`conditions.network`), followed while a run waits:
/// NetworkManager on Linux, the Network List Manager's cost on Windows; elsewhere not read
/// (see `cost/other.rs`).
#[cfg_attr(target_os = "linux", path = "cost/linux.rs")]
#[cfg_attr(windows, path = "cost/windows.rs")]
#[cfg_attr(not(any(target_os = "linux", windows)), path = "cost/other.rs")]
mod cost;
pub use cost::CostWatch;

/// A helper program synctray runs for itself (the health pings' curl); on Windows with no
/// console window (the tray has none to lend it).
pub fn helper_command(program: &str) -> std::process::Command {
    #[allow(unused_mut)]
    let mut cmd = std::process::Command::new(program);
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        cmd.creation_flags(windows_sys::Win32::System::Threading::CREATE_NO_WINDOW);
    }
    cmd
}

/// Showing a desktop notification: a freedesktop server gets an icon, an urgency and the
/// last failure replaced; macOS and Windows show the text as it is. One file per kind.
#[cfg(feature = "notifications")]
#[cfg_attr(
    all(unix, not(target_os = "macos")),
    path = "notification/freedesktop.rs"
)]
#[cfg_attr(
    not(all(unix, not(target_os = "macos"))),
    path = "notification/plain.rs"
)]
mod notification;
#[cfg(feature = "notifications")]
pub use notification::NotificationService;

/// Called with the key of the action the person chose on a notification.
#[cfg(feature = "notifications")]
pub type OnAction = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

pub use imp::hand_over;
pub use imp::{
    SHELL_NOT_FOUND, StopSignals, check_not_shared_writable, create_dir, desktop_session_available,
    exit_signal, hostname, local_zone, open_folder, open_nofollow, persist, process_alive,
    same_file, shell_command, write_options,
};

#[cfg(unix)]
pub use unix::end_leftover_tree;
#[cfg(all(unix, not(target_os = "linux")))]
use unix::job_ended;

/// What a later run needs to make sure a job's process tree is gone after the synctray
/// that started it died: the tree's root process and when it started (so that a reused
/// process id is never mistaken for it). Recorded in the lock's holder file: once a run
/// (Linux: the run's supervisor) or as each job starts (macOS: its process group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TreeId {
    /// The root process: the run's supervisor (Linux) or the job's process-group leader.
    pub pid: u32,
    /// The root's start time, in the platform's own unit (clock ticks since boot on Linux,
    /// microseconds since the epoch on macOS).
    pub start: u64,
}

/// The job's process has been waited for: what is left of its tree goes with the job
/// object's handle.
#[cfg(windows)]
fn job_ended(tree: windows::JobTree) {
    drop(tree);
}

/// On Windows a dead synctray's job objects were closed with it, and their processes
/// killed: nothing is left to end.
#[cfg(windows)]
pub fn end_leftover_tree(_id: TreeId, _wait: std::time::Duration) -> bool {
    true
}
