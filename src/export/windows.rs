//! Windows Task Scheduler: a task (XML, as `schtasks /Create /XML` takes it) whose
//! calendar triggers are the schedule's times in this machine's zone, `StartWhenAvailable`
//! for `catchUp`, one instance at a time (`IgnoreNew`), a time limit from
//! `staleLockMinutes`, and the battery conditions off: waiting for AC power is synctray's
//! own `conditions`, which the run applies.

use super::calendar::{self, Days, LocalClock, Plan};
use super::launchd::{comment_escape, xml_escape};
use super::{Difference, Encoding, Export, OutFile, Request, Scope, Target};
use crate::schedule::Zone;

/// Task Scheduler takes at most 48 triggers a task.
const MAX_TRIGGERS: usize = 48;

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The task's name in Task Scheduler, in synctray's folder.
pub fn task_name(ws: &crate::workspace::Workspace) -> String {
    format!("synctray\\{}", super::unit_name(ws))
}

pub(super) fn export(req: &Request<'_>) -> Result<Export, Difference> {
    let config = req.config;
    let today = req.now.to_zoned(req.local.clone()).date();
    let start = |minute_of_day: u16| {
        format!(
            "{today}T{:02}:{:02}:00",
            minute_of_day / 60,
            minute_of_day % 60
        )
    };
    let triggers: Vec<String> = match calendar::plan(&config.cadence)? {
        Plan::Interval(minutes) => vec![format!(
            "    <TimeTrigger>\n      <Repetition>\n        <Interval>PT{minutes}M</Interval>\n        <StopAtDurationEnd>false</StopAtDurationEnd>\n      </Repetition>\n      <StartBoundary>{}</StartBoundary>\n      <Enabled>true</Enabled>\n    </TimeTrigger>\n",
            start(0)
        )],
        Plan::Calendar(cal) => {
            let local = match &config.zone {
                Zone::Local => cal.in_local_time(&req.local, &req.local, req.now),
                Zone::Named(tz) => cal.in_local_time(tz, &req.local, req.now),
            }
            .map_err(|mismatch| Difference::Zone {
                target: Target::Windows,
                mismatch,
            })?;
            let schedules =
                schedules(&local.days, &local.months).ok_or_else(|| Difference::DayFields {
                    target: Target::Windows,
                    expr: config.cadence.expr().unwrap_or_default().to_owned(),
                })?;
            let clocks = clocks(&local.clock);
            let count = clocks.len() * schedules.len();
            if count > MAX_TRIGGERS {
                return Err(Difference::TooManyTriggers {
                    target: Target::Windows,
                    count,
                    max: MAX_TRIGGERS,
                });
            }
            let mut out = Vec::new();
            for schedule in &schedules {
                for (first, repeat) in &clocks {
                    let repetition = repeat
                        .map(|(every, span)| {
                            format!(
                                "      <Repetition>\n        <Interval>PT{every}M</Interval>\n        <Duration>PT{span}M</Duration>\n        <StopAtDurationEnd>false</StopAtDurationEnd>\n      </Repetition>\n"
                            )
                        })
                        .unwrap_or_default();
                    out.push(format!(
                        "    <CalendarTrigger>\n{repetition}      <StartBoundary>{}</StartBoundary>\n      <Enabled>true</Enabled>\n{schedule}    </CalendarTrigger>\n",
                        start(*first)
                    ));
                }
            }
            out
        }
    };
    let principal = match req.scope {
        Scope::User => {
            "      <LogonType>InteractiveToken</LogonType>\n      <RunLevel>LeastPrivilege</RunLevel>\n"
        }
        // The local system account: runs whether anyone is logged on.
        Scope::System => {
            "      <UserId>S-1-5-18</UserId>\n      <RunLevel>LeastPrivilege</RunLevel>\n"
        }
    };
    let args = super::sync_args(&req.ws.root)
        .iter()
        .map(|a| win_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    let limit = super::time_limit(config).as_secs().div_ceil(60);
    let name = super::unit_name(req.ws);
    let body = format!(
        r#"<!-- {marker} -->
<!-- {note} -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>synctray sync of {root}</Description>
    <URI>\{uri}</URI>
  </RegistrationInfo>
  <Triggers>
{triggers}  </Triggers>
  <Principals>
    <Principal id="Author">
{principal}    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>{catch_up}</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT{limit}M</ExecutionTimeLimit>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{exe}</Command>
      <Arguments>{args}</Arguments>
    </Exec>
  </Actions>
</Task>
"#,
        marker = comment_escape(&super::marker(Target::Windows, req.ws)),
        note = super::marker_note(Target::Windows),
        root = xml_escape(&req.ws.root.display().to_string()),
        uri = xml_escape(&task_name(req.ws)),
        triggers = triggers.concat(),
        catch_up = config.catch_up,
        exe = xml_escape(&req.exe.display().to_string()),
        args = xml_escape(&args),
    );
    // Task Scheduler's own files are UTF-16 with a byte-order mark; schtasks reads them.
    let text = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n{body}");
    Ok(Export {
        target: Target::Windows,
        files: vec![OutFile {
            name: format!("{name}.xml"),
            text,
            encoding: Encoding::Utf16,
        }],
        warnings: Vec::new(),
        install: vec![format!(
            "schtasks /Create /XML \"{name}.xml\" /TN \"{}\"   (in the folder of the file)",
            task_name(req.ws)
        )],
    })
}

/// The day rules, as `ScheduleBy…` elements (one, or two for cron's "either day field");
/// `None` for croner's `+` (both day fields must hold), which Task Scheduler cannot say.
fn schedules(days: &Days, months: &[u8]) -> Option<Vec<String>> {
    let months_xml = || {
        let names: String = months
            .iter()
            .map(|m| format!("<{}/>", MONTHS[usize::from(*m) - 1]))
            .collect();
        format!("        <Months>{names}</Months>\n")
    };
    let every_month = months.len() == 12;
    let by_month = |d: &[u8]| {
        let list: String = d.iter().map(|d| format!("<Day>{d}</Day>")).collect();
        format!(
            "      <ScheduleByMonth>\n        <DaysOfMonth>{list}</DaysOfMonth>\n{}      </ScheduleByMonth>\n",
            months_xml()
        )
    };
    let weekdays = |w: &[u8]| -> String {
        w.iter()
            .map(|d| format!("<{}/>", WEEKDAYS[usize::from(*d)]))
            .collect()
    };
    let by_week = |w: &[u8]| {
        if every_month {
            format!(
                "      <ScheduleByWeek>\n        <DaysOfWeek>{}</DaysOfWeek>\n        <WeeksInterval>1</WeeksInterval>\n      </ScheduleByWeek>\n",
                weekdays(w)
            )
        } else {
            format!(
                "      <ScheduleByMonthDayOfWeek>\n        <Weeks><Week>1</Week><Week>2</Week><Week>3</Week><Week>4</Week><Week>Last</Week></Weeks>\n        <DaysOfWeek>{}</DaysOfWeek>\n{}      </ScheduleByMonthDayOfWeek>\n",
                weekdays(w),
                months_xml()
            )
        }
    };
    let all_days: Vec<u8> = (1..=31).collect();
    Some(match days {
        Days::Every if every_month => {
            vec!["      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n".to_owned()]
        }
        Days::Every => vec![by_month(&all_days)],
        Days::OfMonth(d) => vec![by_month(d)],
        Days::OfWeek(w) => vec![by_week(w)],
        Days::Either { month, week } => vec![by_month(month), by_week(week)],
        Days::Both { .. } => return None,
    })
}

/// The times of day as triggers: each a first time (minutes since midnight) and, when
/// it repeats, its interval and span in minutes. Evenly spaced times are one trigger.
fn clocks(clock: &LocalClock) -> Vec<(u16, Option<(u16, u16)>)> {
    let times: Vec<u16> = match clock {
        LocalClock::Hourly(minutes) => (0..24)
            .flat_map(|h| minutes.iter().map(move |m| h * 60 + u16::from(*m)))
            .collect(),
        LocalClock::At(times) => times.clone(),
    };
    let evenly = |times: &[u16]| -> Option<(u16, Option<(u16, u16)>)> {
        match times {
            [] => None,
            [one] => Some((*one, None)),
            [first, second, ..] => {
                let step = second - first;
                let last = *times.last()?;
                times
                    .windows(2)
                    .all(|w| w[1] - w[0] == step)
                    .then_some((*first, Some((step, last - first + 1))))
            }
        }
    };
    if let Some(one) = evenly(&times) {
        return vec![one];
    }
    if let LocalClock::Hourly(minutes) = clock {
        // Each minute of the hour, every hour of the day.
        return minutes
            .iter()
            .map(|m| (u16::from(*m), Some((60, 23 * 60 + 1))))
            .collect();
    }
    times.into_iter().map(|t| (t, None)).collect()
}

/// One command-line argument as Windows programs split them: quoted when it holds a
/// space or a quote, with a quote and the backslashes before it escaped.
fn win_quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
                continue;
            }
            _ => {}
        }
        if c != '\\' {
            out.push_str(&"\\".repeat(backslashes));
            backslashes = 0;
            out.push(c);
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}
