//! The platform seam: everything that differs between operating systems lives here, behind
//! one set of functions. Each capability is a folder laid out the same way —
//! `<capability>/mod.rs` says what it is, documents its `# Platform specific behavior`, and
//! picks one file per OS with `#[cfg_attr(…, path = "…")] mod imp;`; the files are named
//! for the platform they serve (`linux.rs`, `unix.rs` for the unixes a more specific file
//! does not claim, `macos.rs`, `windows.rs`, `other.rs` for the rest), and none of them
//! holds code for two platforms:
//! - `os/`: the shell, stop signals, handing over, process liveness, the files synctray
//!   creates, the host name and zone;
//! - `fs/`: opening files without links or blocking, modes, the permission checks;
//! - `job/`: a run's jobs, each in a process tree that ends with it (Linux through the
//!   supervisor, `supervisor/`, which only Linux builds);
//! - `program/`: finding the program an array command names;
//! - `timer/`: sleeping until a wall-clock time;
//! - `locale/`: the languages the system's settings ask for (macOS, Windows);
//! - `desktop/`: whether a GUI can be shown, opening a folder;
//! - `net/`, `power/`, `cost/`: the conditions' sensors (route out, AC power, metered);
//! - `inhibit/`: keeping the machine awake while a run runs (`keepAwake`);
//! - `notification/`: how a desktop notification is shown;
//! - `autostart/`, `tray/` (the tray only): start at login, the tray's platform parts.
//!
//! `atomic.rs` is platform-free (the atomic write, on the seam's primitives).
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

mod atomic;
pub use atomic::{Durability, TEMP_PREFIX, TEMP_SUFFIX, atomic_write};

mod os;
pub use os::{
    SHELL_NOT_FOUND, StopSignals, check_not_shared_writable, create_dir, exit_signal, hand_over,
    helper_command, hostname, local_zone, open_nofollow, persist, process_alive, same_file,
    shell_command, write_options,
};

mod fs;
pub use fs::{
    check_dir_writable, check_private, check_real_dir, check_regular_or_absent, file_mode,
    open_regular, set_create_mode, set_mode,
};

mod job;
pub use job::{
    HelperProcess, JobHost, JobOutput, RunningJob, TreeId, end_leftover_tree, spawn_helper,
};

/// The run's job supervisor: only Linux has one (see `job/linux.rs`).
#[cfg(target_os = "linux")]
mod supervisor;

mod program;
pub use program::program_findable;

mod timer;
pub use timer::WallTimer;

mod inhibit;
pub use inhibit::{Inhibitor, keep_awake};

mod locale;
pub use locale::system_languages;

mod desktop;
pub use desktop::{desktop_session_available, open_folder};

mod net;
pub use net::route_out;

mod power;
pub use power::on_ac_power;

mod cost;
pub use cost::CostWatch;

mod notification;
pub use notification::{APP_USER_MODEL_ID, Severity};
#[cfg(feature = "notifications")]
pub use notification::{NotificationService, OnAction};

#[cfg(feature = "tray")]
pub mod autostart;
#[cfg(feature = "tray")]
pub mod tray;
