//! The tray as a person uses it: a real X server (Xvfb), session bus (dbus-launch), system
//! tray (trayer) and notification server (dunst), and the real `synctray` binary driven
//! with the mouse and keyboard through xdotool. dbus-monitor records every notification
//! sent; the tray's debug log (`SYNCTRAY_LOG=debug`) has one `menu: …` line per change of
//! what its menu says, which is how these tests read the menu.
//!
//! Without those tools the desktop test prints `skipped: install …` and passes, unless the
//! `CI` variable is set: then it fails and names the Debian package to install.

#![cfg(all(feature = "tray", target_os = "linux"))]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const SYNCTRAY: &str = env!("CARGO_BIN_EXE_synctray");
/// The tray's own executable, which `synctray` with no command becomes (same process).
const SYNCTRAY_TRAY: &str = env!("CARGO_BIN_EXE_synctray-tray");

/// The programs a desktop test needs, and the Debian package of each.
const TOOLS: [(&str, &str); 7] = [
    ("Xvfb", "xvfb"),
    ("dbus-launch", "dbus-x11"),
    ("dbus-monitor", "dbus-bin"),
    ("trayer", "trayer"),
    ("dunst", "dunst"),
    ("xdotool", "xdotool"),
    ("import", "imagemagick"),
];

/// `true` when everything is there. Otherwise fails under CI, or says what to install.
fn desktop_tools_present() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = |tool: &str| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file());
    let mut missing: Vec<(&str, &str)> = TOOLS
        .iter()
        .filter(|(tool, _)| !found(tool))
        .map(|&(tool, package)| (package, tool))
        .collect();
    let lib_dirs = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
    ];
    if !lib_dirs.iter().any(|dir| {
        Path::new(dir)
            .join("libayatana-appindicator3.so.1")
            .exists()
    }) {
        missing.push((
            "libayatana-appindicator3-1",
            "libayatana-appindicator3.so.1",
        ));
    }
    if missing.is_empty() {
        return true;
    }
    let packages: Vec<_> = missing.iter().map(|(package, _)| *package).collect();
    let what: Vec<_> = missing
        .iter()
        .map(|(package, tool)| format!("{tool} from {package}"))
        .collect();
    let message = format!(
        "missing {}; run `apt-get install -y {}`",
        what.join(", "),
        packages.join(" ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("the tray test needs a desktop to run in: {message}");
    }
    eprintln!(
        "skipped: install {} to run the tray test ({message})",
        packages.join(" ")
    );
    false
}

