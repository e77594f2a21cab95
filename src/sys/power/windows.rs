//! Windows: `GetSystemPowerStatus`. `ACLineStatus` is 1 on AC, 0 on battery and 255 when
//! unknown (counted as AC by the caller, as an error).

use std::io;

use windows_sys::Win32::System::Power::{GetSystemPowerStatus, SYSTEM_POWER_STATUS};

/// Whether the machine runs on AC power.
pub fn on_ac_power() -> io::Result<bool> {
    // SAFETY: a plain struct the call fills in.
    let mut status: SYSTEM_POWER_STATUS = unsafe { std::mem::zeroed() };
    // SAFETY: `status` is a valid, writable SYSTEM_POWER_STATUS.
    if unsafe { GetSystemPowerStatus(&mut status) } == 0 {
        return Err(io::Error::last_os_error());
    }
    match status.ACLineStatus {
        1 => Ok(true),
        0 => Ok(false),
        _ => Err(io::Error::other("the AC line status is unknown")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_power_status_can_be_read() {
        // A machine that cannot say (255) is an error of its own, not a failed call.
        match super::on_ac_power() {
            Ok(_) => {}
            Err(e) => assert_eq!(e.to_string(), "the AC line status is unknown"),
        }
    }
}
