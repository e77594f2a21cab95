//! Windows side of the file checks in [`crate::sys`].

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens a file synctray reads or writes, with `options`, and makes sure it is a regular
/// file. Without `follow`, a symbolic link (reparse point) at the path is refused.
pub fn open_regular(path: &Path, options: &mut OpenOptions, follow: bool) -> io::Result<File> {
    if !follow {
        check_regular_or_absent(path)?;
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file (remove it)",
        ));
    }
    Ok(file)
}

/// Whether this process may create files in the folder `path`. Windows ignores a
/// folder's read-only attribute for that, and what its access lists allow is only known
/// by trying: this says yes, and a run that cannot create the lock says why.
pub fn check_dir_writable(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// An error when something other than a regular file (or nothing) is at `path`.
pub fn check_regular_or_absent(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a symbolic link; synctray never writes through a link (remove it)",
        )),
        Ok(meta) if !meta.is_file() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file (remove it)",
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `path` is a real folder (not a link to one).
pub fn check_real_dir(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a real folder (a link or a file); synctray never writes through a link",
        ));
    }
    Ok(())
}

/// Windows has no group/other mode bits; ACLs are left to the user's profile folders.
pub fn check_private(_meta: &fs::Metadata, _path: &Path) -> Result<(), String> {
    Ok(())
}

/// Windows has no mode bits: a new file's ACL is inherited from its folder.
pub fn set_create_mode(_builder: &mut tempfile::Builder, _mode: u32) {}

/// Windows has no mode bits: nothing to set.
pub fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Windows has no mode bits: always `None`.
pub fn file_mode(_path: &Path) -> Option<u32> {
    None
}
