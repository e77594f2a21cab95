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

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};

use libc::{c_int, pid_t};
use tokio::io::unix::AsyncFd;

/// Requests, synctray → supervisor (the first byte of a message).
const SPAWN: u8 = b'S';
const TERMINATE: u8 = b'T';
const KILL: u8 = b'K';
/// Answers, supervisor → synctray: the job runs (its pid), could not start (the errno),
/// ended and its tree is gone (its wait status). Each followed by an `i32`.
const STARTED: u8 = b'P';
const FAILED: u8 = b'E';
const EXITED: u8 = b'X';

/// The largest spawn request: argv, environment and folder together.
const REQUEST_MAX: usize = 192 * 1024;
/// The most arguments plus environment variables of a job.
const STRINGS_MAX: usize = 8192;

/// The supervisor's receive buffer and the job's argv/envp arrays. Static, so that the
/// supervisor (forked, never allocating) has them; synctray never touches them, so their
/// pages are not even mapped in synctray.
struct Buffers {
    request: [u8; REQUEST_MAX],
    pointers: [*const libc::c_char; STRINGS_MAX + 2],
    path: [u8; 4096],
    /// The stack of a job's process between its start and its exec.
    stack: [u8; STACK_SIZE],
}
static mut BUFFERS: Buffers = Buffers {
    request: [0; REQUEST_MAX],
    pointers: [std::ptr::null(); STRINGS_MAX + 2],
    path: [0; 4096],
    stack: [0; STACK_SIZE],
};
const STACK_SIZE: usize = 64 * 1024;

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
            unsafe { serve(theirs.as_raw_fd(), parent) }
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

    /// Closes synctray's end and waits for the supervisor to exit: nothing of the run is
    /// left after this.
    pub async fn finish(mut self) {
        // SAFETY: shutdown on our own socket.
        unsafe { libc::shutdown(self.sock.as_raw_fd(), libc::SHUT_WR) };
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
                msg.msg_controllen = libc::CMSG_SPACE(bytes as u32) as usize;
                let cmsg = libc::CMSG_FIRSTHDR(&msg);
                (*cmsg).cmsg_level = libc::SOL_SOCKET;
                (*cmsg).cmsg_type = libc::SCM_RIGHTS;
                (*cmsg).cmsg_len = libc::CMSG_LEN(bytes as u32) as usize;
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

/// The request: `S`, the numbers of arguments and of variables (two `u32`), then the
/// folder, the arguments and the variables, each ending in a NUL.
fn encode(spawn: &Spawn<'_>) -> io::Result<Vec<u8>> {
    let strings = spawn.argv.len() + spawn.env.len();
    if spawn.argv.is_empty() || strings > STRINGS_MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("too many arguments and variables ({strings}; at most {STRINGS_MAX})"),
        ));
    }
    let mut out = Vec::with_capacity(256);
    out.push(SPAWN);
    out.extend_from_slice(&(spawn.argv.len() as u32).to_ne_bytes());
    out.extend_from_slice(&(spawn.env.len() as u32).to_ne_bytes());
    let all = std::iter::once(spawn.cwd.as_bytes())
        .chain(spawn.argv.iter().map(|a| a.as_bytes()))
        .chain(spawn.env.iter().map(Vec::as_slice));
    for s in all {
        if s.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "an argument, variable or folder holds a NUL byte",
            ));
        }
        out.extend_from_slice(s);
        out.push(0);
    }
    if out.len() > REQUEST_MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "arguments and environment too long ({} bytes; at most {REQUEST_MAX})",
                out.len()
            ),
        ));
    }
    Ok(out)
}

