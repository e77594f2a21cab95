//! `conditions`: scheduled runs wait, for real, for AC power and an unmetered connection.
//!
//! Power: the daemon runs in a mount namespace of its own (`unshare -m --propagation
//! private`) where a tmpfs lies over `/sys/class/power_supply`, holding an `AC` (Mains)
//! and a `BAT0` (Battery) supply as the kernel lists them; the product reads the real
//! path, and the test writes `AC/online` inside that namespace (`nsenter -m`). Fake files
//! send no uevent: the product's 30 s look is what sees the change. Needs root (or
//! CAP_SYS_ADMIN) and util-linux: a test that cannot have them fails under `CI=true` and
//! is skipped, saying so, elsewhere.
//!
//! Cost: a private bus (`dbus-daemon`), handed to the daemon as `DBUS_SYSTEM_BUS_ADDRESS`,
//! where `network_manager.py` owns `org.freedesktop.NetworkManager` with a `Metered`
//! property the test flips, emitting `PropertiesChanged` as NetworkManager does.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Daemon, Ws, wait_until};

const SUPPLIES: &str = "/sys/class/power_supply";

/// Whether this machine can lay a tmpfs over the power supplies in a namespace of its own.
fn can_fake_power() -> bool {
    crate::util::can_run_as_root(
        &[
            "unshare",
            "-m",
            "--propagation",
            "private",
            "mount",
            "-t",
            "tmpfs",
            "none",
            SUPPLIES,
        ],
        "power tests need `unshare -m` and `mount` as root (apt-get install util-linux; run as root)",
    )
}

/// `synctray --daemon` in a new mount namespace whose power supplies are an unplugged
/// laptop's: `AC` (Mains, online 0) and `BAT0` (Battery, discharging).
fn daemon_on_battery(ws: &Ws) -> Daemon {
    let setup = format!(
        "mount -t tmpfs none {SUPPLIES} && cd {SUPPLIES} && mkdir AC BAT0 \
         && echo Mains > AC/type && echo 0 > AC/online \
         && echo Battery > BAT0/type && echo Discharging > BAT0/status && exec \"$@\""
    );
    let mut command = Command::new("unshare");
    command
        .args(["-m", "--propagation", "private", "sh", "-c", &setup, "sh"])
        .arg(env!("CARGO_BIN_EXE_synctray"))
        .arg("--workspace")
        .arg(ws.root())
        .arg("--daemon")
        .env("SYNCTRAY_LOG", "debug")
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null());
    ws.start_daemon(command)
}

/// Writes `online` of the AC supply, in the daemon's mount namespace.
fn plug(daemon: &Daemon, online: bool) {
    let script = format!("echo {} > {SUPPLIES}/AC/online", u8::from(online));
    let status = Command::new("nsenter")
        .arg("-t")
        .arg(daemon.pid().to_string())
        .args(["-m", "sh", "-c", &script])
        .status()
        .unwrap();
    assert!(status.success(), "nsenter: {script} failed");
}

#[test]
fn a_run_due_on_battery_waits_holding_no_lock_then_runs_once_on_ac() {
    if !can_fake_power() {
        return;
    }
    // Due every second: the slots that pass while one run waits make one run, not many.
    let ws = Ws::new(
        r#"{"schedule": "* * * * * *", "conditions": {"power": "ac", "maxDelayMinutes": 60},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let mut daemon = daemon_on_battery(&ws);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "power"),
        "{}",
        daemon.log()
    );
    let report = ws.status_json();
    assert_eq!(report["running"], false, "{report}");
    assert_eq!(report["waitingForNetwork"], false, "{report}");
    assert!(!ws.lock_exists(), "no lock is held while waiting");
    let text = String::from_utf8(ws.run(&["status"]).stdout).unwrap();
    assert!(
        text.contains("a scheduled run waits for AC power (it runs anyway at "),
        "{text}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(ws.status().is_none(), "a wait is not recorded");
    assert!(ws.history().is_empty(), "a wait is not recorded");
    assert!(
        daemon.log().contains("waits for AC power"),
        "{}",
        daemon.log()
    );

    // Plugged in: the next look (at most 30 s away) starts the run.
    plug(&daemon, true);
    let plugged = Instant::now();
    assert!(
        wait_until(Duration::from_secs(35), || !ws.history().is_empty()),
        "{}",
        daemon.log()
    );
    assert!(
        plugged.elapsed() <= Duration::from_secs(32),
        "took {:?}",
        plugged.elapsed()
    );
    // The run that waited is the history's first; the status file may already hold the
    // next second's run on a busy machine (the status file's `waited` is checked by the
    // tests whose runs are further apart).
    let first = ws.history()[0].clone();
    assert_eq!(first["status"], "success", "{first}");
    assert_eq!(first["waited"]["for"], "power", "{first}");
    let ms = first["waited"]["ms"].as_u64().unwrap();
    assert!((2_000..=40_000).contains(&ms), "waited {ms} ms");
    assert!(!ws.path("data/.sync-wait").exists());

    // On AC every second's run starts at once; unplugged, the next one waits again.
    assert!(wait_until(Duration::from_secs(10), || ws.history().len() >= 3));
    assert!(
        ws.history()[1..].iter().all(|r| r.get("waited").is_none()),
        "runs on AC do not wait"
    );
    plug(&daemon, false);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "power"),
        "{}",
        daemon.log()
    );
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(2),
        "a wait ends at once on shutdown: {took:?}"
    );
    assert!(!ws.lock_exists());
    assert!(!ws.path("data/.sync-wait").exists());
    assert!(!daemon.log().contains("failed"), "{}", daemon.log());
}

