//! Desktop notifications: which states deserve one ([`Alerts`]), and how they are shown.
//!
//! Notifications follow the state, not the runs: one per incident (a failure, a problem
//! that stops runs, data gone stale), and the recovery takes the incident's place on
//! screen. The engine decides and calls a [`Notifier`] given by the front end: the tray and the
//! daemon pass [`desktop()`], `synctray sync` (whose user is at the terminal) passes
//! [`Silent`]. Without a notification server (no session bus, a headless build) a
//! warning is logged once and nothing else happens.

use std::mem::Discriminant;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::ConfigError;
#[cfg(test)]
use crate::config::Notifications;
use crate::health::Blocker;
use crate::i18n;
use crate::observe::{Change, Observer, RunEnd};

pub use crate::config::Wants;
use crate::status::{Failure, Outcome, RunError, RunRecord};
use crate::t;

mod words;
pub use words::{blocker_words, warning_lines, warning_words};

/// Something to tell the user.
#[derive(Debug, Clone)]
pub enum Note {
    /// "Sync failed: quality" with the reason and the last line of the job's output.
    Failed(RunError),
    /// The first success after a failure, or runs that can start again after a problem
    /// (then there is no run yet to time).
    Recovered { duration_ms: Option<u64> },
    /// Scheduled runs cannot start: why ("data/ is read-only").
    Problem(Blocker),
    /// No run has succeeded for longer than `overdueAfterMinutes`: how old the data is.
    Overdue {
        age: TimeDelta,
        last_success: Option<DateTime<Utc>>,
    },
    /// A failure is why the data has gone stale: the failure stays the headline ("Sync
    /// failed: quality", with its actions), the age added. Replaces the failure's
    /// notification when the data becomes overdue.
    StillFailing {
        /// The failing job (`None`: the run failed with no failed job).
        job: Option<String>,
        /// Why it failed, as the run recorded it: "exited with code 1".
        reason: String,
        since: DateTime<Utc>,
        runs: u32,
        age: TimeDelta,
    },
    /// A success (off by default).
    Succeeded { duration_ms: u64 },
    /// The config file holds a bad edit; the last good one stays in use.
    ConfigError(Arc<ConfigError>),
    /// The tray did not start: why (another tray or daemon serves the workspace, its
    /// config does not load). Said on the desktop because a tray started from the app
    /// menu or at login has no terminal to say it on.
    NotStarted(String),
    /// The tray did not start: another tray or daemon (`holder`) serves the workspace.
    AlreadyServed {
        root: std::path::PathBuf,
        holder: String,
    },
    /// The tray did not start: its item cannot be shown (why: no session bus).
    NoTray { why: String },
    /// A file or folder the person asked the tray to open could not be opened (no file
    /// manager, no opener installed): which, and why (`None`: it does not exist), so that
    /// it can be opened by hand.
    OpenFailed {
        path: std::path::PathBuf,
        why: Option<String>,
    },
    /// A change asked for from the menu (Change interval, Pause) was refused: the file
    /// does not load, or cannot be written. The configuration in force stays.
    NotChanged {
        edit: crate::config::Edit,
        why: Arc<ConfigError>,
    },
    /// The configuration file gained a warning while the tray runs (an unknown key, a
    /// program not on PATH): said once, when it first appears.
    ConfigWarning(Vec<crate::config::ConfigWarning>),
}

