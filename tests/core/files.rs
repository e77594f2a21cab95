//! What a run leaves in the workspace: status, history, logs — bounded, private enough,
//! and readable by the dashboard.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

#[cfg(target_os = "linux")]
use crate::disk::Tmpfs;
use crate::util::{Ws, stderr, wait_until};

const ONE_JOB: &str = r#"{"jobs": [{"name": "a", "command": ["true"]}]}"#;

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {path:?}"
    );
}

/// Runs `synctray args…`, failing the test if it has not exited within 15 s (a hang).
fn run_with_deadline(ws: &Ws, args: &[&str]) -> std::process::Output {
    let mut child = ws
        .cmd(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exited = wait_until(Duration::from_secs(15), || {
        child.try_wait().unwrap().is_some()
    });
    if !exited {
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        panic!("`synctray {args:?}` hung; stderr: {}", stderr(&output));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn status_matches_the_originals_format_with_the_extensions() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "tokens", "command": ["true"]},
                      {"name": "quality", "command": "echo working; echo 'Error: ESLint config not found' >&2; exit 3"},
                      {"name": "projects", "command": ["true"]}]}"#,
    );
    ws.assert_exit(&["sync"], 1);
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
    ws.assert_exit(&["sync"], 1);
    assert!(ws.path("b.txt").exists(), "the job after a failure ran");
    assert_eq!(ws.status().unwrap()["jobs"][1]["status"], "success");
}

#[test]
fn a_missing_program_is_an_error_could_not_start() {
    let ws = Ws::new(
        r#"{"continueOnError": true, "jobs": [{"name": "argv", "command": ["no-such-program-synctray"]}, {"name": "shell", "command": "no-such-program-synctray --x"}]}"#,
    );
    ws.assert_exit(&["sync"], 1);
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
    // The program is named, and what went wrong in words.
    assert_eq!(
        status["jobs"][0]["reason"],
        r#"could not start "no-such-program-synctray": program not found"#,
        "{status}"
    );
}

#[test]
fn env_and_working_directory_are_the_jobs() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "env", "command": "echo \"$GREETING\" > out.txt", "env": {"GREETING": "hola"}}]}"#,
    );
    ws.run_ok(&["sync"]);
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

#[test]
fn log_pruning_removes_only_synctrays_own_logs_and_never_through_a_link() {
    // Through a symlinked data/logs: nothing there is touched, and no log is written there.
    let ws = Ws::new(ONE_JOB);
    let elsewhere = tempfile::tempdir().unwrap();
    for i in 0..150 {
        std::fs::write(elsewhere.path().join(format!("app-{i:03}.log")), "theirs").unwrap();
        // Even files named like synctray's own logs are not synctray's behind a link.
        let name = format!("20200101T0000{:02}.{:03}Z.log", i / 60, i % 1000);
        std::fs::write(elsewhere.path().join(name), "theirs").unwrap();
    }
    std::os::unix::fs::symlink(elsewhere.path(), ws.path("data/logs")).unwrap();
    let output = ws.run_ok(&["sync"]);
    assert!(
        stderr(&output).contains("symbolic link"),
        "the refused link is named: {}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        300,
        "files behind the link were deleted or added"
    );

    // In a real data/logs: only files synctray named itself are pruned.
    let ws = Ws::new(ONE_JOB);
    let logs = ws.path("data/logs");
    std::fs::create_dir_all(&logs).unwrap();
    for i in 0..120 {
        std::fs::write(logs.join(format!("20200101T0{:05}.000Z.log", i)), "old run").unwrap();
    }
    for name in ["notes.log", "build.log", "20200101T000000.000Z.log.keep"] {
        std::fs::write(logs.join(name), "mine").unwrap();
    }
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::symlink(outside.path(), logs.join("20100101T000000.000Z.log")).unwrap();
    ws.run_ok(&["sync"]);
    let names: Vec<String> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for name in [
        "notes.log",
        "build.log",
        "20200101T000000.000Z.log.keep",
        "20100101T000000.000Z.log",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} was removed");
    }
    let runs = names
        .iter()
        .filter(|n| n.ends_with("Z.log") && n.len() == 24 && !n.starts_with("2010"))
        .count();
    assert_eq!(runs, 100, "the newest 100 run logs are kept: {names:?}");
    assert!(outside.path().exists());
}

