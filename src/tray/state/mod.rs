//! What the tray shows, as plain data: [`menu_state`] turns an engine [`Snapshot`] and the
//! local time into the menu's texts, checks, enabled flags and the icon. No GTK here, so
//! every text of the menu is unit-tested below; the event loop only copies a [`MenuState`]
//! onto the widgets.

use std::time::Duration;

use chrono::{DateTime, Local, TimeDelta, Timelike, Utc};

use crate::config::INTERVAL_PRESETS;
use crate::i18n;
use crate::schedule::Cadence;
use crate::schedule::Trigger;
use crate::snapshot::{Message, Notice, Running, Snapshot};
use crate::status::{Outcome, RunRecord};
use crate::t;
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
    /// A bad config edit, or the engine's latest message; shown under the two lines. At
    /// most two lines of [`LABEL_CHARS`] (joined by `\n`, each its own menu item), never
    /// cut where the fix is; the tooltip has it whole.
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
    /// When a pause for a while ends ("Until I resume" is then not checked).
    pub paused_until: Option<DateTime<Utc>>,
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
/// times as the menu says them from `now`: to the second when two rows share a minute or
/// the workspace's `cadence` can run more than once a minute.
pub fn recent_items(
    runs: &[RunRecord],
    now: DateTime<Local>,
    cadence: &Cadence,
) -> Vec<RecentItem> {
    let runs = &runs[..runs.len().min(RECENT_RUNS)];
    // Rows that would read the same minute are told apart by their seconds.
    let minutes: Vec<String> = runs.iter().map(|r| clock(r.started(), now)).collect();
    let shared =
        cadence.below_a_minute() || (1..minutes.len()).any(|i| minutes[..i].contains(&minutes[i]));
    runs.iter()
        .map(|run| {
            let when = if shared {
                clock_s(run.started(), now)
            } else {
                clock(run.started(), now)
            };
            let label = match crate::runs::failure(run) {
                None => format!("✓ {when} · {}", duration(run.duration_ms)),
                Some(why) => format!("✗ {when} · {}", elide_middle(&why, RECENT_FAILURE_CHARS)),
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
    t!(EVERY, length = i18n::interval(minutes))
}

/// The menu for `snap`, with relative times counted from `now`.
pub fn menu_state(snap: &Snapshot, now: DateTime<Local>) -> MenuState {
    let overdue = snap.overdue(now.with_timezone(&Utc));
    // While a failure is why the data is old, the failure stays the headline, the age
    // added: "✗ quality failing since 11:17 (4 runs) · data 3 min old".
    let aged = |line: String| match overdue {
        Some(age) => t!(WITH_DATA_AGE, line = line, age = i18n::age(age)),
        None => line,
    };
    let last_line = match &snap.last {
        // What keeps the data from being fresh comes first: runs that cannot start, then
        // a failure, then data gone stale for no reason the runs show.
        _ if snap.problem.is_some() => {
            let what = &snap.problem.as_ref().expect("guarded").what;
            t!(CANNOT_SYNC, what = crate::notify::blocker_words(what))
        }
        Some(s)
            if !s.is_success()
                && !s.interrupted
                && snap.failing.as_ref().is_some_and(|f| f.runs > 1) =>
        {
            let f = snap.failing.as_ref().expect("guarded");
            aged(t!(
                FAILING_SINCE,
                job = f.job.clone().unwrap_or_else(|| t!(FAILING_RUN)),
                since = clock(f.since, now),
                runs = f.runs
            ))
        }
        Some(s) if !s.is_success() && !s.interrupted => aged(t!(
            LAST_SYNC_FAILED,
            time = clock(s.last_sync, now),
            what = failed_what(s)
        )),
        _ if overdue.is_some() => {
            let age = i18n::age(overdue.expect("guarded"));
            match snap.last_success() {
                Some(at) => t!(DATA_OLD, age = age, success = clock(at, now)),
                None => t!(DATA_OLD_NEVER, age = age),
            }
        }
        None => t!(NEVER_SYNCED),
        Some(s) if s.is_success() => t!(
            LAST_SYNC_OK,
            time = clock(s.last_sync, now),
            length = duration(s.duration_ms)
        ),
        // Stopped by Quit, a shutdown or a logout: not a failure; the next run decides.
        Some(s) => match s.last_success() {
            Some(ok) => t!(
                INTERRUPTED_LAST_SUCCESS,
                time = clock(s.last_sync, now),
                success = clock(ok, now)
            ),
            None => t!(INTERRUPTED, time = clock(s.last_sync, now)),
        },
    };
    let next_line = match &snap.running {
        Some(Running::Here { index, total, job }) => t!(
            SYNCING_JOB,
            index = *index,
            total = *total,
            job = job.as_str()
        ),
        Some(Running::Retrying {
            job,
            next_try,
            attempts,
            at,
            ..
        }) => t!(
            RETRYING,
            job = job.as_str(),
            when = countdown(*at, now),
            attempt = *next_try,
            attempts = *attempts
        ),
        Some(Running::Waiting { what, until }) => match (what, until) {
            (Condition::Network, _) => t!(WAITING_NETWORK),
            (Condition::Power, Some(at)) => t!(WAITING_POWER_UNTIL, time = clock(*at, now)),
            (Condition::Unmetered, Some(at)) => {
                t!(WAITING_UNMETERED_UNTIL, time = clock(*at, now))
            }
            (Condition::Power, None) => t!(WAITING_POWER),
            (Condition::Unmetered, None) => t!(WAITING_UNMETERED),
        },
        Some(Running::Elsewhere(holder)) => match holder.pid {
            Some(pid) => t!(SYNCING_ELSEWHERE_PID, pid = pid),
            None => t!(SYNCING_ELSEWHERE),
        },
        None if snap.paused => match snap.paused_until {
            Some(until) => t!(PAUSED_UNTIL, time = clock(until, now)),
            None => t!(PAUSED),
        },
        // A schedule every few seconds is said to the second: "in 1 min" would be wrong.
        None => match snap.next_run {
            Some(at) if snap.cadence.below_a_minute() => {
                t!(NEXT_RUN, time = clock_s(at, now), when = countdown(at, now))
            }
            Some(at) => t!(NEXT_RUN, time = clock(at, now), when = relative(at, now)),
            None => t!(NO_RUN_SCHEDULED),
        },
    };
    let message = snap.message.as_ref().filter(|m| hidden_at(m) > now);
    let notice = match (&snap.config_error, message) {
        // A refused click is the answer the person waits for: it comes first.
        (_, Some(m)) if matches!(m.what, Notice::Edit(..)) => Some(notice_text(&m.what)),
        // The line says "Config": the file's path would not fit a narrow menu.
        (Some(e), _) => Some(t!(CONFIG_NOT_APPLIED, what = e.kind.to_string())),
        (None, Some(m)) => Some(notice_text(&m.what)),
        (None, None) => None,
    };
    let (interval_checked, custom) = match &snap.cadence {
        // Nothing is in force: no check says otherwise.
        _ if snap.no_config => (None, None),
        Cadence::Cron { expr, .. } => (None, Some(t!(CUSTOM_SCHEDULE, schedule = expr.as_str()))),
        Cadence::Every { minutes, .. } if INTERVAL_PRESETS.contains(minutes) => {
            (Some(*minutes), None)
        }
        Cadence::Every { minutes, .. } => (
            None,
            Some(t!(CUSTOM_EVERY, length = i18n::interval(*minutes))),
        ),
    };
    // A waiting run holds no lock and has not started: "Sync now" runs it.
    let busy = snap
        .running
        .as_ref()
        .is_some_and(|r| r.waiting_for().is_none());
    // Never a green ✓ over a workspace whose runs cannot start or whose data is stale.
    let icon = snap.state(now.with_timezone(&Utc));
    // The tooltip says when the next run is, not how long until it ("in 12 min"): it reads
    // the same all minute long, so the panel is not told of a new tooltip every minute.
    let next_at = match (&snap.running, snap.paused, snap.next_run) {
        (None, false, Some(at)) if snap.cadence.below_a_minute() => {
            Some(t!(NEXT_RUN_AT, time = clock_s(at, now)))
        }
        (None, false, Some(at)) => Some(t!(NEXT_RUN_AT, time = clock(at, now))),
        _ => None,
    };
    let tooltip_next = next_at.as_deref().unwrap_or(&next_line);
    let mut tooltip = format!("synctray\n{last_line}\n{tooltip_next}");
    if let Some(notice) = &notice {
        tooltip.push('\n');
        tooltip.push_str(notice);
    }
    MenuState {
        last_line,
        next_line,
        notice: notice.map(|n| wrap_two(&n, LABEL_CHARS)),
        // Nothing to run where the probe sees runs cannot start (the folder is gone).
        sync_now_enabled: !busy && !snap.problem.as_ref().is_some_and(|p| p.probed),
        interval_checked,
        custom,
        paused: snap.paused && !snap.no_config,
        paused_until: snap.paused_until,
        icon,
        tooltip,
        recent: Vec::new(),
    }
}

/// What "Pause all" does to workspaces `paused` (each id with whether it is paused now),
/// given `by_pause_all`, the ones the last "Pause all" paused: the changes to make, as
/// (id, paused). Pausing pauses the workspaces not paused yet and remembers them;
/// un-pausing resumes exactly those (a workspace paused on its own stays paused), or every
/// one when "Pause all" paused none of them.
pub fn pause_all(paused: &[(u64, bool)], by_pause_all: &mut Vec<u64>) -> Vec<(u64, bool)> {
    let all = !paused.is_empty() && paused.iter().all(|(_, p)| *p);
    if all {
        let ours: Vec<u64> = paused
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| by_pause_all.contains(id))
            .collect();
        by_pause_all.clear();
        let resume = if ours.is_empty() {
            paused.iter().map(|(id, _)| *id).collect()
        } else {
            ours
        };
        resume.into_iter().map(|id| (id, false)).collect()
    } else {
        let newly: Vec<u64> = paused
            .iter()
            .filter(|(_, p)| !*p)
            .map(|(id, _)| *id)
            .collect();
        by_pause_all.retain(|id| paused.iter().any(|(i, p)| i == id && *p));
        by_pause_all.extend(&newly);
        newly.into_iter().map(|id| (id, true)).collect()
    }
}

/// The icon's tooltip for the workspace `name`, as its title ("synctray — dashboard", so two
/// trays can be told apart) and its text (the lines of `m.tooltip` after "synctray").
pub fn named_tooltip(name: &str, m: &MenuState) -> (String, String) {
    let rest = m.tooltip.strip_prefix("synctray\n").unwrap_or(&m.tooltip);
    (t!(MENU_TITLE, workspace = name), rest.to_owned())
}

/// The line that sums a workspace up in a menu of several, opening its submenu:
/// `dashboard: ✓ 14:30 · next 14:45`, `dashboard: ✗ Cannot sync`, `dashboard: Syncing…`.
pub fn summary(name: &str, snap: &Snapshot, now: DateTime<Local>) -> String {
    let state = snap.state(now.with_timezone(&Utc));
    let what = match state {
        IconKind::Syncing => t!(SUMMARY_SYNCING),
        IconKind::Error if snap.problem.is_some() => t!(SUMMARY_CANNOT_SYNC),
        IconKind::Paused => t!(PAUSED),
        IconKind::Stale => {
            let age = snap.overdue(now.with_timezone(&Utc)).unwrap_or_default();
            t!(SUMMARY_OLD, age = i18n::age(age))
        }
        _ => match &snap.last {
            Some(last) => format!("{} {}", state.mark(), clock(last.last_sync, now)),
            None => t!(NEVER_SYNCED),
        },
    };
    let what = match snap
        .next_run
        .filter(|_| !snap.paused && state != IconKind::Syncing)
    {
        Some(next) => t!(STATE_NEXT, state = what, time = clock(next, now)),
        None => what,
    };
    // A long name gives way, elided in the middle, so that the state stays in sight.
    let room = LABEL_CHARS
        .saturating_sub(what.chars().count() + 2)
        .max(MIN_NAME_CHARS);
    t!(SUMMARY, workspace = elide_middle(name, room), state = what)
}

/// The fewest characters of a workspace's name a menu line keeps.
const MIN_NAME_CHARS: usize = 12;

/// The menu's title line naming the workspace: "synctray — dashboard", its name elided in
/// the middle to [`LABEL_CHARS`] (the tooltip has it whole).
pub fn title(name: &str) -> String {
    elide_middle(&t!(MENU_TITLE, workspace = name), LABEL_CHARS)
}

/// What a failed run's first line names: the failing job, else the run's error.
fn failed_what(s: &RunRecord) -> String {
    if let Some(job) = s.jobs.iter().find(|j| j.status == Outcome::Error) {
        return job.name.clone();
    }
    match s.error.as_deref() {
        _ if s.interrupted => t!(FAILED_INTERRUPTED),
        Some(e) => elide_middle(e.lines().next().unwrap_or(e), 40),
        None => t!(FAILED_ERROR),
    }
}

/// An engine message as the menu says it.
fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::AlreadyRunning => t!(NOTICE_ALREADY_RUNNING),
        Notice::Skipped { trigger, holder } => {
            let trigger = match trigger {
                Trigger::Schedule => "schedule",
                Trigger::CatchUp => "catch-up",
                Trigger::Manual | Trigger::Cli => "manual",
            };
            t!(
                NOTICE_SKIPPED,
                trigger = trigger,
                holder = holder.to_string()
            )
        }
        Notice::Edit(edit, e) => t!(
            NOTICE_NOT_CHANGED,
            edit = crate::notify::edit_key(*edit),
            what = e.kind.to_string()
        ),
        // Each warning in its own words: a typo by its fix, first and never cut ("⚠
        // intervalMinuts → intervalMinutes?"), anything else as the notification says it.
        // One a line when they do not fit on one.
        Notice::Warning(w) => {
            let each: Vec<String> = w
                .iter()
                .map(|w| match w.typo_fix() {
                    Some((key, fix)) => t!(NOTICE_CONFIG_TYPO, key = key, fix = fix),
                    None => t!(NOTICE_CONFIG, what = crate::notify::warning_words(w)),
                })
                .collect();
            let one = each.join(" ");
            if one.chars().count() <= LABEL_CHARS {
                one
            } else {
                each.join("\n")
            }
        }
    }
}