impl Note {
    /// The notification's title and body, in the person's language (see [`crate::i18n`]).
    pub fn text(&self) -> (String, String) {
        match self {
            Note::Failed(error) => match &error.first {
                Some(first) => {
                    // The output's last line says the most.
                    let last_line = first.tail.lines().rev().find(|l| !l.trim().is_empty());
                    let failure = failure_words(&first.failure);
                    let body = match last_line {
                        Some(line) => format!("{failure}\n{}", line.trim()),
                        None => failure,
                    };
                    (t!(SYNC_FAILED, job = first.job.as_str()), body)
                }
                None => (t!(SYNC_FAILED_RUN), error.to_string()),
            },
            Note::Recovered {
                duration_ms: Some(ms),
            } => (
                t!(SYNC_RECOVERED),
                t!(ALL_JOBS_SUCCEEDED, length = seconds_words(*ms)),
            ),
            Note::Recovered { duration_ms: None } => (t!(SYNC_RECOVERED), t!(RUNS_CAN_START)),
            Note::Problem(what) => (
                t!(CANNOT_SYNC_TITLE, what = blocker_words(what)),
                t!(RUNS_CANNOT_START),
            ),
            Note::Overdue { age, last_success } => (
                t!(DATA_OLD_TITLE, age = i18n::age(*age)),
                match last_success {
                    Some(at) => t!(
                        LAST_SUCCESS_AT,
                        time = i18n::at(*at, chrono::Local::now(), false)
                    ),
                    None => t!(NO_SUCCESS_YET),
                },
            ),
            Note::StillFailing {
                job,
                reason,
                since,
                runs,
                age,
            } => {
                let at = i18n::time(since.with_timezone(&chrono::Local).time(), false);
                let age = i18n::age(*age);
                let streak = match runs {
                    ..=1 => t!(FAILED_AT_DATA_OLD, time = at, age = age),
                    n => t!(FAILING_SINCE_DATA_OLD, time = at, runs = *n, age = age),
                };
                let title = match job {
                    Some(job) => t!(SYNC_FAILED, job = job.as_str()),
                    None => t!(SYNC_FAILED_RUN),
                };
                (title, format!("{reason}\n{streak}"))
            }
            Note::Succeeded { duration_ms } => (
                t!(SYNC_SUCCEEDED),
                t!(ALL_JOBS_SUCCEEDED, length = seconds_words(*duration_ms)),
            ),
            Note::ConfigError(e) => (
                t!(CONFIG_NOT_APPLIED_TITLE),
                format!("{e}\n{}", t!(LAST_GOOD_CONFIG)),
            ),
            Note::NotStarted(why) => (t!(NOT_STARTED_TITLE), why.clone()),
            Note::AlreadyServed { root, holder } => (
                t!(NOT_STARTED_TITLE),
                t!(
                    ALREADY_SERVED,
                    path = root.display().to_string(),
                    holder = holder.as_str()
                ),
            ),
            Note::NoTray { why } => (t!(NOT_STARTED_TITLE), t!(NO_TRAY, why = why.as_str())),
            Note::OpenFailed { path, why } => (
                t!(
                    CANNOT_OPEN_TITLE,
                    name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                ),
                format!(
                    "{}.\n{}",
                    why.as_ref()
                        .map_or_else(|| t!(DOES_NOT_EXIST), String::clone),
                    t!(ITS_PATH, path = path.display().to_string())
                ),
            ),
            Note::NotChanged { edit, why } => (
                t!(NOT_CHANGED_TITLE, edit = edit_key(*edit)),
                format!("{why}\n{}", t!(FIX_THE_FILE_FIRST)),
            ),
            Note::ConfigWarning(warnings) => (t!(CHECK_CONFIG_TITLE), warning_lines(warnings)),
        }
    }
}

/// A refused edit's selector in the messages: `interval`, `pause` or `resume`.
pub fn edit_key(edit: crate::config::Edit) -> &'static str {
    match edit {
        crate::config::Edit::Interval(_) => "interval",
        crate::config::Edit::Paused(true) | crate::config::Edit::PausedUntil(Some(_)) => "pause",
        crate::config::Edit::Paused(false) | crate::config::Edit::PausedUntil(None) => "resume",
    }
}

/// "3.1 s", as a notification says how long the jobs took.
fn seconds_words(ms: u64) -> String {
    t!(SECONDS, count = i18n::decimal(ms as f64 / 1000.0))
}

