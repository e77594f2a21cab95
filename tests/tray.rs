//! The tray as a person uses it, on a real desktop in memory (`tests/support/desktop.rs`):
//! an X server, a session bus, a notification server that records each call with its id, and the
//! real `synctray` binary.
//!
//! Most tests see the tray as KDE Plasma and GNOME (AppIndicator extension) do: a
//! StatusNotifierItem host owns `org.kde.StatusNotifierWatcher`, the tray registers its
//! item with it, and the test reads the menu with `com.canonical.dbusmenu.GetLayout`
//! (labels, enabled, check states) and clicks entries by their label with `Event`.
//! The `xembed_` tests use the classic tray instead (trayer, no watcher on the bus), where
//! the icon is an X window a person clicks.
//!
//! A test whose tools are missing fails when the `CI` variable is set, and otherwise says
//! what to install and passes.

#![cfg(all(feature = "tray", target_os = "linux"))]

#[path = "support/mod.rs"]
mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::desktop::{Desktop, NOTIFICATION_SERVER, Parts};
use support::proc::{processes_with, terminate, wait_exit, wait_for};
use support::sni::MenuItem;
use support::ws::{SYNCTRAY, Ws};

/// The tray's own executable, which `synctray` with no command becomes (same process).
const SYNCTRAY_TRAY: &str = env!("CARGO_BIN_EXE_synctray-tray");

const SHORT: Duration = Duration::from_secs(10);
const LONG: Duration = Duration::from_secs(30);

/// A workspace with two jobs: "first" always succeeds; "second" fails while the file
/// `broken` exists (with an error line on stderr), and sleeps for the number of seconds in
/// the file `slow` if there is one. Once a day, no catch-up: no run starts by itself.
fn workspace() -> Ws {
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
    Ws::new(&serde_json::to_string_pretty(&config).unwrap())
}

/// The desktop's opener (`xdg-open`), standing in on the tray's PATH in the workspace's
/// `bin/`: it notes each path it is asked to open in `bin/opened`, and fails (exit 3, "no
/// application") while `bin/fail` exists.
fn stand_in_opener(ws: &Ws) {
    fs::create_dir_all(ws.path("bin")).unwrap();
    let opener = ws.path("bin/xdg-open");
    fs::write(
        &opener,
        "#!/bin/sh\nhere=\"$(dirname \"$0\")\"\necho \"$1\" >> \"$here/opened\"\n[ -e \"$here/fail\" ] && exit 3\nexit 0\n",
    )
    .unwrap();
    support::proc::set_mode(&opener, 0o755);
}

/// The tray under test, with its debug log in a file. Stopped (SIGTERM) on drop.
struct Tray {
    child: Child,
    log: PathBuf,
}

impl Tray {
    /// A workspace's `bin/`, when it has one, comes first on the tray's PATH: stand-ins
    /// for the desktop's programs (the opener of files and folders).
    fn start(desktop: &Desktop, ws: &Ws, log_name: &str) -> Tray {
        Tray::start_with(desktop, Some(ws), &[], log_name)
    }

    /// The tray started with `args` (and `--workspace` of `ws`, when given).
    fn start_with(desktop: &Desktop, ws: Option<&Ws>, args: &[&str], log_name: &str) -> Tray {
        Tray::start_in(desktop, ws, args, &[], log_name)
    }

    /// [`Tray::start_with`], with `env` added to its environment.
    fn start_in(
        desktop: &Desktop,
        ws: Option<&Ws>,
        args: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
        log_name: &str,
    ) -> Tray {
        let log = desktop.path(log_name);
        let mut cmd = desktop.command(SYNCTRAY);
        cmd.envs(env.iter().copied());
        // Its own temporary folder, where a file it wrote (an icon for the panel) could be
        // seen; there must be none.
        fs::create_dir_all(desktop.path("tmp")).unwrap();
        cmd.env("TMPDIR", desktop.path("tmp"));
        if let Some(ws) = ws {
            if ws.path("bin").is_dir() {
                let path = std::env::var_os("PATH").unwrap_or_default();
                let dirs = std::iter::once(ws.path("bin")).chain(std::env::split_paths(&path));
                cmd.env("PATH", std::env::join_paths(dirs).unwrap());
            }
            cmd.arg("--workspace").arg(ws.root());
        }
        let child = cmd
            .args(args)
            .env("SYNCTRAY_LOG", "debug")
            .env_remove("SYNCTRAY_WORKSPACE")
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("synctray starts");
        Tray { child, log }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of the tray's log, for failure messages.
    fn context(&self) -> String {
        let log = self.log();
        let lines: Vec<_> = log.lines().collect();
        format!(
            "--- tray log (last lines) ---\n{}",
            lines[lines.len().saturating_sub(25)..].join("\n")
        )
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// A desktop whose tray host is a StatusNotifierItem host, a workspace, and the tray on
/// it, registered and idle. Fields drop in order: the tray first, the desktop last.
struct Session {
    tray: Tray,
    ws: Ws,
    desktop: Desktop,
}

impl Session {
    /// `None` (the test is skipped) when the tools are missing outside CI.
    fn start(prepare: impl FnOnce(&Ws)) -> Option<Session> {
        let session = Session::start_registered(prepare)?;
        session.wait_idle();
        Some(session)
    }

    /// [`Session::start`], waiting only for the item to register (not for a served,
    /// idle workspace).
    fn start_registered(prepare: impl FnOnce(&Ws)) -> Option<Session> {
        Session::start_registered_in(&[], prepare)
    }

    /// [`Session::start_registered`] with the variables `env` (`LANG`) for the tray.
    fn start_registered_in(env: &[(&str, &str)], prepare: impl FnOnce(&Ws)) -> Option<Session> {
        if !Parts::SNI.present() {
            return None;
        }
        let desktop = Desktop::with(Parts::SNI);
        let ws = workspace();
        prepare(&ws);
        let env: Vec<(&str, &std::ffi::OsStr)> = env
            .iter()
            .map(|(k, v)| (*k, std::ffi::OsStr::new(*v)))
            .collect();
        let tray = Tray::start_in(&desktop, Some(&ws), &[], &env, "tray.log");
        let session = Session { tray, ws, desktop };
        session.desktop.sni().wait_registered(LONG);
        Some(session)
    }

    /// The files in the tray's temporary folder (icon files, which it no longer writes).
    fn icon_files(&self) -> Vec<PathBuf> {
        fs::read_dir(self.desktop.path("tmp"))
            .map(|dir| dir.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    fn menu(&self) -> MenuItem {
        self.desktop.sni().menu()
    }

    fn click(&self, label: &str) {
        self.desktop.sni().click(label);
    }

    /// Waits until the menu shows `what`, failing with the menu and the tray's log.
    fn wait_menu(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&MenuItem) -> bool,
    ) -> MenuItem {
        let sni = self.desktop.sni();
        let mut last = None;
        let held = support::proc::wait_until(timeout, || {
            let menu = sni.menu();
            let ok = check(&menu);
            last = Some(menu);
            ok
        });
        let menu = last.unwrap();
        assert!(
            held,
            "timed out after {timeout:?} waiting for the menu to show {what}; it shows\n{menu}\n{}",
            self.tray.context()
        );
        menu
    }

    /// Waits until no run is in progress and "Sync now" is enabled.
    fn wait_idle(&self) -> MenuItem {
        self.wait_menu("that nothing runs", LONG, |m| {
            m.find("Sync now").is_some_and(|i| i.enabled) && m.find_starting("Syncing").is_none()
        })
    }

    fn wait(&self, what: &str, timeout: Duration, check: impl FnMut() -> bool) {
        wait_for(what, timeout, check, || self.tray.context());
    }

    fn status(&self) -> serde_json::Value {
        self.ws.status().unwrap_or(serde_json::Value::Null)
    }
}

/// The top-level labels, for assertions that name what the menu said.
fn labels(menu: &MenuItem) -> Vec<String> {
    menu.labels()
}

#[test]
fn sni_the_item_registers_and_its_menu_reads_like_the_tray() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    s.wait_menu("the next run", SHORT, |m| {
        m.find_starting("Next run tomorrow").is_some()
    });
    let item = s.desktop.sni().item();
    let name =
        s.ws.root()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
    // Stable across starts (no pid), so that desktops remember the icon's settings.
    assert_eq!(item["Id"], "synctray", "{item}");
    assert_eq!(item["Title"], "synctray", "{item}");
    assert_eq!(item["Category"], "ApplicationStatus", "{item}");
    assert_eq!(item["Status"], "Active", "{item}");
    assert!(
        item["Menu"].as_str().is_some_and(|m| m.starts_with('/')),
        "the item exports a menu: {item}"
    );
    assert_eq!(
        tooltip(&item),
        (
            format!("synctray — {name}"),
            "Never synced\nNext run tomorrow 00:00".to_owned()
        ),
        "{item}"
    );
    assert_eq!(pixmap_sizes(&item), [16, 22, 24, 32, 48, 64], "{item}");
    // No words about the mechanics anywhere (a screen reader reads them).
    assert!(!item.to_string().contains("tray icon"), "{item}");
    assert_eq!(
        item["IconAccessibleDesc"],
        format!("synctray — {name}: Never synced"),
        "{item}"
    );

    let menu = s.menu();
    let top = labels(&menu);
    assert_eq!(
        top[0],
        format!("synctray — {name}"),
        "the menu names its workspace:\n{menu}"
    );
    assert_eq!(top[1], "Never synced", "{menu}");
    assert!(top[2].starts_with("Next run tomorrow 00:00 (in "), "{menu}");
    for status_line in &menu.children[1..3] {
        assert!(
            !status_line.enabled,
            "status lines are disabled text:\n{menu}"
        );
    }
    assert!(menu.find("Sync now").unwrap().enabled, "{menu}");
    let interval = menu.find("Change interval").expect("Change interval");
    let presets: Vec<_> = interval.labels();
    for preset in ["Every 5 min", "Every 15 min", "Every 1 h", "Every 24 h"] {
        assert!(
            presets.iter().any(|p| p == preset),
            "no {preset:?} in\n{menu}"
        );
    }
    assert!(menu.find("Every 24 h").unwrap().checked(), "{menu}");
    assert!(!menu.find("Every 15 min").unwrap().checked(), "{menu}");
    let pause = menu.find("Pause scheduled syncs").expect("Pause");
    assert_eq!(
        pause.labels(),
        [
            "For 1 hour",
            "Until tomorrow 08:00",
            "Until I resume",
            "---",
            "Resume"
        ],
        "{menu}"
    );
    assert!(
        !menu.find("Resume").unwrap().enabled,
        "nothing to resume: {menu}"
    );
    let pause = menu.find("Until I resume").expect("Until I resume");
    assert_eq!(pause.toggle_type, "checkmark", "{menu}");
    assert!(!pause.checked(), "{menu}");
    let login = menu.find("Start at login").expect("Start at login");
    assert_eq!(login.toggle_type, "checkmark", "{menu}");
    assert!(menu.find("Open logs").is_some(), "{menu}");
    assert_eq!(top.last().map(String::as_str), Some("Quit"), "{menu}");
    assert!(s.tray.log().contains("icon: ok"), "{}", s.tray.context());
    assert!(!s.tray.log().contains("-CRITICAL"), "{}", s.tray.context());
    // One malloc arena for all of the tray's threads (each would otherwise keep one).
    assert_eq!(
        malloc_arenas(s.tray.pid()),
        0,
        "the tray has extra malloc arenas"
    );
}

/// Where the icon theme has synctray's state icons (the package installs them in hicolor),
/// the item names them (`IconName`), so that a theme can restyle them; the pixels still come
/// along for hosts that draw them.
#[test]
fn sni_the_item_names_its_icon_where_the_theme_has_it() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let ws = workspace();
    // The package's hicolor files, in a data folder of this session's own.
    let share = desktop.path("share");
    let apps = share.join("icons/hicolor/scalable/apps");
    fs::create_dir_all(&apps).unwrap();
    let icons = Path::new(env!("CARGO_MANIFEST_DIR")).join("icons");
    for state in ["ok", "syncing", "error", "paused", "stale"] {
        fs::copy(
            icons.join(format!("{state}.svg")),
            apps.join(format!("synctray-{state}.svg")),
        )
        .unwrap();
        let symbolic = format!("synctray-{state}-symbolic.svg");
        fs::copy(icons.join("theme").join(&symbolic), apps.join(&symbolic)).unwrap();
    }
    let data_dirs = std::env::join_paths([share.as_path(), Path::new("/usr/share")]).unwrap();
    let tray = Tray::start_in(
        &desktop,
        Some(&ws),
        &[],
        &[("XDG_DATA_DIRS", data_dirs.as_os_str())],
        "tray.log",
    );
    desktop.sni().wait_registered(LONG);
    let item = desktop.sni().item();
    assert_eq!(
        item["IconName"],
        "synctray-ok",
        "{item}\n{}",
        tray.context()
    );
    assert_eq!(pixmap_sizes(&item), [16, 22, 24, 32, 48, 64], "{item}");
}

/// libfaketime, which moves a process's wall clock (Debian's `faketime`), or `None` (the
/// test is skipped outside CI, fails in CI).
fn libfaketime() -> Option<PathBuf> {
    let found = fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|dir| dir.path().join("faketime/libfaketime.so.1"))
        .find(|lib| lib.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "libfaketime is missing: apt-get install faketime"
        );
        eprintln!("skipped: libfaketime is missing (apt-get install faketime)");
    }
    found
}

