//! `network`: whether scheduled runs wait to be online, and the probe that says so. How a
//! run waits, and how the machine is found online, is behaviour, kept outside the config.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, flag, invalid, read_nested, unknown_keys_in};

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
    /// Parses `"host:port"`, `"[v6]:port"`.
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

/// `network`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
struct RawNetwork {
    #[serde(default, deserialize_with = "super::given")]
    require: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    probe: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Network {
    /// Validates the `network` value (absent: runs never wait). Its unknown keys are
    /// `warnings`, and so is a probe given without `require` (likely forgotten: a probe
    /// alone makes no run wait; an explicit `"require": false` is a choice, and not warned
    /// about).
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Network, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(Network::default());
        };
        let raw: RawNetwork = read_nested("network", SHAPE, value)?;
        let require = flag(&raw.require, "network.require", false)?;
        let probe = match &raw.probe {
            None | Some(Value::Null) => None,
            Some(v @ Value::String(s)) => {
                Some(Probe::parse(s).ok_or_else(|| invalid("network.probe", PROBE_ALLOWED, v))?)
            }
            Some(v) => return Err(invalid("network.probe", PROBE_ALLOWED, v)),
        };
        warnings.extend(unknown_keys_in::<RawNetwork>("network", &raw.unknown));
        if raw.probe.is_some() && raw.require.is_none() {
            warnings.push(super::ConfigWarning::ProbeWithoutRequire);
        }
        Ok(Network { require, probe })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

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
        assert!(
            config
                .warnings
                .iter()
                .any(|w| w.to_string().starts_with("network.x: unknown key"))
        );
        assert!(
            config
                .warnings
                .contains(&crate::config::ConfigWarning::ProbeWithoutRequire)
        );
    }
}
