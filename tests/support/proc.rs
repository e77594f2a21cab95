//! Waiting with a deadline, and the processes a test started or must not leave behind.

use std::path::Path;
use std::process::{Child, ExitStatus, Output};
use std::time::{Duration, Instant};

/// Polls `cond` until it holds or `timeout` passes; whether it held.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls `check` until it holds, or fails naming `what`, with `context()`, after `timeout`.
pub fn wait_for(
    what: &str,
    timeout: Duration,
    check: impl FnMut() -> bool,
    context: impl FnOnce() -> String,
) {
    if !wait_until(timeout, check) {
        panic!(
            "timed out after {timeout:?} waiting for {what}\n{}",
            context()
        );
    }
}

/// The child's exit status, or `None` if it still runs after `timeout`.
pub fn wait_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let mut status = None;
    wait_until(timeout, || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    status
}

/// SIGTERM, then SIGKILL if it has not exited within 5 s; reaps it either way.
pub fn terminate(child: &mut Child) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    // SAFETY: kill(2) on a child of this process; no memory is touched.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    if wait_exit(child, Duration::from_secs(5)).is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Processes whose command line contains `marker` (a unique argument given to a job).
/// A zombie has an empty command line: it is gone as far as a test cares.
pub fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(marker)
        {
            found.push(pid);
        }
    }
    found
}

/// A `sleep` argument unique to this test, to find the job's processes by: `seconds`
/// with a fraction made of this process's id and a counter ("300.0412345000017").
pub fn sleep_marker(seconds: u32) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{seconds}.04{:07}{n:04}", std::process::id())
}

/// Whether the command `args` succeeds here (as root: a namespace, a mount), for a test that
/// needs what it tries. When it fails, the test fails under CI (the `CI` variable is
/// set) with `why`, and is otherwise skipped, saying so.
pub fn can_run_as_root(args: &[&str], why: &str) -> bool {
    let ok = std::process::Command::new(args[0])
        .args(&args[1..])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
    }
    ok
}

/// Is `program` on PATH (or, given with a slash, an existing path)?
pub fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