/// The widest a menu label gets, in characters (about 48: a readable menu on a small
/// screen). Longer texts are elided in the middle or split over two lines; the icon's
/// tooltip has them whole.
pub const LABEL_CHARS: usize = 48;

/// `text` at most `max` characters, elided in the middle (`dashboard-of-the-…-team-2026`):
/// its start says what it is about, its end often says what to do, so neither is cut.
pub fn elide_middle(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut short: String = chars[..head].iter().collect();
    short.push('…');
    short.extend(&chars[chars.len() - tail..]);
    short
}

/// `text` on at most two lines of at most `max` characters, joined by `\n`: broken at a
/// space, and when even two lines are too few, the second keeps the end (where the fix
/// usually is: "did you mean intervalMinutes?", "got 0"). Two lines of `text` that each
/// fit are kept as they are.
pub fn wrap_two(text: &str, max: usize) -> String {
    // Lines made to be read apart (a fix each) stay apart when they fit.
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 2 && lines.iter().all(|l| l.chars().count() <= max) {
        return lines.join("\n");
    }
    let text = lines.join(" ");
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text;
    }
    // Break at the last space that leaves the first line within `max`.
    let cut = chars[..=max]
        .iter()
        .rposition(|c| *c == ' ')
        .filter(|at| *at > max / 3)
        .unwrap_or(max);
    let first: String = chars[..cut].iter().collect();
    let rest: String = chars[cut..]
        .iter()
        .collect::<String>()
        .trim_start()
        .to_owned();
    let rest: Vec<char> = rest.chars().collect();
    let second: String = if rest.len() <= max {
        rest.iter().collect()
    } else {
        // The end of the text, from a word's start where one is near.
        let from = rest.len() - (max - 1);
        let from = rest[from..]
            .iter()
            .position(|c| *c == ' ')
            .filter(|at| *at < max / 3)
            .map_or(from, |at| from + at + 1);
        std::iter::once('…')
            .chain(rest[from..].iter().copied())
            .collect()
    };
    format!("{}\n{second}", first.trim_end())
}