/// Why a job failed, in the person's words; the operating system's own reasons (and a
/// status the platform describes) are said as it gives them.
pub fn failure_words(failure: &Failure) -> String {
    match failure {
        Failure::Exited(code) => t!(EXITED, code = *code),
        Failure::Signalled(signal) => t!(KILLED, signal = *signal),
        Failure::Abnormal(status) => t!(ENDED_ABNORMALLY, status = status.as_str()),
        Failure::NotFound(code) => t!(COMMAND_NOT_FOUND, code = *code),
        Failure::CouldNotStart { program, why } => {
            t!(
                COULD_NOT_START,
                program = program.as_str(),
                why = why.as_str()
            )
        }
        Failure::Unwaited(why) => t!(NOT_WAITED, why = why.as_str()),
        Failure::TimedOut(after) => t!(
            TIMED_OUT,
            length = i18n::length(after.as_secs().div_ceil(60) as i64)
        ),
        Failure::RunTimedOut => t!(RUN_TIMED_OUT),
        Failure::Interrupted => t!(INTERRUPTED_BY_SHUTDOWN),
    }
}

/// What the person can do from a notification, where the notification server offers
/// actions: on a failure, look at the run's log, try again, or pause for an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteAction {
    ShowLog,
    SyncNow,
    /// "Pause 1 h": scheduled runs pause for an hour (`pausedUntil`).
    PauseHour,
}

impl NoteAction {
    /// The action's key on the wire.
    pub fn key(self) -> &'static str {
        match self {
            NoteAction::ShowLog => "show-log",
            NoteAction::SyncNow => "sync-now",
            NoteAction::PauseHour => "pause-1h",
        }
    }

    /// The button's label.
    pub fn label(self) -> String {
        match self {
            NoteAction::ShowLog => t!(SHOW_LOG),
            NoteAction::SyncNow => t!(SYNC_NOW),
            NoteAction::PauseHour => t!(PAUSE_ONE_HOUR),
        }
    }

    pub fn from_key(key: &str) -> Option<NoteAction> {
        [
            NoteAction::ShowLog,
            NoteAction::SyncNow,
            NoteAction::PauseHour,
        ]
        .into_iter()
        .find(|a| a.key() == key)
    }
}

/// Carries out a [`NoteAction`] the person chose (called on another thread).
pub type ActionHandler = Arc<dyn Fn(NoteAction) + Send + Sync>;

/// The daemon's [`ActionHandler`] for `ws`: "Show log" opens the failed run's log with the
/// desktop's opener, "Sync now" asks the daemon's scheduler through `commands`. The same
/// actions as the tray's, so the desktop offers the same whoever runs the scheduler.
pub fn daemon_actions(
    ws: crate::workspace::Workspace,
    commands: tokio::sync::mpsc::UnboundedSender<crate::command::Command>,
) -> ActionHandler {
    let commands = std::sync::Mutex::new(commands);
    Arc::new(move |action| match action {
        NoteAction::SyncNow => {
            let commands = commands.lock().unwrap_or_else(|e| e.into_inner());
            let _ = commands.send(crate::command::Command::SyncNow);
        }
        NoteAction::PauseHour => {
            let commands = commands.lock().unwrap_or_else(|e| e.into_inner());
            let _ = commands.send(crate::command::Command::PauseUntil(
                chrono::Utc::now() + chrono::TimeDelta::hours(1),
            ));
        }
        NoteAction::ShowLog => match crate::runs::last_failed_log(&ws) {
            Some(path) => {
                if let Err(e) = crate::sys::open_folder(&path) {
                    tracing::warn!("cannot open {}: {e}", path.display());
                }
            }
            None => tracing::warn!("no failed run's log to show"),
        },
    })
}