fn check(rc: c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// SIGCHLD (a process ended), SIGUSR1 (kill everything and exit: synctray died, or a run
/// that takes over asks), SIGTERM/SIGINT/SIGHUP (stop the job gently).
unsafe fn watched_signals() -> libc::sigset_t {
    // SAFETY: a zeroed sigset_t is valid storage for sigemptyset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [
            libc::SIGCHLD,
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGUSR1,
        ] {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

/// The supervisor, in the child forked by synctray: sets itself up, then serves requests
/// until synctray is gone. Never returns.
unsafe fn serve(sock: c_int, parent: pid_t) -> ! {
    // SAFETY: system calls on locals and on the static buffers, which only this process
    // (single-threaded) uses.
    unsafe {
        let watched = watched_signals();
        let mut before: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_BLOCK, &watched, &mut before);
        if libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong) < 0
            || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGUSR1 as libc::c_ulong) < 0
            || libc::getppid() != parent
        {
            // No way to guard the jobs, or synctray died before the death signal was armed.
            libc::_exit(1);
        }
        // A process group of its own: a Ctrl-C at synctray's terminal is synctray's to
        // pass on (with its grace period), not the supervisor's.
        libc::setpgid(0, 0);
        // No handler of synctray's (tokio's) may ever run here, nor in a job's process
        // while it shares our memory before its exec: caught signals get their default.
        for sig in 1..=libc::SIGRTMAX() {
            let mut old: libc::sigaction = std::mem::zeroed();
            if sig != libc::SIGKILL
                && sig != libc::SIGSTOP
                && libc::sigaction(sig, null_mut(), &mut old) == 0
                && old.sa_sigaction != libc::SIG_DFL
                && old.sa_sigaction != libc::SIG_IGN
            {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &default, null_mut());
            }
        }
        // Hold no file of synctray's: only the socket (moved above 2), and /dev/null as
        // 0, 1 and 2, so that a job's descriptors never land there.
        let sock = libc::fcntl(sock, libc::F_DUPFD_CLOEXEC, 10);
        if sock < 0 {
            libc::_exit(1);
        }
        close_range(0, sock as libc::c_uint - 1);
        close_range(sock as libc::c_uint + 1, libc::c_uint::MAX);
        for _ in 0..3 {
            libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        }
        let flags = libc::fcntl(sock, libc::F_GETFL);
        libc::fcntl(sock, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        let signals = libc::signalfd(-1, &watched, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
        if signals < 0 {
            libc::_exit(1);
        }
        let me = libc::getpid();
        let mut job = Job::default();
        loop {
            let mut fds = [
                libc::pollfd {
                    fd: sock,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: signals,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            if libc::poll(fds.as_mut_ptr(), 2, -1) < 0 {
                continue; // EINTR
            }
            if fds[1].revents != 0 {
                let mut info: libc::signalfd_siginfo = std::mem::zeroed();
                let size = std::mem::size_of::<libc::signalfd_siginfo>();
                while libc::read(
                    signals,
                    (&mut info as *mut libc::signalfd_siginfo).cast(),
                    size,
                ) == size as isize
                {
                    match info.ssi_signo as c_int {
                        libc::SIGUSR1 => end_all(me),
                        libc::SIGCHLD => {}
                        _ => job.stop_gently(me),
                    }
                }
                job.reap();
            }
            if fds[0].revents != 0 {
                match receive(sock) {
                    Received::Gone => end_all(me),
                    Received::Spawn(out, err, len) => {
                        let (kind, value) = if job.pid != 0 {
                            libc::close(out);
                            libc::close(err);
                            (FAILED, libc::EBUSY)
                        } else {
                            match start_job(me, out, err, len, &before) {
                                Ok(pid) => {
                                    job = Job {
                                        pid,
                                        ..Job::default()
                                    };
                                    (STARTED, pid)
                                }
                                Err(errno) => (FAILED, errno),
                            }
                        };
                        answer(sock, kind, value);
                    }
                    Received::Terminate => job.stop_gently(me),
                    Received::Kill => {
                        if job.pid != 0 {
                            job.killing = true;
                            signal_tree(me, libc::SIGKILL);
                        }
                    }
                    Received::Nothing => {}
                }
                job.reap();
            }
            if let Some(status) = job.done() {
                end_tree(me);
                job = Job::default();
                answer(sock, EXITED, status);
            }
        }
    }
}

/// The running job, as the supervisor follows it (`pid` 0: none).
#[derive(Default)]
struct Job {
    pid: pid_t,
    /// Its wait status, once it has ended.
    status: Option<c_int>,
    /// Asked to stop gently: once the job has ended, the rest of its tree gets the time
    /// synctray grants (until its kill request) to end on its own, as the job had.
    stopping: bool,
    killing: bool,
    /// Whether the supervisor had a child left at the last look.
    children_left: bool,
}

impl Job {
    unsafe fn stop_gently(&mut self, me: pid_t) {
        if self.pid != 0 {
            self.stopping = true;
            signal_tree(me, libc::SIGTERM);
        }
    }

    /// Reaps every child that has ended, noting the job's status if it was among them.
    unsafe fn reap(&mut self) {
        loop {
            let mut status = 0;
            // SAFETY: waitpid writes to a local.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if pid == 0 {
                self.children_left = true;
                return;
            }
            if pid < 0 {
                if errno() == libc::EINTR {
                    continue;
                }
                self.children_left = false;
                return;
            }
            if pid == self.pid {
                self.status = Some(status);
            }
        }
    }

    /// The job's status once it is time to end what is left of its tree.
    fn done(&self) -> Option<c_int> {
        if self.pid == 0 {
            return None;
        }
        self.status
            .filter(|_| !self.stopping || self.killing || !self.children_left)
    }
}

/// What came in on the socket.
enum Received {
    /// The job's stdout and stderr, and the request's length.
    Spawn(c_int, c_int, usize),
    Terminate,
    Kill,
    Gone,
    Nothing,
}

/// Reads one request into the static buffer; a spawn request's two descriptors with it.
unsafe fn receive(sock: c_int) -> Received {
    // SAFETY: reads into the static buffer and a local control buffer, lengths given.
    unsafe {
        let buffers = &raw mut BUFFERS;
        let mut iov = libc::iovec {
            iov_base: (*buffers).request.as_mut_ptr().cast(),
            iov_len: REQUEST_MAX,
        };
        let mut control = [0u64; 8];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        let n = libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC | libc::MSG_DONTWAIT);
        if n == 0 {
            return Received::Gone;
        }
        if n < 0 {
            return match errno() {
                libc::EINTR | libc::EAGAIN => Received::Nothing,
                _ => Received::Gone,
            };
        }
        let mut fds = [-1 as c_int; 2];
        let mut got = 0;
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<c_int>();
                let count = ((*cmsg).cmsg_len - libc::CMSG_LEN(0) as usize) / 4;
                for i in 0..count {
                    let fd = *data.add(i);
                    if got < 2 {
                        fds[got] = fd;
                        got += 1;
                    } else {
                        libc::close(fd);
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
        let request = (*buffers).request[0];
        if request == SPAWN && got == 2 && msg.msg_flags & libc::MSG_TRUNC == 0 {
            return Received::Spawn(fds[0], fds[1], n as usize);
        }
        for fd in &fds[..got] {
            libc::close(*fd);
        }
        match request {
            TERMINATE => Received::Terminate,
            KILL => Received::Kill,
            _ => Received::Nothing,
        }
    }
}

unsafe fn answer(sock: c_int, kind: u8, value: i32) {
    let v = value.to_ne_bytes();
    let msg = [kind, v[0], v[1], v[2], v[3]];
    // SAFETY: sends a local buffer.
    unsafe { libc::send(sock, msg.as_ptr().cast(), msg.len(), libc::MSG_NOSIGNAL) };
}

/// Forks and execs the job of the request in the static buffer; its pid, or the errno
/// of what failed (its `exec` included).
unsafe fn start_job(
    me: pid_t,
    out: c_int,
    err: c_int,
    len: usize,
    mask: &libc::sigset_t,
) -> Result<pid_t, c_int> {
    // SAFETY: system calls on locals and on the static buffers.
    unsafe {
        let buffers = &raw mut BUFFERS;
        let request = &(*buffers).request;
        let argc = u32::from_ne_bytes([request[1], request[2], request[3], request[4]]) as usize;
        let envc = u32::from_ne_bytes([request[5], request[6], request[7], request[8]]) as usize;
        let result = if len < 9 || argc == 0 || argc + envc > STRINGS_MAX {
            Err(libc::E2BIG)
        } else {
            // The strings: folder, then arguments, then variables, each NUL-terminated
            // (checked: none may run past the request's end).
            let pointers = &mut (*buffers).pointers;
            let mut at = 9;
            let mut next = || {
                let start = at;
                while at < len && request[at] != 0 {
                    at += 1;
                }
                at += 1;
                request.as_ptr().add(start).cast::<libc::c_char>()
            };
            let cwd = next();
            for slot in pointers.iter_mut().take(argc) {
                *slot = next();
            }
            pointers[argc] = std::ptr::null();
            for slot in pointers.iter_mut().skip(argc + 1).take(envc) {
                *slot = next();
            }
            pointers[argc + 1 + envc] = std::ptr::null();
            if at > len {
                Err(libc::EINVAL)
            } else {
                fork_exec(me, out, err, mask, cwd, argc)
            }
        };
        libc::close(out);
        libc::close(err);
        result
    }
}

unsafe fn fork_exec(
    me: pid_t,
    out: c_int,
    err: c_int,
    mask: &libc::sigset_t,
    cwd: *const libc::c_char,
    argc: usize,
) -> Result<pid_t, c_int> {
    // SAFETY: the child runs on its own (static) stack, shares our memory until its exec
    // (CLONE_VM | CLONE_VFORK: we are suspended meanwhile, as posix_spawn does), and only
    // makes system calls; it reports an exec failure in `start.errno`.
    unsafe {
        let mut start = Start {
            me,
            out,
            err,
            mask,
            cwd,
            argc,
            errno: 0,
        };
        let buffers = &raw mut BUFFERS;
        let stack = (*buffers).stack.as_mut_ptr().add(STACK_SIZE);
        let top = stack.sub(stack as usize % 16);
        let pid = libc::clone(
            start_child,
            top.cast(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&raw mut start).cast(),
        );
        if pid < 0 {
            return Err(errno());
        }
        let failed = std::ptr::read_volatile(&raw const start.errno);
        if failed != 0 {
            // It never ran: reap it now.
            libc::waitpid(pid, null_mut(), 0);
            return Err(failed);
        }
        Ok(pid)
    }
}

/// What the job's process needs, on the supervisor's stack (shared until the exec).
struct Start {
    me: pid_t,
    out: c_int,
    err: c_int,
    mask: *const libc::sigset_t,
    cwd: *const libc::c_char,
    argc: usize,
    errno: c_int,
}

extern "C" fn start_child(arg: *mut libc::c_void) -> c_int {
    // SAFETY: `arg` is the supervisor's `Start`, alive while it is suspended for us.
    unsafe {
        let start = &mut *arg.cast::<Start>();
        let e = exec_job(
            start.me,
            start.out,
            start.err,
            &*start.mask,
            start.cwd,
            start.argc,
        );
        std::ptr::write_volatile(&raw mut start.errno, if e == 0 { libc::EINVAL } else { e });
        libc::_exit(127)
    }
}

/// In the job's process: sets it up and execs it; returns only the errno of a failure.
unsafe fn exec_job(
    me: pid_t,
    out: c_int,
    err: c_int,
    mask: &libc::sigset_t,
    cwd: *const libc::c_char,
    argc: usize,
) -> c_int {
    // SAFETY: system calls on locals and on the static buffers (this process's copy).
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) < 0 {
            return errno();
        }
        if libc::getppid() != me {
            return libc::ESRCH;
        }
        // A process group of its own, as on the other unixes.
        libc::setpgid(0, 0);
        if libc::dup2(out, 1) < 0 || libc::dup2(err, 2) < 0 {
            return errno();
        }
        if libc::chdir(cwd) < 0 {
            return errno();
        }
        // Rust ignores SIGPIPE; the job starts with the default, and synctray's mask.
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::sigprocmask(libc::SIG_SETMASK, mask, null_mut());
        let buffers = &raw mut BUFFERS;
        let argv = (*buffers).pointers.as_ptr();
        let envp = argv.add(argc + 1);
        let program = *argv;
        if libc::strchr(program, b'/' as c_int).is_null() {
            search_path(program, argv, envp)
        } else {
            libc::execve(program, argv, envp);
            errno()
        }
    }
}

