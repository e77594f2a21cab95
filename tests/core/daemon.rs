//! `synctray --daemon` as a service manager runs it.

use std::time::{Duration, Instant};

use crate::util::{Ws, processes_with, sleep_marker, wait_until};

/// A process's CPU time so far (user + system), from `/proc/PID/stat`.
fn cpu_time(pid: i32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

/// Children of `pid` that have exited and were not reaped.
fn zombie_children(pid: i32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if fields.len() > 1 && fields[0] == "Z" && fields[1] == pid.to_string() {
            found.push(stat.clone());
        }
    }
    found
}

#[test]
fn sigterm_while_a_job_sleeps_stops_cleanly_within_the_grace_period() {
    let tag = sleep_marker(120);
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{{"name": "sleeper", "command": "sleep {tag}; true"}}]}}"#
    ));
    // Never synced + catchUp (the default): the first run starts at once.
    let mut daemon = ws.daemon();
    daemon.wait("the job to start", Duration::from_secs(10), || {
        !processes_with(&tag).is_empty()
    });
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(20));
    // Grace (10 s) to finish, then the tree gets SIGTERM (and SIGKILL 3 s later if needed).
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(15),
        "took {took:?}"
    );
    assert!(
        processes_with(&tag).is_empty(),
        "a job process was left behind"
    );
    assert!(!ws.lock_exists(), "the lock was left behind");
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "error");
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by shutdown"),
        "{status}"
    );
    // Said as a value too, for whatever reads the file.
    assert_eq!(status["interrupted"], true, "{status}");
    let log = daemon.log();
    assert!(
        log.contains("a run in progress has 10 s to finish"),
        "{log}"
    );
}

#[test]
fn sigterm_with_no_run_in_progress_does_not_speak_of_one() {
    let ws = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "ok", "command": ["true"]}]}"#);
    // The first run (never synced) ends at once; then the daemon is idle.
    let mut daemon = ws.daemon();
    daemon.wait("a recorded run", Duration::from_secs(10), || {
        ws.status().is_some()
    });
    std::thread::sleep(Duration::from_millis(200));
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(5));
    let log = daemon.log();
    assert!(log.contains("stopping: no run in progress"), "{log}");
    assert!(!log.contains("a run in progress has"), "{log}");
}

/// The names of a process's threads, from `/proc/PID/task`.
#[cfg(target_os = "linux")]
fn thread_names(pid: i32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_daemon_for_one_workspace_serves_it_on_its_main_thread() {
    // Nothing else to serve: the workspace needs no thread of its own (nor a second
    // runtime's), only the main thread and the config file's watcher.
    let ws = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "ok", "command": ["true"]}]}"#);
    let mut daemon = ws.daemon();
    daemon.wait("a recorded run", Duration::from_secs(10), || {
        ws.status().is_some()
    });
    std::thread::sleep(Duration::from_millis(200));
    let names = thread_names(daemon.pid());
    let main = std::fs::read_to_string(format!("/proc/{}/comm", daemon.pid())).unwrap();
    let others: Vec<&String> = names
        .iter()
        .filter(|n| **n != main.trim_end() && !n.starts_with("notify-rs"))
        .collect();
    assert!(others.is_empty(), "threads: {names:?}");
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(5));
    assert!(daemon.log().contains("workspace{name="), "{}", daemon.log());
}

#[test]
fn a_second_ctrl_c_stops_at_once_and_still_cleans_up() {
    let tag = sleep_marker(120);
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "sleeper", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    let mut daemon = ws.daemon();
    daemon.wait("the job to start", Duration::from_secs(10), || {
        !processes_with(&tag).is_empty()
    });
    daemon.signal(libc::SIGINT);
    std::thread::sleep(Duration::from_millis(200));
    let took = daemon.stop_with(libc::SIGINT, Duration::from_secs(10));
    assert!(took < Duration::from_secs(4), "took {:?}", took);
    assert!(processes_with(&tag).is_empty());
    assert!(!ws.lock_exists());
    assert!(
        ws.status().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by shutdown")
    );
}

