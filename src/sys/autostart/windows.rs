//! The `Run` value that Windows starts at login, for Windows. Read and written through the
//! registry API: the tray asks every minute whether the entry is there, and a helper
//! process (`reg.exe`) each time would cost far more than the answer.

use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::Starts;

use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_MORE_DATA, ERROR_SUCCESS};
use windows_sys::Win32::System::Registry::{
    HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_SZ, RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW,
};

/// The key, under `HKEY_CURRENT_USER`, whose values Windows starts at the user's login.
const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
/// synctray's value in it.
const VALUE: &str = "synctray";

pub fn location() -> Option<PathBuf> {
    None
}

pub fn is_enabled(starts: Starts<'_>) -> io::Result<bool> {
    is_enabled_at(RUN_KEY, starts)
}

pub fn enable(exe: &Path, starts: Starts<'_>) -> io::Result<()> {
    set(RUN_KEY, &run_value(exe, starts))
}

pub fn disable() -> io::Result<()> {
    delete(RUN_KEY)
}

fn is_enabled_at(key: &str, starts: Starts<'_>) -> io::Result<bool> {
    Ok(get(key)?.is_some_and(|value| match starts {
        Starts::Workspace(root) => value.ends_with(&format!(
            "--workspace {}",
            windows_arg(&root.to_string_lossy())
        )),
        Starts::List => !value.contains(" --workspace "),
    }))
}

fn wide(text: &str) -> Vec<u16> {
    std::ffi::OsStr::new(text)
        .encode_wide()
        .chain(std::iter::once(0))
        .collect()
}

fn check(status: u32) -> io::Result<()> {
    if status == ERROR_SUCCESS {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(status as i32))
    }
}

/// The value's text, or `None` when it (or its key) does not exist.
fn get(key: &str) -> io::Result<Option<String>> {
    let (key, value) = (wide(key), wide(VALUE));
    let mut buf: Vec<u16> = vec![0; 512];
    loop {
        let mut bytes = (buf.len() * 2) as u32;
        // SAFETY: the strings are NUL-terminated; the buffer is valid for `bytes` bytes.
        let status = unsafe {
            RegGetValueW(
                HKEY_CURRENT_USER,
                key.as_ptr(),
                value.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut bytes,
            )
        };
        match status {
            ERROR_SUCCESS => {
                // `bytes` counts the terminating NUL, which RegGetValueW guarantees.
                let len = (bytes as usize / 2).saturating_sub(1);
                return Ok(Some(String::from_utf16_lossy(&buf[..len])));
            }
            ERROR_FILE_NOT_FOUND => return Ok(None),
            ERROR_MORE_DATA => buf.resize(bytes as usize / 2 + 1, 0),
            other => return check(other).map(|()| None),
        }
    }
}

/// Writes the value (a `REG_SZ`), creating the key if needed.
fn set(key: &str, data: &str) -> io::Result<()> {
    let (key, value, data) = (wide(key), wide(VALUE), wide(data));
    // SAFETY: NUL-terminated strings; `data` is valid for the byte count given, which
    // includes its NUL as REG_SZ requires.
    check(unsafe {
        RegSetKeyValueW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            value.as_ptr(),
            REG_SZ,
            data.as_ptr().cast(),
            (data.len() * 2) as u32,
        )
    })
}

/// Removes the value; one that is not there is not an error.
fn delete(key: &str) -> io::Result<()> {
    let (key, value) = (wide(key), wide(VALUE));
    // SAFETY: NUL-terminated strings.
    match unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, key.as_ptr(), value.as_ptr()) } {
        ERROR_FILE_NOT_FOUND => Ok(()),
        status => check(status),
    }
}

/// The Run value: the command line Windows runs at login.
fn run_value(exe: &Path, starts: Starts<'_>) -> String {
    match starts {
        Starts::Workspace(root) => format!(
            "{} --workspace {}",
            windows_arg(&exe.to_string_lossy()),
            windows_arg(&root.to_string_lossy())
        ),
        Starts::List => windows_arg(&exe.to_string_lossy()),
    }
}

