//! Linux: the supervisor between synctray and a job, so that no process of the job outlives
//! its run — not even when synctray itself is SIGKILLed.
//!
//! synctray starts each job through a process forked from itself, which forks again to exec
//! the job and then stays as the job's parent until the job's whole tree is gone:
//! - it is a child subreaper (`PR_SET_CHILD_SUBREAPER`): a process of the job whose parent
//!   dies — a daemon that double-forks, a `setsid` child left behind — is reparented to it,
//!   not to init, so every process of the tree stays its descendant;
//! - it gets SIGUSR1 when synctray dies, however it dies (`PR_SET_PDEATHSIG`), and the job
//!   gets SIGKILL if the supervisor dies;
//! - SIGTERM from synctray: it passes SIGTERM to every process of the tree (a graceful
//!   stop, which reaches `setsid` children too); SIGUSR1: it kills them all;
//! - when the job ends, it kills whatever the job left running (after a SIGTERM, once
//!   synctray's SIGUSR1 says the grace is over, or as soon as nothing is left), reaps it
//!   all, and only then exits, the way the job did (the same exit code, or the same signal), so synctray sees
//!   the job's own status. Its exit is proof that the tree is gone.
//!
//! A subreaper inside synctray would die with it; this one is a process of its own. It
//! runs between `fork` and `exec` of a multi-threaded program, so it makes system calls
//! only: no allocation, no locks, no standard-library I/O. It costs one `fork` per job and
//! no `exec`; a job that leaves nothing behind costs it no `/proc` read either.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the supervisor ends; synctray
//! starts jobs from the thread of its engine's runtime, which lives as long as the engine.

use std::io;
use std::mem::MaybeUninit;
use std::ptr::null_mut;

use libc::{c_int, pid_t};

/// Makes `cmd` start its program under a supervisor.
pub fn install(cmd: &mut tokio::process::Command) {
    // synctray must be able to signal the supervisor after dropping the child (a run
    // abandoned mid-job); tokio's kill-on-drop would SIGKILL it before it killed the tree.
    // tokio still reaps a dropped child in the background.
    cmd.kill_on_drop(false);
    let parent = std::process::id() as pid_t;
    // SAFETY: the closure runs in the child between fork and exec and only makes system
    // calls (see `split`).
    unsafe {
        cmd.pre_exec(move || split(parent));
    }
}

/// In the child forked by synctray: becomes the supervisor and forks the job, which
/// returns `Ok` (and goes on to exec the job's program). The supervisor never returns.
fn split(parent: pid_t) -> io::Result<()> {
    // SAFETY: system calls on local values only.
    unsafe {
        let watched = watched_signals();
        let mut before = MaybeUninit::<libc::sigset_t>::uninit();
        // Blocked before the fork: no signal meant for the supervisor can be lost, and
        // `sigwaitinfo` picks them up one at a time.
        check(libc::sigprocmask(
            libc::SIG_BLOCK,
            &watched,
            before.as_mut_ptr(),
        ))?;
        let before = before.assume_init();
        check(libc::prctl(
            libc::PR_SET_CHILD_SUBREAPER,
            1 as libc::c_ulong,
        ))?;
        check(libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGUSR1 as libc::c_ulong,
        ))?;
        if libc::getppid() != parent {
            // synctray died before the death signal was armed: start nothing.
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        let me = libc::getpid();
        let job = libc::fork();
        if job < 0 {
            return Err(io::Error::last_os_error());
        }
        if job == 0 {
            check(libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
            ))?;
            if libc::getppid() != me {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            // The job starts with the signal mask it would have had without us.
            check(libc::sigprocmask(libc::SIG_SETMASK, &before, null_mut()))?;
            return Ok(());
        }
        // Hold no file of synctray's or the job's: the job's pipes must close when the job
        // and its processes have, and synctray's spawn waits for its exec-error pipe to
        // close (which the job's exec does).
        close_all_files();
        supervise(me, job, &watched)
    }
}

fn check(rc: c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// SIGCHLD (a process of the tree ended), SIGTERM/SIGINT/SIGHUP (stop gently), SIGUSR1
/// (kill now; also the death signal of synctray).
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

unsafe fn close_all_files() {
    // SAFETY: closing descriptors of this process only.
    unsafe {
        if libc::syscall(
            libc::SYS_close_range,
            0 as libc::c_uint,
            libc::c_uint::MAX,
            0,
        ) == 0
        {
            return;
        }
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        let most = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur.min(65_536) as c_int
        } else {
            4096
        };
        for fd in 0..most {
            libc::close(fd);
        }
    }
}

unsafe fn supervise(me: pid_t, job: pid_t, watched: &libc::sigset_t) -> ! {
    // SAFETY: system calls only.
    unsafe {
        let mut status = None;
        // Asked to stop gently: once the job has ended, the rest of the tree gets the time
        // synctray grants (until its SIGUSR1) to end on its own, as the job had.
        let mut stopping = false;
        loop {
            match libc::sigwaitinfo(watched, null_mut()) {
                libc::SIGCHLD => {
                    let (ended, children_left) = reap(job);
                    status = status.or(ended);
                    if status.is_some() && (!stopping || !children_left) {
                        break;
                    }
                }
                libc::SIGUSR1 => {
                    signal_tree(me, libc::SIGKILL);
                    if status.is_some() {
                        break;
                    }
                }
                libc::SIGTERM | libc::SIGINT | libc::SIGHUP => {
                    stopping = true;
                    signal_tree(me, libc::SIGTERM);
                }
                _ => {} // EINTR
            }
        }
        end_tree(me);
        exit_like(status.unwrap_or(0))
    }
}

/// Reaps every child that has ended: the job's wait status if it was among them, and
/// whether any child is left.
unsafe fn reap(job: pid_t) -> (Option<c_int>, bool) {
    let mut found = None;
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes to a local.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid == 0 {
            return (found, true);
        }
        if pid < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return (found, false);
        }
        if pid == job {
            found = Some(status);
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

/// Exits the way the job did: with its exit code, or killed by its signal.
unsafe fn exit_like(status: c_int) -> ! {
    // SAFETY: system calls only.
    unsafe {
        if libc::WIFSIGNALED(status) {
            let sig = libc::WTERMSIG(status);
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, null_mut());
            libc::kill(libc::getpid(), sig);
        }
        libc::_exit(if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            1
        })
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
