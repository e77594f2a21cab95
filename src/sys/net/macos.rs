//! macOS: the System Configuration framework's reachability of the "any" address
//! (0.0.0.0), as Apple's Reachability sample asks it: reachable without a connection
//! still to be made. Nothing is sent.

use std::ffi::c_void;
use std::io;

#[link(name = "SystemConfiguration", kind = "framework")]
unsafe extern "C" {
    fn SCNetworkReachabilityCreateWithAddress(
        allocator: *const c_void,
        address: *const libc::sockaddr,
    ) -> *const c_void;
    fn SCNetworkReachabilityGetFlags(target: *const c_void, flags: *mut u32) -> u8;
}

#[link(name = "CoreFoundation", kind = "framework")]
unsafe extern "C" {
    fn CFRelease(cf: *const c_void);
}

const REACHABLE: u32 = 1 << 1;
const CONNECTION_REQUIRED: u32 = 1 << 2;

/// Whether the system says the internet is reachable now.
pub fn route_out() -> io::Result<bool> {
    // SAFETY: a zeroed sockaddr_in is a valid 0.0.0.0; its length and family are set.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    addr.sin_len = std::mem::size_of::<libc::sockaddr_in>() as u8;
    addr.sin_family = libc::AF_INET as libc::sa_family_t;
    // SAFETY: the address outlives the call, which copies it.
    let target = unsafe {
        SCNetworkReachabilityCreateWithAddress(
            std::ptr::null(),
            (&raw const addr).cast::<libc::sockaddr>(),
        )
    };
    if target.is_null() {
        return Err(io::Error::other(
            "SCNetworkReachabilityCreateWithAddress failed",
        ));
    }
    let mut flags = 0u32;
    // SAFETY: `target` is a live reachability reference, released once below.
    let ok = unsafe { SCNetworkReachabilityGetFlags(target, &mut flags) } != 0;
    unsafe { CFRelease(target) };
    if !ok {
        return Err(io::Error::other("SCNetworkReachabilityGetFlags failed"));
    }
    Ok(flags & REACHABLE != 0 && flags & CONNECTION_REQUIRED == 0)
}
