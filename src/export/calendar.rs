//! A workspace's cadence as the fields an outside scheduler is written in: the minutes,
//! hours, days and months it fires at ([`Calendar`]), or "every N minutes after the
//! previous run" ([`Plan::Interval`]). Read from croner's parsed expression, so an export
//! fires exactly where [`crate::schedule`] does; what a calendar cannot say (seconds,
//! `L`/`W`/`#`) is a [`Difference`] here, before any target sees it.
//!
//! Also here: the daylight-saving nights on which a target and synctray part ways
//! ([`gaps_hit`], [`folds_hit`]), and a calendar moved out of the workspace's zone for
//! targets that have none ([`Calendar::in_local_time`]).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use croner::Cron;

use super::Difference;
use crate::schedule::Cadence;

/// How a cadence fires, as a scheduler is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// At wall-clock times.
    Calendar(Calendar),
    /// Every N minutes after the previous run started (an interval that divides neither
    /// the hour nor the day).
    Interval(u32),
}

/// Wall-clock times: every combination of `minutes` and `hours` on the matching days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// 0–59, sorted.
    pub minutes: Vec<u8>,
    /// 0–23, sorted.
    pub hours: Vec<u8>,
    pub days: Days,
    /// 1–12, sorted; all twelve when every month.
    pub months: Vec<u8>,
}

/// Which days: cron's day-of-month and day-of-week fields and how they combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Days {
    /// Both fields `*`.
    Every,
    /// Days of the month (1–31), the weekday field `*`.
    OfMonth(Vec<u8>),
    /// Weekdays (0 Sunday – 6 Saturday), the day-of-month field `*`.
    OfWeek(Vec<u8>),
    /// Both fields restricted: cron runs on a day that matches either.
    Either { month: Vec<u8>, week: Vec<u8> },
    /// Both fields restricted with croner's `+` on the weekday: a day matching both.
    Both { month: Vec<u8>, week: Vec<u8> },
}

impl Days {
    /// Whether `date` is one of these days.
    pub fn matches(&self, date: NaiveDate) -> bool {
        let dom = date.day() as u8;
        let dow = date.weekday().num_days_from_sunday() as u8;
        match self {
            Days::Every => true,
            Days::OfMonth(m) => m.contains(&dom),
            Days::OfWeek(w) => w.contains(&dow),
            Days::Either { month, week } => month.contains(&dom) || week.contains(&dow),
            Days::Both { month, week } => month.contains(&dom) && week.contains(&dow),
        }
    }
}

impl Calendar {
    /// Whether it fires every hour (the hour field is every hour).
    pub fn hourly(&self) -> bool {
        self.hours.len() == 24
    }

    /// Whether every month.
    pub fn every_month(&self) -> bool {
        self.months.len() == 12
    }

    /// The times of day it fires at, in minutes since midnight, sorted.
    pub fn times(&self) -> Vec<u16> {
        let mut times: Vec<u16> = self
            .hours
            .iter()
            .flat_map(|h| {
                self.minutes
                    .iter()
                    .map(move |m| u16::from(*h) * 60 + u16::from(*m))
            })
            .collect();
        times.sort_unstable();
        times
    }

    /// Whether it fires on `date` at `time`.
    fn fires_at(&self, at: NaiveDateTime) -> bool {
        self.months.contains(&(at.month() as u8))
            && self.days.matches(at.date())
            && self.hours.contains(&(at.hour() as u8))
            && self.minutes.contains(&(at.minute() as u8))
    }
}

/// The plan of `cadence`, or what keeps it from being one.
pub fn plan(cadence: &Cadence) -> Result<Plan, Difference> {
    match cadence {
        Cadence::Every { minutes, .. } => Ok(every(*minutes)),
        Cadence::Cron { expr, cron } => from_cron(expr, cron).map(Plan::Calendar),
    }
}

/// "Every N minutes" as [`Cadence::every_minutes`] fires it.
fn every(n: u32) -> Plan {
    let all = |max: u8| (0..=max).collect::<Vec<u8>>();
    let calendar = |minutes: Vec<u8>, hours: Vec<u8>| {
        Plan::Calendar(Calendar {
            minutes,
            hours,
            days: Days::Every,
            months: (1..=12).collect(),
        })
    };
    if n <= 60 && 60 % n == 0 {
        calendar((0..60).step_by(n as usize).collect(), all(23))
    } else if n.is_multiple_of(60) && 24 % (n / 60) == 0 {
        calendar(vec![0], (0..24).step_by((n / 60) as usize).collect())
    } else {
        Plan::Interval(n)
    }
}

