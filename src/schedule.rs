//! When runs fall due: a parsed [`Cadence`] and the pure [`plan`] function that, given
//! the last run and the time now, says when the next run is and whether it is a catch-up.
//!
//! Nothing here reads a clock: time comes in as arguments, so the tests can make days pass
//! and jump the wall clock as a suspend does.

use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// How late a scheduled run may start and still count as on time. A run that fell due
/// longer ago than this was missed (synctray was not running, or the machine slept), and
/// `catchUp` decides what to do about it.
pub const ON_TIME: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The zone a schedule's wall-clock times are read in.
///
/// Both kinds go through the same code: the local zone is the system's IANA zone (from
/// `TZ`, else `/etc/localtime` or the platform's setting), looked up when a time is
/// planned, so daylight-saving changes behave in it exactly as in a named zone and a
/// change of the system's zone takes effect at the next plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// The machine's local zone (the default).
    Local,
    /// An IANA zone from the `timezone` key, read from the system's time zone database
    /// (bundled on Windows). Rules are data, not code: no table of every zone is compiled
    /// in, so this costs nothing until it is used.
    Named(jiff::tz::TimeZone),
}

impl Zone {
    /// The IANA zone called `name`, if the time zone database has it.
    pub fn named(name: &str) -> Option<Zone> {
        jiff::tz::TimeZone::get(name).ok().map(Zone::Named)
    }

    /// The rules in force: the named zone's, or the system's zone now.
    fn rules(&self) -> jiff::tz::TimeZone {
        match self {
            Zone::Local => crate::sys::local_zone(),
            Zone::Named(tz) => tz.clone(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Local => f.write_str("local time"),
            Zone::Named(tz) => f.write_str(tz.iana_name().unwrap_or("a named zone")),
        }
    }
}

/// How often runs fall due, as the config says it and parsed: every N minutes
/// (`intervalMinutes`), or the times of a cron expression (`schedule`, which then rules).
/// Menus and reports show what the file says; [`plan`] reads the parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    /// `intervalMinutes`: every N minutes (see [`Cadence::every_minutes`]).
    Every {
        minutes: u32,
        /// The wall-clock times it fires at, when N divides the hour or the day; `None`
        /// when it fires N minutes after the previous run started.
        grid: Option<Box<Cron>>,
    },
    /// `schedule`: a cron expression, as written and parsed.
    Cron { expr: String, cron: Box<Cron> },
}

/// How a cadence fires: at fixed wall-clock times, or a fixed time after the previous run.
enum Fires<'a> {
    At(&'a Cron),
    After(Duration),
}

/// Parses a cron expression in croner's syntax: 5 fields, or 6 with seconds first.
pub fn parse_cron(expr: &str) -> Result<Cron, String> {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build()
        .parse(expr)
        .map_err(|e| e.to_string())
}

/// The whole numbers of minutes "every N minutes" may be, from a minute to a day
/// (`intervalMinutes`; the CLI's `interval` and the tray's presets keep to them too).
pub const INTERVAL_MINUTES: RangeInclusive<u32> = 1..=1440;
/// The interval when the file names none (the original's default).
pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;

impl Default for Cadence {
    /// The interval of a file that names none.
    fn default() -> Self {
        Cadence::every_minutes(DEFAULT_INTERVAL_MINUTES)
    }
}

impl Cadence {
    /// "Every N minutes" (not the original's `*/N`, which fires at :00 and :45 for 45):
    /// N dividing 60 fires at the minutes that are multiples of N; N a whole number of
    /// hours dividing 24 fires at the top of those hours; any other N fires N minutes
    /// after the previous run started. N is from [`INTERVAL_MINUTES`].
    pub fn every_minutes(minutes: u32) -> Cadence {
        let aligned = if minutes == 60 {
            Some("0 0 * * * *".to_owned())
        } else if minutes < 60 && 60 % minutes == 0 {
            Some(format!("0 */{minutes} * * * *"))
        } else if minutes.is_multiple_of(60) && 24 % (minutes / 60) == 0 {
            let hours = minutes / 60;
            Some(if hours == 24 {
                "0 0 0 * * *".to_owned()
            } else {
                format!("0 0 */{hours} * * *")
            })
        } else {
            None
        };
        Cadence::Every {
            minutes,
            grid: aligned.map(|expr| Box::new(parse_cron(&expr).expect("built-in pattern"))),
        }
    }