/// At rest the tray wakes once a minute, to count "in 12 min" down in its menu, and tells
/// the panel in one signal: the new label of that entry (`ItemsPropertiesUpdated`, which
/// the panel applies without calling back), not `LayoutUpdated` (the panel would call back
/// for the whole menu) nor `NewToolTip` (the tooltip says "Next run 14:45", which the
/// minute does not change). A change of state is told at once. The tray's wall clock
/// starts 20 s before a minute turns (libfaketime), so that the test waits seconds.
#[test]
fn sni_the_idle_minute_tells_the_panel_one_label_and_nothing_else() {
    let Some(faketime) = libfaketime() else {
        return;
    };
    let env = [
        ("LD_PRELOAD", faketime.to_str().unwrap()),
        ("FAKETIME", "@2026-12-07 10:00:40"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ("TZ", "UTC"),
    ];
    let Some(s) = Session::start_registered_in(&env, |_| {}) else {
        return;
    };
    let sni = s.desktop.sni();
    let next_line = |menu: &MenuItem| {
        menu.find_starting("Next run")
            .map(|i| (i.id, i.label.clone()))
            .unwrap_or_else(|| panic!("no \"Next run\" line in\n{menu}\n{}", s.tray.context()))
    };
    let (id, before) = next_line(&s.wait_menu("the next run", LONG, |m| {
        m.find_starting("Next run").is_some()
    }));
    assert_eq!(before, "Next run tomorrow 00:00 (in 14 h)");
    assert_eq!(
        tooltip(&sni.item()).1,
        "Never synced\nNext run tomorrow 00:00"
    );
    // The start's own news told (half a second without a signal), the tray rests.
    s.wait("the start's signals to end", SHORT, || {
        std::thread::sleep(Duration::from_millis(500));
        sni.signals().is_empty()
    });

    // The minute turns (10:01): one signal, the entry's new label, under the same id.
    let mut said = Vec::new();
    s.wait("the minute's redraw", LONG, || {
        said.extend(sni.signals());
        !said.is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    said.extend(sni.signals());
    assert_eq!(said, ["ItemsPropertiesUpdated"], "{}", s.tray.context());
    assert_eq!(
        next_line(&sni.menu()),
        (id, "Next run tomorrow 00:00 (in 13 h 59 min)".to_owned())
    );
    assert!(
        !sni.about_to_show(0),
        "nothing is left to read before it opens"
    );
    assert_eq!(
        tooltip(&sni.item()).1,
        "Never synced\nNext run tomorrow 00:00"
    );

    // A run is a change of state: told at once.
    s.click("Sync now");
    let mut said = Vec::new();
    s.wait("the run's NewToolTip and menu", SHORT, || {
        said.extend(sni.signals());
        said.iter().any(|m| m == "NewToolTip")
            && said
                .iter()
                .any(|m| m == "LayoutUpdated" || m == "ItemsPropertiesUpdated")
    });
}

/// The item's tooltip: its title and its text.
fn tooltip(item: &serde_json::Value) -> (String, String) {
    let text = |i: usize| item["ToolTip"][i].as_str().unwrap_or_default().to_owned();
    (text(2), text(3))
}

/// The sizes of the item's `IconPixmap`s (each square: width, height, then the pixels).
fn pixmap_sizes(item: &serde_json::Value) -> Vec<i64> {
    item["IconPixmap"]
        .as_array()
        .map(|sizes| {
            sizes
                .iter()
                .map(|p| {
                    let (w, h) = (p[0].as_i64().unwrap(), p[1].as_i64().unwrap());
                    assert_eq!(p[2].as_i64(), Some(w * h * 4), "{p}");
                    assert_eq!(w, h);
                    w
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How many extra glibc malloc arenas the process `pid` has: anonymous read-write
/// mappings that start on a 64 MiB boundary (where glibc places each arena's heap).
fn malloc_arenas(pid: u32) -> usize {
    fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap()
        .lines()
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let start = fields[0].split('-').next().unwrap();
            fields.len() == 5
                && fields[1] == "rw-p"
                && u64::from_str_radix(start, 16)
                    .unwrap()
                    .is_multiple_of(64 << 20)
        })
        .count()
}

#[test]
fn sni_a_failing_job_notifies_once_and_its_recovery_takes_the_failures_place() {
    let Some(s) = Session::start(|ws| fs::write(ws.path("broken"), "").unwrap()) else {
        return;
    };
    let icon_before = s.desktop.sni().item()["IconDigest"].clone();
    s.click("Sync now");
    s.wait("the run to fail", LONG, || s.status()["status"] == "error");
    let status = s.status();
    assert_eq!(status["trigger"], "manual");
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("Error: the data source is broken"),
        "{status}"
    );
    let failed = s.desktop.wait_notification("Sync failed: second", SHORT);
    assert_eq!(failed["urgency"], 2, "a failure is critical: {failed}");
    assert!(
        s.desktop
            .notifications()
            .contains("Error: the data source is broken"),
        "{}",
        s.desktop.notifications()
    );
    s.wait_menu("the failure", SHORT, |m| {
        m.children[1].label.starts_with("✗ Last sync ")
            && m.children[1].label.contains(" · failed: second")
    });
    s.wait_idle();
    assert!(s.tray.log().contains("icon: error"), "{}", s.tray.context());
    let item = s.desktop.sni().item();
    assert_ne!(
        item["IconDigest"], icon_before,
        "the item's icon changed with the state"
    );
    // A failing item asks for attention (KDE brings it out of the hidden icons).
    assert_eq!(item["Status"], "NeedsAttention", "{item}");
    let (title, text) = tooltip(&item);
    assert!(title.starts_with("synctray — "), "{item}");
    assert!(
        text.starts_with("✗ Last sync ") && text.contains("failed: second"),
        "{item}"
    );
    assert_eq!(pixmap_sizes(&item), [16, 22, 24, 32, 48, 64], "{item}");

    // The same failure again: counted in the menu, not shown again.
    s.click("Sync now");
    s.wait_menu("the second failure counted", LONG, |m| {
        m.children[1].label.starts_with("✗ second failing since ")
            && m.children[1].label.ends_with(" (2 runs)")
    });
    s.wait_idle();
    assert_eq!(
        s.desktop.notified("Sync failed: second").len(),
        1,
        "{}",
        s.desktop.notifications()
    );

    // Fixed, Sync now again: recovered.
    fs::remove_file(s.ws.path("broken")).unwrap();
    s.click("Sync now");
    s.wait("the run to succeed", LONG, || {
        s.status()["status"] == "success"
    });
    let recovered = s.desktop.wait_notification("Sync recovered", SHORT);
    // In the failure's place, so that no failure stays on screen beside a green icon.
    assert_eq!(recovered["replaces"], failed["id"], "{recovered}");
    assert_eq!(recovered["id"], failed["id"], "{recovered}");
    assert_ne!(recovered["urgency"], 2, "{recovered}");
    s.wait_menu("the success", SHORT, |m| {
        m.children[1].label.starts_with("✓ Last sync ")
            && m.children[2].label.starts_with("Next run ")
    });
    let item = s.desktop.sni().item();
    assert_eq!(item["Status"], "Active", "{item}");
    assert_eq!(item["IconDigest"], icon_before, "{item}");
    assert!(tooltip(&item).1.starts_with("✓ Last sync "), "{item}");
}

#[test]
fn sni_recent_runs_list_the_last_runs_and_a_click_opens_that_runs_log() {
    let Some(s) = Session::start(|ws| {
        stand_in_opener(ws);
    }) else {
        return;
    };
    s.wait_menu("no runs yet", SHORT, |m| {
        m.find("Recent runs")
            .is_some_and(|r| r.children.len() == 1 && !r.children[0].enabled)
    });
    s.click("Sync now");
    s.wait("the first run", LONG, || s.status()["status"] == "success");
    s.wait_idle();
    fs::write(s.ws.path("broken"), "").unwrap();
    s.click("Sync now");
    s.wait("the second run to fail", LONG, || {
        s.status()["status"] == "error"
    });
    let menu = s.wait_menu("both runs, newest first", SHORT, |m| {
        m.find("Recent runs").is_some_and(|r| {
            r.children.len() == 2
                && r.children[0].label.starts_with("✗ ")
                && r.children[0].label.contains("second: exited with code 1")
                && r.children[1].label.starts_with("✓ ")
        })
    });
    let failed = menu.find("Recent runs").unwrap().children[0].label.clone();
    s.click(&failed);
    let opened = s.ws.path("bin/opened");
    s.wait("the opener to be asked", SHORT, || opened.exists());
    let path = PathBuf::from(fs::read_to_string(&opened).unwrap().trim());
    assert!(
        path.starts_with(s.ws.path("data/logs")),
        "opened {}",
        path.display()
    );
    let log = fs::read_to_string(&path).unwrap();
    assert!(
        log.contains("Error: the data source is broken"),
        "the failed run's log was opened, not another:\n{log}"
    );
}

#[test]
fn sni_change_interval_rewrites_only_that_key_and_the_status_follows() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    s.click("Every 30 min");
    s.wait("intervalMinutes 30 in the file", SHORT, || {
        s.ws.config()["intervalMinutes"] == 30
    });
    let config = s.ws.config();
    assert_eq!(config["catchUp"], false);
    assert_eq!(config["dashboard"]["title"], "kept as written");
    assert_eq!(config["jobs"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        config.as_object().unwrap().len(),
        4,
        "no key added or lost: {config}"
    );
    let menu = s.wait_menu("Every 30 min checked", SHORT, |m| {
        m.find("Every 30 min").is_some_and(MenuItem::checked)
    });
    assert!(
        !menu.find("Every 24 h").unwrap().checked(),
        "one preset checked:\n{menu}"
    );

    let status = s.ws.status_json();
    assert_eq!(status["intervalMinutes"], 30, "{status}");
    let next = status["nextRun"].as_str().expect("a next run");
    assert!(
        next.ends_with(":00:00.000Z") || next.ends_with(":30:00.000Z"),
        "next run on a :00/:30 boundary: {next}"
    );

    // An edit made elsewhere shows in the menu too.
    assert!(s.ws.run(&["interval", "1440"]).status.success());
    s.wait_menu("Every 24 h checked again", SHORT, |m| {
        m.find("Every 24 h").is_some_and(MenuItem::checked)
            && !m.find("Every 30 min").unwrap().checked()
    });
}

#[test]
fn sni_pause_until_i_resume_is_a_check_item_kept_in_the_file() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    s.click("Until I resume");
    s.wait("paused in the file", SHORT, || {
        s.ws.config()["paused"] == true
    });
    s.wait_menu("Paused, checked", SHORT, |m| {
        m.children[2].label == "Paused"
            && m.find("Until I resume").unwrap().checked()
            && m.find("Resume").unwrap().enabled
    });
    assert!(
        s.tray.log().contains("icon: paused"),
        "{}",
        s.tray.context()
    );
    assert_eq!(s.ws.status_json()["paused"], true);

    s.click("Until I resume");
    s.wait("resumed in the file", SHORT, || {
        s.ws.config()["paused"] == false
    });
    s.wait_menu("the next run, unchecked", SHORT, |m| {
        m.children[2].label.starts_with("Next run ") && !m.find("Until I resume").unwrap().checked()
    });
}

/// "Pause scheduled syncs ▸ For 1 hour" writes `pausedUntil` an hour ahead and the menu
/// says until when; Resume ends it; "Until tomorrow 08:00" means the next day's 08:00.
#[test]
fn sni_pause_for_an_hour_or_until_tomorrow_morning_and_resume() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let time = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
            .unwrap()
            .with_timezone(&chrono::Local)
    };
    let before = chrono::Local::now();
    s.click("For 1 hour");
    s.wait("pausedUntil in the file", SHORT, || {
        s.ws.config().get("pausedUntil").is_some()
    });
    let until = time(&s.ws.config()["pausedUntil"]);
    let hour = before + chrono::TimeDelta::hours(1);
    assert!(
        until >= hour - chrono::TimeDelta::seconds(1)
            && until <= hour + chrono::TimeDelta::seconds(10),
        "{until}"
    );
    let line = format!("Paused until {}", until.format("%H:%M"));
    s.wait_menu(&line, SHORT, |m| {
        m.children[2].label == line
            && !m.find("Until I resume").unwrap().checked()
            && m.find("Resume").unwrap().enabled
    });
    assert_eq!(time(&s.ws.status_json()["pausedUntil"]), until);

    s.click("Resume");
    s.wait("the pause gone from the file", SHORT, || {
        s.ws.config().get("pausedUntil").is_none()
    });
    s.wait_menu("the next run, Resume off", SHORT, |m| {
        m.children[2].label.starts_with("Next run ") && !m.find("Resume").unwrap().enabled
    });

    s.click("Until tomorrow 08:00");
    s.wait("pausedUntil in the file", SHORT, || {
        s.ws.config().get("pausedUntil").is_some()
    });
    let until = time(&s.ws.config()["pausedUntil"]);
    assert_eq!(until.date_naive(), before.date_naive().succ_opt().unwrap());
    assert_eq!(until.format("%H:%M").to_string(), "08:00");
    s.wait_menu("paused until tomorrow", SHORT, |m| {
        m.children[2].label == "Paused until tomorrow 08:00"
    });
}

#[test]
fn sni_a_run_by_another_process_shows_and_disables_sync_now() {
    let Some(s) = Session::start(|ws| fs::write(ws.path("slow"), "2").unwrap()) else {
        return;
    };
    let mut cli = s
        .desktop
        .command(SYNCTRAY)
        .args(["sync", "--workspace"])
        .arg(s.ws.root())
        .spawn()
        .unwrap();
    let pid = cli.id();
    let menu = s.wait_menu("the other process's run", SHORT, |m| {
        m.children[2].label == format!("Syncing (another process, pid {pid})…")
    });
    assert!(
        !menu.find("Sync now").unwrap().enabled,
        "Sync now is disabled:\n{menu}"
    );
    assert!(
        s.tray.log().contains("icon: syncing"),
        "{}",
        s.tray.context()
    );
    let exit = wait_exit(&mut cli, LONG).expect("the CLI sync ends");
    assert!(exit.success(), "synctray sync: {exit}");
    s.wait_idle();
    assert_eq!(s.status()["trigger"], "cli");
}

#[test]
fn sni_quit_during_a_job_exits_0_leaving_no_job_and_no_lock() {
    let marker = support::proc::sleep_marker(300);
    let Some(mut s) = Session::start(|ws| fs::write(ws.path("slow"), &marker).unwrap()) else {
        return;
    };
    s.click("Sync now");
    let menu = s.wait_menu("the second job running", SHORT, |m| {
        m.children[2].label == "Syncing 2/2: second…"
    });
    assert!(!menu.find("Sync now").unwrap().enabled, "{menu}");
    s.wait("the job's process", SHORT, || {
        !processes_with(&marker).is_empty()
    });

    // Quit is like SIGTERM: the job gets the grace period, then its tree is stopped.
    s.click("Quit");
    let exit = wait_exit(&mut s.tray.child, LONG)
        .unwrap_or_else(|| panic!("the tray did not quit\n{}", s.tray.context()));
    assert_eq!(exit.code(), Some(0), "{}", s.tray.context());
    assert_eq!(
        processes_with(&marker),
        Vec::<u32>::new(),
        "no job is left running"
    );
    assert!(!s.ws.lock_exists(), "the run lock is released");
    assert!(
        !s.ws.path("data/.synctray-instance").exists(),
        "the instance lock is released"
    );
    assert_eq!(s.status()["error"], "interrupted by shutdown");
    assert_eq!(s.status()["interrupted"], true);
    assert!(
        s.desktop.sni().try_item().is_err(),
        "the item is gone from the bus"
    );
    // A run the person stopped did not fail: nothing says it did.
    assert!(
        !s.desktop.notifications().contains("Sync failed"),
        "{}",
        s.desktop.notifications()
    );
}

#[test]
fn sni_start_at_login_writes_and_removes_the_autostart_entry() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let entry = s.desktop.home().join(".config/autostart/synctray.desktop");
    s.click("Start at login");
    s.wait("the autostart entry", SHORT, || entry.exists());
    let text = fs::read_to_string(&entry).unwrap();
    assert!(
        text.contains(&format!(
            "Exec=\"{SYNCTRAY_TRAY}\" --workspace \"{}\"",
            s.ws.root().display()
        )),
        "{text}"
    );
    s.wait_menu("Start at login checked", SHORT, |m| {
        m.find("Start at login").unwrap().checked()
    });
    s.click("Start at login");
    s.wait("the autostart entry to go", SHORT, || !entry.exists());
}

#[test]
fn sni_a_second_tray_on_the_workspace_does_not_start() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let second = s
        .desktop
        .command(SYNCTRAY)
        .arg("--workspace")
        .arg(s.ws.root())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
    // Said on the desktop too: a tray started from the app menu has no terminal.
    s.desktop
        .wait_notification("synctray: the tray did not start", Duration::from_secs(5));
    assert!(
        s.desktop
            .notifications()
            .contains("not starting a second tray"),
        "{}",
        s.desktop.notifications()
    );
}

