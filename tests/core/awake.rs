//! `keepAwake`: a run holds logind's sleep inhibitor while its jobs run, and only then.
//!
//! A private bus stands for the system bus (`DBUS_SYSTEM_BUS_ADDRESS`), where
//! `logind.py` owns `org.freedesktop.login1` and answers `Inhibit` with the write end of
//! a pipe, as logind does; it sees on the read end the moment synctray closes it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::conditions::SystemBus;
use crate::util::{Ws, processes_with, sleep_marker, stderr, wait_until};

const LOGIND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/logind.py");

/// The logind stand-in, its lines read on a thread so that a test can wait with a timeout.
struct Logind {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<serde_json::Value>,
}

impl Logind {
    fn start(bus: &SystemBus, refuse: bool) -> Logind {
        let mut command = Command::new(LOGIND);
        command.arg(&bus.address);
        if refuse {
            command.arg("refuse");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                    break;
                }
            }
        });
        let logind = Logind {
            child,
            stdin,
            lines,
        };
        assert_eq!(
            logind.next(Duration::from_secs(10)),
            Some(serde_json::json!({"ready": true})),
            "the logind stand-in did not start"
        );
        logind
    }

    /// Its next line, or `None` after `timeout`.
    fn next(&self, timeout: Duration) -> Option<serde_json::Value> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// How many inhibitors it holds now (after every line before it).
    fn held(&mut self) -> u64 {
        writeln!(self.stdin, "ping").unwrap();
        let line = self
            .next(Duration::from_secs(5))
            .expect("the stand-in answers");
        match line.get("pong") {
            Some(n) => n.as_u64().unwrap(),
            None => panic!("unexpected call: {line}"),
        }
    }
}

impl Drop for Logind {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `synctray sync` on `ws` with `bus` as its system bus.
fn sync(ws: &Ws, bus: &SystemBus) -> Command {
    let mut command = ws.cmd(&["sync"]);
    command.env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address);
    command
}

#[test]
fn a_run_holds_loginds_sleep_inhibitor_from_its_start_to_its_end() {
    let Some(bus) = SystemBus::start(None) else {
        return;
    };
    let logind = Logind::start(&bus, false);
    let tag = sleep_marker(2);
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "long", "command": ["sleep", "{tag}"]}}]}}"#
    ));
    let name = ws.root().file_name().unwrap().to_str().unwrap().to_owned();
    let run = sync(&ws, &bus)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let call = logind
        .next(Duration::from_secs(10))
        .expect("Inhibit was called");
    assert_eq!(
        call,
        serde_json::json!({"inhibit": ["sleep:idle", "synctray", format!("Syncing {name}"), "block"]})
    );
    // At the run's start: its job runs, it holds the lock.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(ws.lock_exists(), "Inhibit before the lock");
    assert!(
        wait_until(Duration::from_secs(2), || !processes_with(&tag).is_empty()),
        "the job did not start"
    );
    assert_eq!(
        logind.next(Duration::from_millis(500)),
        None,
        "let go while the job runs"
    );
    // Closed the moment the run ends: the job is over by then, and not seconds before.
    let released = logind
        .next(Duration::from_secs(10))
        .expect("the inhibitor was let go");
    assert_eq!(
        released,
        serde_json::json!({"released": format!("Syncing {name}")})
    );
    assert!(
        processes_with(&tag).is_empty(),
        "let go while the job still ran"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "let go after {:?}, before the 2 s job ended",
        started.elapsed()
    );
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("cannot keep"), "{}", stderr(&out));
}

#[test]
fn keep_awake_false_holds_nothing_and_a_daemon_holds_it_only_while_its_run_runs() {
    let Some(bus) = SystemBus::start(None) else {
        return;
    };
    let mut logind = Logind::start(&bus, false);
    let ws = Ws::new(r#"{"keepAwake": false, "jobs": [{"name": "quick", "command": ["true"]}]}"#);
    let out = sync(&ws, &bus).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(logind.held(), 0, "keepAwake false: Inhibit was called");

    // A daemon of a workspace that never ran: its catch-up runs at once, then it is idle
    // for an hour. The inhibitor goes with the run, while the daemon lives on.
    let ws = Ws::new(
        r#"{"intervalMinutes": 60, "jobs": [{"name": "quick", "command": ["sleep", "1"]}]}"#,
    );
    let mut daemon = bus.daemon(&ws);
    let call = logind
        .next(Duration::from_secs(10))
        .expect("Inhibit was called");
    assert!(call.get("inhibit").is_some(), "{call}");
    let released = logind
        .next(Duration::from_secs(10))
        .expect("the inhibitor was let go");
    assert!(released.get("released").is_some(), "{released}");
    assert!(
        daemon.child.try_wait().unwrap().is_none(),
        "let go only as the daemon exited"
    );
    daemon.wait("the run to be recorded", Duration::from_secs(5), || {
        ws.history().len() == 1
    });
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(logind.held(), 0, "an idle daemon holds an inhibitor");
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
}

#[test]
fn without_logind_or_when_it_refuses_the_run_goes_on_with_one_warning() {
    let Some(bus) = SystemBus::start(None) else {
        return;
    };
    let ws = Ws::new(r#"{"jobs": [{"name": "quick", "command": ["true"]}]}"#);
    // No logind on the bus.
    let out = sync(&ws, &bus).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("cannot keep the machine awake").count(),
        1,
        "{err}"
    );
    // logind refuses.
    let logind = Logind::start(&bus, true);
    let out = sync(&ws, &bus).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        logind
            .next(Duration::from_secs(5))
            .is_some_and(|l| l.get("refused").is_some())
    );
    let err = stderr(&out);
    assert_eq!(
        err.matches("cannot keep the machine awake").count(),
        1,
        "{err}"
    );
    assert_eq!(ws.history().len(), 2);
    assert!(ws.history().iter().all(|r| r["status"] == "success"));
}
