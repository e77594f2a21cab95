//! A temporary workspace and the `synctray` command run on it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use super::proc::{set_mode, wait_for, wait_until};

/// The `synctray` executable under test.
pub const SYNCTRAY: &str = env!("CARGO_BIN_EXE_synctray");

/// A temporary workspace with `data/config/sync.json`.
pub struct Ws {
    pub dir: tempfile::TempDir,
}

impl Ws {
    /// A workspace whose config is `config` (JSON text).
    pub fn new(config: &str) -> Ws {
        Ws::with_dir(tempfile::tempdir().unwrap(), config)
    }

    /// A workspace in a new folder under `parent` (a small disk a test fills, say), whose
    /// config is `config`.
    pub fn new_in(parent: &Path, config: &str) -> Ws {
        Ws::with_dir(tempfile::tempdir_in(parent).unwrap(), config)
    }

    fn with_dir(dir: tempfile::TempDir, config: &str) -> Ws {
        let ws = Ws { dir };
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

    /// The config file as JSON.
    pub fn config(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.config_path()).unwrap();
        serde_json::from_str(&text).expect("the config parses")
    }

    /// `synctray --workspace <this> args…`, logging at debug level.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(SYNCTRAY);
        cmd.arg("--workspace").arg(self.root()).args(args);
        cmd.env("SYNCTRAY_LOG", "debug")
            .env_remove("SYNCTRAY_WORKSPACE")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs `synctray args…` and fails, showing its stdout and stderr, unless it exits
    /// with `code`; its output.
    pub fn assert_exit(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        assert_exit_code(&out, code, &format!("synctray {}", args.join(" ")));
        out
    }

    /// Runs `synctray args…` and fails, showing its stdout and stderr, unless it exits 0;
    /// its output.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        self.assert_exit(args, 0)
    }

    /// Starts `synctray sync` in the background, its output dropped, and waits until `cond`
    /// holds (its job runs); after `timeout`, fails naming `what`. The running sync.
    pub fn sync_until(&self, what: &str, timeout: Duration, cond: impl FnMut() -> bool) -> Child {
        let mut sync = self
            .cmd(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if !wait_until(timeout, cond) {
            let _ = sync.kill();
            let _ = sync.wait();
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        sync
    }

    /// `synctray status --json`.
    pub fn status_json(&self) -> serde_json::Value {
        let out = self.run(&["status", "--json"]);
        assert!(
            out.status.success(),
            "status --json: {}",
            super::proc::stderr(&out)
        );
        serde_json::from_slice(&out.stdout).expect("status --json prints JSON")
    }

    /// Starts `synctray --daemon` with its stderr in `daemon.log`.
    pub fn daemon(&self) -> Daemon {
        self.start_daemon(self.cmd(&["--daemon"]))
    }

    /// Starts `command`, a daemon of this workspace (`synctray --daemon`, or something that
    /// runs it), with its stderr in `daemon.log`.
    pub fn start_daemon(&self, mut command: Command) -> Daemon {
        let log = std::fs::File::create(self.path("daemon.log")).unwrap();
        let child = command.stdout(Stdio::null()).stderr(log).spawn().unwrap();
        Daemon {
            child,
            log: self.path("daemon.log"),
        }
    }

    /// The status file, `None` before the first recorded run.
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
        // SAFETY: kill(2) on the daemon this test started.
        unsafe { libc::kill(self.pid(), sig) };
    }

    /// Sends `sig` and waits up to `timeout` for the daemon to exit 0 (failing with its log
    /// otherwise); how long that took.
    pub fn stop_with(&mut self, sig: libc::c_int, timeout: Duration) -> Duration {
        let sent = std::time::Instant::now();
        self.signal(sig);
        let code = self.wait_exit(timeout);
        let took = sent.elapsed();
        assert_eq!(code, Some(0), "exit after {took:?}: {}", self.log());
        took
    }

    /// Waits for the daemon to exit; its exit code, or `None` after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let mut code = None;
        wait_until(timeout, || {
            code = self
                .child
                .try_wait()
                .unwrap()
                .map(|status| status.code().unwrap_or(-1));
            code.is_some()
        });
        code
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `cond` until it holds; after `timeout`, fails naming `what`, with the log.
    pub fn wait(&self, what: &str, timeout: Duration, cond: impl FnMut() -> bool) {
        wait_for(what, timeout, cond, || {
            format!("daemon log:\n{}", self.log())
        });
    }

    /// Waits until the log holds `line`; after `timeout`, fails with the log.
    pub fn wait_log(&self, line: &str, timeout: Duration) {
        self.wait(&format!("{line:?} in the log"), timeout, || {
            self.log().contains(line)
        });
    }
}

/// Fails, naming `what` and showing its stdout and stderr, unless `out` is an exit with
/// `code`.
pub fn assert_exit_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
