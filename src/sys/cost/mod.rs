//! Whether the connection is metered (`conditions.network`), followed while a run waits.
//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): NetworkManager's `Metered` property, over the system bus.
//! - Windows (`windows.rs`): the Network List Manager's connection cost.
//! - Elsewhere, macOS included (`other.rs`): not read; the connection counts as unmetered.

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(not(any(target_os = "linux", windows)), path = "other.rs")]
mod imp;
pub use imp::CostWatch;