#[test]
fn a_run_that_outlasts_its_next_due_time_is_recorded_while_the_daemon_sleeps() {
    // Due every second; each run takes three. The due times that pass during a run are
    // handled once it ends (without catchUp: the next slot), and meanwhile the daemon
    // sleeps: it reaps the job, records the run, releases the lock and obeys SIGTERM.
    let tag = sleep_marker(3);
    let ws = Ws::new(&format!(
        r#"{{"schedule": "*/1 * * * * *", "catchUp": false, "jobs": [{{"name": "long", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    let mut daemon = ws.daemon();
    let started = Instant::now();
    daemon.wait(
        "the runs that overran their next due time to be recorded",
        Duration::from_secs(20),
        || ws.history().len() >= 2,
    );
    let cpu = cpu_time(daemon.pid());
    let lived = started.elapsed();
    // A spinning loop burns a core: as much CPU as time lived. Sleeping, the daemon
    // spends a few milliseconds a run.
    assert!(
        cpu < lived / 10,
        "the daemon used {cpu:?} of CPU in {lived:?}: it does not sleep during a run"
    );
    assert!(
        wait_until(Duration::from_secs(2), || zombie_children(daemon.pid())
            .is_empty()),
        "a finished job was never reaped: {:?}",
        zombie_children(daemon.pid())
    );
    let history = ws.history();
    for pair in history.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            b["startedAt"].as_str() >= a["lastSync"].as_str(),
            "runs overlapped: {a} {b}"
        );
        assert_eq!(b["trigger"], "schedule", "{b}");
        // The next slot after the end: a whole second, within a second of the end.
        let (end, start) = (
            chrono::DateTime::parse_from_rfc3339(a["lastSync"].as_str().unwrap()).unwrap(),
            chrono::DateTime::parse_from_rfc3339(b["startedAt"].as_str().unwrap()).unwrap(),
        );
        assert!(
            start - end < chrono::TimeDelta::milliseconds(1500),
            "{a} {b}"
        );
    }
    assert!(
        history.iter().all(|r| r["status"] == "success"),
        "{history:?}"
    );

    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(15));
    // A run in progress is given its grace period and ends in at most three seconds.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert!(
        processes_with(&tag).is_empty(),
        "a job process was left behind"
    );
    assert!(!ws.lock_exists(), "the lock was left behind");
}

#[test]
fn after_an_overrun_each_records_next_run_is_when_the_next_run_starts() {
    // Due every 3 s; each run takes 4 s, so a due time passes during every run and the
    // next run starts at the slot after its end. Every record's `nextRun` must be that
    // time, not the slot that passed meanwhile; `status --json` and `next` between two
    // runs say the same.
    let tag = sleep_marker(4);
    let ws = Ws::new(&format!(
        r#"{{"schedule": "*/3 * * * * *", "catchUp": false, "jobs": [{{"name": "long", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    let mut daemon = ws.daemon();
    let time = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}"))).unwrap()
    };
    let mut between = Vec::new();
    daemon.wait("four runs to be recorded", Duration::from_secs(40), || {
        // Between two runs: what `status` and `next` say of the next one.
        if !ws.lock_exists() && ws.history().len() > between.len() {
            let n = ws.history().len();
            let status = ws.status_json();
            let next = ws.run(&["next", "-n", "1", "--json"]);
            let next: serde_json::Value = serde_json::from_slice(&next.stdout).unwrap();
            if !ws.lock_exists() && ws.history().len() == n {
                between.push((n, status["nextRun"].clone(), next[0].clone()));
            }
        }
        ws.history().len() >= 4
    });
    let history = ws.history();
    for pair in history.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(b["trigger"], "schedule", "{b}");
        let (said, started) = (time(&a["nextRun"]), time(&b["startedAt"]));
        // The wall-clock timer wakes the daemon on the slot, give or take its latency.
        assert!(
            said <= started && started - said < chrono::TimeDelta::milliseconds(300),
            "a run recorded nextRun {said}; the next run started at {started}\n{a}\n{b}"
        );
        assert!(
            said > time(&a["lastSync"]),
            "nextRun before the run ended: {a}"
        );
    }
    assert!(!between.is_empty(), "never saw the daemon between two runs");
    for (n, status, next) in &between {
        let Some(b) = history.get(*n) else { continue };
        let started = time(&b["startedAt"]);
        for (who, said) in [("status --json", status), ("next", next)] {
            let said = time(said);
            assert!(
                said <= started && started - said < chrono::TimeDelta::milliseconds(300),
                "after run {n}, {who} said {said}; the next run started at {started}"
            );
        }
    }
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(15));
    assert!(
        processes_with(&tag).is_empty(),
        "a job process was left behind"
    );
}