    /// A `schedule` expression (see [`parse_cron`]), kept as written.
    pub fn cron(expr: &str) -> Result<Cadence, String> {
        Ok(Cadence::Cron {
            expr: expr.to_owned(),
            cron: Box::new(parse_cron(expr)?),
        })
    }

    /// N, for "every N minutes"; `None` for a cron expression.
    pub fn minutes(&self) -> Option<u32> {
        match self {
            Cadence::Every { minutes, .. } => Some(*minutes),
            Cadence::Cron { .. } => None,
        }
    }

    /// The cron expression as written; `None` for "every N minutes".
    pub fn expr(&self) -> Option<&str> {
        match self {
            Cadence::Every { .. } => None,
            Cadence::Cron { expr, .. } => Some(expr),
        }
    }

    /// Whether it can fire more than once a minute: a `schedule` whose seconds field (the
    /// first of six) is not a single second. The menu then says its times to the second.
    pub fn below_a_minute(&self) -> bool {
        let Some(expr) = self.expr() else {
            return false;
        };
        let fields: Vec<&str> = expr.split_whitespace().collect();
        fields.len() == 6 && fields[0].parse::<u32>().is_err()
    }

    fn fires(&self) -> Fires<'_> {
        match self {
            Cadence::Cron { cron, .. }
            | Cadence::Every {
                grid: Some(cron), ..
            } => Fires::At(cron),
            Cadence::Every {
                minutes,
                grid: None,
            } => Fires::After(Duration::from_secs(u64::from(*minutes) * 60)),
        }
    }

    /// The first due time strictly after `after`, for a schedule whose previous run (or
    /// anchor) was at `after`. `None` when the expression never matches again.
    pub fn next_after(&self, zone: &Zone, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.fires() {
            Fires::After(every) => Some(after + every),
            // Through jiff for both zones: a repeated hour is walked on both of its halves
            // (an interval fires on each, a fixed time once), and a fixed time in a
            // skipped hour fires at the first valid time after it.
            Fires::At(cron) => Cadence::next_at(cron, &zone.rules(), after),
        }
    }

    /// The longest time between two consecutive due times over the `window` after `from`
    /// (the default of `overdueAfterMinutes` is twice it); the gap after the first due
    /// time counts even when it ends past the window. `None` when the schedule does not
    /// fire twice again. Walked slot by slot, but never in steps under a minute, so that a
    /// schedule of every second costs at most a week of minutes (10,080 steps); a gap is
    /// then at most a minute short, which the doubling covers.
    pub fn longest_gap(
        &self,
        zone: &Zone,
        from: DateTime<Utc>,
        window: chrono::TimeDelta,
    ) -> Option<chrono::TimeDelta> {
        let cron = match self.fires() {
            Fires::After(every) => return chrono::TimeDelta::from_std(every).ok(),
            Fires::At(cron) => cron,
        };
        let end = from + window;
        let step = chrono::TimeDelta::minutes(1);
        // The rules once: the local zone's are read from the system at each call.
        let rules = zone.rules();
        let mut at = Cadence::next_at(cron, &rules, from)?;
        let mut longest = None;
        // The gap after the first due time counts even when it ends past the window (a
        // monthly schedule).
        while let Some(next) = Cadence::next_at(cron, &rules, at) {
            longest = longest.max(Some(next - at));
            at = next.max(at + step);
            if at >= end {
                break;
            }
        }
        longest
    }

    fn next_at(
        cron: &Cron,
        rules: &jiff::tz::TimeZone,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let after = jiff::Timestamp::from_millisecond(after.timestamp_millis()).ok()?;
        let next = cron
            .find_next_occurrence(&after.to_zoned(rules.clone()), false)
            .ok()?;
        DateTime::from_timestamp_millis(next.timestamp().as_millisecond())
    }

    /// The first slot strictly after `now`, for a schedule whose previous run was at
    /// `last`: "N minutes after the previous run" stays on the grid `last + k·N`; fixed
    /// wall-clock times are simply the next one after `now`.
    pub fn next_slot_after(
        &self,
        zone: &Zone,
        last: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self.fires() {
            Fires::After(every) => {
                let every = chrono::TimeDelta::from_std(every).ok()?;
                let step = every.num_milliseconds().max(1);
                let behind = (now - last).num_milliseconds().max(0) / step;
                Some(last + chrono::TimeDelta::milliseconds(step * (behind + 1)))
            }
            Fires::At(_) => self.next_after(zone, now.max(last)),
        }
    }
}