#[test]
fn sni_sigterm_stops_the_tray_cleanly() {
    let Some(mut s) = Session::start(|_| {}) else {
        return;
    };
    // SAFETY: kill(2) on the tray this test started.
    unsafe { libc::kill(s.tray.pid() as libc::pid_t, libc::SIGTERM) };
    let exit = wait_exit(&mut s.tray.child, Duration::from_secs(15))
        .unwrap_or_else(|| panic!("the tray did not stop on SIGTERM\n{}", s.tray.context()));
    assert_eq!(exit.code(), Some(0), "{}", s.tray.context());
    assert!(!s.ws.path("data/.synctray-instance").exists());
    assert!(s.desktop.sni().try_item().is_err(), "the item is gone");
}

/// Without a session bus there is no panel to show the item on (StatusNotifierItems are
/// D-Bus objects): the tray does not start, says why, and exits 2, instead of panicking or
/// running with no icon.
#[test]
fn without_a_session_bus_the_tray_says_so_and_exits_2() {
    if !Parts::XEMBED.present() {
        return;
    }
    let desktop = Desktop::with(Parts::XEMBED);
    let ws = workspace();
    let out = desktop
        .command(SYNCTRAY)
        .arg("--workspace")
        .arg(ws.root())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", desktop.path("no-bus").display()),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = format!("{:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(
        stderr.contains("cannot show the tray: no session bus")
            && stderr.contains("synctray --daemon"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !ws.path("data/.synctray-instance.json").exists(),
        "{stderr}"
    );
    assert!(!ws.path("data/.sync-lock").exists(), "{stderr}");
}

/// On X11 with neither a StatusNotifierItem host nor an XEmbed tray (no panel yet, or
/// none at all), the tray waits for one (30 s; 2 s here), then says what is missing and
/// exits 2, instead of running with an icon nobody sees.
#[test]
fn with_no_panel_at_all_the_tray_says_so_after_the_grace_and_exits_2() {
    let parts = Parts {
        xembed_tray: false,
        sni_host: false,
        notifications: true,
    };
    if !parts.present() {
        return;
    }
    let desktop = Desktop::with(parts);
    let ws = workspace();
    let out = desktop
        .command(SYNCTRAY)
        .arg("--workspace")
        .arg(ws.root())
        .env("SYNCTRAY_TEST_PANEL_GRACE_MS", "2000")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = format!("{:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "synctray: cannot show the tray: no panel shows it: no StatusNotifierItem host \
             (org.kde.StatusNotifierWatcher on the session bus) came within 2 s, and no \
             XEmbed system tray took its icon (or run `synctray --daemon`)"
        ),
        "{stderr}"
    );
    // It stops as Quit does, but there is no menu to choose Quit again in.
    assert!(!stderr.contains("choose Quit again"), "{stderr}");
    let said = desktop.notified("synctray: the tray did not start");
    assert_eq!(said.len(), 1, "{said:?}\n{stderr}");
    assert!(!ws.lock_exists(), "{stderr}");
    assert!(
        !ws.path("data/.synctray-instance.json").exists(),
        "{stderr}"
    );
}

/// A tray icon and its menu draw nothing with OpenGL: the tray starts GTK without it, so
/// no GL driver (nor Mesa's LLVM) is mapped into it.
#[test]
fn sni_the_tray_maps_no_gl_library() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let pid = s.tray.pid();
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).expect("the tray's maps");
    let gl: Vec<_> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|path| {
            let name = path.rsplit('/').next().unwrap_or_default();
            ["libGL", "libEGL", "libGLX", "libLLVM", "libgallium"]
                .iter()
                .any(|lib| name.starts_with(lib))
        })
        .collect();
    assert!(gl.is_empty(), "the tray maps {gl:?}\n{}", s.tray.context());
}

/// The classic tray: the icon is an X window that trayer embeds, and a click opens the
/// GTK menu. A screenshot of it is left in the target folder (`tray-menu.png`).
#[test]
fn xembed_the_icon_docks_in_trayer_and_a_click_opens_its_menu() {
    if !Parts::XEMBED.present() {
        return;
    }
    let desktop = Desktop::with(Parts::XEMBED);
    let ws = workspace();
    let tray = Tray::start(&desktop, &ws, "tray.log");
    let icon_window = || {
        // The icon's window class ends in the item's id (this desktop holds one tray).
        let out = desktop.xdotool(&["search", "--class", "synctray$"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_owned)
    };
    let geometry = || {
        let window = icon_window()?;
        let out = desktop.xdotool(&["getwindowgeometry", "--shell", &window]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let get = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}="))?.parse::<i32>().ok())
        };
        Some((get("X")?, get("Y")?, get("WIDTH")?, get("HEIGHT")?))
    };
    wait_for(
        "the tray icon",
        LONG,
        || geometry().is_some(),
        || tray.context(),
    );
    let (x, y, w, h) = geometry().unwrap();
    assert!(
        y < 32 && x + w > 700 && w >= 16 && h >= 16,
        "the icon is in the tray at the top right: {x},{y} {w}x{h}"
    );
    wait_for(
        "the tray to be ready",
        LONG,
        || tray.log().contains(": Never synced | Next run"),
        || tray.context(),
    );

    // GTK names the menu's window after the program.
    let program = Path::new(SYNCTRAY_TRAY)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let menu_open = || {
        !desktop
            .xdotool(&[
                "search",
                "--onlyvisible",
                "--classname",
                &format!("^{program}$"),
            ])
            .stdout
            .is_empty()
    };
    let window = icon_window().expect("the icon's window");
    // A click can land before GTK maps the icon for input: click again until it opens.
    let opened = support::proc::wait_until(LONG, || {
        desktop.xdotool(&["mousemove", "--window", &window, "16", "15", "click", "1"]);
        support::proc::wait_until(Duration::from_secs(3), menu_open)
    });
    assert!(
        opened,
        "clicking the tray icon did not open its menu\n{}",
        tray.context()
    );
    std::thread::sleep(Duration::from_millis(300)); // let it draw for the screenshot
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("tray-menu.png");
    desktop.screenshot(&shot);
    // The first entry a person can choose is "Sync now" (the status lines are text).
    assert!(desktop.xdotool(&["key", "Down", "Return"]).status.success());
    wait_for(
        "the menu to close",
        SHORT,
        || !menu_open(),
        || tray.context(),
    );
    wait_for(
        "the run Sync now started",
        LONG,
        || {
            ws.status()
                .is_some_and(|s| s["trigger"] == "manual" && s["status"] == "success")
        },
        || tray.context(),
    );
    // GTK had nothing to complain about on the way (a critical at start was the rule).
    assert!(!tray.log().contains("-CRITICAL"), "{}", tray.context());
    eprintln!("screenshot of the open menu: {}", shot.display());
}

