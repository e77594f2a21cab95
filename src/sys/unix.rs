//! Unix side of [`crate::sys`].

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// A job's process group: the job is its leader, so signalling the group reaches every
/// process the job started, however deep, unless one of them deliberately left the group.
/// Dropping it kills whatever is left of the tree: no way out of a run leaves a job behind.
#[derive(Debug)]
pub struct JobTree {
    pgid: libc::pid_t,
}

impl JobTree {
    /// Wraps the group of a child started with [`prepare_job_command`].
    pub fn new(child: &tokio::process::Child) -> Option<JobTree> {
        child.id().map(|pid| JobTree {
            pgid: pid as libc::pid_t,
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
        // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory.
        // ESRCH (the group is already gone) is the expected, harmless outcome after exit.
        unsafe {
            libc::kill(-self.pgid, sig);
        }
    }
}

impl Drop for JobTree {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Puts the job in a process group of its own, and on Linux asks the kernel to kill it if
/// synctray itself dies (even by SIGKILL), so a killed synctray leaves no job running.
pub fn prepare_job_command(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs between fork and exec and calls only prctl(2), which is
    // async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
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

/// Opens a folder in the desktop's file manager (a file, in its default application).
pub fn open_folder(path: &Path) -> io::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|mut child| {
            // Reaped by a short-lived thread, so a long-running tray collects no zombies.
            std::thread::spawn(move || child.wait());
        })
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

/// Renames a finished temporary file over `path`: rename(2) replaces it atomically, even
/// while readers hold the old file open.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    tmp.persist(path).map(drop).map_err(|e| e.error)
}
