//! Starting a run's jobs, each in a process tree that ends with it: [`JobHost`] (one per
//! run) and [`RunningJob`]. Linux: through the run's supervisor (`supervisor/`).
//! Elsewhere: tokio's child process, in a process group (unix) or a job object (Windows).

use std::io;
use std::process::ExitStatus;

use tokio::io::AsyncRead;

use super::TreeId;

/// A job's output pipe, as synctray reads it.
pub type JobOutput = Box<dyn AsyncRead + Send + Unpin>;

/// What starts the jobs of one run. Started as the run begins; [`JobHost::finish`] (or
/// dropping it) ends whatever is left of them.
#[derive(Debug)]
pub struct JobHost {
    #[cfg(target_os = "linux")]
    supervisor: Result<super::supervisor::Supervisor, String>,
}

impl JobHost {
    /// Linux: forks the run's supervisor (an error is reported by each job's start).
    pub fn start() -> JobHost {
        JobHost {
            #[cfg(target_os = "linux")]
            supervisor: super::supervisor::Supervisor::start().map_err(|e| {
                tracing::error!("cannot start the job supervisor: {e}");
                format!("cannot start the job supervisor: {e}")
            }),
        }
    }

    /// What a later run must make sure is gone if synctray dies during this run, when it
    /// is the same for every job of the run (Linux: the supervisor); recorded once.
    pub fn tree_id(&self) -> Option<TreeId> {
        #[cfg(target_os = "linux")]
        if let Ok(supervisor) = &self.supervisor {
            let pid = u32::try_from(supervisor.pid()).ok()?;
            return super::unix::start_time(pid).map(|start| TreeId { pid, start });
        }
        None
    }

    /// Starts `cmd` (stdin null, stdout and stderr piped) in a tree of its own.
    pub async fn spawn(&self, cmd: tokio::process::Command) -> io::Result<RunningJob<'_>> {
        #[cfg(target_os = "linux")]
        {
            let supervisor = self
                .supervisor
                .as_ref()
                .map_err(|e| io::Error::other(e.clone()))?;
            let (spawn, out, err) = supervised_request(cmd.as_std())?;
            let job = supervisor.spawn(spawn).await?;
            Ok(RunningJob {
                stdout: Some(Box::new(out)),
                stderr: Some(Box::new(err)),
                inner: Inner::Supervised(job),
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let mut cmd = cmd;
            cmd.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true);
            super::imp::prepare_job_command(&mut cmd);
            let mut child = cmd.spawn()?;
            let tree = super::imp::JobTree::new(&child);
            Ok(RunningJob {
                stdout: child.stdout.take().map(|o| Box::new(o) as JobOutput),
                stderr: child.stderr.take().map(|o| Box::new(o) as JobOutput),
                inner: Inner::Direct { child, tree },
            })
        }
    }

    /// Says that no job comes after these: what is left of the run's processes may end
    /// meanwhile (Linux: the supervisor exits), and [`JobHost::finish`] finds them gone.
    pub fn close(&self) {
        #[cfg(target_os = "linux")]
        if let Ok(supervisor) = &self.supervisor {
            supervisor.close();
        }
    }

    /// Ends the run's processes and waits until they are gone.
    pub async fn finish(self) {
        #[cfg(target_os = "linux")]
        if let Ok(supervisor) = self.supervisor {
            supervisor.finish().await;
        }
    }
}

/// A started job. Dropping it before its end kills its whole tree.
pub struct RunningJob<'a> {
    pub stdout: Option<JobOutput>,
    pub stderr: Option<JobOutput>,
    inner: Inner<'a>,
}

