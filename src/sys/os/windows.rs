//! Windows: the shell is `cmd.exe`, stop requests are console events and the session's
//! end, a process is "handed over" by waiting for it, and files have no modes.
//!
//! # Platform specific behavior
//! - Jobs: see `sys/job/windows.rs` (a job object with kill-on-close).
//! - A string command reaches `cmd.exe` exactly as written: `cmd.exe /d /s /c "LINE"`, as
//!   Node runs a shell command (with `/s`, cmd strips only the outer quotes added here).
//! - Ctrl-C and Ctrl-Break ask for the graceful stop (a second one stops at once). Closing
//!   the console, logging off and shutting down leave a process only a few seconds, so they
//!   drain for [`SESSION_END_DRAIN`], then stop the jobs at once; the run is still recorded
//!   and the lock released before Windows ends the process.
//! - Readers never need a file that another process holds locked: Windows' byte-range
//!   locks (`LockFileEx`) also block *reads* of the locked range by other processes, which
//!   Wine does not imitate, so no test under Wine can show it. Whatever another process
//!   must read (who holds the run lock, the status) lives in files nobody locks.
//! - The config file's permission check (unix: refused when group or others may write it)
//!   is not done: Windows has no mode bits, and a profile folder's default ACL already
//!   keeps other users out.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, ERROR_LOCK_VIOLATION,
    ERROR_SHARING_VIOLATION, FALSE, GetLastError, HANDLE, HWND, LPARAM, LRESULT, TRUE,
    WAIT_OBJECT_0, WPARAM,
};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT,
    FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, GetFileInformationByHandle,
};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    SetConsoleCtrlHandler,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Threading::{
    CREATE_NO_WINDOW, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE,
    WaitForSingleObject,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, MSG, RegisterClassW,
    WM_ENDSESSION, WM_QUERYENDSESSION, WNDCLASSW, WS_OVERLAPPED,
};

/// The command that runs `line` through the platform shell, exactly as written:
/// `%ComSpec% /d /s /c "LINE"` (`/d`: no AutoRun commands; `/s`: cmd removes only the
/// first and the last quote of what follows `/c`, which are the two added here).
pub fn shell_command(line: &str) -> tokio::process::Command {
    let shell = std::env::var_os("ComSpec").unwrap_or_else(|| "cmd.exe".into());
    let mut cmd = tokio::process::Command::new(shell);
    cmd.raw_arg(format!("/d /s /c \"{line}\""));
    cmd
}

/// The exit code with which the shell says it found no such command ("… is not
/// recognized as an internal or external command").
pub const SHELL_NOT_FOUND: i32 = 9009;

/// No signals on Windows: a process always ends with a code.
pub fn exit_signal(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// Options for a file synctray creates (Windows ACLs inherit from the folder).
pub fn write_options() -> OpenOptions {
    OpenOptions::new()
}

/// Creates a directory and its parents.
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path)
}

/// Opens (creating if needed) a file for reading and writing, refusing a symbolic link
/// (or any other reparse point) in its last component: the link itself is opened, never
/// followed, and then refused.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    if file.metadata()?.file_type().is_symlink() {
        return Err(io::Error::other("is a symbolic link"));
    }
    Ok(file)
}

/// The volume and file index of an open file: what tells two files apart.
fn file_id(handle: HANDLE) -> io::Result<(u32, u64)> {
    // SAFETY: the handle is valid for the call; the struct is plain data.
    unsafe {
        let mut info: BY_HANDLE_FILE_INFORMATION = std::mem::zeroed();
        if GetFileInformationByHandle(handle, &mut info) == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((
            info.dwVolumeSerialNumber,
            (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
        ))
    }
}

/// Whether an open file is still the one at `path` (same volume and file index). A file
/// deleted while open, or replaced by another, is not.
pub fn same_file(file: &File, path: &Path) -> io::Result<bool> {
    // Opened for its attributes only, sharing everything, never following a link: this
    // neither disturbs nor waits for anyone holding the file.
    let named = OpenOptions::new()
        .access_mode(0)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    Ok(file_id(file.as_raw_handle() as HANDLE)? == file_id(named.as_raw_handle() as HANDLE)?)
}

/// Windows has no group/other mode bits, and the config's folder inherits the user
/// profile's ACL, which other users cannot write: nothing is checked (see the module docs).
pub fn check_not_shared_writable(_meta: &fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Renames a finished temporary file over `path`. A reader that holds `path` open
/// without delete sharing (many editors and scripts do) makes the rename fail with a
/// sharing violation until it closes the file: the rename is retried, with a backoff that
/// grows to a second, for up to [`REPLACE_PATIENCE`] (the run still holds the lock), then
/// the error is returned.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    persist_within(tmp, path, REPLACE_PATIENCE)
}

/// How long a replace waits for readers of the old file to let go.
pub const REPLACE_PATIENCE: Duration = Duration::from_secs(30);

fn persist_within(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    patience: Duration,
) -> io::Result<()> {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_millis(2);
    loop {
        match tmp.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if is_sharing_violation(&e.error) && Instant::now() < deadline => {
                tmp = e.file;
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Err(e.error),
        }
    }
}

/// The errors a rename over a file that someone holds open gives (access denied is what
/// `MoveFileExW` reports for a target open without delete sharing).
fn is_sharing_violation(e: &io::Error) -> bool {
    [
        ERROR_SHARING_VIOLATION,
        ERROR_LOCK_VIOLATION,
        ERROR_ACCESS_DENIED,
    ]
    .iter()
    .any(|&code| e.raw_os_error() == Some(code as i32))
}

/// The machine's host name, as recorded in the lock file.
pub fn hostname() -> String {
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| "localhost".to_owned())
}

