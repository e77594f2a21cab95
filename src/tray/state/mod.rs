//! What the tray shows, as plain data: [`menu_state`] turns an engine [`Snapshot`] and the
//! local time into the menu's texts, checks, enabled flags and the icon. No GTK here, so
//! every text of the menu is unit-tested below; the event loop only copies a [`MenuState`]
//! onto the widgets.

use std::time::Duration;

use chrono::{DateTime, Datelike, Local, TimeDelta, Timelike, Utc};

use crate::config::{self, INTERVAL_PRESETS};
use crate::schedule::Cadence;
use crate::snapshot::{Message, Running, Snapshot};
use crate::status::{Outcome, RunRecord};
use crate::wait::Condition;

/// Which of the five icons (see `icons/README.md`): the workspace's state.
pub use crate::snapshot::State as IconKind;

/// Everything the menu and the icon show, computed from one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuState {
    /// "✓ Last sync 14:30 · 3.1 s", "✗ Last sync 14:30 · failed: quality", "Never synced".
    pub last_line: String,
    /// "Next run 14:45 (in 12 min)", "Syncing 2/3: quality…", "Paused".
    pub next_line: String,
    /// A bad config edit, or the engine's latest message; shown under the two lines.
    pub notice: Option<String>,
    /// "Sync now" is disabled while any process runs a sync of this workspace.
    pub sync_now_enabled: bool,
    /// The preset of "Change interval" that is checked, if the file holds a preset.
    pub interval_checked: Option<u32>,
    /// "Custom: every 45 min", "Custom: schedule 0 9 * * MON-FRI": shown (checked) only
    /// when the file holds something that is not a preset.
    pub custom: Option<String>,
    /// "Pause scheduled syncs" is checked.
    pub paused: bool,
    pub icon: IconKind,
    /// The icon's tooltip (where the platform shows one): the lines above.
    pub tooltip: String,
    /// "Recent runs ▸": the last runs, newest first (see [`recent_items`]).
    pub recent: Vec<RecentItem>,
}

/// How many runs "Recent runs ▸" lists.
pub const RECENT_RUNS: usize = 5;

/// One line of "Recent runs ▸"; a click opens the run's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentItem {
    /// "✓ 14:30 · 3.1 s", "✗ 14:15 · quality: exited with code 1".
    pub label: String,
    /// Whether the record names a log to open (a run that ran no job has none).
    pub has_log: bool,
}

/// The longest a failure gets in "Recent runs ▸".
const RECENT_FAILURE_CHARS: usize = 50;

/// "Recent runs ▸" for `runs` (newest first, as [`crate::runs::recent`] gives them), with
/// times as the menu says them from `now`.
pub fn recent_items(runs: &[RunRecord], now: DateTime<Local>) -> Vec<RecentItem> {
    runs.iter()
        .take(RECENT_RUNS)
        .map(|run| {
            let when = clock(run.started(), now);
            let label = match crate::runs::failure(run) {
                None => format!("✓ {when} · {}", duration(run.duration_ms)),
                Some(why) => format!("✗ {when} · {}", truncate(&why, RECENT_FAILURE_CHARS)),
            };
            RecentItem {
                label,
                has_log: run.jobs.iter().any(|j| j.log.is_some()),
            }
        })
        .collect()
}

/// The label of a preset of "Change interval": "Every 5 min", "Every 1 h".
pub fn preset_label(minutes: u32) -> String {
    format!("Every {}", config::describe_minutes(minutes))
}

/// The longest a notice line gets in the menu (the tooltip has the whole text).
const NOTICE_CHARS: usize = 60;

