//! The XDG autostart entry (Desktop Entry Specification 1.5), for Linux and the other
//! freedesktop systems.

use std::io;
use std::path::{Path, PathBuf};

use super::Starts;

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

pub fn is_enabled(starts: Starts<'_>) -> io::Result<bool> {
    let text = std::fs::read_to_string(path()?)?;
    let marker = format!("X-Synctray-Workspace={}", desktop_value(&target(starts)));
    Ok(text.lines().any(|l| l == marker) && !text.lines().any(|l| l.trim() == "Hidden=true"))
}

pub fn enable(exe: &Path, starts: Starts<'_>) -> io::Result<()> {
    super::file::write_entry(&path()?, &desktop_entry(exe, starts))
}

/// The workspace the entry starts, as its marker says it: its folder, or empty for the
/// workspace list.
fn target(starts: Starts<'_>) -> String {
    match starts {
        Starts::Workspace(root) => root.to_string_lossy().into_owned(),
        Starts::List => String::new(),
    }
}

pub fn disable() -> io::Result<()> {
    super::file::remove_entry(&path()?)
}

/// The entry's text.
fn desktop_entry(exe: &Path, starts: Starts<'_>) -> String {
    let exe = exec_arg(&exe.to_string_lossy());
    let (exec, comment) = match starts {
        Starts::Workspace(root) => (
            format!("{exe} --workspace {}", exec_arg(&root.to_string_lossy())),
            format!("Keeps {} in sync", root.display()),
        ),
        Starts::List => (exe, "Keeps your workspaces in sync".to_owned()),
    };
    let root = target(starts);
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=synctray\n\
         Comment={}\n\
         Exec={}\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n\
         X-Synctray-Workspace={}\n",
        desktop_value(&comment),
        desktop_value(&exec),
        desktop_value(&root),
    )
}

/// One argument of an `Exec` key: always quoted, with `"`, `` ` ``, `$` and `\` escaped by
/// a backslash, and `%` doubled (it starts a field code).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_entry_quotes_paths_with_spaces_quotes_and_percent() {
        let entry = desktop_entry(
            Path::new("/opt/sync tray/synctray"),
            Starts::Workspace(Path::new("/home/me/My \"work\" 100%/ws$x")),
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
    fn the_entry_for_the_list_starts_the_tray_with_no_workspace() {
        let entry = desktop_entry(Path::new("/usr/bin/synctray"), Starts::List);
        assert!(entry.contains("Exec=\"/usr/bin/synctray\"\n"), "{entry}");
        assert!(entry.contains("X-Synctray-Workspace=\n"), "{entry}");
    }
}
