//! `synctray export`: a workspace's schedule written for the scheduler a machine or a
//! cluster already runs — systemd timers, a launchd agent, a Windows Task Scheduler task,
//! a Kubernetes CronJob — each calling `synctray --workspace W sync --scheduled`; and
//! `synctray unexport`, which removes exactly what export wrote.
//!
//! [`calendar`] turns the cadence into fields a scheduler understands; one file per target
//! (`systemd.rs`, `launchd.rs`, `windows.rs`, `k8s.rs`) renders them. What a target cannot
//! carry faithfully is a [`Difference`]: a refusal when the target would run at other
//! times, a warning when it differs on a rare night or in what happens after a miss.
//! Nothing is silently changed.
//!
//! Every file written carries a marker line naming the target and the workspace
//! ([`marker`]): `unexport`, and a later export that writes fewer files, remove the files
//! with this workspace's marker and leave every other file in the folder alone.
//!
//! Nothing here reads the clock or the environment: the time, the machine's zone and the
//! program's path come in a [`Request`].

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::workspace::Workspace;

pub mod calendar;
mod k8s;
mod launchd;
mod systemd;
mod windows;

/// A scheduler synctray exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A systemd .service and .timer.
    Systemd,
    /// A launchd agent (macOS).
    Launchd,
    /// A Windows Task Scheduler task.
    Windows,
    /// A Kubernetes CronJob.
    K8s,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Systemd => "systemd",
            Target::Launchd => "launchd",
            Target::Windows => "windows",
            Target::K8s => "k8s",
        })
    }
}

/// Units for the user (the default) or for the whole system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    System,
}

/// Everything an export is made from.
#[derive(Debug)]
pub struct Request<'a> {
    pub ws: &'a Workspace,
    pub config: &'a Config,
    pub scope: Scope,
    /// The absolute path of the synctray program the units call.
    pub exe: PathBuf,
    /// The machine's own zone (launchd and Task Scheduler have no other).
    pub local: jiff::tz::TimeZone,
    /// Now: where the daylight-saving checks start, and the task's start date.
    pub now: jiff::Timestamp,
    /// The user the units run as, when known.
    pub user: Option<String>,
    /// Whether that user's systemd instance lingers (runs without a login).
    pub lingering: bool,
    /// k8s: the container image holding synctray and the jobs' tools.
    pub image: Option<String>,
    /// k8s: the PersistentVolumeClaim holding the workspace (default `synctray-NAME`).
    pub claim: Option<String>,
}

