//! Bad configurations: each one gets exit 2 from every command that needs the config, a
//! message naming the file and the key, and the file stays exactly as it was.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

#[cfg(target_os = "linux")]
use crate::disk::Tmpfs;
use crate::util::{Ws, set_mode, stderr};

const JOB: &str = r#"[{"name": "a", "command": "true"}]"#;

/// (what, the file's bytes, what the message must say)
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let with = |body: &str| body.as_bytes().to_vec();
    vec![
        (
            "not JSON",
            with("{ intervalMinutes: 15 "),
            "is not valid JSON",
        ),
        ("a JSON array", with("[15]"), "top level must be an object"),
        (
            "interval 0",
            with(r#"{"intervalMinutes": 0}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got 0",
        ),
        (
            "interval 1441",
            with(r#"{"intervalMinutes": 1441}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got 1441",
        ),
        (
            "interval -5",
            with(r#"{"intervalMinutes": -5}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got -5",
        ),
        (
            "interval as a string",
            with(r#"{"intervalMinutes": "15"}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got \"15\"",
        ),
        (
            "interval 15.5",
            with(r#"{"intervalMinutes": 15.5}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got 15.5",
        ),
        (
            "interval null",
            with(r#"{"intervalMinutes": null}"#),
            "intervalMinutes must be a whole number from 1 to 1440, got null",
        ),
        (
            "empty job list",
            with(r#"{"jobs": []}"#),
            "jobs must hold at least one job",
        ),
        (
            "empty command",
            with(r#"{"jobs": [{"name": "a", "command": "  "}]}"#),
            "jobs[0].command must be a non-empty string",
        ),
        (
            "empty argv",
            with(r#"{"jobs": [{"name": "a", "command": []}]}"#),
            "jobs[0].command must be",
        ),
        (
            "job without a name",
            with(r#"{"jobs": [{"command": "true"}]}"#),
            "jobs[0].name must be a non-empty string",
        ),
        (
            "duplicate job names",
            with(r#"{"jobs": [{"name": "a", "command": "x"}, {"name": "a", "command": "y"}]}"#),
            "jobs[1].name must be unique",
        ),
        (
            "timeout 0",
            with(r#"{"jobs": [{"name": "a", "command": "x", "timeoutMinutes": 0}]}"#),
            "jobs[0].timeoutMinutes must be a whole number of minutes from 1",
        ),
        (
            "env not a string",
            with(r#"{"jobs": [{"name": "a", "command": "x", "env": {"N": 1}}]}"#),
            "jobs[0].env.N must be a string",
        ),
        (
            "bad cron expression",
            with(&format!(r#"{{"schedule": "61 * * * *", "jobs": {JOB}}}"#)),
            "schedule must be a cron expression",
        ),
        (
            "bad timezone",
            with(&format!(
                r#"{{"schedule": "0 9 * * *", "timezone": "Mars/Olympus", "jobs": {JOB}}}"#
            )),
            "timezone must be an IANA time zone name",
        ),
        (
            "staleLockMinutes 0",
            with(&format!(r#"{{"staleLockMinutes": 0, "jobs": {JOB}}}"#)),
            "staleLockMinutes must be a whole number of minutes from 1",
        ),
        (
            "catchUp not a flag",
            with(&format!(r#"{{"catchUp": "yes", "jobs": {JOB}}}"#)),
            "catchUp must be true or false, got \"yes\"",
        ),
        (
            "notifications.onError not a flag",
            with(&format!(
                r#"{{"notifications": {{"onError": 1}}, "jobs": {JOB}}}"#
            )),
            "notifications.onError must be true or false",
        ),
        (
            "a job name with a newline (it would forge lines in the lock file)",
            with(r#"{"jobs": [{"name": "a\npid=1\nhost=x", "command": "true"}]}"#),
            "jobs[0].name must be a non-empty string of at most 64 printable characters (no control characters such as a newline), got \"a\\npid=1\\nhost=x\"",
        ),
        (
            "a job name of 65 characters",
            with(&format!(
                r#"{{"jobs": [{{"name": "{}", "command": "true"}}]}}"#,
                "n".repeat(65)
            )),
            "jobs[0].name must be a non-empty string of at most 64 printable characters",
        ),
        (
            "a NUL byte in a shell command",
            with(r#"{"jobs": [{"name": "a", "command": "true\u0000rm -rf /"}]}"#),
            "jobs[0].command must not contain a NUL byte",
        ),
        (
            "a NUL byte in an argument",
            with(r#"{"jobs": [{"name": "a", "command": ["echo", "a\u0000b"]}]}"#),
            "jobs[0].command must not contain a NUL byte",
        ),
        (
            "a NUL byte in an env value",
            with(r#"{"jobs": [{"name": "a", "command": "true", "env": {"K": "v\u0000"}}]}"#),
            "jobs[0].env.K must be a string without NUL bytes",
        ),
        (
            "non-UTF-8 bytes",
            b"{\"intervalMinutes\": 15, \"x\": \"\xff\xfe\"}".to_vec(),
            "is not UTF-8 text",
        ),
    ]
}

/// Runs every command that reads the config and checks the exit status, the message and
/// that the file is byte for byte what it was.
fn assert_rejected(ws: &Ws, what: &str, expected: &str) {
    let path = ws.config_path();
    let before = std::fs::read(&path).ok();
    for args in [&["check"][..], &["sync"], &["--daemon"]] {
        let mut child = ws
            .cmd(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{what}: `synctray {args:?}` did not exit"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let output = child.wait_with_output().unwrap();
        let message = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{what}: `synctray {args:?}` exit status; stderr: {message}"
        );
        assert!(
            message.contains(expected),
            "{what}: `synctray {args:?}` said {message:?}, expected {expected:?}"
        );
        assert!(
            message.contains("sync.json"),
            "{what}: message does not name the file: {message}"
        );
        assert_eq!(
            std::fs::read(&path).ok(),
            before,
            "{what}: the file changed"
        );
        assert!(
            !ws.path("data/sync-status.json").exists(),
            "{what}: a run happened"
        );
    }
}

#[test]
fn bad_values_are_refused_with_the_key_named_and_the_file_unchanged() {
    for (what, bytes, expected) in cases() {
        let ws = Ws::new("{}");
        std::fs::write(ws.config_path(), &bytes).unwrap();
        assert_rejected(&ws, what, expected);
    }
}

#[test]
fn a_folder_instead_of_the_file_is_refused() {
    let ws = Ws::new("{}");
    std::fs::remove_file(ws.config_path()).unwrap();
    std::fs::create_dir(ws.config_path()).unwrap();
    assert_rejected(&ws, "a directory", "is not a regular file");
}

#[test]
fn an_unreadable_file_is_refused() {
    let ws = Ws::new("{}");
    // A link to itself cannot be read by anyone, root included.
    std::fs::remove_file(ws.config_path()).unwrap();
    std::os::unix::fs::symlink("sync.json", ws.config_path()).unwrap();
    assert_rejected(&ws, "unreadable", "cannot read");
}

#[test]
fn a_file_other_users_can_write_is_refused() {
    for (mode, who) in [(0o666, "every user"), (0o664, "its group")] {
        let ws = Ws::new(&format!(r#"{{"jobs": {JOB}}}"#));
        set_mode(&ws.config_path(), mode);
        assert_rejected(
            &ws,
            &format!("mode {mode:o}"),
            &format!("is writable by {who}"),
        );
    }
}

#[test]
fn the_originals_file_is_valid_and_unknown_keys_only_warn() {
    let ws = Ws::new(r#"{"intervalMinutes": 15}"#);
    let output = ws.run_ok(&["check"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("every 15 min, 3 job(s): tokens, quality, projects"),
        "{text}"
    );

    let ws = Ws::new(
        r#"{"intervalMinutes": 15, "theme": "dark", "jobs": [{"name": "a", "command": "true"}]}"#,
    );
    let output = ws.run_ok(&["check"]);
    // The warning and the count are on stdout, with the result.
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("theme: unknown key"), "{text}");
    assert!(text.contains(": valid, 1 warning; "), "{text}");
    let ws = Ws::new(r#"{"intervalMinuts": 15, "jobs": [{"name": "a", "command": "true"}]}"#);
    let text = String::from_utf8_lossy(&ws.run(&["check"]).stdout).into_owned();
    assert!(
        text.contains("intervalMinuts: unknown key (did you mean intervalMinutes?)"),
        "{text}"
    );
}

#[test]
fn interval_rewrites_only_its_keys() {
    let original = r#"{
  "schedule": "0 9 * * *",
  "zzz": {"kept": [1, 2]},
  "jobs": [{"name": "a", "command": "true"}],
  "catchUp": false
}"#;
    let ws = Ws::new(original);
    ws.run_ok(&["interval", "30"]);
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.config_path()).unwrap()).unwrap();
    assert_eq!(
        after,
        serde_json::json!({"zzz": {"kept": [1, 2]}, "jobs": [{"name": "a", "command": "true"}], "catchUp": false, "intervalMinutes": 30})
    );
    // Key order is kept too.
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    assert!(text.find("zzz").unwrap() < text.find("jobs").unwrap());

    for bad in ["0", "1441", "abc", "-5"] {
        let before = std::fs::read(ws.config_path()).unwrap();
        let output = ws.run(&["interval", bad]);
        assert_eq!(output.status.code(), Some(2), "interval {bad}");
        assert_eq!(std::fs::read(ws.config_path()).unwrap(), before);
    }

    let broken = b"{ not json";
    std::fs::write(ws.config_path(), broken).unwrap();
    ws.assert_exit(&["interval", "5"], 2);
    assert_eq!(
        std::fs::read(ws.config_path()).unwrap(),
        broken,
        "a failed parse never overwrites the file"
    );
}

#[test]
fn status_json_reports_every_key() {
    let ws = Ws::new(
        r#"{"intervalMinutes": 30, "catchUp": false, "jobs": [{"name": "a", "command": "true"}]}"#,
    );
    ws.run_ok(&["sync"]);
    let output = ws.run_ok(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "workspace",
        "workspaceSource",
        "lastSync",
        "status",
        "error",
        "nextRun",
        "running",
        "lockHolder",
        "intervalMinutes",
        "paused",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["workspaceSource"], "flag");
    assert_eq!(report["status"], "success");
    assert_eq!(report["running"], false);
    let next = report["nextRun"].as_str().unwrap();
    assert!(
        next.contains(":00:00.000Z") || next.contains(":30:00.000Z"),
        "every 30 min is on the hour or half hour: {next}"
    );

    ws.run_ok(&["pause"]);
    let report: serde_json::Value =
        serde_json::from_slice(&ws.run(&["status", "--json"]).stdout).unwrap();
    assert_eq!(report["paused"], true);
    assert_eq!(report["nextRun"], serde_json::Value::Null);
}

#[test]
fn status_with_an_invalid_config_says_what_is_wrong_and_plans_nothing() {
    let ws = Ws::new(r#"{"jobs": [{"name": "a", "command": "true"}]}"#);
    ws.run_ok(&["sync"]);
    ws.write_config(r#"{"intervalMinutes": 0}"#);
    let report = ws.status_json();
    let error = report["configError"].as_str().unwrap();
    assert!(
        error.contains("sync.json: intervalMinutes must be a whole number from 1 to 1440, got 0"),
        "{report}"
    );
    assert_eq!(report["nextRun"], serde_json::Value::Null, "{report}");
    assert!(report.get("intervalMinutes").is_none(), "{report}");
    assert!(report.get("schedule").is_none(), "{report}");
    assert_eq!(report["status"], "success", "the last run is still told");
    assert_eq!(report["running"], false);
    let text = ws.run_ok(&["status"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("config     invalid: ") && text.contains("intervalMinutes must be"),
        "{text}"
    );
}

#[test]
fn a_config_folder_other_users_can_write_is_refused() {
    for (rel, mode) in [
        ("data/config", 0o777),
        ("data/config", 0o775),
        ("data", 0o757),
    ] {
        let ws = Ws::new(&format!(r#"{{"jobs": {JOB}}}"#));
        set_mode(&ws.path(rel), mode);
        let dir = ws.path(rel);
        assert_rejected(
            &ws,
            &format!("{rel} mode {mode:o}"),
            &format!("its folder {} is writable by", dir.display()),
        );
        let output = ws.run(&["check"]);
        assert!(
            stderr(&output).contains(&format!("chmod go-w {}", dir.display())),
            "the fix is named: {}",
            stderr(&output)
        );
        let before = std::fs::read(ws.config_path()).unwrap();
        ws.assert_exit(&["interval", "5"], 2);
        assert_eq!(std::fs::read(ws.config_path()).unwrap(), before);
    }
}

#[test]
fn an_edit_keeps_every_other_keys_text_exactly() {
    let original = "{\n    \"big\":   12345678901234567890123,\n    \"float\": 1e3,\n    \"exact\": 0.1000000000000000055511151231257827,\n    \"schedule\": \"0 9 * * *\",\n    \"jobs\": [ {\"name\": \"a\", \"command\": \"true\"} ],\n    \"unicode\": \"caf\\u00e9 \\\"q\\\"\"\n}\n";
    let ws = Ws::new(original);
    ws.run_ok(&["interval", "30"]);
    assert_eq!(
        std::fs::read_to_string(ws.config_path()).unwrap(),
        original
            .replace("    \"schedule\": \"0 9 * * *\",\n", "")
            .replace("\"\n}\n", "\",\n    \"intervalMinutes\": 30\n}\n")
    );
    ws.run_ok(&["pause"]);
    ws.run_ok(&["interval", "45"]);
    assert_eq!(
        std::fs::read_to_string(ws.config_path()).unwrap(),
        original
            .replace("    \"schedule\": \"0 9 * * *\",\n", "")
            .replace(
                "\"\n}\n",
                "\",\n    \"intervalMinutes\": 45,\n    \"paused\": true\n}\n"
            )
    );
}

#[test]
fn a_symlinked_config_is_edited_through_the_link_and_stays_a_link() {
    let ws = Ws::new("{}");
    let dotfiles = ws.path("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    let real = dotfiles.join("sync.json");
    std::fs::write(
        &real,
        format!("{{\"intervalMinutes\": 15, \"jobs\": {JOB}}}\n"),
    )
    .unwrap();
    set_mode(&real, 0o600);
    std::fs::remove_file(ws.config_path()).unwrap();
    std::os::unix::fs::symlink("../../dotfiles/sync.json", ws.config_path()).unwrap();

    for args in [&["interval", "30"][..], &["pause"]] {
        let output = ws.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let link = std::fs::symlink_metadata(ws.config_path()).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a copy"
    );
    assert_eq!(
        std::fs::read_link(ws.config_path()).unwrap(),
        Path::new("../../dotfiles/sync.json")
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        format!("{{\"intervalMinutes\": 30, \"jobs\": {JOB}, \"paused\": true}}\n")
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o600,
        "the real file keeps its mode"
    );
    let output = ws.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["intervalMinutes"], 30);
    assert_eq!(report["paused"], true);
}

#[test]
fn two_edits_at_once_both_take_effect() {
    let ws = Ws::new(&format!(r#"{{"intervalMinutes": 15, "jobs": {JOB}}}"#));
    let tries = 30;
    let mut lost = Vec::new();
    for i in 0..tries {
        let minutes = 1 + (i % 59);
        let paused = i % 2 == 0;
        ws.write_config(&format!(
            r#"{{"intervalMinutes": 60, "paused": {}, "jobs": {JOB}}}"#,
            !paused
        ));
        let n = minutes.to_string();
        let quiet = |mut cmd: std::process::Command| {
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let interval = quiet(ws.cmd(&["interval", &n]));
        let pause = quiet(ws.cmd(&[if paused { "pause" } else { "resume" }]));
        for mut child in [interval, pause] {
            assert!(child.wait().unwrap().success());
        }
        let after: serde_json::Value =
            serde_json::from_slice(&std::fs::read(ws.config_path()).unwrap()).unwrap();
        if after["intervalMinutes"] != minutes || after["paused"] != paused {
            lost.push(after);
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {tries} tries lost an edit: {lost:?}",
        lost.len()
    );
}

#[cfg(target_os = "linux")] // a tmpfs mount
#[test]
fn a_failed_write_says_cannot_write() {
    let Some(disk) = Tmpfs::mount(64) else {
        return;
    };
    let ws = Ws::new_in(
        disk.path(),
        &format!(r#"{{"intervalMinutes": 15, "jobs": {JOB}}}"#),
    );
    // The first edit creates what edits need beside the file; then the disk fills up.
    ws.run_ok(&["pause"]);
    let before = std::fs::read(ws.config_path()).unwrap();
    disk.fill();
    let output = ws.run(&["interval", "5"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("sync.json: cannot write") && message.contains("No space left"),
        "{message}"
    );
    assert!(!message.contains("cannot read"), "{message}");
    assert_eq!(std::fs::read(ws.config_path()).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(ws.path("data/config"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn check_warns_when_an_array_commands_program_is_not_on_path() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "lost", "command": ["no-such-program-synctray", "--x"]},
                     {"name": "found", "command": ["sh", "-c", "true"]},
                     {"name": "shell", "command": "no-such-program-synctray"}]}"#,
    );
    let output = ws.run_ok(&["check"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(r#"jobs.lost: "no-such-program-synctray" is not on PATH"#),
        "{text}"
    );
    // Only the array command's program is looked up; `sh` is found.
    assert!(text.contains(": valid, 1 warning; "), "{text}");
}

#[test]
fn pause_for_a_while_is_written_as_paused_until_said_by_status_and_next_and_cleared_by_resume() {
    let ws = Ws::new("{\n  \"intervalMinutes\": 15,\n  \"paused\": false,\n  \"x-note\": 1e3\n}\n");
    let time = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
            .unwrap()
            .to_utc()
    };
    let before = chrono::Utc::now();
    let out = String::from_utf8(ws.run_ok(&["pause", "--for", "2h"]).stdout).unwrap();
    assert!(out.contains("paused until"), "{out}");
    let until = time(&ws.config()["pausedUntil"]);
    let two_hours = before + chrono::TimeDelta::hours(2);
    assert!(
        until >= two_hours - chrono::TimeDelta::seconds(1)
            && until <= two_hours + chrono::TimeDelta::seconds(5),
        "{until}"
    );
    // Only the pause's keys changed; the rest keeps its text.
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    assert!(text.contains("\"x-note\": 1e3"), "{text}");
    assert_eq!(ws.config()["paused"], false);

    let report = ws.status_json();
    assert_eq!(report["paused"], true);
    assert_eq!(time(&report["pausedUntil"]), until);
    // The next run is the one after the pause: a catch-up as it ends (catchUp's default).
    assert_eq!(time(&report["nextRun"]), until);
    let out = ws.run(&["next", "-n", "2", "--json"]);
    let next: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(time(&next[0]), until);
    assert!(time(&next[1]) > until);
    let text = String::from_utf8(ws.run_ok(&["status"]).stdout).unwrap();
    assert!(text.contains("paused until"), "{text}");

    // Until a time of day: the next one to come.
    ws.run_ok(&["pause", "--until", "08:00"]);
    let until = time(&ws.config()["pausedUntil"]);
    let local = until.with_timezone(&chrono::Local);
    assert_eq!(local.format("%H:%M:%S").to_string(), "08:00:00");
    assert!(until > chrono::Utc::now() && until < chrono::Utc::now() + chrono::TimeDelta::days(1));

    // Until I resume: `paused`, no end.
    ws.run_ok(&["pause"]);
    assert_eq!(ws.config()["paused"], true);
    assert!(ws.config().get("pausedUntil").is_none());
    ws.run_ok(&["pause", "--for", "30m"]);
    ws.run_ok(&["resume"]);
    let config = ws.config();
    assert_eq!(config["paused"], false);
    assert!(config.get("pausedUntil").is_none(), "{config}");
    assert_eq!(ws.status_json()["pausedUntil"], serde_json::Value::Null);

    for bad in [
        &["pause", "--for", "soon"][..],
        &["pause", "--until", "25:00"],
        &["pause", "--for", "1h", "--until", "08:00"],
    ] {
        let out = ws.run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
}

#[test]
fn a_paused_until_already_past_or_unreadable_is_an_error_naming_the_key() {
    let ws = Ws::new(r#"{"pausedUntil": "2020-01-01T08:00:00Z"}"#);
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("sync.json: pausedUntil must be a time in the future"),
        "{err}"
    );
    assert!(err.contains("2020-01-01T08:00:00Z"), "{err}");
    ws.write_config(r#"{"pausedUntil": "after lunch"}"#);
    let out = ws.run(&["check"]);
    assert!(
        stderr(&out).contains("pausedUntil must be"),
        "{}",
        stderr(&out)
    );
}
