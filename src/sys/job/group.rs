//! Every unix: a helper (an alert's command) leads a process group of its own, started by
//! tokio as synctray's child with its standard input the caller's to set; signalling the
//! group reaches every process it started, unless one of them left the group (`setsid`).
//! Dropping it kills whatever is left of the group.

use std::io;

/// A helper program and its process group.
#[derive(Debug)]
pub struct HelperProcess {
    pub child: tokio::process::Child,
    /// The group's leader: the helper.
    pgid: Option<libc::pid_t>,
}

/// Starts `cmd` as a [`HelperProcess`] (inside a tokio runtime).
pub fn spawn_helper(mut cmd: tokio::process::Command) -> io::Result<HelperProcess> {
    cmd.kill_on_drop(true).process_group(0);
    let child = cmd.spawn()?;
    let pgid = child.id().map(|pid| pid as libc::pid_t);
    Ok(HelperProcess { child, pgid })
}

impl HelperProcess {
    /// Asks every process of the group to stop (SIGTERM).
    pub fn terminate(&mut self) {
        self.signal(libc::SIGTERM);
    }

    /// Kills every process of the group now (SIGKILL).
    pub fn kill(&mut self) {
        self.signal(libc::SIGKILL);
    }

    fn signal(&self, sig: libc::c_int) {
        if let Some(pgid) = self.pgid {
            // SAFETY: kill(2) touches no memory. ESRCH (already gone) is harmless.
            unsafe {
                libc::kill(-pgid, sig);
            }
        }
    }
}

impl Drop for HelperProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
