//! Systems without a power-source reader here: they count as on AC power, so that
//! `conditions.power` never holds a run back on them (the caller logs why).

use std::io;

/// Always an error: this system's power source is not read.
pub fn on_ac_power() -> io::Result<bool> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the power source is not read on this system",
    ))
}
