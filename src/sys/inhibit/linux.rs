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

pub async fn hold(why: &str) -> io::Result<Held> {
    let call = async {
        let connection = zbus::Connection::system().await?;
        let reply = connection
            .call_method(
                Some(LOGIND),
                LOGIND_PATH,
                Some(MANAGER),
                "Inhibit",
                &("sleep:idle", "synctray", why, "block"),
            )
            .await?;
        let fd: zbus::OwnedFd = reply.body().deserialize()?;
        Ok::<_, zbus::Error>(Held(fd.into()))
    };
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(held) => held.map_err(|e| io::Error::other(format!("logind on the system bus: {e}"))),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "logind on the system bus did not answer within 2 s",
        )),
    }
}