#[test]
fn status_history_and_lock_are_never_written_through_a_link() {
    for rel in [
        "data/sync-history.jsonl",
        "data/sync-status.json",
        "data/.sync-lock",
    ] {
        let ws = Ws::new(ONE_JOB);
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(outside.path(), "theirs\n").unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path(rel)).unwrap();
        let output = ws.run(&["sync"]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{rel}: {message}");
        assert!(
            message.contains(ws.path(rel).to_str().unwrap()) && message.contains("symbolic link"),
            "{rel}: the error names the path and says why: {message}"
        );
        assert_eq!(
            std::fs::read_to_string(outside.path()).unwrap(),
            "theirs\n",
            "{rel}: written through the link"
        );
        assert!(is_symlink(&ws.path(rel)), "{rel}: the link was replaced");
    }
}

#[test]
fn a_status_that_cannot_be_written_is_a_failed_run() {
    let ws = Ws::new(ONE_JOB);
    // A folder in the way of the status file.
    std::fs::create_dir_all(ws.path("data/sync-status.json/x")).unwrap();
    let output = ws.run(&["sync"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("sync-status.json") && message.contains("cannot write"),
        "{message}"
    );
    let history = ws.history();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["status"], "error", "{}", history[0]);
    assert!(
        history[0]["error"]
            .as_str()
            .unwrap()
            .contains("could not be recorded"),
        "{}",
        history[0]
    );
    assert!(!ws.lock_exists());
}

#[test]
fn a_fifo_at_a_state_path_is_an_error_never_a_hang() {
    for (rel, code) in [
        ("data/sync-status.json", 1),
        ("data/sync-history.jsonl", 1),
        ("data/.sync-lock", 1),
        ("data/config/sync.json", 2),
    ] {
        let ws = Ws::new(ONE_JOB);
        if rel.ends_with("sync.json") {
            std::fs::remove_file(ws.config_path()).unwrap();
        }
        mkfifo(&ws.path(rel));
        let output = run_with_deadline(&ws, &["sync"]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "{rel}: {message}");
        assert!(
            message.contains(ws.path(rel).to_str().unwrap()),
            "{rel}: the error names the path: {message}"
        );
        assert!(
            message.contains("FIFO") || message.contains("not a regular file"),
            "{rel}: {message}"
        );
        if rel != "data/.sync-lock" {
            assert!(!ws.lock_exists(), "{rel}: the lock was left behind");
            let status = run_with_deadline(&ws, &["status", "--json"]);
            assert_eq!(status.status.code(), Some(0), "{rel}: {}", stderr(&status));
        }
    }
}

#[test]
fn the_history_never_holds_more_than_200_lines() {
    let ws = Ws::new(ONE_JOB);
    ws.run_ok(&["sync"]);
    let line = std::fs::read_to_string(ws.path("data/sync-history.jsonl")).unwrap();
    std::fs::write(ws.path("data/sync-history.jsonl"), line.repeat(199)).unwrap();
    // Full at 200; the next run makes room by dropping the oldest 50 at once, and the
    // runs after it are appended.
    for expected in [200, 151, 152] {
        ws.run_ok(&["sync"]);
        assert_eq!(ws.history().len(), expected);
    }
    let history = ws.history();
    assert_ne!(
        history[151]["lastSync"], history[0]["lastSync"],
        "the newest is kept"
    );
}

#[cfg(target_os = "linux")] // a tmpfs mount
#[test]
fn a_full_disk_mid_append_never_tears_a_history_line() {
    let Some(disk) = Tmpfs::mount(256) else {
        return;
    };
    // The job fills the disk when asked to: the run has its lock and its log by then.
    let ws = Ws::new_in(
        disk.path(),
        r#"{"jobs": [{"name": "fill", "command": "if [ -e fill ]; then cat /dev/zero > filler 2>/dev/null; fi; true"}]}"#,
    );
    ws.run_ok(&["sync"]);
    let history_path = ws.path("data/sync-history.jsonl");
    let first = std::fs::read_to_string(&history_path).unwrap();
    // Make the history end 20 bytes before a page boundary, so the next line's first
    // bytes fit in the page the file already has and the rest needs a page the full disk
    // has not: a write that stops part-way.
    let target = 8192 - 20;
    let empty_pad =
        r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","durationMs":1,"error":""}"#;
    let pad = "x".repeat(target - first.len() - empty_pad.len() - 1);
    let padded = format!(
        "{first}{{\"lastSync\":\"2026-11-25T14:30:03.120Z\",\"status\":\"error\",\"durationMs\":1,\"error\":\"{pad}\"}}\n"
    );
    assert_eq!(padded.len(), target);
    std::fs::write(&history_path, &padded).unwrap();
    std::fs::write(ws.path("fill"), "").unwrap();

    let output = ws.run(&["sync"]);
    let message = stderr(&output);
    assert!(
        std::fs::read_to_string(&history_path).unwrap() == padded,
        "the failed append left part of a line; stderr: {message}"
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "a run not recorded failed: {message}"
    );
    assert!(message.contains("No space left"), "{message}");

    assert!(ws.path("filler").exists(), "the job did not fill the disk");
    std::fs::remove_file(ws.path("fill")).unwrap();
    std::fs::remove_file(ws.path("filler")).unwrap();
    ws.run_ok(&["sync"]);
    let history = ws.history(); // every line parses
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(history[2]["status"], "success");
    assert_eq!(history[2]["trigger"], "cli");
}

