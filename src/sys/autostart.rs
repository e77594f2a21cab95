//! Start at login: the entry that makes the desktop start `synctray --workspace ROOT` when
//! the user logs in.
//!
//! # Platform specific behavior
//! - Linux and other freedesktop systems: an XDG autostart entry,
//!   `$XDG_CONFIG_HOME/autostart/synctray.desktop` (default `~/.config/autostart`).
//! - macOS: a LaunchAgent, `~/Library/LaunchAgents/org.synctray.tray.plist`, which launchd
//!   loads at the next login.
//! - Windows: the value `synctray` under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`,
//!   written with `reg.exe` (the crate's Windows bindings do not include the registry).
//!
//! There is one entry per user: it starts one workspace's tray. The tray shows "Start at
//! login" checked only when the entry starts *its* workspace; checking it in another
//! workspace's tray moves the entry there.
//!
//! The entries are written by hand rather than with a crate: each holds the program and
//! its arguments quoted as its format requires, so a workspace path with spaces, quotes or
//! `%` starts the right folder.

use std::io;
use std::path::{Path, PathBuf};

/// Whether the login entry exists and starts the workspace at `root`.
pub fn is_enabled(root: &Path) -> bool {
    imp::is_enabled(root).unwrap_or(false)
}

/// Writes (or replaces) the login entry so that it starts `exe --workspace root`.
pub fn enable(exe: &Path, root: &Path) -> io::Result<()> {
    imp::enable(exe, root)
}

/// Removes the login entry, if any.
pub fn disable() -> io::Result<()> {
    imp::disable()
}

/// Where the entry lives (for messages), if the platform keeps it in a file.
pub fn location() -> Option<PathBuf> {
    imp::location()
}

#[cfg(all(unix, not(target_os = "macos")))]
mod imp {
    use super::*;

    pub fn location() -> Option<PathBuf> {
        let base = directories::BaseDirs::new()?;
        Some(base.config_dir().join("autostart").join("synctray.desktop"))
    }

    fn path() -> io::Result<PathBuf> {
        location().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home folder for the autostart entry",
            )
        })
    }

    pub fn is_enabled(root: &Path) -> io::Result<bool> {
        let text = std::fs::read_to_string(path()?)?;
        let marker = format!(
            "X-Synctray-Workspace={}",
            desktop_value(&root.to_string_lossy())
        );
        Ok(text.lines().any(|l| l == marker) && !text.lines().any(|l| l.trim() == "Hidden=true"))
    }

    pub fn enable(exe: &Path, root: &Path) -> io::Result<()> {
        let path = path()?;
        crate::sys::create_dir(path.parent().expect("the entry has a folder"))?;
        crate::fsutil::atomic_write(
            &path,
            desktop_entry(exe, root).as_bytes(),
            0o644,
            crate::fsutil::Durability::Flushed,
        )
    }

    pub fn disable() -> io::Result<()> {
        match std::fs::remove_file(path()?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(target_os = "macos")]
mod imp {
    use super::*;

    const LABEL: &str = "org.synctray.tray";

    pub fn location() -> Option<PathBuf> {
        let base = directories::BaseDirs::new()?;
        Some(
            base.home_dir()
                .join("Library/LaunchAgents")
                .join(format!("{LABEL}.plist")),
        )
    }

    fn path() -> io::Result<PathBuf> {
        location().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home folder for the LaunchAgent",
            )
        })
    }

    pub fn is_enabled(root: &Path) -> io::Result<bool> {
        let text = std::fs::read_to_string(path()?)?;
        Ok(text.contains(&workspace_args(root)))
    }

    pub fn enable(exe: &Path, root: &Path) -> io::Result<()> {
        let path = path()?;
        crate::sys::create_dir(path.parent().expect("the agent has a folder"))?;
        crate::fsutil::atomic_write(&path, launch_agent(exe, root).as_bytes(), 0o644)
    }

    pub fn disable() -> io::Result<()> {
        match std::fs::remove_file(path()?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    pub(super) fn workspace_args(root: &Path) -> String {
        format!(
            "<string>--workspace</string>\n    <string>{}</string>",
            xml_escape(&root.to_string_lossy())
        )
    }

    pub(super) fn launch_agent(exe: &Path, root: &Path) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
             <plist version=\"1.0\">\n\
             <dict>\n  \
               <key>Label</key>\n  <string>{LABEL}</string>\n  \
               <key>ProgramArguments</key>\n  <array>\n    <string>{}</string>\n    {}\n  </array>\n  \
               <key>RunAtLoad</key>\n  <true/>\n  \
               <key>ProcessType</key>\n  <string>Interactive</string>\n\
             </dict>\n\
             </plist>\n",
            xml_escape(&exe.to_string_lossy()),
            workspace_args(root)
        )
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::process::CommandExt;
    use std::process::{Command, Stdio};

    use super::*;

    const KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
    const VALUE: &str = "synctray";
    /// Keeps `reg.exe` from flashing a console window.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;

    pub fn location() -> Option<PathBuf> {
        None
    }

    fn reg(args: &[&str]) -> io::Result<std::process::Output> {
        Command::new("reg")
            .args(args)
            .stdin(Stdio::null())
            .creation_flags(CREATE_NO_WINDOW)
            .output()
    }

    fn check(out: std::process::Output) -> io::Result<()> {
        if out.status.success() {
            Ok(())
        } else {
            Err(io::Error::other(
                String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            ))
        }
    }

    pub fn is_enabled(root: &Path) -> io::Result<bool> {
        let out = reg(&["query", KEY, "/v", VALUE])?;
        let wanted = format!("--workspace {}", windows_arg(&root.to_string_lossy()));
        Ok(out.status.success() && String::from_utf8_lossy(&out.stdout).contains(&wanted))
    }

    pub fn enable(exe: &Path, root: &Path) -> io::Result<()> {
        let data = run_value(exe, root);
        check(reg(&[
            "add", KEY, "/v", VALUE, "/t", "REG_SZ", "/d", &data, "/f",
        ])?)
    }

    pub fn disable() -> io::Result<()> {
        let out = reg(&["query", KEY, "/v", VALUE])?;
        if !out.status.success() {
            return Ok(());
        }
        check(reg(&["delete", KEY, "/v", VALUE, "/f"])?)
    }
}

