//! Scheduled runs that wait to be online, as the `network` key of `data/config/sync.json`
//! asks (read by [`crate::config`] into a [`Network`]).
//!
//! With `"require": true`, a scheduled or catch-up run that falls due while the machine is
//! offline waits here, holding no lock, until it is online, then runs once. Online means
//! the system has a usable route out ([`crate::sys::route_out`]: a default route on
//! Linux, the platform's reachability API elsewhere) and, with a `probe`, that a TCP
//! connection to it succeeds within [`PROBE_TIMEOUT`]. While waiting it checks every
//! [`CHECK_EVERY`]; nothing here runs while idle. Manual and CLI runs never wait.
//!
//! Other processes (`synctray status`) learn of the wait through a marker file,
//! `data/.sync-network-wait`, that exists while a run waits and carries an OS lock held by
//! the waiting process. The lock, not the file, is the fact: a marker left by a killed
//! process has no lock, and reads as "not waiting".

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::config::Network;
use crate::runner::Stop;
use crate::workspace::Workspace;

/// How often a waiting run looks again.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How long the probe's TCP connection may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the machine does not count as online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offline {
    /// The system has no usable route out.
    NoRoute,
    /// The probe did not answer: where, and why.
    Probe(String, String),
}

impl fmt::Display for Offline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Offline::NoRoute => f.write_str("no route out (no default route)"),
            Offline::Probe(at, why) => write!(f, "the probe {at} did not answer: {why}"),
        }
    }
}

/// Whether the machine is online as `network` defines it (the route, then the probe).
pub async fn check(network: &Network) -> Result<(), Offline> {
    match crate::sys::route_out() {
        Ok(true) => {}
        Ok(false) => return Err(Offline::NoRoute),
        // A system that cannot say is trusted to be online; the probe, if any, decides.
        Err(e) => tracing::debug!("cannot read the routing table ({e}); assuming a route"),
    }
    let Some(probe) = &network.probe else {
        return Ok(());
    };
    let connect = tokio::net::TcpStream::connect((probe.host.as_str(), probe.port));
    match tokio::time::timeout(PROBE_TIMEOUT, connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Offline::Probe(probe.to_string(), e.to_string())),
        Err(_) => Err(Offline::Probe(
            probe.to_string(),
            format!("no connection within {} s", PROBE_TIMEOUT.as_secs()),
        )),
    }
}

/// How a wait for the network ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The machine is online.
    Online,
    /// "Sync now" was chosen meanwhile: run now, without the network.
    SyncNow,
    /// The scheduler is stopping: run nothing.
    Stopped,
}

/// Waits until the machine is online, looking every [`CHECK_EVERY`]. `offline` is called
/// once, when the first check fails (before any wait); `sync_now` cuts the wait short.
pub async fn wait_until_online(
    network: &Network,
    stop: &mut watch::Receiver<Stop>,
    sync_now: &Notify,
    offline: impl FnOnce(&Offline),
) -> Waited {
    let mut offline = Some(offline);
    loop {
        if *stop.borrow() != Stop::Run {
            return Waited::Stopped;
        }
        let next = tokio::time::Instant::now() + CHECK_EVERY;
        let outcome = tokio::select! {
            result = check(network) => Some(result),
            () = stopped(stop) => return Waited::Stopped,
            () = sync_now.notified() => return Waited::SyncNow,
        };
        match outcome {
            Some(Ok(())) => return Waited::Online,
            Some(Err(why)) => {
                if let Some(first) = offline.take() {
                    first(&why);
                } else {
                    tracing::debug!("still offline: {why}");
                }
            }
            None => {}
        }
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = stopped(stop) => return Waited::Stopped,
            () = sync_now.notified() => return Waited::SyncNow,
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<Stop>) {
    let _ = stop.wait_for(|s| *s != Stop::Run).await;
}

/// The marker file of a run waiting for the network.
pub fn marker_path(ws: &Workspace) -> PathBuf {
    ws.lock.with_file_name(".sync-network-wait")
}

/// A run is waiting for the network while this value lives: the marker file exists and
/// its OS lock is held. Dropping it removes the file, then releases the lock.
#[derive(Debug)]
#[must_use = "the wait is over when this value is dropped"]
pub struct WaitMarker {
    file: File,
    path: PathBuf,
}

impl WaitMarker {
    /// Creates the marker (refusing a symbolic link at its path) and locks it.
    pub fn create(path: &Path) -> io::Result<WaitMarker> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let mut file = crate::sys::open_nofollow(path).map_err(named)?;
        // A reader holds its shared lock for an instant only.
        file.lock().map_err(named)?;
        let text = format!("pid={}\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.write_all(text.as_bytes()))
            .map_err(named)?;
        Ok(WaitMarker {
            file,
            path: path.to_owned(),
        })
    }
}

impl Drop for WaitMarker {
    fn drop(&mut self) {
        if crate::sys::same_file(&self.file, &self.path).unwrap_or(false) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether some process has a run waiting for the network in this workspace.
pub fn is_waiting(path: &Path) -> bool {
    if std::fs::symlink_metadata(path).map_or(true, |m| !m.is_file()) {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    match file.try_lock_shared() {
        Err(std::fs::TryLockError::WouldBlock) => true,
        Ok(()) | Err(std::fs::TryLockError::Error(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_says_waiting_only_while_its_holder_lives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-network-wait");
        assert!(!is_waiting(&path));
        let marker = WaitMarker::create(&path).unwrap();
        assert!(is_waiting(&path));
        drop(marker);
        assert!(!is_waiting(&path));
        assert!(!path.exists());
        // A marker left behind by a killed process holds no lock.
        std::fs::write(&path, "pid=1\n").unwrap();
        assert!(!is_waiting(&path));
    }
}
