//! A command (`"type": "command"`): the program run with the [`Event`] object as JSON on
//! its standard input and `SYNCTRAY_EVENT`, `SYNCTRAY_WORKSPACE`, `SYNCTRAY_JOB` and
//! `SYNCTRAY_REASON` in its environment (empty when the event has none), from the
//! workspace folder. It has [`TIMEOUT`]; then, or when the process stops, its whole
//! process tree is stopped as a job's is (SIGTERM, then SIGKILL after [`KILL_AFTER`]).
//! What it writes is logged. A command that exits with a code other than 0 is tried
//! again (up to [`crate::curl::TRIES`] times, with the same backoff as the HTTP channels);
//! one that could not start or ran out of time is not.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Context, Deliver, Event};
use crate::curl::{BACKOFF, TRIES};
use crate::outbox::Abandon;

/// How long the command may run.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a command asked to stop has before it is killed.
pub const KILL_AFTER: Duration = Duration::from_secs(2);
/// At most this many bytes of its output are logged.
const OUTPUT_LOGGED: usize = 4096;

/// A command.
#[derive(Debug)]
pub struct Command {
    pub argv: Vec<String>,
    /// [`TIMEOUT`] (shorter in tests).
    pub timeout: Duration,
}

/// How one run of the command ended.
enum Ended {
    Ok,
    /// It failed by itself (a code other than 0): worth another try.
    Failed(String),
    /// It could not start, ran out of time or was given up: final.
    Final(String),
}

impl Deliver for Command {
    fn deliver(&self, event: &Event, cx: &Context, abandon: &Abandon) -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the command: {e}"))?;
        let mut delay = BACKOFF;
        let mut tries = 1;
        loop {
            match runtime.block_on(self.run_once(event, cx, abandon)) {
                Ended::Ok => return Ok(()),
                Ended::Failed(e) if tries < TRIES && !abandon.is_stopping() => {
                    tracing::debug!("{}: {e}; trying again", cx.label);
                }
                Ended::Failed(e) | Ended::Final(e) => return Err(e),
            }
            if !abandon.sleep(delay) {
                return Err("given up at the stop".to_owned());
            }
            delay *= 2;
            tries += 1;
        }
    }
}

impl Command {
    async fn run_once(&self, event: &Event, cx: &Context, abandon: &Abandon) -> Ended {
        let mut cmd = tokio::process::Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..])
            .current_dir(&cx.root)
            .env("SYNCTRAY_EVENT", event.event)
            .env("SYNCTRAY_WORKSPACE", &event.workspace)
            .env("SYNCTRAY_JOB", event.job.as_deref().unwrap_or(""))
            .env("SYNCTRAY_REASON", event.reason.as_deref().unwrap_or(""))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut process = match crate::sys::spawn_helper(cmd) {
            Ok(process) => process,
            Err(e) => return Ended::Final(format!("could not start \"{}\": {e}", self.argv[0])),
        };
        let json = serde_json::to_vec(event).expect("an event serialises");
        let stdin = process.child.stdin.take();
        let feed = async move {
            if let Some(mut stdin) = stdin {
                // A command that does not read its input is no failure.
                let _ = stdin.write_all(&json).await;
            }
        };
        let mut out = process.child.stdout.take();
        let mut err = process.child.stderr.take();
        let read = async move {
            let mut text = Vec::new();
            let mut buf = Vec::new();
            if let Some(out) = out.as_mut() {
                let _ = out.read_to_end(&mut text).await;
            }
            if let Some(err) = err.as_mut() {
                let _ = err.read_to_end(&mut buf).await;
            }
            text.extend(buf);
            text
        };
        let given_up = async {
            while !abandon.is_set() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let waited = async {
            let (_, output, status) = tokio::join!(feed, read, process.child.wait());
            (output, status)
        };
        let ended = tokio::select! {
            (output, status) = waited => Some((output, status)),
            () = tokio::time::sleep(self.timeout) => None,
            () = given_up => None,
        };
        let Some((output, status)) = ended else {
            // Its tree, not just the program: a shell's children go too.
            process.terminate();
            if tokio::time::timeout(
                KILL_AFTER.min(if abandon.is_set() {
                    Duration::from_millis(100)
                } else {
                    KILL_AFTER
                }),
                process.child.wait(),
            )
            .await
            .is_err()
            {
                process.kill();
                let _ = process.child.wait().await;
            }
            drop(process);
            return Ended::Final(if abandon.is_set() {
                "given up at the stop: its processes were stopped".to_owned()
            } else {
                format!(
                    "did not end within {} s: its processes were stopped",
                    self.timeout.as_secs_f64()
                )
            });
        };
        // What it left behind goes with its tree.
        drop(process);
        let text = String::from_utf8_lossy(&output[..output.len().min(OUTPUT_LOGGED)]);
        let text = text.trim_end();
        if !text.is_empty() {
            tracing::info!("{} said: {text}", cx.label);
        }
        match status {
            Ok(status) if status.success() => Ended::Ok,
            Ok(status) => Ended::Failed(format!("the command ended: {status}")),
            Err(e) => Ended::Final(format!("the command could not be waited for: {e}")),
        }
    }
}