/// Hands this process over to `cmd`: Windows has no exec, so `cmd` runs as a child with
/// the same console, and its exit code becomes this process's (clamped to 0–255).
pub fn hand_over(cmd: &mut std::process::Command) -> io::Result<std::process::ExitCode> {
    let status = cmd.status()?;
    Ok(std::process::ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8,
    ))
}

/// Whether a process with this id is running: `Some(false)` once it has exited (or no
/// such process exists), `None` when Windows will not say.
pub fn process_alive(pid: u32) -> Option<bool> {
    // SAFETY: plain Win32 calls; the handle is closed here.
    unsafe {
        let process = OpenProcess(
            PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_SYNCHRONIZE,
            FALSE,
            pid,
        );
        if process.is_null() {
            return match GetLastError() {
                ERROR_INVALID_PARAMETER => Some(false),
                ERROR_ACCESS_DENIED => Some(true),
                _ => None,
            };
        }
        // An exited process whose handle someone still holds is signalled.
        let exited = WaitForSingleObject(process, 0) == WAIT_OBJECT_0;
        CloseHandle(process);
        Some(!exited)
    }
}

/// How long a closing console, a logoff or a shutdown lets a run in progress go on before
/// its jobs are stopped at once: Windows ends a process a few seconds (5 by default) after
/// telling it, and recording the run and releasing the lock must fit in what is left.
pub const SESSION_END_DRAIN: Duration = Duration::from_millis(2500);

/// Stop requests received and not yet handed out.
static STOP_REQUESTS: AtomicU32 = AtomicU32::new(0);
static STOPS_HANDED_OUT: AtomicU32 = AtomicU32::new(0);

fn stop_notify() -> &'static tokio::sync::Notify {
    static NOTIFY: OnceLock<tokio::sync::Notify> = OnceLock::new();
    NOTIFY.get_or_init(tokio::sync::Notify::new)
}

fn request_stop() {
    STOP_REQUESTS.fetch_add(1, Ordering::SeqCst);
    stop_notify().notify_one();
}

/// The system's time zone now (from the Windows setting, through jiff's bundled database).
pub fn local_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::system()
}

/// The stop requests of the console or the session: Ctrl-C or Ctrl-Break (one request
/// each), or the console closing, the user logging off or Windows shutting down (one
/// request at once, a second [`SESSION_END_DRAIN`] later). The caller turns the first
/// request into the graceful stop and the second into "stop now", as for SIGTERM and
/// SIGINT on unix. Requests are counted from the first `new`, so none is lost between two
/// waits. Use from one task only.
pub struct StopSignals(());

impl StopSignals {
    pub fn new() -> io::Result<StopSignals> {
        static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
        INSTALLED
            .get_or_init(install_stop_handlers)
            .clone()
            .map_err(io::Error::other)?;
        Ok(StopSignals(()))
    }

    /// Waits for the next request.
    pub async fn next(&mut self) {
        next_stop_request().await
    }
}

async fn next_stop_request() {
    loop {
        let handed = STOPS_HANDED_OUT.load(Ordering::SeqCst);
        if STOP_REQUESTS.load(Ordering::SeqCst) > handed {
            STOPS_HANDED_OUT.store(handed + 1, Ordering::SeqCst);
            return;
        }
        // `notify_one` keeps a permit when nobody waits: no request is missed.
        stop_notify().notified().await;
    }
}

fn install_stop_handlers() -> Result<(), String> {
    // SAFETY: registers a handler with the right signature for the process's lifetime.
    if unsafe { SetConsoleCtrlHandler(Some(on_console_event), TRUE) } == 0 {
        return Err(format!(
            "cannot handle console events: {}",
            io::Error::last_os_error()
        ));
    }
    // Logoff and shutdown reach a process that uses windows (and, with user32 loaded, a
    // console one too) only as WM_QUERYENDSESSION / WM_ENDSESSION to a top-level window.
    std::thread::Builder::new()
        .name("session-end".into())
        .spawn(session_window)
        .map_err(|e| format!("cannot watch for logoff and shutdown: {e}"))?;
    Ok(())
}

