//! A process tree, found through the parent ids in `/proc`, without allocating (so that
//! the supervisor, forked and never exec'ing, may use it too).

use libc::{c_int, pid_t};

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
pub(super) fn parse_pid(name: &[u8]) -> Option<pid_t> {
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
pub(super) fn parent_of(pid: pid_t) -> Option<pid_t> {
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