fn from_cron(expr: &str, cron: &Cron) -> Result<Calendar, Difference> {
    let p = &cron.pattern;
    if p.seconds.values() != [0] {
        return Err(Difference::Seconds(expr.to_owned()));
    }
    if p.days.has_modifiers() || p.days_of_week.has_modifiers() {
        return Err(Difference::MonthRelative(expr.to_owned()));
    }
    let narrow = |v: Vec<u16>| v.into_iter().map(|x| x as u8).collect::<Vec<u8>>();
    let month = narrow(p.days.values());
    let week = narrow(p.days_of_week.values());
    let days = match (p.is_dom_wildcard(), p.is_dow_wildcard()) {
        (true, true) => Days::Every,
        (false, true) => Days::OfMonth(month),
        (true, false) => Days::OfWeek(week),
        (false, false) if p.matches_dom_and_dow() => Days::Both { month, week },
        (false, false) => Days::Either { month, week },
    };
    Ok(Calendar {
        minutes: narrow(p.minutes.values()),
        hours: narrow(p.hours.values()),
        days,
        months: narrow(p.months.values()),
    })
}

/// A night on which the clocks change, and the wall-clock times it skips or repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The first wall-clock time skipped or repeated.
    pub from: NaiveDateTime,
    /// The first wall-clock time after it.
    pub to: NaiveDateTime,
}

/// The clock changes of `tz` in the year after `now`: spring-forward gaps and fall-back
/// folds, each as the wall-clock span it skips (gaps) or repeats (folds).
fn changes(tz: &jiff::tz::TimeZone, now: jiff::Timestamp) -> (Vec<Change>, Vec<Change>) {
    let end = now + jiff::SignedDuration::from_hours(24 * 366);
    let mut gaps = Vec::new();
    let mut folds = Vec::new();
    for t in tz.following(now) {
        let at = t.timestamp();
        if at > end {
            break;
        }
        let before = tz.to_offset(at - jiff::SignedDuration::from_secs(1));
        let after = t.offset();
        let wall = |offset: jiff::tz::Offset| {
            let dt = offset.to_datetime(at);
            NaiveDate::from_ymd_opt(dt.year().into(), dt.month() as u32, dt.day() as u32).and_then(
                |d| d.and_hms_opt(dt.hour() as u32, dt.minute() as u32, dt.second() as u32),
            )
        };
        let (Some(old), Some(new)) = (wall(before), wall(after)) else {
            continue;
        };
        if new > old {
            gaps.push(Change { from: old, to: new });
        } else if new < old {
            folds.push(Change { from: new, to: old });
        }
    }
    (gaps, folds)
}

/// The spring-forward gaps of the coming year in which `calendar` has a time while the
/// first time after the gap is not one of its own: there synctray runs once at the end
/// of the gap, and a scheduler that skips the missing time does not run at all. Each with
/// the skipped time it would have run at.
pub fn gaps_hit(
    calendar: &Calendar,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> Vec<(Change, NaiveDateTime)> {
    changes(tz, now)
        .0
        .into_iter()
        .filter_map(|gap| {
            let first = first_in(calendar, &gap)?;
            (!calendar.fires_at(gap.to)).then_some((gap, first))
        })
        .collect()
}

/// The fall-back folds of the coming year in which `calendar` has a fixed time (not every
/// hour): synctray runs it once, a scheduler that reads each wall-clock time twice runs it
/// twice. Each with the repeated time.
pub fn folds_hit(
    calendar: &Calendar,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> Vec<(Change, NaiveDateTime)> {
    if calendar.hourly() {
        return Vec::new();
    }
    changes(tz, now)
        .1
        .into_iter()
        .filter_map(|fold| first_in(calendar, &fold).map(|t| (fold, t)))
        .collect()
}

/// The first time of `calendar` within the wall-clock span of `change`.
fn first_in(calendar: &Calendar, change: &Change) -> Option<NaiveDateTime> {
    let mut at = change.from.with_second(0)?;
    if at < change.from {
        at += chrono::TimeDelta::minutes(1);
    }
    while at < change.to {
        if calendar.fires_at(at) {
            return Some(at);
        }
        at += chrono::TimeDelta::minutes(1);
    }
    None
}

/// Wall-clock times in the machine's own zone, for a scheduler that has no time zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalClock {
    /// Every hour at these minutes.
    Hourly(Vec<u8>),
    /// At these times of day (minutes since midnight, sorted).
    At(Vec<u16>),
}

/// A calendar in the machine's own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCalendar {
    pub clock: LocalClock,
    pub days: Days,
    /// 1–12; all twelve when every month.
    pub months: Vec<u8>,
}

/// Why a calendar cannot be moved into the machine's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneMismatch {
    /// The workspace's zone.
    pub zone: String,
    /// The machine's zone.
    pub local: String,
    /// The offsets (workspace minus machine, in minutes) seen over the coming year.
    pub offsets: Vec<i32>,
    /// The move would carry a time across midnight on a schedule restricted to days.
    pub crosses_midnight: bool,
}

