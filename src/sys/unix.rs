//! Unix side of [`crate::sys`].

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// A job's process tree, where jobs are not supervised (every unix but Linux): the job
/// leads a process group of its own, and signalling the group reaches every process the
/// job started, unless one of them left the group.
///
/// Dropping it kills whatever is left of the tree: no way out of a run leaves a job behind.
/// On Linux, where jobs are supervised, it holds an alert's command
/// ([`crate::sys::spawn_helper`]).
#[derive(Debug)]
pub struct JobTree {
    /// The job, which leads the process group.
    pid: libc::pid_t,
}

/// Whether jobs run under a supervisor.
const SUPERVISED: bool = cfg!(target_os = "linux");

impl JobTree {
    /// Wraps the tree of a child started with [`prepare_job_command`].
    pub fn new(child: &tokio::process::Child) -> Option<JobTree> {
        child.id().map(|pid| JobTree {
            pid: pid as libc::pid_t,
        })
    }

    /// Asks every process of the tree to stop (SIGTERM).
    pub fn terminate(&self) {
        self.signal(libc::SIGTERM);
    }

    /// Stops every process of the tree at once (SIGKILL).
    pub fn kill(&self) {
        self.signal(libc::SIGKILL);
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) touches no memory. ESRCH (already gone) is harmless.
        unsafe {
            libc::kill(-self.pid, sig);
        }
    }
}

impl Drop for JobTree {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The job's process has been waited for; its process group may still hold processes
/// the job left, and they are killed (by the drop).
#[cfg(not(target_os = "linux"))]
pub fn job_ended(tree: JobTree) {
    drop(tree);
}

/// What a later run needs to make sure this tree is gone, if synctray dies meanwhile.
#[cfg(not(target_os = "linux"))]
pub fn tree_id(tree: &JobTree) -> Option<crate::sys::TreeId> {
    let pid = u32::try_from(tree.pid).ok()?;
    let start = start_time(pid)?;
    Some(crate::sys::TreeId { pid, start })
}

/// Makes sure the tree of a job started by a synctray that died is gone, waiting at most
/// `wait`; whether it is.
///
/// Linux: the supervisor, told of synctray's death, is already killing the tree; this asks
/// it again, waits for it to exit, and if it does not, kills its descendants and it from
/// here. Elsewhere: kills the job's process group, if it still exists.
pub fn end_leftover_tree(id: crate::sys::TreeId, wait: std::time::Duration) -> bool {
    let alive = || start_time(id.pid) == Some(id.start);
    let Ok(pid) = libc::pid_t::try_from(id.pid) else {
        return true;
    };
    if SUPERVISED {
        if !alive() {
            return true;
        }
        tracing::info!(
            "waiting for the processes of the previous run (supervisor pid {pid}) to end"
        );
        // SAFETY: kill(2) touches no memory; the start time proved whose pid this is.
        unsafe { libc::kill(pid, libc::SIGUSR1) };
        if wait_for(wait / 2, || !alive()) {
            return true;
        }
        #[cfg(target_os = "linux")]
        crate::sys::supervisor::signal_tree(pid, libc::SIGKILL);
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        wait_for(wait / 2, || !alive())
    } else {
        // SAFETY: signal 0 only checks whether the group exists.
        let group_exists = || unsafe { libc::kill(-pid, 0) } == 0;
        // A group id is not reused while the group exists; its leader may be gone.
        let ours = alive() || (start_time(id.pid).is_none() && group_exists());
        if !ours {
            return true;
        }
        tracing::info!("killing the processes of the previous run (process group {pid})");
        // SAFETY: as above.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        wait_for(wait, || !group_exists())
    }
}

fn wait_for(timeout: std::time::Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// When a live (not zombie) process started: clock ticks since boot, from /proc.
#[cfg(target_os = "linux")]
pub(super) fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (comm) S PPID …": fields after the last ')'; state is field 3, starttime 22.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// When a process started: microseconds since the epoch, from the kernel's BSD info.
#[cfg(target_os = "macos")]
fn start_time(pid: u32) -> Option<u64> {
    let mut info: libc::proc_bsdinfo = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::proc_bsdinfo>() as libc::c_int;
    // SAFETY: the buffer is a proc_bsdinfo of the size given.
    let got = unsafe {
        libc::proc_pidinfo(
            pid as libc::c_int,
            libc::PROC_PIDTBSDINFO,
            0,
            (&mut info as *mut libc::proc_bsdinfo).cast(),
            size,
        )
    };
    if got != size || info.pbi_status == libc::SZOMB {
        return None;
    }
    Some(info.pbi_start_tvsec * 1_000_000 + info.pbi_start_tvusec)
}

/// No way to tell a process's start here: a tree is not recorded, and not killed again.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn start_time(_pid: u32) -> Option<u64> {
    None
}

/// Puts the job in a process group of its own (where jobs are not supervised; and an
/// alert's command everywhere).
pub fn prepare_job_command(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
}

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
    super::open_regular(path, &mut options, false)
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

/// Opens a folder in the desktop's file manager (a file, in its default application), and
/// waits for the opener to say whether it could: an error when it cannot start (no
/// `xdg-open`) or exits with a failure (no application for the file, no file manager).
/// Blocks while the opener runs: call it off the GUI thread.
pub fn open_folder(path: &Path) -> io::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                io::Error::new(e.kind(), format!("{opener} is not installed"))
            }
            _ => io::Error::new(e.kind(), format!("{opener} could not start: {e}")),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{opener} found no application to open it ({status})"
        )))
    }
}

