//! The process and its host: the shell a job's command line runs in, the stop requests
//! (signals), handing the process over to another program, whether a process is alive,
//! the files synctray creates (modes, no links, same file, replacing one), the host's name
//! and time zone.
//!
//! # Platform specific behavior
//! - Unix (`unix.rs`): `sh -c`, SIGTERM/SIGINT/SIGHUP, exec(2), modes 0644/0755.
//! - Windows (`windows.rs`): `cmd.exe /d /s /c`, console control events and the session's
//!   end, a child whose exit code is passed on, a rename retried while a reader holds
//!   the file.

#[cfg_attr(unix, path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;
pub use imp::{
    SHELL_NOT_FOUND, StopSignals, check_not_shared_writable, create_dir, exit_signal, hand_over,
    helper_command, hostname, local_zone, open_nofollow, persist, process_alive, same_file,
    shell_command, write_options,
};
