//! The supervisor process: forked by synctray, never execs, makes system calls only (no
//! allocation, no locks, no standard-library I/O). It serves the requests of
//! `protocol.rs`, starts each job, follows it and, when it ends, ends what is left of its
//! tree before answering.

use std::io;
use std::ptr::null_mut;

use libc::{c_int, pid_t};

use super::protocol::{EXITED, FAILED, KILL, REQUEST_MAX, SPAWN, STARTED, STRINGS_MAX, TERMINATE};
use super::tree::signal_tree;

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
pub(super) unsafe fn serve(sock: c_int, parent: pid_t) -> ! {
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
        // `as _`: glibc's field is a usize, musl's a u32.
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
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
                // `as _`: a usize on glibc, a u32 on musl.
                let len: usize = (*cmsg).cmsg_len as _;
                let count = (len - libc::CMSG_LEN(0) as usize) / 4;
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
                fork_exec(Start {
                    me,
                    out,
                    err,
                    mask,
                    cwd,
                    argc,
                    errno: 0,
                })
            }
        };
        libc::close(out);
        libc::close(err);
        result
    }
}

unsafe fn fork_exec(mut start: Start) -> Result<pid_t, c_int> {
    // SAFETY: the child runs on its own (static) stack, shares our memory until its exec
    // (CLONE_VM | CLONE_VFORK: we are suspended meanwhile, as posix_spawn does), and only
    // makes system calls; it reports an exec failure in `start.errno`.
    unsafe {
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
        let e = exec_job(start);
        std::ptr::write_volatile(&raw mut start.errno, if e == 0 { libc::EINVAL } else { e });
        libc::_exit(127)
    }
}

/// In the job's process: sets it up and execs it; returns only the errno of a failure.
unsafe fn exec_job(start: &Start) -> c_int {
    // SAFETY: system calls on locals and on the static buffers (this process's copy);
    // `start.mask` points at the supervisor's mask, alive while it waits for us.
    unsafe {
        let Start {
            me,
            out,
            err,
            mask,
            cwd,
            argc,
            ..
        } = *start;
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