/// In an XEmbed tray the menu is GTK's own: the first time it opens after a change of
/// state that brought a longer line, it is as wide as that line (GTK used to keep the width
/// it had when last shown, and cut the new line and the ▸ arrows at the screen's edge), and
/// it opens no wider the second time.
#[test]
fn xembed_the_menu_is_as_wide_as_its_longest_line_the_first_time_it_opens_after_a_change() {
    if !Parts::XEMBED.present() {
        return;
    }
    let desktop = Desktop::with(Parts::XEMBED);
    let ws = Ws::new(
        r#"{"intervalMinutes": 1440, "catchUp": false, "jobs": [
            {"name": "a-job-whose-rather-long-name-widens-the-menu", "command": "exit 1"}]}"#,
    );
    let tray = Tray::start(&desktop, &ws, "tray.log");
    let program = Path::new(SYNCTRAY_TRAY)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let search = |args: &[&str]| {
        let out = desktop.xdotool(args);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_owned)
    };
    let menu_window = || {
        search(&[
            "search",
            "--onlyvisible",
            "--classname",
            &format!("^{program}$"),
        ])
    };
    let width = |window: &str| {
        let out = desktop.xdotool(&["getwindowgeometry", "--shell", window]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("WIDTH=")?.parse::<i32>().ok())
            .expect("the menu's width")
    };
    wait_for(
        "the tray to be ready",
        LONG,
        || {
            tray.log().contains(": Never synced | Next run")
                && search(&["search", "--class", "synctray$"]).is_some()
        },
        || tray.context(),
    );
    let icon = search(&["search", "--class", "synctray$"]).unwrap();
    // Opens the menu (a click can land before GTK maps the icon for input: again until it
    // opens), reads its width, and closes it.
    let open_width = || {
        let mut window = None;
        let opened = support::proc::wait_until(LONG, || {
            desktop.xdotool(&["mousemove", "--window", &icon, "16", "15", "click", "1"]);
            support::proc::wait_until(Duration::from_secs(3), || {
                window = menu_window();
                window.is_some()
            })
        });
        assert!(opened, "the menu did not open\n{}", tray.context());
        std::thread::sleep(Duration::from_millis(300)); // drawn at its final size
        let wide = width(&window.unwrap());
        assert!(desktop.xdotool(&["key", "Escape"]).status.success());
        wait_for(
            "the menu to close",
            SHORT,
            || menu_window().is_none(),
            || tray.context(),
        );
        wide
    };
    let before = open_width();

    // A failed run: its line names the long job (up to the 48 characters a line holds).
    let out = ws.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    wait_for(
        "the failure in the menu",
        LONG,
        || tray.log().contains("a-job-whose"),
        || tray.context(),
    );
    let first = open_width();
    let second = open_width();
    assert!(
        first > before,
        "the menu did not grow for its longer line: {before} px, then {first} px\n{}",
        tray.context()
    );
    assert_eq!(
        first,
        second,
        "the first opening after the change was not at the final width\n{}",
        tray.context()
    );
}

/// A panel that hosts StatusNotifierItems comes (a panel started, or restarted, after the
/// tray): the item registers with it and the XEmbed icon goes; when the host goes, the
/// XEmbed icon is back, with the same menu.
#[test]
fn xembed_the_icon_gives_way_to_a_status_notifier_host_and_comes_back_when_it_goes() {
    if !Parts::XEMBED.present() || !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::XEMBED);
    let ws = workspace();
    let tray = Tray::start(&desktop, &ws, "tray.log");
    let docked = || {
        !desktop
            .xdotool(&["search", "--onlyvisible", "--class", "synctray$"])
            .stdout
            .is_empty()
    };
    wait_for("the XEmbed icon", LONG, docked, || tray.context());

    let host = support::sni::SniHost::start(&desktop).expect("the StatusNotifierItem host");
    host.wait_registered(LONG);
    wait_for(
        "the XEmbed icon to go",
        SHORT,
        || !docked(),
        || tray.context(),
    );
    let item = host.item();
    assert_eq!(item["Id"], "synctray", "{item}");
    let menu = host.menu();
    assert!(menu.find("Sync now").is_some_and(|i| i.enabled), "{menu}");

    drop(host);
    wait_for("the XEmbed icon to come back", SHORT, docked, || {
        tray.context()
    });
    assert!(
        tray.log()
            .contains("no StatusNotifierWatcher on the bus: showing an XEmbed icon"),
        "{}",
        tray.context()
    );
}

#[test]
fn without_a_display_the_tray_exits_2_and_suggests_the_daemon() {
    let ws = workspace();
    let run = |display: Option<&str>| {
        let mut cmd = Command::new(SYNCTRAY);
        cmd.arg("--workspace")
            .arg(ws.root())
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
    // With nobody left to read the message (a launcher that closed its end), the same.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = Command::new(SYNCTRAY)
        .arg("--workspace")
        .arg(ws.root())
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .stderr(Stdio::from(writer))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2), "{status}");
    assert!(!ws.path("data/.synctray-instance").exists());
}

#[test]
fn a_tray_does_not_start_where_a_daemon_serves_the_workspace() {
    let ws = workspace();
    let mut daemon = ws.daemon();
    let instance = ws.path("data/.synctray-instance");
    wait_for(
        "the daemon's instance lock",
        SHORT,
        || instance.exists(),
        || daemon.log(),
    );
    // The instance lock is checked before the toolkit starts, so no X server is needed.
    let out = ws.cmd(&[]).env("DISPLAY", ":4093").output().unwrap();
    daemon.signal(libc::SIGTERM);
    assert_eq!(daemon.wait_exit(SHORT), Some(0), "{}", daemon.log());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("already running") && stderr.contains("not starting a second tray"),
        "{stderr}"
    );
}

/// Whether this machine can bind-mount a folder read-only in a mount namespace of its own
/// (root, util-linux). Fails under CI when it cannot, else says so and skips.
fn can_remount_read_only() -> bool {
    support::proc::can_run_as_root(
        &[
            "unshare",
            "-m",
            "sh",
            "-c",
            "mount --bind / /mnt && mount -o remount,bind,ro /mnt",
        ],
        "this test needs `unshare -m` and `mount` as root (util-linux)",
    )
}

#[test]
fn daemon_on_read_only_data_says_so_once_and_its_end_replaces_the_notice() {
    let parts = Parts {
        xembed_tray: false,
        sni_host: false,
        notifications: true,
    };
    if !parts.present() || !can_remount_read_only() {
        return;
    }
    let desktop = Desktop::with(parts);
    let ws = Ws::new(r#"{"schedule": "* * * * * *", "jobs": [{"name": "a", "command": "true"}]}"#);
    let data = ws.path("data");
    // The daemon, in a mount namespace of its own where data/ is read-only.
    let mut command = desktop.command("unshare");
    command
        .args([
            "-m",
            "sh",
            "-c",
            r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@""#,
            "sh",
        ])
        .arg(&data)
        .arg(SYNCTRAY)
        .arg("--workspace")
        .arg(ws.root())
        .arg("--daemon")
        .env("SYNCTRAY_LOG", "debug")
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null());
    let mut daemon = ws.start_daemon(command);
    let pid = daemon.pid().to_string();
    let in_namespace = |args: &[&std::ffi::OsStr]| {
        Command::new("nsenter")
            .args(["-t", &pid, "-m"])
            .args(args)
            .output()
            .unwrap()
    };
    let problem = desktop.wait_notification("Cannot sync: data/ is read-only", SHORT);
    assert_eq!(problem["urgency"], 2, "{problem}");
    // `status` as seen where the daemon runs: the problem, in words and since when.
    let status = in_namespace(&[
        SYNCTRAY.as_ref(),
        "--workspace".as_ref(),
        ws.root().as_os_str(),
        "status".as_ref(),
        "--json".as_ref(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["problem"]["what"], "data/ is read-only", "{report}");
    assert!(report["problem"]["since"].is_string(), "{report}");
    // Every second a scheduled run cannot start; it is said once.
    assert!(
        support::proc::wait_until(Duration::from_secs(20), || {
            daemon
                .log()
                .matches(".sync-run.lock: cannot use the lock file")
                .count()
                >= 3
        }),
        "{}",
        daemon.log()
    );
    assert_eq!(
        desktop.notified("Cannot sync: data/ is read-only").len(),
        1,
        "{}",
        desktop.notifications()
    );
    // Writable again: the next run records its result, and the recovery takes the
    // problem's place on screen.
    let remount = in_namespace(&[
        "mount".as_ref(),
        "-o".as_ref(),
        "remount,bind,rw".as_ref(),
        data.as_os_str(),
    ]);
    assert!(remount.status.success(), "{remount:?}");
    let recovered = desktop.wait_notification("Sync recovered", LONG);
    assert_eq!(recovered["replaces"], problem["id"], "{recovered}");
    // The recovery is told when runs can start again; the next run then records itself.
    wait_for(
        "the next run's success",
        LONG,
        || ws.status().is_some_and(|s| s["status"] == "success"),
        || daemon.log(),
    );
    daemon.stop_with(libc::SIGTERM, SHORT);
}

/// The `Notify` calls whose summary starts with `prefix`.
fn notified_starting(desktop: &Desktop, prefix: &str) -> Vec<serde_json::Value> {
    desktop
        .notification_calls()
        .into_iter()
        .filter(|c| {
            c["call"] == "Notify" && c["summary"].as_str().is_some_and(|s| s.starts_with(prefix))
        })
        .collect()
}

/// The session ends under a tray whose job is running, the way `end` ends it: the tray
/// stops as Quit does with the session's short grace (2.5 s, then the job is stopped: well
/// inside what a session waits), exits 0, the run is recorded as interrupted, and no job,
/// no lock and no file in its temporary folder are left. The session, for
/// what a test checks besides.
fn the_session_ends_during_a_job(end: impl FnOnce(&mut Session)) -> Option<Session> {
    let marker = support::proc::sleep_marker(300);
    let mut s = Session::start(|ws| fs::write(ws.path("slow"), &marker).unwrap())?;
    // The panel gets the icon's pixels over D-Bus: no file.
    assert_eq!(
        s.icon_files(),
        Vec::<PathBuf>::new(),
        "the tray writes no icon file"
    );
    s.click("Sync now");
    s.wait("the job's process", SHORT, || {
        !processes_with(&marker).is_empty()
    });

    let ended = std::time::Instant::now();
    end(&mut s);
    let exit = wait_exit(&mut s.tray.child, LONG)
        .unwrap_or_else(|| panic!("the tray did not stop\n{}", s.tray.context()));
    let took = ended.elapsed();
    assert_eq!(exit.code(), Some(0), "{}", s.tray.context());
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "stopped after {took:?}\n{}",
        s.tray.context()
    );
    assert_eq!(processes_with(&marker), Vec::<u32>::new(), "no job is left");
    assert!(!s.ws.lock_exists(), "the run lock is released");
    assert_eq!(s.status()["interrupted"], true, "{}", s.status());
    assert_eq!(
        s.icon_files(),
        Vec::<PathBuf>::new(),
        "nothing is left in the temporary folder"
    );
    Some(s)
}

/// Logout on X11: the display goes away under the tray during a run.
#[test]
fn sni_logout_the_display_lost_during_a_job_records_the_run_and_leaves_nothing() {
    let Some(s) = the_session_ends_during_a_job(|s| s.desktop.kill_display()) else {
        return;
    };
    assert!(
        s.tray.log().contains("the display connection is lost"),
        "{}",
        s.tray.context()
    );
    assert!(!s.ws.path("data/.synctray-instance").exists());
}

/// The session manager's SIGTERM at logout: the run in progress gets the session's 2.5 s,
/// not the 10 s of a stop at the terminal.
#[test]
fn sni_sigterm_during_a_job_gives_it_the_sessions_short_grace() {
    // SAFETY: kill(2) on the tray this test started.
    let sigterm = |s: &mut Session| unsafe {
        libc::kill(s.tray.pid() as libc::pid_t, libc::SIGTERM);
    };
    the_session_ends_during_a_job(sigterm);
}

/// The user these Wayland tests run the session as: sway refuses to run as root.
const NOBODY: u32 = 65534;

/// `program`, run as [`NOBODY`].
fn as_nobody(program: &str) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.arg(format!("--reuid={NOBODY}"))
        .arg(format!("--regid={NOBODY}"))
        .arg("--clear-groups")
        .arg(program);
    cmd
}