impl Note {
    /// The actions it offers: a failure's are "Show log" and "Sync now".
    pub fn actions(&self) -> &'static [NoteAction] {
        match self {
            Note::Failed(_) | Note::StillFailing { .. } => &[
                NoteAction::ShowLog,
                NoteAction::SyncNow,
                NoteAction::PauseHour,
            ],
            _ => &[],
        }
    }

    /// Whether it is about the workspace's incident (a failure, a problem, stale data, the
    /// recovery from one): such notes take each other's place on screen, so that no
    /// failure stays up beside a recovery.
    pub fn is_incident(&self) -> bool {
        matches!(
            self,
            Note::Failed(_)
                | Note::StillFailing { .. }
                | Note::Recovered { .. }
                | Note::Problem(_)
                | Note::Overdue { .. }
        )
    }

    /// Whether it says something is wrong (the error icon and urgency).
    pub fn is_alarm(&self) -> bool {
        matches!(
            self,
            Note::Failed(_)
                | Note::StillFailing { .. }
                | Note::Problem(_)
                | Note::Overdue { .. }
                | Note::NotStarted(_)
                | Note::AlreadyServed { .. }
                | Note::NoTray { .. }
        )
    }
}

/// How a notification looks (the platform shows it: `sys`'s notification service).
pub use crate::sys::Severity;

impl Note {
    /// How it looks on screen.
    pub fn severity(&self) -> Severity {
        match self {
            _ if self.is_alarm() => Severity::Alarm,
            Note::ConfigError(_)
            | Note::OpenFailed { .. }
            | Note::ConfigWarning(_)
            | Note::NotChanged { .. } => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// An age as a notification says it: "45 min", "3 h", "2 d".
pub fn age_words(age: TimeDelta) -> String {
    let minutes = age.num_minutes().max(1);
    match minutes {
        ..120 => format!("{minutes} min"),
        120..2880 => format!("{} h", minutes / 60),
        _ => format!("{} d", minutes / 1440),
    }
}

/// Shows notes to the user.
pub trait Notifier: Send + Sync {
    fn notify(&self, note: Note);

    /// Takes the incident's notification off the screen (its cause has gone, and no
    /// recovery is to be told).
    fn withdraw(&self) {}
}

/// A failure streak: the same job failing for the same kind of reason, run after run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    /// The failing job; `None` when the run failed with no failed job (its result could
    /// not be recorded).
    pub job: Option<String>,
    /// When the first run of the streak started.
    pub since: DateTime<Utc>,
    /// How many runs of the streak there have been.
    pub runs: u32,
    /// `None` when taken from the files (the kind of reason is not recorded there): the
    /// next failure of the same job continues it.
    kind: Option<Discriminant<Failure>>,
}

impl Failing {
    /// The streak a failed run recorded in the files starts.
    fn from_record(run: &RunRecord) -> Failing {
        Failing {
            job: run
                .jobs
                .iter()
                .find(|j| j.status == Outcome::Error)
                .map(|j| j.name.clone()),
            since: run.started(),
            runs: 1,
            kind: None,
        }
    }
}

/// Why `run` failed, in the words the status file keeps: the failing job's reason, else
/// the first line of the run's error.
fn recorded_reason(run: &RunRecord) -> String {
    if let Some(reason) = run
        .jobs
        .iter()
        .find(|j| j.status == Outcome::Error)
        .and_then(|j| j.reason.clone())
    {
        return reason;
    }
    let error = run.error.as_deref().unwrap_or("failed");
    error.lines().next().unwrap_or(error).to_owned()
}

/// What the incident's notification says now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Failure,
    Problem(Blocker),
    Overdue,
}

/// The notification state machine of one workspace: which changes of state deserve a
/// notification. One per incident — the same failure again (same job, same kind of
/// reason) only counts; stale data is the reminder; the recovery replaces whatever the
/// incident showed. A run cut short by a shutdown changes nothing.
#[derive(Debug, Default)]
pub struct Alerts {
    failing: Option<Failing>,
    /// The last failed run (from the files at start, or seen here) while no success has
    /// followed: what the reminder says when the data goes stale.
    failed_run: Option<RunRecord>,
    problem: Option<Blocker>,
    overdue: bool,
    /// The incident's notification on screen, if any.
    shown: Option<Shown>,
}

impl Alerts {
    /// The current failure streak, for the menu: "quality failing since 14:15 (5 runs)".
    pub fn failing(&self) -> Option<&Failing> {
        self.failing.as_ref()
    }

