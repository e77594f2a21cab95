//! Running one job: its own process tree (under the run's supervisor on Linux, a job
//! object on Windows, a process group elsewhere; see [`crate::sys`]), its output copied to a
//! bounded log file with a small tail kept for the error message, its timeout, and the
//! shutdown signal. The orchestrator calls [`run_job`] once per job, in order.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

use crate::config::{Job, JobCommand};
use crate::lock::RunLock;
use crate::shutdown::Stop;
use crate::status::{self, Failure, JobResult, Outcome};
use crate::sys::{self, JobHost, RunningJob};

/// A job's log stops growing here; the rest of its output is counted and dropped.
pub const LOG_CAP_BYTES: u64 = 1024 * 1024;
/// How much of the end of a job's output is kept for the error message.
const TAIL_BYTES: usize = 4096;
/// Between asking a job tree to stop and killing it.
pub const TERM_GRACE: Duration = Duration::from_secs(3);
/// How long to wait for output still buffered in the pipes once the job has ended.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// A job still running after this is written to the lock's holder file (for `status` and
/// the tray of other processes); one that ends sooner costs no write.
const PROGRESS_AFTER: Duration = Duration::from_millis(100);

/// Where a job runs and writes.
#[derive(Debug)]
pub struct JobContext<'a> {
    /// The workspace root: the job's working directory.
    pub root: &'a Path,
    /// The run's log, which every job of the run appends to (`None` if it could not be
    /// created: the job runs all the same).
    pub log: Option<&'a File>,
    /// The log path as recorded in the status (relative to the root).
    pub log_shown: String,
    /// The run's own deadline (`staleLockMinutes` after it started).
    pub run_deadline: Instant,
    /// Which try this is, of how many (`retry`), for the log's header; `None` for a job
    /// that gets one try.
    pub attempt: Option<(u32, u32)>,
    /// The run lock, where the job's process tree is recorded while it runs, so that a run
    /// that takes over after this process died makes sure the tree is gone first.
    pub lock: Option<&'a RunLock>,
    /// What starts the run's jobs.
    pub host: &'a JobHost,
}

/// A finished job: its result and the end of its output.
#[derive(Debug)]
pub struct JobRun {
    /// What is recorded (its `reason` is [`JobRun::failure`]'s text).
    pub result: JobResult,
    /// Why it did not succeed; `None` when it did.
    pub failure: Option<Failure>,
    /// The last lines of its error output (or of its output, when it wrote no errors).
    pub tail: String,
    /// Whether the shutdown signal ended it — the job itself, or (with `retry`) the wait
    /// before its next try.
    pub interrupted: bool,
}

