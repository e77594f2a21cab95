//! Linux: NetworkManager's `Metered` property (`org.freedesktop.NetworkManager` on the
//! system bus, `u`: 0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no; yes and guess-yes
//! count as metered), followed through its `PropertiesChanged` signal while a run waits.
//! The bus is the one `DBUS_SYSTEM_BUS_ADDRESS` names, else the system's. The connection
//! lives as long as the [`CostWatch`]: a wait opens it and drops it when it ends, so
//! nothing listens while idle.

use std::io;
use std::pin::Pin;
use std::time::Duration;

use zbus::export::futures_core::Stream;

const NM: &str = "org.freedesktop.NetworkManager";
const NM_PATH: &str = "/org/freedesktop/NetworkManager";
/// How long connecting and the first question may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the connection is metered, as NetworkManager says and keeps saying.
pub struct CostWatch {
    metered: u32,
    changes: zbus::proxy::PropertyStream<'static, u32>,
    /// Kept for the stream's sake (and the connection's).
    _proxy: zbus::Proxy<'static>,
}

impl std::fmt::Debug for CostWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CostWatch")
            .field("metered", &self.metered)
            .finish()
    }
}

fn bus_error(e: zbus::Error) -> io::Error {
    io::Error::other(format!("NetworkManager on the system bus: {e}"))
}

impl CostWatch {
    /// Connects to the system bus and asks NetworkManager once; an error when there is no
    /// bus or no NetworkManager on it.
    pub async fn open() -> io::Result<CostWatch> {
        let open = async {
            let connection = zbus::Connection::system().await?;
            let proxy: zbus::Proxy<'static> = zbus::proxy::Builder::new(&connection)
                .destination(NM)
                .path(NM_PATH)
                .interface(NM)
                .build()
                .await?;
            // Subscribed before the first question, so no change falls in between.
            let changes = proxy.receive_property_changed::<u32>("Metered").await;
            let metered = proxy.get_property::<u32>("Metered").await?;
            Ok::<_, zbus::Error>(CostWatch {
                metered,
                changes,
                _proxy: proxy,
            })
        };
        match tokio::time::timeout(OPEN_TIMEOUT, open).await {
            Ok(watch) => watch.map_err(bus_error),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "NetworkManager on the system bus did not answer within 5 s",
            )),
        }
    }

    /// Whether the connection is metered now.
    pub fn metered(&self) -> bool {
        is_metered(self.metered)
    }

    /// Ends when NetworkManager says `Metered` changed (the new value is then kept).
    pub async fn changed(&mut self) {
        let next = std::future::poll_fn(|cx| Pin::new(&mut self.changes).poll_next(cx)).await;
        match next {
            Some(change) => match change.get().await {
                Ok(value) => self.metered = value,
                Err(e) => tracing::debug!("NetworkManager's Metered: {e}"),
            },
            // The bus went away: no more events; the 30 s look goes on.
            None => std::future::pending().await,
        }
    }
}

/// NMMetered: 1 yes and 3 guess-yes are metered; 0 unknown, 2 no, 4 guess-no are not.
fn is_metered(value: u32) -> bool {
    matches!(value, 1 | 3)
}

#[cfg(test)]
mod tests {
    #[test]
    fn yes_and_guess_yes_are_metered() {
        let metered: Vec<u32> = (0..6).filter(|v| super::is_metered(*v)).collect();
        assert_eq!(metered, [1, 3]);
    }
}