/// What a target does not carry as synctray would run it, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A seconds field other than 0.
    Seconds(String),
    /// `L`, `W` or `#` in a day field.
    MonthRelative(String),
    /// Every N minutes after the previous run: not a calendar.
    NotCalendar { target: Target, minutes: u32 },
    /// Both day fields, combined as the target cannot.
    DayFields { target: Target, expr: String },
    /// The target has no time zones and the workspace's cannot be moved into the
    /// machine's.
    Zone {
        target: Target,
        mismatch: calendar::ZoneMismatch,
    },
    /// The target needs more triggers than it takes.
    TooManyTriggers {
        target: Target,
        count: usize,
        max: usize,
    },
    /// A spring-forward night on which the target skips a time that synctray runs at the
    /// end of the gap.
    SpringForward {
        target: Target,
        skipped: String,
        runs_at: String,
    },
    /// A fall-back night on which the target runs a time twice that synctray runs once.
    FallBack { target: Target, repeated: String },
    /// `catchUp: false` where the target runs a missed time anyway.
    CatchUpAnyway(Target),
    /// The workspace's zone is the machine's, which has no IANA name to give the target.
    LocalZoneUnnamed(Target),
    /// The zone that was used for "local time".
    LocalZoneUsed { target: Target, zone: String },
    /// `paused: true` in the config: exported anyway, the runs skip until it is resumed.
    Paused,
    /// A k8s export without `--image`.
    NoImage,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Seconds(expr) => write!(
                f,
                "schedule \"{expr}\" has a seconds field; schedulers fire on whole minutes (use 5 fields, or 0 seconds)"
            ),
            Difference::MonthRelative(expr) => write!(
                f,
                "schedule \"{expr}\" uses L, W or # (last day, nearest weekday, nth weekday), which no export target can say"
            ),
            Difference::NotCalendar { target, minutes } => write!(
                f,
                "every {minutes} minutes divides neither an hour nor a day: synctray runs it {minutes} minutes after the previous run, and {target} schedules only calendar times (use intervalMinutes dividing 60, whole hours dividing 24, or a schedule)"
            ),
            Difference::DayFields { target, expr } => write!(
                f,
                "schedule \"{expr}\" restricts both the day of the month and the weekday, which {target} cannot combine as synctray does"
            ),
            Difference::Zone { target, mismatch } => {
                let offsets = mismatch
                    .offsets
                    .iter()
                    .map(|m| offset_words(*m))
                    .collect::<Vec<_>>()
                    .join(", then ");
                if mismatch.crosses_midnight {
                    write!(
                        f,
                        "{target} has no time zones: in this machine's zone ({}) the schedule's times in {} move across midnight ({offsets}), onto other days; export on a machine in {} or set timezone to this machine's",
                        mismatch.local, mismatch.zone, mismatch.zone
                    )
                } else {
                    write!(
                        f,
                        "{target} has no time zones and this machine's zone ({}) does not keep a fixed difference with the workspace's {} ({offsets} over the year): no local time is faithful; export on a machine in {} or set timezone to this machine's",
                        mismatch.local, mismatch.zone, mismatch.zone
                    )
                }
            }
            Difference::TooManyTriggers { target, count, max } => write!(
                f,
                "{target} would need {count} triggers for this schedule and takes at most {max}"
            ),
            Difference::SpringForward {
                target,
                skipped,
                runs_at,
            } => write!(
                f,
                "daylight saving: {target} skips the {skipped} run on the night the clocks spring forward, where synctray runs it at {runs_at}"
            ),
            Difference::FallBack { target, repeated } => write!(
                f,
                "daylight saving: {target} runs {repeated} twice on the night the clocks fall back (kubernetes #121594), where synctray runs it once"
            ),
            Difference::CatchUpAnyway(target) => write!(
                f,
                "catchUp is false, but {target} starts a run missed while the machine slept when it wakes"
            ),
            Difference::LocalZoneUnnamed(target) => write!(
                f,
                "the workspace runs in local time and this machine's zone has no IANA name to give {target}: set timezone in the config"
            ),
            Difference::LocalZoneUsed { target, zone } => write!(
                f,
                "the workspace runs in local time: {target} is given this machine's zone, {zone}"
            ),
            Difference::Paused => {
                f.write_str("the workspace is paused: scheduled runs skip until `synctray resume`")
            }
            Difference::NoImage => {
                f.write_str("k8s needs --image IMG: an image holding synctray and the jobs' tools")
            }
        }
    }
}

/// "+1 h", "-5 h 30 min".
fn offset_words(minutes: i32) -> String {
    let sign = if minutes < 0 { "-" } else { "+" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (h, 0) => format!("{sign}{h} h"),
        (0, min) => format!("{sign}{min} min"),
        (h, min) => format!("{sign}{h} h {min} min"),
    }
}

/// How a file's text is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-16 little-endian with a byte-order mark (Task Scheduler's own).
    Utf16,
}

/// One file of an export.
#[derive(Debug, Clone)]
pub struct OutFile {
    pub name: String,
    pub text: String,
    pub encoding: Encoding,
}