/// A time as a menu says it, in the person's words and clock: "14:30" today,
/// "yesterday 14:30", "tomorrow 09:00", "Mon 09:00" within a week, else "25 Nov 14:30"
/// (and the year if not this one); see [`i18n::at`].
pub fn clock(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    i18n::at(t, now, false)
}

/// [`clock`] to the second: "14:30:05", "yesterday 14:30:05", "2:30:05 PM".
pub fn clock_s(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    i18n::at(t, now, true)
}

/// How long until `t`: "now", "in 12 min", "in 1 h 5 min", "in 2 d 3 h". Rounded up to
/// the minute, so that a menu refreshed at each minute counts down 3, 2, 1 min.
pub fn relative(t: DateTime<Utc>, now: DateTime<Local>) -> String {
    let ms = (t - now.with_timezone(&Utc)).num_milliseconds();
    if ms <= 0 {
        return t!(NOW);
    }
    t!(IN_TIME, length = i18n::length((ms + 59_999) / 60_000))
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
        ..=0 => t!(NOW),
        1..60_000 => t!(IN_TIME, length = i18n::seconds((ms + 999) / 1000)),
        _ => relative(t, now),
    }
}

/// A run's length: "3.1 s", "2 min 5 s", "1 h 3 min".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0..60 => t!(SECONDS, count = i18n::decimal(ms as f64 / 1000.0)),
        60..3600 if secs.is_multiple_of(60) => t!(MINUTES, count = secs / 60),
        60..3600 => t!(
            LENGTH_TWO,
            first = t!(MINUTES, count = secs / 60),
            second = t!(SECONDS, count = secs % 60)
        ),
        _ => t!(
            LENGTH_TWO,
            first = t!(HOURS, count = secs / 3600),
            second = t!(MINUTES, count = secs % 3600 / 60)
        ),
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
