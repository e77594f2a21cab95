//! A real, if invisible, desktop for the tray figures: an Xvfb display, a session bus
//! and trayer as the system tray (see shared/TESTING.md).
//!
//! With no StatusNotifierWatcher on the bus, libayatana-appindicator falls back to the
//! classic XEmbed icon, which trayer embeds: the tray app does the work it does on a
//! real desktop.

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::process::{Daemon, on_path};

pub struct Desktop {
    display: String,
    bus_address: String,
    // Dropped in reverse order of start: the tray first, the X server last.
    _trayer: Daemon,
    _bus: Daemon,
    _xvfb: Daemon,
}

/// The programs the desktop needs, with the Debian package of each.
const TOOLS: [(&str, &str); 3] = [
    ("Xvfb", "xvfb"),
    ("dbus-daemon", "dbus"),
    ("trayer", "trayer"),
];

impl Desktop {
    /// Starts the desktop, or says why not (with what to apt-get install if a tool is missing).
    pub fn start(scratch: &Path) -> Result<Desktop, String> {
        let missing: Vec<&str> = TOOLS
            .iter()
            .filter(|(tool, _)| !on_path(tool))
            .map(|(_, package)| *package)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "missing tools: apt-get install -y {}",
                missing.join(" ")
            ));
        }
        let display_number = free_display_number().ok_or("no free X display number")?;
        let display = format!(":{display_number}");
        let xvfb = start_xvfb(&display, display_number, scratch)?;

        let bus_socket = scratch.join("session-bus");
        let bus_address = format!("unix:path={}", bus_socket.display());
        let mut bus = Command::new("dbus-daemon");
        bus.args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={bus_address}"));
        let bus = Daemon::spawn("dbus-daemon", bus, &scratch.join("dbus.log"))
            .map_err(|e| e.to_string())?;
        wait_for_path(&bus_socket, Duration::from_secs(10))
            .ok_or("the session bus did not start")?;

        let mut trayer = Command::new("trayer");
        trayer
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
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address);
        let mut trayer = Daemon::spawn("trayer", trayer, &scratch.join("trayer.log"))
            .map_err(|e| e.to_string())?;
        // trayer has no readiness signal; give it a moment to claim the tray selection.
        thread::sleep(Duration::from_secs(1));
        if let Some(why) = trayer.exited() {
            return Err(format!("trayer exited: {why}"));
        }
        Ok(Desktop {
            display,
            bus_address,
            _trayer: trayer,
            _bus: bus,
            _xvfb: xvfb,
        })
    }

    /// Points `command` at this desktop.
    pub fn apply(&self, command: &mut Command) {
        command
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address);
    }
}

fn start_xvfb(display: &str, number: u32, scratch: &Path) -> Result<Daemon, String> {
    let mut xvfb = Command::new("Xvfb");
    xvfb.args([display, "-screen", "0", "800x600x24", "-nolisten", "tcp"]);
    let xvfb = Daemon::spawn("Xvfb", xvfb, &scratch.join("xvfb.log")).map_err(|e| e.to_string())?;
    let socket = format!("/tmp/.X11-unix/X{number}");
    wait_for_path(Path::new(&socket), Duration::from_secs(10))
        .ok_or_else(|| format!("Xvfb did not start: {}", xvfb.log_tail(2)))?;
    Ok(xvfb)
}

/// A display number with neither a socket nor a lock file, so we never join someone
/// else's X server.
fn free_display_number() -> Option<u32> {
    (90..200).find(|n| {
        !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
    })
}

fn wait_for_path(path: &Path, timeout: Duration) -> Option<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if path.exists() {
            return Some(());
        }
        thread::sleep(Duration::from_millis(50));
    }
    None
}
