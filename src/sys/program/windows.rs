//! Windows: a program is the file its name gives, or that file with `.exe` added.

use std::path::PathBuf;

/// The files that would be started for `file`: itself, then with `.exe`.
pub fn candidates(file: PathBuf) -> impl Iterator<Item = PathBuf> {
    let exe = file.with_extension("exe");
    [file, exe].into_iter()
}
