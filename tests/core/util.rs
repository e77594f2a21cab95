//! The fixtures these tests use: a temporary workspace, the synctray command, polling and
//! process checks. They live in `tests/support`, shared with `tests/tray.rs` and the bench.

#[path = "../support/mod.rs"]
mod support;

#[cfg(target_os = "linux")]
pub use support::http;
pub use support::notes::Collect;
pub use support::proc::{processes_with, set_mode, sleep_marker, stderr, wait_until};
#[cfg(target_os = "linux")]
pub use support::ws::Daemon;
#[cfg(target_os = "linux")]
pub use support::ws::SYNCTRAY;
pub use support::ws::Ws;
#[cfg(target_os = "linux")]
pub use support::{
    proc::{can_run_as_root, on_path},
    ws::assert_exit_code,
};
