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
    ws.run_ok(&["sync"]);
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
        let mut sync = ws.sync_until("the job to start", Duration::from_secs(10), || {
            !processes_with(&tag).is_empty()
        });
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
    ws.assert_exit(&["sync"], 75);
    assert!(
        ws.status().is_none(),
        "a skipped run does not touch the status"
    );

    let old = (chrono::Utc::now() - chrono::TimeDelta::minutes(6))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::fs::write(ws.path("data/.sync-lock"), &old).unwrap();
    let output = ws.run_ok(&["sync"]);
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
    let output = ws.assert_exit(&["sync"], 1);
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(!ws.path("victim").exists());
}

/// Starts `synctray sync` on a job that sleeps on `tag`, and waits for the job to run.
fn sync_in_progress(ws: &Ws, tag: &str) -> std::process::Child {
    ws.write_config(&format!(
        r#"{{"jobs": [{{"name": "slow", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    ws.sync_until("the job to start", Duration::from_secs(10), || {
        !processes_with(tag).is_empty()
    })
}

fn stop(mut sync: std::process::Child) {
    unsafe { libc::kill(sync.id() as i32, libc::SIGINT) };
    unsafe { libc::kill(sync.id() as i32, libc::SIGINT) };
    sync.wait().unwrap();
}

#[test]
fn the_original_reads_the_lock_as_a_fresh_date_during_a_run() {
    let tag = sleep_marker(60);
    let ws = Ws::new("{}");
    let sync = sync_in_progress(&ws, &tag);
    let text = std::fs::read_to_string(ws.path("data/.sync-lock")).unwrap();
    // `new Date(text)`: the whole content is one ISO-8601 time, as toISOString writes it.
    let is_iso = text.len() == 24
        && text.ends_with('Z')
        && chrono::DateTime::parse_from_rfc3339(&text).is_ok()
        && text.as_bytes()[10] == b'T'
        && text.as_bytes()[19] == b'.';
    assert!(is_iso, "not what the original reads as a date: {text:?}");
    let taken = chrono::DateTime::parse_from_rfc3339(&text).unwrap();
    let age = chrono::Utc::now() - taken.with_timezone(&chrono::Utc);
    assert!(age.num_seconds().abs() < 30, "{text}");

    // And the original itself, when Node is here: its check says "held, not stale".
    let node = std::process::Command::new("node")
        .arg("-e")
        .arg(
            "const t = new Date(require('fs').readFileSync(process.argv[1], 'utf8'));\
             const age = Date.now() - t.getTime();\
             process.stdout.write(isNaN(age) ? 'invalid' : (age < 60 * 60 * 1000 ? 'held' : 'stale'));",
        )
        .arg(ws.path("data/.sync-lock"))
        .output();
    match node {
        Ok(out) => assert_eq!(String::from_utf8_lossy(&out.stdout), "held"),
        Err(e) if std::env::var_os("CI").is_some_and(|v| v == "true") => {
            panic!("node is needed for this test in CI (apt-get install nodejs): {e}")
        }
        Err(e) => eprintln!("node not found ({e}); checked the date format only"),
    }
    stop(sync);
    assert!(!ws.lock_exists());
}

#[test]
fn a_hand_deleted_lock_file_never_lets_a_second_sync_start() {
    let tag = sleep_marker(60);
    let ws = Ws::new("{}");
    let sync = sync_in_progress(&ws, &tag);
    std::fs::remove_file(ws.path("data/.sync-lock")).unwrap();
    ws.assert_exit(&["sync"], 75);
    let status = ws.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["running"], true, "{report}");
    stop(sync);
}

#[test]
fn status_says_running_from_the_os_lock_and_not_from_a_file_or_a_pid() {
    let tag = sleep_marker(60);
    let ws = Ws::new("{}");
    let report = |ws: &Ws| -> serde_json::Value {
        let out = ws.run_ok(&["status", "--json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let sync = sync_in_progress(&ws, &tag);
    let during = report(&ws);
    assert_eq!(during["running"], true, "{during}");
    assert_eq!(during["lockHolder"]["pid"], sync.id(), "{during}");
    // A job's name reaches the holder file once the job has run 100 ms (a quick job costs
    // no write): this one lasts.
    let mut during = during;
    wait_until(Duration::from_secs(3), || {
        during = report(&ws);
        during["lockHolder"]["job"] == "1/1 slow"
    });
    assert_eq!(during["lockHolder"]["job"], "1/1 slow", "{during}");
    stop(sync);
    assert_eq!(report(&ws)["running"], false);

    let host = String::from_utf8(
        std::process::Command::new("hostname")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // A live pid (this test's) in the holder file, and in an old-style lock file: no OS
    // lock is held, so nothing runs.
    std::fs::write(
        ws.path("data/.sync-lock.json"),
        format!(
            r#"{{"pid": {}, "host": "{host}", "since": "{now}"}}"#,
            std::process::id()
        ),
    )
    .unwrap();
    std::fs::write(
        ws.path("data/.sync-lock"),
        format!("{now}\npid={}\nhost={host}\n", std::process::id()),
    )
    .unwrap();
    assert_eq!(
        report(&ws)["running"],
        false,
        "a reused pid read as running"
    );
    std::fs::write(ws.path("data/.sync-lock"), "garbage").unwrap();
    assert_eq!(report(&ws)["running"], false, "garbage read as running");
    std::fs::remove_file(ws.path("data/.sync-lock")).unwrap();
    std::os::unix::fs::symlink(ws.path("elsewhere"), ws.path("data/.sync-lock")).unwrap();
    std::fs::write(ws.path("elsewhere"), &now).unwrap();
    assert_eq!(report(&ws)["running"], false, "a symlink read as running");
}

#[test]
fn status_probes_never_make_a_sync_skip() {
    let ws = Ws::new(r#"{"jobs": [{"name": "quick", "command": ["true"]}]}"#);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probes: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            let root = ws.root().to_owned();
            std::thread::spawn(move || {
                let mut count = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synctray"))
                        .arg("--workspace")
                        .arg(&root)
                        .args(["status", "--json"])
                        .output()
                        .unwrap();
                    assert!(out.status.success());
                    count += 1;
                }
                count
            })
        })
        .collect();
    for round in 0..30 {
        let output = ws.run(&["sync"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "round {round}: a probe made a run skip: {}",
            stderr(&output)
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let probed: usize = probes.into_iter().map(|p| p.join().unwrap()).sum();
    assert!(probed > 10, "the probes hardly ran ({probed})");
}