/// `path` and everything under it given to [`NOBODY`].
fn give_to_nobody(path: &Path) {
    std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap().flatten() {
            give_to_nobody(&entry.path());
        }
    }
}

/// Processes a test started, killed (and reaped) when it ends, however it ends.
#[derive(Default)]
struct Started(Vec<Child>);

impl Drop for Started {
    fn drop(&mut self) {
        for child in &mut self.0 {
            terminate(child);
        }
    }
}

/// A Wayland session of an ordinary user ([`NOBODY`]: sway refuses root): a real headless
/// sway and a session bus, with what that user runs copied where it can reach it (the
/// checkout may sit in a folder only root can enter, as a CI runner's home). Everything it
/// started is stopped when it is dropped.
struct Wayland {
    dir: tempfile::TempDir,
    runtime: PathBuf,
    /// The compositor's socket, for `WAYLAND_DISPLAY`.
    display: String,
    /// The session bus's address.
    bus: String,
    synctray: PathBuf,
    /// The compositor first.
    started: Started,
}

impl Wayland {
    /// `None` (the test is skipped) when the tools are missing outside CI.
    fn start() -> Option<Wayland> {
        let missing: Vec<_> = ["sway", "setpriv", "dbus-daemon"]
            .into_iter()
            .filter(|tool| !support::proc::on_path(tool))
            .collect();
        if !missing.is_empty() || !Parts::SNI.present() {
            assert!(
                std::env::var_os("CI").is_none(),
                "missing {missing:?}: apt-get install sway util-linux dbus"
            );
            eprintln!("skipped: missing {missing:?} (apt-get install sway)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        support::proc::set_mode(dir.path(), 0o755);
        let runtime = dir.path().join("runtime");
        fs::create_dir(&runtime).unwrap();
        support::proc::set_mode(&runtime, 0o700);
        let config = dir.path().join("sway.conf");
        // No Xwayland: it would take an X display (:0) on the machine, beside the Xvfb of
        // the tests that run at the same time, and remove its socket at the end.
        fs::write(&config, "xwayland disable\n").unwrap();
        give_to_nobody(&runtime);
        // The logs, written by nobody.
        let logs = dir.path().join("logs");
        fs::create_dir(&logs).unwrap();
        give_to_nobody(&logs);
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        for from in [
            SYNCTRAY,
            SYNCTRAY_TRAY,
            support::sni::SniHost::script(),
            NOTIFICATION_SERVER,
        ] {
            let to = bin.join(Path::new(from).file_name().unwrap());
            fs::copy(from, &to).unwrap();
            support::proc::set_mode(&to, 0o755);
        }
        let mut session = Wayland {
            synctray: bin.join("synctray"),
            runtime,
            display: String::new(),
            bus: String::new(),
            started: Started::default(),
            dir,
        };

        let mut sway = as_nobody("sway");
        sway.arg("-c")
            .arg(&config)
            .env("XDG_RUNTIME_DIR", &session.runtime)
            .env("HOME", &session.runtime)
            .env("WLR_BACKENDS", "headless")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(session.log_file("sway.log"))
            .stderr(session.log_file("sway.log"));
        session.started.0.push(sway.spawn().expect("sway starts"));
        let socket = || {
            fs::read_dir(&session.runtime)
                .ok()?
                .flatten()
                .find_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    (name.starts_with("wayland-") && !name.ends_with(".lock")).then_some(name)
                })
        };
        assert!(
            support::proc::wait_until(SHORT, || socket().is_some()),
            "sway did not start: {}",
            session.log("sway.log")
        );
        session.display = socket().unwrap();

        let mut bus = as_nobody("dbus-daemon");
        bus.args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(session.log_file("dbus.log"));
        let mut bus = bus.spawn().expect("dbus-daemon starts");
        let mut address = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(bus.stdout.take().unwrap()),
            &mut address,
        )
        .unwrap();
        session.started.0.push(bus);
        session.bus = address.trim().to_owned();
        Some(session)
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.dir.path().join("bin").join(name)
    }

    fn log_file(&self, name: &str) -> fs::File {
        fs::File::create(self.dir.path().join("logs").join(name)).unwrap()
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.dir.path().join("logs").join(name)).unwrap_or_default()
    }

    /// The panel's StatusNotifierItem host, on the session's bus.
    fn sni_host(&self) -> support::sni::SniHost {
        let script = self.bin(
            Path::new(support::sni::SniHost::script())
                .file_name()
                .unwrap()
                .to_str()
                .unwrap(),
        );
        let mut host = as_nobody(script.to_str().unwrap());
        host.env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
        support::sni::SniHost::start_as(host, &self.dir.path().join("sni-host.log"))
            .expect("the StatusNotifierItem host")
    }

    /// A notification server that records each call in its log ([`Wayland::notified`]).
    fn notification_server(&mut self) {
        let script = self.bin(
            Path::new(NOTIFICATION_SERVER)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap(),
        );
        let mut server = as_nobody(script.to_str().unwrap());
        server
            .arg(self.dir.path().join("logs/notifications.log"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdout(self.log_file("notification-server.log"))
            .stderr(Stdio::null());
        self.started
            .0
            .push(server.spawn().expect("the notification server starts"));
        assert!(
            support::proc::wait_until(SHORT, || self
                .log("notification-server.log")
                .contains(r#"{"ready": true}"#)),
            "the notification server did not start"
        );
    }

    /// The summaries and bodies of the notifications asked for so far.
    fn notified(&self) -> Vec<(String, String)> {
        self.log("notifications.log")
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|call| call["call"] == "Notify")
            .map(|call| {
                let text = |key: &str| call[key].as_str().unwrap_or_default().to_owned();
                (text("summary"), text("body"))
            })
            .collect()
    }

    /// The tray on `ws` (given to nobody), on the compositor through GDK's Wayland backend,
    /// its debug log in `tray.log`, with `env` added.
    fn tray(&self, ws: &Ws, env: &[(&str, &str)]) -> Child {
        give_to_nobody(ws.root());
        support::proc::set_mode(ws.root(), 0o755);
        let mut tray = as_nobody(self.synctray.to_str().unwrap());
        tray.arg("--workspace")
            .arg(ws.root())
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("HOME", &self.runtime)
            .env("WAYLAND_DISPLAY", &self.display)
            .env("GDK_BACKEND", "wayland")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("SYNCTRAY_LOG", "debug")
            .env("NO_AT_BRIDGE", "1")
            .envs(env.iter().copied())
            .env_remove("DISPLAY")
            .env_remove("SYNCTRAY_WORKSPACE")
            .stderr(self.log_file("tray.log"));
        tray.spawn().expect("the tray starts")
    }

    /// The tray's log, for failure messages.
    fn context(&self) -> String {
        format!("--- tray log ---\n{}", self.log("tray.log"))
    }
}

/// Logout on Wayland: a real headless sway (as an ordinary user, as sway requires), a
/// session bus and a StatusNotifierItem host; the compositor goes away during a run. The
/// tray stops as Quit does with the session's short grace, exits 0, records the run as
/// interrupted, and leaves no job, no lock and no instance file (GDK used to end the
/// process at once, leaving all three).
#[test]
fn wayland_logout_the_compositor_gone_during_a_job_records_the_run_and_leaves_nothing() {
    let Some(mut session) = Wayland::start() else {
        return;
    };
    let host = session.sni_host();

    // The tray, on a workspace whose second job sleeps.
    let ws = workspace();
    let marker = support::proc::sleep_marker(300);
    fs::write(ws.path("slow"), &marker).unwrap();
    let mut tray = session.tray(&ws, &[]);
    let context = || session.context();
    host.wait_registered(LONG);
    wait_for(
        "Sync now",
        LONG,
        || host.menu().find("Sync now").is_some_and(|i| i.enabled),
        context,
    );
    host.click("Sync now");
    wait_for(
        "the job's process",
        SHORT,
        || !processes_with(&marker).is_empty(),
        context,
    );

    // Logout: the compositor goes.
    let ended = std::time::Instant::now();
    terminate(&mut session.started.0[0]);
    let exit = wait_exit(&mut tray, LONG).unwrap_or_else(|| {
        let _ = tray.kill();
        panic!("the tray did not stop\n{}", session.context())
    });
    let took = ended.elapsed();
    assert_eq!(exit.code(), Some(0), "{exit:?}\n{}", session.context());
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "stopped after {took:?}\n{}",
        session.context()
    );
    assert!(
        session.context().contains("the display connection is lost"),
        "{}",
        session.context()
    );
    assert_eq!(processes_with(&marker), Vec::<u32>::new(), "no job is left");
    assert!(!ws.lock_exists(), "the run lock is released");
    assert!(!ws.path("data/.sync-lock.json").exists());
    assert!(!ws.path("data/.synctray-instance.json").exists());
    let status = ws.status().unwrap_or_default();
    assert_eq!(status["interrupted"], true, "{status}");
}

/// On Wayland with no StatusNotifierItem host (no `org.kde.StatusNotifierWatcher` on the
/// bus) nothing can show the icon: GTK's XEmbed icon needs an X11 display. The tray waits
/// for a panel (30 s; 3 s here), then says what is missing on stderr and in a
/// notification, stops as Quit does, and exits 2, leaving no lock and no instance file:
/// never a tray with no icon that nobody can see or quit.
#[test]
fn wayland_without_a_status_notifier_host_the_tray_says_so_and_exits_2() {
    let Some(mut session) = Wayland::start() else {
        return;
    };
    session.notification_server();
    let ws = workspace();
    let started = std::time::Instant::now();
    let mut tray = session.tray(&ws, &[("SYNCTRAY_TEST_PANEL_GRACE_MS", "3000")]);
    let exit = wait_exit(&mut tray, LONG).unwrap_or_else(|| {
        let _ = tray.kill();
        panic!("the tray did not stop\n{}", session.context())
    });
    let took = started.elapsed();
    let log = session.context();
    assert_eq!(exit.code(), Some(2), "{exit:?}\n{log}");
    assert!(
        took >= Duration::from_secs(3),
        "stopped after {took:?}\n{log}"
    );
    assert!(
        log.contains(
            "synctray: cannot show the tray: no panel shows it: no StatusNotifierItem host \
             (org.kde.StatusNotifierWatcher on the session bus) came within 3 s, and a \
             Wayland display has no XEmbed system tray (or run `synctray --daemon`)"
        ),
        "{log}"
    );
    assert!(!log.contains("panicked"), "{log}");
    let said = session.notified();
    assert!(
        said.iter().any(
            |(summary, body)| summary == "synctray: the tray did not start"
                && body.contains("no StatusNotifierItem host")
        ),
        "{said:?}\n{log}"
    );
    assert!(!ws.lock_exists(), "{log}");
    assert!(!ws.path("data/.synctray-instance.json").exists(), "{log}");
}

/// At login the panel often starts after the tray: a StatusNotifierItem host that comes
/// within the grace gets the item, and the tray serves on as usual (past the grace too).
#[test]
fn wayland_a_status_notifier_host_that_comes_during_the_grace_shows_the_tray() {
    let Some(session) = Wayland::start() else {
        return;
    };
    let ws = workspace();
    let mut tray = session.tray(&ws, &[("SYNCTRAY_TEST_PANEL_GRACE_MS", "4000")]);
    std::thread::sleep(Duration::from_secs(2));
    let host = session.sni_host();
    host.wait_registered(LONG);
    let context = || session.context();
    wait_for(
        "Sync now",
        LONG,
        || host.menu().find("Sync now").is_some_and(|i| i.enabled),
        context,
    );
    // Past the grace: still running, and a click still works.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        tray.try_wait().unwrap().is_none(),
        "the tray ended\n{}",
        session.context()
    );
    host.click("Sync now");
    wait_for(
        "the run",
        LONG,
        || ws.status().is_some_and(|s| s["lastSync"].is_string()),
        context,
    );
    assert!(
        !session.context().contains("cannot show the tray"),
        "{}",
        session.context()
    );
    terminate(&mut tray);
}