/// The Run value: the command line Windows runs at login.
#[cfg_attr(not(windows), allow(dead_code))]
fn run_value(exe: &Path, root: &Path) -> String {
    format!(
        "{} --workspace {}",
        windows_arg(&exe.to_string_lossy()),
        windows_arg(&root.to_string_lossy())
    )
}

/// Quotes one argument of a Windows command line so that the C runtime's parser (and
/// Rust's `std::env::args`) reads it back unchanged: backslashes are literal except
/// before a quote, where they are doubled.
#[cfg_attr(not(windows), allow(dead_code))]
fn windows_arg(arg: &str) -> String {
    let mut quoted = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                quoted.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                quoted.push('"');
                backslashes = 0;
                continue;
            }
            _ => {}
        }
        if c != '\\' {
            quoted.extend(std::iter::repeat_n('\\', backslashes));
            backslashes = 0;
            quoted.push(c);
        }
    }
    quoted.extend(std::iter::repeat_n('\\', backslashes * 2));
    quoted.push('"');
    quoted
}

/// The XDG autostart entry (Desktop Entry Specification 1.5).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn desktop_entry(exe: &Path, root: &Path) -> String {
    let exec = format!(
        "{} --workspace {}",
        exec_arg(&exe.to_string_lossy()),
        exec_arg(&root.to_string_lossy())
    );
    let root = root.to_string_lossy();
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=synctray\n\
         Comment={}\n\
         Exec={}\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n\
         X-Synctray-Workspace={}\n",
        desktop_value(&format!("Keeps {root} in sync")),
        desktop_value(&exec),
        desktop_value(&root),
    )
}

/// One argument of an `Exec` key: always quoted, with `"`, `` ` ``, `$` and `\` escaped by
/// a backslash, and `%` doubled (it starts a field code).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn exec_arg(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A string value of a desktop entry: backslash, newline, tab and carriage return escaped.
/// (For `Exec`, this applies on top of the argument quoting, as the specification says.)
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn desktop_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_entry_quotes_paths_with_spaces_quotes_and_percent() {
        let entry = desktop_entry(
            Path::new("/opt/sync tray/synctray"),
            Path::new("/home/me/My \"work\" 100%/ws$x"),
        );
        assert!(
            entry.starts_with("[Desktop Entry]\nType=Application\n"),
            "{entry}"
        );
        // `\"` is the Exec quoting of a quote; the string-value escaping then doubles the backslash.
        assert!(
            entry.contains("Exec=\"/opt/sync tray/synctray\" --workspace \"/home/me/My \\\\\"work\\\\\" 100%%/ws\\\\$x\"\n"),
            "{entry}"
        );
        assert!(
            entry.contains("X-Synctray-Workspace=/home/me/My \"work\" 100%/ws$x\n"),
            "{entry}"
        );
    }

    #[test]
    fn windows_arguments_survive_the_c_runtime_parser() {
        assert_eq!(
            windows_arg(r"C:\Program Files\synctray.exe"),
            r#""C:\Program Files\synctray.exe""#
        );
        assert_eq!(windows_arg(r"C:\"), r#""C:\\""#);
        assert_eq!(windows_arg(r#"a\"b"#), r#""a\\\"b""#);
        assert_eq!(
            run_value(Path::new(r"C:\bin\synctray.exe"), Path::new(r"D:\My ws")),
            r#""C:\bin\synctray.exe" --workspace "D:\My ws""#
        );
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape(r#"a&b<c>"d""#), "a&amp;b&lt;c&gt;&quot;d&quot;");
    }
}
