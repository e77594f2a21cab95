//! Scheduled runs that wait to be online, as the `network` key of `data/config/sync.json`
//! asks (read by [`crate::config`] into a [`Network`]).
//!
//! With `"require": true`, a scheduled or catch-up run that falls due while the machine is
//! offline waits ([`crate::wait`], the one wait before a run, holding no lock) until it is
//! online, then runs once. What is here is what "online" means: the system has a usable route out ([`crate::sys::route_out`]: a default route on
//! Linux, the platform's reachability API elsewhere) and, with a `probe`, that a TCP
//! connection to it succeeds within [`PROBE_TIMEOUT`]. While waiting it checks every
//! [`CHECK_EVERY`]; nothing here runs while idle. Manual and CLI runs never wait.

use std::fmt;
use std::time::Duration;

use crate::config::Network;

/// How often a waiting run looks again.
pub const CHECK_EVERY: Duration = crate::condition::CHECK_NETWORK_EVERY;
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
