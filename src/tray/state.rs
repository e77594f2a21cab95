//! What the tray shows, as plain data: [`menu_state`] turns an engine [`Snapshot`] and the
//! local time into the menu's texts, checks, enabled flags and the icon. No GTK here, so
//! every text of the menu is unit-tested below; the event loop only copies a [`MenuState`]
//! onto the widgets.

use std::time::Duration;

use chrono::{DateTime, Datelike, Local, TimeDelta, Timelike, Utc};

use crate::config::{self, INTERVAL_PRESETS};
use crate::schedule::Cadence;
use crate::snapshot::{Message, Running, Snapshot};
use crate::status::{Outcome, Status};
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
pub fn recent_items(runs: &[Status], now: DateTime<Local>) -> Vec<RecentItem> {
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
        None if snap.paused => "Paused".to_owned(),
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
fn failed_what(s: &Status) -> String {
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
mod tests {
    use chrono::TimeZone;

    use std::sync::Arc;

    use super::*;
    use crate::config::ConfigError;
    use crate::lock::Holder;
    use crate::snapshot::Notice;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn utc(t: DateTime<Local>) -> DateTime<Utc> {
        t.with_timezone(&Utc)
    }

    fn status(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    fn snapshot(now: DateTime<Local>) -> Snapshot {
        let _ = now;
        Snapshot {
            cadence: Cadence::every_minutes(15),
            ..Snapshot::default()
        }
    }

    fn finished(at: DateTime<Local>, ok: bool) -> Status {
        let at = utc(at).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        if ok {
            status(&format!(
                r#"{{"lastSync":"{at}","status":"success","durationMs":3120}}"#
            ))
        } else {
            status(&format!(
                r#"{{"lastSync":"{at}","status":"error","durationMs":3120,"error":"quality: exited with code 1: boom",
                    "jobs":[{{"name":"tokens","status":"success"}},{{"name":"quality","status":"error"}},{{"name":"projects","status":"not-run"}}]}}"#
            ))
        }
    }

    #[test]
    fn a_new_workspace_was_never_synced_and_says_when_it_will_be() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let snap = Snapshot {
            next_run: Some(utc(local(2026, 11, 25, 14, 45, 0))),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.last_line, "Never synced");
        assert_eq!(m.next_line, "Next run 14:45 (in 12 min)");
        assert!(m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Ok);
        assert_eq!(m.interval_checked, Some(15));
        assert_eq!(m.custom, None);
        assert_eq!(m.notice, None);
        assert_eq!(
            m.tooltip,
            "synctray\nNever synced\nNext run 14:45 (in 12 min)"
        );
        assert_eq!(
            named_tooltip("dashboard", &m),
            "synctray — dashboard: Never synced\nNext run 14:45 (in 12 min)"
        );
    }

    #[test]
    fn the_last_run_shows_its_time_and_length_or_the_failed_job() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let ok = Snapshot {
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
            ..snapshot(now)
        };
        assert_eq!(menu_state(&ok, now).last_line, "✓ Last sync 14:30 · 3.1 s");
        assert_eq!(menu_state(&ok, now).icon, IconKind::Ok);
        let bad = Snapshot {
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), false)),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&bad, now).last_line,
            "✗ Last sync 14:30 · failed: quality"
        );
        assert_eq!(menu_state(&bad, now).icon, IconKind::Error);
    }

    #[test]
    fn an_interrupted_run_is_not_shown_as_a_failure() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let mut s = finished(local(2026, 11, 25, 14, 30, 3), false);
        s.jobs.clear();
        s.error = Some("interrupted by shutdown".into());
        s.interrupted = true;
        let snap = Snapshot {
            last: Some(s),
            ..snapshot(now)
        };
        // Interrupted (Quit, shutdown, logout) is not a failure: no ✗, no red icon.
        let m = menu_state(&snap, now);
        assert_eq!(m.last_line, "Interrupted 14:30 (stopped during the run)");
        assert_eq!(m.icon, IconKind::Ok);
    }

    #[test]
    fn a_run_in_progress_here_or_elsewhere_disables_sync_now() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let here = Snapshot {
            running: Some(Running::Here {
                index: 2,
                total: 3,
                job: "quality".into(),
            }),
            paused: true,
            ..snapshot(now)
        };
        let m = menu_state(&here, now);
        assert_eq!(m.next_line, "Syncing 2/3: quality…");
        assert!(!m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Syncing);
        let holder = Holder {
            pid: Some(4242),
            host: Some("box".into()),
            ..Holder::default()
        };
        let elsewhere = Snapshot {
            running: Some(Running::Elsewhere(holder)),
            ..snapshot(now)
        };
        let m = menu_state(&elsewhere, now);
        assert_eq!(m.next_line, "Syncing (another process, pid 4242)…");
        assert!(!m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Syncing);
        let unknown = Snapshot {
            running: Some(Running::Elsewhere(Holder::default())),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&unknown, now).next_line,
            "Syncing (another process)…"
        );
    }

    #[test]
    fn a_retry_says_which_job_when_and_which_try() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let snap = Snapshot {
            running: Some(Running::Retrying {
                index: 2,
                total: 3,
                job: "quality".into(),
                next_try: 2,
                attempts: 3,
                at: utc(now) + TimeDelta::seconds(30),
            }),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.next_line, "Retrying quality in 30 s (try 2/3)…");
        assert!(!m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Syncing);
        let later = now + TimeDelta::milliseconds(12_500);
        assert_eq!(
            menu_state(&snap, later).next_line,
            "Retrying quality in 18 s (try 2/3)…"
        );
        let long = Snapshot {
            running: Some(Running::Retrying {
                index: 2,
                total: 3,
                job: "quality".into(),
                next_try: 3,
                attempts: 3,
                at: utc(now) + TimeDelta::seconds(120),
            }),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&long, now).next_line,
            "Retrying quality in 2 min (try 3/3)…"
        );
    }

    #[test]
    fn waiting_for_the_network_is_no_failure_and_leaves_sync_now_on() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let snap = Snapshot {
            running: Some(Running::Waiting {
                what: Condition::Network,
                until: None,
            }),
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.next_line, "Waiting for network…");
        assert!(m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Ok);
        assert_eq!(m.last_line, "✓ Last sync 14:30 · 3.1 s");
    }

    #[test]
    fn waiting_for_a_condition_says_until_when_and_is_no_failure() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let until = utc(local(2026, 11, 25, 18, 30, 0));
        for (what, line) in [
            (
                Condition::Power,
                "Waiting for AC power (runs anyway at 18:30)…",
            ),
            (
                Condition::Unmetered,
                "Waiting for an unmetered network (runs anyway at 18:30)…",
            ),
        ] {
            let snap = Snapshot {
                running: Some(Running::Waiting {
                    what,
                    until: Some(until),
                }),
                last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
                ..snapshot(now)
            };
            let m = menu_state(&snap, now);
            assert_eq!(m.next_line, line);
            assert!(m.sync_now_enabled, "Sync now runs a waiting run at once");
            assert_eq!(m.icon, IconKind::Ok);
        }
    }

    #[test]
    fn recent_runs_show_a_mark_the_time_and_the_length_or_the_failure() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let at = |h, m| utc(local(2026, 11, 25, h, m, 0)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let runs: Vec<Status> = [
            format!(
                r#"{{"lastSync":"{}","startedAt":"{}","status":"success","durationMs":3120,
                    "jobs":[{{"name":"a","status":"success","log":"data/logs/1.log"}}]}}"#,
                at(14, 30),
                at(14, 30)
            ),
            format!(
                r#"{{"lastSync":"{}","startedAt":"{}","status":"error","durationMs":1900,"error":"quality: exited with code 1: boom",
                    "jobs":[{{"name":"tokens","status":"success","log":"data/logs/2.log"}},
                            {{"name":"quality","status":"error","reason":"exited with code 1","attempts":3,"log":"data/logs/2.log"}}]}}"#,
                at(14, 15),
                at(14, 15)
            ),
            format!(
                r#"{{"lastSync":"{}","startedAt":"{}","status":"error","durationMs":5,"error":"interrupted by shutdown"}}"#,
                utc(local(2026, 11, 24, 23, 0, 0)).format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                utc(local(2026, 11, 24, 23, 0, 0)).format("%Y-%m-%dT%H:%M:%S%.3fZ")
            ),
        ]
        .iter()
        .map(|j| status(j))
        .collect();
        let items = recent_items(&runs, now);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "✓ 14:30 · 3.1 s",
                "✗ 14:15 · quality: exited with code 1 (3 tries)",
                "✗ yesterday 23:00 · interrupted by shutdown"
            ]
        );
        assert_eq!(
            items.iter().map(|i| i.has_log).collect::<Vec<_>>(),
            [true, true, false]
        );
        let many: Vec<Status> = std::iter::repeat_n(runs[0].clone(), 8).collect();
        assert_eq!(recent_items(&many, now).len(), RECENT_RUNS);
        assert!(recent_items(&[], now).is_empty());
    }

    #[test]
    fn runs_that_cannot_start_show_the_error_icon_and_the_reason_over_a_success() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let snap = Snapshot {
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
            problem: Some(crate::health::Problem {
                what: "data/ is read-only".into(),
                since: utc(now),
                probed: true,
            }),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.last_line, "✗ Cannot sync: data/ is read-only");
        assert_eq!(m.icon, IconKind::Error);
    }

    #[test]
    fn stale_data_shows_its_age_and_the_stale_icon_and_paused_data_is_never_stale() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let success = finished(local(2026, 11, 25, 11, 30, 0), true);
        let snap = Snapshot {
            fresh_since: success.last_success(),
            last: Some(success),
            overdue_after: Some(TimeDelta::minutes(30)),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.last_line, "⚠ Data is 3 h old (last success 11:30)");
        assert_eq!(m.icon, IconKind::Stale);
        // Not yet overdue a minute earlier than the threshold.
        let early = local(2026, 11, 25, 11, 59, 0);
        assert_eq!(menu_state(&snap, early).icon, IconKind::Ok);
        let paused = Snapshot {
            paused: true,
            ..snap.clone()
        };
        assert_eq!(menu_state(&paused, now).icon, IconKind::Paused);
        assert!(
            menu_state(&paused, now)
                .last_line
                .starts_with("✓ Last sync")
        );
    }

    #[test]
    fn a_failure_that_keeps_coming_back_says_since_when_and_how_many_runs() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let mut alerts = crate::notify::Alerts::default();
        let wanted = crate::config::Notifications::default();
        let error = crate::status::RunError {
            first: Some(crate::status::JobFailure {
                job: "quality".into(),
                failure: crate::status::Failure::Exited(1),
                tail: String::new(),
            }),
            ..Default::default()
        };
        let mut first = finished(local(2026, 11, 25, 14, 15, 3), false);
        first.started_at = Some(utc(local(2026, 11, 25, 14, 15, 0)));
        alerts.after_run(None, &first, &error, &wanted);
        for _ in 0..4 {
            alerts.after_run(Some(&first), &first, &error, &wanted);
        }
        let snap = Snapshot {
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), false)),
            failing: alerts.failing().cloned(),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.last_line, "✗ quality failing since 14:15 (5 runs)");
        assert_eq!(m.icon, IconKind::Error);
    }

    #[test]
    fn paused_shows_paused_and_its_icon_over_an_error() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let snap = Snapshot {
            paused: true,
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), false)),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        assert_eq!(m.next_line, "Paused");
        assert!(m.paused && m.sync_now_enabled);
        assert_eq!(m.icon, IconKind::Paused);
    }

    #[test]
    fn an_interval_that_is_no_preset_or_a_cron_schedule_is_a_checked_custom_item() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let odd = Snapshot {
            cadence: Cadence::every_minutes(45),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&odd, now).custom.as_deref(),
            Some("Custom: every 45 min")
        );
        assert_eq!(menu_state(&odd, now).interval_checked, None);
        let hours = Snapshot {
            cadence: Cadence::every_minutes(180),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&hours, now).custom.as_deref(),
            Some("Custom: every 3 h")
        );
        let cron = Snapshot {
            cadence: Cadence::cron("0 9 * * MON-FRI").unwrap(),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&cron, now).custom.as_deref(),
            Some("Custom: schedule 0 9 * * MON-FRI")
        );
        assert_eq!(menu_state(&cron, now).interval_checked, None);
        for n in INTERVAL_PRESETS {
            let preset = Snapshot {
                cadence: Cadence::every_minutes(n),
                ..snapshot(now)
            };
            assert_eq!(menu_state(&preset, now).interval_checked, Some(n));
            assert_eq!(menu_state(&preset, now).custom, None);
        }
    }

    #[test]
    fn preset_labels_read_as_the_menu_says() {
        let labels: Vec<_> = INTERVAL_PRESETS.iter().map(|&n| preset_label(n)).collect();
        assert_eq!(
            labels,
            [
                "Every 5 min",
                "Every 10 min",
                "Every 15 min",
                "Every 30 min",
                "Every 1 h",
                "Every 2 h",
                "Every 6 h",
                "Every 12 h",
                "Every 24 h"
            ]
        );
    }

    fn busy(at: DateTime<Local>) -> Option<Message> {
        Some(Message {
            at: utc(at),
            what: Notice::AlreadyRunning,
        })
    }

    #[test]
    fn a_config_error_beats_a_message_and_is_shortened_to_the_file() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let error = ConfigError {
            path: "/home/me/ws/data/config/sync.json".into(),
            kind: config::ConfigErrorKind::Invalid {
                key: "intervalMinutes".into(),
                message: "must be a whole number from 1 to 1440, got 0".into(),
            },
        };
        let snap = Snapshot {
            config_error: Some(Arc::new(error)),
            message: busy(now),
            ..snapshot(now)
        };
        let m = menu_state(&snap, now);
        let notice = m.notice.unwrap();
        assert!(
            notice.starts_with("⚠ Config not applied: intervalMinutes must be"),
            "{notice}"
        );
        assert!(
            notice.chars().count() <= NOTICE_CHARS && notice.ends_with('…'),
            "{notice}"
        );
        assert!(m.tooltip.ends_with("got 0"), "{}", m.tooltip);
        let message = Snapshot {
            message: busy(now),
            ..snapshot(now)
        };
        assert_eq!(
            menu_state(&message, now).notice.as_deref(),
            Some("⚠ a sync is already running")
        );
    }

    #[test]
    fn relative_times_round_up_to_the_minute() {
        let now = local(2026, 11, 25, 14, 33, 0);
        let at = |h, m, s| utc(local(2026, 11, 25, h, m, s));
        assert_eq!(relative(at(14, 33, 0), now), "now");
        assert_eq!(relative(at(14, 20, 0), now), "now");
        assert_eq!(relative(at(14, 33, 1), now), "in 1 min");
        assert_eq!(relative(at(14, 45, 0), now), "in 12 min");
        assert_eq!(relative(at(15, 33, 0), now), "in 1 h");
        assert_eq!(relative(at(15, 38, 0), now), "in 1 h 5 min");
        assert_eq!(
            relative(utc(local(2026, 11, 27, 17, 33, 0)), now),
            "in 2 d 3 h"
        );
        assert_eq!(relative(utc(local(2026, 11, 26, 14, 33, 0)), now), "in 1 d");
        // Just after a minute boundary, as the engine's minute snapshots are taken.
        let now = now + TimeDelta::milliseconds(5);
        assert_eq!(relative(at(14, 45, 0), now), "in 12 min");
    }

    #[test]
    fn clock_times_name_the_day_when_it_is_not_today() {
        let now = local(2026, 11, 25, 14, 33, 0);
        assert_eq!(clock(utc(local(2026, 11, 25, 9, 5, 0)), now), "09:05");
        assert_eq!(
            clock(utc(local(2026, 11, 24, 23, 59, 0)), now),
            "yesterday 23:59"
        );
        assert_eq!(
            clock(utc(local(2026, 11, 26, 0, 0, 0)), now),
            "tomorrow 00:00"
        );
        assert_eq!(clock(utc(local(2026, 11, 30, 9, 0, 0)), now), "Mon 09:00");
        assert_eq!(clock(utc(local(2026, 10, 1, 9, 0, 0)), now), "1 Oct 09:00");
        assert_eq!(
            clock(utc(local(2025, 10, 1, 9, 0, 0)), now),
            "1 Oct 2025 09:00"
        );
    }

    #[test]
    fn durations_read_in_the_largest_sensible_units() {
        assert_eq!(duration(0), "0.0 s");
        assert_eq!(duration(3120), "3.1 s");
        assert_eq!(duration(59_940), "59.9 s");
        assert_eq!(duration(60_000), "1 min");
        assert_eq!(duration(125_000), "2 min 5 s");
        assert_eq!(duration(3_780_000), "1 h 3 min");
    }

    #[test]
    fn the_menu_changes_next_just_after_the_next_minute() {
        let ms = |d: Duration| d.as_millis();
        assert_eq!(
            ms(until_next_minute(local(2026, 11, 25, 14, 33, 0))),
            60_020
        );
        assert_eq!(
            ms(until_next_minute(local(2026, 11, 25, 14, 33, 48))),
            12_020
        );
        let late = local(2026, 11, 25, 14, 33, 59) + TimeDelta::milliseconds(995);
        assert_eq!(ms(until_next_minute(late)), 25);
        // Redrawn then, the relative time has counted down.
        let next_run = utc(local(2026, 11, 25, 14, 45, 0));
        let at = |now: DateTime<Local>| now + TimeDelta::from_std(until_next_minute(now)).unwrap();
        let now = local(2026, 11, 25, 14, 33, 48);
        assert_eq!(relative(next_run, now), "in 12 min");
        assert_eq!(relative(next_run, at(now)), "in 11 min");
        assert_eq!(relative(next_run, at(at(now))), "in 10 min");
    }

    #[test]
    fn a_message_is_shown_for_two_minutes_from_when_the_engine_said_it() {
        let said = local(2026, 11, 25, 14, 0, 0);
        let snap = Snapshot {
            message: busy(said),
            ..snapshot(said)
        };
        let notice = |now| menu_state(&snap, now).notice;
        let shown = Some("⚠ a sync is already running".to_owned());
        assert_eq!(notice(said), shown);
        assert_eq!(notice(said + TimeDelta::seconds(119)), shown);
        assert_eq!(notice(said + TimeDelta::minutes(2)), None);
        assert_eq!(notice(said + TimeDelta::minutes(3)), None);
        assert_eq!(
            hidden_at(snap.message.as_ref().unwrap()),
            utc(said) + MESSAGE_SHOWN_FOR
        );
        // The same words said again are news again.
        let again = Snapshot {
            message: busy(said + TimeDelta::minutes(3)),
            ..snapshot(said)
        };
        assert_eq!(
            menu_state(&again, said + TimeDelta::minutes(4)).notice,
            shown
        );
    }
}
