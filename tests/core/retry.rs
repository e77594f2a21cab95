//! `retry`: a failing job runs again with backoff, under the lock, and only the final
//! outcome counts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use synctray::config::Config;
use synctray::engine::{Engine, RunOutcome};
use synctray::notify::Note;
use synctray::schedule::Trigger;
use synctray::shutdown::Stop;
use synctray::snapshot::Running;
use synctray::workspace::{Source, Workspace};
use tokio::sync::watch;

use crate::util::{Collect, Ws, stderr};

/// A job that fails (exit 1) until it has run `fails` times, counting its runs in
/// `data/count`.
fn flaky(fails: u32) -> String {
    format!(
        r#"{{"name": "quality", "command": "n=$(cat data/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > data/count; if [ $n -le {fails} ]; then echo \"try $n failed\" >&2; exit 1; fi"}}"#
    )
}

fn count(ws: &Ws) -> u32 {
    std::fs::read_to_string(ws.path("data/count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_job_that_fails_then_succeeds_is_tried_again_with_backoff_and_the_run_succeeds() {
    let ws = Ws::new(&format!(
        r#"{{"retry": {{"attempts": 3, "delaySeconds": 1}}, "jobs": [{}, {{"name": "after", "command": ["true"]}}]}}"#,
        flaky(2)
    ));
    let started = Instant::now();
    let out = ws.run(&["sync"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(count(&ws), 3);
    // 1 s before the second try, 2 s before the third.
    assert!(took >= Duration::from_secs(3), "took {took:?}");
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}");
    assert!(status.get("error").is_none(), "{status}");
    assert_eq!(status["jobs"][0]["attempts"], 3);
    assert_eq!(status["jobs"][0]["status"], "success");
    assert_eq!(status["jobs"][1]["attempts"], 1);
    let history = ws.history();
    assert_eq!(history.len(), 1, "one run, however many tries");
    assert_eq!(history[0]["jobs"][0]["attempts"], 3);
    assert!(!ws.lock_exists());
    // Each try has its part of the run's log.
    let log = ws.run(&["logs"]);
    let log = String::from_utf8_lossy(&log.stdout);
    for n in 1..=3 {
        assert!(
            log.contains(&format!("── job \"quality\" (try {n}/3)")),
            "{log}"
        );
    }
    assert!(log.contains("try 2 failed"), "{log}");
}

#[test]
fn a_job_that_keeps_failing_gets_attempts_tries_and_fails_the_run() {
    let ws = Ws::new(&format!(
        r#"{{"retry": {{"attempts": 2, "delaySeconds": 0}}, "jobs": [{}]}}"#,
        flaky(5)
    ));
    ws.assert_exit(&["sync"], 1);
    assert_eq!(count(&ws), 2);
    let status = ws.status().unwrap();
    assert_eq!(status["jobs"][0]["attempts"], 2);
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .starts_with("quality: exited with code 1: try 2 failed"),
        "{status}"
    );
}

#[test]
fn a_command_that_cannot_start_is_not_tried_again() {
    let ws = Ws::new(
        r#"{"retry": {"attempts": 3, "delaySeconds": 0}, "jobs": [
            {"name": "missing", "command": ["/nonexistent/synctray-test-program"]},
            {"name": "shell-missing", "command": "synctray-test-no-such-command"}],
            "continueOnError": true}"#,
    );
    ws.assert_exit(&["sync"], 1);
    let status = ws.status().unwrap();
    for job in status["jobs"].as_array().unwrap() {
        assert_eq!(job["attempts"], 1, "{job}");
        assert!(
            job["reason"]
                .as_str()
                .unwrap()
                .starts_with("could not start"),
            "{job}"
        );
    }
}

#[test]
fn without_retry_a_failing_job_runs_once() {
    let ws = Ws::new(&format!(r#"{{"jobs": [{}]}}"#, flaky(1)));
    ws.assert_exit(&["sync"], 1);
    assert_eq!(count(&ws), 1);
    assert_eq!(ws.status().unwrap()["jobs"][0]["attempts"], 1);
}

#[test]
fn a_shutdown_during_the_backoff_stops_at_once_and_cleans_up() {
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "retry": {{"attempts": 3, "delaySeconds": 600}}, "jobs": [{}]}}"#,
        flaky(5)
    ));
    let mut daemon = ws.daemon();
    // The lock stays held through the backoff, and its holder file says so.
    daemon.wait(
        "the holder to say it waits for try 2/3",
        Duration::from_secs(10),
        || {
            std::fs::read_to_string(ws.path("data/.sync-lock.json"))
                .is_ok_and(|t| t.contains("waiting for try 2/3"))
        },
    );
    let status = ws.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["running"], true, "{report}");
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(2),
        "the backoff held the shutdown for {:?}",
        took
    );
    assert_eq!(count(&ws), 1);
    assert!(!ws.lock_exists());
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "error");
    let error = status["error"].as_str().unwrap();
    assert!(
        error.starts_with("interrupted by shutdown; quality: exited with code 1"),
        "{error}"
    );
    assert_eq!(status["jobs"][0]["attempts"], 1);
}

#[test]
fn a_try_that_is_retried_notifies_nothing_and_the_tray_hears_of_the_retry() {
    let ws = Ws::new("{}");
    let config = Config::parse(&format!(
        r#"{{"retry": {{"attempts": 3, "delaySeconds": 1}}, "jobs": [{}]}}"#,
        flaky(1)
    ))
    .unwrap();
    let notes = Collect::default();
    let engine = Engine::system(
        Workspace::at(ws.root(), Source::Flag),
        Box::new(notes.clone()),
    );
    let mut snapshots = engine.subscribe();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let (_stop, stop_rx) = watch::channel(Stop::Run);
        let watch = async {
            while snapshots.changed().await.is_ok() {
                let running = snapshots.borrow_and_update().running.clone();
                seen.lock().unwrap().push(running);
            }
        };
        tokio::select! {
            outcome = engine.run_once(&config, Trigger::Schedule, stop_rx) => outcome,
            () = watch => unreachable!(),
        }
    });
    let Ok(RunOutcome::Finished(status)) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(status.is_success(), "{status:?}");
    assert_eq!(status.jobs[0].attempts, Some(2));
    assert!(
        notes.0.lock().unwrap().is_empty(),
        "{:?}",
        notes.0.lock().unwrap()
    );
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().any(|r| matches!(r,
            Some(Running::Retrying { job, next_try: 2, attempts: 3, .. }) if job == "quality")),
        "{seen:?}"
    );

    // When every try fails, the run notifies once, at its end.
    std::fs::remove_file(ws.path("data/count")).unwrap();
    let config = Config::parse(&format!(
        r#"{{"retry": {{"attempts": 2, "delaySeconds": 0}}, "jobs": [{}]}}"#,
        flaky(9)
    ))
    .unwrap();
    let outcome = runtime.block_on(async {
        let (_stop, stop_rx) = watch::channel(Stop::Run);
        engine.run_once(&config, Trigger::Schedule, stop_rx).await
    });
    assert!(matches!(outcome, Ok(RunOutcome::Finished(ref s)) if !s.is_success()));
    let notes = notes.0.lock().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(matches!(&notes[0], Note::Failed(_)), "{notes:?}");
    assert_eq!(notes[0].text().0, "Sync failed: quality");
}
