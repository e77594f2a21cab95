//! The person's list of workspaces on the command line: `add`, `remove`, `workspaces`, and
//! which workspaces a command, the tray or `--daemon` is about (`--workspace DIR|NAME`,
//! repeated for the tray and the daemon, else the list, else the one chosen as ever).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process;
use std::sync::Arc;

use chrono::{DateTime, Local, Utc};

use super::{ExitCode, fail, say};
use crate::config::Config;
use crate::snapshot::{Snapshot, State};
use crate::workspace::{Source, Workspace};
use crate::workspaces::{self, Listed, WorkspaceList};

/// What the tray or the daemon serves.
pub enum Served {
    /// One workspace, as before there was a list: `--workspace` once, or the one chosen
    /// without a list.
    One(Workspace),
    /// Several: `--workspace` repeated, or the list (whose file is given: it is followed
    /// while the process runs).
    Many(Vec<Workspace>, Option<PathBuf>),
}

/// The workspace `arg` names: a listed name, else a folder.
fn named(arg: &Path, list: Option<&WorkspaceList>) -> Workspace {
    // A bare word that the list knows is its entry; anything else is a folder.
    let listed = arg
        .to_str()
        .filter(|a| !a.contains(['/', '\\']))
        .and_then(|a| list?.named(a));
    match listed {
        Some(listed) => Workspace::listed(listed),
        None => {
            let mut ws = Workspace::at(arg, Source::Flag);
            if let Some(listed) = list.and_then(|l| l.at(&ws.root)) {
                ws.name = listed.name.clone();
            }
            ws
        }
    }
}

/// The list, when there is one to read: a list that does not parse is an error only when
/// it is needed (no `--workspace`, or a name that may be in it).
fn load_list() -> Result<(PathBuf, WorkspaceList), String> {
    let path = workspaces::file().map_err(|e| e.to_string())?;
    let list = WorkspaceList::load(&path).map_err(|e| e.to_string())?;
    Ok((path, list))
}

/// The one workspace a command is about.
pub fn one(flags: &[PathBuf]) -> Result<Workspace, String> {
    match flags {
        [] => Workspace::resolve(None).map_err(|e| format!("cannot find a workspace: {e}")),
        [arg] => Ok(named(arg, load_list().ok().as_ref().map(|(_, l)| l))),
        _ => Err(format!(
            "--workspace is given {} times; only the tray and --daemon serve several",
            flags.len()
        )),
    }
}

/// What the tray or the daemon serves.
pub fn served(flags: &[PathBuf]) -> Result<Served, String> {
    match flags {
        [] => {
            let (path, list) = load_list()?;
            if list.workspaces.is_empty() {
                let ws = Workspace::resolve(None)
                    .map_err(|e| format!("cannot find a workspace: {e}"))?;
                return Ok(Served::One(ws));
            }
            let wss = list.workspaces.iter().map(Workspace::listed).collect();
            Ok(Served::Many(wss, Some(path)))
        }
        [arg] => Ok(Served::One(named(
            arg,
            load_list().ok().as_ref().map(|(_, l)| l),
        ))),
        args => {
            let list = load_list().ok().map(|(_, l)| l);
            let mut wss: Vec<Workspace> = Vec::new();
            for arg in args {
                let ws = named(arg, list.as_ref());
                if !wss.iter().any(|w| w.root == ws.root) {
                    wss.push(ws);
                }
            }
            Ok(Served::Many(wss, None))
        }
    }
}

