//! Linux: logind's `Inhibit` on the system bus; the inhibitor is the returned fd.

use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;

const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
/// How long connecting and the call may take: a run does not wait longer for its inhibitor.
const TIMEOUT: Duration = Duration::from_secs(2);

/// logind's inhibitor: it lasts as long as the fd is open.
#[derive(Debug)]
pub struct Held(#[allow(dead_code, reason = "held for its Drop, which closes it")] OwnedFd);

/// logind's answer, when it is no inhibitor: no logind on the bus, or a refusal.
fn asked(e: zbus::Error) -> io::Error {
    io::Error::other(format!("logind on the system bus: {e}"))
}

pub async fn hold(why: &str) -> io::Result<Held> {
    let call = async {
        let connection = zbus::Connection::system().await.map_err(|_| {
            let at = std::env::var("DBUS_SYSTEM_BUS_ADDRESS")
                .unwrap_or_else(|_| "unix:path=/var/run/dbus/system_bus_socket".into());
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no system bus at {at}, so no logind"),
            )
        })?;
        let reply = connection
            .call_method(
                Some(LOGIND),
                LOGIND_PATH,
                Some(MANAGER),
                "Inhibit",
                &("sleep:idle", "synctray", why, "block"),
            )
            .await
            .map_err(asked)?;
        let fd: zbus::OwnedFd = reply.body().deserialize().map_err(asked)?;
        Ok::<_, io::Error>(Held(fd.into()))
    };
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(held) => held,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "logind on the system bus did not answer within 2 s",
        )),
    }
}
