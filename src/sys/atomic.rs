//! Replacing a file atomically, never through a link: the write every file synctray owns
//! goes through (the status, the history's rewrite, the config's edits, the lock's holder,
//! the workspace list, the start-at-login entry). Platform-free itself, it is built on the
//! seam's primitives beside it (refusing what is not a regular file, the new file's mode,
//! the rename over the target), so `sys` needs nothing from the crate above it.

use std::io::{self, Write};
use std::path::Path;

/// How hard a write insists on reaching the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` before the rename: the user's own data (the config), which must survive a
    /// power cut whole. Errors of the last write are only reported by it, too.
    Flushed,
    /// No `fsync`: data synctray rewrites on every run (the status). The rename alone keeps
    /// readers from ever seeing a torn file, and a flush costs more than the jobs of a
    /// small run.
    Renamed,
}

/// Temporary files are named `.synctray-<pid>-<random>.tmp`: the pid tells the next start
/// whether the writer is gone (see `fsutil::clean_temp_files`).
pub const TEMP_PREFIX: &str = ".synctray-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replaces `path` with `bytes` atomically: a reader sees the old file or the new one,
/// never a mix, whatever happens to this process meanwhile.
///
/// The bytes go to a new temporary file in the same folder (flushed to disk when asked),
/// and the file is renamed over the target. On error the temporary file is removed. The
/// new file gets `mode` (unix) less any group/other write bits. A symbolic link, a FIFO,
/// a socket or a device at `path` is refused: the error says what is there.
pub fn atomic_write(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    durability: Durability,
) -> io::Result<()> {
    super::check_regular_or_absent(path)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    super::set_create_mode(&mut builder, mode);
    // The temporary file is created with O_EXCL: it never follows a link planted at its name.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durability == Durability::Flushed {
        tmp.as_file().sync_all()?;
    }
    super::persist(tmp, path)
}
