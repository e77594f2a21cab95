//! `alerts`: the channels that tell a person away from the desk — ntfy, a webhook (JSON,
//! Slack, Discord), a command — and which incidents each is told (`on`). What is sent,
//! and when, is `crate::alerts`.
//!
//! Secrets never stand in this file: an ntfy token comes from `tokenFile` or `tokenEnv`,
//! a webhook's headers from the environment (`headersFromEnv`). They are read when a
//! message is sent (a rotated token is used at once); `tokenFile` must be readable when
//! the configuration loads (checked in `check_files`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Wants;
use super::{ConfigErrorKind, http_url, invalid, missing, read_nested, unknown_keys_in};

const SHAPE: &str = "must be a list of channels such as [{\"type\": \"ntfy\", \"url\": \"https://ntfy.sh/my-topic\"}]";
const CHANNEL_SHAPE: &str =
    "must be an object with a \"type\": \"ntfy\", \"webhook\" or \"command\"";
const TYPE_ALLOWED: &str = "must be \"ntfy\", \"webhook\" or \"command\"";
const URL_ALLOWED: &str = "must be an http:// or https:// URL with a host, without spaces, such as \"https://ntfy.sh/my-topic\"";
const FORMAT_ALLOWED: &str = "must be \"json\", \"slack\" or \"discord\"";
const ON_ALLOWED: &str = "must be a list of at least one of \"failure\", \"recovery\", \"stale\", \"problem\", \"success\"";
const COMMAND_ALLOWED: &str = "must be a list of strings, the program first, such as [\"/usr/local/bin/page-me\", \"--urgent\"]";
const TOKEN_FILE_ALLOWED: &str = "must be the path of a file that holds the token (a relative path is from the workspace folder)";
const ENV_ALLOWED: &str = "must be the name of an environment variable, such as \"NTFY_TOKEN\"";
const HEADERS_ALLOWED: &str = "must be an object of header names and the environment variables that hold their values, such as {\"Authorization\": \"HOOK_TOKEN\"}";

/// One validated channel of `alerts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Where the alert goes.
    pub channel: Channel,
    /// Which incidents it is told (`on`).
    pub on: Wants,
    /// `alerts[N]`, as errors and the log name it.
    pub key: String,
}

/// Where an alert goes, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// An ntfy topic: the message as the body, a title, a priority and tags in headers.
    Ntfy { url: String, token: Option<Secret> },
    /// An HTTP POST of the event in `format`, with headers whose values come from the
    /// environment.
    Webhook {
        url: String,
        format: Format,
        /// Header name, and the environment variable that holds its value.
        headers_from_env: Vec<(String, String)>,
    },
    /// A program run with the event as JSON on its standard input.
    Command { argv: Vec<String> },
}

impl Channel {
    /// The channel's type, as the file names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Ntfy { .. } => "ntfy",
            Channel::Webhook { .. } => "webhook",
            Channel::Command { .. } => "command",
        }
    }
}

/// Where a secret is read from when a message is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// A file (relative: from the workspace folder); its text, trimmed.
    File(PathBuf),
    /// An environment variable of synctray's process.
    Env(String),
}

impl Secret {
    /// The secret's value now; `root` is the workspace folder. The error says where it was
    /// looked for, never what it holds.
    pub fn read(&self, root: &Path) -> Result<String, String> {
        let value = match self {
            Secret::File(path) => {
                let path = root.join(path);
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?
            }
            Secret::Env(name) => std::env::var(name)
                .map_err(|_| format!("the environment variable {name} is not set"))?,
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(match self {
                Secret::File(path) => format!("the token file {} is empty", path.display()),
                Secret::Env(name) => format!("the environment variable {name} is empty"),
            });
        }
        // A line break would end the header it goes in.
        if value.contains(['\n', '\r']) {
            return Err("the token holds a line break".to_owned());
        }
        Ok(value.to_owned())
    }
}