/// The menu for `snap`, with relative times counted from `now`.
pub fn menu_state(snap: &Snapshot, now: DateTime<Local>) -> MenuState {
    let overdue = snap.overdue(now.with_timezone(&Utc));
    let last_line = match &snap.last {
        // What keeps the data from being fresh comes first: runs that cannot start, then
        // data gone stale, then a failure that keeps coming back.
        _ if snap.problem.is_some() => {
            format!(
                "✗ Cannot sync: {}",
                snap.problem.as_ref().expect("guarded").what
            )
        }
        _ if overdue.is_some() => {
            let age = crate::notify::age_words(overdue.expect("guarded"));
            match snap.last_success() {
                Some(at) => format!("⚠ Data is {age} old (last success {})", clock(at, now)),
                None => format!("⚠ Data is {age} old (no sync has succeeded)"),
            }
        }
        Some(s)
            if !s.is_success()
                && !s.interrupted
                && snap.failing.as_ref().is_some_and(|f| f.runs > 1) =>
        {
            let f = snap.failing.as_ref().expect("guarded");
            format!(
                "✗ {} failing since {} ({} runs)",
                f.job.as_deref().unwrap_or("sync"),
                clock(f.since, now),
                f.runs
            )
        }
        None => "Never synced".to_owned(),
        Some(s) if s.is_success() => {
            format!(
                "✓ Last sync {} · {}",
                clock(s.last_sync, now),
                duration(s.duration_ms)
            )
        }
        // Stopped by Quit, a shutdown or a logout: not a failure; the next run decides.
        Some(s) if s.interrupted => match s.last_success() {
            Some(ok) => format!(
                "Interrupted {} (stopped during the run) · last success {}",
                clock(s.last_sync, now),
                clock(ok, now)
            ),
            None => format!(
                "Interrupted {} (stopped during the run)",
                clock(s.last_sync, now)
            ),
        },
        Some(s) => format!(
            "✗ Last sync {} · failed: {}",
            clock(s.last_sync, now),
            failed_what(s)
        ),
    };
    let next_line = match &snap.running {
        Some(Running::Here { index, total, job }) => format!("Syncing {index}/{total}: {job}…"),
        Some(Running::Retrying {
            job,
            next_try,
            attempts,
            at,
            ..
        }) => format!(
            "Retrying {job} {} (try {next_try}/{attempts})…",
            countdown(*at, now)
        ),
        Some(Running::Waiting { what, until }) => match (what, until) {
            (Condition::Network, _) => "Waiting for network…".to_owned(),
            (Condition::Power, Some(at)) => {
                format!("Waiting for AC power (runs anyway at {})…", clock(*at, now))
            }
            (Condition::Unmetered, Some(at)) => format!(
                "Waiting for an unmetered network (runs anyway at {})…",
                clock(*at, now)
            ),
            (what, None) => format!("Waiting for {what}…"),
        },
        Some(Running::Elsewhere(holder)) => match holder.pid {
            Some(pid) => format!("Syncing (another process, pid {pid})…"),
            None => "Syncing (another process)…".to_owned(),
        },
        None if snap.paused => match snap.paused_until {
            Some(until) => format!("Paused until {}", clock(until, now)),
            None => "Paused".to_owned(),
        },
        None => match snap.next_run {
            Some(at) => format!("Next run {} ({})", clock(at, now), relative(at, now)),
            None => "No run scheduled".to_owned(),
        },
    };
    let message = snap.message.as_ref().filter(|m| hidden_at(m) > now);
    let notice = match (&snap.config_error, message) {
        // The line says "Config": the file's path would not fit a narrow menu.
        (Some(e), _) => Some(format!("⚠ Config not applied: {}", e.kind)),
        (None, Some(m)) => Some(format!("⚠ {}", m.what)),
        (None, None) => None,
    };
    let (interval_checked, custom) = match &snap.cadence {
        Cadence::Cron { expr, .. } => (None, Some(format!("Custom: schedule {expr}"))),
        Cadence::Every { minutes, .. } if INTERVAL_PRESETS.contains(minutes) => {
            (Some(*minutes), None)
        }
        Cadence::Every { minutes, .. } => (
            None,
            Some(format!(
                "Custom: every {}",
                config::describe_minutes(*minutes)
            )),
        ),
    };
    // A waiting run holds no lock and has not started: "Sync now" runs it.
    let busy = snap
        .running
        .as_ref()
        .is_some_and(|r| r.waiting_for().is_none());
    // Never a green ✓ over a workspace whose runs cannot start or whose data is stale.
    let icon = snap.state(now.with_timezone(&Utc));
    let mut tooltip = format!("synctray\n{last_line}\n{next_line}");
    if let Some(notice) = &notice {
        tooltip.push('\n');
        tooltip.push_str(notice);
    }
    MenuState {
        last_line,
        next_line,
        notice: notice.map(|n| truncate(&n, NOTICE_CHARS)),
        sync_now_enabled: !busy,
        interval_checked,
        custom,
        paused: snap.paused,
        icon,
        tooltip,
        recent: Vec::new(),
    }
}

/// The icon's tooltip for the workspace `name`: "synctray — dashboard: ✓ Last sync 14:30 · 3.1 s",
/// then the other lines of `m.tooltip`, so two trays can be told apart.
pub fn named_tooltip(name: &str, m: &MenuState) -> String {
    let rest = m.tooltip.strip_prefix("synctray\n").unwrap_or(&m.tooltip);
    format!("synctray — {name}: {rest}")
}