impl Calendar {
    /// This calendar in the zone `local`, for a scheduler that has none: the same
    /// instants all year when the two zones keep a fixed difference (the same zone, or
    /// the same daylight-saving rules), or, for an hourly calendar, the same minute
    /// difference. Otherwise what differs.
    pub fn in_local_time(
        &self,
        zone: &jiff::tz::TimeZone,
        local: &jiff::tz::TimeZone,
        now: jiff::Timestamp,
    ) -> Result<LocalCalendar, ZoneMismatch> {
        let offsets = offset_differences(zone, local, now);
        let mismatch = |crosses_midnight| ZoneMismatch {
            zone: zone
                .iana_name()
                .unwrap_or("the workspace's zone")
                .to_owned(),
            local: local.iana_name().unwrap_or("local time").to_owned(),
            offsets: offsets.clone(),
            crosses_midnight,
        };
        if self.hourly() {
            let shift = offsets[0].rem_euclid(60);
            if offsets.iter().any(|o| o.rem_euclid(60) != shift) {
                return Err(mismatch(false));
            }
            let mut minutes: Vec<u8> = self
                .minutes
                .iter()
                .map(|m| (i32::from(*m) - shift).rem_euclid(60) as u8)
                .collect();
            minutes.sort_unstable();
            return Ok(LocalCalendar {
                clock: LocalClock::Hourly(minutes),
                days: self.days.clone(),
                months: self.months.clone(),
            });
        }
        if offsets.iter().any(|o| *o != offsets[0]) {
            return Err(mismatch(false));
        }
        let shift = offsets[0];
        let restricted = self.days != Days::Every || !self.every_month();
        let mut times = Vec::new();
        for t in self.times() {
            let moved = i32::from(t) - shift;
            if restricted && !(0..1440).contains(&moved) {
                return Err(mismatch(true));
            }
            times.push(moved.rem_euclid(1440) as u16);
        }
        times.sort_unstable();
        times.dedup();
        Ok(LocalCalendar {
            clock: LocalClock::At(times),
            days: self.days.clone(),
            months: self.months.clone(),
        })
    }
}