#[test]
fn sync_never_waits_for_a_condition() {
    if !can_fake_power() {
        return;
    }
    let ws = Ws::new(
        r#"{"intervalMinutes": 60, "conditions": {"power": "ac"},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let setup = format!(
        "mount -t tmpfs none {SUPPLIES} && mkdir {SUPPLIES}/BAT0 \
         && echo Battery > {SUPPLIES}/BAT0/type && exec \"$@\""
    );
    let started = Instant::now();
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &setup, "sh"])
        .arg(env!("CARGO_BIN_EXE_synctray"))
        .arg("--workspace")
        .arg(ws.root())
        .arg("sync")
        .env_remove("SYNCTRAY_WORKSPACE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    let status = ws.status().unwrap();
    assert_eq!(status["trigger"], "cli");
    assert!(status.get("waited").is_none(), "{status}");
}

/// The NetworkManager stand-in.
const NETWORK_MANAGER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/network_manager.py"
);

/// A private bus standing for the system bus, and (when asked) NetworkManager on it;
/// both stopped when dropped.
pub(crate) struct SystemBus {
    pub(crate) address: String,
    _dir: tempfile::TempDir,
    bus: Child,
    manager: Option<(Child, ChildStdin, BufReader<ChildStdout>)>,
}

impl SystemBus {
    /// `None` (failing under CI) when dbus-daemon or python3-dbus is missing.
    pub(crate) fn start(metered: Option<u32>) -> Option<SystemBus> {
        let why = "cost tests need dbus-daemon, python3-dbus and python3-gi (apt-get install dbus python3-dbus python3-gi)";
        if !crate::util::can_run_as_root(&["/usr/bin/python3", "-c", "import dbus, gi"], why)
            || !crate::util::can_run_as_root(&["dbus-daemon", "--version"], why)
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("system-bus");
        let address = format!("unix:path={}", socket.display());
        let bus = Command::new("dbus-daemon")
            .args([
                "--config-file=/usr/share/dbus-1/session.conf",
                "--nofork",
                "--nopidfile",
            ])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut system = SystemBus {
            address,
            _dir: dir,
            bus,
            manager: None,
        };
        assert!(
            wait_until(Duration::from_secs(10), || socket.exists()),
            "the private bus did not start"
        );
        if let Some(metered) = metered {
            let mut child = Command::new(NETWORK_MANAGER)
                .arg(&system.address)
                .arg(metered.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let stdin = child.stdin.take().unwrap();
            let mut stdout = BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            assert_eq!(
                line.trim(),
                r#"{"ready": true}"#,
                "the stand-in did not start"
            );
            system.manager = Some((child, stdin, stdout));
        }
        Some(system)
    }

    /// Sets NetworkManager's `Metered` (it emits PropertiesChanged).
    fn set_metered(&mut self, value: u32) {
        let (_, stdin, stdout) = self.manager.as_mut().expect("NetworkManager runs");
        writeln!(stdin, r#"{{"metered": {value}}}"#).unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), format!(r#"{{"metered": {value}}}"#));
    }

    /// `synctray --daemon` with this bus as its system bus.
    pub(crate) fn daemon(&self, ws: &Ws) -> Daemon {
        let mut command = ws.cmd(&["--daemon"]);
        command.env("DBUS_SYSTEM_BUS_ADDRESS", &self.address);
        ws.start_daemon(command)
    }
}

impl Drop for SystemBus {
    fn drop(&mut self) {
        if let Some((mut child, ..)) = self.manager.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[test]
fn a_run_due_on_a_metered_connection_waits_until_networkmanager_says_unmetered() {
    let Some(mut system) = SystemBus::start(Some(1)) else {
        return;
    };
    let ws = Ws::new(
        r#"{"schedule": "* * * * * *", "conditions": {"network": "unmetered"},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let mut daemon = system.daemon(&ws);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "unmetered"),
        "{}",
        daemon.log()
    );
    assert!(!ws.lock_exists(), "no lock is held while waiting");
    // Guess-yes is metered too.
    system.set_metered(3);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(ws.status_json()["waitingFor"], "unmetered");
    assert!(ws.history().is_empty(), "a wait is not recorded");

    // Guess-no: the signal starts the run, well before the 30 s look.
    system.set_metered(4);
    let told = Instant::now();
    assert!(
        wait_until(Duration::from_secs(10), || ws.status().is_some()),
        "{}",
        daemon.log()
    );
    assert!(
        told.elapsed() < Duration::from_secs(5),
        "took {:?}: the PropertiesChanged signal was not followed",
        told.elapsed()
    );
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}");
    assert_eq!(status["waited"]["for"], "unmetered", "{status}");
    assert!(
        status["waited"]["ms"].as_u64().unwrap() >= 2_000,
        "{status}"
    );
    assert_eq!(ws.history()[0]["waited"], status["waited"]);

    // Metered again: the next run waits again.
    system.set_metered(1);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "unmetered"),
        "{}",
        daemon.log()
    );
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(!ws.lock_exists());
}

#[test]
fn without_networkmanager_the_connection_counts_as_unmetered_with_one_warning() {
    let Some(system) = SystemBus::start(None) else {
        return;
    };
    let ws = Ws::new(
        r#"{"schedule": "* * * * * *", "conditions": {"network": "unmetered"},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let mut daemon = system.daemon(&ws);
    assert!(
        wait_until(Duration::from_secs(15), || ws.history().len() >= 3),
        "{}",
        daemon.log()
    );
    assert!(ws.history().iter().all(|r| r.get("waited").is_none()));
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    let log = daemon.log();
    assert_eq!(
        log.matches("cannot tell whether the connection is metered")
            .count(),
        1,
        "{log}"
    );
}

#[test]
fn after_a_wait_the_daemon_is_idle_again_with_no_wake_ups() {
    let Some(mut system) = SystemBus::start(Some(1)) else {
        return;
    };
    let ws = Ws::new(
        r#"{"intervalMinutes": 60, "conditions": {"power": "ac", "network": "unmetered"},
            "metrics": {"textfile": "synctray.prom"},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let mut daemon = system.daemon(&ws);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "unmetered"),
        "{}",
        daemon.log()
    );
    system.set_metered(2);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status().is_some()),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_secs(1));
    // The bus connection went with the wait; no timer runs while idle.
    let before = crate::network::wakeups(daemon.pid());
    std::thread::sleep(Duration::from_secs(5));
    let woke = crate::network::wakeups(daemon.pid()) - before;
    assert!(woke <= 2, "{woke} wake-ups in 5 s of idle after a wait");
    // Changes of cost while idle wake nothing either: nobody listens.
    let before = crate::network::wakeups(daemon.pid());
    system.set_metered(1);
    system.set_metered(2);
    std::thread::sleep(Duration::from_secs(1));
    let signalled = crate::network::wakeups(daemon.pid()) - before;
    eprintln!("idle: {woke} wake-ups in 5 s; {signalled} in 1 s of NetworkManager signals");
    assert!(
        signalled <= 1,
        "{signalled} wake-ups from signals while idle"
    );
    assert_eq!(ws.history().len(), 1);
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
}

