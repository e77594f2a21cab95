//! The tray as KDE Plasma and GNOME (AppIndicator extension) see it: a StatusNotifierItem
//! host on the desktop's session bus (`sni_host.py`, python3-dbus), which owns
//! `org.kde.StatusNotifierWatcher`, takes the item's registration, reads its menu with
//! `com.canonical.dbusmenu.GetLayout` and clicks with `Event(id, "clicked", …)`: labels,
//! enabled and toggle states as a desktop shows them, no pixels, no key presses.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::desktop::Desktop;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/sni_host.py");

/// How long one request to the item may take.
const REPLY: Duration = Duration::from_secs(10);

pub struct SniHost {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
    /// Registrations seen so far: (bus name, object path).
    registered: std::cell::RefCell<Vec<(String, String)>>,
}

/// One entry of the menu, as `GetLayout` gives it.
#[derive(Clone, Debug)]
pub struct MenuItem {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    /// "checkmark" for a check item, "" otherwise.
    pub toggle_type: String,
    /// 1 checked, 0 not, -1 not a check item.
    pub toggle_state: i64,
    /// "separator" or "standard".
    pub kind: String,
    pub children: Vec<MenuItem>,
}

impl MenuItem {
    fn from_json(node: &Value) -> MenuItem {
        MenuItem {
            id: node["id"].as_i64().unwrap() as i32,
            label: node["label"].as_str().unwrap_or_default().to_owned(),
            enabled: node["enabled"].as_bool().unwrap_or(true),
            visible: node["visible"].as_bool().unwrap_or(true),
            toggle_type: node["toggle-type"].as_str().unwrap_or_default().to_owned(),
            toggle_state: node["toggle-state"].as_i64().unwrap_or(-1),
            kind: node["type"].as_str().unwrap_or("standard").to_owned(),
            children: node["children"]
                .as_array()
                .map(|c| c.iter().map(MenuItem::from_json).collect())
                .unwrap_or_default(),
        }
    }

    /// The visible entry labelled `label`, at any depth.
    pub fn find(&self, label: &str) -> Option<&MenuItem> {
        self.find_by(&|item| item.label == label)
    }

    /// The first visible entry whose label starts with `prefix`, at any depth.
    pub fn find_starting(&self, prefix: &str) -> Option<&MenuItem> {
        self.find_by(&|item| item.label.starts_with(prefix))
    }

    fn find_by(&self, matches: &dyn Fn(&MenuItem) -> bool) -> Option<&MenuItem> {
        self.children
            .iter()
            .filter(|c| c.visible)
            .find_map(|child| {
                if matches(child) {
                    Some(child)
                } else {
                    child.find_by(matches)
                }
            })
    }

    pub fn checked(&self) -> bool {
        self.toggle_state == 1
    }

    /// The visible labels of this entry's children, separators as "---".
    pub fn labels(&self) -> Vec<String> {
        self.children
            .iter()
            .filter(|c| c.visible)
            .map(|c| {
                if c.kind == "separator" {
                    "---".to_owned()
                } else {
                    c.label.clone()
                }
            })
            .collect()
    }
}

impl std::fmt::Display for MenuItem {
    /// The menu as a person reads it, one entry a line, for failure messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn write(
            item: &MenuItem,
            depth: usize,
            f: &mut std::fmt::Formatter<'_>,
        ) -> std::fmt::Result {
            for child in item.children.iter().filter(|c| c.visible) {
                let check = match child.toggle_state {
                    1 => "[x] ",
                    0 => "[ ] ",
                    _ => "",
                };
                let off = if child.enabled { "" } else { "  (disabled)" };
                let label = if child.kind == "separator" {
                    "───"
                } else {
                    &child.label
                };
                writeln!(f, "{:indent$}{check}{label}{off}", "", indent = depth * 2)?;
                write(child, depth + 1, f)?;
            }
            Ok(())
        }
        write(self, 0, f)
    }
}

impl SniHost {
    /// Whether the host can run here (python3 with dbus and gi).
    pub fn available() -> bool {
        Command::new(SCRIPT)
            .arg("--check")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts the host on `desktop`'s bus and waits until it owns the watcher's name.
    pub fn start(desktop: &Desktop) -> Result<SniHost, String> {
        SniHost::start_as(desktop.command(SCRIPT), &desktop.path("sni-host.log"))
    }

    /// The script's path, for a test that starts the host its own way (as another user).
    pub fn script() -> &'static str {
        SCRIPT
    }

