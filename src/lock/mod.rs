//! The run lock: at most one run per workspace at a time, across every synctray process on
//! the machine and the original Node process.
//!
//! Three files in `data/`, each with one job:
//! - `.sync-run.lock` ([`OS_LOCK_FILE`]): the OS lock (`flock` / `LockFileEx`, through
//!   `File::try_lock`) that excludes synctray processes from each other. synctray never
//!   deletes it, so deleting the other files by hand never lets a second run start, and the
//!   kernel drops the lock when its holder dies, however it dies: a dead holder's lock is
//!   taken over at once. Nobody ever reads it: on Windows, `LockFileEx` makes the bytes of
//!   a locked file unreadable to other processes, so no reader may need its contents.
//! - `.sync-lock`: what the original reads. It exists only while a run is in progress and
//!   holds exactly the ISO-8601 time the lock was taken (`2026-11-25T14:30:00.000Z`, like
//!   JavaScript's `toISOString`, no newline), so the original honours it. It is created
//!   whole (a hard link to a finished temporary file), and only when absent: a `.sync-lock`
//!   of the original's is never overwritten.
//! - `.sync-lock.json` ([`HOLDER_FILE`]): who holds the lock — pid, host, trigger, the job
//!   running now, since when, and the run's (or the running job's) process tree, which a
//!   run that takes over after a crash must make sure is gone. Replaced atomically; readable while the lock is
//!   held on every platform (it is not the OS-locked file). `status` and the tray read it.
//!
//! "Running" comes from the OS lock, never from a process id. A probe ([`probe`]) takes the
//! lock *shared* for an instant; a run that finds the lock taken checks, with a shared lock
//! of its own, whether a run holds it (exclusively) or only probes do, and tries again in
//! the second case: a probe never makes a real run skip.
//!
//! With the OS lock free, the files may still say the lock is held: a `.sync-lock` whose
//! holder cannot be proven dead (one written by the original, or by a synctray of another
//! host) counts as held until it is older than `staleLockMinutes`, then is removed with a
//! warning; a time in the future counts as the file's modification time. A holder file of
//! this host's synctray, with the OS lock free, is a dead holder: taken over at once.
//!
//! Holding the lock is holding a [`RunLock`]; dropping it releases everything, on every way
//! out of a run: success, failure, timeout, panic, shutdown.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::fsutil::{self, Durability};
use crate::schedule::Trigger;
use crate::status::iso_ms;
use crate::sys::{self, TreeId};

/// Who holds the lock, beside `.sync-lock`.
pub use crate::workspace::names::HOLDER as HOLDER_FILE;
/// The file that carries the OS lock, beside `.sync-lock`. Never deleted, never read.
pub use crate::workspace::names::RUN_OS_LOCK as OS_LOCK_FILE;
/// How long an unprovable lock is honoured when the configuration does not say.
pub const DEFAULT_STALE: Duration = Duration::from_secs(60 * 60);
/// How long a run that takes over waits for the previous run's processes to end.
const LEFTOVER_WAIT: Duration = Duration::from_secs(10);
/// How long a run keeps trying while only probes hold the OS lock (for an instant each).
const PROBE_PATIENCE: Duration = Duration::from_secs(2);

/// Who holds (or held) the lock, from the holder file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Holder {
    /// When the lock was taken.
    #[serde(with = "iso_ms::option")]
    pub since: Option<DateTime<Utc>>,
    pub pid: Option<u32>,
    pub host: Option<String>,
    pub trigger: Option<String>,
    /// The job running now: "2/3 quality".
    pub job: Option<String>,
    /// The run's process tree (Linux: its supervisor), or the running job's, to end if
    /// its synctray dies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree: Option<TreeId>,
}

impl Holder {
    fn ours(trigger: Option<Trigger>, now: DateTime<Utc>) -> Holder {
        Holder {
            since: Some(now),
            pid: Some(std::process::id()),
            host: Some(sys::hostname()),
            trigger: trigger.map(|t| t.to_string()),
            job: None,
            tree: None,
        }
    }

    /// Whether this holder is (or was) a synctray of this machine.
    fn is_local(&self) -> bool {
        self.host.as_deref().is_none_or(|h| h == sys::hostname())
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.pid, &self.host) {
            (Some(pid), Some(host)) => write!(f, "pid {pid} on {host}")?,
            (Some(pid), None) => write!(f, "pid {pid}")?,
            _ => f.write_str("an unknown process")?,
        }
        if let Some(since) = self.since {
            write!(
                f,
                " since {}",
                since.with_timezone(&chrono::Local).format("%H:%M:%S")
            )?;
        }
        Ok(())
    }
}

