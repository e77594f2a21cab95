//! Windows side of [`crate::sys`].

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};

/// A job object holding the job's process and everything it starts. Closing the last
/// handle (dropping this, or synctray exiting however it exits) kills the whole tree.
#[derive(Debug)]
pub struct JobTree {
    job: HANDLE,
}

// SAFETY: a job object handle may be used from any thread.
unsafe impl Send for JobTree {}
unsafe impl Sync for JobTree {}

impl JobTree {
    /// Creates a job object and puts the child in it.
    pub fn new(child: &tokio::process::Child) -> Option<JobTree> {
        let process = child.raw_handle()?;
        // SAFETY: plain Win32 calls on handles we own; failures return null / zero.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                (&info as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if AssignProcessToJobObject(job, process as HANDLE) == 0 {
                CloseHandle(job);
                return None;
            }
            Some(JobTree { job })
        }
    }

    /// Windows has no polite stop for a console tree: terminate it.
    pub fn terminate(&self) {
        self.kill();
    }

    /// Terminates every process in the job.
    pub fn kill(&self) {
        // SAFETY: the handle is valid until drop.
        unsafe {
            TerminateJobObject(self.job, 1);
        }
    }
}

impl Drop for JobTree {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and closed once.
        unsafe {
            CloseHandle(self.job);
        }
    }
}

/// Nothing to do before spawning on Windows: the job object is attached after spawn.
pub fn prepare_job_command(_cmd: &mut tokio::process::Command) {}

/// Options for a file synctray creates (Windows ACLs inherit from the folder).
pub fn write_options() -> OpenOptions {
    OpenOptions::new()
}

/// Creates a directory and its parents.
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path)
}

/// Opens (creating if needed) a file for reading and writing, refusing a symbolic link.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other("is a symbolic link"));
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Windows does not let an open file be deleted under a holder, so the file at `path` is
/// the one open whenever it exists.
pub fn same_file(file: &File, path: &Path) -> io::Result<bool> {
    let _ = file;
    fs::symlink_metadata(path).map(|_| true)
}

/// Windows has no group/other mode bits; ACLs are left to the user's profile folders.
pub fn check_not_shared_writable(_meta: &fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// The machine's host name, as recorded in the lock file.
pub fn hostname() -> String {
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| "localhost".to_owned())
}

/// Opens a folder in Explorer (a file, in its default application).
pub fn open_folder(path: &Path) -> io::Result<()> {
    std::process::Command::new("explorer")
        .arg(path)
        .spawn()
        .map(drop)
}

/// Whether a GUI can be shown: an interactive Windows session always has a desktop.
pub fn desktop_session_available() -> bool {
    true
}

/// Whether a process with this id exists; unknown on Windows (the lock's own OS lock is
/// what proves a holder alive there).
pub fn process_alive(_pid: u32) -> Option<bool> {
    None
}
