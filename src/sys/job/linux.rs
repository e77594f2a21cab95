//! Linux: a run's jobs start through the run's supervisor (`sys/supervisor/`), a process
//! forked from synctray as the run begins. It is a child subreaper, so every process a job
//! starts stays its descendant, and it kills what a job left when the job ends.

use std::io;
use std::process::ExitStatus;

use super::{JobOutput, RunningJob, TreeId, wait_for};
use crate::sys::supervisor::{SupervisedJob, Supervisor};

/// The run's supervisor, or why it could not start.
#[derive(Debug)]
pub struct Host {
    supervisor: Result<Supervisor, String>,
}

impl Host {
    /// Forks the run's supervisor (an error is reported by each job's start).
    pub fn start() -> Host {
        Host {
            supervisor: Supervisor::start().map_err(|e| {
                tracing::error!("cannot start the job supervisor: {e}");
                format!("cannot start the job supervisor: {e}")
            }),
        }
    }

    /// The supervisor, the root of every job's tree in this run.
    pub fn tree_id(&self) -> Option<TreeId> {
        let supervisor = self.supervisor.as_ref().ok()?;
        let pid = u32::try_from(supervisor.pid()).ok()?;
        start_time(pid).map(|start| TreeId { pid, start })
    }

    pub async fn spawn(&self, cmd: tokio::process::Command) -> io::Result<RunningJob<'_>> {
        let supervisor = self
            .supervisor
            .as_ref()
            .map_err(|e| io::Error::other(e.clone()))?;
        let (spawn, out, err) = supervised_request(cmd.as_std())?;
        let job = supervisor.spawn(spawn).await?;
        Ok(RunningJob {
            stdout: Some(Box::new(out) as JobOutput),
            stderr: Some(Box::new(err) as JobOutput),
            job: Job(job),
        })
    }

    pub fn close(&self) {
        if let Ok(supervisor) = &self.supervisor {
            supervisor.close();
        }
    }

    pub async fn finish(self) {
        if let Ok(supervisor) = self.supervisor {
            supervisor.finish().await;
        }
    }
}

/// A job the supervisor started.
#[derive(Debug)]
pub struct Job<'a>(SupervisedJob<'a>);

impl Job<'_> {
    /// None: the run's supervisor ([`Host::tree_id`]) covers every job.
    pub fn tree_id(&self) -> Option<TreeId> {
        None
    }

    /// Once the job's whole tree is gone. Cancel-safe.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.0.wait().await
    }

    pub fn terminate(&mut self) {
        self.0.terminate();
    }

    pub fn kill(&mut self) {
        self.0.kill();
    }
}

/// Makes sure the tree of a job started by a synctray that died is gone, waiting at most
/// `wait`; whether it is. The supervisor, told of synctray's death, is already killing the
/// tree; this asks it again, waits for it to exit, and if it does not, kills its
/// descendants and it from here.
pub fn end_leftover_tree(id: TreeId, wait: std::time::Duration) -> bool {
    let alive = || start_time(id.pid) == Some(id.start);
    let Ok(pid) = libc::pid_t::try_from(id.pid) else {
        return true;
    };
    if !alive() {
        return true;
    }
    tracing::info!("waiting for the processes of the previous run (supervisor pid {pid}) to end");
    // SAFETY: kill(2) touches no memory; the start time proved whose pid this is.
    unsafe { libc::kill(pid, libc::SIGUSR1) };
    if wait_for(wait / 2, || !alive()) {
        return true;
    }
    crate::sys::supervisor::signal_tree(pid, libc::SIGKILL);
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    wait_for(wait / 2, || !alive())
}

/// When a live (not zombie) process started: clock ticks since boot, from /proc.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (comm) S PPID …": fields after the last ')'; state is field 3, starttime 22.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// The spawn request for `cmd`: its argv, its whole environment (synctray's with the
/// command's changes), its folder, and the write ends of two new pipes whose read ends
/// are returned.
fn supervised_request(
    cmd: &std::process::Command,
) -> io::Result<(
    crate::sys::supervisor::Spawn<'_>,
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
    let spawn = crate::sys::supervisor::Spawn {
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
