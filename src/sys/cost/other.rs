//! Systems where the connection's cost is not read here: no watch can be opened, and the
//! caller counts the connection as unmetered (with one warning).
//!
//! macOS would need Network.framework's `nw_path_monitor` and `nw_path_is_expensive`
//! (with a block for its update handler), which no crate in this build binds.

use std::io;

/// Never opened on this system.
#[derive(Debug)]
pub struct CostWatch(());

impl CostWatch {
    pub async fn open() -> io::Result<CostWatch> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "whether the connection is metered is not read on this system",
        ))
    }

    pub fn metered(&self) -> bool {
        false
    }

    pub async fn changed(&mut self) {
        std::future::pending().await
    }
}
