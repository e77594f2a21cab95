//! Linux: the power supplies the kernel lists in `/sys/class/power_supply`. The machine
//! is on AC when a `Mains` or `USB` supply says `online` 1, or when it has no battery at
//! all (a desktop, a server, a container). A battery whose `scope` is `Device` (a
//! mouse's, a headset's) is not the machine's and is not counted.

use std::io;
use std::path::Path;

const ROOT: &str = "/sys/class/power_supply";

/// Whether the machine runs on AC power.
pub fn on_ac_power() -> io::Result<bool> {
    on_ac_in(Path::new(ROOT))
}

fn on_ac_in(root: &Path) -> io::Result<bool> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        // No power-supply class at all: nothing runs on a battery here.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    let read = |dir: &Path, name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut battery = false;
    for entry in entries.flatten() {
        let dir = entry.path();
        match read(&dir, "type").as_str() {
            "Mains" | "USB" if read(&dir, "online") == "1" => return Ok(true),
            "Battery" if read(&dir, "scope") != "Device" => battery = true,
            _ => {}
        }
    }
    Ok(!battery)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(root: &Path, name: &str, files: &[(&str, &str)]) {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), format!("{text}\n")).unwrap();
        }
    }

    #[test]
    fn mains_online_or_no_battery_is_ac() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // No supply at all (a desktop), or no folder (a container): AC.
        assert!(on_ac_in(&root.join("missing")).unwrap());
        assert!(on_ac_in(root).unwrap());
        // A laptop unplugged.
        supply(root, "AC", &[("type", "Mains"), ("online", "0")]);
        supply(
            root,
            "BAT0",
            &[("type", "Battery"), ("status", "Discharging")],
        );
        assert!(!on_ac_in(root).unwrap());
        // A USB-C charger.
        supply(
            root,
            "ucsi-source-psy-1",
            &[("type", "USB"), ("online", "1")],
        );
        assert!(on_ac_in(root).unwrap());
        std::fs::write(root.join("ucsi-source-psy-1/online"), "0\n").unwrap();
        assert!(!on_ac_in(root).unwrap());
        // Plugged in.
        std::fs::write(root.join("AC/online"), "1\n").unwrap();
        assert!(on_ac_in(root).unwrap());
    }

    #[test]
    fn a_wireless_mouse_battery_is_not_the_machines() {
        let dir = tempfile::tempdir().unwrap();
        supply(
            dir.path(),
            "hidpp_battery_0",
            &[("type", "Battery"), ("scope", "Device"), ("online", "1")],
        );
        assert!(on_ac_in(dir.path()).unwrap());
    }
}
