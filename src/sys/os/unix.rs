//! Unix: the shell is `sh`, stop requests are signals, a process is handed over with
//! exec(2), files get modes, and the host's name and zone come from the C library and
//! `/etc/localtime`.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Options for a file synctray creates: never writable by group or others.
pub fn write_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(0o644);
    options
}

/// Creates a directory (and its parents) without group/other write bits.
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(path)
}

/// Opens (creating if needed) a file for reading and writing, refusing to follow a
/// symbolic link in its last component, and refusing (never blocking on) a FIFO, a socket
/// or a device.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    let mut options = write_options();
    options.read(true).write(true).create(true).truncate(false);
    crate::sys::open_regular(path, &mut options, false)
}

/// Whether an open file is still the one at `path` (same device and inode).
pub fn same_file(file: &File, path: &Path) -> io::Result<bool> {
    let open = file.metadata()?;
    let named = fs::symlink_metadata(path)?;
    Ok(open.dev() == named.dev() && open.ino() == named.ino())
}

/// Refuses a file that users other than its owner can write, as sshd's StrictModes does:
/// whoever can write the config can make synctray run any command as you.
pub fn check_not_shared_writable(meta: &fs::Metadata) -> Result<(), String> {
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "is writable by {} (mode {mode:04o}); synctray runs the commands in it, so only \
             its owner may write it: run `chmod go-w` on it",
            if mode & 0o002 != 0 {
                "every user"
            } else {
                "its group"
            }
        ));
    }
    Ok(())
}

/// The machine's host name, as recorded in the lock file.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "localhost".to_owned();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Hands this process over to `cmd`: exec(2) replaces it, with its process id, its
/// terminal and its signals, so the program it started is the process the user (or a
/// service manager) sees. Returns only when the exec failed.
pub fn hand_over(cmd: &mut std::process::Command) -> io::Result<std::process::ExitCode> {
    use std::os::unix::process::CommandExt;
    Err(cmd.exec())
}

/// The system's time zone now, its rules read from its TZif file directly: without `TZ`,
/// `/etc/localtime`; with `TZ` naming a zone (`Europe/Madrid`, `:UTC`), that file of the
/// zoneinfo folder (`TZDIR`, else `/usr/share/zoneinfo`); with `TZ` an absolute path, that
/// file. Asking jiff for the system zone instead looks its name up in the time zone
/// database, which lists the whole zoneinfo tree and keeps the list (about 130 KB of
/// heap) for the life of the daemon. Anything else (a POSIX rule such as `EST5EDT`, a
/// name whose file is not there as written): jiff's own lookup.
pub fn local_zone() -> jiff::tz::TimeZone {
    let tz = std::env::var_os("TZ");
    let tzdir = std::env::var_os("TZDIR");
    if let Some(tz) = zone_file(tz.as_deref(), tzdir.as_deref()).and_then(|(name, path)| {
        let data = fs::read(path).ok()?;
        jiff::tz::TimeZone::tzif(&name, &data).ok()
    }) {
        return tz;
    }
    jiff::tz::TimeZone::system()
}

/// The name and the TZif file of the zone `TZ` names (see [`local_zone`]), given `TZ` and
/// `TZDIR`.
fn zone_file(
    tz: Option<&std::ffi::OsStr>,
    tzdir: Option<&std::ffi::OsStr>,
) -> Option<(String, std::path::PathBuf)> {
    let Some(tz) = tz else {
        return Some(("Local".into(), "/etc/localtime".into()));
    };
    let tz = tz.to_str()?;
    let name = tz.strip_prefix(':').unwrap_or(tz);
    let path = Path::new(name);
    if path.is_absolute() {
        return Some((name.to_owned(), path.to_owned()));
    }
    // An IANA name: letters, digits and `/_+-` in parts that never climb out of the
    // folder. Anything else is left to jiff.
    let iana = !name.is_empty()
        && name.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        });
    if !iana {
        return None;
    }
    let dir = tzdir
        .filter(|d| !d.is_empty())
        .unwrap_or("/usr/share/zoneinfo".as_ref());
    Some((name.to_owned(), Path::new(&dir).join(name)))
}

