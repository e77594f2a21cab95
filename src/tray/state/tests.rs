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

fn status(json: &str) -> RunRecord {
    serde_json::from_str(json).unwrap()
}

fn snapshot(now: DateTime<Local>) -> Snapshot {
    let _ = now;
    Snapshot {
        cadence: Cadence::every_minutes(15),
        ..Snapshot::default()
    }
}

fn finished(at: DateTime<Local>, ok: bool) -> RunRecord {
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
    // The tooltip says when, not how long until: it reads the same a minute later.
    assert_eq!(m.tooltip, "synctray\nNever synced\nNext run 14:45");
    assert_eq!(
        named_tooltip("dashboard", &m),
        (
            "synctray — dashboard".to_owned(),
            "Never synced\nNext run 14:45".to_owned()
        )
    );
    let later = menu_state(&snap, local(2026, 11, 25, 14, 34, 0));
    assert_eq!(later.next_line, "Next run 14:45 (in 11 min)");
    assert_eq!(later.tooltip, m.tooltip);
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
    let runs: Vec<RunRecord> = [
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
    let items = recent_items(&runs, now, &Cadence::default());
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
    let many: Vec<RunRecord> = std::iter::repeat_n(runs[0].clone(), 8).collect();
    assert_eq!(
        recent_items(&many, now, &Cadence::default()).len(),
        RECENT_RUNS
    );
    assert!(recent_items(&[], now, &Cadence::default()).is_empty());
}

#[test]
fn runs_that_cannot_start_show_the_error_icon_and_the_reason_over_a_success() {
    let now = local(2026, 11, 25, 14, 33, 0);
    let snap = Snapshot {
        last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
        problem: Some(crate::health::Problem {
            what: crate::health::Blocker::DataReadOnly,
            since: utc(now),
            probed: true,
        }),
        ..snapshot(now)
    };
    let m = menu_state(&snap, now);
    assert_eq!(m.last_line, "✗ Cannot sync: data/ is read-only");
    assert_eq!(m.icon, IconKind::Error);
    // The reason in the person's language too, in the menu and the tooltip.
    let spanish = Arc::new(crate::i18n::Lang::new(&["es_ES.UTF-8"], None));
    crate::i18n::using(spanish, || {
        let m = menu_state(&snap, now);
        assert_eq!(
            m.last_line,
            "✗ No se puede sincronizar: data/ es de solo lectura"
        );
        assert!(
            m.tooltip
                .contains("✗ No se puede sincronizar: data/ es de solo lectura"),
            "{}",
            m.tooltip
        );
    });
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
        kind: crate::config::ConfigErrorKind::Invalid {
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
    // Two lines, broken at a space, and the end (what it got) is kept.
    assert_eq!(
        m.notice.as_deref(),
        Some("⚠ Config not applied: intervalMinutes must be a\nwhole number from 1 to 1440, got 0")
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

#[test]
fn a_failure_that_makes_the_data_stale_stays_the_headline_with_the_age_added() {
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
    let mut first = finished(local(2026, 11, 25, 14, 17, 3), false);
    first.started_at = Some(utc(local(2026, 11, 25, 14, 17, 0)));
    let success = finished(local(2026, 11, 25, 14, 16, 0), true);
    alerts.after_run(None, &first, &error, &wanted);
    let stale = |failing| Snapshot {
        last: Some(finished(local(2026, 11, 25, 14, 30, 3), false)),
        failing,
        fresh_since: success.last_success(),
        overdue_after: Some(TimeDelta::minutes(2)),
        ..snapshot(now)
    };
    let m = menu_state(&stale(alerts.failing().cloned()), now);
    assert_eq!(
        m.last_line,
        "✗ Last sync 14:30 · failed: quality · data 17 min old"
    );
    assert_eq!(m.icon, IconKind::Error);
    for _ in 0..3 {
        alerts.after_run(Some(&first), &first, &error, &wanted);
    }
    let m = menu_state(&stale(alerts.failing().cloned()), now);
    assert_eq!(
        m.last_line,
        "✗ quality failing since 14:17 (4 runs) · data 17 min old"
    );
    // Stale with a success last: the stale notice.
    let old_success = Snapshot {
        last: Some(success.clone()),
        ..stale(None)
    };
    assert_eq!(
        menu_state(&old_success, now).last_line,
        "⚠ Data is 17 min old (last success 14:16)"
    );
}

#[test]
fn a_long_notice_is_never_cut_where_the_fix_is() {
    use crate::config::ConfigWarning;
    let now = local(2026, 11, 25, 14, 33, 0);
    let warned = |warnings: &[ConfigWarning]| Snapshot {
        message: Some(Message {
            at: utc(now),
            what: Notice::Warning(warnings.to_vec()),
        }),
        ..snapshot(now)
    };
    let typo = |path: &str, fix: &str| ConfigWarning::UnknownKey {
        path: path.into(),
        did_you_mean: Some(fix.into()),
        known: vec![fix.into()],
    };
    // A typo with its likely fix: the fix first, on one line.
    let m = menu_state(&warned(&[typo("intervalMinuts", "intervalMinutes")]), now);
    assert_eq!(
        m.notice.as_deref(),
        Some("⚠ intervalMinuts → intervalMinutes?")
    );
    let two = [
        typo("intervalMinuts", "intervalMinutes"),
        typo("retyr", "retry"),
    ];
    assert_eq!(
        menu_state(&warned(&two), now).notice.as_deref(),
        Some("⚠ intervalMinuts → intervalMinutes?\n⚠ retyr → retry?")
    );
    // Anything else is said as the notification says it, over two lines if need be.
    let path = ConfigWarning::NotOnPath {
        job: "lint".into(),
        program: "eslint".into(),
    };
    assert_eq!(
        menu_state(&warned(std::slice::from_ref(&path)), now)
            .notice
            .as_deref(),
        Some("⚠ config: jobs.lint: \"eslint\" is not on PATH\n(the job cannot start)")
    );
    let mixed = menu_state(&warned(&[typo("retyr", "retry"), path]), now);
    assert_eq!(
        mixed.notice.as_deref(),
        Some(
            "⚠ retyr → retry? ⚠ config: jobs.lint: \"eslint\"\nis not on PATH (the job cannot start)"
        )
    );
    // Longer than two lines: the start and the end, elided between.
    let long = ConfigWarning::NotOnPath {
        job: "quality".into(),
        program: "some-very-long-program-name-that-goes-on-and-on-and-on".into(),
    };
    let notice = menu_state(&warned(std::slice::from_ref(&long)), now)
        .notice
        .unwrap();
    let lines: Vec<&str> = notice.lines().collect();
    assert_eq!(lines.len(), 2, "{notice}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= LABEL_CHARS),
        "{notice}"
    );
    assert!(lines[0].starts_with("⚠ config: jobs.quality"), "{notice}");
    assert!(
        lines[1].starts_with('…') && lines[1].ends_with("(the job cannot start)"),
        "{notice}"
    );
    assert!(
        menu_state(&warned(std::slice::from_ref(&long)), now)
            .tooltip
            .ends_with(&long.to_string())
    );
}

#[test]
fn elided_in_the_middle_keeps_both_ends() {
    assert_eq!(elide_middle("dashboard", 48), "dashboard");
    let name = "a".repeat(30) + &"b".repeat(30);
    let short = elide_middle(&name, 48);
    assert_eq!(short.chars().count(), 48);
    assert_eq!(short, "a".repeat(24) + "…" + &"b".repeat(23));
}

#[test]
fn a_schedule_of_seconds_and_runs_in_one_minute_are_said_to_the_second() {
    let now = local(2026, 11, 25, 11, 24, 0);
    let snap = Snapshot {
        cadence: Cadence::cron("*/10 * * * * *").unwrap(),
        next_run: Some(utc(local(2026, 11, 25, 11, 24, 10))),
        ..snapshot(now)
    };
    assert_eq!(
        menu_state(&snap, now).next_line,
        "Next run 11:24:10 (in 10 s)"
    );
    // Once a minute at :05 is not below a minute.
    let minutely = Snapshot {
        cadence: Cadence::cron("5 * * * * *").unwrap(),
        ..snap.clone()
    };
    assert_eq!(
        menu_state(&minutely, now).next_line,
        "Next run 11:24 (in 1 min)"
    );
    let run = |s: u32| {
        let at = utc(local(2026, 11, 25, 11, 23, s)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        status(&format!(
            r#"{{"lastSync":"{at}","startedAt":"{at}","status":"success","durationMs":100}}"#
        ))
    };
    let labels: Vec<String> = recent_items(&[run(50), run(40), run(30)], now, &Cadence::default())
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert_eq!(
        labels,
        [
            "✓ 11:23:50 · 0.1 s",
            "✓ 11:23:40 · 0.1 s",
            "✓ 11:23:30 · 0.1 s"
        ]
    );
    // A schedule below a minute: to the second even when no two rows share a minute.
    let one = recent_items(&[run(50)], now, &snap.cadence);
    assert_eq!(one[0].label, "✓ 11:23:50 · 0.1 s");
    let minutely = recent_items(&[run(50)], now, &Cadence::default());
    assert_eq!(minutely[0].label, "✓ 11:23 · 0.1 s");
}

#[test]
fn a_long_name_gives_way_in_the_menu_and_the_state_stays() {
    let now = local(2026, 11, 25, 14, 33, 0);
    let name = format!("dashboard-{}-2026", "x".repeat(50));
    let line = summary(&name, &snapshot(now), now);
    assert!(line.chars().count() <= LABEL_CHARS, "{line}");
    assert!(
        line.starts_with("dashboard-") && line.ends_with("-2026: Never synced"),
        "{line}"
    );
    let t = title(&name);
    assert_eq!(t.chars().count(), LABEL_CHARS);
    assert!(
        t.starts_with("synctray — dashboard-") && t.ends_with("-2026"),
        "{t}"
    );
    assert_eq!(title("dashboard"), "synctray — dashboard");
    assert_eq!(
        summary("dashboard", &snapshot(now), now),
        "dashboard: Never synced"
    );
}

#[test]
fn a_refused_change_is_said_over_the_config_error_and_nothing_is_checked_without_a_config() {
    let now = local(2026, 11, 25, 14, 33, 0);
    let error = Arc::new(ConfigError {
        path: "/home/me/ws/data/config/sync.json".into(),
        kind: crate::config::ConfigErrorKind::Invalid {
            key: "catchUp".into(),
            message: "must be true or false, got \"yes\"".into(),
        },
    });
    let snap = Snapshot {
        config_error: Some(Arc::clone(&error)),
        message: Some(Message {
            at: utc(now),
            what: Notice::Edit(crate::config::Edit::Interval(30), error),
        }),
        ..snapshot(now)
    };
    let m = menu_state(&snap, now);
    assert_eq!(
        m.notice.as_deref(),
        Some("⚠ Interval not changed: catchUp must be true or\nfalse, got \"yes\"")
    );
    assert_eq!(m.interval_checked, Some(15), "the interval in force");
    let none = Snapshot {
        no_config: true,
        paused: true,
        ..snapshot(now)
    };
    let m = menu_state(&none, now);
    assert_eq!(
        (m.interval_checked, m.custom, m.paused),
        (None, None, false)
    );
}

#[test]
fn pause_all_restores_exactly_what_it_changed() {
    let mut ours = Vec::new();
    // b was paused on its own.
    assert_eq!(
        pause_all(&[(1, false), (2, true), (3, false)], &mut ours),
        [(1, true), (3, true)]
    );
    assert_eq!(
        pause_all(&[(1, true), (2, true), (3, true)], &mut ours),
        [(1, false), (3, false)]
    );
    assert!(ours.is_empty());
    // All paused on their own: un-pausing all is what the click means.
    assert_eq!(
        pause_all(&[(1, true), (2, true)], &mut ours),
        [(1, false), (2, false)]
    );
    // One resumed by hand in between, then Pause all again: it is ours too.
    let mut ours = Vec::new();
    pause_all(&[(1, false), (2, true)], &mut ours);
    assert_eq!(pause_all(&[(1, true), (2, false)], &mut ours), [(2, true)]);
    assert_eq!(
        pause_all(&[(1, true), (2, true)], &mut ours),
        [(1, false), (2, false)]
    );
}

/// The same states in another language: the words, the plural, the decimal comma, the
/// clock; the tooltip and the summary too.
#[test]
fn the_menu_speaks_the_persons_language_and_clock() {
    let now = local(2026, 11, 25, 14, 33, 0);
    let german = Arc::new(crate::i18n::Lang::new(&["de_DE.UTF-8"], None));
    let american = Arc::new(crate::i18n::Lang::new(
        &["en_US.UTF-8"],
        Some("en_US.UTF-8"),
    ));
    let next = Snapshot {
        next_run: Some(utc(local(2026, 11, 26, 9, 0, 0))),
        last: Some(finished(local(2026, 11, 25, 14, 30, 3), true)),
        ..snapshot(now)
    };
    crate::i18n::using(german, || {
        let m = menu_state(&next, now);
        assert_eq!(m.last_line, "✓ Zuletzt synchronisiert 14:30 · 3,1 s");
        assert_eq!(
            m.next_line,
            "Nächster Durchlauf morgen 09:00 (in 18 Std. 27 Min.)"
        );
        assert!(
            m.tooltip.ends_with("\nNächster Durchlauf morgen 09:00"),
            "{}",
            m.tooltip
        );
        assert_eq!(
            summary("dashboard", &next, now),
            "dashboard: ✓ 14:30 · nächster morgen 09:00"
        );
        assert_eq!(preset_label(1440), "Alle 24 Std.");
        let mut failing = Snapshot {
            last: Some(finished(local(2026, 11, 25, 14, 30, 3), false)),
            ..snapshot(now)
        };
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
        let run = finished(local(2026, 11, 25, 14, 15, 3), false);
        for _ in 0..3 {
            alerts.after_run(Some(&run), &run, &error, &wanted);
        }
        failing.failing = alerts.failing().cloned();
        assert_eq!(
            menu_state(&failing, now).last_line,
            "✗ quality fehlerhaft seit 14:14 (3 Läufe)"
        );
    });
    crate::i18n::using(american, || {
        let m = menu_state(&next, now);
        assert_eq!(m.last_line, "✓ Last sync 2:30 PM · 3.1 s");
        assert_eq!(m.next_line, "Next run tomorrow 9:00 AM (in 18 h 27 min)");
    });
}