#[test]
fn a_run_that_waited_max_delay_minutes_on_battery_runs_anyway_once() {
    if !can_fake_power() {
        return;
    }
    let ws = Ws::new(
        r#"{"intervalMinutes": 60, "conditions": {"power": "ac", "maxDelayMinutes": 1},
            "jobs": [{"name": "fetch", "command": ["true"]}]}"#,
    );
    let began = Instant::now();
    let mut daemon = daemon_on_battery(&ws);
    assert!(
        wait_until(Duration::from_secs(10), || ws.status_json()["waitingFor"]
            == "power"),
        "{}",
        daemon.log()
    );
    assert!(
        wait_until(Duration::from_secs(70), || ws.status().is_some()),
        "{}",
        daemon.log()
    );
    let took = began.elapsed();
    assert!(
        took >= Duration::from_secs(59) && took < Duration::from_secs(66),
        "ran after {took:?}"
    );
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}");
    assert_eq!(status["waited"]["for"], "power", "{status}");
    let ms = status["waited"]["ms"].as_u64().unwrap();
    assert!((59_500..=61_500).contains(&ms), "waited {ms} ms");
    assert!(
        daemon.log().contains("the run starts anyway"),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(ws.history().len(), 1, "once");
    assert_eq!(ws.status_json()["waitingFor"], serde_json::Value::Null);
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
}
