//! launchd: a LaunchAgent (a LaunchDaemon with `--system`) whose `StartCalendarInterval`
//! entries are the schedule's times, or `StartInterval` for an interval that is not a
//! calendar; `RunAtLoad` for `catchUp`. launchd has no time zones and no step values: the
//! times are moved from the workspace's zone into this machine's where that is faithful
//! all year, and refused where it is not; steps become one entry per time.

use super::calendar::{self, Days, LocalClock, Plan};
use super::{Difference, Encoding, Export, OutFile, Request, Scope, Target};
use crate::schedule::Zone;

/// More entries than this is a schedule launchd should not be given (every minute of a
/// weekday is 7,200).
const MAX_ENTRIES: usize = 2000;

pub(super) fn export(req: &Request<'_>) -> Result<Export, Difference> {
    let config = req.config;
    let name = super::unit_name(req.ws);
    let label = format!("org.synctray.{}", name.trim_start_matches("synctray-"));
    let mut warnings = Vec::new();
    if !config.catch_up {
        warnings.push(Difference::CatchUpAnyway(Target::Launchd));
    }
    let when = match calendar::plan(&config.cadence)? {
        Plan::Interval(minutes) => {
            format!(
                "  <key>StartInterval</key>\n  <integer>{}</integer>\n",
                minutes * 60
            )
        }
        Plan::Calendar(cal) => {
            let local = match &config.zone {
                Zone::Local => cal.in_local_time(&req.local, &req.local, req.now),
                Zone::Named(tz) => cal.in_local_time(tz, &req.local, req.now),
            }
            .map_err(|mismatch| Difference::Zone {
                target: Target::Launchd,
                mismatch,
            })?;
            if matches!(local.days, Days::Both { .. }) {
                return Err(Difference::DayFields {
                    target: Target::Launchd,
                    expr: config.cadence.expr().unwrap_or_default().to_owned(),
                });
            }
            let entries = entries(&local);
            if entries.len() > MAX_ENTRIES {
                return Err(Difference::TooManyTriggers {
                    target: Target::Launchd,
                    count: entries.len(),
                    max: MAX_ENTRIES,
                });
            }
            let dicts: String = entries
                .iter()
                .map(|keys| {
                    let body: String = keys
                        .iter()
                        .map(|(k, v)| {
                            format!("      <key>{k}</key>\n      <integer>{v}</integer>\n")
                        })
                        .collect();
                    format!("    <dict>\n{body}    </dict>\n")
                })
                .collect();
            format!("  <key>StartCalendarInterval</key>\n  <array>\n{dicts}  </array>\n")
        }
    };
    let args: String = std::iter::once(req.exe.display().to_string())
        .chain(super::sync_args(&req.ws.root))
        .map(|a| format!("    <string>{}</string>\n", xml_escape(&a)))
        .collect();
    let run_at_load = if config.catch_up { "true" } else { "false" };
    // A LaunchDaemon runs as root unless it names a user: it runs as you.
    let user = match (req.scope, &req.user) {
        (Scope::System, Some(user)) if user != "root" => format!(
            "  <key>UserName</key>\n  <string>{}</string>\n",
            xml_escape(user)
        ),
        _ => String::new(),
    };
    let text = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- {marker} -->
<!-- {note} -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{label}</string>
  <key>ProgramArguments</key>
  <array>
{args}  </array>
{when}{user}  <key>RunAtLoad</key>
  <{run_at_load}/>
  <key>ProcessType</key>
  <string>Background</string>
</dict>
</plist>
"#,
        marker = comment_escape(&super::marker(Target::Launchd, req.ws)),
        note = super::marker_note(Target::Launchd),
    );
    let (ctl_dir, domain) = match req.scope {
        Scope::User => ("~/Library/LaunchAgents", "gui/$(id -u)"),
        Scope::System => ("/Library/LaunchDaemons", "system"),
    };
    Ok(Export {
        target: Target::Launchd,
        files: vec![OutFile {
            name: format!("{label}.plist"),
            text,
            encoding: Encoding::Utf8,
        }],
        warnings,
        install: vec![format!(
            "launchctl bootstrap {domain} {ctl_dir}/{label}.plist   (with the file in {ctl_dir})"
        )],
    })
}

/// The `StartCalendarInterval` entries: each a dict of keys that must all hold (a key
/// left out is every value); the entries are alternatives.
fn entries(cal: &calendar::LocalCalendar) -> Vec<Vec<(&'static str, u16)>> {
    let clock: Vec<Vec<(&'static str, u16)>> = match &cal.clock {
        LocalClock::Hourly(minutes) => minutes
            .iter()
            .map(|m| vec![("Minute", u16::from(*m))])
            .collect(),
        LocalClock::At(times) => times
            .iter()
            .map(|t| vec![("Hour", t / 60), ("Minute", t % 60)])
            .collect(),
    };
    let months: Vec<Option<u16>> = if cal.months.len() == 12 {
        vec![None]
    } else {
        cal.months.iter().map(|m| Some(u16::from(*m))).collect()
    };
    let days: Vec<(&'static str, u16)> = match &cal.days {
        Days::Every | Days::Both { .. } => Vec::new(),
        Days::OfMonth(d) => d.iter().map(|d| ("Day", u16::from(*d))).collect(),
        Days::OfWeek(w) => w.iter().map(|w| ("Weekday", u16::from(*w))).collect(),
        Days::Either { month, week } => month
            .iter()
            .map(|d| ("Day", u16::from(*d)))
            .chain(week.iter().map(|w| ("Weekday", u16::from(*w))))
            .collect(),
    };
    let days: Vec<Option<(&'static str, u16)>> = if days.is_empty() {
        vec![None]
    } else {
        days.into_iter().map(Some).collect()
    };
    let mut out = Vec::new();
    for month in &months {
        for day in &days {
            for time in &clock {
                let mut keys = Vec::new();
                if let Some(m) = month {
                    keys.push(("Month", *m));
                }
                if let Some(d) = day {
                    keys.push(*d);
                }
                keys.extend(time.iter().copied());
                out.push(keys);
            }
        }
    }
    out
}

/// Text for XML content.
pub(super) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text for an XML comment, which cannot hold `--`.
pub(super) fn comment_escape(text: &str) -> String {
    xml_escape(text).replace("--", "-&#45;")
}