/// The line that sums a workspace up in a menu of several, opening its submenu:
/// `dashboard: ✓ 14:30 · next 14:45`, `dashboard: ✗ Cannot sync`, `dashboard: Syncing…`.
pub fn summary(name: &str, snap: &Snapshot, now: DateTime<Local>) -> String {
    let state = snap.state(now.with_timezone(&Utc));
    let what = match state {
        IconKind::Syncing => "Syncing…".to_owned(),
        IconKind::Error if snap.problem.is_some() => "✗ Cannot sync".to_owned(),
        IconKind::Paused => "Paused".to_owned(),
        IconKind::Stale => {
            let age = snap.overdue(now.with_timezone(&Utc)).unwrap_or_default();
            format!("⚠ {} old", crate::notify::age_words(age))
        }
        _ => match &snap.last {
            Some(last) => format!("{} {}", state.mark(), clock(last.last_sync, now)),
            None => "Never synced".to_owned(),
        },
    };
    match snap
        .next_run
        .filter(|_| !snap.paused && state != IconKind::Syncing)
    {
        Some(next) => format!("{name}: {what} · next {}", clock(next, now)),
        None => format!("{name}: {what}"),
    }
}

/// What a failed run's first line names: the failing job, else the run's error.
fn failed_what(s: &RunRecord) -> String {
    if let Some(job) = s.jobs.iter().find(|j| j.status == Outcome::Error) {
        return job.name.clone();
    }
    match s.error.as_deref() {
        _ if s.interrupted => "interrupted".to_owned(),
        Some(e) => truncate(e.lines().next().unwrap_or(e), 40),
        None => "error".to_owned(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.chars().count() <= max && first_line.len() == text.len() {
        return text.to_owned();
    }
    let mut short: String = first_line.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// A time as a menu says it: "14:30" today, "yesterday 14:30", "tomorrow 09:00",
/// "Mon 09:00" within a week, else "25 Nov 14:30" (and the year if not this one).
pub fn clock(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    let t = t.with_timezone(&Local);
    let days = (t.date_naive() - now.date_naive()).num_days();
    let hm = t.format("%H:%M");
    match days {
        0 => hm.to_string(),
        -1 => format!("yesterday {hm}"),
        1 => format!("tomorrow {hm}"),
        -6..=6 => format!("{} {hm}", t.format("%a")),
        _ if t.year() == now.year() => format!("{} {hm}", t.format("%-d %b")),
        _ => format!("{} {hm}", t.format("%-d %b %Y")),
    }
}

/// How long until `t`: "now", "in 12 min", "in 1 h 5 min", "in 2 d 3 h". Rounded up to
/// the minute, so that a menu refreshed at each minute counts down 3, 2, 1 min.
pub fn relative(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    let ms = (t - now.with_timezone(&Utc)).num_milliseconds();
    if ms <= 0 {
        return "now".to_owned();
    }
    let minutes = (ms + 59_999) / 60_000;
    let (hours, min) = (minutes / 60, minutes % 60);
    let (days, hrs) = (hours / 24, hours % 24);
    match (days, hours, min, hrs) {
        (0, 0, m, _) => format!("in {m} min"),
        (0, h, 0, _) => format!("in {h} h"),
        (0, h, m, _) => format!("in {h} h {m} min"),
        (d, _, _, 0) => format!("in {d} d"),
        (d, _, _, h) => format!("in {d} d {h} h"),
    }
}

/// How long after `now` the menu's texts next change by themselves: just past the next
/// wall-clock minute, when "in 12 min" becomes "in 11 min" (and "14:30" may become
/// "yesterday 14:30"). The margin makes sure the minute has turned when the menu is drawn.
pub fn until_next_minute(now: DateTime<Local>) -> Duration {
    const MARGIN: Duration = Duration::from_millis(20);
    // A leap second's nanoseconds go past 1e9: then the minute is (nearly) there.
    let into =
        Duration::from_secs(now.second().into()) + Duration::from_nanos(now.nanosecond().into());
    Duration::from_secs(60).saturating_sub(into) + MARGIN
}

/// How long until a retry: "in 30 s" under a minute, then as [`relative`] says it.
pub fn countdown(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    let ms = (t - now.with_timezone(&Utc)).num_milliseconds();
    match ms {
        ..=0 => "now".to_owned(),
        1..60_000 => format!("in {} s", (ms + 999) / 1000),
        _ => relative(t, now),
    }
}

/// A run's length: "3.1 s", "2 min 5 s", "1 h 3 min".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0..60 => format!("{:.1} s", ms as f64 / 1000.0),
        60..3600 if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

/// How long an engine message stays in the menu after the engine said it: an old "a
/// sync is already running" would mislead.
pub const MESSAGE_SHOWN_FOR: TimeDelta = TimeDelta::minutes(2);

/// When `message` leaves the menu.
pub fn hidden_at(message: &Message) -> DateTime<Utc> {
    message.at + MESSAGE_SHOWN_FOR
}

#[cfg(test)]
mod tests;
