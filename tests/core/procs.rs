//! Job processes never outlive their run: children, grandchildren, `setsid` and daemonised
//! processes, whether the run ends by itself, by a graceful stop, or by synctray being
//! SIGKILLed. Real processes, found by a unique argument in /proc.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Ws, processes_with, sleep_marker, stderr, wait_until};

/// The processes of a job that starts a grandchild, a `setsid` process (out of the job's
/// process group and session) and a double-forked daemon, then waits: each found by a
/// marker of its own.
struct Tree {
    tags: [String; 4],
}

impl Tree {
    fn new() -> Tree {
        Tree {
            tags: std::array::from_fn(|_| sleep_marker(300)),
        }
    }

    /// A workspace whose one job starts this tree.
    fn workspace(&self) -> Ws {
        let [grandchild, setsid, daemon, waits] = &self.tags;
        Ws::new(&format!(
            r#"{{"jobs": [{{"name": "spawner", "command": "sleep {grandchild} & setsid sleep {setsid} & (sh -c 'sleep {daemon} &' &) ; sleep {waits}; wait"}}]}}"#
        ))
    }

    fn alive(&self) -> Vec<Vec<u32>> {
        self.tags.iter().map(|t| processes_with(t)).collect()
    }

    fn all_running(&self) -> bool {
        self.alive().iter().all(|pids| !pids.is_empty())
    }

    fn none_running(&self) -> bool {
        self.alive().iter().all(Vec::is_empty)
    }

    /// A job for the next run that records whether any process of the tree is alive while
    /// it runs. The marker is assembled at run time, so the checking shell's own command
    /// line does not hold it.
    fn overlap_probe(&self) -> String {
        let checks: Vec<String> = self
            .tags
            .iter()
            .map(|t| {
                let (head, tail) = t.split_at(4);
                format!(
                    r#"m={head}; m=\"${{m}}{tail}\"; for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); case \"$c\" in *\"$m\"*) echo \"$m alive\" >> overlap;; esac; done"#
                )
            })
            .collect();
        format!(
            r#"{{"jobs": [{{"name": "probe", "command": "{}; touch probed"}}]}}"#,
            checks.join("; ")
        )
    }
}

/// `synctray sync` on `ws`, SIGKILLed (no chance to clean up) once every process of
/// `tree` runs.
fn sigkill_sync_mid_job(ws: &Ws, tree: &Tree) {
    let mut sync = ws.sync_until(
        "all the job's processes to start",
        Duration::from_secs(10),
        || tree.all_running(),
    );
    sync.kill().unwrap();
    sync.wait().unwrap();
}

#[test]
fn sigkill_of_sync_mid_job_leaves_no_process_and_the_next_sync_never_overlaps() {
    let tree = Tree::new();
    let ws = tree.workspace();
    sigkill_sync_mid_job(&ws, &tree);
    // At once, before anything had time to end: the next run must not overlap.
    ws.write_config(&tree.overlap_probe());
    ws.run_ok(&["sync"]);
    assert!(
        ws.path("probed").exists(),
        "the next run did not run its job"
    );
    assert!(
        !ws.path("overlap").exists(),
        "the next run started while the previous run's processes lived: {}",
        std::fs::read_to_string(ws.path("overlap")).unwrap_or_default()
    );
    assert!(
        tree.none_running(),
        "a process of the killed run survived: {:?}",
        tree.alive()
    );
    assert!(!ws.lock_exists());
}

#[test]
fn sigkill_of_sync_kills_the_whole_tree_without_a_next_run() {
    let tree = Tree::new();
    let ws = tree.workspace();
    sigkill_sync_mid_job(&ws, &tree);
    assert!(
        wait_until(Duration::from_secs(5), || tree.none_running()),
        "processes outlived a SIGKILLed synctray: {:?}",
        tree.alive()
    );
}

#[test]
fn a_graceful_stop_kills_setsid_and_daemonised_children() {
    let tree = Tree::new();
    let ws = tree.workspace();
    let mut daemon = ws.daemon();
    daemon.wait("all the job's processes", Duration::from_secs(10), || {
        tree.all_running()
    });
    // Ctrl-C twice: stop now (the grace period is tested elsewhere).
    daemon.signal(libc::SIGINT);
    std::thread::sleep(Duration::from_millis(200));
    daemon.signal(libc::SIGINT);
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(
        tree.none_running(),
        "a job process survived the shutdown: {:?}",
        tree.alive()
    );
    assert!(!ws.lock_exists());
}

#[test]
fn a_graceful_stop_asks_setsid_children_to_stop_too() {
    // A setsid child that cleans up on SIGTERM: it must get the SIGTERM, not only a SIGKILL.
    let tag = sleep_marker(300);
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "t", "command": "setsid sh -c 'trap \"echo got-term > termed; exit 0\" TERM; sleep {tag} & wait' & wait"}}]}}"#
    ));
    let mut daemon = ws.daemon();
    daemon.wait("the job to start", Duration::from_secs(10), || {
        !processes_with(&tag).is_empty()
    });
    daemon.signal(libc::SIGTERM);
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(
        ws.path("termed").exists(),
        "the setsid child never got SIGTERM"
    );
    assert!(
        wait_until(Duration::from_secs(2), || processes_with(&tag).is_empty()),
        "left behind"
    );
}