/// Why a run starts: shown in the status file's `trigger`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// A due time of the schedule, on time.
    Schedule,
    /// A due time that passed while synctray was not running or the machine slept.
    CatchUp,
    /// "Sync now" in the tray.
    Manual,
    /// `synctray sync`.
    Cli,
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trigger::Schedule => "schedule",
            Trigger::CatchUp => "catch-up",
            Trigger::Manual => "manual",
            Trigger::Cli => "cli",
        })
    }
}

/// The next run: when, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub trigger: Trigger,
}

/// What the scheduler knows when it plans.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput {
    /// The schedule's previous slot: the later of the last recorded run's start and the
    /// last due time this scheduler handled (a run it skipped because the lock was held
    /// still uses up its slot). `None` when the workspace has never run. A time after
    /// `now` (the clock was set back, or a bad file) counts as `now`.
    pub last: Option<DateTime<Utc>>,
    /// When this scheduler started: the anchor for a workspace that never ran.
    pub since: DateTime<Utc>,
    pub catch_up: bool,
}

/// What a next run is planned from, besides the configuration: the one input of
/// [`crate::config::Config::next_run`], which the scheduler loop, the status file's
/// `nextRun` and a snapshot read from the files all plan with.
#[derive(Debug, Clone, Copy)]
pub struct Planning {
    /// The schedule's previous slot (see [`PlanInput::last`]).
    pub last: Option<DateTime<Utc>>,
    /// When the scheduler started (see [`PlanInput::since`]).
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// When the scheduler's last run ended, until its next one starts: a due time at or
    /// before it came while that run was in progress. `None` outside the scheduler loop.
    pub ran_until: Option<DateTime<Utc>>,
}

impl Planning {
    /// Planning from the files alone, as the status file's `nextRun`, `synctray status`
    /// and `synctray next` do: the last recorded run `started` and `ended` (`None` when
    /// the workspace never ran), and the time is `now`. A due time that fell while that run
    /// was in progress is handled as the scheduler loop handles it when the run ends
    /// (see [`crate::config::Config::next_run`]), so the answer is the time the next run
    /// really starts, after an overrun too. An end dated after `now` (the clock was set
    /// back) does not count.
    pub fn after_run(last: Option<(DateTime<Utc>, DateTime<Utc>)>, now: DateTime<Utc>) -> Planning {
        Planning {
            last: last.map(|(started, _)| started),
            since: now,
            now,
            ran_until: last.map(|(_, ended)| ended).filter(|ended| *ended <= now),
        }
    }
}

