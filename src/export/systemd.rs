//! systemd: a `.service` that runs one scheduled sync (`Type=oneshot`, exit 75 — skipped
//! because a sync was running — is a success, no `Restart=`: synctray retries jobs
//! itself) and a `.timer` whose `OnCalendar=` lines are the schedule in the workspace's
//! zone (`Persistent=true` for `catchUp`), or monotonic timers for an interval that is
//! not a calendar. User units unless `--system`.

use super::calendar::{self, Calendar, Days, Plan};
use super::{Difference, Encoding, Export, OutFile, Request, Scope, Target};
use crate::schedule::Zone;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

pub(super) fn export(req: &Request<'_>) -> Result<Export, Difference> {
    let config = req.config;
    let name = super::unit_name(req.ws);
    let plan = calendar::plan(&config.cadence)?;
    let mut warnings = Vec::new();
    let (tz, zone_suffix) = match &config.zone {
        Zone::Named(tz) => (tz.clone(), tz.iana_name().map(|n| format!(" {n}"))),
        Zone::Local => (req.local.clone(), None),
    };
    let timing = match &plan {
        Plan::Calendar(cal) => {
            for (gap, skipped) in calendar::gaps_hit(cal, &tz, req.now) {
                warnings.push(Difference::SpringForward {
                    target: Target::Systemd,
                    skipped: format!(
                        "{} ({})",
                        calendar::time_of(skipped).format("%H:%M"),
                        calendar::wall(skipped)
                    ),
                    runs_at: gap.to.format("%H:%M").to_string(),
                });
            }
            let mut lines: Vec<String> = on_calendar(cal)
                .into_iter()
                .map(|spec| format!("OnCalendar={spec}{}", zone_suffix.as_deref().unwrap_or("")))
                .collect();
            if config.catch_up {
                lines.push("Persistent=true".to_owned());
            }
            lines.join("\n")
        }
        Plan::Interval(minutes) => {
            // The first run when the timer starts (a catch-up), or an interval later.
            let first = if config.catch_up {
                "1s".to_owned()
            } else {
                format!("{minutes}min")
            };
            format!("OnActiveSec={first}\nOnUnitActiveSec={minutes}min")
        }
    };
    let marker = super::marker(Target::Systemd, req.ws);
    let note = super::marker_note(Target::Systemd);
    let root = req.ws.root.display().to_string();
    let exec = std::iter::once(req.exe.display().to_string())
        .chain(super::sync_args(&req.ws.root))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let limit = super::time_limit(config).as_secs().div_ceil(60);
    let user = match (req.scope, &req.user) {
        (Scope::System, Some(user)) if user != "root" => format!("User={user}\n"),
        _ => String::new(),
    };
    let service = format!(
        "# {marker}\n# {note}\n[Unit]\nDescription=synctray sync of {desc}\n\n[Service]\nType=oneshot\nExecStart={exec}\n{user}# 75: skipped, another sync of the workspace was running.\nSuccessExitStatus=75\n# staleLockMinutes{wait}.\nTimeoutStartSec={limit}min\n",
        desc = escape(&root),
        wait = if config.conditions.any() {
            " plus conditions.maxDelayMinutes"
        } else {
            ""
        },
    );
    let timer = format!(
        "# {marker}\n# {note}\n[Unit]\nDescription=synctray schedule of {desc}\n\n[Timer]\n{timing}\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n",
        desc = escape(&root),
    );
    let (ctl, dir) = match req.scope {
        Scope::User => ("systemctl --user", "~/.config/systemd/user"),
        Scope::System => ("systemctl", "/etc/systemd/system"),
    };
    let mut install = vec![format!(
        "{ctl} daemon-reload && {ctl} enable --now {name}.timer   (units in {dir} or another folder systemd reads)"
    )];
    if req.scope == Scope::User && !req.lingering {
        let who = req.user.as_deref().unwrap_or("$USER");
        install.push(format!(
            "loginctl enable-linger {who}   (user timers run only while {who} is logged in until then)"
        ));
    }
    Ok(Export {
        target: Target::Systemd,
        files: vec![
            OutFile {
                name: format!("{name}.service"),
                text: service,
                encoding: Encoding::Utf8,
            },
            OutFile {
                name: format!("{name}.timer"),
                text: timer,
                encoding: Encoding::Utf8,
            },
        ],
        warnings,
        install,
    })
}

