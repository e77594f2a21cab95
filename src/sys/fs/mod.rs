//! The file checks: opening synctray's own files without following a link or blocking on
//! a FIFO, file modes, and the permission checks on the config and the workspace.
//!
//! # Platform specific behavior
//! - Unix (`unix.rs`): `O_NOFOLLOW`/`O_NONBLOCK`, modes, and StrictModes-like checks.
//! - Windows (`windows.rs`): reparse points are refused; modes do not apply.

#[cfg_attr(unix, path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;
pub use imp::{
    check_dir_writable, check_private, check_real_dir, check_regular_or_absent, file_mode,
    open_regular, set_create_mode, set_mode,
};
