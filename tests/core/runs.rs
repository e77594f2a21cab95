//! `synctray history`, `next` and `logs`: looking back at runs and ahead at the schedule.

use chrono::{DateTime, Utc};

use crate::util::{Ws, stderr};

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A workspace whose job prints its run number and fails on the second run.
fn three_runs() -> Ws {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "count", "command": "n=$(cat data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > data/n; echo \"run number $n\"; [ $n -ne 2 ]"}]}"#,
    );
    for expected in [0, 1, 0] {
        ws.assert_exit(&["sync"], expected);
    }
    ws
}

#[test]
fn history_lists_the_last_runs_newest_first() {
    let ws = three_runs();
    let all = json(&ws.run(&["history", "--json"]));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    let starts: Vec<&str> = all
        .iter()
        .map(|r| r["startedAt"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(starts, sorted, "newest first");
    assert_eq!(all[1]["status"], "error");
    assert_eq!(all[1]["trigger"], "cli");
    assert_eq!(
        json(&ws.run(&["history", "-n", "2", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let text = ws.run_ok(&["history", "-n", "2"]);
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("✓ success") && lines[0].contains("cli"),
        "{text}"
    );
    assert!(
        lines[1].contains("✗ error") && lines[1].contains("count: exited with code 1"),
        "{text}"
    );
}

#[test]
fn history_of_a_workspace_that_never_ran_is_empty() {
    let ws = Ws::new("{}");
    assert_eq!(json(&ws.run(&["history", "--json"])), serde_json::json!([]));
    let out = ws.run_ok(&["history"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("no runs"));
}

#[test]
fn logs_prints_the_last_run_or_k_runs_back_and_fails_when_there_is_none() {
    let ws = three_runs();
    let last = ws.run_ok(&["logs"]);
    assert!(String::from_utf8_lossy(&last.stdout).contains("run number 3"));
    let second = ws.run(&["logs", "--run", "2"]);
    let second = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.contains("run number 2") && second.contains("exited with code 1"),
        "{second}"
    );
    let out = ws.assert_exit(&["logs", "--run", "4"], 1);
    assert!(
        stderr(&out).contains("3 run(s) recorded"),
        "{}",
        stderr(&out)
    );
    // A pruned log is no log.
    for entry in std::fs::read_dir(ws.path("data/logs")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    ws.assert_exit(&["logs"], 1);
    assert_eq!(Ws::new("{}").run(&["logs"]).status.code(), Some(1));
}

#[test]
fn next_lists_the_schedules_times_in_utc() {
    let ws = Ws::new(
        r#"{"schedule": "0 0 9 * * MON-FRI", "timezone": "Europe/Madrid", "catchUp": false}"#,
    );
    let times = json(&ws.run(&["next", "-n", "7", "--json"]));
    let times: Vec<DateTime<Utc>> = times
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(times.len(), 7);
    let now = Utc::now();
    for (i, t) in times.iter().enumerate() {
        assert!(*t > now);
        let madrid = t.with_timezone(&madrid_offset(*t));
        assert_eq!(madrid.format("%H:%M:%S").to_string(), "09:00:00", "{t}");
        assert!(!["Sat", "Sun"].contains(&madrid.format("%a").to_string().as_str()));
        if i > 0 {
            assert!(*t > times[i - 1]);
        }
    }
    let text = ws.run_ok(&["next"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 6, "a heading and 5 times: {text}");
    assert!(text.contains("Europe/Madrid"), "{text}");
}

/// Madrid's offset at `t` (CET +1, CEST +2: the last Sundays of March and October).
fn madrid_offset(t: DateTime<Utc>) -> chrono::FixedOffset {
    let ts = jiff::Timestamp::from_second(t.timestamp()).unwrap();
    let offset = jiff::tz::TimeZone::get("Europe/Madrid")
        .unwrap()
        .to_offset(ts);
    chrono::FixedOffset::east_opt(offset.seconds()).unwrap()
}

#[test]
fn next_of_a_paused_workspace_is_empty_and_a_bad_config_exits_2() {
    let ws = Ws::new(r#"{"paused": true}"#);
    assert_eq!(json(&ws.run(&["next", "--json"])), serde_json::json!([]));
    let ws = Ws::new(r#"{"intervalMinutes": 0}"#);
    let out = ws.assert_exit(&["next"], 2);
    assert!(
        stderr(&out).contains("intervalMinutes must be"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn next_starts_with_a_catch_up_now_when_behind() {
    let ws = Ws::new(r#"{"intervalMinutes": 60}"#);
    let before = Utc::now();
    let times = json(&ws.run(&["next", "-n", "2", "--json"]));
    let first: DateTime<Utc> = times[0].as_str().unwrap().parse().unwrap();
    let second: DateTime<Utc> = times[1].as_str().unwrap().parse().unwrap();
    assert!(
        first >= before - chrono::TimeDelta::seconds(1) && first <= Utc::now(),
        "{first}"
    );
    assert_eq!(second.format("%M:%S").to_string(), "00:00");
}