/// Execs `program` from the first folder of the job's `PATH` that has it, as `execvp`
/// does (`/bin:/usr/bin` without a `PATH`); the errno of the last failure.
unsafe fn search_path(
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> c_int {
    // SAFETY: reads NUL-terminated strings of the request; writes the static path buffer.
    unsafe {
        let mut path: &[u8] = b"/bin:/usr/bin";
        let mut env = envp;
        while !(*env).is_null() {
            let var = std::ffi::CStr::from_ptr(*env).to_bytes();
            if let Some(value) = var.strip_prefix(b"PATH=") {
                path = value;
                break;
            }
            env = env.add(1);
        }
        let name = std::ffi::CStr::from_ptr(program).to_bytes();
        let buffers = &raw mut BUFFERS;
        let full = &mut (*buffers).path;
        let mut result = libc::ENOENT;
        let mut denied = false;
        for dir in path.split(|&b| b == b':') {
            let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
            let len = dir.len() + 1 + name.len();
            if len >= full.len() {
                continue;
            }
            full[..dir.len()].copy_from_slice(dir);
            full[dir.len()] = b'/';
            full[dir.len() + 1..len].copy_from_slice(name);
            full[len] = 0;
            libc::execve(full.as_ptr().cast(), argv, envp);
            match errno() {
                libc::EACCES => denied = true,
                libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ELOOP | libc::ENAMETOOLONG => {}
                e => {
                    result = e;
                    break;
                }
            }
        }
        if denied && result == libc::ENOENT {
            libc::EACCES
        } else {
            result
        }
    }
}

/// Synctray is gone (or a run that takes over asks): kill every process left, reap them
/// all, exit. With no child left (the end of every run), there is nothing to look for.
unsafe fn end_all(me: pid_t) -> ! {
    // SAFETY: system calls only.
    unsafe {
        end_tree(me);
        libc::_exit(0)
    }
}

unsafe fn close_range(first: libc::c_uint, last: libc::c_uint) {
    if first > last {
        return;
    }
    // SAFETY: closing descriptors of this process only.
    unsafe {
        if libc::syscall(libc::SYS_close_range, first, last, 0) == 0 {
            return;
        }
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        let most = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur.min(65_536) as libc::c_uint
        } else {
            4096
        };
        for fd in first..=last.min(most) {
            libc::close(fd as c_int);
        }
    }
}