/// Why the lock could not be tried.
#[derive(Debug)]
#[non_exhaustive]
pub enum LockError {
    /// A lock path is a symbolic link: refused, so that nobody can make synctray create,
    /// truncate or remove a file elsewhere.
    Symlink(PathBuf),
    /// A lock path is a folder, a FIFO, a socket or a device.
    NotAFile(PathBuf),
    /// The processes of a dead holder's run could not be ended: no run may start beside them.
    Leftover {
        path: PathBuf,
        pid: u32,
    },
    Io(PathBuf, io::Error),
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Symlink(p) => write!(
                f,
                "{}: the lock path is a symbolic link; refusing to use it (remove it)",
                p.display()
            ),
            LockError::NotAFile(p) => write!(
                f,
                "{}: the lock path is not a regular file; refusing to use it (remove it)",
                p.display()
            ),
            LockError::Leftover { path, pid } => write!(
                f,
                "{}: the processes of the previous run (under pid {pid}) did not end; \
                 not starting a run beside them",
                path.display()
            ),
            LockError::Io(p, e) => write!(f, "{}: cannot use the lock file: {e}", p.display()),
        }
    }
}

impl std::error::Error for LockError {}

/// The outcome of trying the lock.
#[derive(Debug)]
pub enum Acquire {
    Acquired(RunLock),
    /// Another process runs a sync of this workspace: skip, don't queue.
    Held(Holder),
}

/// The lock's three files, from the path of `.sync-lock`.
#[derive(Debug, Clone)]
struct Files {
    stamp: PathBuf,
    holder: PathBuf,
    os: PathBuf,
}

impl Files {
    fn beside(stamp: &Path) -> Files {
        Files {
            stamp: stamp.to_owned(),
            holder: stamp.with_file_name(HOLDER_FILE),
            os: stamp.with_file_name(OS_LOCK_FILE),
        }
    }

    fn refuse_links(&self) -> Result<(), LockError> {
        for path in [&self.os, &self.stamp, &self.holder] {
            refuse_symlink(path)?;
        }
        Ok(())
    }

    /// Who holds the OS lock, as the holder file says (the time of `.sync-lock` if the
    /// holder has not written it yet, or someone deleted it).
    fn holder_now(&self) -> Holder {
        match read_holder_file(&self.holder) {
            Ok(Some(holder)) if holder != Holder::default() => holder,
            _ => Holder {
                since: read_stamp(&self.stamp).ok().flatten().and_then(|s| s.since),
                ..Holder::default()
            },
        }
    }
}

/// The content of `.sync-lock`.
#[derive(Debug)]
struct Stamp {
    text: String,
    /// The whole text as an ISO-8601 time, as the original's `new Date(text)` reads it.
    since: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
}

impl Stamp {
    /// When the lock was taken: its time; its modification time when the time is in the
    /// future or the file is empty (being written); `None` when it holds no time at all.
    fn taken(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.since {
            Some(t) if t <= now => Some(t),
            Some(_) => self.modified,
            None if self.text.trim().is_empty() => self.modified,
            None => None,
        }
    }
}

/// What the files say while no synctray of this machine holds the OS lock.
#[derive(Debug, Default)]
struct Leftovers {
    /// The holder file of a synctray of this machine, which therefore no longer runs.
    dead: Option<Holder>,
    /// Who still counts as holding the lock: the original, or a synctray of another host.
    held: Option<Holder>,
    /// Why `.sync-lock` goes, if it does.
    remove_stamp: Option<Removal>,
}

#[derive(Debug)]
enum Removal {
    /// It is the dead holder's.
    Dead,
    /// Honoured for `staleLockMinutes`, and older.
    Stale(Holder),
    /// It holds no time: not a lock anyone could honour.
    NotALock(String),
}

fn assess(files: &Files, stale: Duration, now: DateTime<Utc>) -> Result<Leftovers, LockError> {
    let previous = read_holder_file(&files.holder)?;
    let (dead, foreign) = match previous {
        Some(holder) if holder.is_local() => (Some(holder), None),
        Some(holder) => (None, Some(holder)),
        None => (None, None),
    };
    let mut found = Leftovers {
        dead,
        ..Leftovers::default()
    };
    let Some(stamp) = read_stamp(&files.stamp)? else {
        return Ok(found);
    };
    let dead_since = found.dead.as_ref().and_then(|h| h.since);
    if dead_since.is_some() && dead_since == stamp.since {
        found.remove_stamp = Some(Removal::Dead);
        return Ok(found);
    }
    match stamp.taken(now) {
        None => {
            let text: String = stamp.text.chars().take(60).collect();
            found.remove_stamp = Some(Removal::NotALock(text));
        }
        Some(taken) => {
            let holder = Holder {
                since: Some(taken),
                ..foreign.unwrap_or_default()
            };
            let age = (now - taken).to_std().unwrap_or_default();
            if age < stale {
                found.held = Some(holder);
            } else {
                found.remove_stamp = Some(Removal::Stale(holder));
            }
        }
    }
    Ok(found)
}