/// A tray started on a workspace whose config does not load still shows its icon, in the
/// error state, with the reason and the items that fix it, says so once on the desktop,
/// and serves the workspace as soon as the file is fixed.
#[test]
fn sni_a_tray_whose_config_does_not_load_shows_why_and_serves_it_once_fixed() {
    let Some(s) = Session::start_registered(|ws| {
        fs::copy(ws.config_path(), ws.path("good.json")).unwrap();
        ws.write_config(r#"{ "intervalMinutes": "often" }"#);
    }) else {
        return;
    };
    let menu = s.wait_menu("why it cannot sync", SHORT, |m| {
        m.children.get(1).is_some_and(|l| {
            l.label
                .starts_with("✗ Cannot sync: the configuration does not load: ")
                && l.label.contains("intervalMinutes")
        })
    });
    assert!(!menu.find("Sync now").unwrap().enabled, "{menu}");
    for fix in ["Edit configuration…", "Open workspace folder", "Quit"] {
        assert!(
            menu.find(fix).is_some_and(|i| i.enabled),
            "no {fix:?} in\n{menu}"
        );
    }
    assert!(s.tray.log().contains("icon: error"), "{}", s.tray.context());
    s.wait("the problem's notification", SHORT, || {
        !notified_starting(&s.desktop, "Cannot sync: the configuration does not load").is_empty()
    });
    let problem = notified_starting(&s.desktop, "Cannot sync:").remove(0);
    assert_eq!(problem["urgency"], 2, "{problem}");

    fs::copy(s.ws.path("good.json"), s.ws.config_path()).unwrap();
    s.wait_menu("the workspace served", SHORT, |m| {
        m.children[1].label == "Never synced"
            && m.children[2].label.starts_with("Next run ")
            && m.find("Sync now").is_some_and(|i| i.enabled)
    });
    let recovered = s.desktop.wait_notification("Sync recovered", SHORT);
    assert_eq!(recovered["replaces"], problem["id"], "{recovered}");
    assert_eq!(
        notified_starting(&s.desktop, "Cannot sync:").len(),
        1,
        "{}",
        s.desktop.notifications()
    );
    // Served for real: a run happens and is recorded.
    s.click("Sync now");
    s.wait("the run", LONG, || s.status()["status"] == "success");
    assert!(s.ws.path("data/.synctray-instance").exists());
}

/// "Edit configuration…" and "Open workspace folder" hand the file and the folder to the
/// desktop's opener; an opener that fails says so in a notification, with the path.
#[test]
fn sni_edit_configuration_and_open_workspace_folder_and_a_failing_opener_is_told() {
    let Some(s) = Session::start(|ws| {
        stand_in_opener(ws);
    }) else {
        return;
    };
    let opened = s.ws.path("bin/opened");
    let asked = || -> Vec<String> {
        fs::read_to_string(&opened)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    s.click("Edit configuration…");
    s.wait("the opener to get the config", SHORT, || asked().len() == 1);
    assert_eq!(asked()[0], s.ws.config_path().display().to_string());
    s.click("Open workspace folder");
    s.wait("the opener to get the folder", SHORT, || asked().len() == 2);
    assert_eq!(asked()[1], s.ws.root().display().to_string());
    assert!(
        notified_starting(&s.desktop, "synctray: cannot open").is_empty(),
        "{}",
        s.desktop.notifications()
    );

    fs::write(s.ws.path("bin/fail"), "").unwrap();
    s.click("Edit configuration…");
    let failed = s
        .desktop
        .wait_notification("synctray: cannot open sync.json", SHORT);
    let body = failed["body"].as_str().unwrap_or_default();
    assert!(
        body.contains(&s.ws.config_path().display().to_string()),
        "{failed}"
    );
    assert!(body.contains("xdg-open"), "{failed}");
    // Something to fix that stops nothing: the warning icon, not the sync one.
    assert_eq!(failed["icon"], "dialog-warning", "{failed}");
}

/// A warning that a config edit brings (a typo'd key) is told once while the tray runs:
/// a notification naming the fix in a sentence, and a line in the menu with the fix first
/// (`⚠ intervalMinuts → intervalMinutes?`, never cut); the same warning again is not.
#[test]
fn sni_a_new_config_warning_is_told_once() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let mut config = s.ws.config();
    config["intervalMinuts"] = 5.into();
    s.ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    let warned = s
        .desktop
        .wait_notification("synctray: check the configuration", SHORT);
    assert!(
        warned["body"].as_str().is_some_and(
            |b| b.contains("intervalMinuts: unknown key (did you mean intervalMinutes?)")
        ),
        "{warned}"
    );
    // The menu line is short, the fix first: one line, nothing cut.
    let menu = s.wait_menu("the warning", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.contains("intervalMinuts"))
    });
    let lines: Vec<&str> = menu
        .children
        .iter()
        .map(|l| l.label.as_str())
        .filter(|l| l.contains("intervalMinuts"))
        .collect();
    assert_eq!(lines, ["⚠ intervalMinuts → intervalMinutes?"], "{menu}");
    assert!(!menu.to_string().contains("unknown key"), "{menu}");

    // Another edit that keeps the typo: nothing new to say.
    config["catchUp"] = true.into();
    s.ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    s.wait("the edit to be read", SHORT, || {
        s.tray.log().matches("reloaded").count() >= 2
    });
    assert_eq!(
        s.desktop
            .notified("synctray: check the configuration")
            .len(),
        1,
        "{}",
        s.desktop.notifications()
    );
}

/// The PATH check that `synctray check` makes is made with the config, so the tray tells
/// it too: a job added whose program is nowhere on PATH is notified and shown in the menu.
#[test]
fn sni_a_job_whose_program_is_not_on_path_is_told_by_the_tray() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let mut config = s.ws.config();
    config["jobs"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "lost", "command": ["no-such-program-synctray"]}));
    s.ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    let warned = s
        .desktop
        .wait_notification("synctray: check the configuration", SHORT);
    assert!(
        warned["body"]
            .as_str()
            .is_some_and(|b| b.contains(r#"jobs.lost: "no-such-program-synctray" is not on PATH"#)),
        "{warned}"
    );
    s.wait_menu("the warning", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.starts_with("⚠ config: jobs.lost"))
    });
}

/// A failing workspace whose desktop has a stand-in opener, its failure notified: the
/// session, and the failure's notification.
fn failed_with_opener() -> Option<(Session, serde_json::Value)> {
    let s = Session::start(|ws| {
        fs::write(ws.path("broken"), "").unwrap();
        stand_in_opener(ws);
    })?;
    s.click("Sync now");
    let failed = s.desktop.wait_notification("Sync failed: second", LONG);
    s.wait_idle();
    // The server advertises actions: the failure offers its two.
    assert_eq!(
        failed["actions"],
        serde_json::json!([
            "show-log",
            "Show log",
            "sync-now",
            "Sync now",
            "pause-1h",
            "Pause 1 h"
        ]),
        "{failed}"
    );
    Some((s, failed))
}

#[test]
fn sni_show_log_on_a_failures_notification_opens_that_runs_log() {
    let Some((s, failed)) = failed_with_opener() else {
        return;
    };
    s.desktop
        .invoke_action(failed["id"].as_u64().unwrap(), "show-log");
    let opened = s.ws.path("bin/opened");
    s.wait("the opener to be asked", SHORT, || opened.exists());
    let path = PathBuf::from(fs::read_to_string(&opened).unwrap().trim());
    assert!(
        path.starts_with(s.ws.path("data/logs")),
        "{}",
        path.display()
    );
    let log = fs::read_to_string(&path).unwrap();
    assert!(log.contains("Error: the data source is broken"), "{log}");
}

#[test]
fn sni_pause_1_h_on_a_failures_notification_pauses_for_an_hour() {
    let Some((s, failed)) = failed_with_opener() else {
        return;
    };
    let before = chrono::Utc::now();
    s.desktop
        .invoke_action(failed["id"].as_u64().unwrap(), "pause-1h");
    s.wait("pausedUntil in the file", SHORT, || {
        s.ws.config().get("pausedUntil").is_some()
    });
    let until =
        chrono::DateTime::parse_from_rfc3339(s.ws.config()["pausedUntil"].as_str().unwrap())
            .unwrap()
            .to_utc();
    let hour = before + chrono::TimeDelta::hours(1);
    assert!(
        until >= hour - chrono::TimeDelta::seconds(1)
            && until <= hour + chrono::TimeDelta::seconds(10),
        "{until}"
    );
    s.wait_menu("paused until", SHORT, |m| {
        m.children[2].label.starts_with("Paused until ")
    });
}

#[test]
fn sni_sync_now_on_a_failures_notification_runs_again() {
    let Some((s, failed)) = failed_with_opener() else {
        return;
    };
    fs::remove_file(s.ws.path("broken")).unwrap();
    s.desktop
        .invoke_action(failed["id"].as_u64().unwrap(), "sync-now");
    s.wait("the run the notification asked for", LONG, || {
        s.status()["status"] == "success"
    });
    assert_eq!(s.status()["trigger"], "manual", "{}", s.status());
    let recovered = s.desktop.wait_notification("Sync recovered", SHORT);
    assert_eq!(recovered["id"], failed["id"], "{recovered}");
}

/// Three workspaces from the person's list in one tray, as an SNI host shows them: a line
/// per workspace opening its submenu, then the items for all; one icon showing the worst
/// state; notifications naming the workspace; "Sync all now"; a workspace removed from
/// the list leaves the menu; "Start at login" is one entry, for the list.
#[test]
fn sni_three_listed_workspaces_in_one_tray() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let [alpha, beta, gamma] = [workspace(), workspace(), workspace()];
    fs::write(beta.path("broken"), "").unwrap();
    let list = desktop.home().join(".config/synctray/workspaces.json");
    fs::create_dir_all(list.parent().unwrap()).unwrap();
    let entry = |name: &str, ws: &Ws| serde_json::json!({ "name": name, "path": ws.root() });
    fs::write(
        &list,
        serde_json::json!({ "workspaces": [entry("alpha", &alpha), entry("beta", &beta), entry("gamma", &gamma)] })
            .to_string(),
    )
    .unwrap();
    let tray = Tray::start_with(&desktop, None, &[], "tray.log");
    let sni = desktop.sni();
    sni.wait_registered(LONG);
    let wait_menu = |what: &str, check: &dyn Fn(&MenuItem) -> bool| -> MenuItem {
        let mut last = None;
        let held = support::proc::wait_until(LONG, || {
            let menu = sni.menu();
            let ok = check(&menu);
            last = Some(menu);
            ok
        });
        let menu = last.unwrap();
        assert!(
            held,
            "waiting for {what}; the menu shows\n{menu}\n{}",
            tray.context()
        );
        menu
    };
    let menu = wait_menu("a line per workspace", &|m| {
        let top = labels(m);
        top.len() == 9
            && top[0].starts_with("alpha: Never synced · next ")
            && top[1].starts_with("beta: ")
            && top[2].starts_with("gamma: ")
    });
    assert_eq!(
        labels(&menu)[3..],
        [
            "---",
            "Sync all now",
            "Pause all",
            "Start at login",
            "---",
            "Quit"
        ],
        "{menu}"
    );
    let alpha_menu = labels(&menu.children[0]);
    for item in [
        "Sync now",
        "Change interval",
        "Pause scheduled syncs",
        "Recent runs",
        "Open logs",
        "Edit configuration…",
        "Open workspace folder",
    ] {
        assert!(
            alpha_menu.iter().any(|l| l == item),
            "no {item:?} in alpha's submenu:\n{menu}"
        );
    }

    sni.click("Sync all now");
    support::proc::wait_for(
        "the three runs",
        LONG,
        || {
            [&alpha, &beta, &gamma]
                .iter()
                .all(|ws| ws.status().is_some())
        },
        || tray.context(),
    );
    assert_eq!(alpha.status().unwrap()["status"], "success");
    assert_eq!(beta.status().unwrap()["status"], "error");
    let menu = wait_menu("each workspace's result", &|m| {
        let top = labels(m);
        top[0].starts_with("alpha: ✓ ")
            && top[1].starts_with("beta: ✗ ")
            && top[2].starts_with("gamma: ✓ ")
    });
    // The icon shows the worst of the three.
    support::proc::wait_for(
        "the error icon",
        SHORT,
        || tray.log().contains("icon: error"),
        || tray.context(),
    );
    desktop.wait_notification("beta: Sync failed: second", SHORT);
    drop(menu);
    // The tooltip says how many it serves, then a line each, the failing one first.
    let (title, text) = tooltip(&sni.item());
    assert_eq!(title, "synctray — 3 workspaces");
    assert!(text.starts_with("beta: ✗ "), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");

    // Removed from the list (as `synctray remove` does): gone from the menu.
    let removed = desktop
        .command(support::ws::SYNCTRAY)
        .args(["remove", "gamma"])
        .status()
        .unwrap();
    assert!(removed.success());
    wait_menu("gamma gone", &|m| {
        let top = labels(m);
        top.len() == 8 && top[0].starts_with("alpha: ") && top[1].starts_with("beta: ")
    });

    // One login entry, for the list: it names no workspace.
    sni.click("Start at login");
    let autostart = desktop.home().join(".config/autostart/synctray.desktop");
    support::proc::wait_for(
        "the autostart entry",
        SHORT,
        || autostart.exists(),
        || tray.context(),
    );
    let text = fs::read_to_string(&autostart).unwrap();
    assert!(
        text.contains(&format!("Exec=\"{SYNCTRAY_TRAY}\"\n")),
        "{text}"
    );
    assert!(!text.contains("--workspace"), "{text}");
    wait_menu("Start at login checked", &|m| {
        m.find("Start at login").is_some_and(MenuItem::checked)
    });
}

