//! Windows: a job starts suspended, as tokio's child ([`super::direct`]), and is put in a
//! job object with kill-on-close before its first instruction (so no grandchild can start
//! outside it), in a process group of its own (a Ctrl-C in synctray's console reaches
//! synctray, not the jobs) and with no console window.

use std::io;

use windows_sys::Win32::Foundation::{CloseHandle, FALSE, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::{
    CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW, CREATE_SUSPENDED, OpenThread, ResumeThread,
    THREAD_SUSPEND_RESUME,
};

use super::TreeId;

pub use super::direct::{Host, Job};

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
    /// Puts a child started by [`prepare_job_command`] (suspended) in a new job object,
    /// then lets it run. The child is resumed even when the job object cannot be made, so
    /// that the job runs all the same (stopped then through its own handle only).
    pub fn new(child: &tokio::process::Child) -> Option<JobTree> {
        let tree = child.raw_handle().and_then(|process| {
            let tree = JobTree::create()?;
            // SAFETY: both handles are valid; failure returns zero.
            if unsafe { AssignProcessToJobObject(tree.job, process as HANDLE) } == 0 {
                tracing::warn!(
                    "cannot put the job in a job object: {}",
                    io::Error::last_os_error()
                );
                return None;
            }
            Some(tree)
        });
        if let Some(pid) = child.id()
            && let Err(e) = resume(pid)
        {
            tracing::error!("cannot resume the job (pid {pid}): {e}");
        }
        tree
    }

    fn create() -> Option<JobTree> {
        // SAFETY: plain Win32 calls on a handle we own; failures return null / zero.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let tree = JobTree { job };
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let set = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                (&info as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            (set != 0).then_some(tree)
        }
    }

    /// Windows has no polite stop for a windowless console tree (a console control event
    /// reaches only processes attached to the sender's console): terminate it.
    pub fn terminate(&self) {
        self.kill();
    }

    /// None: Windows closed a dead synctray's job objects, and their processes with them.
    pub fn tree_id(&self) -> Option<TreeId> {
        None
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

/// Resumes the threads of a process created suspended (its main thread: std does not
/// keep the thread handle that `CreateProcessW` returned).
fn resume(pid: u32) -> io::Result<()> {
    // SAFETY: plain Win32 calls; the snapshot and thread handles are closed here.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        if snapshot == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        let mut entry: THREADENTRY32 = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
        let mut resumed = 0;
        let mut more = Thread32First(snapshot, &mut entry);
        while more != 0 {
            if entry.th32OwnerProcessID == pid {
                let thread = OpenThread(THREAD_SUSPEND_RESUME, FALSE, entry.th32ThreadID);
                if !thread.is_null() {
                    if ResumeThread(thread) != u32::MAX {
                        resumed += 1;
                    }
                    CloseHandle(thread);
                }
            }
            more = Thread32Next(snapshot, &mut entry);
        }
        CloseHandle(snapshot);
        if resumed == 0 {
            return Err(io::Error::other(
                "no thread of the process could be resumed",
            ));
        }
    }
    Ok(())
}

/// Starts the job suspended ([`JobTree::new`] resumes it once it is in its job object), in
/// a process group of its own (a console Ctrl-C is synctray's to handle, with its grace
/// period) and with no console window.
pub fn prepare_job_command(cmd: &mut tokio::process::Command) {
    cmd.creation_flags(CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
}

/// On Windows a dead synctray's job objects were closed with it, and their processes
/// killed: nothing is left to end.
pub fn end_leftover_tree(_id: TreeId, _wait: std::time::Duration) -> bool {
    true
}
