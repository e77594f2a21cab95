//! `network`: scheduled runs wait, offline for real, until the machine is online.
//!
//! The daemon runs in a network namespace of its own (`unshare -n`) holding only a
//! loopback device: no default route, offline. The test then adds a default route in that
//! namespace (`nsenter … ip route add default dev lo`), and starts the probe's listener at
//! 127.0.0.1 inside it (a thread that joins the namespace with `setns`). Nothing is sent
//! anywhere but loopback. Needs root (or CAP_SYS_ADMIN) and util-linux and iproute2: a
//! test that cannot have them fails under `CI=true` and is skipped, saying so, elsewhere.

use std::io::Read;
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Daemon, Ws};

/// Whether this machine can run a daemon offline, in a namespace of its own.
fn can_unshare() -> bool {
    crate::util::can_run_as_root(
        &["unshare", "-n", "sh", "-c", "ip link set lo up"],
        "network tests need `unshare -n` and `ip` as root (apt-get install util-linux iproute2; run as root)",
    )
}

/// `synctray --daemon` in a new network namespace with only loopback (up).
fn offline_daemon(ws: &Ws) -> Daemon {
    let mut command = Command::new("unshare");
    command
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_synctray"))
        .arg("--workspace")
        .arg(ws.root())
        .arg("--daemon")
        .env("SYNCTRAY_LOG", "debug")
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null());
    ws.start_daemon(command)
}

/// Runs `args` inside the daemon's network namespace.
fn in_namespace(daemon: &Daemon, args: &[&str]) {
    let status = Command::new("nsenter")
        .arg("-t")
        .arg(daemon.pid().to_string())
        .arg("-n")
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "nsenter {args:?} failed");
}

/// A TCP listener at 127.0.0.1:`port` inside the daemon's namespace, on a thread that
/// accepts until the test process ends; the receiver hears once it listens.
fn listen_in_namespace(daemon: &Daemon, port: u16) -> std::sync::mpsc::Receiver<()> {
    let ns = std::fs::File::open(format!("/proc/{}/ns/net", daemon.pid())).unwrap();
    let (ready_tx, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // setns moves this thread only; sockets it opens live in that namespace.
        let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        ready_tx.send(()).unwrap();
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 16];
            let _ = stream.read(&mut buf);
        }
    });
    ready
}

/// Voluntary plus involuntary context switches of all of a process's threads.
pub fn wakeups(pid: i32) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let text = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        for line in text.lines() {
            if line.starts_with("voluntary_ctxt_switches")
                || line.starts_with("nonvoluntary_ctxt_switches")
            {
                total += line
                    .split_whitespace()
                    .last()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap();
            }
        }
    }
    total
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_run_due_offline_waits_without_failing_then_runs_once_when_online() {
    if !can_unshare() {
        return;
    }
    let port = free_port();
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "network": {{"require": true, "probe": "127.0.0.1:{port}"}},
            "jobs": [{{"name": "fetch", "command": ["true"]}}]}}"#
    ));
    // Never synced: a catch-up run falls due at once, offline.
    let mut daemon = offline_daemon(&ws);
    daemon.wait(
        "the run to wait for the network",
        Duration::from_secs(10),
        || ws.status_json()["waitingForNetwork"] == true,
    );
    let status = ws.status_json();
    assert_eq!(status["running"], false, "{status}");
    assert!(!ws.lock_exists(), "no lock is held while waiting");
    assert!(ws.status().is_none(), "offline is not recorded");
    assert!(ws.history().is_empty(), "offline is not recorded");
    assert!(daemon.log().contains("no route out"), "{}", daemon.log());

    // A route out, but the probe does not answer yet: still offline, still waiting.
    in_namespace(&daemon, &["ip", "route", "add", "default", "dev", "lo"]);
    daemon.wait_log("did not answer", Duration::from_secs(10));
    assert_eq!(ws.status_json()["waitingForNetwork"], true);
    assert!(ws.status().is_none());

    // The probe comes up: the run starts within a check (5 s), once.
    let up = Instant::now();
    listen_in_namespace(&daemon, port)
        .recv_timeout(Duration::from_secs(5))
        .unwrap();
    daemon.wait("a recorded run", Duration::from_secs(10), || {
        ws.status().is_some()
    });
    assert!(
        up.elapsed() < Duration::from_secs(7),
        "took {:?}",
        up.elapsed()
    );
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}");
    assert_eq!(status["trigger"], "catch-up");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(ws.history().len(), 1, "one run, not one per check");
    let report = ws.status_json();
    assert_eq!(report["waitingForNetwork"], false, "{report}");
    assert!(!ws.path("data/.sync-wait").exists());

    daemon.signal(libc::SIGTERM);
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(!ws.lock_exists());
}

