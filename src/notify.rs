//! Desktop notifications: which runs deserve one ([`note_for`]), and how they are shown.
//!
//! The engine decides and calls a [`Notifier`] given by the front end: the tray and the
//! daemon pass [`desktop()`], `synctray sync` (whose user is at the terminal) passes
//! [`Silent`]. Without a notification server (no session bus, a headless build) a
//! warning is logged once and nothing else happens.

use std::sync::Arc;

use crate::config::{ConfigError, Notifications};
use crate::status::{Outcome, RunError, Status};

/// Something to tell the user.
#[derive(Debug, Clone)]
pub enum Note {
    /// "Sync failed: quality" with the reason and the last line of the job's output.
    Failed(RunError),
    /// The first success after a failure.
    Recovered { duration_ms: u64 },
    /// A success (off by default).
    Succeeded { duration_ms: u64 },
    /// The config file holds a bad edit; the last good one stays in use.
    ConfigError(Arc<ConfigError>),
    /// The tray did not start: why (another tray or daemon serves the workspace, its
    /// config does not load). Said on the desktop because a tray started from the app
    /// menu or at login has no terminal to say it on.
    NotStarted(String),
}

impl Note {
    /// The notification's title and body.
    pub fn text(&self) -> (String, String) {
        match self {
            Note::Failed(error) => match &error.first {
                Some(first) => {
                    // The output's last line says the most.
                    let last_line = first.tail.lines().rev().find(|l| !l.trim().is_empty());
                    let body = match last_line {
                        Some(line) => format!("{}\n{}", first.failure, line.trim()),
                        None => first.failure.to_string(),
                    };
                    (format!("Sync failed: {}", first.job), body)
                }
                None => ("Sync failed: run".into(), error.to_string()),
            },
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
            Note::NotStarted(why) => ("synctray: the tray did not start".into(), why.clone()),
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

/// Which note, if any, a finished run deserves, given the run before it: `run` as
/// recorded, and `error`, why it failed (if it did).
pub fn note_for(
    previous: Option<&Status>,
    run: &Status,
    error: &RunError,
    wanted: &Notifications,
) -> Option<Note> {
    // A run cut short by Quit, a shutdown or a logout did not fail: the person stopped it.
    if error.interrupted {
        return None;
    }
    if error.is_failure() {
        return wanted.on_error.then(|| Note::Failed(error.clone()));
    }
    // Nor is the run after an interrupted one a recovery.
    let after_failure = previous.is_some_and(|p| p.status == Outcome::Error && !p.interrupted);
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
            let failure = matches!(note, Note::Failed(_));
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
    use crate::status::{Failure, JobFailure};

    fn status(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn failure_names_the_job_the_reason_and_the_last_line() {
        let run = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error"}"#);
        let error = RunError {
            first: Some(JobFailure {
                job: "quality".into(),
                failure: Failure::Exited(1),
                tail: "warn\nError: ESLint config not found\n\n".into(),
            }),
            ..RunError::default()
        };
        let note = note_for(None, &run, &error, &Notifications::default()).unwrap();
        let (summary, body) = note.text();
        assert_eq!(summary, "Sync failed: quality");
        assert_eq!(body, "exited with code 1\nError: ESLint config not found");
    }

    #[test]
    fn an_interrupted_run_notifies_nothing_and_the_next_success_is_no_recovery() {
        let cut = status(
            r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"interrupted by shutdown","interrupted":true}"#,
        );
        let error = RunError {
            first: Some(JobFailure {
                job: "quality".into(),
                failure: Failure::Interrupted,
                tail: String::new(),
            }),
            interrupted: true,
            ..RunError::default()
        };
        let wanted = Notifications::default();
        assert!(note_for(None, &cut, &error, &wanted).is_none());
        let ok = status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success"}"#);
        assert!(note_for(Some(&cut), &ok, &RunError::default(), &wanted).is_none());
    }

    #[test]
    fn a_run_that_failed_without_a_failed_job_says_why() {
        let run = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error"}"#);
        let error = RunError {
            unrecorded: vec!["data/sync-status.json: cannot write: No space left on device".into()],
            ..RunError::default()
        };
        let (summary, body) = note_for(None, &run, &error, &Notifications::default())
            .unwrap()
            .text();
        assert_eq!(summary, "Sync failed: run");
        assert_eq!(
            body,
            "the result could not be recorded: data/sync-status.json: cannot write: No space left on device"
        );
    }

    #[test]
    fn recovery_is_told_once_and_success_is_quiet_by_default() {
        let bad = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"x"}"#);
        let good = status(
            r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success","durationMs":1500}"#,
        );
        let wanted = Notifications::default();
        let ok = RunError::default();
        assert!(matches!(
            note_for(Some(&bad), &good, &ok, &wanted),
            Some(Note::Recovered { duration_ms: 1500 })
        ));
        assert!(note_for(Some(&good), &good, &ok, &wanted).is_none());
        let all = Notifications {
            on_success: true,
            ..wanted
        };
        assert!(matches!(
            note_for(Some(&good), &good, &ok, &all),
            Some(Note::Succeeded { duration_ms: 1500 })
        ));
        let none = Notifications {
            on_error: false,
            on_recovery: false,
            on_success: false,
        };
        let failed = RunError {
            interrupted: true,
            ..RunError::default()
        };
        assert!(note_for(Some(&bad), &bad, &failed, &none).is_none());
    }
}
