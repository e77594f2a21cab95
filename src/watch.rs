//! Telling the scheduler that a workspace file changed: the config (an edit), the status
//! and the lock (a run by another process); and a fleet that the workspace list changed. The OS pushes the events (inotify, FSEvents,
//! ReadDirectoryChangesW), so an idle process is not woken to poll.

use std::path::Path;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::workspace::Workspace;

/// Watches `data/` and `data/config/` (not their subfolders: job logs are not news), and
/// the workspace folder itself for its own going (deleted, moved, unmounted) and that of
/// `data/` — not for what jobs write there. Each change sends `()`; the receiver coalesces
/// bursts. Keep the returned watcher alive.
pub fn watch_workspace(
    ws: &Workspace,
    tx: mpsc::UnboundedSender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    let config_dir = ws.config.parent().unwrap_or(Path::new(".")).to_owned();
    let data_dir = ws.status_file.parent().unwrap_or(Path::new(".")).to_owned();
    let root = ws.root.clone();
    let (data, config) = (data_dir.clone(), config_dir.clone());
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        // In the workspace folder, only the folder itself and data/ are news.
        let news =
            event.paths.iter().any(|p| {
                p.starts_with(&data) || p.starts_with(&config) || p == &root || p == &data
            }) || event.paths.is_empty();
        if news {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&config_dir, RecursiveMode::NonRecursive)?;
    watcher.watch(&data_dir, RecursiveMode::NonRecursive)?;
    // Best effort: without it, the folder's going is seen at the next event or run.
    let _ = watcher.watch(&ws.root, RecursiveMode::NonRecursive);
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
