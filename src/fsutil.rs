//! Writing synctray's own files so that a crash cannot tear them, never through a link,
//! and cleaning up what an interrupted write left behind. The atomic write itself is a
//! file-system primitive of the platform seam ([`sys::atomic_write`], re-exported here
//! for the crate); this module adds the policies over it: the edit lock beside a file,
//! the clean-up of temporary files at start, and the mode a rewrite keeps.

use std::io;
use std::path::Path;
use std::time::Duration;

use crate::sys::{self, TEMP_PREFIX, TEMP_SUFFIX};

pub use crate::sys::{Durability, atomic_write};

/// A temporary file whose writer cannot be proven dead is removed once it is this old:
/// no write takes that long.
const TEMP_MAX_AGE: Duration = Duration::from_secs(3600);

/// Reads a whole file synctray owns, never through a link and never blocking on a FIFO.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = crate::sys::open_regular(path, std::fs::OpenOptions::new().read(true), false)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

/// Takes an OS lock on the file `name` beside `path` (created if need be), waiting for its
/// holder: edits of `path` by several processes, one at a time. The lock is held until the
/// returned file is dropped.
pub fn lock_beside(path: &Path, name: &str) -> io::Result<std::fs::File> {
    let lock_path = path.with_file_name(name);
    let fail = |e: io::Error| {
        io::Error::new(
            e.kind(),
            format!("{}: cannot lock for editing: {e}", lock_path.display()),
        )
    };
    // A lock file deleted by hand between our open and our lock is no lock: open again.
    for _ in 0..8 {
        let mut options = crate::sys::write_options();
        options.read(true).write(true).create(true).truncate(false);
        let file = crate::sys::open_regular(&lock_path, &mut options, false).map_err(fail)?;
        file.lock().map_err(fail)?;
        if crate::sys::same_file(&file, &lock_path).unwrap_or(false) {
            return Ok(file);
        }
    }
    Err(fail(io::Error::other("the lock file kept changing")))
}

/// Removes the temporary files that interrupted writes (a kill, a crash, a power cut) left
/// in `dir`: those whose writer is no longer running, or older than an hour. A writer
/// still at work keeps its file. Returns how many were removed.
pub fn clean_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(middle) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        // entry.metadata() does not follow a link: a link is removed, never its target.
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            continue;
        }
        let writer_dead = middle
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
            .and_then(sys::process_alive)
            == Some(false);
        let old = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TEMP_MAX_AGE);
        if (writer_dead || old) && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(
                "{}: removed a temporary file left by an interrupted write",
                entry.path().display()
            );
            removed += 1;
        }
    }
    removed
}

/// The unix mode of an existing file, to keep it across a rewrite; 0o644 otherwise.
pub fn mode_of(path: &Path) -> u32 {
    sys::file_mode(path).unwrap_or(0o644)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_of_dead_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = sys::shell_command("exit 0").as_std_mut().spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let dead_tmp = dir.path().join(format!(".synctray-{dead}-abc123.tmp"));
        let live_tmp = dir
            .path()
            .join(format!(".synctray-{}-def456.tmp", std::process::id()));
        let other = dir.path().join("notes.tmp");
        for p in [&dead_tmp, &live_tmp, &other] {
            std::fs::write(p, "x").unwrap();
        }
        if sys::process_alive(dead).is_some() {
            assert_eq!(clean_temp_files(dir.path()), 1);
            assert!(!dead_tmp.exists());
        }
        assert!(live_tmp.exists(), "a live writer's file was removed");
        assert!(other.exists(), "a file synctray did not name was removed");
    }
}
