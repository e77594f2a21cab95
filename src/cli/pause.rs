//! `synctray pause [--for DURATION | --until TIME]`: what the person typed, and the time a
//! pause for a while ends (written to the config as `pausedUntil`).

use chrono::{DateTime, Local, NaiveTime, TimeDelta, TimeZone, Utc};

/// How long to pause: `2h`, `90m`, `1h30m`, `45min`, `1d` (whole numbers with a unit:
/// `d`, `h`, `m`/`min`, `s`).
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let bad =
        || format!("\"{text}\" is not a duration: write a number and a unit, e.g. 2h, 90m, 1h30m");
    let mut rest = text.trim();
    let mut total = TimeDelta::zero();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let one = match rest[..unit].trim() {
            "d" | "day" | "days" => TimeDelta::days(1),
            "h" | "hour" | "hours" => TimeDelta::hours(1),
            "m" | "min" | "mins" | "minute" | "minutes" => TimeDelta::minutes(1),
            "s" | "sec" | "secs" | "second" | "seconds" => TimeDelta::seconds(1),
            _ => return Err(bad()),
        };
        total += one
            .checked_mul(i32::try_from(n).map_err(|_| bad())?)
            .ok_or_else(bad)?;
        rest = &rest[unit..];
    }
    if total <= TimeDelta::zero() || total > TimeDelta::days(366) {
        return Err(format!("{text}: a pause is from a second to a year"));
    }
    Ok(total)
}

/// Until when to pause, as typed: a time of day (`08:00`, the next one to come), or a
/// date and time in ISO-8601 (`2026-11-26T08:00`, local; or with an offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Clock(NaiveTime),
    At(DateTime<Utc>),
}

pub fn parse_until(text: &str) -> Result<Until, String> {
    let text = text.trim();
    for format in ["%H:%M", "%H:%M:%S"] {
        if let Ok(t) = NaiveTime::parse_from_str(text, format) {
            return Ok(Until::Clock(t));
        }
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Until::At(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format)
            && let Some(at) = Local.from_local_datetime(&t).earliest()
        {
            return Ok(Until::At(at.with_timezone(&Utc)));
        }
    }
    Err(format!(
        "\"{text}\" is not a time: write 08:00, or a date and time such as 2026-11-26T08:00"
    ))
}

impl Until {
    /// The moment meant, seen at `now`: a time of day is the next one to come (today if
    /// still ahead, else tomorrow).
    pub fn resolve(self, now: DateTime<Local>) -> DateTime<Utc> {
        match self {
            Until::At(at) => at,
            Until::Clock(t) => {
                let mut day = now.date_naive();
                loop {
                    if let Some(at) = Local.from_local_datetime(&day.and_time(t)).earliest()
                        && at > now
                    {
                        return at.with_timezone(&Utc);
                    }
                    day = day.succ_opt().expect("a date after today");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("2h"), Ok(TimeDelta::hours(2)));
        assert_eq!(parse_duration("90m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("1h30m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("45min"), Ok(TimeDelta::minutes(45)));
        assert_eq!(parse_duration("1d"), Ok(TimeDelta::days(1)));
        for bad in ["", "2", "h", "2 x", "-1h", "0m", "400d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_time_of_day_is_the_next_one_to_come() {
        let now = Local.with_ymd_and_hms(2026, 11, 25, 14, 30, 0).unwrap();
        let at = |d, h, m| {
            Local
                .with_ymd_and_hms(2026, 11, d, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(parse_until("15:30").unwrap().resolve(now), at(25, 15, 30));
        assert_eq!(parse_until("08:00").unwrap().resolve(now), at(26, 8, 0));
        assert_eq!(parse_until("14:30").unwrap().resolve(now), at(26, 14, 30));
        assert_eq!(
            parse_until("2026-11-27T09:15").unwrap().resolve(now),
            at(27, 9, 15)
        );
        assert_eq!(
            parse_until("2026-11-27T09:15:00Z").unwrap().resolve(now),
            Utc.with_ymd_and_hms(2026, 11, 27, 9, 15, 0).unwrap()
        );
        assert!(parse_until("tomorrow").is_err());
        assert!(parse_until("25:00").is_err());
    }
}