/// Runs one job to its end, however it ends.
pub async fn run_job(job: &Job, cx: &JobContext<'_>, stop: &mut watch::Receiver<Stop>) -> JobRun {
    let started = Instant::now();
    let log = Arc::new(Mutex::new(LogSink::start(cx.log, job, cx.attempt)));
    let mut cmd = command(job);
    cmd.current_dir(cx.root)
        .envs(job.env.iter().map(|(k, v)| (k, v)));
    let mut child = match cx.host.spawn(cmd).await {
        Ok(child) => child,
        Err(e) => {
            let failure = Failure::CouldNotStart {
                program: program(job).to_string_lossy().into_owned(),
                why: match e.kind() {
                    std::io::ErrorKind::NotFound => "program not found".to_owned(),
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                    _ => e.to_string(),
                },
            };
            log.lock()
                .unwrap()
                .finish(&failure.to_string(), started.elapsed());
            return JobRun {
                result: job_result(job, cx, None, Some(&failure), started),
                failure: Some(failure),
                tail: String::new(),
                interrupted: false,
            };
        }
    };
    // Where each job has a tree of its own to record (macOS), it is written now; under the
    // run's supervisor (Linux) it was recorded once for the run, and the job's name is
    // written only if the job lasts (see `PROGRESS_AFTER`).
    let mut progress_written = false;
    if let Some(lock) = cx.lock
        && let Some(tree) = child.tree_id()
    {
        lock.set_tree(Some(tree));
        progress_written = true;
    }
    // Dropping the child (at the end of this function, or if this future is dropped)
    // kills whatever the job left running.
    let readers = [
        child
            .stdout
            .take()
            .map(|out| tokio::spawn(copy(out, Arc::clone(&log), Stream::Out))),
        child
            .stderr
            .take()
            .map(|err| tokio::spawn(copy(err, Arc::clone(&log), Stream::Err))),
    ];

    let job_deadline = (started + job.timeout).min(cx.run_deadline);
    let mut cut: Option<Failure> = None;
    let exit = loop {
        let stop_deadline = stop.borrow().deadline();
        let deadline = stop_deadline.map_or(job_deadline, |d| d.min(job_deadline));
        tokio::select! {
            exit = child.wait() => break exit,
            _ = sleep_until(started + PROGRESS_AFTER), if !progress_written => {
                progress_written = true;
                if let Some(lock) = cx.lock {
                    lock.flush();
                }
            }
            _ = sleep_until(deadline) => {
                cut = Some(if stop_deadline.is_some_and(|d| d <= job_deadline) {
                    Failure::Interrupted
                } else if job_deadline == cx.run_deadline && job.timeout > cx.run_deadline - started {
                    Failure::RunTimedOut
                } else {
                    Failure::TimedOut(job.timeout)
                });
                break stop_tree(&mut child, stop).await;
            }
            changed = stop.changed() => if changed.is_err() {
                // The front end is gone: nobody will tell us to stop gently any more.
                cut = Some(Failure::Interrupted);
                break stop_tree(&mut child, stop).await;
            }
        }
    };
    drop(child);
    for reader in readers.into_iter().flatten() {
        let abort = reader.abort_handle();
        if tokio::time::timeout(DRAIN_GRACE, reader).await.is_err() {
            // Something outside the job's tree kept its output open; stop reading.
            abort.abort();
        }
    }

    let code = exit.as_ref().ok().and_then(ExitStatus::code);
    let failure = cut.or_else(|| judge(job, exit));
    let mut sink = log.lock().unwrap();
    let tail = sink.tail();
    sink.finish(
        &failure
            .as_ref()
            .map_or_else(|| "exited with code 0".to_owned(), Failure::to_string),
        started.elapsed(),
    );
    drop(sink);
    JobRun {
        result: job_result(job, cx, code, failure.as_ref(), started),
        interrupted: failure == Some(Failure::Interrupted),
        failure,
        tail,
    }
}

/// The program a job's command starts: its argv's first word, or the shell.
fn program(job: &Job) -> std::ffi::OsString {
    command(job).as_std().get_program().to_owned()
}

fn command(job: &Job) -> tokio::process::Command {
    match &job.command {
        JobCommand::Shell(line) => sys::shell_command(line),
        JobCommand::Argv(argv) => {
            let mut cmd = tokio::process::Command::new(&argv[0]);
            cmd.args(&argv[1..]);
            cmd
        }
    }
}

/// Asks the tree to stop, then kills it if it has not within [`TERM_GRACE`] — or at
/// once, when the stop signal is (or becomes) [`Stop::Now`].
async fn stop_tree(
    child: &mut RunningJob<'_>,
    stop: &mut watch::Receiver<Stop>,
) -> std::io::Result<ExitStatus> {
    if *stop.borrow() == Stop::Now {
        child.kill();
        return child.wait().await;
    }
    child.terminate();
    tokio::select! {
        exit = child.wait() => return exit,
        _ = tokio::time::sleep(TERM_GRACE) => {}
        _ = stop.wait_for(|s| *s == Stop::Now) => {}
    }
    child.kill();
    child.wait().await
}

/// Why a job that ended by itself failed; `None` when it succeeded.
fn judge(job: &Job, exit: std::io::Result<ExitStatus>) -> Option<Failure> {
    let status = match exit {
        Ok(status) if status.success() => return None,
        Ok(status) => status,
        Err(e) => return Some(Failure::Unwaited(e.to_string())),
    };
    Some(match (status.code(), sys::exit_signal(&status)) {
        (Some(code), _)
            if code == sys::SHELL_NOT_FOUND && matches!(job.command, JobCommand::Shell(_)) =>
        {
            Failure::NotFound(code)
        }
        (Some(code), _) => Failure::Exited(code),
        (None, Some(sig)) => Failure::Signalled(sig),
        (None, None) => Failure::Abnormal(status.to_string()),
    })
}

