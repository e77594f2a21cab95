//! The run lock, `data/.sync-lock`: at most one run per workspace at a time, across every
//! synctray process on the machine.
//!
//! Holding the lock is holding a [`RunLock`] value. Two things make it hold between
//! processes and survive crashes:
//! - an OS file lock (`flock` / `LockFileEx`) on the file, which the kernel drops when the
//!   holder dies, however it dies — so a dead holder's lock is taken over at once;
//! - the file's text, for humans, dashboards and the original: first the ISO-8601 time it
//!   was taken (as the original wrote it), then `pid=`, `host=`, `trigger=` and the job now
//!   running. A file without an OS lock whose writer cannot be proven dead (the original's,
//!   or one from another host) counts as held until it is older than `staleLockMinutes`.
//!
//! Dropping the [`RunLock`] removes the file and then releases the OS lock, on every way
//! out of a run: success, failure, timeout, panic, shutdown.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::schedule::Trigger;
use crate::status::iso_ms;
use crate::sys;

/// Who holds (or held) the lock, from the lock file's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    /// When the lock was taken.
    pub since: Option<DateTime<Utc>>,
    pub pid: Option<u32>,
    pub host: Option<String>,
    pub trigger: Option<String>,
    /// The job running now: "2/3 quality".
    pub job: Option<String>,
}

impl Holder {
    fn ours(trigger: Trigger, now: DateTime<Utc>) -> Holder {
        Holder {
            since: Some(now),
            pid: Some(std::process::id()),
            host: Some(sys::hostname()),
            trigger: Some(trigger.to_string()),
            job: None,
        }
    }

    /// Parses the lock file's text. The original's file holds only the time.
    pub fn parse(text: &str) -> Holder {
        let mut lines = text.lines();
        let since = lines
            .next()
            .and_then(|l| DateTime::parse_from_rfc3339(l.trim()).ok())
            .map(|t| t.with_timezone(&Utc));
        let mut holder = Holder {
            since,
            ..Holder::default()
        };
        for line in lines {
            match line.split_once('=') {
                Some(("pid", v)) => holder.pid = v.trim().parse().ok(),
                Some(("host", v)) => holder.host = Some(v.trim().to_owned()),
                Some(("trigger", v)) => holder.trigger = Some(v.trim().to_owned()),
                Some(("job", v)) => holder.job = Some(v.trim().to_owned()),
                _ => {}
            }
        }
        holder
    }