/// A workspace a daemon already serves, in a tray of two: shown from its files as served
/// by the daemon, not scheduled twice, and its Sync now still runs (here, under the lock).
#[test]
fn sni_a_workspace_the_daemon_serves_is_shown_not_scheduled_and_sync_now_works() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let [served, mine] = [workspace(), workspace()];
    let mut daemon = served.daemon();
    support::proc::wait_for(
        "the daemon's instance lock",
        SHORT,
        || served.path("data/.synctray-instance").exists(),
        || daemon.log(),
    );
    let tray = Tray::start_with(
        &desktop,
        None,
        &[
            "--workspace",
            served.root().to_str().unwrap(),
            "--workspace",
            mine.root().to_str().unwrap(),
        ],
        "tray.log",
    );
    let sni = desktop.sni();
    sni.wait_registered(LONG);
    let pid = daemon.pid();
    let mut menu = None;
    let shown = support::proc::wait_until(LONG, || {
        let m = sni.menu();
        let ok = m.children.first().is_some_and(|line| {
            line.children
                .iter()
                .any(|c| c.label == format!("Served by another synctray (pid {pid})"))
        });
        menu = Some(m);
        ok
    });
    let menu = menu.unwrap();
    assert!(
        shown,
        "the daemon's workspace is shown as served by it\n{menu}\n{}",
        tray.context()
    );
    let sync_now = menu.children[0]
        .children
        .iter()
        .find(|c| c.label == "Sync now")
        .expect("its Sync now")
        .clone();
    sni.click_item(&sync_now);
    support::proc::wait_for(
        "the manual run",
        LONG,
        || served.status().is_some_and(|s| s["trigger"] == "manual"),
        || tray.context(),
    );
    assert_eq!(served.status().unwrap()["status"], "success");
    assert!(
        served.path("data/.synctray-instance").exists(),
        "the daemon still serves it"
    );
    daemon.stop_with(libc::SIGTERM, SHORT);
}

/// Data gone stale: the last success 3 h ago, overdue after 60 min. The tray shows the
/// stale icon and the age in its first line, one notification says so, `status --json`
/// agrees, and a success recovers it in the notification's place.
#[test]
fn sni_stale_data_shows_its_age_once_and_a_success_recovers_it() {
    let Some(s) = Session::start_registered(|ws| {
        let mut config = ws.config();
        config["overdueAfterMinutes"] = 60.into();
        ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
        let then = (chrono::Utc::now() - chrono::TimeDelta::hours(3))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        fs::write(
            ws.path("data/sync-status.json"),
            format!(r#"{{"lastSync":"{then}","status":"success","startedAt":"{then}","lastSuccess":"{then}"}}"#),
        )
        .unwrap();
    }) else {
        return;
    };
    s.wait_menu("the data's age", LONG, |m| {
        m.children[1]
            .label
            .starts_with("⚠ Data is 3 h old (last success ")
    });
    s.wait("the stale icon", SHORT, || {
        s.tray.log().contains("icon: stale")
    });
    let stale = s.desktop.wait_notification("Data is 3 h old", SHORT);
    let item = s.desktop.sni().item();
    assert_eq!(item["Status"], "NeedsAttention", "{item}");
    assert!(tooltip(&item).1.starts_with("⚠ Data is 3 h old"), "{item}");
    assert_eq!(pixmap_sizes(&item), [16, 22, 24, 32, 48, 64], "{item}");
    let status: serde_json::Value =
        serde_json::from_slice(&s.ws.run(&["status", "--json"]).stdout).unwrap();
    assert_eq!(status["overdue"], true, "{status}");
    assert!(status["lastSuccess"].is_string(), "{status}");

    s.click("Sync now");
    s.wait("the run", LONG, || {
        s.status()["lastSuccess"] != s.status()["startedAt"]
            && s.status()["status"] == "success"
            && s.status()["trigger"] == "manual"
    });
    let recovered = s.desktop.wait_notification("Sync recovered", SHORT);
    assert_eq!(recovered["replaces"], stale["id"], "{recovered}");
    s.wait_menu("fresh data", SHORT, |m| {
        m.children[1].label.starts_with("✓ Last sync ")
    });
    let item = s.desktop.sni().item();
    assert_eq!(item["Status"], "Active", "{item}");
    assert_eq!(
        s.desktop.notified("Data is 3 h old").len(),
        1,
        "{}",
        s.desktop.notifications()
    );
}

/// A tray started on a workspace whose last run failed 3 h ago, its last success a little
/// before (overdue after 60 min):
/// the failure is the headline, in the menu and in one notification with its actions, the
/// age added; never "Data is 3 h old" first and the failure over it.
#[test]
fn sni_a_failure_that_made_the_data_stale_stays_the_headline_with_the_age() {
    let Some(s) = Session::start_registered(|ws| {
        let mut config = ws.config();
        config["overdueAfterMinutes"] = 60.into();
        ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
        let then = (chrono::Utc::now() - chrono::TimeDelta::hours(3))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let ok = (chrono::Utc::now() - chrono::TimeDelta::minutes(190))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        fs::write(
            ws.path("data/sync-status.json"),
            format!(
                r#"{{"lastSync":"{then}","status":"error","startedAt":"{then}","lastSuccess":"{ok}",
                    "error":"second: exited with code 1",
                    "jobs":[{{"name":"first","status":"success"}},{{"name":"second","status":"error","reason":"exited with code 1"}}]}}"#
            ),
        )
        .unwrap();
    }) else {
        return;
    };
    let menu = s.wait_menu("the failure with the data's age", LONG, |m| {
        m.children[1].label.starts_with("✗ Last sync ")
            && m.children[1]
                .label
                .ends_with(" · failed: second · data 3 h old")
    });
    let failed = s.desktop.wait_notification("Sync failed: second", SHORT);
    assert!(
        failed["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("exited with code 1\nFailed at ")
                && b.ends_with(" · data 3 h old")),
        "{failed}"
    );
    assert_eq!(
        failed["actions"],
        serde_json::json!([
            "show-log",
            "Show log",
            "sync-now",
            "Sync now",
            "pause-1h",
            "Pause 1 h"
        ]),
        "{failed}"
    );
    // A while later: still only that one.
    std::thread::sleep(Duration::from_secs(3));
    let calls: Vec<_> = s
        .desktop
        .notification_calls()
        .into_iter()
        .filter(|c| c["call"] == "Notify")
        .collect();
    assert_eq!(calls.len(), 1, "{}\n{menu}", s.desktop.notifications());
}

/// Workspaces with the longest names allowed (64 characters): each line of the menu stays
/// readable (at most 48 characters), the name elided in the middle and the state kept.
#[test]
fn sni_long_workspace_names_are_elided_in_the_middle_and_the_state_stays_in_sight() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let [alpha, beta] = [workspace(), workspace()];
    let list = desktop.home().join(".config/synctray/workspaces.json");
    fs::create_dir_all(list.parent().unwrap()).unwrap();
    let long = |start: &str| format!("{start}{}-end", "x".repeat(64 - start.len() - 4));
    let entry = |name: &str, ws: &Ws| serde_json::json!({ "name": name, "path": ws.root() });
    fs::write(
        &list,
        serde_json::json!({ "workspaces": [entry(&long("alpha"), &alpha), entry(&long("beta"), &beta)] })
            .to_string(),
    )
    .unwrap();
    let tray = Tray::start_with(&desktop, None, &[], "tray.log");
    let sni = desktop.sni();
    sni.wait_registered(LONG);
    let mut menu = None;
    let held = support::proc::wait_until(LONG, || {
        let m = sni.menu();
        // Both workspaces served: a view starts out "Never synced" before its first
        // snapshot, with no next run yet.
        let ok = labels(&m)
            .iter()
            .take(2)
            .filter(|l| l.contains("Never synced · next "))
            .count()
            == 2;
        menu = Some(m);
        ok
    });
    let menu = menu.unwrap();
    assert!(held, "{menu}\n{}", tray.context());
    let top = labels(&menu);
    for (line, start) in top[..2].iter().zip(["alpha", "beta"]) {
        assert!(line.chars().count() <= 48, "{line:?}\n{menu}");
        assert!(line.starts_with(start) && line.contains("…"), "{line:?}");
        assert!(line.contains("-end: Never synced · next "), "{line:?}");
    }
}

/// Change interval while the file does not load: the menu line and a notification say
/// why, the file is left as it is, and the check marks show the interval in force.
#[test]
fn sni_a_refused_change_of_interval_says_why_and_the_checks_show_the_interval_in_force() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let mut config = s.ws.config();
    config["catchUp"] = "yes".into();
    let bad = serde_json::to_string_pretty(&config).unwrap();
    s.ws.write_config(&bad);
    s.wait_menu("the bad edit", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.starts_with("⚠ Config not applied"))
    });
    s.click("Every 30 min");
    let refused = s
        .desktop
        .wait_notification("synctray: interval not changed", SHORT);
    assert!(
        refused["body"]
            .as_str()
            .is_some_and(|b| b.contains("catchUp must be") && b.contains("Fix the file first")),
        "{refused}"
    );
    let menu = s.wait_menu("why the interval did not change", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.starts_with("⚠ Interval not changed: catchUp"))
    });
    assert!(menu.find("Every 24 h").unwrap().checked(), "{menu}");
    assert!(!menu.find("Every 30 min").unwrap().checked(), "{menu}");
    assert_eq!(fs::read_to_string(s.ws.config_path()).unwrap(), bad);
}

/// A tray whose workspace's config does not load at start: Change interval is refused in
/// words, and no interval is checked (none is in force).
#[test]
fn sni_change_interval_on_a_workspace_that_cannot_be_served_says_why() {
    let Some(s) = Session::start_registered(|ws| {
        ws.write_config("{ \"intervalMinutes\": ");
    }) else {
        return;
    };
    let menu = s.wait_menu("the problem", LONG, |m| {
        m.children.iter().any(|l| {
            l.label
                .starts_with("✗ Cannot sync: the configuration does not load")
        })
    });
    assert!(
        !menu.find("Every 15 min").unwrap().checked()
            && !menu.find("Every 24 h").unwrap().checked(),
        "{menu}"
    );
    s.click("Every 30 min");
    s.desktop
        .wait_notification("synctray: interval not changed", SHORT);
    s.wait_menu("why the interval did not change", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.starts_with("⚠ Interval not changed:"))
    });
    let menu = s.menu();
    assert!(!menu.find("Every 30 min").unwrap().checked(), "{menu}");
}

