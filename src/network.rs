//! `network` in `data/config/sync.json`: scheduled runs that wait to be online.
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

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::{Notify, watch};

use crate::config::{self, ConfigErrorKind, invalid};
use crate::runner::Stop;
use crate::workspace::Workspace;

/// How often a waiting run looks again.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How long the probe's TCP connection may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

const SHAPE: &str =
    "must be an object such as {\"require\": true, \"probe\": \"api.example.com:443\"}";
const PROBE_ALLOWED: &str =
    "must be a \"host:port\" string (port 1 to 65535; an IPv6 address in brackets, \"[::1]:443\")";

/// A validated `network`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Scheduled and catch-up runs wait until the machine is online (default false).
    pub require: bool,
    /// Also connect here to call the machine online.
    pub probe: Option<Probe>,
}

/// A `host:port` to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// A name or an address (an IPv6 address without its brackets).
    pub host: String,
    pub port: u16,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Probe {
    /// Parses "host:port", "[v6]:port".
    pub fn parse(text: &str) -> Option<Probe> {
        let (host, port) = text.rsplit_once(':')?;
        let host = match host.strip_prefix('[') {
            Some(inner) => inner.strip_suffix(']')?,
            None if host.contains(':') => return None,
            None => host,
        };
        let bad = |c: char| c.is_whitespace() || c.is_control() || "/[]@".contains(c);
        if host.is_empty() || host.chars().any(bad) {
            return None;
        }
        let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
        Some(Probe {
            host: host.to_owned(),
            port,
        })
    }
}

/// `network`, as written (see [`config`]'s raw structs).
#[derive(Debug, Default, Deserialize, Serialize)]
struct RawNetwork {
    #[serde(default, deserialize_with = "config::given")]
    require: Option<Value>,
    #[serde(default, deserialize_with = "config::given")]
    probe: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Network {
    /// Validates the `network` value (absent: runs never wait). Its unknown keys are
    /// `warnings`, and so is a probe given without `require` (likely forgotten: a probe
    /// alone makes no run wait; an explicit `"require": false` is a choice, and not warned
    /// about).
    pub fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<String>,
    ) -> Result<Network, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(Network::default());
        };
        let Value::Object(object) = value else {
            return Err(invalid("network", SHAPE, value));
        };
        let raw: RawNetwork = config::read_raw(object)?;
        let require = config::flag(&raw.require, "network.require", false)?;
        let probe = match &raw.probe {
            None | Some(Value::Null) => None,
            Some(v @ Value::String(s)) => {
                Some(Probe::parse(s).ok_or_else(|| invalid("network.probe", PROBE_ALLOWED, v))?)
            }
            Some(v) => return Err(invalid("network.probe", PROBE_ALLOWED, v)),
        };
        warnings.extend(config::unknown_keys_in::<RawNetwork>(
            "network",
            &raw.unknown,
        ));
        if raw.probe.is_some() && raw.require.is_none() {
            warnings.push(
                "\"network.probe\" is only used with \"network.require\": true (runs do not wait for the network)".into(),
            );
        }
        Ok(Network { require, probe })
    }
}

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
    use crate::config::Config;

    fn error(text: &str) -> String {
        match Config::parse(text) {
            Err(ConfigErrorKind::Invalid { key, message }) => format!("{key} {message}"),
            other => panic!("{text}: expected an invalid value, got {other:?}"),
        }
    }

    #[test]
    fn network_is_read() {
        let config =
            Config::parse(r#"{"network": {"require": true, "probe": "api.example.com:443"}}"#)
                .unwrap();
        assert!(config.network.require);
        let probe = config.network.probe.unwrap();
        assert_eq!((probe.host.as_str(), probe.port), ("api.example.com", 443));
        assert_eq!(probe.to_string(), "api.example.com:443");
        assert_eq!(
            Probe::parse("[::1]:8080").unwrap().to_string(),
            "[::1]:8080"
        );
        assert!(!Config::parse("{}").unwrap().network.require);
    }

    #[test]
    fn bad_network_values_name_the_key_and_what_is_allowed() {
        assert!(error(r#"{"network": true}"#).starts_with("network must be an object"));
        assert_eq!(
            error(r#"{"network": {"require": "yes"}}"#),
            "network.require must be true or false, got \"yes\""
        );
        for bad in [
            "example.com",
            "example.com:0",
            "example.com:70000",
            ":443",
            "::1:443",
            "a b:1",
        ] {
            let e = error(&format!(
                r#"{{"network": {{"require": true, "probe": "{bad}"}}}}"#
            ));
            assert!(
                e.starts_with("network.probe must be a \"host:port\" string"),
                "{e}"
            );
            assert!(e.ends_with(&format!("got \"{bad}\"")), "{e}");
        }
    }

    #[test]
    fn a_probe_without_require_is_a_warning() {
        let config = Config::parse(r#"{"network": {"probe": "example.com:443", "x": 1}}"#).unwrap();
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        let off = r#"{"network": {"require": false, "probe": "example.com:443"}}"#;
        assert!(Config::parse(off).unwrap().warnings.is_empty());
        assert!(config.warnings.iter().any(|w| w.contains("\"network.x\"")));
        assert!(config.warnings.iter().any(|w| w.contains("only used with")));
    }

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