/// A webhook's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The event object (see `crate::alerts::Event`).
    Json,
    /// `{"text": …}`, as Slack's incoming webhooks expect.
    Slack,
    /// `{"content": …}`, as Discord's webhooks expect.
    Discord,
}

/// One channel, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawAlert {
    #[serde(default, rename = "type", deserialize_with = "super::given")]
    kind: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    url: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    token_file: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    token_env: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    format: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    headers_from_env: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    command: Option<Value>,
    #[serde(default, deserialize_with = "super::given")]
    on: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// The incidents a channel is told when it has no `on`.
pub const DEFAULT_ON: Wants = Wants {
    failure: true,
    recovery: true,
    stale: true,
    problem: true,
    success: false,
};

/// An environment variable's name: letters, digits and `_`, not a digit first.
fn env_name(value: &Value) -> Option<String> {
    let name = value.as_str()?;
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then(|| name.to_owned())
}

/// An HTTP header's name (an RFC 9110 token).
fn header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// Validates the `alerts` value (absent: no channels); unknown keys, and keys another
/// type of channel reads, are `warnings`.
pub(super) fn from_json(
    value: Option<&Value>,
    warnings: &mut Vec<super::ConfigWarning>,
) -> Result<Vec<Alert>, ConfigErrorKind> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err(invalid("alerts", SHAPE, value));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| one(&format!("alerts[{i}]"), item, warnings))
        .collect()
}

