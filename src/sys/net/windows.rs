//! Windows: the IP Helper API's routing table (`GetIpForwardTable2`, IPv4 and IPv6) holds a
//! default route (prefix length 0) that is not the loopback's. Nothing is sent.

use std::io;

use windows_sys::Win32::Foundation::NO_ERROR;
use windows_sys::Win32::NetworkManagement::IpHelper::{
    FreeMibTable, GetIpForwardTable2, MIB_IPFORWARD_TABLE2,
};
use windows_sys::Win32::Networking::WinSock::AF_UNSPEC;

/// Whether the routing table holds a usable default route.
pub fn route_out() -> io::Result<bool> {
    let mut table: *mut MIB_IPFORWARD_TABLE2 = std::ptr::null_mut();
    // SAFETY: on success the table is allocated by the call and freed once below.
    let rc = unsafe { GetIpForwardTable2(AF_UNSPEC, &mut table) };
    if rc != NO_ERROR || table.is_null() {
        return Err(io::Error::from_raw_os_error(rc as i32));
    }
    // SAFETY: the table holds NumEntries rows laid out after its header.
    let found = unsafe {
        let rows = std::slice::from_raw_parts(
            (&raw const (*table).Table)
                .cast::<windows_sys::Win32::NetworkManagement::IpHelper::MIB_IPFORWARD_ROW2>(),
            (*table).NumEntries as usize,
        );
        rows.iter()
            .any(|row| row.DestinationPrefix.PrefixLength == 0 && !row.Loopback)
    };
    // SAFETY: allocated by GetIpForwardTable2.
    unsafe { FreeMibTable(table.cast()) };
    Ok(found)
}