/// The held run lock. Dropping it releases it.
#[derive(Debug)]
#[must_use = "the lock is released when this value is dropped"]
pub struct RunLock {
    os: File,
    files: Files,
    holder: Mutex<Holder>,
    /// What this run wrote to `.sync-lock`.
    stamp_text: String,
    stamp_created: bool,
}

/// Tries to take the lock whose `.sync-lock` is at `path`, without waiting.
///
/// `stale` is how long a lock file whose holder cannot be proven dead is honoured.
pub fn try_acquire(
    path: &Path,
    trigger: Trigger,
    stale: Duration,
    now: DateTime<Utc>,
) -> Result<Acquire, LockError> {
    try_acquire_for(path, trigger, stale, now, None)
}

/// [`try_acquire`] for a run whose processes are already started under `tree`, recorded
/// in the holder file's first write (see [`RunLock::set_tree`]).
pub fn try_acquire_for(
    path: &Path,
    trigger: Trigger,
    stale: Duration,
    now: DateTime<Utc>,
    tree: Option<TreeId>,
) -> Result<Acquire, LockError> {
    let files = Files::beside(path);
    files.refuse_links()?;
    let os = lock_exclusive(&files.os)?;
    let Some(os) = os else {
        return Ok(Acquire::Held(files.holder_now()));
    };
    // From here on no other synctray of this machine can run this workspace; dropping
    // `os` lets them again.
    let found = assess(&files, stale, now)?;
    if let Some(dead) = &found.dead {
        tracing::info!("taking over the lock of {dead}, which is no longer running");
        if let Some(tree) = dead.tree
            && !sys::end_leftover_tree(tree, LEFTOVER_WAIT)
        {
            return Err(LockError::Leftover {
                path: files.holder.clone(),
                pid: tree.pid,
            });
        }
    }
    if let Some(holder) = found.held {
        return Ok(Acquire::Held(holder));
    }
    match &found.remove_stamp {
        None | Some(Removal::Dead) => {}
        Some(Removal::Stale(holder)) => tracing::warn!(
            "{}: removing a stale lock held by {holder} for longer than {} min",
            files.stamp.display(),
            stale.as_secs() / 60
        ),
        Some(Removal::NotALock(text)) => tracing::warn!(
            "{}: removing a lock file that holds no time ({text:?})",
            files.stamp.display()
        ),
    }
    if found.remove_stamp.is_some() {
        remove_if_there(&files.stamp).map_err(|e| LockError::Io(files.stamp.clone(), e))?;
    }
    let mut lock = RunLock {
        os,
        stamp_text: iso_ms::format(&now),
        holder: Mutex::new(Holder {
            tree,
            ..Holder::ours(Some(trigger), now)
        }),
        files,
        stamp_created: false,
    };
    lock.write_holder()
        .map_err(|e| LockError::Io(lock.files.holder.clone(), e))?;
    match create_whole(&lock.files.stamp, lock.stamp_text.as_bytes()) {
        Ok(()) => lock.stamp_created = true,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // The original took it between our look and now.
            let since = read_stamp(&lock.files.stamp)
                .ok()
                .flatten()
                .and_then(|s| s.since);
            return Ok(Acquire::Held(Holder {
                since,
                ..Holder::default()
            }));
        }
        Err(e) => return Err(LockError::Io(lock.files.stamp.clone(), e)),
    }
    Ok(Acquire::Acquired(lock))
}

/// Who holds the lock of `.sync-lock` at `path` now, without taking it; `None` when no run
/// is in progress. A synctray's run is seen through the OS lock (taken shared for an
/// instant, which never makes a run skip); the original's through a `.sync-lock` younger
/// than `stale`.
pub fn probe(path: &Path, stale: Duration, now: DateTime<Utc>) -> Option<Holder> {
    let files = Files::beside(path);
    if files.refuse_links().is_err() {
        return None; // no run can take such a lock
    }
    if fs::symlink_metadata(&files.os).is_ok_and(|m| m.is_file())
        && let Ok(os) = File::open(&files.os)
    {
        match os.try_lock_shared() {
            Ok(()) => drop(os.unlock()),
            Err(fs::TryLockError::WouldBlock) => return Some(files.holder_now()),
            Err(fs::TryLockError::Error(_)) => {}
        }
    }
    assess(&files, stale, now).ok()?.held
}

