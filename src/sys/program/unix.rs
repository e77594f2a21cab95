//! Unix: a program is the file its name gives.

use std::path::PathBuf;

/// The files that would be started for `file`: itself.
pub fn candidates(file: PathBuf) -> impl Iterator<Item = PathBuf> {
    std::iter::once(file)
}