/// Quotes one argument of a Windows command line so that the C runtime's parser (and
/// Rust's `std::env::args`) reads it back unchanged: backslashes are literal except
/// before a quote, where they are doubled.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_arguments_survive_the_c_runtime_parser() {
        assert_eq!(
            windows_arg(r"C:\Program Files\synctray.exe"),
            r#""C:\Program Files\synctray.exe""#
        );
        assert_eq!(windows_arg(r"C:\"), r#""C:\\""#);
        assert_eq!(windows_arg(r#"a\"b"#), r#""a\\\"b""#);
        assert_eq!(
            run_value(
                Path::new(r"C:\bin\synctray.exe"),
                Starts::Workspace(Path::new(r"D:\My ws"))
            ),
            r#""C:\bin\synctray.exe" --workspace "D:\My ws""#
        );
    }

    /// The public functions on the real Run key, read back by `reg.exe`. Only where the
    /// user's own entry cannot be harmed: the Wine tests set `SYNCTRAY_TEST_REAL_RUN_KEY`
    /// in their private prefix; anywhere else this test checks only the key's name.
    #[test]
    fn enable_writes_the_run_value_that_windows_starts_at_login() {
        assert_eq!(RUN_KEY, r"Software\Microsoft\Windows\CurrentVersion\Run");
        if std::env::var_os("SYNCTRAY_TEST_REAL_RUN_KEY").is_none() {
            return;
        }
        let query = || {
            let out = std::process::Command::new("reg")
                .args(["query", &format!(r"HKCU\{RUN_KEY}"), "/v", VALUE])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let ws = Path::new(r"C:\Users\me\my ws");
        disable().unwrap();
        assert!(!super::super::is_enabled(Starts::Workspace(ws)));
        super::super::enable(Path::new(r"C:\bin\synctray.exe"), Starts::Workspace(ws)).unwrap();
        assert!(super::super::is_enabled(Starts::Workspace(ws)));
        assert!(!super::super::is_enabled(Starts::Workspace(Path::new(
            r"C:\other"
        ))));
        assert!(
            query().contains(r#""C:\bin\synctray.exe" --workspace "C:\Users\me\my ws""#),
            "{}",
            query()
        );
        super::super::disable().unwrap();
        assert!(!super::super::is_enabled(Starts::Workspace(ws)));
        assert!(!query().contains("synctray"), "{}", query());
    }

    /// The registry calls themselves, on a key of their own (never the user's real Run
    /// key): written, read back by `reg.exe` as Windows would, matched to its workspace
    /// only, replaced, removed.
    #[test]
    fn the_run_value_is_written_read_and_removed_through_the_registry() {
        let key = format!(r"Software\synctray-test-{}\Run", std::process::id());
        let (ws, other) = (Path::new(r"C:\work\my ws"), Path::new(r"C:\work\other"));
        assert_eq!(get(&key).unwrap(), None);
        assert!(!is_enabled_at(&key, Starts::Workspace(ws)).unwrap());
        delete(&key).expect("removing a missing value is fine");

        set(
            &key,
            &run_value(Path::new(r"C:\bin\synctray.exe"), Starts::Workspace(ws)),
        )
        .unwrap();
        assert!(is_enabled_at(&key, Starts::Workspace(ws)).unwrap());
        assert!(!is_enabled_at(&key, Starts::Workspace(other)).unwrap());
        let shown = std::process::Command::new("reg")
            .args(["query", &format!(r"HKCU\{key}"), "/v", VALUE])
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&shown.stdout);
        assert!(
            shown.contains(r#""C:\bin\synctray.exe" --workspace "C:\work\my ws""#),
            "{shown}"
        );

        // A long value (a deep workspace path) is read whole.
        let deep = PathBuf::from(format!(r"C:\{}", "d".repeat(600)));
        set(
            &key,
            &run_value(Path::new(r"C:\bin\synctray.exe"), Starts::Workspace(&deep)),
        )
        .unwrap();
        assert!(is_enabled_at(&key, Starts::Workspace(&deep)).unwrap());
        assert!(!is_enabled_at(&key, Starts::Workspace(ws)).unwrap());

        delete(&key).unwrap();
        assert_eq!(get(&key).unwrap(), None);
        let parent = wide(&format!(r"Software\synctray-test-{}", std::process::id()));
        // SAFETY: a NUL-terminated string.
        unsafe {
            windows_sys::Win32::System::Registry::RegDeleteTreeW(HKEY_CURRENT_USER, parent.as_ptr())
        };
    }
}