/// Runs on a thread Windows starts for each console event.
unsafe extern "system" fn on_console_event(event: u32) -> windows_sys::core::BOOL {
    match event {
        CTRL_C_EVENT | CTRL_BREAK_EVENT => {
            request_stop();
            TRUE
        }
        CTRL_CLOSE_EVENT | CTRL_SHUTDOWN_EVENT => session_ending(),
        // Sent for *any* user's logoff to processes outside the interactive session; our
        // own session's logoff arrives as WM_ENDSESSION (see `session_window`).
        CTRL_LOGOFF_EVENT => TRUE,
        _ => FALSE,
    }
}

/// The console or the session is going away: Windows ends the process once this returns
/// (or a few seconds after it was called). Asks for the graceful stop, then for "stop
/// now" after [`SESSION_END_DRAIN`], and never returns: the process ends when synctray has
/// recorded the run and released the lock, or when Windows' time is up.
fn session_ending() -> ! {
    request_stop();
    std::thread::sleep(SESSION_END_DRAIN);
    request_stop();
    loop {
        std::thread::park();
    }
}

/// A hidden top-level window (message-only windows get no session messages) and its
/// message loop, for the end of the session.
fn session_window() {
    unsafe extern "system" fn proc(
        hwnd: HWND,
        msg: u32,
        wparam: WPARAM,
        lparam: LPARAM,
    ) -> LRESULT {
        match msg {
            WM_QUERYENDSESSION => TRUE as LRESULT,
            WM_ENDSESSION if wparam != 0 => session_ending(),
            // SAFETY: the default handling of every other message.
            _ => unsafe { DefWindowProcW(hwnd, msg, wparam, lparam) },
        }
    }
    let class: Vec<u16> = "synctray-session\0".encode_utf16().collect();
    // SAFETY: plain Win32 calls with valid, NUL-terminated strings that outlive the window.
    unsafe {
        let instance = GetModuleHandleW(std::ptr::null());
        let mut wc: WNDCLASSW = std::mem::zeroed();
        wc.lpfnWndProc = Some(proc);
        wc.hInstance = instance;
        wc.lpszClassName = class.as_ptr();
        RegisterClassW(&wc);
        let hwnd = CreateWindowExW(
            0,
            class.as_ptr(),
            class.as_ptr(),
            WS_OVERLAPPED,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        );
        if hwnd.is_null() {
            // Only where no window can exist at all (Wine without a display).
            tracing::info!(
                "cannot watch for logoff and shutdown: {}",
                io::Error::last_os_error()
            );
            return;
        }
        let mut msg: MSG = std::mem::zeroed();
        while GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) > 0 {
            DispatchMessageW(&msg);
        }
    }
}

/// A helper program synctray runs for itself (the health pings' curl), with no console
/// window (the tray has none to lend it).
pub fn helper_command(program: &str) -> std::process::Command {
    use std::os::windows::process::CommandExt;
    let mut cmd = std::process::Command::new(program);
    cmd.creation_flags(CREATE_NO_WINDOW);
    cmd
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_file_replaced_at_its_path_is_not_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let file = open_nofollow(&path).unwrap();
        assert!(same_file(&file, &path).unwrap());
        let other = open_nofollow(&dir.path().join("other")).unwrap();
        assert!(!same_file(&other, &path).unwrap());
        drop(other);
        // Moved away while open (as a lock holder may see it), and a new file made there.
        fs::rename(&path, dir.path().join("moved")).unwrap();
        assert!(same_file(&file, &path).is_err(), "nothing is at the path");
        fs::write(&path, "new").unwrap();
        assert!(!same_file(&file, &path).unwrap(), "replaced");
        assert!(same_file(&file, &dir.path().join("moved")).unwrap());
    }

    #[test]
    fn the_status_is_replaced_once_a_reader_that_blocks_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync-status.json");
        fs::write(&path, "old").unwrap();
        // A reader that does not share delete: the rename fails while it is open.
        let reader = OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ)
            .open(&path)
            .unwrap();
        let write = |text: &str| {
            let mut tmp = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
            tmp.write_all(text.as_bytes()).unwrap();
            tmp
        };
        let blocked = persist_within(write("early"), &path, Duration::from_millis(50));
        assert!(
            blocked.as_ref().is_err_and(is_sharing_violation),
            "{blocked:?}"
        );
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(reader);
        });
        persist(write("new"), &path).unwrap();
        release.join().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left");
    }

    #[test]
    fn a_process_is_alive_until_it_exits() {
        assert_eq!(process_alive(std::process::id()), Some(true));
        let mut child = std::process::Command::new("cmd.exe")
            .args(["/c", "exit 0"])
            .spawn()
            .unwrap();
        let pid = child.id();
        child.wait().unwrap();
        // Waited for but not yet reaped by the handle `child` holds: still exited.
        assert_eq!(process_alive(pid), Some(false));
        drop(child);
        assert_eq!(process_alive(pid), Some(false));
    }
}