fn one(
    key: &str,
    value: &Value,
    warnings: &mut Vec<super::ConfigWarning>,
) -> Result<Alert, ConfigErrorKind> {
    let raw: RawAlert = read_nested(key, CHANNEL_SHAPE, value)?;
    let at = |name: &str| format!("{key}.{name}");
    let kind = match &raw.kind {
        Some(Value::String(s)) if ["ntfy", "webhook", "command"].contains(&s.as_str()) => {
            s.as_str()
        }
        Some(v) => return Err(invalid(at("type"), TYPE_ALLOWED, v)),
        None => return Err(missing(at("type"), TYPE_ALLOWED)),
    };
    let url = || match &raw.url {
        Some(Value::String(s)) if http_url(s) => Ok(s.clone()),
        Some(v) => Err(invalid(at("url"), URL_ALLOWED, v)),
        None => Err(missing(at("url"), URL_ALLOWED)),
    };
    // Keys of the other types of channel: not read here, said.
    let not_for = |names: &[(&str, bool)], warnings: &mut Vec<super::ConfigWarning>| {
        for (name, given) in names {
            if *given {
                warnings.push(super::ConfigWarning::NotForChannel {
                    key: at(name),
                    kind: kind.to_owned(),
                });
            }
        }
    };
    let channel = match kind {
        "ntfy" => {
            let token = match (&raw.token_file, &raw.token_env) {
                (Some(_), Some(_)) => {
                    return Err(ConfigErrorKind::Invalid {
                        key: at("tokenFile"),
                        message:
                            "and tokenEnv cannot both be given: the token comes from one of them"
                                .into(),
                    });
                }
                (Some(Value::String(s)), None) if !s.is_empty() && !s.contains('\0') => {
                    Some(Secret::File(PathBuf::from(s)))
                }
                (Some(v), None) => return Err(invalid(at("tokenFile"), TOKEN_FILE_ALLOWED, v)),
                (None, Some(v)) => Some(Secret::Env(
                    env_name(v).ok_or_else(|| invalid(at("tokenEnv"), ENV_ALLOWED, v))?,
                )),
                (None, None) => None,
            };
            not_for(
                &[
                    ("format", raw.format.is_some()),
                    ("headersFromEnv", raw.headers_from_env.is_some()),
                    ("command", raw.command.is_some()),
                ],
                warnings,
            );
            Channel::Ntfy { url: url()?, token }
        }
        "webhook" => {
            let format = match &raw.format {
                None => Format::Json,
                Some(Value::String(s)) if s == "json" => Format::Json,
                Some(Value::String(s)) if s == "slack" => Format::Slack,
                Some(Value::String(s)) if s == "discord" => Format::Discord,
                Some(v) => return Err(invalid(at("format"), FORMAT_ALLOWED, v)),
            };
            let headers_from_env = match &raw.headers_from_env {
                None => Vec::new(),
                Some(Value::Object(map)) => {
                    let mut headers = Vec::new();
                    for (name, var) in map {
                        if !header_name(name) {
                            return Err(invalid(
                                at("headersFromEnv"),
                                HEADERS_ALLOWED,
                                &Value::String(name.clone()),
                            ));
                        }
                        let var = env_name(var).ok_or_else(|| {
                            invalid(at(&format!("headersFromEnv.{name}")), ENV_ALLOWED, var)
                        })?;
                        headers.push((name.clone(), var));
                    }
                    headers
                }
                Some(v) => return Err(invalid(at("headersFromEnv"), HEADERS_ALLOWED, v)),
            };
            not_for(
                &[
                    ("tokenFile", raw.token_file.is_some()),
                    ("tokenEnv", raw.token_env.is_some()),
                    ("command", raw.command.is_some()),
                ],
                warnings,
            );
            Channel::Webhook {
                url: url()?,
                format,
                headers_from_env,
            }
        }
        _ => {
            let argv = match &raw.command {
                Some(Value::Array(items)) if !items.is_empty() => {
                    let argv: Option<Vec<String>> = items
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    match argv {
                        Some(argv)
                            if !argv[0].is_empty() && !argv.iter().any(|a| a.contains('\0')) =>
                        {
                            argv
                        }
                        _ => {
                            return Err(invalid(
                                at("command"),
                                COMMAND_ALLOWED,
                                raw.command.as_ref().unwrap(),
                            ));
                        }
                    }
                }
                Some(v) => return Err(invalid(at("command"), COMMAND_ALLOWED, v)),
                None => return Err(missing(at("command"), COMMAND_ALLOWED)),
            };
            not_for(
                &[
                    ("url", raw.url.is_some()),
                    ("tokenFile", raw.token_file.is_some()),
                    ("tokenEnv", raw.token_env.is_some()),
                    ("format", raw.format.is_some()),
                    ("headersFromEnv", raw.headers_from_env.is_some()),
                ],
                warnings,
            );
            Channel::Command { argv }
        }
    };
    let on = match &raw.on {
        None => DEFAULT_ON,
        Some(v @ Value::Array(items)) if !items.is_empty() => {
            let mut on = Wants {
                failure: false,
                recovery: false,
                stale: false,
                problem: false,
                success: false,
            };
            for item in items {
                let flag = match item.as_str() {
                    Some("failure") => &mut on.failure,
                    Some("recovery") => &mut on.recovery,
                    Some("stale") => &mut on.stale,
                    Some("problem") => &mut on.problem,
                    Some("success") => &mut on.success,
                    _ => return Err(invalid(at("on"), ON_ALLOWED, v)),
                };
                *flag = true;
            }
            on
        }
        Some(v) => return Err(invalid(at("on"), ON_ALLOWED, v)),
    };
    warnings.extend(unknown_keys_in::<RawAlert>(key, &raw.unknown));
    Ok(Alert {
        channel,
        on,
        key: key.to_owned(),
    })
}