#[test]
fn temporary_files_left_by_interrupted_writes_are_removed_on_the_next_start() {
    let ws = Ws::new(ONE_JOB);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let dead_files = [
        ws.path(&format!("data/.synctray-{dead}-a1b2c3.tmp")),
        ws.path(&format!("data/config/.synctray-{dead}-d4e5f6.tmp")),
        // The old naming, without a pid: removed once old enough.
        ws.path("data/.synctray-Zx81Qa.tmp"),
    ];
    for path in &dead_files {
        std::fs::write(path, "{\"half\": ").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&dead_files[2])
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    // A writer still at work (this test process) keeps its file.
    let live = ws.path(&format!("data/.synctray-{}-g7h8i9.tmp", std::process::id()));
    std::fs::write(&live, "writing").unwrap();

    ws.run_ok(&["status"]);
    for path in &dead_files {
        assert!(!path.exists(), "{path:?} was left behind");
    }
    assert!(live.exists(), "a live writer's temporary file was removed");
}

#[test]
fn a_run_whose_result_cannot_be_recorded_is_notified_as_a_failure() {
    use std::sync::{Arc, Mutex};
    use synctray::engine::{Engine, RunOutcome};
    use synctray::notify::Note;

    use crate::util::Collect;

    let ws = Ws::new(ONE_JOB);
    std::fs::create_dir_all(ws.path("data/sync-status.json/x")).unwrap();
    let notes = Arc::new(Mutex::new(Vec::new()));
    let workspace =
        synctray::workspace::Workspace::at(ws.root(), synctray::workspace::Source::Flag);
    let config = synctray::config::Config::load(&workspace.config).unwrap();
    let engine = Engine::system(workspace, Box::new(Collect(Arc::clone(&notes))));
    let (_stop, stop_rx) = tokio::sync::watch::channel(synctray::shutdown::Stop::Run);
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(engine.run_once(&config, synctray::schedule::Trigger::Cli, stop_rx))
        .unwrap();
    let RunOutcome::Finished(status) = outcome else {
        panic!("skipped")
    };
    assert!(!status.is_success());
    let notes = notes.lock().unwrap();
    let [note @ Note::Failed(_)] = notes.as_slice() else {
        panic!("one failure note: {notes:?}")
    };
    let (_, body) = note.text();
    assert!(
        body.contains("could not be recorded") && body.contains("sync-status.json"),
        "{body}"
    );
}

#[test]
fn no_temporary_file_survives_syncs_killed_at_random_moments() {
    let ws = Ws::new(ONE_JOB);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    let started = std::time::Instant::now();
    let mut kills = 0;
    while kills < 300 && started.elapsed() < Duration::from_secs(15) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = ws.cmd(&["sync"]).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(seed % 20_000));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
    }
    ws.run_ok(&["sync"]);
    let mut left = Vec::new();
    let mut dirs = vec![ws.path("data")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else if name.starts_with(".synctray-") && name.ends_with(".tmp") {
                left.push(entry.path());
            }
        }
    }
    assert!(left.is_empty(), "after {kills} kills: {left:?}");
}

#[test]
fn a_file_at_data_logs_is_named_and_no_log_is_recorded() {
    // A failing job, whose log would be named in the status.
    let ws = Ws::new(r#"{"jobs": [{"name": "a", "command": ["false"]}]}"#);
    std::fs::write(ws.path("data/logs"), "not a folder").unwrap();
    let output = ws.run(&["sync"]);
    let err = stderr(&output);
    assert!(err.contains("data/logs is not a folder"), "{err}");
    assert!(!err.contains("os error 17"), "{err}");
    let status = ws.status().expect("the run is recorded");
    assert_eq!(status["jobs"][0]["status"], "error", "{status}");
    for job in status["jobs"].as_array().unwrap() {
        assert!(job.get("log").is_none_or(|l| l.is_null()), "{job}");
    }
}
