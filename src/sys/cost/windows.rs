//! Windows: the connection cost the Network List Manager gives
//! (`INetworkCostManager::GetCost`, COM; the cost of the machine's internet connection).
//! Metered when the cost is fixed or variable, or says roaming or over the data limit;
//! unrestricted and unknown are not. Windows tells changes through a COM event sink this
//! does not register: the wait's 30 s look sees them. `windows-sys` has no COM interfaces,
//! so the one method called is declared here, by its place in the vtable.

use std::ffi::c_void;
use std::io;
use std::ptr::{null, null_mut};

use windows_sys::Win32::System::Com::{
    CLSCTX_ALL, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx, CoUninitialize,
};
use windows_sys::core::{GUID, HRESULT};

const CLSID_NETWORK_LIST_MANAGER: GUID = GUID::from_u128(0xdcb00c01_570f_4a9b_8d69_199fdba5723b);
const IID_INETWORK_COST_MANAGER: GUID = GUID::from_u128(0xdcb00008_570f_4a9b_8d69_199fdba5723b);

/// NLM_CONNECTION_COST flags that make a connection metered.
const COST_FIXED: u32 = 0x2;
const COST_VARIABLE: u32 = 0x4;
const COST_OVER_DATA_LIMIT: u32 = 0x1_0000;
const COST_ROAMING: u32 = 0x4_0000;

/// The start of `INetworkCostManager`'s vtable: IUnknown, then `GetCost`.
#[repr(C)]
struct CostManagerVtbl {
    query_interface:
        unsafe extern "system" fn(*mut c_void, *const GUID, *mut *mut c_void) -> HRESULT,
    add_ref: unsafe extern "system" fn(*mut c_void) -> u32,
    release: unsafe extern "system" fn(*mut c_void) -> u32,
    get_cost: unsafe extern "system" fn(*mut c_void, *mut u32, *const c_void) -> HRESULT,
}

/// The internet connection's NLM_CONNECTION_COST.
fn connection_cost() -> io::Result<u32> {
    // SAFETY: COM as documented: initialised (and balanced) on this thread, one instance
    // created, its GetCost called with a valid out pointer and no destination, released.
    unsafe {
        let init = CoInitializeEx(null(), COINIT_MULTITHREADED as u32);
        let mut manager: *mut c_void = null_mut();
        let created = CoCreateInstance(
            &CLSID_NETWORK_LIST_MANAGER,
            null_mut(),
            CLSCTX_ALL,
            &IID_INETWORK_COST_MANAGER,
            &mut manager,
        );
        let result = if created < 0 || manager.is_null() {
            Err(io::Error::from_raw_os_error(created))
        } else {
            let vtbl = *(manager as *const *const CostManagerVtbl);
            let mut cost = 0u32;
            let got = ((*vtbl).get_cost)(manager, &mut cost, null());
            ((*vtbl).release)(manager);
            if got < 0 {
                Err(io::Error::from_raw_os_error(got))
            } else {
                Ok(cost)
            }
        };
        // S_OK or S_FALSE: this call initialised COM (again) and must undo it; an error
        // (another apartment mode) left it as it was.
        if init >= 0 {
            CoUninitialize();
        }
        result
    }
}

fn is_metered(cost: u32) -> bool {
    cost & (COST_FIXED | COST_VARIABLE | COST_OVER_DATA_LIMIT | COST_ROAMING) != 0
}

/// Whether the connection is metered, asked again at each look.
#[derive(Debug)]
pub struct CostWatch(());

impl CostWatch {
    /// Asks once: an error when the Network List Manager cannot be reached.
    pub async fn open() -> io::Result<CostWatch> {
        connection_cost().map(|_| CostWatch(()))
    }

    pub fn metered(&self) -> bool {
        connection_cost().is_ok_and(is_metered)
    }

    /// No change events here: the wait's periodic look sees changes.
    pub async fn changed(&mut self) {
        std::future::pending().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_variable_roaming_and_over_the_limit_are_metered() {
        assert!(!is_metered(0)); // unknown
        assert!(!is_metered(0x1)); // unrestricted
        assert!(is_metered(0x2) && is_metered(0x4));
        assert!(is_metered(0x1 | COST_ROAMING));
    }

    #[test]
    fn the_connection_cost_can_be_read() {
        let cost = connection_cost().expect("INetworkCostManager::GetCost");
        assert!(
            cost == 0 || cost & 0x7 != 0,
            "NLM_CONNECTION_COST {cost:#x}"
        );
    }
}
