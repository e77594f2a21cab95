//! Whether the system has a usable route out (the first half of "online"). `Err` when the
//! system cannot say.
//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): a default route in `/proc/net/route` or `/proc/net/ipv6_route`.
//! - macOS (`macos.rs`) and Windows (`windows.rs`): the system's routing table.
//! - Elsewhere (`other.rs`): not read; a `probe` alone decides.

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    path = "other.rs"
)]
mod imp;
pub use imp::route_out;
