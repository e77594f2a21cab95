//! The command line as a terminal uses it: hang-ups and closed pipes.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Ws, processes_with, sleep_marker, stderr};

#[test]
fn sighup_stops_the_daemon_gracefully_like_sigterm() {
    let tag = sleep_marker(120);
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{{"name": "sleeper", "command": "sleep {tag}; true"}}]}}"#
    ));
    let mut daemon = ws.daemon();
    daemon.wait("the job to start", Duration::from_secs(10), || {
        !processes_with(&tag).is_empty()
    });
    assert!(ws.path("data/.synctray-instance").exists());
    let sent = Instant::now();
    daemon.signal(libc::SIGHUP);
    let code = daemon.wait_exit(Duration::from_secs(20));
    let took = sent.elapsed();
    assert_eq!(
        code,
        Some(0),
        "killed instead of stopping: {}",
        daemon.log()
    );
    // The run in progress got its grace period (10 s), then its job was stopped.
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(15),
        "took {took:?}"
    );
    assert!(
        processes_with(&tag).is_empty(),
        "a job process was left behind"
    );
    assert!(!ws.lock_exists(), "the lock was left behind");
    assert!(
        !ws.path("data/.synctray-instance").exists(),
        "the instance file was left behind"
    );
    let status = ws.status().unwrap();
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by shutdown"),
        "{status}"
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let ws = Ws::new(r#"{"jobs": [{"name": "a", "command": ["true"]}]}"#);
    let commands: [(&[&str], i32); 11] = [
        (&["status", "--json"], 0),
        (&["status"], 0),
        (&["check"], 0),
        (&["sync"], 0),
        (&["interval", "30"], 0),
        (&["pause"], 0),
        (&["resume"], 0),
        (&["--help"], 0),
        (&["--version"], 0),
        (&["help", "sync"], 0),
        (&["interval", "0"], 2),
    ];
    for (args, expected) in commands {
        // The reading end is closed before synctray writes a byte.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = ws
            .cmd(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let message = stderr(&output);
        assert!(!message.contains("panicked"), "{args:?}: {message}");
        assert_eq!(output.status.code(), Some(expected), "{args:?}: {message}");
    }
    // And with stderr closed too (a terminal that went away).
    for args in [
        &["status", "--json"][..],
        &["check"],
        &["interval", "0"],
        &["logs", "--run", "9"],
    ] {
        let (out_r, out_w) = std::io::pipe().unwrap();
        let (err_r, err_w) = std::io::pipe().unwrap();
        drop((out_r, err_r));
        let status = ws
            .cmd(args)
            .stdout(Stdio::from(out_w))
            .stderr(Stdio::from(err_w))
            .status()
            .unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
        assert!(
            status.code().is_some(),
            "{args:?} died by a signal: {status}"
        );
    }
}