/// The stop signals: SIGTERM, SIGINT (Ctrl-C) and SIGHUP (the terminal closed). Listened
/// for from creation on, so a signal that comes between two waits is never lost.
pub struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl StopSignals {
    pub fn new() -> io::Result<StopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the next one.
    pub async fn next(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
            _ = self.hup.recv() => {}
        }
    }
}

/// Whether a process with this id exists on this machine.
pub fn process_alive(pid: u32) -> Option<bool> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    Some(rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

/// The command that runs `line` through the platform shell: `sh -c LINE`.
pub fn shell_command(line: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(line);
    cmd
}

/// The exit code with which the shell says it found no such command.
pub const SHELL_NOT_FOUND: i32 = 127;

/// The signal that ended a process, if one did.
pub fn exit_signal(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

/// Renames a finished temporary file over `path`: rename(2) replaces it atomically, even
/// while readers hold the old file open.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// A helper program synctray runs for itself (the health pings' curl).
pub fn helper_command(program: &str) -> std::process::Command {
    std::process::Command::new(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read from `/etc/localtime` or through jiff's lookup, the local zone has the same
    /// rules: the same offset at every six hours of a year, DST changes included.
    #[test]
    fn the_local_zone_read_directly_has_the_systems_rules() {
        let direct = local_zone();
        let system = jiff::tz::TimeZone::system();
        let start = jiff::Timestamp::from_second(1_767_225_600).unwrap(); // 2026-01-01
        for step in 0..(365 * 4) {
            let at = start + jiff::SignedDuration::from_hours(6 * step);
            assert_eq!(direct.to_offset(at), system.to_offset(at), "at {at}");
        }
    }

    #[test]
    fn tz_names_a_file_of_the_zoneinfo_folder_an_absolute_path_or_is_left_to_jiff() {
        let file = |tz: Option<&str>, tzdir: Option<&str>| {
            zone_file(tz.map(AsRef::as_ref), tzdir.map(AsRef::as_ref))
                .map(|(name, path)| (name, path.display().to_string()))
        };
        let pair = |name: &str, path: &str| Some((name.to_owned(), path.to_owned()));
        assert_eq!(file(None, None), pair("Local", "/etc/localtime"));
        assert_eq!(
            file(Some("Europe/Madrid"), None),
            pair("Europe/Madrid", "/usr/share/zoneinfo/Europe/Madrid")
        );
        assert_eq!(file(Some(":UTC"), Some("/tz")), pair("UTC", "/tz/UTC"));
        assert_eq!(
            file(Some("America/Port-au-Prince"), Some("")),
            pair(
                "America/Port-au-Prince",
                "/usr/share/zoneinfo/America/Port-au-Prince"
            )
        );
        assert_eq!(
            file(Some("/etc/tz/x"), None),
            pair("/etc/tz/x", "/etc/tz/x")
        );
        for jiffs in [
            "",
            "<+05>-5",
            "../../etc/passwd",
            "Europe//Madrid",
            "a/./b",
            "EST5EDT,M3.2.0,M11.1.0",
        ] {
            assert_eq!(file(Some(jiffs), None), None, "{jiffs}");
        }
    }

    /// With `TZ` naming a zone, the zone read from its file has the rules jiff's lookup
    /// finds for that name.
    #[test]
    fn a_zone_read_from_its_file_has_the_rules_of_its_name() {
        let start = jiff::Timestamp::from_second(1_767_225_600).unwrap(); // 2026-01-01
        for name in ["UTC", "Asia/Kolkata", "Europe/Madrid", "America/New_York"] {
            let (_, path) = zone_file(Some(name.as_ref()), None).unwrap();
            let data = fs::read(&path).expect("tzdata is installed (.ci/deps --test)");
            let direct = jiff::tz::TimeZone::tzif(name, &data).unwrap();
            let named = jiff::tz::TimeZone::get(name).unwrap();
            for step in 0..(365 * 4) {
                let at = start + jiff::SignedDuration::from_hours(6 * step);
                assert_eq!(direct.to_offset(at), named.to_offset(at), "{name} at {at}");
            }
        }
    }
}