/// "Pause all", then un-pausing it, resumes only what it paused: a workspace paused on its
/// own before stays paused.
#[test]
fn sni_pause_all_restores_exactly_what_it_changed() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let [alpha, beta] = [workspace(), workspace()];
    let mut config = beta.config();
    config["paused"] = true.into();
    beta.write_config(&serde_json::to_string_pretty(&config).unwrap());
    let list = desktop.home().join(".config/synctray/workspaces.json");
    fs::create_dir_all(list.parent().unwrap()).unwrap();
    let entry = |name: &str, ws: &Ws| serde_json::json!({ "name": name, "path": ws.root() });
    fs::write(
        &list,
        serde_json::json!({ "workspaces": [entry("alpha", &alpha), entry("beta", &beta)] })
            .to_string(),
    )
    .unwrap();
    let tray = Tray::start_with(&desktop, None, &[], "tray.log");
    let sni = desktop.sni();
    sni.wait_registered(LONG);
    let wait_menu = |what: &str, check: &dyn Fn(&MenuItem) -> bool| {
        let mut last = None;
        let held = support::proc::wait_until(LONG, || {
            let menu = sni.menu();
            let ok = check(&menu);
            last = Some(menu);
            ok
        });
        assert!(
            held,
            "waiting for {what}:\n{}\n{}",
            last.unwrap(),
            tray.context()
        );
    };
    wait_menu("both lines", &|m| {
        let top = labels(m);
        top[0].starts_with("alpha: Never synced") && top[1] == "beta: Paused"
    });
    sni.click("Pause all");
    wait_menu("all paused", &|m| {
        m.find("Pause all").is_some_and(MenuItem::checked) && labels(m)[0] == "alpha: Paused"
    });
    assert_eq!(alpha.config()["paused"], true);
    sni.click("Pause all");
    wait_menu("alpha resumed", &|m| {
        labels(m)[0].starts_with("alpha: Never synced") && !m.find("Pause all").unwrap().checked()
    });
    assert_eq!(alpha.config()["paused"], false);
    assert_eq!(beta.config()["paused"], true, "beta was paused on its own");
    wait_menu("beta still paused", &|m| labels(m)[1] == "beta: Paused");
}

/// The workspace folder goes away (moved, as an unmount or a deletion looks) under a
/// running tray: within 2 s the menu says so by its path and Sync now is off; within a
/// second of its return the tray serves it again.
#[test]
fn sni_a_workspace_folder_that_goes_away_is_noticed_at_once_and_its_return_too() {
    let Some(s) = Session::start(|_| {}) else {
        return;
    };
    let root = s.ws.root().to_owned();
    let away = root.with_extension("away");
    fs::rename(&root, &away).unwrap();
    let gone = format!(
        "✗ Cannot sync: the workspace folder {} is gone",
        root.display()
    );
    let started = std::time::Instant::now();
    let menu = s.wait_menu("the folder gone", Duration::from_secs(2), |m| {
        m.children.iter().any(|l| l.label == gone)
    });
    assert!(!menu.find("Sync now").unwrap().enabled, "{menu}");
    eprintln!("noticed in {:?}", started.elapsed());
    fs::rename(&away, &root).unwrap();
    let started = std::time::Instant::now();
    let menu = s.wait_menu("the folder back", Duration::from_millis(1500), |m| {
        !m.children
            .iter()
            .any(|l| l.label.starts_with("✗ Cannot sync"))
            && m.find("Sync now").is_some_and(|i| i.enabled)
    });
    eprintln!("back in {:?}", started.elapsed());
    // Served again: a run works, and its edits are watched.
    s.click("Sync now");
    s.wait("the run", LONG, || s.status()["status"] == "success");
    drop(menu);
}

/// A tray beside a daemon: the daemon's failure notification offers Show log and Sync now
/// and acts on them; the tray's menu for the workspace the daemon serves lists its
/// Recent runs, as for a workspace the tray serves itself.
#[test]
fn sni_beside_a_daemon_recent_runs_are_shown_and_the_daemons_failure_offers_actions() {
    if !Parts::SNI.present() {
        return;
    }
    let desktop = Desktop::with(Parts::SNI);
    let ws = workspace();
    let mut config = ws.config();
    config["schedule"] = "*/3 * * * * *".into();
    ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    fs::write(ws.path("broken"), "").unwrap();
    stand_in_opener(&ws);
    let mut command = desktop.command(SYNCTRAY);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(ws.path("bin")).chain(std::env::split_paths(&path));
    command
        .arg("--workspace")
        .arg(ws.root())
        .arg("--daemon")
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .env("SYNCTRAY_LOG", "debug")
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null());
    let mut daemon = ws.start_daemon(command);
    let failed = desktop.wait_notification("Sync failed: second", LONG);
    assert_eq!(
        failed["actions"],
        serde_json::json!([
            "show-log",
            "Show log",
            "sync-now",
            "Sync now",
            "pause-1h",
            "Pause 1 h"
        ]),
        "{failed}\n{}",
        daemon.log()
    );

    // Show log opens that run's log.
    desktop.invoke_action(failed["id"].as_u64().unwrap(), "show-log");
    let opened = ws.path("bin/opened");
    support::proc::wait_for(
        "the opener to be asked",
        SHORT,
        || opened.exists(),
        || daemon.log(),
    );
    let log = PathBuf::from(fs::read_to_string(&opened).unwrap().trim());
    assert!(log.starts_with(ws.path("data/logs")), "{}", log.display());

    // A different failure (the server closes a notification once an action is chosen):
    // its Sync now runs it again, now.
    let mut config = ws.config();
    config["jobs"][0]["command"] = "exit 3".into();
    ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    let failed = desktop.wait_notification("Sync failed: first", LONG);
    desktop.invoke_action(failed["id"].as_u64().unwrap(), "sync-now");
    support::proc::wait_for(
        "the run the notification asked for",
        LONG,
        || ws.history().iter().any(|r| r["trigger"] == "manual"),
        || daemon.log(),
    );

    // A tray beside it (serving another workspace too) shows its Recent runs.
    let mine = workspace();
    let tray = Tray::start_with(
        &desktop,
        None,
        &[
            "--workspace",
            ws.root().to_str().unwrap(),
            "--workspace",
            mine.root().to_str().unwrap(),
        ],
        "tray.log",
    );
    desktop.sni().wait_registered(LONG);
    let mut menu = None;
    let shown = support::proc::wait_until(LONG, || {
        let m = desktop.sni().menu();
        let ok = m.find("Recent runs").is_some_and(|r| {
            r.children
                .first()
                .is_some_and(|l| l.label.starts_with("✗ "))
        });
        menu = Some(m);
        ok
    });
    let menu = menu.unwrap();
    assert!(
        shown,
        "Recent runs of the daemon's workspace\n{menu}\n{}",
        tray.context()
    );
    assert!(
        menu.children[0]
            .find_starting("Served by another synctray")
            .is_some(),
        "{menu}"
    );
    drop(tray);
    daemon.stop_with(libc::SIGTERM, SHORT);
}

#[test]
fn sni_a_spanish_desktop_reads_the_menu_and_a_failure_in_spanish() {
    let Some(s) = Session::start_registered_in(&[("LANG", "es_ES.UTF-8")], |ws| {
        fs::write(ws.path("broken"), "").unwrap()
    }) else {
        return;
    };
    // Served and idle: the next run is planned (before, the line says "Iniciando…").
    let menu = s.wait_menu("the idle Spanish menu", LONG, |m| {
        m.find("Sincronizar ahora").is_some_and(|i| i.enabled)
            && m.children
                .get(2)
                .is_some_and(|l| l.label.starts_with("Próxima ejecución "))
    });
    let top = labels(&menu);
    let name =
        s.ws.root()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
    assert_eq!(top[0], format!("synctray — {name}"), "{menu}");
    assert_eq!(top[1], "Nunca sincronizado", "{menu}");
    assert!(
        top[2].starts_with("Próxima ejecución mañana 00:00 (en "),
        "{menu}"
    );
    let interval = menu.find("Cambiar intervalo").expect("Cambiar intervalo");
    assert!(interval.labels().iter().any(|l| l == "Cada 24 h"), "{menu}");
    assert!(menu.find("Cada 24 h").unwrap().checked(), "{menu}");
    for label in [
        "Pausar las sincronizaciones programadas",
        "Ejecuciones recientes",
        "Abrir registros",
        "Editar configuración…",
        "Abrir carpeta del espacio de trabajo",
        "Iniciar al iniciar la sesión",
    ] {
        assert!(menu.find(label).is_some(), "no {label:?} in\n{menu}");
    }
    assert_eq!(top.last().map(String::as_str), Some("Salir"), "{menu}");
    // No English line, and never a message id.
    for line in menu.labels() {
        assert!(
            !["Sync now", "Quit", "Never synced", "Next run"]
                .iter()
                .any(|english| line.starts_with(english)),
            "{line:?} is English:\n{menu}"
        );
        let id_like = line.contains('-')
            && line.chars().any(|c| c.is_ascii_lowercase())
            && line.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        assert!(!id_like, "{line:?} looks like a message id:\n{menu}");
    }

    s.click("Sincronizar ahora");
    let failed = s
        .desktop
        .wait_notification("Falló la sincronización: second", LONG);
    let body = failed["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("terminó con el código 1\n"),
        "the reason in Spanish, then the job's last line: {failed}"
    );
    assert!(
        body.contains("Error: the data source is broken"),
        "{failed}"
    );
    let actions = failed["actions"].to_string();
    assert!(
        actions.contains("Mostrar registro") && actions.contains("Sincronizar ahora"),
        "the buttons in Spanish: {failed}"
    );
    s.wait_menu("the failure in Spanish", SHORT, |m| {
        m.children[1].label.starts_with("✗ Última sincronización ")
            && m.children[1].label.ends_with(" · falló: second")
    });
    // The log reads the same in every language.
    s.wait("the menu's change logged in English", SHORT, || {
        s.tray.log().contains(" · failed: second")
    });

    // A configuration warning: its words in Spanish too, the path and the program as
    // they are, on the desktop and in the menu; in English in the log.
    let mut config = s.ws.config();
    config["jobs"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "lost", "command": ["no-such-program-synctray"]}));
    s.ws.write_config(&serde_json::to_string_pretty(&config).unwrap());
    let warned = s
        .desktop
        .wait_notification("synctray: revise la configuración", SHORT);
    assert_eq!(
        warned["body"],
        "jobs.lost: «no-such-program-synctray» no está en el PATH (la tarea no puede iniciarse)",
        "{warned}"
    );
    // Too long for one line: on two, its start and its end kept.
    let menu = s.wait_menu("the warning in Spanish", SHORT, |m| {
        m.children
            .iter()
            .any(|l| l.label.starts_with("⚠ Configuración: jobs.lost"))
    });
    assert!(
        menu.labels()
            .iter()
            .any(|l| l.ends_with("está en el PATH (la tarea no puede iniciarse)")),
        "{menu}"
    );
    assert!(!menu.to_string().contains("is not on PATH"), "{menu}");
    s.wait("the warning logged in English", SHORT, || {
        s.tray
            .log()
            .contains(r#"jobs.lost: "no-such-program-synctray" is not on PATH"#)
    });
}

#[test]
fn sni_an_american_desktop_reads_a_12_hour_clock() {
    let Some(s) = Session::start_registered_in(&[("LANG", "en_US.UTF-8")], |_| {}) else {
        return;
    };
    let menu = s.wait_menu("the next run on a 12-hour clock", LONG, |m| {
        m.children
            .get(2)
            .is_some_and(|l| l.label.starts_with("Next run tomorrow 12:00 AM (in "))
    });
    assert!(menu.find("Sync now").is_some(), "{menu}");
}
