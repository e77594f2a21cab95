//! Unix side of the file checks in [`crate::sys`]: opening synctray's own files without
//! following a link or blocking on a FIFO, and the StrictModes permission check.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Opens a file synctray reads or writes, with `options` (read, write, append, create as
/// the caller sets them; a new file gets mode 0644), and makes sure it is a regular file.
///
/// - `follow`: whether a symbolic link in the last component is followed (only the
///   config may be a link); without it a link is refused (`O_NOFOLLOW`).
/// - The open never blocks: a FIFO with no writer, a device or a socket at the path is
///   an error (`O_NONBLOCK`, then `fstat`), never a hang.
pub fn open_regular(path: &Path, options: &mut OpenOptions, follow: bool) -> io::Result<File> {
    let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    options.mode(0o644).custom_flags(flags);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) && !follow => {
            return Err(symlink_refused());
        }
        // Opening a FIFO for writing with no reader fails with ENXIO.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => return Err(not_regular("a FIFO")),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(kind_of(&meta.file_type())));
    }
    // Back to ordinary blocking I/O (a regular file never blocks anyway).
    // SAFETY: fcntl on a descriptor this function owns; it touches no memory.
    unsafe {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(fd, libc::F_SETFL, fl & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

/// `Ok` when a regular file or nothing is at `path`; otherwise an error saying what is
/// there (a link is never followed).
pub fn check_regular_or_absent(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(symlink_refused()),
        Ok(meta) if !meta.is_file() => Err(not_regular(kind_of(&meta.file_type()))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `path` is a real folder (not a link to one).
pub fn check_real_dir(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        Err(symlink_refused())
    } else if !meta.is_dir() {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is not a folder but {}", kind_of(&meta.file_type())),
        ))
    } else {
        Ok(())
    }
}

/// Whether this process may create files in the folder `path`: the error says why not
/// (a read-only file system, no permission). Asked of the kernel (`access`), which
/// creates nothing.
pub fn check_dir_writable(path: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: a NUL-terminated path that lives across the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Refuses a file or folder that users other than its owner can write, as sshd's
/// StrictModes does: whoever can write the config (or replace it through its folder) can
/// make synctray run any command as you. The text says why and how to fix it.
pub fn check_private(meta: &fs::Metadata, path: &Path) -> Result<(), String> {
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "is writable by {} (mode {mode:04o}); synctray runs the commands in the config, so \
             only its owner may write it: run `chmod go-w {}`",
            if mode & 0o002 != 0 {
                "every user"
            } else {
                "its group"
            },
            path.display()
        ));
    }
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let owner = meta.uid();
    if owner != me && owner != 0 {
        return Err(format!(
            "belongs to another user (uid {owner}, not you, uid {me}, or root); synctray runs \
             the commands in the config, so only you or root may own it: run `chown {me} {}`",
            path.display()
        ));
    }
    Ok(())
}

/// Makes the files `builder` creates get `mode`, less any group/other write bits (and
/// less what the umask takes away): a file synctray writes is never writable by others.
pub fn set_create_mode(builder: &mut tempfile::Builder, mode: u32) {
    builder.permissions(fs::Permissions::from_mode(mode & !0o022));
}

/// Sets the mode of an open file to `mode` exactly (the umask does not apply).
pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    file.set_permissions(fs::Permissions::from_mode(mode))
}

/// The permission bits of the file at `path` (a link is followed); `None` when there is
/// no file.
pub fn file_mode(path: &Path) -> Option<u32> {
    fs::metadata(path)
        .ok()
        .map(|meta| meta.permissions().mode() & 0o7777)
}

fn symlink_refused() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "is a symbolic link; synctray never writes through a link (remove it)",
    )
}

fn not_regular(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("is {what}, not a regular file (remove it)"),
    )
}

fn kind_of(t: &fs::FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use crate::sys::{Durability, atomic_write};

    #[test]
    fn atomic_write_refuses_a_link_and_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "theirs").unwrap();
        let link = dir.path().join("status.json");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = atomic_write(&link, b"ours", 0o644, Durability::Renamed).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "theirs");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );

        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let e = atomic_write(&fifo, b"ours", 0o644, Durability::Renamed).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }
}