/// Whether a GUI can be shown: on macOS always; elsewhere only when a display server is
/// named (`DISPLAY` for X11, `WAYLAND_DISPLAY` for Wayland). Checked before touching the GUI
/// toolkit, which panics or aborts without one.
pub fn desktop_session_available() -> bool {
    cfg!(target_os = "macos")
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

/// The system's time zone now. Without `TZ`, its rules are read from `/etc/localtime`
/// directly: asking jiff for the system zone looks its name up in the time zone database,
/// which lists the whole zoneinfo tree and keeps the list (about 170 KB) in memory for the
/// life of the daemon. With `TZ` (a name, a path or a POSIX rule), jiff's own lookup.
pub fn local_zone() -> jiff::tz::TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Ok(data) = fs::read("/etc/localtime")
        && let Ok(tz) = jiff::tz::TimeZone::tzif("Local", &data)
    {
        return tz;
    }
    jiff::tz::TimeZone::system()
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

    fn alive_with(marker: &str) -> bool {
        fs::read_dir("/proc").unwrap().flatten().any(|e| {
            fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
    }

    /// What a run that takes over a dead holder's lock does: the tree recorded in the
    /// holder file, setsid'd process included, is ended before the new run starts.
    #[test]
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    fn a_recorded_tree_is_ended_by_whoever_takes_over() {
        let marker = format!("300.0{}77", std::process::id());
        let setsid_marker = format!("300.0{}78", std::process::id());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let id = runtime.block_on(async {
            let host = crate::sys::JobHost::start();
            let job = host
                .spawn(shell_command(&format!(
                    "sleep {marker} & setsid sleep {setsid_marker} & wait"
                )))
                .await
                .unwrap();
            let id = job.tree_id().or(host.tree_id()).expect("a tree id");
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !(alive_with(&marker) && (!SUPERVISED || alive_with(&setsid_marker))) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the job did not start"
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            // As if this process had died: nobody here will stop the tree.
            std::mem::forget(job);
            std::mem::forget(host);
            id
        });
        assert!(end_leftover_tree(id, std::time::Duration::from_secs(10)));
        assert!(!alive_with(&marker), "the job's child survived");
        if SUPERVISED {
            assert!(!alive_with(&setsid_marker), "the setsid'd process survived");
        }
        // A second look finds nothing to do.
        assert!(end_leftover_tree(id, std::time::Duration::from_secs(1)));
    }
}
