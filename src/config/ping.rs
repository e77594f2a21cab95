//! `ping`: the URL of a health monitor that speaks the healthchecks.io protocol. What is
//! sent, and when, is `crate::ping`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, http_url, invalid, missing, read_nested, unknown_keys_in};

const SHAPE: &str = "must be an object such as {\"url\": \"https://hc-ping.com/<uuid>\"}";
const URL_ALLOWED: &str = "must be an http:// or https:// URL with a host, without spaces, a query or a fragment, such as \"https://hc-ping.com/<uuid>\"";

/// A validated `ping`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ping {
    /// The check's URL, without a trailing `/`: `/start`, `/fail` and `?rid=` go after it.
    pub url: String,
}

/// `ping`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
struct RawPing {
    #[serde(default, deserialize_with = "super::given")]
    url: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// Whether `url` is one the pings can use: an [`http_url`] with nothing after its path
/// (the pings add `/start` and `/fail` to it).
fn usable(url: &str) -> bool {
    http_url(url) && !url.contains(['?', '#'])
}

impl Ping {
    /// Validates the `ping` value (absent: no pings); its unknown keys are `warnings`.
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Option<Ping>, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(None);
        };
        let raw: RawPing = read_nested("ping", SHAPE, value)?;
        let url = match &raw.url {
            Some(Value::String(s)) if usable(s) => s.trim_end_matches('/').to_owned(),
            Some(v) => return Err(invalid("ping.url", URL_ALLOWED, v)),
            None => return Err(missing("ping.url", URL_ALLOWED)),
        };
        warnings.extend(unknown_keys_in::<RawPing>("ping", &raw.unknown));
        Ok(Some(Ping { url }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

    #[test]
    fn ping_is_read() {
        let config =
            Config::parse(r#"{"ping": {"url": "https://hc-ping.com/1234-abcd/"}}"#).unwrap();
        assert_eq!(
            config.ping,
            Some(Ping {
                url: "https://hc-ping.com/1234-abcd".into()
            })
        );
        let local = Config::parse(r#"{"ping": {"url": "http://127.0.0.1:8000/ping/x"}}"#);
        assert_eq!(
            local.unwrap().ping.unwrap().url,
            "http://127.0.0.1:8000/ping/x"
        );
        assert_eq!(Config::parse("{}").unwrap().ping, None);
    }

    #[test]
    fn only_http_and_https_urls_are_allowed() {
        assert!(error(r#"{"ping": "https://x"}"#).starts_with("ping must be an object such as"));
        for bad in [
            "ftp://example.com/x",
            "hc-ping.com/uuid",
            "https://",
            "https:///path",
            "https://example.com/a b",
            "https://example.com/x?rid=1",
            "file:///etc/passwd",
        ] {
            let e = error(&format!(r#"{{"ping": {{"url": "{bad}"}}}}"#));
            assert!(
                e.starts_with("ping.url must be an http:// or https:// URL"),
                "{e}"
            );
            assert!(e.ends_with(&format!("got \"{bad}\"")), "{e}");
        }
        assert!(error(r#"{"ping": {"url": 3}}"#).ends_with("got 3"));
        assert!(error(r#"{"ping": {}}"#).starts_with("ping.url is missing"));
    }
}