#[test]
fn waiting_offline_checks_every_five_seconds_and_a_shutdown_ends_it_at_once() {
    if !can_unshare() {
        return;
    }
    // Due every second: the slots that pass while one run waits must not spin the loop.
    let ws = Ws::new(
        r#"{"schedule": "* * * * * *", "network": {"require": true},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let mut daemon = offline_daemon(&ws);
    daemon.wait(
        "the run to wait for the network",
        Duration::from_secs(10),
        || ws.status_json()["waitingForNetwork"] == true,
    );
    let before = wakeups(daemon.pid());
    std::thread::sleep(Duration::from_secs(6));
    let woke = wakeups(daemon.pid()) - before;
    // One check at most every 5 s, plus the watcher's view of `status` runs: a handful.
    assert!(
        woke <= 15,
        "{woke} wake-ups in 6 s while waiting for the network"
    );
    assert!(ws.history().is_empty());

    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(took < Duration::from_secs(2), "took {:?}", took);
    assert!(
        ws.status().is_none(),
        "a wait cut by shutdown records nothing"
    );
    assert!(!ws.lock_exists());
    assert!(!ws.path("data/.sync-wait").exists());
}

#[test]
fn sync_never_waits_for_the_network() {
    if !can_unshare() {
        return;
    }
    let ws = Ws::new(
        r#"{"network": {"require": true, "probe": "127.0.0.1:9"}, "jobs": [{"name": "a", "command": ["true"]}]}"#,
    );
    let out = Command::new("unshare")
        .args(["-n"])
        .arg(env!("CARGO_BIN_EXE_synctray"))
        .arg("--workspace")
        .arg(ws.root())
        .arg("sync")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ws.status().unwrap()["trigger"], "cli");
}

#[test]
fn sync_now_while_a_scheduled_run_waits_for_the_network_runs_it_at_once() {
    use std::sync::Arc;
    use synctray::config::Config;
    use synctray::engine::{self, Command, Engine, ServeOptions, SystemClock};
    use synctray::notify::Silent;
    use synctray::shutdown::Stop;
    use synctray::snapshot::Running;
    use synctray::workspace::{Source, Workspace};
    use tokio::sync::{mpsc, watch};

    // Offline whatever this machine's routes: the probe's port has no listener.
    let port = free_port();
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "network": {{"require": true, "probe": "127.0.0.1:{port}"}},
            "jobs": [{{"name": "a", "command": ["true"]}}]}}"#
    ));
    let engine = Engine::new(
        Workspace::at(ws.root(), Source::Flag),
        Arc::new(SystemClock),
        Box::new(Silent),
    );
    let config = Config::load(&ws.config_path()).unwrap();
    let (stop_tx, stop_rx) = watch::channel(Stop::Run);
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let mut snapshots = engine.subscribe();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let serve = engine::serve(
            &engine,
            config,
            commands_rx,
            stop_rx,
            ServeOptions::default(),
        );
        let check = async {
            // The catch-up run of a workspace that never ran waits for the network.
            let waiting = tokio::time::timeout(
                Duration::from_secs(10),
                snapshots.wait_for(|s| {
                    s.running.as_ref().and_then(Running::waiting_for)
                        == Some(synctray::wait::Condition::Network)
                }),
            )
            .await
            // Holding the snapshot would block the engine's next one.
            .is_ok_and(|seen| seen.is_ok());
            assert!(waiting, "never waited for the network");
            assert!(ws.status().is_none());
            commands.send(Command::SyncNow).unwrap();
            let sent = Instant::now();
            while ws.status().is_none() {
                assert!(
                    sent.elapsed() < Duration::from_secs(3),
                    "Sync now did not run"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            stop_tx.send_replace(Stop::Now);
        };
        tokio::join!(serve, check);
    });
    let status = ws.status().unwrap();
    assert_eq!(status["trigger"], "manual", "{status}");
    assert_eq!(status["status"], "success");
    assert_eq!(ws.history().len(), 1);
    assert!(!ws.path("data/.sync-wait").exists());
}

#[test]
fn sync_scheduled_waits_offline_as_the_scheduler_does_then_runs_as_scheduled() {
    if !can_unshare() {
        return;
    }
    let port = free_port();
    let ws = Ws::new(&format!(
        r#"{{"network": {{"require": true, "probe": "127.0.0.1:{port}"}},
            "jobs": [{{"name": "fetch", "command": ["true"]}}]}}"#
    ));
    // What an exported timer, task or CronJob runs, offline.
    let mut command = Command::new("unshare");
    command
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_synctray"))
        .arg("--workspace")
        .arg(ws.root())
        .args(["sync", "--scheduled"])
        .env("SYNCTRAY_LOG", "debug")
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null());
    let mut run = ws.start_daemon(command);
    run.wait(
        "the scheduled run to wait for the network",
        Duration::from_secs(10),
        || ws.status_json()["waitingForNetwork"] == true,
    );
    assert!(ws.status().is_none(), "offline is not recorded");
    in_namespace(&run, &["ip", "route", "add", "default", "dev", "lo"]);
    listen_in_namespace(&run, port)
        .recv_timeout(Duration::from_secs(5))
        .unwrap();
    assert_eq!(
        run.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        run.log()
    );
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}");
    assert_eq!(status["trigger"], "schedule", "{status}");
    assert_eq!(status["waited"]["for"], "network", "{status}");
}
