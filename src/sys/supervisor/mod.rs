//! Linux: one supervisor per run, between synctray and the run's jobs, so that no process
//! of a job outlives that job — not even when synctray itself is SIGKILLed.
//!
//! When a run begins, synctray forks the supervisor (no `exec`), and from then on asks it
//! over a unix socket pair (`SOCK_SEQPACKET`, one message a request) to start each job: the
//! job's argv, environment and working folder, with its output pipes passed along
//! (`SCM_RIGHTS`). The supervisor forks and execs the job, answers with its pid (or with
//! the `exec` error), and when the job ends answers with its wait status — once the job's
//! whole tree is gone:
//! - it is a child subreaper (`PR_SET_CHILD_SUBREAPER`): a process of the job whose parent
//!   dies — a daemon that double-forks, a `setsid` child left behind — is reparented to it,
//!   not to init, so every process of the job stays its descendant. Jobs run one at a
//!   time, so every descendant it has while a job runs is that job's;
//! - when the job ends, it kills whatever the job left running (at once; after a stop
//!   request, once synctray says the grace is over or nothing is left), reaps it all, and
//!   only then reports the job's status: that report is proof that the tree is gone;
//! - it gets SIGUSR1 when synctray dies, however it dies (`PR_SET_PDEATHSIG`), and sees
//!   its socket close when synctray's end is closed: either way it kills everything and
//!   exits. A job gets SIGKILL if the supervisor dies. A run that takes over a dead
//!   holder's lock sends it SIGUSR1 too, and waits for it to be gone.
//!
//! A subreaper inside synctray would die with it; this one is a process of its own. It is
//! forked from a multi-threaded program and never execs, so it makes system calls only: no
//! allocation, no locks, no standard-library I/O. Its buffers are static, untouched (so
//! not paid for) in synctray. It costs one `fork` per run; each job costs one `exec` and a
//! `clone(CLONE_VM | CLONE_VFORK)` (as `posix_spawn` does: no page tables copied), and a
//! job that leaves nothing behind costs no `/proc` read.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the supervisor ends; synctray
//! starts runs from the thread of its engine's runtime, which lives as long as the engine.
//!
//! Files: this one is synctray's side, the client the job runner uses ([`Supervisor`],
//! [`SupervisedJob`]); `protocol.rs` the messages over the socket pair; `server.rs` the
//! supervisor process itself (its loop, starting jobs, ending trees); `tree.rs` a process
//! tree found through `/proc`, which both sides (and a run that takes over) signal.

mod protocol;
mod server;
mod tree;

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};

use libc::{c_int, pid_t};
use tokio::io::unix::AsyncFd;

use protocol::{EXITED, FAILED, KILL, STARTED, TERMINATE, encode};
pub use tree::signal_tree;

/// One run's supervisor, as synctray holds it. Dropping it kills whatever still runs
/// under it and reaps it.
#[derive(Debug)]
pub struct Supervisor {
    pid: pid_t,
    sock: AsyncFd<OwnedFd>,
    /// A job was given up (its [`SupervisedJob`] dropped) before its end was read: that
    /// end comes first.
    unread_end: AtomicBool,
    reaped: bool,
}

/// A job started by the supervisor.
#[derive(Debug)]
pub struct SupervisedJob<'a> {
    supervisor: &'a Supervisor,
    status: Option<ExitStatus>,
}

/// What a spawn request carries: everything is resolved by synctray beforehand.
pub struct Spawn<'a> {
    pub argv: Vec<&'a OsStr>,
    /// The job's whole environment, `KEY=VALUE`.
    pub env: Vec<Vec<u8>>,
    pub cwd: &'a OsStr,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

