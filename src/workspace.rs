//! Which workspace, and where its files are.
//!
//! A workspace is a folder holding `data/config/sync.json`. It is chosen, in order, by
//! `--workspace DIR`, by `SYNCTRAY_WORKSPACE`, by the current directory when it holds a
//! config, and otherwise a default workspace in the platform's data folder, created with a
//! starter config on first use.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

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
    /// The person's workspace list (`synctray add`).
    List,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "given with --workspace",
            Source::Env => "from SYNCTRAY_WORKSPACE",
            Source::CurrentDir => "the current directory holds data/config/sync.json",
            Source::Default => "the default workspace (no --workspace, no SYNCTRAY_WORKSPACE, no config in the current directory)",
            Source::List => "in the workspace list",
        })
    }
}

/// The names of synctray's files in `data/`, spelled here only. The status file, the
/// history and the run lock are the original's, kept for the dashboard.
pub mod names {
    /// The run lock the original reads: the holder's stamp (`.sync-lock`).
    pub const RUN_LOCK: &str = ".sync-lock";
    /// The run lock's OS-locked file, beside the stamp.
    pub const RUN_OS_LOCK: &str = ".sync-run.lock";
    /// Who holds the run lock, and what the next run must wait for.
    pub const HOLDER: &str = ".sync-lock.json";
    /// One tray or daemon per workspace (its holder beside it, `.json`).
    pub const INSTANCE_LOCK: &str = ".synctray-instance";
    /// A scheduled run waits (the network, `conditions`); what for, beside it (`.json`).
    pub const WAIT_MARKER: &str = ".sync-wait";
    /// Edits of the config file, one at a time, beside it in `data/config/`.
    pub const EDIT_LOCK: &str = ".synctray-edit-lock";
}

/// How many run logs `data/logs/` keeps.
pub const LOG_FILES: usize = 100;

/// A workspace's root and the paths of synctray's files in it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    /// What the person calls it: its name in the workspace list, else its folder's name.
    pub name: String,
    pub source: Source,
    pub config: PathBuf,
    /// `data/sync-status.json`, the last run as the dashboard reads it.
    pub status_file: PathBuf,
    /// `data/sync-history.jsonl`, one record a run.
    pub history_file: PathBuf,
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
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.display().to_string());
        Workspace {
            name,
            config: root.join(CONFIG),
            status_file: data.join("sync-status.json"),
            history_file: data.join("sync-history.jsonl"),
            lock: data.join(names::RUN_LOCK),
            logs: data.join("logs"),
            root,
            source,
        }
    }

    /// The listed workspace `listed`.
    pub fn listed(listed: &crate::workspaces::Listed) -> Workspace {
        let mut ws = Workspace::at(&listed.path, Source::List);
        ws.name = listed.name.clone();
        ws
    }

    /// Chooses the workspace: `--workspace DIR`, else `SYNCTRAY_WORKSPACE`, else the current
    /// directory if it holds `data/config/sync.json`, else the default workspace in the
    /// platform's data directory, created with a starter config if needed.
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

    /// The instance lock: one tray or daemon serves the workspace.
    pub fn instance_lock(&self) -> PathBuf {
        self.data_dir().join(names::INSTANCE_LOCK)
    }

    /// The marker of a scheduled run that waits.
    pub fn wait_marker(&self) -> PathBuf {
        self.data_dir().join(names::WAIT_MARKER)
    }

    /// The folder of synctray's files: `data/`.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// A path inside the workspace as the status file shows it (relative, `/`-separated).
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Removes the temporary files that interrupted writes left in `data/` and
    /// `data/config/` and the folder of a symlinked config's file (see `fsutil::clean_temp_files`). Called at every start.
    pub fn clean_temp_files(&self) {
        // A symlinked config is written in the folder of the file it points to.
        let target = std::fs::canonicalize(&self.config).ok();
        for dir in [
            self.status_file.parent(),
            self.config.parent(),
            target.as_deref().and_then(Path::parent),
        ]
        .into_iter()
        .flatten()
        {
            crate::fsutil::clean_temp_files(dir);
        }
    }

    /// The log of a run started at `started_at`: `data/logs/<UTC start time>.log`.
    pub fn run_log_path(&self, started_at: DateTime<Utc>) -> PathBuf {
        self.logs
            .join(format!("{}.log", started_at.format(RUN_LOG_FORMAT)))
    }

    /// Creates the logs folder (a real folder: a link there is refused) and the run's log
    /// file in it (never through a link, never a FIFO). `None`, with a warning, when it
    /// cannot: the run goes on without a log.
    pub fn create_run_log(&self, path: &Path) -> Option<File> {
        if self.logs.exists() && !self.logs.is_dir() {
            tracing::warn!(
                "{} is not a folder: the run goes on without a log (move that file away to get run logs back)",
                self.shown(&self.logs)
            );
            return None;
        }
        let created = sys::create_dir(&self.logs)
            .and_then(|()| sys::check_real_dir(&self.logs))
            .and_then(|()| {
                sys::open_regular(
                    path,
                    OpenOptions::new().write(true).create(true).truncate(true),
                    false,
                )
            });
        match created {
            Ok(file) => Some(file),
            Err(e) => {
                tracing::warn!("{}: cannot write the run's log: {e}", path.display());
                None
            }
        }
    }

    /// Keeps the newest `keep` run logs. Only files synctray named itself (the run's start
    /// time, see [`Workspace::run_log_path`]) are counted and removed, only regular files,
    /// and only in a real folder: never a link or anything it did not create.
    pub fn prune_logs(&self, keep: usize) {
        if sys::check_real_dir(&self.logs).is_err() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.logs) else {
            return;
        };
        let mut logs: Vec<_> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_str().is_some_and(is_run_log_name))
            // DirEntry::file_type does not follow links.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name())
            .collect();
        if logs.len() <= keep {
            return;
        }
        logs.sort();
        for name in &logs[..logs.len() - keep] {
            let _ = std::fs::remove_file(self.logs.join(name));
        }
    }
}

/// How a run log is named: its run's UTC start time, `20261125T143000.120Z`.
const RUN_LOG_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";

/// Whether `name` is one synctray gives a run log: `YYYYMMDDTHHMMSS.mmmZ.log`.
fn is_run_log_name(name: &str) -> bool {
    let b = name.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 24
        && digits(0..8)
        && b[8] == b'T'
        && digits(9..15)
        && b[15] == b'.'
        && digits(16..19)
        && name.ends_with("Z.log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_log_names_are_recognised() {
        let ws = Workspace::at("/w", Source::Flag);
        let t = DateTime::parse_from_rfc3339("2026-11-25T14:30:00.120Z")
            .unwrap()
            .with_timezone(&Utc);
        let name = ws.run_log_path(t);
        let name = name.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "20261125T143000.120Z.log");
        assert!(is_run_log_name(name));
        for other in [
            "app.log",
            "20261125T143000.120Z.log.bak",
            "x0261125T143000.120Z.log",
            "20261125T143000.120Z-tokens.log",
        ] {
            assert!(!is_run_log_name(other), "{other}");
        }
    }
}
