//! `metrics`: where the node_exporter textfile goes. What it holds, and how it is written,
//! is `crate::metrics`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, invalid, missing, read_nested, unknown_keys_in};

const SHAPE: &str =
    "must be an object such as {\"textfile\": \"/var/lib/prometheus/node-exporter/synctray.prom\"}";
const TEXTFILE_ALLOWED: &str = "must be the path of a file whose name ends in \".prom\" (node_exporter's textfile collector reads only those; a relative path is from the workspace folder)";

/// A validated `metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// The textfile, as written (relative: from the workspace folder).
    pub textfile: PathBuf,
}

/// `metrics`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
struct RawMetrics {
    #[serde(default, deserialize_with = "super::given")]
    textfile: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

impl Metrics {
    /// Validates the `metrics` value (absent: no textfile); its unknown keys are
    /// `warnings`.
    pub(super) fn from_json(
        value: Option<&Value>,
        warnings: &mut Vec<super::ConfigWarning>,
    ) -> Result<Option<Metrics>, ConfigErrorKind> {
        let Some(value) = value else {
            return Ok(None);
        };
        let raw: RawMetrics = read_nested("metrics", SHAPE, value)?;
        let textfile = match &raw.textfile {
            Some(Value::String(s))
                if s.ends_with(".prom")
                    && !s.contains('\0')
                    && !s.ends_with("/.prom")
                    && s != ".prom" =>
            {
                PathBuf::from(s)
            }
            Some(v) => return Err(invalid("metrics.textfile", TEXTFILE_ALLOWED, v)),
            None => return Err(missing("metrics.textfile", TEXTFILE_ALLOWED)),
        };
        warnings.extend(unknown_keys_in::<RawMetrics>("metrics", &raw.unknown));
        Ok(Some(Metrics { textfile }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

    #[test]
    fn metrics_are_read() {
        let config =
            Config::parse(r#"{"metrics": {"textfile": "/var/lib/n/synctray.prom"}}"#).unwrap();
        assert_eq!(
            config.metrics,
            Some(Metrics {
                textfile: "/var/lib/n/synctray.prom".into()
            })
        );
        assert_eq!(Config::parse("{}").unwrap().metrics, None);
    }

    #[test]
    fn bad_metrics_name_the_key_and_what_is_allowed() {
        assert!(error(r#"{"metrics": "x.prom"}"#).starts_with("metrics must be an object such as"));
        for bad in [r#""synctray.txt""#, "3", r#""""#, r#""dir/.prom""#] {
            let e = error(&format!(r#"{{"metrics": {{"textfile": {bad}}}}}"#));
            assert!(
                e.starts_with(
                    "metrics.textfile must be the path of a file whose name ends in \".prom\""
                ),
                "{e}"
            );
            assert!(e.ends_with(&format!("got {bad}")), "{e}");
        }
        assert!(error(r#"{"metrics": {}}"#).starts_with("metrics.textfile is missing"));
    }
}
