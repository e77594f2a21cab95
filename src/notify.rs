//! Desktop notifications: which runs deserve one ([`note_for`]), and how they are shown.
//!
//! The engine decides and calls a [`Notifier`] given by the front end: the tray and the
//! daemon pass [`desktop()`], `synctray sync` (whose user is at the terminal) passes
//! [`Silent`]. Without a notification server (no session bus, a headless build) a
//! warning is logged once and nothing else happens.

use crate::config::Notifications;
use crate::status::{Outcome, Status};

/// Something to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// "Sync failed: quality" with the reason and the last error line.
    Failed {
        job: String,
        reason: String,
        last_line: Option<String>,
    },
    /// The first success after a failure.
    Recovered { duration_ms: u64 },
    /// A success (off by default).
    Succeeded { duration_ms: u64 },
    /// The config file holds a bad edit; the last good one stays in use.
    ConfigError(String),
}

impl Note {
    /// The notification's title and body.
    pub fn text(&self) -> (String, String) {
        match self {
            Note::Failed {
                job,
                reason,
                last_line,
            } => {
                let body = match last_line {
                    Some(line) => format!("{reason}\n{line}"),
                    None => reason.clone(),
                };
                (format!("Sync failed: {job}"), body)
            }
            Note::Recovered { duration_ms } => (
                "Sync recovered".into(),
                format!(
                    "All jobs succeeded in {:.1} s.",
                    *duration_ms as f64 / 1000.0
                ),
            ),
            Note::Succeeded { duration_ms } => (
                "Sync succeeded".into(),
                format!(
                    "All jobs succeeded in {:.1} s.",
                    *duration_ms as f64 / 1000.0
                ),
            ),
            Note::ConfigError(e) => (
                "synctray: configuration not applied".into(),
                format!("{e}\nThe last good configuration stays in use."),
            ),
        }
    }
}

/// Shows notes to the user.
pub trait Notifier: Send + Sync {
    fn notify(&self, note: Note);
}

/// Shows nothing (the CLI's user reads the terminal).
#[derive(Debug, Default)]
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _note: Note) {}
}

/// Which note, if any, a finished run deserves, given the run before it.
pub fn note_for(previous: Option<&Status>, run: &Status, wanted: &Notifications) -> Option<Note> {
    if run.status == Outcome::Error {
        if !wanted.on_error {
            return None;
        }
        let failed = run.jobs.iter().find(|j| j.status == Outcome::Error);
        let job = failed.map_or("run".to_owned(), |j| j.name.clone());
        let reason = failed
            .and_then(|j| j.reason.clone())
            .unwrap_or_else(|| run.error.clone().unwrap_or_default());
        // The error reads "job: reason: output…"; the output's last line says the most.
        let prefix = format!("{job}: {reason}: ");
        let last_line = run
            .error
            .as_deref()
            .and_then(|e| e.strip_prefix(prefix.as_str()))
            .and_then(|output| output.lines().rev().find(|l| !l.trim().is_empty()))
            .map(|l| l.trim().to_owned());
        return Some(Note::Failed {
            job,
            reason,
            last_line,
        });
    }
    let after_failure = previous.is_some_and(|p| p.status == Outcome::Error);
    if after_failure && wanted.on_recovery {
        Some(Note::Recovered {
            duration_ms: run.duration_ms,
        })
    } else if wanted.on_success {
        Some(Note::Succeeded {
            duration_ms: run.duration_ms,
        })
    } else {
        None
    }
}

/// The desktop's notifier when this build has one, else one that logs.
pub fn desktop() -> Box<dyn Notifier> {
    #[cfg(feature = "notifications")]
    return Box::new(desktop::Desktop::default());
    #[cfg(not(feature = "notifications"))]
    return Box::new(LogOnly);
}

/// Logs notes (a build without desktop notifications).
#[derive(Debug, Default)]
pub struct LogOnly;

impl Notifier for LogOnly {
    fn notify(&self, note: Note) {
        let (summary, body) = note.text();
        tracing::info!("notification (not shown: built without notifications): {summary}: {body}");
    }
}

#[cfg(feature = "notifications")]
mod desktop {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::{Note, Notifier};
    use crate::sys::NotificationService;

    /// Notifications through the platform's notification service.
    #[derive(Debug, Default)]
    pub struct Desktop {
        /// The platform's part: how a failure looks, and whether it replaces the last one.
        service: NotificationService,
        /// Whether "no notification server" was logged already.
        warned: AtomicBool,
    }

    impl Notifier for Desktop {
        fn notify(&self, note: Note) {
            let (summary, body) = note.text();
            let mut n = notify_rust::Notification::new();
            n.appname("synctray").summary(&summary).body(&body);
            let failure = matches!(note, Note::Failed { .. });
            if let Err(e) = self.service.show(&mut n, failure) {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "desktop notifications are unavailable ({e}); they are logged instead"
                    );
                }
                tracing::info!("notification: {summary}: {body}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn failure_names_the_job_the_reason_and_the_last_line() {
        let run = status(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"quality: exited with code 1: warn\nError: ESLint config not found",
                "jobs":[{"name":"tokens","status":"success"},{"name":"quality","status":"error","reason":"exited with code 1"}]}"#,
        );
        let note = note_for(None, &run, &Notifications::default()).unwrap();
        let (summary, body) = note.text();
        assert_eq!(summary, "Sync failed: quality");
        assert_eq!(body, "exited with code 1\nError: ESLint config not found");
    }

    #[test]
    fn recovery_is_told_once_and_success_is_quiet_by_default() {
        let bad = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"x"}"#);
        let good = status(
            r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success","durationMs":1500}"#,
        );
        let wanted = Notifications::default();
        assert_eq!(
            note_for(Some(&bad), &good, &wanted),
            Some(Note::Recovered { duration_ms: 1500 })
        );
        assert_eq!(note_for(Some(&good), &good, &wanted), None);
        let all = Notifications {
            on_success: true,
            ..wanted
        };
        assert_eq!(
            note_for(Some(&good), &good, &all),
            Some(Note::Succeeded { duration_ms: 1500 })
        );
        let none = Notifications {
            on_error: false,
            on_recovery: false,
            on_success: false,
        };
        assert_eq!(note_for(Some(&bad), &bad, &none), None);
    }
}
