//! The person's list of workspaces: `workspaces.json` in synctray's config folder
//! (`~/.config/synctray/` on Linux, from the `directories` crate), which `synctray add`,
//! `synctray remove` and `synctray workspaces` keep, and which the tray and the daemon
//! serve when no `--workspace` is given.
//!
//! ```json
//! { "workspaces": [ { "name": "dashboard", "path": "/home/me/dashboard" } ] }
//! ```
//!
//! Only synctray writes it: edits are serialised across processes (an OS lock on a file
//! beside it) and atomic, so a reader sees the old list or the new one. A list that does
//! not parse is an error naming the file, and is never overwritten.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil::{self, Durability};

/// The list's file name in the config folder.
pub const FILE: &str = "workspaces.json";
/// The edit lock beside it.
const EDIT_LOCK: &str = ".workspaces.lock";

/// One listed workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listed {
    /// What the person calls it: the menu's line, `--workspace NAME`.
    pub name: String,
    /// Its folder (absolute).
    pub path: PathBuf,
}

/// The list as the file holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceList {
    pub workspaces: Vec<Listed>,
}

/// Why the list cannot be read or changed.
#[derive(Debug)]
pub enum ListError {
    /// No home folder to keep a list in.
    NoConfigDir,
    /// The file cannot be read or written.
    Io(PathBuf, io::Error),
    /// The file does not parse; it is left as it is.
    Parse(PathBuf, serde_json::Error),
    /// A name that is not allowed (see [`check_name`]).
    BadName(String),
    /// A hand-edited list names a workspace with a name that is not allowed: the file, the
    /// entry and the name. Left as it is, like a list that does not parse.
    BadListedName(PathBuf, usize, String),
    /// The name is taken by another folder.
    NameTaken { name: String, path: PathBuf },
    /// `remove` found nothing by that name or folder.
    NotListed(String),
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::NoConfigDir => f.write_str("no home folder to keep the workspace list in"),
            ListError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            ListError::Parse(path, e) => write!(
                f,
                "{}: not a workspace list ({e}); expected {{ \"workspaces\": [ {{ \"name\": …, \"path\": … }} ] }} — fix or remove the file",
                path.display()
            ),
            ListError::BadName(name) => write!(
                f,
                "{} cannot name a workspace: a name {NAME_RULE}",
                shown_name(name)
            ),
            ListError::BadListedName(path, i, name) => write!(
                f,
                "{}: workspaces[{i}].name {NAME_RULE}, got {} — fix or remove the file",
                path.display(),
                shown_name(name)
            ),
            ListError::NameTaken { name, path } => write!(
                f,
                "the name {name:?} is taken by {}; choose another with --name",
                path.display()
            ),
            ListError::NotListed(what) => {
                write!(f, "no listed workspace is named {what:?} or is that folder")
            }
        }
    }
}

impl std::error::Error for ListError {}

/// What a workspace's name may be, as for job names.
pub const NAME_RULE: &str = "must be 1 to 64 printable characters (no control characters such as a newline), without / or \\";

/// The longest name, in characters.
pub const NAME_CHARS: usize = 64;

/// Whether `name` may name a workspace: 1–64 printable characters (not only spaces), no
/// control characters, no path separator (a name is told from a folder by that).
pub fn check_name(name: &str) -> Result<(), ListError> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= NAME_CHARS
        && !name.chars().any(char::is_control)
        && !name.contains(['/', '\\']);
    if ok {
        Ok(())
    } else {
        Err(ListError::BadName(name.to_owned()))
    }
}

/// A name in an error: quoted, and elided in the middle with its length when it is long.
fn shown_name(name: &str) -> String {
    let count = name.chars().count();
    if count <= NAME_CHARS {
        return format!("{name:?}");
    }
    let head: String = name.chars().take(20).collect();
    let tail: String = name.chars().skip(count - 20).collect();
    format!("{:?} ({count} characters)", format!("{head}…{tail}"))
}

/// The list's file: `workspaces.json` in synctray's config folder.
pub fn file() -> Result<PathBuf, ListError> {
    directories::ProjectDirs::from("", "", "synctray")
        .map(|dirs| dirs.config_dir().join(FILE))
        .ok_or(ListError::NoConfigDir)
}