/// The checks that need the disk and the environment, for a configuration loaded from
/// the workspace at `root`: each `tokenFile` must be readable (an error naming the key);
/// an unset `tokenEnv` or `headersFromEnv` variable is a warning (the daemon's
/// environment may hold it when the shell's does not).
pub(super) fn check_files(
    alerts: &[Alert],
    root: &Path,
    warnings: &mut Vec<super::ConfigWarning>,
) -> Result<(), ConfigErrorKind> {
    for alert in alerts {
        match &alert.channel {
            Channel::Ntfy {
                token: Some(secret @ Secret::File(_)),
                ..
            } => {
                if let Err(e) = secret.read(root) {
                    return Err(ConfigErrorKind::Invalid {
                        key: format!("{}.tokenFile", alert.key),
                        message: e,
                    });
                }
            }
            Channel::Ntfy {
                token: Some(Secret::Env(name)),
                ..
            } if std::env::var_os(name).is_none() => {
                warnings.push(super::ConfigWarning::EnvNotSet {
                    key: format!("{}.tokenEnv", alert.key),
                    var: name.clone(),
                })
            }
            Channel::Webhook {
                headers_from_env, ..
            } => {
                for (header, name) in headers_from_env {
                    if std::env::var_os(name).is_none() {
                        warnings.push(super::ConfigWarning::EnvNotSet {
                            key: format!("{}.headersFromEnv.{header}", alert.key),
                            var: name.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    use super::super::tests::invalid as error;

    #[test]
    fn every_type_of_channel_is_read_with_its_defaults() {
        let config = Config::parse(
            r#"{"alerts": [
                {"type": "ntfy", "url": "https://ntfy.sh/my-topic", "tokenFile": "/etc/t"},
                {"type": "ntfy", "url": "http://127.0.0.1:8080/t", "tokenEnv": "NTFY_TOKEN", "on": ["failure", "success"]},
                {"type": "webhook", "url": "https://hooks.slack.com/services/A/B", "format": "slack"},
                {"type": "webhook", "url": "https://example.com/hook?x=1", "headersFromEnv": {"Authorization": "HOOK_TOKEN"}},
                {"type": "command", "command": ["/usr/local/bin/page-me", "--urgent"]}
            ]}"#,
        )
        .unwrap();
        let a = &config.alerts;
        assert_eq!(a.len(), 5);
        assert_eq!(
            a[0].channel,
            Channel::Ntfy {
                url: "https://ntfy.sh/my-topic".into(),
                token: Some(Secret::File("/etc/t".into()))
            }
        );
        assert_eq!(a[0].on, DEFAULT_ON);
        assert!(a[1].on.failure && a[1].on.success && !a[1].on.recovery && !a[1].on.stale);
        assert!(matches!(
            a[2].channel,
            Channel::Webhook {
                format: Format::Slack,
                ..
            }
        ));
        assert_eq!(
            a[3].channel,
            Channel::Webhook {
                url: "https://example.com/hook?x=1".into(),
                format: Format::Json,
                headers_from_env: vec![("Authorization".into(), "HOOK_TOKEN".into())]
            }
        );
        assert_eq!(
            a[4].channel,
            Channel::Command {
                argv: vec!["/usr/local/bin/page-me".into(), "--urgent".into()]
            }
        );
        assert_eq!(a[4].key, "alerts[4]");
        assert!(Config::parse("{}").unwrap().alerts.is_empty());
    }

    #[test]
    fn a_bad_channel_names_its_key_and_what_is_allowed() {
        let cases = [
            (r#"{"alerts": {}}"#, "alerts must be a list of channels"),
            (
                r#"{"alerts": [3]}"#,
                "alerts[0] must be an object with a \"type\"",
            ),
            (
                r#"{"alerts": [{"url": "https://x"}]}"#,
                "alerts[0].type is missing",
            ),
            (
                r#"{"alerts": [{"type": "gotify"}]}"#,
                "alerts[0].type must be \"ntfy\"",
            ),
            (
                r#"{"alerts": [{"type": "ntfy"}]}"#,
                "alerts[0].url is missing",
            ),
            (
                r#"{"alerts": [{"type": "ntfy", "url": "ftp://x/t"}]}"#,
                "alerts[0].url must be an http:// or https:// URL",
            ),
            (
                r#"{"alerts": [{"type": "webhook", "url": "file:///etc/passwd"}]}"#,
                "alerts[0].url must be an http:// or https:// URL",
            ),
            (
                r#"{"alerts": [{"type": "webhook", "url": "https://x", "format": "teams"}]}"#,
                "alerts[0].format must be \"json\", \"slack\" or \"discord\"",
            ),
            (
                r#"{"alerts": [{"type": "webhook", "url": "https://x", "headersFromEnv": {"Authorization": "not a name"}}]}"#,
                "alerts[0].headersFromEnv.Authorization must be the name of an environment variable",
            ),
            (
                r#"{"alerts": [{"type": "webhook", "url": "https://x", "headersFromEnv": {"Bad Name": "X"}}]}"#,
                "alerts[0].headersFromEnv must be an object of header names",
            ),
            (
                r#"{"alerts": [{"type": "ntfy", "url": "https://x", "tokenFile": "/a", "tokenEnv": "B"}]}"#,
                "alerts[0].tokenFile and tokenEnv cannot both be given",
            ),
            (
                r#"{"alerts": [{"type": "ntfy", "url": "https://x", "tokenEnv": "A-B"}]}"#,
                "alerts[0].tokenEnv must be the name of an environment variable",
            ),
            (
                r#"{"alerts": [{"type": "command"}]}"#,
                "alerts[0].command is missing",
            ),
            (
                r#"{"alerts": [{"type": "command", "command": "page-me --now"}]}"#,
                "alerts[0].command must be a list of strings",
            ),
            (
                r#"{"alerts": [{"type": "command", "command": []}]}"#,
                "alerts[0].command must be a list of strings",
            ),
            (
                r#"{"alerts": [{"type": "command", "command": ["x"], "on": ["failure", "sometimes"]}]}"#,
                "alerts[0].on must be a list of at least one of",
            ),
            (
                r#"{"alerts": [{"type": "command", "command": ["x"], "on": []}]}"#,
                "alerts[0].on must be a list of at least one of",
            ),
        ];
        for (text, start) in cases {
            let e = error(text);
            assert!(e.starts_with(start), "{text}: {e}");
        }
    }

    #[test]
    fn keys_of_another_type_and_unknown_keys_are_warnings() {
        let config = Config::parse(
            r#"{"alerts": [{"type": "command", "command": ["x"], "url": "https://x", "priority": 5}]}"#,
        )
        .unwrap();
        assert_eq!(
            super::super::tests::words(&config.warnings),
            [
                "alerts[0].url: not a key of a command channel, ignored",
                "alerts[0].priority: unknown key, ignored (known: type, url, tokenFile, tokenEnv, format, headersFromEnv, command, on)"
            ]
        );
    }

    #[test]
    fn an_unreadable_token_file_is_an_error_and_an_unset_variable_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "tk_123\n").unwrap();
        let config = Config::parse(
            r#"{"alerts": [
                {"type": "ntfy", "url": "https://x/t", "tokenFile": "token"},
                {"type": "ntfy", "url": "https://x/t", "tokenEnv": "SYNCTRAY_TEST_UNSET_TOKEN"}]}"#,
        )
        .unwrap();
        let mut warnings = Vec::new();
        check_files(&config.alerts, dir.path(), &mut warnings).unwrap();
        assert_eq!(
            super::super::tests::words(&warnings),
            [
                "alerts[1].tokenEnv: SYNCTRAY_TEST_UNSET_TOKEN is not set in this process's environment"
            ]
        );
        let Channel::Ntfy { token: Some(t), .. } = &config.alerts[0].channel else {
            panic!()
        };
        assert_eq!(t.read(dir.path()).unwrap(), "tk_123");
        let gone = Config::parse(
            r#"{"alerts": [{"type": "ntfy", "url": "https://x/t", "tokenFile": "nowhere"}]}"#,
        )
        .unwrap();
        match check_files(&gone.alerts, dir.path(), &mut warnings) {
            Err(ConfigErrorKind::Invalid { key, message }) => {
                assert_eq!(key, "alerts[0].tokenFile");
                assert!(
                    message.starts_with("cannot read the token file"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
