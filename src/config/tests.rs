//! The checks of `sync.json`'s top level, its nested objects and their unknown keys
//! (the jobs', edits', `retry`'s and `network`'s own tests are beside their code).

use super::*;

/// `key message` of the invalid value `text` holds (a test fails when it is valid).
/// Warnings in the words `synctray check` says them.
pub(super) fn words(warnings: &[super::ConfigWarning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

pub(super) fn invalid(text: &str) -> String {
    match Config::parse(text) {
        Err(ConfigErrorKind::Invalid { key, message }) => format!("{key} {message}"),
        other => panic!("{text}: expected an invalid value, got {other:?}"),
    }
}

#[test]
fn every_key_is_read() {
    let config = Config::parse(
        r#"{ "intervalMinutes": 30, "schedule": "0 9-18 * * MON-FRI", "timezone": "Europe/Madrid",
             "jobs": [ { "name": "a", "command": "echo a", "timeoutMinutes": 10 },
                       { "name": "b", "command": ["echo", "b"], "env": { "X": "1" } } ],
             "continueOnError": true, "catchUp": false, "staleLockMinutes": 20, "paused": true,
             "notifications": { "onError": false, "onRecovery": false, "onSuccess": true } }"#,
    )
    .unwrap();
    assert_eq!(config.cadence.expr(), Some("0 9-18 * * MON-FRI"));
    assert_eq!(config.zone.to_string(), "Europe/Madrid");
    assert_eq!(config.jobs[0].timeout, Duration::from_secs(600));
    assert_eq!(
        config.jobs[1].timeout,
        Duration::from_secs(1200),
        "defaults to staleLockMinutes"
    );
    assert_eq!(
        config.jobs[1].command,
        JobCommand::Argv(vec!["echo".into(), "b".into()])
    );
    assert_eq!(config.jobs[1].env, [("X".to_owned(), "1".to_owned())]);
    assert!(config.continue_on_error && !config.catch_up && config.paused);
    assert_eq!(
        config.notifications,
        Notifications {
            on_error: false,
            on_recovery: false,
            on_success: true
        }
    );
}

#[test]
fn unknown_keys_are_warnings() {
    let config = Config::parse(r#"{"intervalMinutes": 5, "colour": "blue", "jobs": [{"name": "a", "command": "x", "retries": 2}]}"#).unwrap();
    assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
    assert!(
        config.warnings[0]
            .to_string()
            .starts_with("colour: unknown key")
    );
    assert!(
        config.warnings[1]
            .to_string()
            .starts_with("jobs[0].retries: unknown key")
    );
}

#[test]
fn unknown_keys_are_named_with_the_keys_their_raw_struct_reads() {
    let config = Config::parse(
        r#"{ "colour": "blue", "notifications": {"onErorr": true}, "retry": {"tries": 2},
             "network": {"probe": "a.example:1", "x": 1},
             "jobs": [{"name": "a", "command": "x"}, {"name": "b", "command": "y", "retries": 2}] }"#,
    )
    .unwrap();
    assert_eq!(
        words(&config.warnings),
        [
            "colour: unknown key, ignored (known: intervalMinutes, schedule, timezone, jobs, continueOnError, catchUp, staleLockMinutes, overdueAfterMinutes, paused, pausedUntil, keepAwake, notifications, retry, network, conditions, metrics, ping, alerts)",
            "notifications.onErorr: unknown key (did you mean onError?)",
            "retry.tries: unknown key, ignored (known: attempts, delaySeconds)",
            "network.x: unknown key, ignored (known: require, probe)",
            "\"network.probe\" is only used with \"network.require\": true (runs do not wait for the network)",
            "jobs[1].retries: unknown key, ignored (known: name, command, env, timeoutMinutes)",
        ]
    );
    // Keys are matched as spelled in the file: a typo names the key it most likely meant.
    let config =
        Config::parse(r#"{"intervalMinuts": 5, "interval_minutes": 5, "unknown": 1}"#).unwrap();
    assert_eq!(
        words(&config.warnings),
        [
            "intervalMinuts: unknown key (did you mean intervalMinutes?)",
            "interval_minutes: unknown key (did you mean intervalMinutes?)",
            "unknown: unknown key, ignored (known: intervalMinutes, schedule, timezone, jobs, continueOnError, catchUp, staleLockMinutes, overdueAfterMinutes, paused, pausedUntil, keepAwake, notifications, retry, network, conditions, metrics, ping, alerts)",
        ]
    );
    // The typo and its fix are values, for a line too short for the sentence.
    assert_eq!(
        config.warnings[0].typo_fix(),
        Some(("intervalMinuts", "intervalMinutes"))
    );
    assert_eq!(config.warnings[2].typo_fix(), None);
    assert_eq!(config.cadence.minutes(), Some(DEFAULT_INTERVAL_MINUTES));
}

#[test]
fn a_null_is_a_bad_value_not_an_absent_key() {
    let message = invalid;
    assert_eq!(
        message(r#"{"paused": null}"#),
        "paused must be true or false, got null"
    );
    assert_eq!(
        message(r#"{"notifications": {"onError": null}}"#),
        "notifications.onError must be true or false, got null"
    );
    assert_eq!(
        message(r#"{"jobs": [{"name": "a", "command": null}]}"#),
        "jobs[0].command must be a non-empty string (run by the shell) or a non-empty list of strings (program and arguments), got null"
    );
    assert_eq!(
        message(r#"{"notifications": 3}"#),
        "notifications must be an object with onError, onRecovery, onSuccess, got 3"
    );
    // A null probe is no probe.
    let config = Config::parse(r#"{"network": {"require": true, "probe": null}}"#).unwrap();
    assert!(config.network.probe.is_none() && config.warnings.is_empty());
}

#[test]
fn a_schedule_replaces_the_interval_which_is_still_checked() {
    let config = Config::parse(r#"{"intervalMinutes": 30, "schedule": "0 9 * * *"}"#).unwrap();
    assert_eq!(config.cadence.expr(), Some("0 9 * * *"));
    assert_eq!(config.cadence.minutes(), None);
    assert_eq!(
        config.describe_schedule(),
        "schedule \"0 9 * * *\" (local time)"
    );
    let config = Config::parse(r#"{"intervalMinutes": 90}"#).unwrap();
    assert_eq!(config.cadence.minutes(), Some(90));
    assert_eq!(config.describe_schedule(), "every 90 min");
    assert!(matches!(
        Config::parse(r#"{"intervalMinutes": 0, "schedule": "0 9 * * *"}"#),
        Err(ConfigErrorKind::Invalid { key, .. }) if key == "intervalMinutes"
    ));
}

#[test]
fn the_default_and_the_presets_are_allowed_intervals() {
    assert!(INTERVAL_MINUTES.contains(&DEFAULT_INTERVAL_MINUTES));
    assert!(
        INTERVAL_PRESETS
            .iter()
            .all(|n| INTERVAL_MINUTES.contains(n))
    );
    assert_eq!(Cadence::default().minutes(), Some(DEFAULT_INTERVAL_MINUTES));
}

#[test]
fn errors_name_the_key_what_is_allowed_and_what_it_got() {
    let message = invalid;
    assert_eq!(
        message(r#"{"intervalMinutes": 0}"#),
        "intervalMinutes must be a whole number from 1 to 1440, got 0"
    );
    assert_eq!(
        message(r#"{"intervalMinutes": "15"}"#),
        "intervalMinutes must be a whole number from 1 to 1440, got \"15\""
    );
    assert!(
        message(r#"{"jobs": [{"name": "a", "command": "x"}, {"name": "a", "command": "y"}]}"#)
            .starts_with("jobs[1].name must be unique")
    );
    assert!(
        message(r#"{"jobs": [{"name": "a", "command": []}]}"#)
            .starts_with("jobs[0].command must be")
    );
    assert!(message(r#"{"timezone": "Mars/Olympus"}"#).starts_with("timezone must be an IANA"));
}

/// The default is a week of due times walked: milliseconds for a schedule of every
/// minute, which loading the config for a `sync` or an edit must not pay.
#[test]
fn the_overdue_default_is_worked_out_at_its_first_use_not_at_load() {
    let config = Config::parse(r#"{"schedule": "* * * * *"}"#).unwrap();
    assert_eq!(config.overdue_after_default.get(), None);
    assert_eq!(config.overdue_after(), Some(chrono::TimeDelta::minutes(2)));
    assert_eq!(
        config.overdue_after_default.get(),
        Some(&Some(chrono::TimeDelta::minutes(2)))
    );
}

#[test]
fn overdue_defaults_to_twice_the_longest_gap_and_never_under_two_minutes() {
    let overdue = |json: &str| Config::parse(json).unwrap().overdue_after();
    let minutes = |n| Some(chrono::TimeDelta::minutes(n));
    assert_eq!(overdue(r#"{"intervalMinutes": 15}"#), minutes(30));
    assert_eq!(
        overdue(r#"{"schedule": "0 9 * * *", "timezone": "UTC"}"#),
        minutes(2 * 24 * 60)
    );
    // A schedule of every second: runs longer than a second must not make the data stale
    // between two runs.
    assert_eq!(overdue(r#"{"schedule": "* * * * * *"}"#), minutes(2));
    assert_eq!(
        overdue(r#"{"intervalMinutes": 15, "overdueAfterMinutes": 0}"#),
        None
    );
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn paused_until_is_an_iso_time_with_its_offset() {
    let c = Config::parse(r#"{"pausedUntil": "2026-11-25T15:30:00+01:00"}"#).unwrap();
    assert_eq!(c.paused_until, Some(at("2026-11-25T14:30:00Z")));
    assert!(c.paused_at(at("2026-11-25T14:29:59Z")));
    assert!(!c.paused_at(at("2026-11-25T14:30:00Z")));
    for bad in [
        r#""tomorrow""#,
        r#""2026-11-25 15:30""#,
        "1764084600",
        "null",
    ] {
        let text = invalid(&format!(r#"{{"pausedUntil": {bad}}}"#));
        assert!(
            text.starts_with("pausedUntil must be a time in the future"),
            "{text}"
        );
    }
}

/// The next run planned at `now` for a workspace last run at `last` (a 4-second run).
fn next(config: &Config, last: &str, now: &str) -> crate::schedule::Due {
    let last = at(last);
    let planning = crate::schedule::Planning::after_run(
        Some((last, last + chrono::TimeDelta::seconds(4))),
        at(now),
    );
    config.next_run(planning).unwrap()
}

#[test]
fn a_pause_for_a_while_resumes_at_its_end_with_at_most_one_catch_up() {
    use crate::schedule::Trigger;
    let paused = |catch_up: bool| {
        Config::parse(&format!(
            r#"{{"intervalMinutes": 15, "catchUp": {catch_up}, "pausedUntil": "2026-11-25T17:05:00Z"}}"#
        ))
        .unwrap()
    };
    // Paused at 14:32 after the 14:30 run: slots 14:45 … 17:00 pass during the pause.
    let due = next(
        &paused(true),
        "2026-11-25T14:30:00Z",
        "2026-11-25T14:32:00Z",
    );
    assert_eq!(
        (due.at, due.trigger),
        (at("2026-11-25T17:05:00Z"), Trigger::CatchUp)
    );
    let due = next(
        &paused(false),
        "2026-11-25T14:30:00Z",
        "2026-11-25T14:32:00Z",
    );
    assert_eq!(
        (due.at, due.trigger),
        (at("2026-11-25T17:15:00Z"), Trigger::Schedule)
    );
    // Once the pause has ended (the key still there), the same: one catch-up, then the grid.
    let due = next(
        &paused(true),
        "2026-11-25T14:30:00Z",
        "2026-11-25T17:05:00Z",
    );
    assert_eq!(
        (due.at, due.trigger),
        (at("2026-11-25T17:05:00Z"), Trigger::CatchUp)
    );
    let due = next(
        &paused(true),
        "2026-11-25T17:05:00Z",
        "2026-11-25T17:05:04Z",
    );
    assert_eq!(
        (due.at, due.trigger),
        (at("2026-11-25T17:15:00Z"), Trigger::Schedule)
    );
    // No slot passed during a short pause: the next slot, as if not paused.
    let short =
        Config::parse(r#"{"intervalMinutes": 15, "pausedUntil": "2026-11-25T14:40:00Z"}"#).unwrap();
    let due = next(&short, "2026-11-25T14:30:00Z", "2026-11-25T14:32:00Z");
    assert_eq!(
        (due.at, due.trigger),
        (at("2026-11-25T14:45:00Z"), Trigger::Schedule)
    );
    // `paused` rules over `pausedUntil`.
    let both = Config::parse(r#"{"paused": true, "pausedUntil": "2026-11-25T14:40:00Z"}"#).unwrap();
    assert!(
        both.next_run(crate::schedule::Planning::after_run(
            None,
            at("2026-11-25T15:00:00Z")
        ))
        .is_none()
    );
    assert_eq!(both.paused_until_at(at("2026-11-25T14:32:00Z")), None);
}

#[test]
fn swapped_letters_are_one_edit_at_every_level_and_in_enumerated_values() {
    let config = Config::parse(
        r#"{ "retyr": {"attempts": 2}, "notifications": {"onErorr": true},
             "conditions": {"maxDelayMinuets": 30},
             "jobs": [{"name": "a", "command": "x", "timeoutMinuts": 5, "comamnd2": 1}] }"#,
    )
    .unwrap();
    assert_eq!(
        words(&config.warnings),
        [
            "retyr: unknown key (did you mean retry?)",
            "notifications.onErorr: unknown key (did you mean onError?)",
            "conditions.maxDelayMinuets: unknown key (did you mean maxDelayMinutes?)",
            "jobs[0].timeoutMinuts: unknown key (did you mean timeoutMinutes?)",
            "jobs[0].comamnd2: unknown key (did you mean command?)",
        ]
    );
    assert_eq!(
        invalid(r#"{"conditions": {"power": "acc"}}"#),
        "conditions.power must be \"ac\" (or the key left out), got \"acc\" (did you mean \"ac\"?)"
    );
    assert_eq!(
        invalid(r#"{"conditions": {"network": "unmeterd"}}"#),
        "conditions.network must be \"unmetered\" (or the key left out), got \"unmeterd\" (did you mean \"unmetered\"?)"
    );
    // Far from the word: no guess.
    assert_eq!(
        invalid(r#"{"conditions": {"power": "battery"}}"#),
        "conditions.power must be \"ac\" (or the key left out), got \"battery\""
    );
}
