//! The scheduler loop and the run, driven through the library with an injected clock.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use synctray::config::Config;
use synctray::engine::{self, Clock, Engine, RunOutcome, ServeOptions, Sleep};
use synctray::schedule::Trigger;
use synctray::shutdown::Stop;
use synctray::status::RunRecord;
use synctray::workspace::{Source, Workspace};
use tokio::sync::{mpsc, watch};

use crate::util::{Collect, Ws, processes_with, sleep_marker, wait_until};

/// The wall clock with a hand on it: real time plus an offset the test moves, as a
/// suspend moves the wall clock while the monotonic clock stands still. A jump ends the
/// sleeps on it, as the system's wall-clock timer does on resume.
struct Jumpy {
    offset: Mutex<TimeDelta>,
    jumped: watch::Sender<()>,
}

impl Jumpy {
    fn new() -> Jumpy {
        Jumpy {
            offset: Mutex::new(TimeDelta::zero()),
            jumped: watch::Sender::new(()),
        }
    }

    fn jump(&self, by: TimeDelta) {
        *self.offset.lock().unwrap() += by;
        self.jumped.send_replace(());
    }
}

impl Clock for Jumpy {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        let mut jumped = self.jumped.subscribe();
        let left = (at - self.now()).to_std().unwrap_or_default();
        Box::pin(async move {
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                _ = jumped.changed() => {}
            }
        })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_run_due_during_a_suspend_starts_soon_after_waking_and_only_once() {
    // Every 45 minutes counts from the previous run, so nothing falls due by the wall
    // clock alone during the test, whatever time it runs at.
    let ws = Ws::new(r#"{"intervalMinutes": 45, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    // The last run was a minute ago: nothing is due for 44 minutes.
    let recent = Utc::now() - TimeDelta::minutes(1);
    let stamp = recent.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::fs::write(
        ws.path("data/sync-status.json"),
        format!(r#"{{"lastSync":"{stamp}","status":"success","startedAt":"{stamp}"}}"#),
    )
    .unwrap();

    let clock = Arc::new(Jumpy::new());
    let engine = Engine::new(
        Workspace::at(ws.root(), Source::Flag),
        clock.clone(),
        Box::new(Collect::default()),
    );
    let config = Config::load(&ws.config_path()).unwrap();
    let (stop_tx, stop_rx) = watch::channel(Stop::Run);
    let (_commands, commands_rx) = mpsc::unbounded_channel();
    let served = Workspace::at(ws.root(), Source::Flag);
    let runs = move || synctray::runs::recent(&served, usize::MAX);

    runtime().block_on(async {
        let serve = engine::serve(
            &engine,
            config,
            commands_rx,
            stop_rx,
            ServeOptions::default(),
        );
        let check = async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert!(runs().is_empty(), "ran before anything was due");
            // The machine sleeps for two hours: two slots pass.
            clock.jump(TimeDelta::hours(2));
            let woke = std::time::Instant::now();
            while runs().is_empty() {
                assert!(
                    woke.elapsed() < Duration::from_secs(2),
                    "no run after waking"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            stop_tx.send_replace(Stop::Now);
        };
        tokio::join!(serve, check);
    });
    let runs = runs();
    assert_eq!(
        runs.len(),
        1,
        "one catch-up run, not one per missed slot: {runs:?}"
    );
    assert_eq!(runs[0].trigger, Some(Trigger::CatchUp));
}

#[test]
fn a_job_past_its_timeout_is_stopped_with_its_whole_tree() {
    let tag = sleep_marker(300);
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "tree", "command": "sleep {tag} & sleep {tag}; true"}}, {{"name": "next", "command": ["true"]}}]}}"#
    ));
    let mut config = Config::load(&ws.config_path()).unwrap();
    // Minutes are long for a test: the run's limit (staleLockMinutes) as 1 s.
    config.stale_lock = Duration::from_secs(1);
    config.jobs[0].timeout = Duration::from_secs(60);
    let engine = Engine::system(
        Workspace::at(ws.root(), Source::Flag),
        Box::new(Collect::default()),
    );
    let (_stop_tx, stop_rx) = watch::channel(Stop::Run);
    let started = std::time::Instant::now();
    let outcome = runtime()
        .block_on(engine.run_once(&config, Trigger::Cli, stop_rx))
        .unwrap();
    let RunOutcome::Finished(status) = outcome else {
        panic!("skipped")
    };
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        status.error.as_deref().unwrap().contains("tree: timed out"),
        "{status:?}"
    );
    assert_eq!(status.jobs[1].status, synctray::status::Outcome::NotRun);
    assert!(
        wait_until(Duration::from_secs(2), || processes_with(&tag).is_empty()),
        "the job's children survived"
    );
    assert!(!ws.lock_exists());
}

#[test]
fn the_same_failure_notifies_once_and_its_recovery_once() {
    let ws = Ws::new(
        r#"{"jobs": [{"name": "flaky", "command": "test ! -e broken || { echo 'Error: it broke' >&2; exit 1; }"}]}"#,
    );
    let notes = Arc::new(Mutex::new(Vec::new()));
    let engine = Engine::system(
        Workspace::at(ws.root(), Source::Flag),
        Box::new(Collect(notes.clone())),
    );
    let config = Config::load(&ws.config_path()).unwrap();
    let run = |engine: &Engine| {
        let (_tx, rx) = watch::channel(Stop::Run);
        runtime()
            .block_on(engine.run_once(&config, Trigger::Manual, rx))
            .unwrap()
    };
    std::fs::write(ws.path("broken"), "").unwrap();
    // The same failure three times: one incident, one notification.
    run(&engine);
    run(&engine);
    run(&engine);
    std::fs::remove_file(ws.path("broken")).unwrap();
    run(&engine);
    run(&engine);
    let notes = notes.lock().unwrap();
    let titles: Vec<String> = notes.iter().map(|n| n.text().0).collect();
    assert_eq!(titles, ["Sync failed: flaky", "Sync recovered"]);
    assert_eq!(notes[0].text().1, "exited with code 1\nError: it broke");
    let status = RunRecord::read(&ws.path("data/sync-status.json")).unwrap();
    assert!(status.is_success());
}
