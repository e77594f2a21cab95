//! Fixtures: a temporary workspace, the synctray command, polling, and process checks.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A temporary workspace with `data/config/sync.json`.
pub struct Ws {
    pub dir: tempfile::TempDir,
}

impl Ws {
    /// A workspace whose config is `config` (JSON text).
    pub fn new(config: &str) -> Ws {
        let ws = Ws {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(ws.path("data/config")).unwrap();
        ws.write_config(config);
        ws
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("data/config/sync.json")
    }

    pub fn write_config(&self, text: &str) {
        let path = self.config_path();
        std::fs::write(&path, text).unwrap();
        set_mode(&path, 0o644);
    }

    /// `synctray --workspace <this> args…`, logging at debug level.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_synctray"));
        cmd.arg("--workspace").arg(self.root()).args(args);
        cmd.env("SYNCTRAY_LOG", "debug")
            .env_remove("SYNCTRAY_WORKSPACE")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Starts `synctray --daemon` with its stderr in `data/daemon.log`.
    pub fn daemon(&self) -> Daemon {
        let log = std::fs::File::create(self.path("daemon.log")).unwrap();
        let child = self
            .cmd(&["--daemon"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Daemon {
            child,
            log: self.path("daemon.log"),
        }
    }

    pub fn status(&self) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.path("data/sync-status.json")).ok()?;
        Some(serde_json::from_str(&text).expect("the status file always parses"))
    }

    pub fn history(&self) -> Vec<serde_json::Value> {
        let text =
            std::fs::read_to_string(self.path("data/sync-history.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("history lines parse"))
            .collect()
    }

    pub fn lock_exists(&self) -> bool {
        self.path("data/.sync-lock").exists()
    }
}

/// A running daemon, killed if the test ends without stopping it.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, sig: libc::c_int) {
        unsafe { libc::kill(self.pid(), sig) };
    }

    /// Waits for the daemon to exit; its exit code, or `None` after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

/// Processes whose command line contains `marker` (a unique argument given to a job).
pub fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            // A zombie has an empty command line; it is gone as far as we care.
            if String::from_utf8_lossy(&cmdline).contains(marker) {
                found.push(pid);
            }
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

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
