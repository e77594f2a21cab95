//! Writing files so that a crash cannot tear them.

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

/// Replaces `path` with `bytes` atomically: a reader sees the old file or the new one,
/// never a mix, whatever happens to this process meanwhile.
///
/// The bytes go to a new temporary file in the same folder (flushed to disk when asked),
/// and the file is renamed over the target. On error the temporary file is removed. The
/// new file gets `mode` (unix) less any group/other write bits.
pub fn atomic_write(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    durability: Durability,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".synctray-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode & !0o022));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durability == Durability::Flushed {
        tmp.as_file().sync_all()?;
    }
    crate::sys::persist(tmp, path)
}

/// The unix mode of an existing file, to keep it across a rewrite; 0o644 otherwise.
pub fn mode_of(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return meta.permissions().mode() & 0o7777;
        }
    }
    let _ = path;
    0o644
}
