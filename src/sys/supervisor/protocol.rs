//! The messages between synctray and the supervisor, over the unix socket pair
//! (`SOCK_SEQPACKET`: one message a request or an answer). A request starts with its kind
//! (one byte): a spawn request then carries the job ([`encode`]) and, beside it
//! (`SCM_RIGHTS`), its output pipes. An answer is its kind (one byte) and an `i32`.

use std::io;
use std::os::unix::ffi::OsStrExt;

use super::Spawn;

/// Requests, synctray → supervisor (the first byte of a message).
pub(super) const SPAWN: u8 = b'S';
pub(super) const TERMINATE: u8 = b'T';
pub(super) const KILL: u8 = b'K';
/// Answers, supervisor → synctray: the job runs (its pid), could not start (the errno),
/// ended and its tree is gone (its wait status). Each followed by an `i32`.
pub(super) const STARTED: u8 = b'P';
pub(super) const FAILED: u8 = b'E';
pub(super) const EXITED: u8 = b'X';

/// The largest spawn request: argv, environment and folder together.
pub(super) const REQUEST_MAX: usize = 192 * 1024;
/// The most arguments plus environment variables of a job.
pub(super) const STRINGS_MAX: usize = 8192;

/// The request: `S`, the numbers of arguments and of variables (two `u32`), then the
/// folder, the arguments and the variables, each ending in a NUL.
pub(super) fn encode(spawn: &Spawn<'_>) -> io::Result<Vec<u8>> {
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
