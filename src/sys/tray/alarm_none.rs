//! The alarm where tao arms a timer for `ControlFlow::WaitUntil` itself (Windows, macOS):
//! nothing to do.

/// Nothing to arm: tao wakes for `ControlFlow::WaitUntil` by itself here.
#[derive(Debug, Default)]
pub struct Alarm;

impl Alarm {
    pub fn new() -> Alarm {
        Alarm
    }

    pub fn set(&mut self, _at: std::time::Instant) {}
}