impl OutFile {
    /// The text as printed on a terminal (UTF-8): a UTF-16 file's declaration says so.
    pub fn shown(&self) -> String {
        match self.encoding {
            Encoding::Utf8 => self.text.clone(),
            Encoding::Utf16 => self
                .text
                .replacen("encoding=\"UTF-16\"", "encoding=\"UTF-8\"", 1),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self.encoding {
            Encoding::Utf8 => self.text.clone().into_bytes(),
            Encoding::Utf16 => [0xFF, 0xFE]
                .into_iter()
                .chain(self.text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
        }
    }
}

/// What an export makes: its files, the warnings, and how to install it.
#[derive(Debug, Clone)]
pub struct Export {
    pub target: Target,
    pub files: Vec<OutFile>,
    pub warnings: Vec<Difference>,
    /// What to run once the files are in place, given the folder they are in.
    pub install: Vec<String>,
}

/// Makes the export of `req` for `target`, or says what cannot be carried.
pub fn export(target: Target, req: &Request<'_>) -> Result<Export, Difference> {
    let mut export = match target {
        Target::Systemd => systemd::export(req),
        Target::Launchd => launchd::export(req),
        Target::Windows => windows::export(req),
        Target::K8s => k8s::export(req),
    }?;
    if req.config.paused {
        export.warnings.push(Difference::Paused);
    }
    Ok(export)
}

/// The marker line's words: `synctray-export: TARGET ROOT`.
const MARKER: &str = "synctray-export:";

/// The marker every file of an export carries (inside the format's comment), naming the
/// target and the workspace, and what it is for.
pub fn marker(target: Target, ws: &Workspace) -> String {
    format!("{MARKER} {target} {}", ws.root.display())
}

/// The words beside the marker.
fn marker_note(target: Target) -> String {
    format!("Written by `synctray export {target}`; `synctray unexport {target}` removes it.")
}

/// Whether the file at `path` was written by an export of `target` for `ws`. A file that
/// cannot be read, or is not a regular file, is not.
fn is_ours(path: &Path, target: Target, ws: &Workspace) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > 1 << 20 {
        return false;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let text = match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => String::from_utf16_lossy(
            &rest
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    };
    let wanted = marker(target, ws);
    // In XML the marker is escaped (`&`, `<`, `--` in a folder's name).
    let escaped = launchd::comment_escape(&wanted);
    text.lines().take(8).any(|line| {
        let line = line.trim_end().trim_end_matches("-->").trim_end();
        line.ends_with(&wanted) || line.ends_with(&escaped)
    })
}

/// Why an export could not be written or removed.
#[derive(Debug)]
pub enum WriteError {
    /// A file of that name is there and is not this export's.
    Foreign(PathBuf),
    Io(PathBuf, io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Foreign(path) => write!(
                f,
                "{} exists and was not written by synctray export for this workspace; it is left alone (move it away to export here)",
                path.display()
            ),
            WriteError::Io(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

/// What writing an export into a folder did.
#[derive(Debug, Default)]
pub struct Written {
    pub written: Vec<PathBuf>,
    /// Files of an earlier export of this workspace that this one no longer has.
    pub removed: Vec<PathBuf>,
}

/// Writes `export` into `dir` (created if missing), each file atomically. A file of the
/// same name that this workspace's export did not write is never replaced; files of an
/// earlier export of this workspace and target that this one does not write are removed.
pub fn write(export: &Export, ws: &Workspace, dir: &Path) -> Result<Written, WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| WriteError::Io(dir.to_owned(), e))?;
    for file in &export.files {
        let path = dir.join(&file.name);
        if std::fs::symlink_metadata(&path).is_ok() && !is_ours(&path, export.target, ws) {
            return Err(WriteError::Foreign(path));
        }
    }
    let mut done = Written::default();
    for file in &export.files {
        let path = dir.join(&file.name);
        crate::fsutil::atomic_write(&path, &file.bytes(), 0o644, crate::sys::Durability::Flushed)
            .map_err(|e| WriteError::Io(path.clone(), e))?;
        done.written.push(path);
    }
    let keep: Vec<&str> = export.files.iter().map(|f| f.name.as_str()).collect();
    done.removed = remove_ours(export.target, ws, dir, &keep)?;
    Ok(done)
}

/// Removes the files of `target`'s export of `ws` from `dir`, and nothing else; the paths
/// removed. A folder that does not exist holds none.
pub fn unexport(target: Target, ws: &Workspace, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    remove_ours(target, ws, dir, &[])
}

fn remove_ours(
    target: Target,
    ws: &Workspace,
    dir: &Path,
    keep: &[&str],
) -> Result<Vec<PathBuf>, WriteError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WriteError::Io(dir.to_owned(), e)),
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if keep.iter().any(|k| name == **k) || !is_ours(&path, target, ws) {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| WriteError::Io(path.clone(), e))?;
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// The folder a target's files go to when none is given, where the target has one: the
/// user's or the system's systemd units, the user's LaunchAgents or the LaunchDaemons.
pub fn default_dir(target: Target, scope: Scope, home: Option<&Path>) -> Option<PathBuf> {
    match (target, scope) {
        (Target::Systemd, Scope::User) => std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".config")))
            .map(|c| c.join("systemd/user")),
        (Target::Systemd, Scope::System) => Some(PathBuf::from("/etc/systemd/system")),
        (Target::Launchd, Scope::User) => home.map(|h| h.join("Library/LaunchAgents")),
        (Target::Launchd, Scope::System) => Some(PathBuf::from("/Library/LaunchDaemons")),
        (Target::Windows | Target::K8s, _) => None,
    }
}

