//! macOS: IOKit's power sources. `IOPSGetProvidingPowerSourceType` names the source the
//! machine draws from now: `"AC Power"`, `"Battery Power"` or `"UPS Power"`.

use std::ffi::{c_char, c_void};
use std::io;

#[link(name = "IOKit", kind = "framework")]
unsafe extern "C" {
    /// A CFTypeRef the caller releases (the Copy rule).
    fn IOPSCopyPowerSourcesInfo() -> *const c_void;
    /// A CFStringRef owned by `snapshot` (the Get rule).
    fn IOPSGetProvidingPowerSourceType(snapshot: *const c_void) -> *const c_void;
}

#[link(name = "CoreFoundation", kind = "framework")]
unsafe extern "C" {
    fn CFRelease(cf: *const c_void);
    fn CFStringGetCString(
        string: *const c_void,
        buffer: *mut c_char,
        size: isize,
        encoding: u32,
    ) -> u8;
}

const UTF8: u32 = 0x0800_0100;

/// Whether the machine runs on AC power.
pub fn on_ac_power() -> io::Result<bool> {
    // SAFETY: IOKit's documented calls; the snapshot is released once, after the string
    // it owns has been copied out.
    unsafe {
        let snapshot = IOPSCopyPowerSourcesInfo();
        if snapshot.is_null() {
            return Err(io::Error::other(
                "IOPSCopyPowerSourcesInfo returned nothing",
            ));
        }
        let kind = IOPSGetProvidingPowerSourceType(snapshot);
        let mut buffer = [0 as c_char; 64];
        let copied = !kind.is_null()
            && CFStringGetCString(kind, buffer.as_mut_ptr(), buffer.len() as isize, UTF8) != 0;
        CFRelease(snapshot);
        if !copied {
            return Err(io::Error::other("no providing power source"));
        }
        let name = std::ffi::CStr::from_ptr(buffer.as_ptr()).to_string_lossy();
        Ok(name != "Battery Power")
    }
}