    /// The state machine of a workspace whose last recorded run is `last`: a failure there
    /// is the streak a new process goes on with (by the failing job; the kind of reason is
    /// learnt at the next failure), so that a restarted daemon or each `synctray sync` of
    /// a timer tells the same failure once, not once a process. If that failure has made
    /// the data stale, it is said once, as a failure (not "Data is 5 min old" and then the
    /// failure over it).
    pub fn resume(last: Option<&RunRecord>) -> Alerts {
        let failed_run = last
            .filter(|r| r.outcome == Outcome::Error && !r.interrupted)
            .cloned();
        Alerts {
            failing: failed_run.as_ref().map(Failing::from_record),
            failed_run,
            ..Alerts::default()
        }
    }

    /// Takes in a finished run: `previous` is the run before it as recorded, `run` this
    /// one and `error` why it failed (if it did).
    pub fn after_run(
        &mut self,
        previous: Option<&RunRecord>,
        run: &RunRecord,
        error: &RunError,
        wanted: impl Into<Wants>,
    ) -> Option<Verdict> {
        let wanted: Wants = wanted.into();
        // A run cut short by Quit, a shutdown or a logout did not fail: the person stopped it.
        if error.interrupted {
            return None;
        }
        // A run under the lock: whatever kept runs from starting is gone.
        let problem_gone = self.problem.take().is_some();
        if error.is_failure() {
            let job = error.first.as_ref().map(|f| f.job.clone());
            let kind = error
                .first
                .as_ref()
                .map(|f| std::mem::discriminant(&f.failure));
            self.failed_run = Some(run.clone());
            if let Some(streak) = self
                .failing
                .as_mut()
                .filter(|f| f.job == job && (f.kind.is_none() || f.kind == kind))
            {
                streak.runs += 1;
                streak.kind = kind;
                return None;
            }
            self.failing = Some(Failing {
                job,
                since: run.started(),
                runs: 1,
                kind,
            });
            if !wanted.failure {
                return None;
            }
            self.shown = Some(Shown::Failure);
            return Some(Verdict::Show(Note::Failed(error.clone())));
        }
        self.failing = None;
        self.failed_run = None;
        self.overdue = false;
        let was_shown = self.shown.take().is_some();
        // Nor is the run after an interrupted one a recovery.
        let after_failure = previous.is_some_and(|p| p.outcome == Outcome::Error && !p.interrupted);
        let recovered = Note::Recovered {
            duration_ms: Some(run.duration_ms),
        };
        if (after_failure || was_shown || problem_gone) && wanted.recovery {
            Some(Verdict::Show(recovered))
        } else if was_shown {
            Some(Verdict::Withdraw)
        } else if wanted.success {
            Some(Verdict::Show(Note::Succeeded {
                duration_ms: run.duration_ms,
            }))
        } else {
            None
        }
    }

    /// Takes in whether scheduled runs can start: `Some(why)` when they cannot.
    pub fn problem(&mut self, now: Option<&Blocker>, wanted: impl Into<Wants>) -> Option<Verdict> {
        let wanted: Wants = wanted.into();
        if self.problem.as_ref() == now {
            return None;
        }
        self.problem = now.cloned();
        match now {
            Some(what) if wanted.problem => {
                self.shown = Some(Shown::Problem(what.clone()));
                Some(Verdict::Show(Note::Problem(what.clone())))
            }
            Some(_) => None,
            None => match self.shown {
                Some(Shown::Problem(_)) => {
                    self.shown = None;
                    Some(if wanted.recovery {
                        Verdict::Show(Note::Recovered { duration_ms: None })
                    } else {
                        Verdict::Withdraw
                    })
                }
                _ => None,
            },
        }
    }