/// [`probe`] with the default `staleLockMinutes`, now.
pub fn inspect(path: &Path) -> Option<Holder> {
    probe(path, DEFAULT_STALE, Utc::now())
}

impl RunLock {
    /// Records the job now running ("2/3 quality"), so that other processes (the tray,
    /// `synctray status`) can show progress. It reaches the holder file with the next
    /// write: the runner writes it once the job has run for a moment, or with the job's
    /// own process tree where each job has one ([`RunLock::set_tree`]), so that a job that
    /// is over at once costs no write. A caller that waits before starting the job calls
    /// [`RunLock::flush`].
    pub fn set_job(&self, job: Option<String>) {
        self.holder.lock().unwrap_or_else(|e| e.into_inner()).job = job;
    }

    /// Records the process tree that a run which takes over after this process died must
    /// make sure is gone first — the run's (once a run) or the running job's — and writes
    /// the holder file.
    pub fn set_tree(&self, tree: Option<TreeId>) {
        self.holder.lock().unwrap_or_else(|e| e.into_inner()).tree = tree;
        self.flush();
    }

    /// Writes what [`RunLock::set_job`] recorded to the holder file now.
    pub fn flush(&self) {
        if let Err(e) = self.write_holder() {
            tracing::warn!("{}: cannot write: {e}", self.files.holder.display());
        }
    }

    /// Who holds the lock: this process.
    pub fn holder(&self) -> Holder {
        self.holder
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn write_holder(&self) -> io::Result<()> {
        let json = serde_json::to_vec(&self.holder()).map_err(io::Error::other)?;
        fsutil::atomic_write(&self.files.holder, &json, 0o644, Durability::Renamed)
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // `.sync-lock` first: whoever sees it gone may start, and finds the OS lock free
        // a moment later. Only ours is removed (the original may have replaced a
        // hand-deleted one).
        if self.stamp_created {
            match fs::read(&self.files.stamp) {
                Ok(text) if text == self.stamp_text.as_bytes() => {
                    if let Err(e) = fs::remove_file(&self.files.stamp) {
                        tracing::warn!("{}: cannot remove: {e}", self.files.stamp.display());
                    }
                }
                Ok(_) => tracing::info!(
                    "{}: left alone: another process replaced this run's lock file",
                    self.files.stamp.display()
                ),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!("{}: cannot read: {e}", self.files.stamp.display()),
            }
        }
        if let Err(e) = remove_if_there(&self.files.holder) {
            tracing::warn!("{}: cannot remove: {e}", self.files.holder.display());
        }
        // Closing the file (after this) releases the OS lock too; unlock says it plainly.
        let _ = self.os.unlock();
    }
}

/// Opens the OS-lock file and takes its lock exclusively; `None` when a run holds it.
fn lock_exclusive(path: &Path) -> Result<Option<File>, LockError> {
    let io_err = |e| LockError::Io(path.to_owned(), e);
    open_locked(path, "the lock file", |file| {
        let patience = Instant::now() + PROBE_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(true),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
            }
            // Taken: by a run (exclusively), or only by probes (shared, for an instant)?
            match file.try_lock_shared() {
                Ok(()) => drop(file.unlock()),
                Err(fs::TryLockError::WouldBlock) => return Ok(false),
                Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
            }
            if Instant::now() >= patience {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    })
}

/// Opens the file at `path` (a regular file, never through a link) and locks it with
/// `lock`, which says `false` when another process holds the lock: then `None`. `what`
/// names the file in the error.
///
/// synctray never deletes a lock file while it holds it; a person may have, between our
/// open and our lock: then we hold a lock nobody else will see, and start again.
fn open_locked(
    path: &Path,
    what: &str,
    lock: impl Fn(&File) -> Result<bool, LockError>,
) -> Result<Option<File>, LockError> {
    let io_err = |e| LockError::Io(path.to_owned(), e);
    for _ in 0..8 {
        let file = sys::open_nofollow(path).map_err(|e| {
            if is_symlink(path) {
                LockError::Symlink(path.to_owned())
            } else {
                io_err(e)
            }
        })?;
        if !file.metadata().map_err(io_err)?.is_file() {
            return Err(LockError::NotAFile(path.to_owned()));
        }
        if !lock(&file)? {
            return Ok(None);
        }
        if sys::same_file(&file, path).unwrap_or(false) {
            return Ok(Some(file));
        }
    }
    Err(io_err(io::Error::other(format!(
        "{what} kept changing under us"
    ))))
}

/// Writes `bytes` to `path` as a new file that appears whole, or fails with
/// `AlreadyExists` if `path` exists: a finished temporary file is hard-linked there.
fn create_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    // Named like every temporary file (the pid in the name): the next start can prove a
    // killed writer's leftover dead and remove it.
    let prefix = format!(".synctray-{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    sys::set_mode(tmp.as_file(), 0o644)?;
    match fs::hard_link(tmp.path(), path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            // A file system without hard links: create it in place (it is empty for an
            // instant, which the original reads as "just taken").
            let mut file = sys::write_options()
                .write(true)
                .create_new(true)
                .open(path)?;
            file.write_all(bytes)
        }
    }
}

