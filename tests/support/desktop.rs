//! A private desktop session in memory, for the tray tests and the bench's tray figures.
//!
//! Xvfb is the X server (it picks a free display itself), `dbus-daemon` the session bus,
//! trayer an XEmbed system tray, `notification_server.py` a notification server that
//! records every `Notify` and `CloseNotification` call with its id, and [`SniHost`] a StatusNotifierItem host as KDE and
//! GNOME (AppIndicator extension) are. The tray registers its item with the host when there
//! is one on the bus, and shows an XEmbed icon in trayer when there is none: a desktop has
//! one or the other, chosen with [`Parts`].
//!
//! Every process runs in a process group of its own and is stopped when the desktop is
//! dropped, on every way out of a test, a panic included.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use super::proc::{on_path, wait_for, wait_until};
use super::sni::SniHost;

/// The notification server the desktop runs.
/// How long a piece of the test desktop (the bus, the notification server, trayer) may take
/// to come up: an upper bound, reached only on a machine loaded by the other tests.
const START: Duration = Duration::from_secs(30);

pub const NOTIFICATION_SERVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/notification_server.py"
);

/// What runs on the desktop besides the X server and the session bus.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// trayer, an XEmbed system tray at the top right of the screen.
    pub xembed_tray: bool,
    /// A StatusNotifierItem host that owns `org.kde.StatusNotifierWatcher`.
    pub sni_host: bool,
    /// A notification server that records every notification.
    pub notifications: bool,
}

impl Parts {
    /// The classic tray: trayer, and notifications.
    pub const XEMBED: Parts = Parts {
        xembed_tray: true,
        sni_host: false,
        notifications: true,
    };
    /// The tray as KDE and GNOME show it: over D-Bus, and notifications.
    pub const SNI: Parts = Parts {
        xembed_tray: false,
        sni_host: true,
        notifications: true,
    };

    /// The programs these parts need, each with the Debian package that has it.
    fn tools(self) -> Vec<(&'static str, &'static str)> {
        let mut tools = vec![("Xvfb", "xvfb"), ("dbus-daemon", "dbus")];
        if self.xembed_tray {
            tools.extend([
                ("trayer", "trayer"),
                ("xdotool", "xdotool"),
                ("import", "imagemagick"),
            ]);
        }

        tools
    }

    /// What is missing to start these parts, as "what from which package", and the
    /// packages to install; empty when everything is there.
    pub fn missing(self) -> (Vec<String>, Vec<&'static str>) {
        let mut what = Vec::new();
        let mut packages = Vec::new();
        for (tool, package) in self.tools() {
            if !on_path(tool) {
                what.push(format!("{tool} from {package}"));
                packages.push(package);
            }
        }
        if (self.sni_host || self.notifications) && !SniHost::available() {
            what.push("python3 with dbus and gi (the StatusNotifierItem host)".into());
            packages.extend(["python3-dbus", "python3-gi"]);
        }
        (what, packages)
    }

    /// `true` when a test can start these parts. When it cannot, the test fails under CI
    /// (the `CI` variable is set), and otherwise says what to install and is skipped.
    pub fn present(self) -> bool {
        let (what, packages) = self.missing();
        if what.is_empty() {
            return true;
        }
        let message = format!(
            "missing {}; run `apt-get install -y {}`",
            what.join(", "),
            packages.join(" ")
        );
        if std::env::var_os("CI").is_some() {
            panic!("this test needs a desktop to run in: {message}");
        }
        eprintln!("skipped: {message}");
        false
    }
}

pub struct Desktop {
    dir: PathBuf,
    display: String,
    bus: String,
    sni: Option<SniHost>,
    /// Stopped in reverse order of start: the X server last.
    children: Vec<Child>,
    _temp: Option<tempfile::TempDir>,
}

impl Desktop {
    /// Xvfb, a session bus and trayer, with their logs in `scratch`: the desktop the
    /// bench measures the tray in. `Err` says why it could not start.
    pub fn start(scratch: &Path) -> Result<Desktop, String> {
        Desktop::start_in(
            scratch,
            Parts {
                xembed_tray: true,
                sni_host: false,
                notifications: false,
            },
        )
    }