    /// Takes in whether the data is overdue at `now`, with its last success.
    pub fn overdue(
        &mut self,
        overdue: Option<TimeDelta>,
        last_success: Option<DateTime<Utc>>,
        wanted: impl Into<Wants>,
    ) -> Option<Verdict> {
        let wanted: Wants = wanted.into();
        match overdue {
            Some(age) if !self.overdue => {
                self.overdue = true;
                if !wanted.stale {
                    return None;
                }
                // A failure is why the data is old: it stays the headline, with the age.
                if let Some(run) = self.failed_run.as_ref().filter(|_| self.problem.is_none()) {
                    let streak = self
                        .failing
                        .get_or_insert_with(|| Failing::from_record(run))
                        .clone();
                    self.shown = Some(Shown::Failure);
                    return Some(Verdict::Show(Note::StillFailing {
                        job: streak.job,
                        reason: recorded_reason(run),
                        since: streak.since,
                        runs: streak.runs,
                        age,
                    }));
                }
                self.shown = Some(Shown::Overdue);
                Some(Verdict::Show(Note::Overdue { age, last_success }))
            }
            None if self.overdue => {
                // Paused, or the threshold moved; a success is `after_run`'s to tell.
                self.overdue = false;
                if self.shown == Some(Shown::Overdue) {
                    self.shown = None;
                    return Some(Verdict::Withdraw);
                }
                None
            }
            _ => None,
        }
    }
}

/// What to do on screen.
#[derive(Debug, Clone)]
pub enum Verdict {
    Show(Note),
    /// Take the incident's notification down.
    Withdraw,
}

impl Verdict {
    /// Does it, with `notifier`.
    pub fn apply(self, notifier: &dyn Notifier) {
        match self {
            Verdict::Show(note) => notifier.notify(note),
            Verdict::Withdraw => notifier.withdraw(),
        }
    }
}

/// The desktop's notifications as an [`Observer`]: the workspace's [`Alerts`] (shared
/// with the engine, whose menu shows the failure streak) decide on every run and change
/// with `notifications`, and the [`Notifier`] shows the verdict.
pub struct DesktopAlerts {
    pub notifier: Arc<dyn Notifier>,
    pub alerts: Arc<std::sync::Mutex<Alerts>>,
}

impl DesktopAlerts {
    fn decide(&self, decide: impl FnOnce(&mut Alerts) -> Option<Verdict>) {
        let verdict = decide(&mut self.alerts.lock().unwrap());
        if let Some(verdict) = verdict {
            verdict.apply(&*self.notifier);
        }
    }
}

impl Observer for DesktopAlerts {
    fn run_released(&self, run: &RunEnd<'_>) {
        let wanted = &run.config.notifications;
        self.decide(|a| a.after_run(run.previous, &run.record, &run.error, wanted));
    }

    fn changed(&self, config: &crate::config::Config, change: Change<'_>) {
        let wanted = &config.notifications;
        self.decide(|a| a.take_in(change, wanted));
    }
}

impl Alerts {
    /// [`Alerts::problem`] or [`Alerts::overdue`], as `change` says.
    pub fn take_in(&mut self, change: Change<'_>, wanted: impl Into<Wants>) -> Option<Verdict> {
        match change {
            Change::Problem(now) => self.problem(now, wanted),
            Change::Overdue { age, last_success } => self.overdue(age, last_success, wanted),
        }
    }
}

/// Shows nothing (the CLI's user reads the terminal).
#[derive(Debug, Default)]
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _note: Note) {}
}

/// The desktop's notifier when this build has one, else one that logs.
pub fn desktop() -> Box<dyn Notifier> {
    #[cfg(feature = "notifications")]
    return Box::new(desktop::Desktop::default());
    #[cfg(not(feature = "notifications"))]
    return Box::new(LogOnly::default());
}