#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one running job at a time; the other variants exist on other platforms"
)]
enum Inner<'a> {
    #[cfg(target_os = "linux")]
    Supervised(super::supervisor::SupervisedJob<'a>),
    #[cfg(not(target_os = "linux"))]
    Direct {
        child: tokio::process::Child,
        tree: Option<super::imp::JobTree>,
    },
    #[allow(dead_code)]
    Phantom(std::marker::PhantomData<&'a ()>),
}

impl RunningJob<'_> {
    /// The job's own tree, to record while it runs, where each job has one (macOS: its
    /// process group); `None` where [`JobHost::tree_id`] covers it, or nothing needs it.
    pub fn tree_id(&self) -> Option<TreeId> {
        match &self.inner {
            #[cfg(all(unix, not(target_os = "linux")))]
            Inner::Direct { tree, .. } => tree.as_ref().and_then(super::imp::tree_id),
            _ => None,
        }
    }

    /// Waits for the job to end. Linux: that is once its whole tree is gone. Cancel-safe.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        match &mut self.inner {
            #[cfg(target_os = "linux")]
            Inner::Supervised(job) => job.wait().await,
            #[cfg(not(target_os = "linux"))]
            Inner::Direct { child, tree } => {
                let status = child.wait().await?;
                // Waited for: what is left of the tree goes now, without signalling a
                // process id that is no longer the job's.
                if let Some(tree) = tree.take() {
                    super::job_ended(tree);
                }
                Ok(status)
            }
            Inner::Phantom(_) => unreachable!(),
        }
    }

    /// Asks every process of the job to stop (SIGTERM; Windows: terminates them).
    pub fn terminate(&mut self) {
        match &mut self.inner {
            #[cfg(target_os = "linux")]
            Inner::Supervised(job) => job.terminate(),
            #[cfg(not(target_os = "linux"))]
            Inner::Direct { child, tree } => match tree {
                Some(tree) => tree.terminate(),
                None => drop(child.start_kill()),
            },
            Inner::Phantom(_) => unreachable!(),
        }
    }

    /// Kills every process of the job now.
    pub fn kill(&mut self) {
        match &mut self.inner {
            #[cfg(target_os = "linux")]
            Inner::Supervised(job) => job.kill(),
            #[cfg(not(target_os = "linux"))]
            Inner::Direct { child, tree } => match tree {
                Some(tree) => tree.kill(),
                None => drop(child.start_kill()),
            },
            Inner::Phantom(_) => unreachable!(),
        }
    }
}

/// The spawn request for `cmd`: its argv, its whole environment (synctray's with the
/// command's changes), its folder, and the write ends of two new pipes whose read ends
/// are returned.
#[cfg(target_os = "linux")]
fn supervised_request(
    cmd: &std::process::Command,
) -> io::Result<(
    super::supervisor::Spawn<'_>,
    tokio::net::unix::pipe::Receiver,
    tokio::net::unix::pipe::Receiver,
)> {
    use std::os::unix::ffi::OsStrExt;
    let mut env: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os().collect();
    for (key, value) in cmd.get_envs() {
        env.retain(|(k, _)| k != key);
        if let Some(value) = value {
            env.push((key.to_owned(), value.to_owned()));
        }
    }
    let env = env
        .into_iter()
        .map(|(k, v)| {
            let mut var = k.as_bytes().to_vec();
            var.push(b'=');
            var.extend_from_slice(v.as_bytes());
            var
        })
        .collect();
    let (out_rx, out_tx) = output_pipe()?;
    let (err_rx, err_tx) = output_pipe()?;
    let spawn = super::supervisor::Spawn {
        argv: std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .collect(),
        env,
        cwd: cmd
            .get_current_dir()
            .map_or(std::ffi::OsStr::new("."), |d| d.as_os_str()),
        stdout: out_tx,
        stderr: err_tx,
    };
    Ok((spawn, out_rx, err_rx))
}

/// A pipe for a job's output: the read end non-blocking for synctray, the write end
/// blocking for the job, both closed on exec.
#[cfg(target_os = "linux")]
fn output_pipe() -> io::Result<(tokio::net::unix::pipe::Receiver, std::os::fd::OwnedFd)> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into the array; fcntl on one of them.
    let (read, write) = unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) < 0 {
            return Err(io::Error::last_os_error());
        }
        let ends = (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]));
        if libc::fcntl(fds[0], libc::F_SETFL, libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
        ends
    };
    let read = tokio::net::unix::pipe::Receiver::from_owned_fd_unchecked(read)?;
    Ok((read, write))
}

/// A helper program that is no job of a run (an alert's command), in a process tree of its
/// own as a job is where jobs are not supervised: a process group (unix), a job object
/// (Windows). Its standard input is the caller's to set (the run's supervisor gives a job
/// none). Dropping it kills whatever is left of the tree.
#[derive(Debug)]
pub struct HelperProcess {
    pub child: tokio::process::Child,
    tree: Option<super::imp::JobTree>,
}

/// Starts `cmd` as a [`HelperProcess`] (inside a tokio runtime).
pub fn spawn_helper(mut cmd: tokio::process::Command) -> io::Result<HelperProcess> {
    cmd.kill_on_drop(true);
    super::imp::prepare_job_command(&mut cmd);
    let child = cmd.spawn()?;
    let tree = super::imp::JobTree::new(&child);
    Ok(HelperProcess { child, tree })
}

impl HelperProcess {
    /// Asks every process of the tree to stop (SIGTERM; Windows: terminates them).
    pub fn terminate(&mut self) {
        match &self.tree {
            Some(tree) => tree.terminate(),
            None => drop(self.child.start_kill()),
        }
    }

    /// Kills every process of the tree now.
    pub fn kill(&mut self) {
        match &self.tree {
            Some(tree) => tree.kill(),
            None => drop(self.child.start_kill()),
        }
    }
}
