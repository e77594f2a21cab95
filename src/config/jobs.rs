//! `jobs`: the list of sync commands, each checked into a [`Job`] (its name, its command
//! as a shell string or a program with arguments, its environment and its timeout), and
//! the original's three jobs when the file has no `jobs`.

use std::collections::HashSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConfigErrorKind, given, invalid, minutes, read_nested, unknown_keys_in, whole};

/// One sync command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub name: String,
    pub command: JobCommand,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

impl Job {
    /// The warning when the job's program cannot be found: an array command's program,
    /// looked up from the workspace's `root` on the job's own `PATH` (else synctray's), as
    /// the system would start it (`sys::program_findable`). A shell string is the shell's
    /// to resolve: no warning.
    pub fn program_warning(&self, root: &std::path::Path) -> Option<super::ConfigWarning> {
        let JobCommand::Argv(argv) = &self.command else {
            return None;
        };
        let path = self.env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v);
        (!crate::sys::program_findable(&argv[0], root, path.map(std::ffi::OsStr::new))).then(|| {
            super::ConfigWarning::NotOnPath {
                job: self.name.clone(),
                program: argv[0].clone(),
            }
        })
    }
}

/// How a job's command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobCommand {
    /// A string: run through the platform shell (`sh -c` / `cmd /C`).
    Shell(String),
    /// An array: the program and its arguments, no shell.
    Argv(Vec<String>),
}

/// One item of `jobs`, as written (see [`super::RawConfig`]).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RawJob {
    #[serde(default, deserialize_with = "given")]
    name: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    command: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    env: Option<Value>,
    #[serde(default, deserialize_with = "given")]
    timeout_minutes: Option<Value>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// The original's three jobs, run when the file has no `jobs` (its file held only
/// `intervalMinutes`).
pub(super) fn original_jobs(timeout: Duration) -> Vec<Job> {
    ["tokens", "quality", "projects"]
        .into_iter()
        .map(|name| Job {
            name: name.to_owned(),
            command: JobCommand::Shell(format!("npx tsx scripts/sync-{name}.ts")),
            env: Vec::new(),
            timeout,
        })
        .collect()
}