/// What to run once `unexport` has removed the files, to take the schedule out of the
/// scheduler too.
pub fn after_unexport(target: Target, ws: &Workspace, scope: Scope) -> Option<String> {
    let name = unit_name(ws);
    Some(match (target, scope) {
        (Target::Systemd, Scope::User) => {
            format!("systemctl --user stop {name}.timer && systemctl --user daemon-reload")
        }
        (Target::Systemd, Scope::System) => {
            format!("systemctl stop {name}.timer && systemctl daemon-reload")
        }
        (Target::Launchd, Scope::User) => format!(
            "launchctl bootout gui/$(id -u)/org.synctray.{}",
            name.trim_start_matches("synctray-")
        ),
        (Target::Launchd, Scope::System) => format!(
            "launchctl bootout system/org.synctray.{}",
            name.trim_start_matches("synctray-")
        ),
        (Target::Windows, _) => format!("schtasks /Delete /TN \"{}\" /F", windows::task_name(ws)),
        (Target::K8s, _) => format!("kubectl delete cronjob {name}"),
    })
}

/// A name for the workspace's units: `synctray-` and its name in lower-case letters,
/// digits and dashes, then a short hash of its folder, so two workspaces of one name in
/// different folders never share a unit.
pub fn unit_name(ws: &Workspace) -> String {
    let mut slug = String::new();
    for c in ws.name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(24).collect();
    let slug = slug.trim_end_matches('-');
    // FNV-1a over the folder's path: stable across runs and builds.
    let hash = ws
        .root
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let hash = format!("{:08x}", hash as u32);
    if slug.is_empty() {
        format!("synctray-{hash}")
    } else {
        format!("synctray-{slug}-{hash}")
    }
}

/// The arguments after the program: `--workspace ROOT sync --scheduled`.
fn sync_args(root: &Path) -> [String; 4] {
    [
        "--workspace".to_owned(),
        root.display().to_string(),
        "sync".to_owned(),
        "--scheduled".to_owned(),
    ]
}

/// The longest a scheduled run may take, wait included: `staleLockMinutes` for the run,
/// plus `conditions.maxDelayMinutes` when conditions are set (the wait before the lock).
fn time_limit(config: &Config) -> std::time::Duration {
    let wait = if config.conditions.any() {
        config.conditions.max_delay
    } else {
        std::time::Duration::ZERO
    };
    config.stale_lock + wait
}

#[cfg(test)]
mod tests;
