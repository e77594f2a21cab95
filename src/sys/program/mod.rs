//! Finding the program an array command names, as the system would start it: a name with
//! a path separator names a file (relative to the workspace), a bare name is looked up on
//! `PATH` (the job's own, else synctray's).
//!
//! # Platform specific behavior
//! - Unix (`unix.rs`): the file itself.
//! - Windows (`windows.rs`): the file, or the file with `.exe` added.

use std::ffi::OsStr;
use std::path::Path;

#[cfg_attr(unix, path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;

/// Whether `program` can be started from `root`, looked up on `path` (else synctray's own
/// `PATH`) when it is a bare name.
pub fn program_findable(program: &str, root: &Path, path: Option<&OsStr>) -> bool {
    let found = |dir: &Path| imp::candidates(dir.join(program)).any(|f| f.is_file());
    if program.contains('/') || program.contains(std::path::MAIN_SEPARATOR) {
        return found(root);
    }
    let path = path.map(Into::into).or_else(|| std::env::var_os("PATH"));
    path.is_some_and(|path| std::env::split_paths(&path).any(|dir| found(&dir)))
}