/// `synctray add [DIR] [--name NAME]`.
pub fn add(dir: Option<&Path>, name: Option<&str>) -> process::ExitCode {
    let dir = match dir {
        Some(dir) => std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()),
        None => match std::env::current_dir() {
            Ok(dir) => dir,
            Err(e) => return fail(ExitCode::Usage, format_args!("no current folder: {e}")),
        },
    };
    let ws = Workspace::at(&dir, Source::Flag);
    if let Err(e) = Config::load(&ws.config) {
        return fail(
            ExitCode::Usage,
            format_args!("{} holds no valid workspace: {e}", dir.display()),
        );
    }
    let path = match workspaces::file() {
        Ok(path) => path,
        Err(e) => return fail(ExitCode::Usage, format_args!("{e}")),
    };
    let name = name.unwrap_or(&ws.name);
    match WorkspaceList::add(&path, &ws.root, name) {
        Ok(Listed { name, path: root }) => {
            say(format_args!("added {name}: {}", root.display()));
            process::ExitCode::SUCCESS
        }
        Err(e) => fail(ExitCode::Usage, format_args!("{e}")),
    }
}

/// `synctray remove NAME|DIR`.
pub fn remove(what: &str) -> process::ExitCode {
    let path = match workspaces::file() {
        Ok(path) => path,
        Err(e) => return fail(ExitCode::Usage, format_args!("{e}")),
    };
    match WorkspaceList::remove(&path, what) {
        Ok(Listed { name, path: root }) => {
            say(format_args!(
                "removed {name}: {} (its files stay)",
                root.display()
            ));
            process::ExitCode::SUCCESS
        }
        Err(e) => fail(ExitCode::Usage, format_args!("{e}")),
    }
}

/// One line of `synctray workspaces --json`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Row<'a> {
    name: &'a str,
    path: &'a Path,
    state: State,
    /// Why no run can start, when one cannot.
    problem: Option<String>,
    #[serde(with = "crate::status::iso_ms::option")]
    last_run: Option<DateTime<Utc>>,
    #[serde(with = "crate::status::iso_ms::option")]
    next_run: Option<DateTime<Utc>>,
}

/// `synctray workspaces [--json]`.
pub fn show(json: bool) -> process::ExitCode {
    let (_, list) = match load_list() {
        Ok(list) => list,
        Err(e) => return fail(ExitCode::Usage, format_args!("{e}")),
    };
    let now = Utc::now();
    let snapshots: Vec<(Workspace, Snapshot)> = list
        .workspaces
        .iter()
        .map(|listed| {
            let ws = Workspace::listed(listed);
            let config = Config::load(&ws.config).map_err(Arc::new);
            let snapshot = Snapshot::read(&ws, config.as_ref().map_err(Arc::clone), now);
            (ws, snapshot)
        })
        .collect();
    let rows: Vec<Row> = snapshots
        .iter()
        .map(|(ws, snap)| Row {
            name: &ws.name,
            path: &ws.root,
            state: snap.state(now),
            problem: snap.problem.as_ref().map(|p| p.what.to_string()).or(snap
                .config_error
                .as_ref()
                .map(|_| "the configuration does not load".to_owned())),
            last_run: snap.last.as_ref().map(|s| s.last_sync),
            next_run: snap.next_run,
        })
        .collect();
    if json {
        say(format_args!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("rows serialise")
        ));
        return process::ExitCode::SUCCESS;
    }
    if rows.is_empty() {
        say(format_args!(
            "no workspaces listed; `synctray add DIR` lists one (without a list, the tray and --daemon serve the one `synctray status` names)"
        ));
        return process::ExitCode::SUCCESS;
    }
    let local = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    // Each column as wide as its widest cell, no wider.
    let cells: Vec<[String; 5]> = rows
        .iter()
        .zip(&snapshots)
        .map(|(row, (_, snap))| {
            // A workspace that never ran is not "ok": nothing has been synced yet.
            let (mark, state) = match row.state {
                State::Ok if snap.last.is_none() => ("·", "never synced"),
                state => (state.mark(), state.name()),
            };
            [
                format!("{mark} {}", row.name),
                state.to_owned(),
                format!("last {}", local(row.last_run)),
                format!("next {}", local(row.next_run)),
                format!(
                    "{}{}",
                    row.path.display(),
                    row.problem
                        .as_ref()
                        .map(|p| format!("  ({p})"))
                        .unwrap_or_default()
                ),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for c in &cells {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
    }
    process::ExitCode::SUCCESS
}
