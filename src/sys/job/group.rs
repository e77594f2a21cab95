//! Every unix: a process group led by a child synctray started (tokio's). Signalling the
//! group reaches every process the leader started, unless one of them left the group
//! (`setsid`). The job tree of the unixes without a supervisor (`unix.rs`), and the tree
//! of a helper (an alert's command) on every unix, its standard input the caller's to set.

use std::io;

/// A process group, led by a child started with [`prepare`]. Dropping it kills whatever
/// is left of the group: no way out leaves a process of it behind.
#[derive(Debug)]
pub struct ProcessGroup {
    /// The group's leader.
    pid: libc::pid_t,
}

impl ProcessGroup {
    /// The group `child` leads.
    pub fn new(child: &tokio::process::Child) -> Option<ProcessGroup> {
        child.id().map(|pid| ProcessGroup {
            pid: pid as libc::pid_t,
        })
    }

    /// The leader's process id.
    #[cfg_attr(
        target_os = "linux",
        expect(
            dead_code,
            reason = "the job trees of the unixes without a supervisor use it"
        )
    )]
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Asks every process of the group to stop (SIGTERM).
    pub fn terminate(&self) {
        self.signal(libc::SIGTERM);
    }

    /// Kills every process of the group now (SIGKILL).
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

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Makes the command's process lead a process group of its own.
pub fn prepare(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
}

/// A helper program and its process group.
#[derive(Debug)]
pub struct HelperProcess {
    pub child: tokio::process::Child,
    group: Option<ProcessGroup>,
}

/// Starts `cmd` as a [`HelperProcess`] (inside a tokio runtime).
pub fn spawn_helper(mut cmd: tokio::process::Command) -> io::Result<HelperProcess> {
    cmd.kill_on_drop(true);
    prepare(&mut cmd);
    let child = cmd.spawn()?;
    let group = ProcessGroup::new(&child);
    Ok(HelperProcess { child, group })
}

impl HelperProcess {
    /// Asks every process of the group to stop (SIGTERM).
    pub fn terminate(&mut self) {
        if let Some(group) = &self.group {
            group.terminate();
        }
    }

    /// Kills every process of the group now (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(group) = &self.group {
            group.kill();
        }
    }
}