/// Polls `check` until it holds, or fails with `what` and `context()` after `timeout`.
fn wait_for(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> bool,
    context: impl Fn() -> String,
) {
    let deadline = Instant::now() + timeout;
    while !check() {
        if Instant::now() > deadline {
            panic!(
                "timed out after {timeout:?} waiting for {what}\n{}",
                context()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn terminate(child: &mut Child) {
    if child.try_wait().ok().flatten().is_none() {
        // SAFETY: kill(2) on a child's pid; no memory is touched.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        if wait_exit(child, Duration::from_secs(5)).is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Processes whose command line contains `marker` (`/proc/*/cmdline`).
fn processes_with(marker: &str) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                String::from_utf8_lossy(&c)
                    .replace('\0', " ")
                    .contains(marker)
            })
        })
        .collect()
}

/// A private desktop: X server, session bus, system tray, notification server and a bus
/// monitor, with a home folder of its own. Everything is stopped on drop.
struct Desktop {
    dir: tempfile::TempDir,
    display: String,
    bus: String,
    children: Vec<Child>,
    bus_pid: Option<libc::pid_t>,
}

impl Desktop {
    fn start() -> Desktop {
        let dir = tempfile::tempdir().expect("a temp dir");
        for sub in ["home/.config/dunst", "run"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.path().join("run"), fs::Permissions::from_mode(0o700)).unwrap();
        }
        // Notifications at the bottom left, away from the tray and its menu.
        fs::write(
            dir.path().join("home/.config/dunst/dunstrc"),
            "[global]\n    origin = bottom-left\n    offset = 10x10\n",
        )
        .unwrap();
        let mut desktop = Desktop {
            dir,
            display: String::new(),
            bus: String::new(),
            children: Vec::new(),
            bus_pid: None,
        };

        // Xvfb picks a free display and writes its number to fd 1.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "800x600x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("Xvfb names its display");
        desktop.children.push(xvfb);
        desktop.display = format!(":{}", line.trim());
        assert!(
            line.trim().parse::<u32>().is_ok(),
            "Xvfb did not name a display: {line:?}"
        );

        let launch = desktop
            .command("dbus-launch")
            .arg("--sh-syntax")
            .stdout(Stdio::piped())
            .output()
            .expect("dbus-launch runs");
        let vars = String::from_utf8_lossy(&launch.stdout);
        let var = |name: &str| {
            vars.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .map(|v| v.trim_end_matches(';').trim_matches('\'').to_owned())
        };
        desktop.bus =
            var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_else(|| panic!("dbus-launch said: {vars}"));
        desktop.bus_pid = var("DBUS_SESSION_BUS_PID").and_then(|p| p.parse().ok());

        let monitor_log = fs::File::create(desktop.path("notifications.log")).unwrap();
        let monitor = desktop
            .command("dbus-monitor")
            .arg("interface='org.freedesktop.Notifications'")
            .stdout(monitor_log)
            .spawn()
            .expect("dbus-monitor starts");
        desktop.children.push(monitor);
        let trayer = desktop
            .command("trayer")
            .args([
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
                "--height",
                "32",
            ])
            .spawn()
            .expect("trayer starts");
        desktop.children.push(trayer);
        let dunst = desktop.command("dunst").spawn().expect("dunst starts");
        desktop.children.push(dunst);
        wait_for(
            "dbus-monitor to listen",
            Duration::from_secs(10),
            || desktop.notifications().contains("member=NameLost"),
            || desktop.notifications(),
        );
        wait_for(
            "the system tray",
            Duration::from_secs(10),
            || {
                desktop
                    .xdotool(&["search", "--classname", "^panel$"])
                    .status
                    .success()
            },
            String::new,
        );
        desktop
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// A command in this desktop's session, quiet, with its own home.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self.home())
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("XDG_CONFIG_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    fn xdotool(&self, args: &[&str]) -> Output {
        self.command("xdotool")
            .args(args)
            .stdout(Stdio::piped())
            .output()
            .expect("xdotool runs")
    }

    fn notifications(&self) -> String {
        fs::read_to_string(self.path("notifications.log")).unwrap_or_default()
    }

    fn screenshot(&self, to: &Path) {
        // The top right corner, where the tray and its menu are.
        let status = self
            .command("import")
            .args(["-window", "root", "-crop", "500x380+300+0", "+repage"])
            .arg(to)
            .status()
            .expect("import runs");
        assert!(status.success(), "import failed");
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            terminate(child);
        }
        if let Some(pid) = self.bus_pid {
            // SAFETY: kill(2) on the bus daemon dbus-launch started for this desktop.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
}

/// A workspace with two jobs: "first" always succeeds; "second" fails while the file
/// `broken` exists (with an error line on stderr), and sleeps for the number of seconds in
/// the file `slow` if there is one.
fn workspace(dir: &Path) -> PathBuf {
    let ws = dir.join("ws");
    fs::create_dir_all(ws.join("data/config")).unwrap();
    let config = serde_json::json!({
        "intervalMinutes": 1440,
        "catchUp": false,
        "dashboard": { "title": "kept as written" },
        "jobs": [
            { "name": "first", "command": "true" },
            { "name": "second", "command": "if [ -e broken ]; then echo 'Error: the data source is broken' >&2; exit 1; fi; \
                                            if [ -e slow ]; then sleep \"$(cat slow)\"; fi; echo second done" }
        ]
    });
    fs::write(
        ws.join("data/config/sync.json"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    ws
}

/// The tray under test, with its log in a file.
struct Tray<'d> {
    desktop: &'d Desktop,
    child: Child,
    log: PathBuf,
    ws: PathBuf,
}

impl<'d> Tray<'d> {
    fn start(desktop: &'d Desktop, ws: &Path, log_name: &str) -> Tray<'d> {
        let log = desktop.path(log_name);
        let child = desktop
            .command(SYNCTRAY)
            .arg("--workspace")
            .arg(ws)
            .env("SYNCTRAY_LOG", "debug")
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("synctray starts");
        Tray {
            desktop,
            child,
            log,
            ws: ws.to_owned(),
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn context(&self) -> String {
        let log = self.log();
        let tail: Vec<_> = log.lines().rev().take(25).collect();
        format!(
            "--- tray log (last lines) ---\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    /// What the menu says now: its latest `menu:` log line.
    fn menu(&self) -> String {
        self.log()
            .lines()
            .rev()
            .find_map(|l| l.split_once("menu: ").map(|(_, m)| m.to_owned()))
            .unwrap_or_default()
    }

    fn wait_menu(&self, what: &str, timeout: Duration, check: impl Fn(&str) -> bool) {
        wait_for(
            &format!("the menu to say {what}"),
            timeout,
            || check(&self.menu()),
            || self.context(),
        );
    }

    /// Waits until the menu shows no run in progress and "Sync now" is enabled.
    fn wait_idle(&self) {
        self.wait_menu("that nothing runs", Duration::from_secs(20), |m| {
            m.contains(" | sync now on | ") && !m.contains("Syncing") && !m.contains("Starting")
        });
    }

    /// The X window of the tray icon (its class names this process).
    fn icon_window(&self) -> Option<String> {
        let out = self.desktop.xdotool(&[
            "search",
            "--class",
            &format!("synctray-{}$", self.child.id()),
        ]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_owned)
    }

    fn icon_geometry(&self) -> Option<(i32, i32, i32, i32)> {
        let window = self.icon_window()?;
        let out = self
            .desktop
            .xdotool(&["getwindowgeometry", "--shell", &window]);
        let text = String::from_utf8_lossy(&out.stdout);
        let get = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}="))?.parse().ok())
        };
        Some((get("X")?, get("Y")?, get("WIDTH")?, get("HEIGHT")?))
    }

    fn menu_open(&self) -> bool {
        // GTK names the menu's window after the program.
        let program = Path::new(SYNCTRAY_TRAY)
            .file_name()
            .unwrap()
            .to_string_lossy();
        !self
            .desktop
            .xdotool(&[
                "search",
                "--onlyvisible",
                "--classname",
                &format!("^{program}$"),
            ])
            .stdout
            .is_empty()
    }

    /// Clicks the icon until the menu is up.
    fn open_menu(&self) {
        let window = self.icon_window().expect("the tray icon");
        for _ in 0..3 {
            self.desktop
                .xdotool(&["mousemove", "--window", &window, "16", "15", "click", "1"]);
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if self.menu_open() {
                    // Let it draw before keys or a screenshot.
                    std::thread::sleep(Duration::from_millis(300));
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!(
            "clicking the tray icon did not open its menu\n{}",
            self.context()
        );
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["key", "--delay", "80"];
        args.extend_from_slice(keys);
        assert!(self.desktop.xdotool(&args).status.success());
    }

    /// Opens the menu and picks an item with the keyboard (disabled items are skipped).
    fn choose(&self, keys: &[&str]) {
        self.open_menu();
        self.keys(keys);
        wait_for(
            "the menu to close",
            Duration::from_secs(5),
            || !self.menu_open(),
            || self.context(),
        );
    }

    fn status(&self) -> serde_json::Value {
        fs::read_to_string(self.ws.join("data/sync-status.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    fn config(&self) -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(self.ws.join("data/config/sync.json")).unwrap())
            .unwrap()
    }
}

impl Drop for Tray<'_> {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

#[test]
fn the_tray_shows_runs_drives_the_engine_and_quits_cleanly() {
    if !desktop_tools_present() {
        return;
    }
    let desktop = Desktop::start();
    let ws = workspace(desktop.dir.path());
    fs::write(ws.join("broken"), "").unwrap();
    let mut tray = Tray::start(&desktop, &ws, "tray.log");

    // The icon appears in the tray, at the top right of the screen.
    wait_for(
        "the tray icon",
        Duration::from_secs(20),
        || tray.icon_geometry().is_some(),
        || tray.context(),
    );
    let (x, y, w, h) = tray.icon_geometry().unwrap();
    assert!(
        y < 32 && x + w > 700 && w >= 16 && h >= 16,
        "the icon is in the tray at the top right: {x},{y} {w}x{h}"
    );
    tray.wait_menu("Never synced", Duration::from_secs(10), |m| {
        m.starts_with("Never synced | Next run tomorrow 00:00 (in ") && m.contains("| Every 24 h |")
    });
    tray.wait_idle();
    assert!(tray.log().contains("icon: ok"), "{}", tray.context());

    // Sync now on the broken workspace: an error, said on the desktop.
    tray.choose(&["Down", "Return"]);
    wait_for(
        "the run to fail",
        Duration::from_secs(20),
        || tray.status()["status"] == "error",
        || tray.context(),
    );
    assert_eq!(tray.status()["trigger"], "manual");
    assert!(
        tray.status()["error"]
            .as_str()
            .unwrap()
            .contains("Error: the data source is broken")
    );
    wait_for(
        "a \"Sync failed\" notification",
        Duration::from_secs(10),
        || {
            desktop
                .notifications()
                .contains("string \"Sync failed: second\"")
        },
        || desktop.notifications(),
    );
    assert!(
        desktop
            .notifications()
            .contains("Error: the data source is broken"),
        "{}",
        desktop.notifications()
    );
    tray.wait_menu("the failure", Duration::from_secs(10), |m| {
        m.starts_with("✗ Last sync ") && m.contains(" · failed: second |")
    });
    tray.wait_idle();
    assert!(tray.log().contains("icon: error"), "{}", tray.context());

    // Fixed, Sync now again: recovered.
    fs::remove_file(ws.join("broken")).unwrap();
    tray.choose(&["Down", "Return"]);
    wait_for(
        "the run to succeed",
        Duration::from_secs(20),
        || tray.status()["status"] == "success",
        || tray.context(),
    );
    wait_for(
        "a \"Sync recovered\" notification",
        Duration::from_secs(10),
        || {
            desktop
                .notifications()
                .contains("string \"Sync recovered\"")
        },
        || desktop.notifications(),
    );
    tray.wait_menu("the success", Duration::from_secs(10), |m| {
        m.starts_with("✓ Last sync ") && m.contains(" s | Next run ")
    });
    tray.wait_idle();

    // Change interval → Every 30 min: only intervalMinutes changes in the file.
    tray.open_menu();
    tray.keys(&["Down", "Down", "Right"]);
    std::thread::sleep(Duration::from_millis(400));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("tray-menu.png");
    desktop.screenshot(&shot);
    tray.keys(&["Down", "Down", "Down", "Return"]);
    wait_for(
        "intervalMinutes 30 in the file",
        Duration::from_secs(10),
        || tray.config()["intervalMinutes"] == 30,
        || tray.context(),
    );
    let config = tray.config();
    assert_eq!(config["catchUp"], false);
    assert_eq!(config["dashboard"]["title"], "kept as written");
    assert_eq!(config["jobs"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        config.as_object().unwrap().len(),
        4,
        "no key added or lost: {config}"
    );
    tray.wait_menu("Every 30 min", Duration::from_secs(10), |m| {
        m.contains("| Every 30 min |")
    });
    let out = desktop
        .command(SYNCTRAY)
        .args(["status", "--json", "--workspace"])
        .arg(&ws)
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let status: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("status --json prints JSON");
    let next = status["nextRun"].as_str().expect("a next run");
    assert!(
        next.ends_with(":00:00.000Z") || next.ends_with(":30:00.000Z"),
        "next run on a :00/:30 boundary: {next}"
    );
    assert_eq!(status["intervalMinutes"], 30);
    // Back to once a day with the CLI (the tray follows edits made elsewhere), so that no
    // scheduled run at :00 or :30 comes in the way of the steps below.
    let back = desktop
        .command(SYNCTRAY)
        .args(["interval", "1440", "--workspace"])
        .arg(&ws)
        .status()
        .unwrap();
    assert!(back.success());
    tray.wait_menu("Every 24 h again", Duration::from_secs(10), |m| {
        m.contains("| Every 24 h |")
    });
    tray.wait_idle();

    // A run by another process shows in the tray, and disables Sync now meanwhile.
    fs::write(ws.join("slow"), "2").unwrap();
    let mut cli = desktop
        .command(SYNCTRAY)
        .args(["sync", "--workspace"])
        .arg(&ws)
        .spawn()
        .unwrap();
    let pid = cli.id();
    tray.wait_menu("the other process's run", Duration::from_secs(10), |m| {
        m.contains(&format!(
            "| Syncing (another process, pid {pid})… | sync now off |"
        ))
    });
    assert!(tray.log().contains("icon: syncing"), "{}", tray.context());
    let cli_status = wait_exit(&mut cli, Duration::from_secs(20)).expect("the CLI sync ends");
    assert!(cli_status.success(), "synctray sync: {cli_status}");
    tray.wait_idle();
    assert_eq!(tray.status()["trigger"], "cli");

    // Pause scheduled syncs, and resume.
    tray.choose(&["Down", "Down", "Down", "Return"]);
    wait_for(
        "paused in the file",
        Duration::from_secs(10),
        || tray.config()["paused"] == true,
        || tray.context(),
    );
    tray.wait_menu("Paused", Duration::from_secs(10), |m| {
        m.contains("| Paused |") && m.ends_with("paused on")
    });
    assert!(tray.log().contains("icon: paused"), "{}", tray.context());
    tray.choose(&["Down", "Down", "Down", "Return"]);
    wait_for(
        "resumed in the file",
        Duration::from_secs(10),
        || tray.config()["paused"] == false,
        || tray.context(),
    );
    tray.wait_menu("the next run again", Duration::from_secs(10), |m| {
        m.contains("| Next run ") && m.ends_with("paused off")
    });

    // Start at login writes the autostart entry for this workspace; unchecking removes it.
    let entry = desktop.home().join(".config/autostart/synctray.desktop");
    tray.choose(&["Down", "Down", "Down", "Down", "Down", "Return"]);
    wait_for(
        "the autostart entry",
        Duration::from_secs(10),
        || entry.exists(),
        || tray.context(),
    );
    let text = fs::read_to_string(&entry).unwrap();
    assert!(
        text.contains(&format!(
            "Exec=\"{SYNCTRAY_TRAY}\" --workspace \"{}\"",
            ws.display()
        )),
        "{text}"
    );
    tray.choose(&["Down", "Down", "Down", "Down", "Down", "Return"]);
    wait_for(
        "the autostart entry to go",
        Duration::from_secs(10),
        || !entry.exists(),
        || tray.context(),
    );

    // A second tray on the same workspace does not start.
    let second = desktop
        .command(SYNCTRAY)
        .arg("--workspace")
        .arg(&ws)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already running"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    // Quit while a job runs: like SIGTERM, the job gets the grace period, then its tree is
    // stopped; the tray exits 0 and leaves no job, no lock and no icon behind.
    let marker = format!("300.{}", std::process::id());
    fs::write(ws.join("slow"), &marker).unwrap();
    tray.choose(&["Down", "Return"]);
    tray.wait_menu("the second job running", Duration::from_secs(10), |m| {
        m.contains("| Syncing 2/2: second… |")
    });
    wait_for(
        "the job's process",
        Duration::from_secs(10),
        || !processes_with(&marker).is_empty(),
        || tray.context(),
    );
    // Quit is the last item; End selects it wherever the disabled items are.
    tray.choose(&["End", "Return"]);
    tray.wait_menu("quitting", Duration::from_secs(5), |m| {
        m.contains("| Quitting")
    });
    let exit = wait_exit(&mut tray.child, Duration::from_secs(30))
        .unwrap_or_else(|| panic!("the tray did not quit\n{}", tray.context()));
    assert_eq!(exit.code(), Some(0), "{}", tray.context());
    assert_eq!(
        processes_with(&marker),
        Vec::<u32>::new(),
        "no job is left running"
    );
    assert!(
        !ws.join("data/.sync-lock").exists(),
        "the run lock is released"
    );
    assert!(
        !ws.join("data/.synctray-instance").exists(),
        "the instance lock is released"
    );
    assert_eq!(tray.status()["error"], "interrupted by shutdown");
    assert!(tray.icon_window().is_none(), "the icon is gone");
    drop(tray);

    // SIGTERM (a logout, a service manager) stops it the same way.
    let mut tray = Tray::start(&desktop, &ws, "tray-sigterm.log");
    wait_for(
        "the tray icon",
        Duration::from_secs(20),
        || tray.icon_window().is_some(),
        || tray.context(),
    );
    tray.wait_idle();
    // SAFETY: kill(2) on the tray this test started.
    unsafe { libc::kill(tray.child.id() as libc::pid_t, libc::SIGTERM) };
    let exit = wait_exit(&mut tray.child, Duration::from_secs(15))
        .unwrap_or_else(|| panic!("the tray did not stop on SIGTERM\n{}", tray.context()));
    assert_eq!(exit.code(), Some(0), "{}", tray.context());
    assert!(tray.icon_window().is_none(), "the icon is gone");
    assert!(!ws.join("data/.synctray-instance").exists());
    eprintln!("screenshot of the open menu: {}", shot.display());
}

/// A workspace for the tests that need no desktop.
fn plain_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    (dir, ws)
}

#[test]
fn without_a_display_the_tray_exits_2_and_suggests_the_daemon() {
    let (_dir, ws) = plain_workspace();
    let run = |display: Option<&str>| {
        let mut cmd = Command::new(SYNCTRAY);
        cmd.arg("--workspace")
            .arg(&ws)
            .env_remove("WAYLAND_DISPLAY")
            .env("NO_AT_BRIDGE", "1");
        match display {
            Some(d) => cmd.env("DISPLAY", d),
            None => cmd.env_remove("DISPLAY"),
        };
        cmd.stdin(Stdio::null()).output().unwrap()
    };
    for display in [None, Some(":4093")] {
        let out = run(display);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "DISPLAY={display:?}: {stderr}");
        assert!(
            stderr.contains("no desktop session") && stderr.contains("synctray --daemon"),
            "DISPLAY={display:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!ws.join("data/.synctray-instance").exists());
}

#[test]
fn a_tray_does_not_start_where_a_daemon_serves_the_workspace() {
    let (_dir, ws) = plain_workspace();
    let mut daemon = Command::new(SYNCTRAY)
        .arg("--daemon")
        .arg("--workspace")
        .arg(&ws)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let instance = ws.join("data/.synctray-instance");
    wait_for(
        "the daemon's instance lock",
        Duration::from_secs(10),
        || instance.exists(),
        String::new,
    );
    // The instance lock is checked before the toolkit starts, so no X server is needed.
    let out = Command::new(SYNCTRAY)
        .arg("--workspace")
        .arg(&ws)
        .env("DISPLAY", ":4093")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    terminate(&mut daemon);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("already running") && stderr.contains("not starting a second tray"),
        "{stderr}"
    );
}
