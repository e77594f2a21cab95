//! Starting the processes the bench measures, and never leaving one behind.

use std::fs::{self, File};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Is `program` on PATH? The tests' own helper (`tests/support`), one copy for both.
pub use crate::desktop::support::proc::on_path;

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
}

/// Runs `command` to its end and times it. Stdio is left as the caller set it.
pub fn run_to_exit(command: &mut Command) -> io::Result<Exit> {
    let start = Instant::now();
    let status = command.spawn()?.wait()?;
    Ok(Exit {
        wall: start.elapsed(),
        code: status.code(),
    })
}

/// Runs `command` under GNU time and returns its peak resident memory in KiB.
///
/// Not wait4's rusage from here: a child spawned by this (large) process records this
/// process's memory as its own peak before it execs, so the figure would be the bench's.
/// GNU time is small, so the program it starts reports its own peak. The jobs a sync runs
/// count too (the peak is the largest of the tree), but they are small programs.
pub fn peak_rss_kib(command: &Command, scratch: &Path) -> Result<u64, String> {
    const TIME: &str = "/usr/bin/time";
    if !Path::new(TIME).exists() {
        return Err(format!("{TIME} is missing: apt-get install -y time"));
    }
    let report = scratch.join("peak-rss");
    let mut timed = Command::new(TIME);
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let status = timed
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("could not run {TIME}: {e}"))?;
    if !status.success() {
        return Err(format!("exited with {status}"));
    }
    let text = fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    text.trim()
        .parse()
        .map_err(|e| format!("{TIME} printed {text:?}: {e}"))
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