impl WorkspaceList {
    /// Reads the list at `path`; no file is an empty list.
    pub fn load(path: &Path) -> Result<WorkspaceList, ListError> {
        // Only synctray writes it: never read through a link, never block on a FIFO.
        match fsutil::read_regular(path) {
            Ok(bytes) => {
                let list: WorkspaceList = serde_json::from_slice(&bytes)
                    .map_err(|e| ListError::Parse(path.to_owned(), e))?;
                // A hand edit is held to the rule `add` keeps.
                for (i, listed) in list.workspaces.iter().enumerate() {
                    if check_name(&listed.name).is_err() {
                        return Err(ListError::BadListedName(
                            path.to_owned(),
                            i,
                            listed.name.clone(),
                        ));
                    }
                }
                Ok(list)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(WorkspaceList::default()),
            Err(e) => Err(ListError::Io(path.to_owned(), e)),
        }
    }

    /// The listed workspace called `name`.
    pub fn named(&self, name: &str) -> Option<&Listed> {
        self.workspaces.iter().find(|w| w.name == name)
    }

    /// The listed workspace whose folder is `dir`.
    pub fn at(&self, dir: &Path) -> Option<&Listed> {
        self.workspaces.iter().find(|w| same_dir(&w.path, dir))
    }

    /// Adds `dir` as `name` to the list at `path`, under the edit lock; the folder already
    /// listed is renamed. Returns the entry.
    pub fn add(path: &Path, dir: &Path, name: &str) -> Result<Listed, ListError> {
        check_name(name)?;
        let entry = Listed {
            name: name.to_owned(),
            path: dir.to_owned(),
        };
        edit(path, |list| {
            if let Some(other) = list.named(name).filter(|w| !same_dir(&w.path, dir)) {
                return Err(ListError::NameTaken {
                    name: name.to_owned(),
                    path: other.path.clone(),
                });
            }
            match list.workspaces.iter_mut().find(|w| same_dir(&w.path, dir)) {
                Some(listed) => listed.name = name.to_owned(),
                None => list.workspaces.push(entry.clone()),
            }
            Ok(())
        })?;
        Ok(entry)
    }

    /// Removes the workspace named `what`, or whose folder `what` is, from the list at
    /// `path`, under the edit lock. Returns the entry removed.
    pub fn remove(path: &Path, what: &str) -> Result<Listed, ListError> {
        let mut removed = None;
        edit(path, |list| {
            let dir = std::path::absolute(what).unwrap_or_else(|_| PathBuf::from(what));
            let index = list
                .workspaces
                .iter()
                .position(|w| w.name == what)
                .or_else(|| list.workspaces.iter().position(|w| same_dir(&w.path, &dir)))
                .ok_or_else(|| ListError::NotListed(what.to_owned()))?;
            removed = Some(list.workspaces.remove(index));
            Ok(())
        })?;
        Ok(removed.expect("set by the edit"))
    }
}

/// Reads the list at `path` under the edit lock, changes it with `change` and writes it
/// back atomically. A list that does not parse is left as it is.
fn edit(
    path: &Path,
    change: impl FnOnce(&mut WorkspaceList) -> Result<(), ListError>,
) -> Result<(), ListError> {
    let io_error = |e| ListError::Io(path.to_owned(), e);
    let folder = path.parent().expect("the list's file has a folder");
    crate::sys::create_dir(folder).map_err(io_error)?;
    let _lock = fsutil::lock_beside(path, EDIT_LOCK).map_err(io_error)?;
    let mut list = WorkspaceList::load(path)?;
    change(&mut list)?;
    let mut text = serde_json::to_string_pretty(&list).expect("a list serialises");
    text.push('\n');
    fsutil::atomic_write(path, text.as_bytes(), 0o644, Durability::Flushed).map_err(io_error)
}

/// Whether two folders are the same: the same path, or the same folder on disk.
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_rename_and_remove_by_name_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config/workspaces.json");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        assert_eq!(
            WorkspaceList::load(&file).unwrap(),
            WorkspaceList::default()
        );
        WorkspaceList::add(&file, &a, "first").unwrap();
        WorkspaceList::add(&file, &b, "second").unwrap();
        // The same folder again: renamed, not listed twice.
        WorkspaceList::add(&file, &a, "alpha").unwrap();
        let list = WorkspaceList::load(&file).unwrap();
        assert_eq!(list.workspaces.len(), 2);
        assert_eq!(list.named("alpha").unwrap().path, a);
        assert!(matches!(
            WorkspaceList::add(&file, &a, "second"),
            Err(ListError::NameTaken { .. })
        ));
        assert!(matches!(
            WorkspaceList::add(&file, &a, "a/b"),
            Err(ListError::BadName(_))
        ));
        assert_eq!(WorkspaceList::remove(&file, "alpha").unwrap().path, a);
        assert_eq!(
            WorkspaceList::remove(&file, b.to_str().unwrap())
                .unwrap()
                .name,
            "second"
        );
        assert!(matches!(
            WorkspaceList::remove(&file, "second"),
            Err(ListError::NotListed(_))
        ));
        assert!(WorkspaceList::load(&file).unwrap().workspaces.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_at_the_list_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workspaces.json");
        let c = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let err = WorkspaceList::load(&file).unwrap_err();
        assert!(err.to_string().contains("workspaces.json"), "{err}");
    }

    #[test]
    fn a_list_that_does_not_parse_is_named_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workspaces.json");
        std::fs::write(&file, "{ \"workspaces\": [ oops").unwrap();
        let err = WorkspaceList::load(&file).unwrap_err();
        assert!(
            err.to_string().starts_with(&file.display().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("fix or remove the file"), "{err}");
        assert!(WorkspaceList::add(&file, dir.path(), "x").is_err());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{ \"workspaces\": [ oops"
        );
    }
}