    /// Starts the host with `command` (which runs [`SniHost::script`] on the bus it chose),
    /// its stderr in `log_path`, and waits until it owns the watcher's name.
    pub fn start_as(mut command: Command, log_path: &std::path::Path) -> Result<SniHost, String> {
        let log = std::fs::File::create(log_path).map_err(|e| e.to_string())?;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("the StatusNotifierItem host could not start: {e}"))?;
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| json!({ "error": format!("not JSON: {line}") }));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let host = SniHost {
            child,
            stdin,
            lines,
            registered: Default::default(),
        };
        match host.lines.recv_timeout(Duration::from_secs(10)) {
            Ok(line) if line["ready"] == true => Ok(host),
            other => Err(format!(
                "the StatusNotifierItem host did not start: {other:?}; {}",
                std::fs::read_to_string(log_path).unwrap_or_default()
            )),
        }
    }

    /// Takes one line from the host, keeping registrations aside.
    fn next(&self, timeout: Duration) -> Result<Value, RecvTimeoutError> {
        let line = self.lines.recv_timeout(timeout)?;
        if let Some(item) = line.get("registered") {
            self.registered.borrow_mut().push((
                item["bus"].as_str().unwrap_or_default().to_owned(),
                item["path"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        Ok(line)
    }

    /// Waits for an item to register with the watcher; its (bus name, object path).
    pub fn wait_registered(&self, timeout: Duration) -> (String, String) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(item) = self.registered.borrow().last() {
                return item.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Ok(_) => {}
                Err(e) => panic!(
                    "no tray item registered with the StatusNotifierWatcher within {timeout:?}: {e}"
                ),
            }
        }
    }

    /// Sends `request` and returns its reply, or the host's error.
    fn request(&self, request: Value) -> Result<Value, String> {
        let mut stdin = &self.stdin;
        writeln!(stdin, "{request}").map_err(|e| format!("the host is gone: {e}"))?;
        let deadline = Instant::now() + REPLY;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .next(left)
                .map_err(|e| format!("no reply to {request} within {REPLY:?}: {e}"))?;
            if let Some(reply) = line.get("reply") {
                return Ok(reply.clone());
            }
            if let Some(error) = line.get("error") {
                return Err(error.as_str().unwrap_or_default().to_owned());
            }
        }
    }

    /// The item's properties (`Id`, `Status`, `IconName`, `Menu`, …).
    pub fn item(&self) -> Value {
        self.try_item()
            .unwrap_or_else(|e| panic!("reading the tray item: {e}"))
    }

    /// The item's properties, or why they could not be read (the item left the bus).
    pub fn try_item(&self) -> Result<Value, String> {
        self.request(json!({ "cmd": "item" }))
    }

    /// The whole menu; its root holds the top-level entries.
    pub fn menu(&self) -> MenuItem {
        let layout = self
            .request(json!({ "cmd": "layout" }))
            .unwrap_or_else(|e| panic!("GetLayout: {e}"));
        MenuItem::from_json(&layout)
    }

    /// `AboutToShow(id)`, as a desktop asks before it opens a menu: whether it must read
    /// the menu again first.
    pub fn about_to_show(&self, id: i32) -> bool {
        self.request(json!({ "cmd": "about_to_show", "id": id }))
            .unwrap_or_else(|e| panic!("AboutToShow: {e}"))
            .as_bool()
            .unwrap_or_else(|| panic!("AboutToShow answered no boolean"))
    }

    /// The member names of the signals the item and its menu sent (`NewToolTip`,
    /// `LayoutUpdated`, …) since the last call.
    pub fn signals(&self) -> Vec<String> {
        let said = self
            .request(json!({ "cmd": "signals" }))
            .unwrap_or_else(|e| panic!("reading the signals: {e}"));
        serde_json::from_value(said).unwrap_or_default()
    }

    /// Clicks `item` (from [`SniHost::menu`]), as a desktop does.
    pub fn click_item(&self, item: &MenuItem) {
        assert!(item.enabled, "{:?} is disabled", item.label);
        self.request(json!({ "cmd": "click", "id": item.id }))
            .unwrap_or_else(|e| panic!("clicking {:?}: {e}", item.label));
    }

    /// Clicks the entry labelled `label` (at any depth), as a desktop does.
    pub fn click(&self, label: &str) {
        let menu = self.menu();
        let item = menu
            .find(label)
            .unwrap_or_else(|| panic!("no menu entry {label:?} in\n{menu}"));
        assert!(item.enabled, "{label:?} is disabled in\n{menu}");
        self.request(json!({ "cmd": "click", "id": item.id }))
            .unwrap_or_else(|e| panic!("clicking {label:?}: {e}"));
    }
}

impl Drop for SniHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
