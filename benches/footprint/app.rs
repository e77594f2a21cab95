//! The app under test: the two synctray builds, and the throwaway workspaces they run in.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;

/// The release binaries of both builds.
pub struct Binaries {
    /// The default build (`tray` feature: tao, tray-icon, GTK), which cargo builds for
    /// this bench in the bench profile (the release settings) before running it.
    pub tray: PathBuf,
    /// `--no-default-features`: the daemon and CLI with no GUI library linked; an `Err`
    /// says why it could not be built.
    pub headless: Result<PathBuf, String>,
}

impl Binaries {
    /// Finds the tray build and builds the headless one, into `TARGET/headless` so that
    /// it does not replace the default build in `TARGET/release`.
    pub fn locate_and_build() -> Binaries {
        let tray = PathBuf::from(env!("CARGO_BIN_EXE_synctray"));
        let headless = build_headless(&tray);
        Binaries { tray, headless }
    }
}

/// `cargo build --release --no-default-features`, next to the default build's target dir.
fn build_headless(tray: &Path) -> Result<PathBuf, String> {
    let target_root = tray
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot find the target directory")?;
    let headless_target = target_root.join("headless");
    eprintln!(
        "footprint: building the headless synctray (cargo build --release --no-default-features)…"
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--no-default-features",
            "--bin",
            "synctray",
        ])
        .arg("--target-dir")
        .arg(&headless_target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the headless build failed ({status})"));
    }
    Ok(headless_target.join("release").join("synctray"))
}

/// A temporary workspace: a folder with `data/config/sync.json`, removed when dropped.
pub struct Workspace {
    dir: TempDir,
}

impl Workspace {
    pub fn new(label: &str, config: &Value) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix(&format!("footprint-{label}-"))
            .tempdir()
            .expect("create a temporary workspace");
        let config_dir = dir.path().join("data/config");
        fs::create_dir_all(&config_dir).expect("create data/config");
        let text = serde_json::to_string_pretty(config).expect("config to JSON");
        fs::write(config_dir.join("sync.json"), text).expect("write sync.json");
        Workspace { dir }
    }

    /// A workspace whose next run is a day away, so that a daemon or tray in it is idle.
    pub fn idle(label: &str) -> Workspace {
        Workspace::new(
            label,
            &json!({"intervalMinutes": 1440, "catchUp": false, "jobs": [{"name": "noop", "command": ["true"]}]}),
        )
    }

    /// A workspace of `count` jobs that each run `/bin/true` directly (argv, no shell).
    pub fn noop_jobs(label: &str, count: usize) -> Workspace {
        let jobs: Vec<Value> = (1..=count)
            .map(|i| json!({"name": format!("noop{i}"), "command": ["true"]}))
            .collect();
        Workspace::new(
            label,
            &json!({"intervalMinutes": 1440, "catchUp": false, "jobs": jobs}),
        )
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn history(&self) -> PathBuf {
        self.path("data/sync-history.jsonl")
    }

    pub fn status(&self) -> PathBuf {
        self.path("data/sync-status.json")
    }
}

/// `synctray --workspace WS ARGS…`.
pub fn command(binary: &Path, workspace: &Workspace, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command.arg("--workspace").arg(workspace.root()).args(args);
    // Keep the daemons' logging at its default, whatever the caller's shell exported.
    command
        .env_remove("RUST_LOG")
        .env_remove("SYNCTRAY_WORKSPACE");
    command
}