/// Reads the holder file: `None` if there is none; a default holder if it does not parse
/// (only synctray writes it, so it was a synctray, and an unknown one).
fn read_holder_file(path: &Path) -> Result<Option<Holder>, LockError> {
    let Some(bytes) = read_small(path)? else {
        return Ok(None);
    };
    Ok(Some(serde_json::from_slice(&bytes).unwrap_or_default()))
}

fn read_stamp(path: &Path) -> Result<Option<Stamp>, LockError> {
    let Some(bytes) = read_small(path)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let since = DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc));
    let modified = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from);
    Ok(Some(Stamp {
        text,
        since,
        modified,
    }))
}

/// The first 4 KiB of a regular file; `None` if it does not exist. A link, a FIFO or a
/// device is an error, never followed and never waited on.
fn read_small(path: &Path) -> Result<Option<Vec<u8>>, LockError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LockError::Io(path.to_owned(), e)),
        Ok(m) if m.file_type().is_symlink() => return Err(LockError::Symlink(path.to_owned())),
        Ok(m) if !m.is_file() => return Err(LockError::NotAFile(path.to_owned())),
        Ok(_) => {}
    }
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(file) => file
            .take(4096)
            .read_to_end(&mut bytes)
            .map_err(|e| LockError::Io(path.to_owned(), e))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LockError::Io(path.to_owned(), e)),
    };
    Ok(Some(bytes))
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The scheduler's instance lock (`data/.synctray-instance`): one tray or daemon per
/// workspace. Runs are already exclusive through the run lock; this keeps a second tray
/// from appearing and tells the user which process is already serving the workspace.
/// Who holds it is written beside it (`.synctray-instance.json`), not in the locked file.
#[derive(Debug)]
#[must_use = "the instance lock is released when this value is dropped"]
pub struct InstanceLock {
    file: File,
    path: PathBuf,
    holder: PathBuf,
}

/// Takes the instance lock, or says who holds it.
pub fn instance(path: &Path) -> Result<Result<InstanceLock, Holder>, LockError> {
    let holder_path = PathBuf::from(format!("{}.json", path.display()));
    refuse_symlink(&holder_path)?;
    let locked = open_locked(path, "the instance file", |file| match file.try_lock() {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(LockError::Io(path.to_owned(), e)),
    })?;
    let Some(file) = locked else {
        return Ok(Err(read_holder_file(&holder_path)
            .ok()
            .flatten()
            .unwrap_or_default()));
    };
    let json = serde_json::to_vec(&Holder::ours(None, Utc::now())).map_err(io::Error::other);
    json.and_then(|j| fsutil::atomic_write(&holder_path, &j, 0o644, Durability::Renamed))
        .map_err(|e| LockError::Io(holder_path.clone(), e))?;
    Ok(Ok(InstanceLock {
        file,
        path: path.to_owned(),
        holder: holder_path,
    }))
}

/// Who serves the workspace whose instance lock is at `path` (a tray or a daemon), if one
/// does; read only: a shared lock taken and let go at once, never the file's own lock,
/// so that a tray or daemon starting meanwhile is not turned away.
pub fn served_by(path: &Path) -> Option<Holder> {
    let file = File::open(path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(fs::TryLockError::WouldBlock) => {
            let holder_path = PathBuf::from(format!("{}.json", path.display()));
            Some(
                read_holder_file(&holder_path)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            )
        }
        Err(fs::TryLockError::Error(_)) => None,
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        if sys::same_file(&self.file, &self.path).unwrap_or(false) {
            let _ = fs::remove_file(&self.holder);
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn refuse_symlink(path: &Path) -> Result<(), LockError> {
    if is_symlink(path) {
        Err(LockError::Symlink(path.to_owned()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