impl Supervisor {
    /// Forks the run's supervisor.
    pub fn start() -> io::Result<Supervisor> {
        let mut fds = [0 as c_int; 2];
        // SAFETY: socketpair writes two descriptors into the array.
        check(unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
                fds.as_mut_ptr(),
            )
        })?;
        // SAFETY: both descriptors are new and ours.
        let (ours, theirs) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: getpid has no preconditions.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the child only makes system calls (see `serve`) and never returns.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: in the forked child; never returns.
            unsafe { server::serve(theirs.as_raw_fd(), parent) }
        }
        drop(theirs);
        // SAFETY: the descriptor is owned by the `OwnedFd` it wraps, and closed only when
        // that is dropped, after the registration.
        let sock =
            match unsafe { AsyncFd::register_with_interest(ours, tokio::io::Interest::READABLE) } {
                Ok(sock) => sock,
                Err(e) => {
                    let e = io::Error::from(e);
                    // SAFETY: our own child; reaped at once after it dies.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                        libc::waitpid(pid, null_mut(), 0);
                    }
                    return Err(e);
                }
            };
        Ok(Supervisor {
            pid,
            sock,
            unread_end: AtomicBool::new(false),
            reaped: false,
        })
    }

    pub fn pid(&self) -> pid_t {
        self.pid
    }

    /// Starts a job; `Err` with the `exec` error if it could not start.
    pub async fn spawn(&self, spawn: Spawn<'_>) -> io::Result<SupervisedJob<'_>> {
        if self.unread_end.load(Ordering::Relaxed) {
            self.wait_end().await?;
        }
        let request = encode(&spawn)?;
        self.send(
            &request,
            &[spawn.stdout.as_raw_fd(), spawn.stderr.as_raw_fd()],
        )?;
        // The supervisor's job holds the write ends now.
        drop(spawn);
        loop {
            match self.recv().await? {
                (STARTED, _pid) => {
                    return Ok(SupervisedJob {
                        supervisor: self,
                        status: None,
                    });
                }
                (FAILED, errno) => return Err(io::Error::from_raw_os_error(errno)),
                _ => {} // an end already read for; not this job's
            }
        }
    }

    /// Tells the supervisor that no job comes after these: it ends what is left and exits,
    /// while synctray goes on ([`Supervisor::finish`] waits for it).
    pub fn close(&self) {
        // SAFETY: shutdown on our own socket.
        unsafe { libc::shutdown(self.sock.as_raw_fd(), libc::SHUT_WR) };
    }

    /// Closes synctray's end and waits for the supervisor to exit: nothing of the run is
    /// left after this.
    pub async fn finish(mut self) {
        self.close();
        while self.recv().await.is_ok() {}
        self.reap();
    }

    /// Waits for the end of a job given up before its end was read.
    async fn wait_end(&self) -> io::Result<i32> {
        loop {
            if let (EXITED, status) = self.recv().await? {
                self.unread_end.store(false, Ordering::Relaxed);
                return Ok(status);
            }
        }
    }

    fn send(&self, message: &[u8], fds: &[c_int]) -> io::Result<()> {
        // SAFETY: the message header points at live buffers of the lengths given.
        unsafe {
            let mut iov = libc::iovec {
                iov_base: message.as_ptr() as *mut libc::c_void,
                iov_len: message.len(),
            };
            let mut control = [0u64; 8]; // room for two descriptors, aligned
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            if !fds.is_empty() {
                let bytes = std::mem::size_of_val(fds);
                msg.msg_control = control.as_mut_ptr().cast();
                // `as _`: glibc's fields are usize, musl's u32.
                msg.msg_controllen = libc::CMSG_SPACE(bytes as u32) as _;
                let cmsg = libc::CMSG_FIRSTHDR(&msg);
                (*cmsg).cmsg_level = libc::SOL_SOCKET;
                (*cmsg).cmsg_type = libc::SCM_RIGHTS;
                (*cmsg).cmsg_len = libc::CMSG_LEN(bytes as u32) as _;
                std::ptr::copy_nonoverlapping(
                    fds.as_ptr(),
                    libc::CMSG_DATA(cmsg).cast(),
                    fds.len(),
                );
            }
            if libc::sendmsg(self.sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    /// The next answer: its kind and number. `Err` once the supervisor is gone.
    async fn recv(&self) -> io::Result<(u8, i32)> {
        loop {
            let mut guard = self.sock.readable().await?;
            let got = guard.try_io(|sock| {
                let mut buf = [0u8; 8];
                // SAFETY: reads into a local buffer of the length given.
                let n = unsafe {
                    libc::recv(
                        sock.as_raw_fd(),
                        buf.as_mut_ptr().cast(),
                        buf.len(),
                        libc::MSG_DONTWAIT,
                    )
                };
                match n {
                    n if n < 0 => Err(io::Error::last_os_error()),
                    5.. => Ok((buf[0], i32::from_ne_bytes([buf[1], buf[2], buf[3], buf[4]]))),
                    _ => Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the job supervisor ended",
                    )),
                }
            });
            if let Ok(got) = got {
                return got;
            }
        }
    }

    fn reap(&mut self) {
        if !self.reaped {
            // SAFETY: our own child, reaped once.
            unsafe { libc::waitpid(self.pid, null_mut(), 0) };
            self.reaped = true;
        }
    }
}

impl Drop for Supervisor {
    /// A run given up: the supervisor kills everything and exits; it is reaped here (for at
    /// most a few seconds, then by a thread of its own), before the run's lock goes.
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        // SAFETY: our own child, not yet reaped, so its pid is still its own.
        unsafe { libc::kill(self.pid, libc::SIGUSR1) };
        let pid = self.pid;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut pause = std::time::Duration::from_micros(200);
        loop {
            // SAFETY: as above.
            if unsafe { libc::waitpid(pid, null_mut(), libc::WNOHANG) } != 0 {
                return;
            }
            if std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(20));
        }
        // SAFETY: as above.
        std::thread::spawn(move || unsafe { libc::waitpid(pid, null_mut(), 0) });
    }
}

impl SupervisedJob<'_> {
    /// Waits for the job's end, which the supervisor reports once its whole tree is gone.
    /// Cancel-safe.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        loop {
            if let (EXITED, status) = self.supervisor.recv().await? {
                let status = ExitStatus::from_raw(status);
                self.status = Some(status);
                return Ok(status);
            }
        }
    }

    /// Asks every process of the job to stop (SIGTERM), `setsid` ones included.
    pub fn terminate(&self) {
        self.request(TERMINATE);
    }

    /// Kills every process of the job now.
    pub fn kill(&self) {
        self.request(KILL);
    }

    fn request(&self, what: u8) {
        if self.status.is_none()
            && let Err(e) = self.supervisor.send(&[what], &[])
        {
            tracing::warn!("cannot reach the job supervisor: {e}");
        }
    }
}

impl Drop for SupervisedJob<'_> {
    fn drop(&mut self) {
        if self.status.is_none() {
            self.kill();
            self.supervisor.unread_end.store(true, Ordering::Relaxed);
        }
    }
}

fn check(rc: c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
