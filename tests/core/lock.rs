//! The run lock between real processes.

use std::process::Stdio;
use std::time::Duration;

use crate::util::{Ws, processes_with, sleep_marker, stderr, wait_until};

/// A job that records when it starts and ends, to prove that no two runs overlap.
fn span_job(seconds: &str) -> String {
    format!(
        r#"{{"intervalMinutes": 15, "jobs": [{{"name": "span", "command": "echo start $(date +%s%N) >> spans; sleep {seconds}; echo end $(date +%s%N) >> spans"}}]}}"#
    )
}

#[test]
fn eight_concurrent_syncs_run_exactly_one_and_never_overlap() {
    let ws = Ws::new(&span_job("2"));
    let rounds = 4;
    for round in 0..rounds {
        let children: Vec<_> = (0..8)
            .map(|_| {
                ws.cmd(&["sync"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<i32> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
            .collect();
        let ran = codes.iter().filter(|&&c| c == 0).count();
        let skipped = codes.iter().filter(|&&c| c == 75).count();
        assert_eq!(
            (ran, skipped),
            (1, 7),
            "round {round}: exit codes {codes:?}"
        );
        assert!(!ws.lock_exists(), "round {round}: lock left behind");
    }
    let spans = std::fs::read_to_string(ws.path("spans")).unwrap();
    let events: Vec<(&str, u128)> = spans
        .lines()
        .map(|l| {
            let (what, at) = l.split_once(' ').unwrap();
            (what, at.trim().parse().unwrap())
        })
        .collect();
    assert_eq!(events.len(), 2 * rounds, "{spans}");
    // Sorted by time, the events must alternate start, end, start, end…
    let mut sorted = events.clone();
    sorted.sort_by_key(|e| e.1);
    for (i, (what, _)) in sorted.iter().enumerate() {
        assert_eq!(
            *what,
            if i % 2 == 0 { "start" } else { "end" },
            "two jobs overlapped: {spans}"
        );
    }
    assert_eq!(ws.history().len(), rounds, "skipped runs are not recorded");
}

#[test]
fn a_sync_killed_mid_run_leaves_nothing_that_blocks_the_next() {
    let tag = sleep_marker(30);
    let ws = Ws::new(r#"{"jobs": [{"name": "quick", "command": ["true"]}]}"#);
    assert!(ws.run(&["sync"]).status.success());
    let good = ws.status().unwrap();

    // Read the status file all along: it must always parse.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (stop, path) = (stop.clone(), ws.path("data/sync-status.json"));
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&path).unwrap();
                serde_json::from_str::<serde_json::Value>(&text).expect("status file torn");
                reads += 1;
            }
            reads
        })
    };

    ws.write_config(&format!(
        r#"{{"jobs": [{{"name": "slow", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    for _ in 0..3 {
        let mut sync = ws
            .cmd(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_until(Duration::from_secs(10), || !processes_with(&tag).is_empty()),
            "job did not start"
        );
        assert!(ws.lock_exists());
        sync.kill().unwrap(); // SIGKILL: no chance to clean up
        sync.wait().unwrap();
        // The kernel ends the job with its parent, and drops the OS lock.
        assert!(
            wait_until(Duration::from_secs(5), || processes_with(&tag).is_empty()),
            "job outlived synctray"
        );
    }
    ws.write_config(r#"{"jobs": [{"name": "quick", "command": ["true"]}]}"#);
    let started = std::time::Instant::now();
    let output = ws.run(&["sync"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the next run proceeds at once: {}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stderr(&output).contains("taking over the lock"),
        "{}",
        stderr(&output)
    );
    assert!(!ws.lock_exists());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert_ne!(ws.status().unwrap()["lastSync"], good["lastSync"]);
}

#[test]
fn the_originals_lock_is_honoured_until_stale() {
    let ws = Ws::new(r#"{"staleLockMinutes": 5, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    let recent = (chrono::Utc::now() - chrono::TimeDelta::minutes(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::fs::write(ws.path("data/.sync-lock"), &recent).unwrap();
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(75), "{}", stderr(&output));
    assert!(
        ws.status().is_none(),
        "a skipped run does not touch the status"
    );

    let old = (chrono::Utc::now() - chrono::TimeDelta::minutes(6))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::fs::write(ws.path("data/.sync-lock"), &old).unwrap();
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("removing a stale lock"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_symlinked_lock_path_is_refused() {
    let ws = Ws::new(r#"{"jobs": [{"name": "a", "command": ["true"]}]}"#);
    std::os::unix::fs::symlink(ws.path("victim"), ws.path("data/.sync-lock")).unwrap();
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(!ws.path("victim").exists());
}