/// Plans the next run. Pure: the same input gives the same answer.
///
/// - A slot after `last` that is still ahead, or fell due less than [`ON_TIME`] ago, is
///   the next run (`schedule`).
/// - A slot that fell due longer ago was missed: with `catch_up` one run starts now
///   (`catch-up`) — one, however many slots were missed; without it the schedule skips to
///   its first slot not yet missed.
/// - A workspace that never ran is behind: with `catch_up` it runs now.
/// - A previous run (or start) dated after `now` counts as `now`: a clock set back never
///   stalls the schedule until it catches up with the old time.
pub fn plan(cadence: &Cadence, zone: &Zone, input: PlanInput, now: DateTime<Utc>) -> Option<Due> {
    let catch_up_now = Due {
        at: now,
        trigger: Trigger::CatchUp,
    };
    let Some(last) = input.last.map(|last| last.min(now)) else {
        if input.catch_up {
            return Some(catch_up_now);
        }
        let at = cadence.next_after(zone, input.since.min(now))?;
        return Some(Due {
            at,
            trigger: Trigger::Schedule,
        });
    };
    let first = cadence.next_after(zone, last)?;
    if first + ON_TIME >= now {
        return Some(Due {
            at: first,
            trigger: Trigger::Schedule,
        });
    }
    if input.catch_up {
        return Some(catch_up_now);
    }
    // The first slot not yet missed: one still ahead, or one that fell due less than
    // ON_TIME ago. Counting from `now - ON_TIME` rather than `now` matters when the
    // loop wakes at the slot it planned: `last` is still the run before the skipped
    // slots, and that slot must not be skipped in turn.
    Some(Due {
        at: cadence.next_slot_after(zone, last, now - ON_TIME)?,
        trigger: Trigger::Schedule,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeDelta};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn utc_zone() -> Zone {
        Zone::named("UTC").unwrap()
    }

    /// The next `count` due times of "every N minutes", run by run, as a scheduler would
    /// see them: each run starts at its due time.
    fn runs(minutes: u32, start: &str, count: usize) -> Vec<String> {
        let schedule = Cadence::every_minutes(minutes);
        let mut last = utc(start);
        (0..count)
            .map(|_| {
                let input = PlanInput {
                    last: Some(last),
                    since: last,
                    catch_up: true,
                };
                let due = plan(&schedule, &utc_zone(), input, last).unwrap();
                assert_eq!(due.trigger, Trigger::Schedule);
                last = due.at;
                last.format("%d %H:%M").to_string()
            })
            .collect()
    }

    #[test]
    fn the_longest_gap_is_found_in_the_coming_week() {
        let week = TimeDelta::days(7);
        let from = utc("2026-11-25T10:07:00Z");
        let gap = |c: Cadence| c.longest_gap(&utc_zone(), from, week);
        assert_eq!(
            gap(Cadence::every_minutes(15)),
            Some(TimeDelta::minutes(15))
        );
        assert_eq!(
            gap(Cadence::every_minutes(45)),
            Some(TimeDelta::minutes(45))
        );
        // Weekdays at 9: Friday 09:00 to Monday 09:00.
        let weekdays = Cadence::cron("0 9 * * MON-FRI").unwrap();
        assert_eq!(gap(weekdays), Some(TimeDelta::hours(72)));
        // Every second during office hours: the night is the gap, found in a minute's steps.
        let busy = Cadence::cron("* * 9-17 * * *").unwrap();
        let night = gap(busy).unwrap();
        assert!(
            night <= TimeDelta::hours(15) && night > TimeDelta::hours(15) - TimeDelta::minutes(1),
            "{night}"
        );
        // Once a year: the gap after the first one, past the window.
        assert_eq!(
            gap(Cadence::cron("0 0 1 1 *").unwrap()),
            Some(TimeDelta::days(365))
        );
    }

    #[test]
    fn interval_dividing_the_hour_fires_at_its_multiples() {
        assert_eq!(
            runs(1, "2026-11-25T10:00:30Z", 3),
            ["25 10:01", "25 10:02", "25 10:03"]
        );
        assert_eq!(
            runs(15, "2026-11-25T10:07:00Z", 4),
            ["25 10:15", "25 10:30", "25 10:45", "25 11:00"]
        );
        assert_eq!(
            runs(60, "2026-11-25T10:07:00Z", 2),
            ["25 11:00", "25 12:00"]
        );
    }

    #[test]
    fn interval_not_dividing_the_hour_counts_from_the_previous_run() {
        // The original's `*/45` fired at :00 and :45; every 45 minutes means every 45 minutes.
        assert_eq!(
            runs(45, "2026-11-25T10:00:00Z", 4),
            ["25 10:45", "25 11:30", "25 12:15", "25 13:00"]
        );
        assert_eq!(
            runs(90, "2026-11-25T10:10:00Z", 3),
            ["25 11:40", "25 13:10", "25 14:40"]
        );
    }

    #[test]
    fn interval_of_whole_hours_dividing_the_day_fires_at_the_top_of_those_hours() {
        // croner would take `*/120` as hourly; 120 means 00:00, 02:00, 04:00 …
        assert_eq!(
            runs(120, "2026-11-25T10:30:00Z", 3),
            ["25 12:00", "25 14:00", "25 16:00"]
        );
        assert_eq!(
            runs(1440, "2026-11-25T10:30:00Z", 2),
            ["26 00:00", "27 00:00"]
        );
    }

    #[test]
    fn never_run_workspace_with_catch_up_runs_at_once() {
        let now = utc("2026-11-25T10:07:00Z");
        let input = PlanInput {
            last: None,
            since: now,
            catch_up: true,
        };
        let due = plan(&Cadence::every_minutes(15), &utc_zone(), input, now).unwrap();
        assert_eq!(
            due,
            Due {
                at: now,
                trigger: Trigger::CatchUp
            }
        );

        let input = PlanInput {
            catch_up: false,
            ..input
        };
        let due = plan(&Cadence::every_minutes(15), &utc_zone(), input, now).unwrap();
        assert_eq!(
            due,
            Due {
                at: utc("2026-11-25T10:15:00Z"),
                trigger: Trigger::Schedule
            }
        );
    }

    #[test]
    fn missed_slots_give_one_catch_up_run_not_one_per_slot() {
        let schedule = Cadence::every_minutes(15);
        let last = utc("2026-11-25T10:00:00Z");
        // Ten slots passed while the machine slept.
        let woke = utc("2026-11-25T12:37:00Z");
        let input = PlanInput {
            last: Some(last),
            since: last,
            catch_up: true,
        };
        let due = plan(&schedule, &utc_zone(), input, woke).unwrap();
        assert_eq!(
            due,
            Due {
                at: woke,
                trigger: Trigger::CatchUp
            }
        );
        // That run starts; the plan after it is the next regular slot, not another catch-up.
        let input = PlanInput {
            last: Some(woke),
            ..input
        };
        let due = plan(&schedule, &utc_zone(), input, woke).unwrap();
        assert_eq!(
            due,
            Due {
                at: utc("2026-11-25T12:45:00Z"),
                trigger: Trigger::Schedule
            }
        );
    }

    #[test]
    fn without_catch_up_missed_slots_are_skipped() {
        let last = utc("2026-11-25T10:00:00Z");
        let woke = utc("2026-11-25T12:37:00Z");
        let input = PlanInput {
            last: Some(last),
            since: last,
            catch_up: false,
        };
        let due = plan(&Cadence::every_minutes(15), &utc_zone(), input, woke).unwrap();
        assert_eq!(due.at, utc("2026-11-25T12:45:00Z"));
        // N minutes after the previous run: stays on that run's grid.
        let due = plan(&Cadence::every_minutes(45), &utc_zone(), input, woke).unwrap();
        assert_eq!(due.at, utc("2026-11-25T12:15:00Z") + TimeDelta::minutes(45));
    }

    #[test]
    fn without_catch_up_the_slot_after_a_skip_runs_when_its_time_comes() {
        // Woken at 12:37 after missing slots: the next is 12:45. At 12:45 the last run is
        // still the one at 10:00; the plan must not skip 12:45 in turn.
        let input = PlanInput {
            last: Some(utc("2026-11-25T10:00:00Z")),
            since: utc("2026-11-25T10:00:00Z"),
            catch_up: false,
        };
        for minutes in [15, 45] {
            let schedule = Cadence::every_minutes(minutes);
            let next = plan(&schedule, &utc_zone(), input, utc("2026-11-25T12:37:00Z"))
                .unwrap()
                .at;
            let woke = next + TimeDelta::milliseconds(2);
            let due = plan(&schedule, &utc_zone(), input, woke).unwrap();
            assert_eq!(
                due,
                Due {
                    at: next,
                    trigger: Trigger::Schedule
                },
                "every {minutes} min"
            );
        }
    }

    #[test]
    fn a_last_run_dated_in_the_future_counts_as_now() {
        let now = utc("2026-11-25T05:07:00Z");
        for catch_up in [true, false] {
            let input = PlanInput {
                last: Some(utc("2026-11-25T10:00:00Z")),
                since: now,
                catch_up,
            };
            let due = plan(&Cadence::every_minutes(15), &utc_zone(), input, now).unwrap();
            assert_eq!(
                due,
                Due {
                    at: utc("2026-11-25T05:15:00Z"),
                    trigger: Trigger::Schedule
                }
            );
            let due = plan(&Cadence::every_minutes(45), &utc_zone(), input, now).unwrap();
            assert_eq!(due.at, utc("2026-11-25T05:52:00Z"));
        }
    }

    #[test]
    fn a_slot_a_few_seconds_late_is_on_time_not_a_catch_up() {
        let last = utc("2026-11-25T10:00:00Z");
        let input = PlanInput {
            last: Some(last),
            since: last,
            catch_up: true,
        };
        let now = utc("2026-11-25T10:15:02Z");
        let due = plan(&Cadence::every_minutes(15), &utc_zone(), input, now).unwrap();
        assert_eq!(
            due,
            Due {
                at: utc("2026-11-25T10:15:00Z"),
                trigger: Trigger::Schedule
            }
        );
    }

    #[test]
    fn cron_schedule_in_a_named_zone_follows_daylight_saving() {
        // 09:00 every day in Madrid: CEST (UTC+2) until the night of 25 Oct 2026, then
        // CET (UTC+1), so the same local time moves by an hour in UTC.
        let schedule = Cadence::cron("0 9 * * *").unwrap();
        let zone = &Zone::named("Europe/Madrid").unwrap();
        let before = schedule
            .next_after(zone, utc("2026-10-23T12:00:00Z"))
            .unwrap();
        assert_eq!(before, utc("2026-10-24T07:00:00Z"));
        let across = schedule.next_after(zone, before).unwrap();
        assert_eq!(across, utc("2026-10-25T08:00:00Z"));
        // 02:30 does not exist on the spring-forward night (29 Mar 2026, 02:00 → 03:00).
        let schedule = Cadence::cron("30 2 * * *").unwrap();
        let next = schedule
            .next_after(zone, utc("2026-03-28T12:00:00Z"))
            .unwrap();
        let local = next
            .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
            .date_naive();
        assert_ne!(local, NaiveDate::from_ymd_opt(2026, 3, 28).unwrap());
        assert!(next > utc("2026-03-29T00:00:00Z"), "got {next}");
    }

    #[test]
    fn seconds_field_is_accepted_and_bad_expressions_are_not() {
        let schedule = Cadence::cron("*/5 * * * * *").unwrap();
        let next = schedule
            .next_after(&utc_zone(), utc("2026-11-25T10:00:01Z"))
            .unwrap();
        assert_eq!(next, utc("2026-11-25T10:00:05Z"));
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("every day").is_err());
        assert!(parse_cron("@hourly").is_ok());
    }
}
