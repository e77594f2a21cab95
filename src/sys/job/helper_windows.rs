//! Windows: a helper (an alert's command) runs in a job object with kill-on-close, as a
//! job does (`windows.rs`), its standard input the caller's to set. Dropping it ends
//! whatever is left of the tree.

use std::io;

use super::imp::{JobTree, prepare_job_command};

/// A helper program and its job object.
#[derive(Debug)]
pub struct HelperProcess {
    pub child: tokio::process::Child,
    tree: Option<JobTree>,
}

/// Starts `cmd` as a [`HelperProcess`] (inside a tokio runtime).
pub fn spawn_helper(mut cmd: tokio::process::Command) -> io::Result<HelperProcess> {
    cmd.kill_on_drop(true);
    prepare_job_command(&mut cmd);
    let child = cmd.spawn()?;
    let tree = JobTree::new(&child);
    Ok(HelperProcess { child, tree })
}

impl HelperProcess {
    /// Ends every process of the tree.
    pub fn terminate(&mut self) {
        match &self.tree {
            Some(tree) => tree.terminate(),
            None => drop(self.child.start_kill()),
        }
    }

    /// Ends every process of the tree now.
    pub fn kill(&mut self) {
        match &self.tree {
            Some(tree) => tree.kill(),
            None => drop(self.child.start_kill()),
        }
    }
}