#[test]
fn what_a_job_leaves_running_ends_with_the_job() {
    let (background, setsid) = (sleep_marker(300), sleep_marker(300));
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "leaver", "command": "sleep {background} & setsid sleep {setsid} & sleep 0.5; exit 0"}}]}}"#
    ));
    let started = Instant::now();
    ws.run_ok(&["sync"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        processes_with(&background).is_empty() && processes_with(&setsid).is_empty(),
        "a process outlived its run"
    );
}

#[test]
fn the_jobs_own_exit_status_and_signal_come_through() {
    let ws = Ws::new(
        r#"{"continueOnError": true, "jobs": [
            {"name": "seven", "command": "exit 7"},
            {"name": "killed", "command": "kill -KILL $$"},
            {"name": "missing", "command": ["/nonexistent/program"]}
        ]}"#,
    );
    ws.assert_exit(&["sync"], 1);
    let status = ws.status().unwrap();
    let jobs = status["jobs"].as_array().unwrap();
    assert_eq!(jobs[0]["reason"], "exited with code 7", "{status}");
    assert_eq!(jobs[1]["reason"], "killed by signal 9", "{status}");
    assert!(
        jobs[2]["reason"]
            .as_str()
            .unwrap()
            .starts_with("could not start"),
        "{status}"
    );
}

#[test]
fn fifty_jobs_each_leaving_a_setsid_grandchild_none_survives_its_own_job() {
    const JOBS: usize = 50;
    let markers: Vec<String> = (0..JOBS).map(|_| sleep_marker(300)).collect();
    let jobs: Vec<serde_json::Value> = markers
        .iter()
        .enumerate()
        .map(|(i, marker)| {
            // Before anything else, job i looks for the grandchild job i-1 left: the
            // previous job has ended, so its grandchild must be gone already.
            let check = match i {
                0 => String::new(),
                _ => format!(
                    "p=$(cat gc{prev}); [ -e /proc/$p ] && echo \"job {prev}: pid $p alive\" >> survivors; ",
                    prev = i - 1
                ),
            };
            // A subshell starts a `setsid` sleep and exits: the sleep, in a session of its
            // own, is orphaned. The job waits until it runs, then ends.
            let leave = format!(
                "(setsid sleep {marker} & echo $! > gc{i}); p=$(cat gc{i}); n=0; \
                 until grep -q {marker} /proc/$p/cmdline 2>/dev/null; do \
                 n=$((n+1)); [ $n -gt 500 ] && echo \"job {i}: no grandchild\" >> survivors && break; sleep 0.01; done"
            );
            serde_json::json!({"name": format!("leaver{i}"), "command": format!("{check}{leave}")})
        })
        .collect();
    let ws = Ws::new(&serde_json::json!({ "jobs": jobs }).to_string());
    let output = ws.run(&["sync"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !ws.path("survivors").exists(),
        "a grandchild outlived its own job: {}",
        std::fs::read_to_string(ws.path("survivors")).unwrap_or_default()
    );
    // Every job did leave one (so every check above had a pid to look at), and the last
    // job's is gone too, with the run.
    for i in 0..JOBS {
        let pid = std::fs::read_to_string(ws.path(&format!("gc{i}"))).unwrap();
        assert!(!pid.trim().is_empty(), "job {i} recorded no grandchild");
    }
    let last = std::fs::read_to_string(ws.path(&format!("gc{}", JOBS - 1))).unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{}", last.trim())).exists(),
        "the last job's grandchild outlived the run"
    );
    for marker in &markers {
        assert!(processes_with(marker).is_empty(), "{marker} still runs");
    }
}

#[test]
fn one_supervisor_starts_every_job_of_a_run_and_the_holder_file_names_it() {
    // Each job records its parent and the holder file as it sees it; the last one lasts
    // long enough for its name to be written there.
    let record = |n: u32| format!("echo $PPID > ppid{n}; cat data/.sync-lock.json > holder{n}");
    let ws = Ws::new(
        &serde_json::json!({"jobs": [
            {"name": "one", "command": record(1)},
            {"name": "two", "command": record(2)},
            {"name": "slow", "command": format!("sleep 0.6; {}", record(3))},
        ]})
        .to_string(),
    );
    let sync = ws
        .cmd(&["sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let synctray = sync.id();
    let output = sync.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let read = |name: &str| std::fs::read_to_string(ws.path(name)).unwrap();
    let parents: Vec<u32> = (1..=3)
        .map(|n| read(&format!("ppid{n}")).trim().parse().unwrap())
        .collect();
    assert!(
        parents.iter().all(|&p| p == parents[0]),
        "the jobs had different parents: {parents:?}"
    );
    assert_ne!(
        parents[0], synctray,
        "the jobs were not started by a supervisor"
    );
    for n in 1..=3 {
        let holder: serde_json::Value = serde_json::from_str(&read(&format!("holder{n}"))).unwrap();
        assert_eq!(holder["pid"], synctray, "{holder}");
        assert_eq!(
            holder["tree"]["pid"], parents[0],
            "the holder file does not name the run's supervisor: {holder}"
        );
    }
    let last: serde_json::Value = serde_json::from_str(&read("holder3")).unwrap();
    assert_eq!(last["job"], "3/3 slow", "{last}");
    assert!(
        !std::path::Path::new(&format!("/proc/{}", parents[0])).exists(),
        "the supervisor outlived its run"
    );
}