/// A note's summary naming its workspace, when there is a name to give.
fn named(name: Option<&str>, summary: String) -> String {
    match name {
        Some(name) => t!(NOTE_NAMED, workspace = name, title = summary),
        None => summary,
    }
}

/// [`desktop()`] for the workspace `name` when one process serves several (its notes say
/// which: "dashboard: Sync failed: quality"), with [`NoteAction`]s given to `on_action`.
pub fn desktop_for(name: Option<String>, on_action: Option<ActionHandler>) -> Box<dyn Notifier> {
    #[cfg(feature = "notifications")]
    return Box::new(desktop::Desktop {
        name,
        on_action,
        ..Default::default()
    });
    #[cfg(not(feature = "notifications"))]
    {
        let _ = on_action;
        Box::new(LogOnly { name })
    }
}

/// Logs notes (a build without desktop notifications).
#[derive(Debug, Default)]
pub struct LogOnly {
    /// The workspace's name, when the process serves several.
    name: Option<String>,
}

impl Notifier for LogOnly {
    fn notify(&self, note: Note) {
        // Logged: in English, as every log line.
        let (summary, body) = i18n::in_english(|| {
            let (summary, body) = note.text();
            (named(self.name.as_deref(), summary), body)
        });
        tracing::info!("notification (not shown: built without notifications): {summary}: {body}");
    }
}

#[cfg(feature = "notifications")]
mod desktop {
    use std::sync::atomic::{AtomicBool, Ordering};

    use std::sync::Arc;

    use super::{ActionHandler, Note, NoteAction, Notifier};
    use crate::sys::NotificationService;

    /// Notifications through the platform's notification service.
    #[derive(Default)]
    pub struct Desktop {
        /// The platform's part: how a failure looks, and whether it replaces the last one.
        pub(super) service: NotificationService,
        /// Whether "no notification server" was logged already.
        pub(super) warned: AtomicBool,
        /// Carries out a note's action; without it, notes offer none.
        pub(super) on_action: Option<ActionHandler>,
        /// The workspace's name, when the process serves several.
        pub(super) name: Option<String>,
    }

    impl std::fmt::Debug for Desktop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Desktop")
                .field("service", &self.service)
                .field("actions", &self.on_action.is_some())
                .finish()
        }
    }

    impl Notifier for Desktop {
        fn notify(&self, note: Note) {
            let (summary, body) = note.text();
            let summary = super::named(self.name.as_deref(), summary);
            let mut n = notify_rust::Notification::new();
            n.appname("synctray").summary(&summary).body(&body);
            let labels: Vec<(&str, String)> = match &self.on_action {
                Some(_) => note
                    .actions()
                    .iter()
                    .map(|a| (a.key(), a.label()))
                    .collect(),
                None => Vec::new(),
            };
            let actions: Vec<(&str, &str)> = labels.iter().map(|(k, l)| (*k, l.as_str())).collect();
            let on_action = self.on_action.clone().map(|handler| {
                Arc::new(move |key: &str| {
                    if let Some(action) = NoteAction::from_key(key) {
                        handler(action);
                    }
                }) as crate::sys::OnAction
            });
            if let Err(e) = self.service.show(
                &mut n,
                note.severity(),
                note.is_incident(),
                &actions,
                on_action,
            ) {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "desktop notifications are unavailable ({e}); they are logged instead"
                    );
                }
                // Logged in English, as every log line.
                let (summary, body) = crate::i18n::in_english(|| {
                    let (summary, body) = note.text();
                    (super::named(self.name.as_deref(), summary), body)
                });
                tracing::info!("notification: {summary}: {body}");
            }
        }

        fn withdraw(&self) {
            self.service.close_incident();
        }
    }
}

#[cfg(test)]
mod tests;