/// The `OnCalendar=` specs of `cal` (without the zone): one, or two for cron's "either
/// day field" (systemd's lines are alternatives; its fields within one line all hold).
fn on_calendar(cal: &Calendar) -> Vec<String> {
    let months = if cal.every_month() {
        "*".to_owned()
    } else {
        list(&cal.months)
    };
    let time = format!("{}:{}:00", field(&cal.hours, 23), field(&cal.minutes, 59));
    let line = |week: Option<&[u8]>, days: Option<&[u8]>| {
        let week = week
            .map(|w| format!("{} ", weekdays(w)))
            .unwrap_or_default();
        let days = days.map_or_else(|| "*".to_owned(), list);
        format!("{week}*-{months}-{days} {time}")
    };
    match &cal.days {
        Days::Every => vec![line(None, None)],
        Days::OfMonth(d) => vec![line(None, Some(d))],
        Days::OfWeek(w) => vec![line(Some(w), None)],
        Days::Both { month, week } => vec![line(Some(week), Some(month))],
        Days::Either { month, week } => vec![line(None, Some(month)), line(Some(week), None)],
    }
}

/// A time field: `*` when every value, `first/step` for a step, else a list.
fn field(values: &[u8], max: u8) -> String {
    if values.len() == usize::from(max) + 1 {
        return "*".to_owned();
    }
    if let Some((first, step)) = calendar::step_of(values, max) {
        return format!("{first:02}/{step}");
    }
    list(values)
}

/// Values as systemd lists them: `01,05..09`.
fn list(values: &[u8]) -> String {
    calendar::runs(values)
        .into_iter()
        .map(|(a, b)| match b - a {
            0 => format!("{a:02}"),
            1 => format!("{a:02},{b:02}"),
            _ => format!("{a:02}..{b:02}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Weekdays (0 Sunday) as `Mon..Fri` or `Sun,Wed`.
fn weekdays(days: &[u8]) -> String {
    calendar::runs(days)
        .into_iter()
        .map(|(a, b)| {
            let (a, b) = (WEEKDAYS[a as usize], WEEKDAYS[b as usize]);
            if a == b {
                a.to_owned()
            } else {
                format!("{a}..{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One argument of `ExecStart=`: quoted when it holds a space, a quote or a backslash;
/// `%` (a specifier) and `$` (a variable) doubled.
fn quote(arg: &str) -> String {
    let escaped = escape(arg);
    if arg.is_empty()
        || arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\\' || c == '\'')
    {
        format!("\"{}\"", escaped.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        escaped
    }
}

/// Text with systemd's specifiers and variables kept literal.
fn escape(text: &str) -> String {
    text.replace('%', "%%").replace('$', "$$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_arguments_keep_spaces_quotes_and_specifiers_literal() {
        assert_eq!(quote("/srv/dash"), "/srv/dash");
        assert_eq!(quote("/srv/my dash"), "\"/srv/my dash\"");
        assert_eq!(quote("/srv/100%"), "/srv/100%%");
        assert_eq!(quote("/srv/$HOME"), "/srv/$$HOME");
        assert_eq!(quote("/srv/a\"b c"), "\"/srv/a\\\"b c\"");
    }

    #[test]
    fn either_day_field_becomes_two_calendar_lines() {
        let Plan::Calendar(cal) =
            calendar::plan(&crate::schedule::Cadence::cron("0 9 1 * MON").unwrap()).unwrap()
        else {
            panic!("a calendar")
        };
        assert_eq!(on_calendar(&cal), ["*-*-01 09:00:00", "Mon *-*-* 09:00:00"]);
    }
}
