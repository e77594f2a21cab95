//! The unixes without a supervisor (macOS, the BSDs): a job leads a process group of its
//! own, started by tokio as synctray's child ([`super::direct`]). A process that leaves the
//! group (`setsid`) escapes it.

use super::TreeId;
use super::helper::ProcessGroup;
use super::started::start_time;

pub use super::direct::{Host, Job};

/// A job's process tree, where jobs are not supervised (every unix but Linux): the
/// process group the job leads. Dropping it kills whatever is left of the tree: no way out
/// of a run leaves a job behind.
#[derive(Debug)]
pub struct JobTree(ProcessGroup);

impl JobTree {
    /// Wraps the tree of a child started with [`prepare_job_command`].
    pub fn new(child: &tokio::process::Child) -> Option<JobTree> {
        ProcessGroup::new(child).map(JobTree)
    }

    /// Asks every process of the tree to stop (SIGTERM).
    pub fn terminate(&self) {
        self.0.terminate();
    }

    /// Stops every process of the tree at once (SIGKILL).
    pub fn kill(&self) {
        self.0.kill();
    }

    /// What a later run needs to make sure this tree is gone, if synctray dies meanwhile.
    pub fn tree_id(&self) -> Option<TreeId> {
        let pid = u32::try_from(self.0.pid()).ok()?;
        let start = start_time(pid)?;
        Some(TreeId { pid, start })
    }
}

/// Puts the job in a process group of its own.
pub use super::helper::prepare as prepare_job_command;

/// Makes sure the tree of a job started by a synctray that died is gone, waiting at most
/// `wait`; whether it is: kills the job's process group, if it still exists.
pub fn end_leftover_tree(id: TreeId, wait: std::time::Duration) -> bool {
    let alive = || start_time(id.pid) == Some(id.start);
    let Ok(pid) = libc::pid_t::try_from(id.pid) else {
        return true;
    };
    // SAFETY: signal 0 only checks whether the group exists.
    let group_exists = || unsafe { libc::kill(-pid, 0) } == 0;
    // A group id is not reused while the group exists; its leader may be gone.
    let ours = alive() || (start_time(id.pid).is_none() && group_exists());
    if !ours {
        return true;
    }
    tracing::info!("killing the processes of the previous run (process group {pid})");
    // SAFETY: kill(2) touches no memory.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    super::wait_for(wait, || !group_exists())
}