/// Kills every process left under the supervisor and reaps them, until it has no child.
unsafe fn end_tree(me: pid_t) {
    // SAFETY: system calls on locals only.
    unsafe {
        let mut chld: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut chld);
        libc::sigaddset(&mut chld, libc::SIGCHLD);
        let pause = libc::timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        };
        loop {
            loop {
                let mut status = 0;
                let pid = libc::waitpid(-1, &mut status, libc::WNOHANG);
                if pid > 0 {
                    continue;
                }
                if pid < 0 {
                    if errno() == libc::EINTR {
                        continue;
                    }
                    return; // ECHILD: no child left, so no descendant either
                }
                break;
            }
            signal_tree(me, libc::SIGKILL);
            // Killed children end, and their children are reparented here: look again.
            libc::sigtimedwait(&chld, null_mut(), &pause);
        }
    }
}

fn errno() -> c_int {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The most processes of one tree handled in one wave; a bigger tree takes more waves.
const MOST: usize = 1024;

/// Sends `sig` to every descendant of `root` (not to `root` itself), found through the
/// parent ids in `/proc`. Safe to call between fork and exec: no allocation.
pub fn signal_tree(root: pid_t, sig: c_int) {
    let mut tree = [0 as pid_t; MOST];
    tree[0] = root;
    let mut len = 1;
    // Scan until a scan finds nobody new: children usually have higher ids than their
    // parents and come later in /proc, so one scan finds most trees and a second confirms.
    loop {
        let before = len;
        scan_proc(&mut tree, &mut len);
        if len == before || len == MOST {
            break;
        }
    }
    for &pid in &tree[1..len] {
        // SAFETY: kill(2) touches no memory.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// One pass over `/proc`: adds to `tree` every process whose parent is in it.
fn scan_proc(tree: &mut [pid_t; MOST], len: &mut usize) {
    // SAFETY: system calls into local buffers, checked lengths.
    unsafe {
        let dir = libc::open(
            c"/proc".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        );
        if dir < 0 {
            return;
        }
        let mut buf = [0u8; 4096];
        loop {
            let n = libc::syscall(
                libc::SYS_getdents64,
                dir,
                buf.as_mut_ptr(),
                buf.len() as libc::c_uint,
            );
            if n <= 0 {
                break;
            }
            let mut at = 0usize;
            while at + 19 < n as usize {
                let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
                if reclen == 0 {
                    break;
                }
                let name = &buf[at + 19..(at + reclen).min(n as usize)];
                at += reclen;
                let Some(pid) = parse_pid(name) else {
                    continue;
                };
                if *len >= MOST || tree[..*len].contains(&pid) {
                    continue;
                }
                if let Some(ppid) = parent_of(pid)
                    && tree[..*len].contains(&ppid)
                {
                    tree[*len] = pid;
                    *len += 1;
                }
            }
        }
        libc::close(dir);
    }
}

/// A directory entry's name as a process id ("1234\0…"); `None` for "self", "." and the rest.
fn parse_pid(name: &[u8]) -> Option<pid_t> {
    let mut pid: pid_t = 0;
    let mut digits = 0;
    for &b in name {
        match b {
            b'0'..=b'9' => {
                pid = pid.checked_mul(10)?.checked_add(pid_t::from(b - b'0'))?;
                digits += 1;
            }
            0 => break,
            _ => return None,
        }
    }
    (digits > 0).then_some(pid)
}

/// The parent id of `pid`, from `/proc/PID/stat` ("PID (comm) S PPID …").
fn parent_of(pid: pid_t) -> Option<pid_t> {
    // "/proc/" + up to 10 digits + "/stat" + NUL
    let mut path = [0u8; 32];
    let mut len = 0;
    for &b in b"/proc/" {
        path[len] = b;
        len += 1;
    }
    let mut digits = [0u8; 10];
    let mut n = 0;
    let mut rest = pid as u32;
    loop {
        digits[n] = b'0' + (rest % 10) as u8;
        n += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        path[len] = digits[i];
        len += 1;
    }
    for &b in b"/stat" {
        path[len] = b;
        len += 1;
    }
    let mut stat = [0u8; 160];
    // SAFETY: `path` is NUL-terminated (zeroed beyond `len`); reads into a local buffer.
    let read = unsafe {
        let fd = libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let read = libc::read(fd, stat.as_mut_ptr().cast(), stat.len());
        libc::close(fd);
        read
    };
    if read <= 0 {
        return None;
    }
    let stat = &stat[..read as usize];
    // The command name may hold anything, ')' too: the fields start after the last ')'.
    let close = stat.iter().rposition(|&b| b == b')')?;
    let mut fields = stat[close + 1..]
        .split(|&b| b == b' ')
        .filter(|f| !f.is_empty());
    let _state = fields.next()?;
    let ppid = fields.next()?;
    let mut value: pid_t = 0;
    for &b in ppid {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(pid_t::from(b - b'0'))?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_ids_come_from_proc() {
        let me = std::process::id() as pid_t;
        // SAFETY: getppid has no preconditions.
        let parent = unsafe { libc::getppid() };
        assert_eq!(parent_of(me), Some(parent));
        assert_eq!(parse_pid(b"1234\0\0"), Some(1234));
        assert_eq!(parse_pid(b"self\0"), None);
        assert_eq!(parse_pid(b".\0"), None);
    }
}