#[test]
fn a_seconds_schedule_runs_every_second_and_records_each_run() {
    let ws = Ws::new(
        r#"{"schedule": "* * * * * *", "catchUp": false, "jobs": [{"name": "tick", "command": ["true"]}]}"#,
    );
    let mut daemon = ws.daemon();
    daemon.wait("four recorded runs", Duration::from_secs(15), || {
        ws.history().len() >= 4
    });
    daemon.signal(libc::SIGTERM);
    assert_eq!(daemon.wait_exit(Duration::from_secs(10)), Some(0));
    let history = ws.history();
    let starts: Vec<&str> = history
        .iter()
        .map(|r| r["startedAt"].as_str().unwrap())
        .collect();
    for run in &history {
        assert_eq!(run["trigger"], "schedule", "{run}");
        assert_eq!(run["status"], "success");
        // Due on a whole second: started within a few tens of milliseconds of it.
        let ms: u32 = run["startedAt"].as_str().unwrap()[20..23].parse().unwrap();
        assert!(ms < 500, "late start: {run}");
    }
    let mut distinct = starts.iter().map(|s| &s[..19]).collect::<Vec<_>>();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        starts.len(),
        "one run per second: {starts:?}"
    );
    assert_eq!(
        ws.status().unwrap()["startedAt"],
        *history.last().unwrap().get("startedAt").unwrap()
    );
}

