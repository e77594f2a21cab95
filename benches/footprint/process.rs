//! Starting the processes the bench measures, and never leaving one behind.

use std::fs::{self, File};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A long-running process (a daemon, a tray, Xvfb) in a process group of its own.
///
/// Dropping it ends the whole group, so a daemon's jobs and the Node original's helper
/// processes go with it, on every way out of the bench, a panic included.
pub struct Daemon {
    child: Child,
    /// Its stdout and stderr, kept to explain a daemon that died.
    pub log: PathBuf,
}

impl Daemon {
    /// Spawns `command` in a new process group, with stdout and stderr to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> io::Result<Daemon> {
        let out = File::create(log)?;
        command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("{name}: could not start: {e}")))?;
        Ok(Daemon {
            child,
            log: log.to_path_buf(),
        })
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// `None` while running; why it ended otherwise, with the last lines it printed.
    pub fn exited(&mut self) -> Option<String> {
        let status = self.child.try_wait().ok()??;
        Some(format!("{} ({})", status, self.log_tail(3)))
    }

    /// The last `lines` non-empty lines of the log, joined, for error messages.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default(), lines)
    }

    /// Polls the log until it holds `needle`; false on timeout or if the process ended.
    pub fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if fs::read_to_string(&self.log).is_ok_and(|log| log.contains(needle)) {
                return true;
            }
            if self.exited().is_some() {
                return false;
            }
            thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let group = -self.pid();
        // SIGTERM first: the daemons under test shut down on it, which also releases
        // their locks; SIGKILL the group after a grace period in case one does not.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            thread::sleep(Duration::from_millis(20));
        }
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// What one run-to-completion of a command cost.
#[derive(Clone, Copy, Debug)]
pub struct Exit {
    /// From just before spawn to the reaping of the process.
    pub wall: Duration,
    /// The exit code, or `None` when a signal ended it.
    pub code: Option<i32>,
    /// Peak resident memory in KiB, from wait4's rusage: the largest of the process and
    /// the descendants it waited for (for `synctray sync`, that is synctray itself, since
    /// its jobs are small programs like `true`, `sh`, `head` and `tr`).
    pub max_rss_kib: u64,
}

/// Runs `command` to its end and measures it. Stdio is left as the caller set it.
///
/// Reaping with wait4 instead of `Child::wait` is what gives the peak memory with no
/// extra tool (`/usr/bin/time -f %M` reads the very same field).
pub fn run_to_exit(command: &mut Command) -> io::Result<Exit> {
    let start = Instant::now();
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let wall = start.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Exit {
        wall,
        code,
        max_rss_kib: usage.ru_maxrss as u64,
    })
}

/// Runs `command` once with its output captured, to explain a failure before timing it.
/// Returns the error text (exit status and the last lines of stderr) if it did not exit 0.
pub fn check_runs(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(format!("{}: {}", output.status, tail(&stderr, 2)))
}

/// Is `program` on PATH (or an existing path)?
pub fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

fn tail(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let start = kept.len().saturating_sub(lines);
    let joined = kept[start..].join(" | ");
    // Keep a table cell readable even when a program prints a wall of text.
    if joined.chars().count() > 200 {
        joined.chars().take(200).collect::<String>() + "…"
    } else if joined.is_empty() {
        "no output".to_string()
    } else {
        joined
    }
}