    fn render(&self) -> String {
        let mut text = self.since.map(|t| iso_ms::format(&t)).unwrap_or_default();
        text.push('\n');
        let fields = [
            ("pid", self.pid.map(|p| p.to_string())),
            ("host", self.host.clone()),
            ("trigger", self.trigger.clone()),
            ("job", self.job.clone()),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                text.push_str(&format!("{key}={value}\n"));
            }
        }
        text
    }

    /// Whether this holder is a process on this machine that no longer exists.
    fn is_provably_dead(&self) -> bool {
        self.host.as_deref() == Some(sys::hostname().as_str())
            && self.pid.and_then(sys::process_alive) == Some(false)
    }

    /// Whether the holder is a synctray of this machine (whose OS lock proves it alive).
    fn is_local_synctray(&self) -> bool {
        self.pid.is_some() && self.host.as_deref() == Some(sys::hostname().as_str())
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
    /// The lock path is a symbolic link: refused, so that nobody can make synctray
    /// create or truncate a file elsewhere.
    Symlink(PathBuf),
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

/// The held run lock. Dropping it releases it.
#[derive(Debug)]
#[must_use = "the lock is released when this value is dropped"]
pub struct RunLock {
    file: File,
    path: PathBuf,
    holder: Holder,
}

/// Tries to take the lock at `path` without waiting.
///
/// `stale` is how long a lock file whose holder cannot be proven dead is honoured.
pub fn try_acquire(
    path: &Path,
    trigger: Trigger,
    stale: Duration,
    now: DateTime<Utc>,
) -> Result<Acquire, LockError> {
    let io_err = |e| LockError::Io(path.to_owned(), e);
    // A holder may remove the file between our open and our lock; then we locked a file
    // nobody else will ever see, and must start again. Twice is plenty in practice.
    for _ in 0..8 {
        refuse_symlink(path)?;
        let mut file = sys::open_nofollow(path).map_err(|e| {
            if fs_is_symlink(path) {
                LockError::Symlink(path.to_owned())
            } else {
                io_err(e)
            }
        })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Ok(Acquire::Held(read_holder(&mut file)));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        if !sys::same_file(&file, path).unwrap_or(false) {
            continue;
        }
        let previous = read_holder(&mut file);
        if previous != Holder::default() {
            if previous.is_local_synctray() || previous.is_provably_dead() {
                // Its OS lock is gone, so its process is: take over at once.
                tracing::info!("taking over the lock of {previous}, which is no longer running");
            } else {
                let taken = previous.since.or_else(|| {
                    file.metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .map(DateTime::<Utc>::from)
                });
                let age = taken.map(|t| (now - t).to_std().unwrap_or_default());
                match age {
                    Some(age) if age < stale => return Ok(Acquire::Held(previous)),
                    _ => tracing::warn!(
                        "{}: removing a stale lock held by {previous} for longer than {} min",
                        path.display(),
                        stale.as_secs() / 60
                    ),
                }
            }
        }
        let lock = RunLock {
            file,
            path: path.to_owned(),
            holder: Holder::ours(trigger, now),
        };
        lock.write_holder().map_err(io_err)?;
        return Ok(Acquire::Acquired(lock));
    }
    Err(io_err(io::Error::other(
        "the lock file kept changing under us",
    )))
}

/// Who holds the lock now, without taking it (taking it, even briefly, could make a
/// starting run skip). `None` when no run is in progress.
pub fn inspect(path: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(path).ok()?;
    let holder = Holder::parse(&text);
    (!holder.is_provably_dead()).then_some(holder)
}

impl RunLock {
    /// Records the job now running in the lock file ("2/3 quality"), so that other
    /// processes (the tray, `synctray status`) can show progress.
    pub fn set_job(&mut self, job: Option<String>) {
        self.holder.job = job;
        if let Err(e) = self.write_holder() {
            tracing::warn!("{}: cannot update the lock file: {e}", self.path.display());
        }
    }

    fn write_holder(&self) -> io::Result<()> {
        let mut file = &self.file;
        let text = self.holder.render();
        file.seek(io::SeekFrom::Start(0))?;
        file.write_all(text.as_bytes())?;
        file.set_len(text.len() as u64)?;
        Ok(())
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Remove the file while still holding the OS lock: a process that opened it just
        // before sees, once it gets the OS lock, that the path no longer names it.
        if sys::same_file(&self.file, &self.path).unwrap_or(false)
            && let Err(e) = std::fs::remove_file(&self.path)
        {
            tracing::warn!("{}: cannot remove the lock file: {e}", self.path.display());
        }
        // Closing the file (after this) releases the OS lock.
    }
}

/// The scheduler's instance lock (`data/.synctray-instance`): one tray or daemon per
/// workspace. Runs are already exclusive through the run lock; this keeps a second tray
/// from appearing and tells the user which process is already serving the workspace.
#[derive(Debug)]
#[must_use = "the instance lock is released when this value is dropped"]
pub struct InstanceLock {
    file: File,
    path: PathBuf,
}

/// Takes the instance lock, or says who holds it.
pub fn instance(path: &Path) -> Result<Result<InstanceLock, Holder>, LockError> {
    let io_err = |e| LockError::Io(path.to_owned(), e);
    for _ in 0..8 {
        refuse_symlink(path)?;
        let mut file = sys::open_nofollow(path).map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(Err(read_holder(&mut file))),
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        if !sys::same_file(&file, path).unwrap_or(false) {
            continue;
        }
        let mut holder = Holder::ours(Trigger::Schedule, Utc::now());
        holder.trigger = None;
        let text = holder.render();
        file.set_len(0)
            .and_then(|()| (&file).write_all(text.as_bytes()))
            .map_err(io_err)?;
        return Ok(Ok(InstanceLock {
            file,
            path: path.to_owned(),
        }));
    }
    Err(io_err(io::Error::other(
        "the instance file kept changing under us",
    )))
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        if sys::same_file(&self.file, &self.path).unwrap_or(false) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn read_holder(file: &mut File) -> Holder {
    let mut text = String::new();
    let _ = file.seek(io::SeekFrom::Start(0));
    let _ = file.take(4096).read_to_string(&mut text);
    Holder::parse(&text)
}

fn fs_is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn refuse_symlink(path: &Path) -> Result<(), LockError> {
    if fs_is_symlink(path) {
        Err(LockError::Symlink(path.to_owned()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acquire(path: &Path) -> Acquire {
        try_acquire(path, Trigger::Cli, Duration::from_secs(3600), Utc::now()).unwrap()
    }

    #[test]
    fn second_holder_is_refused_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-lock");
        let Acquire::Acquired(first) = acquire(&path) else {
            panic!("free lock not taken")
        };
        let Acquire::Held(holder) = acquire(&path) else {
            panic!("held lock taken twice")
        };
        assert_eq!(holder.pid, Some(std::process::id()));
        drop(first);
        assert!(!path.exists(), "lock file left behind");
        assert!(matches!(acquire(&path), Acquire::Acquired(_)));
    }

    #[test]
    fn the_file_starts_with_the_time_like_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-lock");
        let Acquire::Acquired(mut lock) = acquire(&path) else {
            panic!()
        };
        lock.set_job(Some("2/3 quality".into()));
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        assert!(DateTime::parse_from_rfc3339(first).is_ok(), "{text}");
        assert!(
            text.contains(&format!("pid={}", std::process::id())),
            "{text}"
        );
        assert_eq!(inspect(&path).unwrap().job.as_deref(), Some("2/3 quality"));
    }

    #[test]
    fn stale_lock_of_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-lock");
        // A lock written a minute ago by a synctray of this host that no longer runs.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let since = iso_ms::format(&(Utc::now() - chrono::TimeDelta::minutes(1)));
        std::fs::write(
            &path,
            format!("{since}\npid={dead}\nhost={}\n", sys::hostname()),
        )
        .unwrap();
        assert_eq!(inspect(&path), None, "a dead holder is not running");
        assert!(matches!(acquire(&path), Acquire::Acquired(_)));
    }

    #[test]
    fn unprovable_lock_is_honoured_until_stale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-lock");
        let ten_min_ago = Utc::now() - chrono::TimeDelta::minutes(10);
        // The original's lock: only a time.
        std::fs::write(&path, iso_ms::format(&ten_min_ago)).unwrap();
        let stale = |minutes: u64| {
            try_acquire(
                &path,
                Trigger::Cli,
                Duration::from_secs(60 * minutes),
                Utc::now(),
            )
            .unwrap()
        };
        assert!(
            matches!(stale(60), Acquire::Held(h) if h.since == Some(chrono::SubsecRound::trunc_subsecs(ten_min_ago, 3)))
        );
        assert!(path.exists(), "an honoured lock is left alone");
        assert!(matches!(stale(5), Acquire::Acquired(_)));
    }

    #[test]
    #[cfg(unix)]
    fn symlinked_lock_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-lock");
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let err =
            try_acquire(&path, Trigger::Cli, Duration::from_secs(60), Utc::now()).unwrap_err();
        assert!(matches!(err, LockError::Symlink(_)), "{err}");
        assert!(!target.exists(), "followed the link");
    }
}