/// Jobs that write into `data/` (a dashboard's data files) are not held up by the
/// scheduler noticing those writes: it once let each burst of file events settle with a
/// 25 ms sleep during which the run in progress was not polled, so each job's end was seen
/// 25 ms late. The same run by `synctray sync` (which watches nothing) is the yardstick,
/// so that a loaded machine slows both alike.
#[test]
fn jobs_writing_into_data_are_not_held_up_by_the_files_they_write() {
    const JOBS: usize = 20;
    let jobs: Vec<String> = (0..JOBS)
        .map(|i| format!(r#"{{"name": "j{i}", "command": ["touch", "data/out-{i}.json"]}}"#))
        .collect();
    let config = |schedule: &str| {
        format!(
            r#"{{"schedule": "{schedule}", "catchUp": false, "jobs": [{}]}}"#,
            jobs.join(", ")
        )
    };
    let ws = Ws::new(&config("0 0 1 1 *"));
    ws.run_ok(&["sync"]);
    let by_cli = ws.status().unwrap()["durationMs"].as_u64().unwrap();

    ws.write_config(&config("* * * * * *"));
    let mut daemon = ws.daemon();
    daemon.wait("a scheduled run", Duration::from_secs(15), || {
        ws.history().iter().any(|r| r["trigger"] == "schedule")
    });
    daemon.signal(libc::SIGTERM);
    assert_eq!(daemon.wait_exit(Duration::from_secs(10)), Some(0));
    let run = ws
        .history()
        .into_iter()
        .find(|r| r["trigger"] == "schedule")
        .unwrap();
    assert_eq!(run["status"], "success", "{run}");
    let by_daemon = run["durationMs"].as_u64().unwrap();
    // Held up, the run would take 25 ms more for each job after the first.
    let held_up = 25 * (JOBS as u64 - 1);
    assert!(
        by_daemon < by_cli + held_up / 2,
        "the daemon's run took {by_daemon} ms, the same jobs by `sync` {by_cli} ms"
    );
}

#[test]
fn edits_take_effect_without_restart_and_bad_edits_keep_the_last_good_config() {
    let ws = Ws::new(
        r#"{"intervalMinutes": 1440, "catchUp": false, "jobs": [{"name": "a", "command": ["true"]}]}"#,
    );
    let mut daemon = ws.daemon();
    daemon.wait_log("scheduler started", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(ws.history().is_empty(), "nothing is due for a day");

    ws.write_config(r#"{"schedule": "* * * * * *", "catchUp": false, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    daemon.wait("the edit to be picked up", Duration::from_secs(5), || {
        ws.history().len() >= 2
    });

    let bad = r#"{"schedule": "* * * * * *", "intervalMinutes": 0, "jobs": [{"name": "a", "command": ["true"]}]}"#;
    ws.write_config(bad);
    daemon.wait_log(
        "keeping the last good configuration",
        Duration::from_secs(5),
    );
    assert!(
        daemon
            .log()
            .contains("intervalMinutes must be a whole number from 1 to 1440, got 0")
    );
    let runs = ws.history().len();
    daemon.wait(
        "runs to go on after a bad edit",
        Duration::from_secs(5),
        || ws.history().len() >= runs + 2,
    );
    assert_eq!(
        std::fs::read_to_string(ws.config_path()).unwrap(),
        bad,
        "the bad file is never overwritten"
    );
    daemon.signal(libc::SIGTERM);
    assert_eq!(daemon.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn a_second_daemon_on_the_same_workspace_does_not_start() {
    let ws = Ws::new(
        r#"{"intervalMinutes": 1440, "catchUp": false, "jobs": [{"name": "a", "command": ["true"]}]}"#,
    );
    let daemon = ws.daemon();
    daemon.wait_log("scheduler started", Duration::from_secs(5));
    let output = ws.assert_exit(&["--daemon"], 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("already running"));
    daemon.signal(libc::SIGTERM);
}

/// Two daemons started while `data/` is read-only both serve the workspace unclaimed (so
/// that the problem is seen); once it is writable, one claims it and the other ends by
/// itself, exit 0 — a daemon of one workspace ends when its workspace's scheduler does.
#[cfg(target_os = "linux")]
#[test]
fn of_two_daemons_waiting_for_a_writable_workspace_one_claims_it_and_the_other_ends() {
    if !crate::util::can_run_as_root(
        &[
            "unshare",
            "-m",
            "sh",
            "-c",
            "mount --bind / /mnt && mount -o remount,bind,ro /mnt",
        ],
        "this test needs `unshare -m` and `mount` as root (util-linux)",
    ) {
        return;
    }
    let ws = Ws::new(r#"{"schedule": "* * * * * *", "jobs": [{"name": "a", "command": "true"}]}"#);
    let data = ws.path("data");
    let ready = ws.path("ro-ready");
    // A mount namespace where data/ is read-only, held by a process of its own.
    let mut holder = std::process::Command::new("unshare")
        .args([
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && touch "$2" && exec sleep 600"#,
            "sh",
        ])
        .arg(&data)
        .arg(&ready)
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(Duration::from_secs(10), || ready.exists()));
    let pid = holder.id().to_string();
    let start = |name: &str| {
        let log = ws.path(name);
        let mut command = std::process::Command::new("nsenter");
        command
            .args(["-t", &pid, "-m", crate::util::SYNCTRAY, "--workspace"])
            .arg(ws.root())
            .arg("--daemon")
            .env("SYNCTRAY_LOG", "debug")
            .env_remove("SYNCTRAY_WORKSPACE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        crate::util::Daemon {
            child: command.spawn().unwrap(),
            log,
        }
    };
    let mut daemons = [start("first.log"), start("second.log")];
    for daemon in &daemons {
        daemon.wait_log(
            "serving the workspace until it can be claimed",
            Duration::from_secs(10),
        );
    }
    let rw = std::process::Command::new("nsenter")
        .args(["-t", &pid, "-m", "mount", "-o", "remount,bind,rw"])
        .arg(&data)
        .status()
        .unwrap();
    assert!(rw.success());
    let mut ended = None;
    let gone = wait_until(Duration::from_secs(20), || {
        for (i, daemon) in daemons.iter_mut().enumerate() {
            if let Some(status) = daemon.child.try_wait().unwrap() {
                ended = Some((i, status.code()));
                return true;
            }
        }
        false
    });
    let both = format!("{}\n---\n{}", daemons[0].log(), daemons[1].log());
    assert!(gone, "neither daemon ended:\n{both}");
    let (i, code) = ended.unwrap();
    assert_eq!(code, Some(0), "{both}");
    assert!(
        daemons[i]
            .log()
            .contains("another synctray serves the workspace now"),
        "{both}"
    );
    let other = &mut daemons[1 - i];
    assert!(
        other
            .log()
            .contains("the workspace is claimed: runs can start"),
        "{both}"
    );
    other.stop_with(libc::SIGTERM, Duration::from_secs(10));
    let _ = holder.kill();
    let _ = holder.wait();
}