/// The record of a job that ran (or could not start).
fn job_result(
    job: &Job,
    cx: &JobContext<'_>,
    exit_code: Option<i32>,
    failure: Option<&Failure>,
    started: Instant,
) -> JobResult {
    JobResult {
        name: job.name.clone(),
        status: if failure.is_some() {
            Outcome::Error
        } else {
            Outcome::Success
        },
        exit_code,
        duration_ms: Some(started.elapsed().as_millis() as u64),
        reason: failure.map(Failure::to_string),
        log: cx.log.is_some().then(|| cx.log_shown.clone()),
        attempts: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// Copies a pipe into the log in fixed-size chunks: memory stays flat whatever the job
/// prints.
async fn copy(mut pipe: impl AsyncRead + Unpin, log: Arc<Mutex<LogSink>>, stream: Stream) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => log.lock().unwrap().write(stream, &buf[..n]),
        }
    }
}

/// A job's log file, capped at [`LOG_CAP_BYTES`], and the tails of its two streams.
struct LogSink {
    file: Option<File>,
    written: u64,
    dropped: u64,
    out_tail: Vec<u8>,
    err_tail: Vec<u8>,
}

impl LogSink {
    /// Starts the job's part of the run log with a header line.
    fn start(run_log: Option<&File>, job: &Job, attempt: Option<(u32, u32)>) -> LogSink {
        let mut file = run_log.and_then(|f| {
            f.try_clone()
                .inspect_err(|e| tracing::warn!("cannot write the job's log: {e}"))
                .ok()
        });
        if let Some(f) = file.as_mut() {
            let command = match &job.command {
                JobCommand::Shell(line) => line.clone(),
                JobCommand::Argv(argv) => format!("{argv:?}"),
            };
            let attempt = attempt.map_or(String::new(), |(n, of)| format!(" (try {n}/{of})"));
            // One `write` (a `File` is not buffered: `writeln!` on it writes each piece).
            let header = format!("── job {:?}{attempt}: {command}\n", job.name);
            let _ = f.write_all(header.as_bytes());
        }
        LogSink {
            file,
            written: 0,
            dropped: 0,
            out_tail: Vec::new(),
            err_tail: Vec::new(),
        }
    }

    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        let tail = match stream {
            Stream::Out => &mut self.out_tail,
            Stream::Err => &mut self.err_tail,
        };
        keep_tail(tail, bytes);
        let room = LOG_CAP_BYTES.saturating_sub(self.written);
        let take = (bytes.len() as u64).min(room) as usize;
        if let Some(file) = self.file.as_mut()
            && take > 0
            && file.write_all(&bytes[..take]).is_err()
        {
            self.file = None;
        }
        self.written += take as u64;
        self.dropped += (bytes.len() - take) as u64;
    }

    fn tail(&self) -> String {
        let tail = if self.err_tail.iter().any(|b| !b.is_ascii_whitespace()) {
            &self.err_tail
        } else {
            &self.out_tail
        };
        status::last_chars(
            String::from_utf8_lossy(tail).trim(),
            status::ERROR_TAIL_CHARS,
        )
    }

    fn finish(&mut self, how: &str, took: Duration) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let mut footer = String::new();
        if self.dropped > 0 {
            let _ = write!(
                footer,
                "\n[synctray: log capped at {LOG_CAP_BYTES} bytes; {} more bytes of output were dropped]",
                self.dropped
            );
        }
        let _ = write!(footer, "\n# {how} after {:.1} s\n", took.as_secs_f64());
        let _ = file.write_all(footer.as_bytes());
    }
}

fn keep_tail(tail: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() >= TAIL_BYTES {
        tail.clear();
        tail.extend_from_slice(&bytes[bytes.len() - TAIL_BYTES..]);
    } else {
        tail.extend_from_slice(bytes);
        if tail.len() > TAIL_BYTES {
            tail.drain(..tail.len() - TAIL_BYTES);
        }
    }
}
