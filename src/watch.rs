//! Telling the scheduler that a workspace file changed: the config (an edit), the status
//! and the lock (a run by another process); and a fleet that the workspace list changed. The OS pushes the events (inotify, FSEvents,
//! ReadDirectoryChangesW), so an idle process is not woken to poll.

use std::path::Path;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::workspace::Workspace;

/// Watches `data/` and `data/config/` (not their subfolders: job logs are not news).
/// Each change sends `()`; the receiver coalesces bursts. Keep the returned watcher alive.
pub fn watch_workspace(
    ws: &Workspace,
    tx: mpsc::UnboundedSender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })?;
    let config_dir = ws.config.parent().unwrap_or(Path::new("."));
    let data_dir = ws.status_file.parent().unwrap_or(Path::new("."));
    watcher.watch(config_dir, RecursiveMode::NonRecursive)?;
    watcher.watch(data_dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Calls `changed` on every change of the list at `path` (its folder is watched, created
/// if need be; the OS pushes the events, so an idle process is not woken). Keep the
/// returned watcher alive.
pub fn watch_list(
    path: &Path,
    changed: impl Fn() + Send + 'static,
) -> notify::Result<notify::RecommendedWatcher> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let _ = crate::sys::create_dir(folder);
    let name = path.file_name().map(ToOwned::to_owned);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
            && event.paths.iter().any(|p| p.file_name() == name.as_deref())
        {
            changed();
        }
    })?;
    watcher.watch(folder, notify::RecursiveMode::NonRecursive)?;
    Ok(watcher)
}