/// The differences (in minutes) between the offsets of `zone` and `local` now and after
/// each clock change of either over the coming year, without repeats, in order seen.
fn offset_differences(
    zone: &jiff::tz::TimeZone,
    local: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> Vec<i32> {
    let end = now + jiff::SignedDuration::from_hours(24 * 366);
    let mut instants = vec![now];
    for tz in [zone, local] {
        instants.extend(
            tz.following(now)
                .map(|t| t.timestamp())
                .take_while(|t| *t <= end),
        );
    }
    instants.sort();
    let mut diffs = Vec::new();
    for at in instants {
        let d = (zone.to_offset(at).seconds() - local.to_offset(at).seconds()) / 60;
        if !diffs.contains(&d) {
            diffs.push(d);
        }
    }
    diffs
}

/// `minutes` since midnight as `HH:MM`.
pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A wall-clock time as `2027-03-28 02:30`.
pub fn wall(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// `time` as a [`NaiveTime`], for the words of a difference.
pub fn time_of(at: NaiveDateTime) -> NaiveTime {
    at.time()
}

/// Runs of consecutive values, as `(first, last)`.
pub fn runs(values: &[u8]) -> Vec<(u8, u8)> {
    let mut out: Vec<(u8, u8)> = Vec::new();
    for &v in values {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == v => *last = v,
            _ => out.push((v, v)),
        }
    }
    out
}

/// The step of `values` when they are `first, first+step, …` up to the field's end
/// (`max`) with `first < step`, as cron's and systemd's `first/step` says.
pub fn step_of(values: &[u8], max: u8) -> Option<(u8, u8)> {
    let [first, second, ..] = values else {
        return None;
    };
    let step = second - first;
    let expected: Vec<u8> = (*first..=max).step_by(step as usize).collect();
    (step > 1 && *first < step && expected == values).then_some((*first, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(expr: &str) -> Calendar {
        match plan(&Cadence::cron(expr).unwrap()).unwrap() {
            Plan::Calendar(c) => c,
            Plan::Interval(_) => panic!("an interval"),
        }
    }

    fn tz(name: &str) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(name).unwrap()
    }

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn intervals_become_calendars_where_they_divide_the_hour_or_the_day() {
        let Plan::Calendar(c) = plan(&Cadence::every_minutes(15)).unwrap() else {
            panic!()
        };
        assert_eq!(c.minutes, [0, 15, 30, 45]);
        assert!(c.hourly());
        let Plan::Calendar(c) = plan(&Cadence::every_minutes(120)).unwrap() else {
            panic!()
        };
        assert_eq!(
            (c.minutes.as_slice(), c.hours.len()),
            ([0u8].as_slice(), 12)
        );
        assert_eq!(
            plan(&Cadence::every_minutes(45)).unwrap(),
            Plan::Interval(45)
        );
    }

    #[test]
    fn seconds_and_month_relative_days_are_differences() {
        assert!(matches!(
            plan(&Cadence::cron("*/10 * * * * *").unwrap()),
            Err(Difference::Seconds(_))
        ));
        assert!(plan(&Cadence::cron("0 0 0 * * *").unwrap()).is_ok());
        for expr in ["0 9 L * *", "0 9 15W * *", "0 9 * * 1#2", "0 9 * * 5L"] {
            assert!(
                matches!(
                    plan(&Cadence::cron(expr).unwrap()),
                    Err(Difference::MonthRelative(_))
                ),
                "{expr}"
            );
        }
    }

    #[test]
    fn day_fields_combine_as_cron_does() {
        assert_eq!(cal("0 9 * * 1-5").days, Days::OfWeek(vec![1, 2, 3, 4, 5]));
        assert_eq!(cal("0 9 1,15 * *").days, Days::OfMonth(vec![1, 15]));
        assert!(matches!(cal("0 9 1 * MON").days, Days::Either { .. }));
        assert_eq!(cal("0 9 * * 7").days, Days::OfWeek(vec![0]));
    }

    #[test]
    fn a_daily_time_in_the_spring_forward_gap_is_found() {
        let hits = gaps_hit(
            &cal("30 2 * * *"),
            &tz("Europe/Madrid"),
            at("2026-12-06T00:00Z"),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(wall(hits[0].1), "2027-03-28 02:30");
        assert_eq!(wall(hits[0].0.to), "2027-03-28 03:00");
        // Every 15 minutes also runs at 03:00: nothing is lost.
        assert!(
            gaps_hit(
                &cal("*/15 * * * *"),
                &tz("Europe/Madrid"),
                at("2026-12-06T00:00Z")
            )
            .is_empty()
        );
        assert!(
            gaps_hit(
                &cal("30 4 * * *"),
                &tz("Europe/Madrid"),
                at("2026-12-06T00:00Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn a_fixed_time_in_the_repeated_hour_is_found() {
        let hits = folds_hit(
            &cal("30 1 * * *"),
            &tz("America/New_York"),
            at("2026-12-06T00:00Z"),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(wall(hits[0].1), "2027-11-07 01:30");
        assert!(
            folds_hit(
                &cal("*/15 * * * *"),
                &tz("America/New_York"),
                at("2026-12-06T00:00Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn zones_with_the_same_rules_convert_and_others_do_not() {
        let now = at("2026-12-06T00:00Z");
        // Madrid and Berlin keep the same time all year.
        let local = cal("0 9 * * 1-5")
            .in_local_time(&tz("Europe/Madrid"), &tz("Europe/Berlin"), now)
            .unwrap();
        assert_eq!(local.clock, LocalClock::At(vec![9 * 60]));
        // Madrid to UTC: two different offsets over the year.
        let err = cal("0 9 * * 1-5")
            .in_local_time(&tz("Europe/Madrid"), &tz("UTC"), now)
            .unwrap_err();
        assert_eq!(err.offsets.len(), 2);
        // Every 15 minutes is the same in both.
        let local = cal("*/15 * * * *")
            .in_local_time(&tz("Europe/Madrid"), &tz("UTC"), now)
            .unwrap();
        assert_eq!(local.clock, LocalClock::Hourly(vec![0, 15, 30, 45]));
        // Madrid to Lisbon: an hour apart all year; a weekday 00:30 would move to the
        // day before.
        let err = cal("30 0 * * 1-5")
            .in_local_time(&tz("Europe/Madrid"), &tz("Europe/Lisbon"), now)
            .unwrap_err();
        assert!(err.crosses_midnight);
        let daily = cal("30 0 * * *")
            .in_local_time(&tz("Europe/Madrid"), &tz("Europe/Lisbon"), now)
            .unwrap();
        assert_eq!(daily.clock, LocalClock::At(vec![23 * 60 + 30]));
    }

    #[test]
    fn steps_and_runs_are_found() {
        assert_eq!(step_of(&[0, 15, 30, 45], 59), Some((0, 15)));
        assert_eq!(step_of(&[5, 20, 35, 50], 59), Some((5, 15)));
        assert_eq!(step_of(&[0, 15, 30], 59), None);
        assert_eq!(runs(&[1, 2, 3, 5, 7, 8]), [(1, 3), (5, 5), (7, 8)]);
    }
}
