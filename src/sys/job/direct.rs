//! A job started as synctray's own child (tokio's), in the tree the platform gives it
//! (`imp::JobTree`: a process group on unix, a job object on Windows). Every platform but
//! Linux, whose jobs start through the supervisor.

use std::io;
use std::process::{ExitStatus, Stdio};

use super::imp::{JobTree, prepare_job_command};
use super::{JobOutput, RunningJob, TreeId};

/// Nothing to hold for the run: each job has its own tree.
#[derive(Debug)]
pub struct Host;

impl Host {
    pub fn start() -> Host {
        Host
    }

    /// None: each job's own tree ([`Job::tree_id`]) is recorded instead.
    pub fn tree_id(&self) -> Option<TreeId> {
        None
    }

    pub async fn spawn(&self, cmd: tokio::process::Command) -> io::Result<RunningJob<'_>> {
        let mut cmd = cmd;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        prepare_job_command(&mut cmd);
        let mut child = cmd.spawn()?;
        let tree = JobTree::new(&child);
        Ok(RunningJob {
            stdout: child.stdout.take().map(|o| Box::new(o) as JobOutput),
            stderr: child.stderr.take().map(|o| Box::new(o) as JobOutput),
            job: Job {
                child,
                tree,
                _run: std::marker::PhantomData,
            },
        })
    }

    pub fn close(&self) {}

    pub async fn finish(self) {}
}

/// The child and its tree.
#[derive(Debug)]
pub struct Job<'a> {
    child: tokio::process::Child,
    tree: Option<JobTree>,
    _run: std::marker::PhantomData<&'a ()>,
}

impl Job<'_> {
    pub fn tree_id(&self) -> Option<TreeId> {
        self.tree.as_ref().and_then(JobTree::tree_id)
    }

    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        // Waited for: what is left of the tree goes now (the drop kills it), without
        // signalling a process id that is no longer the job's.
        drop(self.tree.take());
        Ok(status)
    }

    pub fn terminate(&mut self) {
        match &self.tree {
            Some(tree) => tree.terminate(),
            None => drop(self.child.start_kill()),
        }
    }

    pub fn kill(&mut self) {
        match &self.tree {
            Some(tree) => tree.kill(),
            None => drop(self.child.start_kill()),
        }
    }
}
