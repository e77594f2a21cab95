//! Which workspace, and where its files are.
//!
//! A workspace is a folder holding `data/config/sync.json`. It is chosen, in order, by
//! `--workspace DIR`, by `SYNCTRAY_WORKSPACE`, by the current directory when it holds a
//! config, and otherwise a default workspace in the platform's data folder, created with a
//! starter config on first use.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::sys;

/// Why this workspace was chosen (shown by `synctray status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `--workspace DIR`.
    Flag,
    /// The `SYNCTRAY_WORKSPACE` variable.
    Env,
    /// The current directory holds `data/config/sync.json`.
    CurrentDir,
    /// The platform's data folder.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "given with --workspace",
            Source::Env => "from SYNCTRAY_WORKSPACE",
            Source::CurrentDir => "the current directory holds data/config/sync.json",
            Source::Default => "the default workspace (no --workspace, no SYNCTRAY_WORKSPACE, no config in the current directory)",
        })
    }
}

/// A workspace's root and the paths of synctray's files in it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub source: Source,
    pub config: PathBuf,
    pub status: PathBuf,
    pub history: PathBuf,
    pub lock: PathBuf,
    pub logs: PathBuf,
}

const CONFIG: &str = "data/config/sync.json";

/// The starter config of a new default workspace.
const STARTER: &str = r#"{
  "intervalMinutes": 15,
  "jobs": [
    { "name": "hello", "command": "echo 'synctray works. Put your sync commands in data/config/sync.json.'" }
  ]
}
"#;

impl Workspace {
    /// A workspace at `root` (which need not exist yet).
    pub fn at(root: impl Into<PathBuf>, source: Source) -> Workspace {
        let root: PathBuf = root.into();
        let root = std::path::absolute(&root).unwrap_or(root);
        let data = root.join("data");
        Workspace {
            config: root.join(CONFIG),
            status: data.join("sync-status.json"),
            history: data.join("sync-history.jsonl"),
            lock: data.join(".sync-lock"),
            logs: data.join("logs"),
            root,
            source,
        }
    }

    /// Chooses the workspace as PRODUCT.md says, creating the default one if needed.
    pub fn resolve(flag: Option<&Path>) -> io::Result<Workspace> {
        if let Some(dir) = flag {
            return Ok(Workspace::at(dir, Source::Flag));
        }
        if let Some(dir) = std::env::var_os("SYNCTRAY_WORKSPACE").filter(|d| !d.is_empty()) {
            return Ok(Workspace::at(dir, Source::Env));
        }
        let cwd = std::env::current_dir()?;
        if cwd.join(CONFIG).exists() {
            return Ok(Workspace::at(cwd, Source::CurrentDir));
        }
        let dirs = directories::ProjectDirs::from("", "", "synctray").ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home directory to put the default workspace in",
            )
        })?;
        let ws = Workspace::at(dirs.data_dir(), Source::Default);
        if !ws.config.exists() {
            sys::create_dir(ws.config.parent().expect("config has a parent"))?;
            crate::fsutil::atomic_write(
                &ws.config,
                STARTER.as_bytes(),
                0o644,
                crate::fsutil::Durability::Flushed,
            )?;
            tracing::info!("created a starter config at {}", ws.config.display());
        }
        Ok(ws)
    }

    /// A path inside the workspace as the status file shows it (relative, `/`-separated).
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }
}