pub(super) fn parse_jobs(
    value: &Value,
    stale_lock: Duration,
    warnings: &mut Vec<super::ConfigWarning>,
) -> Result<Vec<Job>, ConfigErrorKind> {
    let Value::Array(list) = value else {
        return Err(invalid(
            "jobs",
            "must be a list of jobs ({\"name\": …, \"command\": …})",
            value,
        ));
    };
    if list.is_empty() {
        return Err(invalid(
            "jobs",
            "must hold at least one job (leave the key out to run the default jobs)",
            value,
        ));
    }
    let mut names = HashSet::new();
    let mut jobs = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let key = |field: &str| format!("jobs[{i}].{field}");
        let job: RawJob = read_nested(
            format!("jobs[{i}]"),
            "must be an object with a name and a command",
            item,
        )?;
        const NAME_RULE: &str = "must be a non-empty string of at most 64 printable characters (no control characters such as a newline)";
        let name = match &job.name {
            Some(Value::String(s))
                if !s.trim().is_empty()
                    && s.trim().chars().count() <= 64
                    && !s.chars().any(char::is_control) =>
            {
                s.trim().to_owned()
            }
            other => {
                return Err(invalid(
                    key("name"),
                    NAME_RULE,
                    other.as_ref().unwrap_or(&Value::Null),
                ));
            }
        };
        if !names.insert(name.clone()) {
            return Err(invalid(
                key("name"),
                "must be unique among the jobs",
                &Value::String(name),
            ));
        }
        let command = match &job.command {
            Some(Value::String(s)) if !s.trim().is_empty() => JobCommand::Shell(s.clone()),
            Some(Value::Array(parts))
                if !parts.is_empty()
                    && parts.iter().all(Value::is_string)
                    && !parts[0].as_str().unwrap_or_default().is_empty() =>
            {
                JobCommand::Argv(
                    parts
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect(),
                )
            }
            other => {
                return Err(invalid(
                    key("command"),
                    "must be a non-empty string (run by the shell) or a non-empty list of strings (program and arguments)",
                    other.as_ref().unwrap_or(&Value::Null),
                ));
            }
        };
        let nul = |s: &str| s.contains('\0');
        let has_nul = match &command {
            JobCommand::Shell(s) => nul(s),
            JobCommand::Argv(parts) => parts.iter().any(|p| nul(p)),
        };
        if has_nul {
            return Err(invalid(
                key("command"),
                "must not contain a NUL byte (\\u0000)",
                job.command.as_ref().unwrap_or(&Value::Null),
            ));
        }
        let env = match &job.env {
            None => Vec::new(),
            Some(Value::Object(vars)) => vars
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) if !k.is_empty() && !k.contains('=') && !nul(k) && !nul(s) => {
                        Ok((k.clone(), s.clone()))
                    }
                    _ => Err(invalid(
                        key(&format!("env.{}", k.replace('\0', "\\u0000"))),
                        "must be a string without NUL bytes (\\u0000), and the name non-empty, without '=' or NUL",
                        v,
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(v) => {
                return Err(invalid(
                    key("env"),
                    "must be an object of names to string values",
                    v,
                ));
            }
        };
        let timeout = match &job.timeout_minutes {
            None => stale_lock,
            Some(v) => minutes(whole(v, 1..=u32::MAX).ok_or_else(|| {
                invalid(
                    key("timeoutMinutes"),
                    "must be a whole number of minutes from 1",
                    v,
                )
            })?),
        };
        warnings.extend(unknown_keys_in::<RawJob>(
            &format!("jobs[{i}]"),
            &job.unknown,
        ));
        jobs.push(Job {
            name,
            command,
            env,
            timeout,
        });
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    #[test]
    fn the_originals_file_runs_the_originals_three_jobs() {
        let config = Config::parse(r#"{"intervalMinutes": 15}"#).unwrap();
        assert_eq!(config.cadence.minutes(), Some(15));
        let names: Vec<_> = config.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["tokens", "quality", "projects"]);
        assert_eq!(
            config.jobs[1].command,
            JobCommand::Shell("npx tsx scripts/sync-quality.ts".into())
        );
        assert!(config.catch_up && !config.continue_on_error && !config.paused);
        assert_eq!(config.stale_lock, Duration::from_secs(3600));
        assert!(config.warnings.is_empty());
    }

    #[test]
    fn job_names_and_strings_are_checked() {
        let message = |text: &str| match Config::parse(text) {
            Err(ConfigErrorKind::Invalid { key, message }) => format!("{key} {message}"),
            other => panic!("{text}: expected an invalid value, got {other:?}"),
        };
        let long = "x".repeat(65);
        for name in ["a\npid=1", "tab\there", &long] {
            let text = serde_json::json!({"jobs": [{"name": name, "command": "true"}]}).to_string();
            assert!(
                message(&text).starts_with(
                    "jobs[0].name must be a non-empty string of at most 64 printable characters"
                ),
                "{}",
                message(&text)
            );
        }
        assert!(
            Config::parse(
                &serde_json::json!({"jobs": [{"name": "x".repeat(64), "command": "true"}]})
                    .to_string()
            )
            .is_ok()
        );
        assert!(
            message(r#"{"jobs": [{"name": "a", "command": "echo a\u0000b"}]}"#)
                .starts_with("jobs[0].command must not contain a NUL byte")
        );
        assert!(
            message(r#"{"jobs": [{"name": "a", "command": ["echo", "a\u0000"]}]}"#)
                .starts_with("jobs[0].command must not contain a NUL byte")
        );
        assert!(
            message(r#"{"jobs": [{"name": "a", "command": "x", "env": {"K": "v\u0000"}}]}"#)
                .starts_with("jobs[0].env.K must be a string without NUL bytes")
        );
    }
}
