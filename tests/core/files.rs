//! What a run leaves in the workspace: status, history, logs — bounded, private enough,
//! and readable by the dashboard.

use std::os::unix::fs::PermissionsExt;

use crate::util::{Ws, stderr};

#[test]
fn status_matches_the_originals_format_with_the_extensions() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "tokens", "command": ["true"]},
                      {"name": "quality", "command": "echo working; echo 'Error: ESLint config not found' >&2; exit 3"},
                      {"name": "projects", "command": ["true"]}]}"#,
    );
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "error");
    assert_eq!(
        status["error"],
        "quality: exited with code 3: Error: ESLint config not found"
    );
    assert_eq!(status["trigger"], "cli");
    assert!(status["durationMs"].is_u64());
    let last_sync = status["lastSync"].as_str().unwrap();
    assert_eq!(
        last_sync.len(),
        "2026-11-25T14:30:03.120Z".len(),
        "{last_sync}"
    );
    assert!(last_sync.ends_with('Z'));
    let jobs = status["jobs"].as_array().unwrap();
    assert_eq!(jobs[0]["status"], "success");
    assert_eq!(jobs[1]["status"], "error");
    assert_eq!(jobs[1]["exitCode"], 3);
    assert_eq!(jobs[2]["status"], "not-run");
    let log = jobs[1]["log"].as_str().unwrap();
    assert!(log.starts_with("data/logs/"), "{log}");
    let text = std::fs::read_to_string(ws.path(log)).unwrap();
    assert!(
        text.contains("working") && text.contains("ESLint"),
        "{text}"
    );
}

#[test]
fn continue_on_error_runs_every_job() {
    let ws = Ws::new(
        r#"{"continueOnError": true, "jobs": [{"name": "a", "command": ["false"]}, {"name": "b", "command": "echo b > b.txt"}]}"#,
    );
    assert_eq!(ws.run(&["sync"]).status.code(), Some(1));
    assert!(ws.path("b.txt").exists(), "the job after a failure ran");
    assert_eq!(ws.status().unwrap()["jobs"][1]["status"], "success");
}

#[test]
fn a_missing_program_is_an_error_could_not_start() {
    let ws = Ws::new(
        r#"{"continueOnError": true, "jobs": [{"name": "argv", "command": ["no-such-program-synctray"]}, {"name": "shell", "command": "no-such-program-synctray --x"}]}"#,
    );
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let status = ws.status().unwrap();
    for job in status["jobs"].as_array().unwrap() {
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
fn env_and_working_directory_are_the_jobs() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "env", "command": "echo \"$GREETING\" > out.txt", "env": {"GREETING": "hola"}}]}"#,
    );
    assert!(ws.run(&["sync"]).status.success());
    assert_eq!(
        std::fs::read_to_string(ws.path("out.txt")).unwrap(),
        "hola\n"
    );
}

#[test]
fn huge_output_is_capped_in_the_log_and_does_not_grow_memory() {
    // The child is reaped by wait4 below, which also gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let peak = |command: &str| {
        let ws = Ws::new(&format!(
            r#"{{"jobs": [{{"name": "loud", "command": "{command}"}}]}}"#
        ));
        let child = ws
            .cmd(&["sync"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut status = 0;
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
        assert_eq!(pid, child.id() as i32);
        let log = std::fs::read_dir(ws.path("data/logs"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        (usage.ru_maxrss, std::fs::read(log).unwrap())
    };
    let (quiet_kb, _) = peak("true");
    let (loud_kb, log) = peak("head -c 500000000 /dev/zero | tr '\\\\0' x");
    assert!(
        log.len() < 1024 * 1024 + 4096,
        "log not capped: {} bytes",
        log.len()
    );
    let text = String::from_utf8_lossy(&log[log.len() - 300..]);
    assert!(
        text.contains(
            "[synctray: log capped at 1048576 bytes; 498951424 more bytes of output were dropped]"
        ),
        "{text}"
    );
    assert!(
        loud_kb < quiet_kb + 4096,
        "peak memory grew with output: {quiet_kb} KiB quiet, {loud_kb} KiB loud"
    );
}

#[test]
fn synctrays_files_are_not_writable_by_others_and_history_is_bounded() {
    let ws = Ws::new(r#"{"jobs": [{"name": "a", "command": ["true"]}]}"#);
    // Even with a umask that allows everything, synctray's files stay closed to others.
    let mut cmd = ws.cmd(&["sync"]);
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::umask(0);
            Ok(())
        });
    }
    assert!(cmd.output().unwrap().status.success());
    for rel in [
        "data/sync-status.json",
        "data/sync-history.jsonl",
        "data/logs",
    ] {
        let mode = std::fs::metadata(ws.path(rel))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o022, 0, "{rel} has mode {mode:o}");
    }
    let log = std::fs::read_dir(ws.path("data/logs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::metadata(log).unwrap().permissions().mode() & 0o022,
        0
    );
}
