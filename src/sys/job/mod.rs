//! Starting a run's jobs, each in a process tree that ends with it: [`JobHost`] (one per
//! run) and [`RunningJob`]; and ending the tree a dead synctray left ([`end_leftover_tree`]).
//!
//! # Platform specific behavior
//! - Linux (`linux.rs`): through the run's supervisor (`sys/supervisor/`), which keeps
//!   every process a job starts, `setsid` or not, as its descendant.
//! - The other unixes (`unix.rs`): tokio's child process ([`direct`]), leading a process
//!   group of its own; the group's leader's start time, to know it again after a crash,
//!   from `macos.rs` (the kernel's BSD info) or `other.rs` (not known: not recorded).
//! - Windows (`windows.rs`): tokio's child process ([`direct`]), in a job object with
//!   kill-on-close.
//!
//! A helper that is no job of a run (an alert's command, [`spawn_helper`]) is synctray's
//! own child everywhere: in a process group of its own on every unix (`group.rs`), in a
//! job object on Windows (`helper_windows.rs`).

use std::io;
use std::process::ExitStatus;

use tokio::io::AsyncRead;

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(all(unix, not(target_os = "linux")), path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;
pub use imp::end_leftover_tree;

/// A job started as synctray's own child, in the tree `imp::JobTree` gives it (every
/// platform but Linux).
#[cfg(not(target_os = "linux"))]
mod direct;

/// A helper program that is no job of a run (an alert's command), in a tree of its own:
/// a process group on every unix (`group.rs`, whose group is also the job tree of the
/// unixes without a supervisor; Linux too, as its supervisor gives a job no standard
/// input, which a helper needs), a job object on Windows (`helper_windows.rs`).
#[cfg_attr(unix, path = "group.rs")]
#[cfg_attr(windows, path = "helper_windows.rs")]
mod helper;
pub use helper::{HelperProcess, spawn_helper};

/// When a process started, to know it again (unixes without a supervisor).
#[cfg(all(unix, not(target_os = "linux")))]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(not(target_os = "macos"), path = "other.rs")]
mod started;

/// A job's output pipe, as synctray reads it.
pub type JobOutput = Box<dyn AsyncRead + Send + Unpin>;

/// What a later run needs to make sure a job's process tree is gone after the synctray
/// that started it died: the tree's root process and when it started (so that a reused
/// process id is never mistaken for it). Recorded in the lock's holder file: once a run
/// (Linux: the run's supervisor) or as each job starts (macOS: its process group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TreeId {
    /// The root process: the run's supervisor (Linux) or the job's process-group leader.
    pub pid: u32,
    /// The root's start time, in the platform's own unit (clock ticks since boot on Linux,
    /// microseconds since the epoch on macOS).
    pub start: u64,
}

/// What starts the jobs of one run. Started as the run begins; [`JobHost::finish`] (or
/// dropping it) ends whatever is left of them.
#[derive(Debug)]
pub struct JobHost(imp::Host);

impl JobHost {
    /// Linux: forks the run's supervisor (an error is reported by each job's start).
    pub fn start() -> JobHost {
        JobHost(imp::Host::start())
    }

    /// What a later run must make sure is gone if synctray dies during this run, when it
    /// is the same for every job of the run (Linux: the supervisor); recorded once.
    pub fn tree_id(&self) -> Option<TreeId> {
        self.0.tree_id()
    }

    /// Starts `cmd` (stdin null, stdout and stderr piped) in a tree of its own.
    pub async fn spawn(&self, cmd: tokio::process::Command) -> io::Result<RunningJob<'_>> {
        self.0.spawn(cmd).await
    }

    /// Says that no job comes after these: what is left of the run's processes may end
    /// meanwhile (Linux: the supervisor exits), and [`JobHost::finish`] finds them gone.
    pub fn close(&self) {
        self.0.close();
    }

    /// Ends the run's processes and waits until they are gone.
    pub async fn finish(self) {
        self.0.finish().await;
    }
}

/// A started job. Dropping it before its end kills its whole tree.
pub struct RunningJob<'a> {
    pub stdout: Option<JobOutput>,
    pub stderr: Option<JobOutput>,
    job: imp::Job<'a>,
}

impl RunningJob<'_> {
    /// The job's own tree, to record while it runs, where each job has one (macOS: its
    /// process group); `None` where [`JobHost::tree_id`] covers it, or nothing needs it.
    pub fn tree_id(&self) -> Option<TreeId> {
        self.job.tree_id()
    }

    /// Waits for the job to end. Linux: that is once its whole tree is gone. Cancel-safe.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.job.wait().await
    }

    /// Asks every process of the job to stop (SIGTERM; Windows: terminates them).
    pub fn terminate(&mut self) {
        self.job.terminate();
    }

    /// Kills every process of the job now.
    pub fn kill(&mut self) {
        self.job.kill();
    }
}

/// Calls `done` every 10 ms until it says yes or `timeout` passes; whether it said yes.
#[cfg(unix)]
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

#[cfg(all(test, any(target_os = "linux", target_os = "macos")))]
mod tests {
    use std::fs;

    use super::*;
    use crate::sys::shell_command;

    /// Whether jobs run under a supervisor (which also keeps a setsid'd process).
    const SUPERVISED: bool = cfg!(target_os = "linux");

    fn alive_with(marker: &str) -> bool {
        fs::read_dir("/proc").unwrap().flatten().any(|e| {
            fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
    }

    /// What a run that takes over a dead holder's lock does: the tree recorded in the
    /// holder file, setsid'd process included, is ended before the new run starts.
    #[test]
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
