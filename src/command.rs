//! What a front end (the tray's menu, a notification's action) asks of a workspace's
//! scheduler: the one vocabulary the engine takes commands in, kept below both so that
//! what asks need not know the engine.

/// What a front end asks of the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run now (trigger `manual`); ignored, with a message, while a run is in progress.
    SyncNow,
    /// Change interval: write `intervalMinutes` (dropping `schedule`) and reschedule.
    SetInterval(u32),
    /// Pause or resume scheduled runs (written to the file as `paused`).
    SetPaused(bool),
    /// Pause scheduled runs until a time (written to the file as `pausedUntil`).
    PauseUntil(chrono::DateTime<chrono::Utc>),
}
