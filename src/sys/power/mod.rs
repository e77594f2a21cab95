//! Whether the machine runs on AC power (`conditions.power`). `Err` when the system cannot
//! say (the caller counts it as AC).
//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): the supplies in `/sys/class/power_supply`.
//! - macOS (`macos.rs`): IOKit's power sources.
//! - Windows (`windows.rs`): `GetSystemPowerStatus`.
//! - Elsewhere (`other.rs`): not read.

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    path = "other.rs"
)]
mod imp;
pub use imp::on_ac_power;
