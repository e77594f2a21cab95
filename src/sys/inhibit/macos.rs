//! macOS: an IOPM assertion `PreventUserIdleSystemSleep`, released on drop.

use std::ffi::c_void;
use std::io;

type IOPMAssertionID = u32;
type IOReturn = i32;
const K_IOPM_ASSERTION_LEVEL_ON: u32 = 255;
const K_IO_RETURN_SUCCESS: IOReturn = 0;
const UTF8: u32 = 0x0800_0100;

#[link(name = "IOKit", kind = "framework")]
unsafe extern "C" {
    fn IOPMAssertionCreateWithName(
        assertion_type: *const c_void,
        level: u32,
        name: *const c_void,
        id: *mut IOPMAssertionID,
    ) -> IOReturn;
    fn IOPMAssertionRelease(id: IOPMAssertionID) -> IOReturn;
}

#[link(name = "CoreFoundation", kind = "framework")]
unsafe extern "C" {
    fn CFStringCreateWithBytes(
        alloc: *const c_void,
        bytes: *const u8,
        len: isize,
        encoding: u32,
        external: u8,
    ) -> *const c_void;
    fn CFRelease(cf: *const c_void);
}

/// A CFString made from `text`, released on drop.
struct CfString(*const c_void);

impl CfString {
    fn new(text: &str) -> io::Result<CfString> {
        // SAFETY: the bytes are valid for their length; a null allocator is the default.
        let s = unsafe {
            CFStringCreateWithBytes(
                std::ptr::null(),
                text.as_ptr(),
                text.len() as isize,
                UTF8,
                0,
            )
        };
        if s.is_null() {
            return Err(io::Error::other("cannot make a CFString"));
        }
        Ok(CfString(s))
    }
}

impl Drop for CfString {
    fn drop(&mut self) {
        // SAFETY: created above (the Create rule), released once.
        unsafe { CFRelease(self.0) };
    }
}

/// The assertion, released on drop.
#[derive(Debug)]
pub struct Held(IOPMAssertionID);

pub async fn hold(why: &str) -> io::Result<Held> {
    let kind = CfString::new("PreventUserIdleSystemSleep")?;
    let name = CfString::new(why)?;
    let mut id: IOPMAssertionID = 0;
    // SAFETY: IOKit's documented call with valid CFStrings and an out pointer.
    let ret =
        unsafe { IOPMAssertionCreateWithName(kind.0, K_IOPM_ASSERTION_LEVEL_ON, name.0, &mut id) };
    if ret != K_IO_RETURN_SUCCESS {
        return Err(io::Error::other(format!(
            "IOPMAssertionCreateWithName failed (IOReturn {ret:#x})"
        )));
    }
    Ok(Held(id))
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: the assertion created in `hold`, released once.
        unsafe { IOPMAssertionRelease(self.0) };
    }
}