    /// A desktop with `parts`, in a temporary folder of its own; panics if it cannot start.
    ///
    /// A start that fails is tried again, twice, each time afresh: on a machine busy with
    /// other tests' desktops a piece has failed to start now and then (trayer once could
    /// not open the display Xvfb had just named). Each failure is printed; the third
    /// fails the test.
    pub fn with(parts: Parts) -> Desktop {
        let mut failures = Vec::new();
        for _ in 0..3 {
            let temp = tempfile::tempdir().expect("a temp dir");
            match Desktop::start_in(temp.path(), parts) {
                Ok(mut desktop) => {
                    desktop._temp = Some(temp);
                    return desktop;
                }
                Err(e) => {
                    eprintln!("the desktop did not start, trying again: {e}");
                    failures.push(e);
                }
            }
        }
        panic!("the desktop did not start: {}", failures.join("\n"));
    }

    /// A desktop with `parts`, with its home, runtime folder and logs in `scratch`.
    pub fn start_in(scratch: &Path, parts: Parts) -> Result<Desktop, String> {
        let (missing, packages) = parts.missing();
        if !missing.is_empty() {
            return Err(format!(
                "missing {}: apt-get install -y {}",
                missing.join(", "),
                packages.join(" ")
            ));
        }
        for sub in ["home", "run"] {
            fs::create_dir_all(scratch.join(sub)).map_err(|e| e.to_string())?;
        }
        super::proc::set_mode(&scratch.join("run"), 0o700);
        let mut desktop = Desktop {
            dir: scratch.to_owned(),
            display: String::new(),
            bus: String::new(),
            sni: None,
            children: Vec::new(),
            _temp: None,
        };

        // Xvfb picks a free display and writes its number to fd 1.
        let mut xvfb = Command::new("Xvfb");
        xvfb.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "800x600x24",
            "-nolisten",
            "tcp",
        ]);
        let mut xvfb = desktop.spawn_with(xvfb, "xvfb.log", true)?;
        let mut line = String::new();
        let _ = BufReader::new(xvfb.stdout.take().unwrap()).read_line(&mut line);
        desktop.children.push(xvfb);
        let number: u32 = line
            .trim()
            .parse()
            .map_err(|_| format!("Xvfb did not name a display: {line:?}"))?;
        desktop.display = format!(":{number}");

        let socket = scratch.join("session-bus");
        desktop.bus = format!("unix:path={}", socket.display());
        let mut bus = Command::new("dbus-daemon");
        bus.args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={}", desktop.bus));
        let bus = desktop.spawn(bus, "dbus.log")?;
        desktop.children.push(bus);
        if !wait_until(START, || socket.exists()) {
            return Err("the session bus did not start".into());
        }

        if parts.notifications {
            let mut server = desktop.command(NOTIFICATION_SERVER);
            server.arg(desktop.path("notifications.log"));
            let server = desktop.spawn(server, "notification-server.log")?;
            desktop.children.push(server);
            if !wait_until(START, || {
                fs::read_to_string(desktop.path("notification-server.log"))
                    .is_ok_and(|log| log.contains(r#"{"ready": true}"#))
            }) {
                return Err(format!(
                    "the notification server did not start: {}",
                    fs::read_to_string(desktop.path("notification-server.log")).unwrap_or_default()
                ));
            }
        }
        if parts.xembed_tray {
            let mut trayer = desktop.command("trayer");
            trayer.args([
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
                "--height",
                "32",
            ]);
            let trayer = desktop.spawn(trayer, "trayer.log")?;
            desktop.children.push(trayer);
            // trayer's panel window is up once it holds the tray selection.
            if !wait_until(START, || {
                desktop
                    .xdotool(&["search", "--classname", "^panel$"])
                    .status
                    .success()
            }) {
                return Err(format!(
                    "trayer's panel did not appear within {} s on {}; trayer said: {}; Xvfb said: {}",
                    START.as_secs(),
                    desktop.display,
                    fs::read_to_string(desktop.path("trayer.log")).unwrap_or_default(),
                    fs::read_to_string(desktop.path("xvfb.log")).unwrap_or_default()
                ));
            }
        }
        if parts.sni_host {
            desktop.sni = Some(SniHost::start(&desktop)?);
        }
        Ok(desktop)
    }

    /// Spawns `command` in a process group of its own, stdout and stderr in `log`.
    fn spawn(&self, command: Command, log: &str) -> Result<Child, String> {
        self.spawn_with(command, log, false)
    }

    /// [`Desktop::spawn`], with stdout a pipe when `pipe_stdout`.
    fn spawn_with(
        &self,
        mut command: Command,
        log: &str,
        pipe_stdout: bool,
    ) -> Result<Child, String> {
        let file = fs::File::create(self.path(log)).map_err(|e| e.to_string())?;
        let program = command.get_program().to_string_lossy().into_owned();
        command
            .stdin(Stdio::null())
            .stderr(file.try_clone().map_err(|e| e.to_string())?)
            .process_group(0);
        if pipe_stdout {
            command.stdout(Stdio::piped());
        } else {
            command.stdout(file);
        }
        command
            .spawn()
            .map_err(|e| format!("{program} could not start: {e}"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Ends the X server under the programs of the session, as a logout does: their
    /// display connection is lost.
    pub fn kill_display(&mut self) {
        let xvfb = &mut self.children[0];
        let _ = xvfb.kill();
        let _ = xvfb.wait();
    }

    /// The X display, ":N".
    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// Points `command` at this desktop: its display, its bus, its home, and English
    /// whatever the machine's locale is (a test that wants another language sets `LANG`).
    pub fn apply(&self, command: &mut Command) {
        command
            .env("LANG", "C.UTF-8")
            .env_remove("LANGUAGE")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LC_TIME")
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self.home())
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME");
    }

    /// `program` in this desktop's session, quiet.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        self.apply(&mut command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// The StatusNotifierItem host, on a desktop started with one.
    pub fn sni(&self) -> &SniHost {
        self.sni
            .as_ref()
            .expect("a desktop with a StatusNotifierItem host")
    }

    /// Every call to the notification server so far, one JSON object a line (see
    /// `notification_server.py`).
    pub fn notifications(&self) -> String {
        fs::read_to_string(self.path("notifications.log")).unwrap_or_default()
    }

    /// The calls to the notification server so far, parsed: `Notify` calls with their
    /// `id`, `replaces`, `summary`, `body`, `actions` and `urgency`; `CloseNotification`
    /// calls with their `id`.
    pub fn notification_calls(&self) -> Vec<serde_json::Value> {
        self.notifications()
            .lines()
            .map(|line| serde_json::from_str(line).expect("the server writes JSON"))
            .collect()
    }

    /// The `Notify` calls whose summary is `summary`.
    pub fn notified(&self, summary: &str) -> Vec<serde_json::Value> {
        self.notification_calls()
            .into_iter()
            .filter(|c| c["call"] == "Notify" && c["summary"] == summary)
            .collect()
    }

    /// Waits for a notification whose summary is `summary`, and returns its call.
    pub fn wait_notification(&self, summary: &str, timeout: Duration) -> serde_json::Value {
        wait_for(
            &format!("a {summary:?} notification"),
            timeout,
            || !self.notified(summary).is_empty(),
            || self.notifications(),
        );
        self.notified(summary).remove(0)
    }

    /// Clicks the button `action` of notification `id`, as the person does: the server's
    /// `ActionInvoked` signal, sent on the session bus.
    pub fn invoke_action(&self, id: u64, action: &str) {
        let status = self
            .command("dbus-send")
            .args([
                "--session",
                "--type=signal",
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications.ActionInvoked",
                &format!("uint32:{id}"),
                &format!("string:{action}"),
            ])
            .status()
            .expect("dbus-send runs");
        assert!(status.success(), "dbus-send: {status}");
    }

    pub fn xdotool(&self, args: &[&str]) -> Output {
        self.command("xdotool")
            .args(args)
            .stdout(Stdio::piped())
            .output()
            .expect("xdotool runs")
    }

    /// A screenshot of the top right corner, where the tray and its menu are.
    pub fn screenshot(&self, to: &Path) {
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
        // The host first: it is a client of the bus.
        drop(self.sni.take());
        for child in self.children.iter_mut().rev() {
            let group = -(child.id() as libc::pid_t);
            // SAFETY: kill(2) on a process group this desktop started.
            unsafe { libc::kill(group, libc::SIGTERM) };
            if !wait_until(Duration::from_secs(5), || {
                matches!(child.try_wait(), Ok(Some(_)))
            }) {
                // SAFETY: as above.
                unsafe { libc::kill(group, libc::SIGKILL) };
            }
            let _ = child.wait();
        }
    }
}
