//! Keeping the machine awake while a run runs (`keepAwake`): a sleep inhibitor taken as
//! the run starts its jobs and let go the moment they end. Nothing is held while idle or
//! while a run waits for its conditions.
//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): logind's `Inhibit("sleep:idle", "synctray", "Syncing NAME",
//!   "block")` on the system bus (the one `DBUS_SYSTEM_BUS_ADDRESS` names, else the
//!   system's); the inhibitor is the file descriptor logind returns, closed when the
//!   [`Inhibitor`] drops. A closed lid still suspends: logind decides that.
//! - Windows (`windows.rs`): `SetThreadExecutionState(ES_CONTINUOUS |
//!   ES_SYSTEM_REQUIRED)` on a thread that lives exactly as long as the [`Inhibitor`]
//!   (the state belongs to a thread, and several runs may share the engine's), reset
//!   before that thread ends.
//! - macOS (`macos.rs`): an IOPM assertion `PreventUserIdleSystemSleep`, released when the
//!   [`Inhibitor`] drops.
//! - Elsewhere (`other.rs`): nothing to hold; an error says so.

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "macos", windows)),
    path = "other.rs"
)]
mod imp;

/// A held sleep inhibitor; dropping it lets the machine sleep again.
#[must_use = "the machine may sleep as soon as the inhibitor is dropped"]
#[derive(Debug)]
pub struct Inhibitor {
    _held: imp::Held,
}

/// Keeps the machine from sleeping until the returned [`Inhibitor`] drops; `why` is what
/// the system shows as the reason ("Syncing NAME"). An error when the system has no way
/// or refuses (the caller warns and the run goes on).
pub async fn keep_awake(why: &str) -> std::io::Result<Inhibitor> {
    Ok(Inhibitor {
        _held: imp::hold(why).await?,
    })
}
