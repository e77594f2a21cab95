//! Health pings (`ping`): the healthchecks.io protocol, which Healthchecks, its
//! self-hosted copies and Cronitor-compatible monitors accept. At a run's start
//! `GET <url>/start?rid=<run id>`; at its end `GET <url>?rid=…` on success, or
//! `POST <url>/fail?rid=…` with the failure summary (at most [`BODY_LIMIT`] bytes) as the
//! body. The run id (a UUID) pairs the start with its end.
//!
//! The requests are made by the system's `curl` (on the PATH of Linux, macOS and Windows
//! 10 and later), as the monitors' own docs do from cron: it brings the system's trust
//! store (a self-hosted monitor behind a company CA works), the proxy settings of the
//! environment, and costs synctray no HTTP or TLS code — an idle daemon maps none. The URL
//! (whose path is the check's secret) and the body reach curl on its standard input, never
//! on its command line, which other users can read.
//!
//! A ping never changes a run's result and never delays it: the requests go to one worker
//! thread per workspace, started at the first ping, which sends them in order, each with a
//! [`TIMEOUT`] and up to [`TRIES`] tries with a backoff; no connection is kept between
//! requests, and nothing is sent while idle. A failing monitor is logged once per
//! incident (and its return once). When the [`Pinger`] is dropped (the daemon stops,
//! `synctray sync` ends) it gives what is still queued at most [`FLUSH_WITHIN`], then
//! gives it up: the curl in flight is killed, so none outlives synctray.

use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::config::Ping;

/// How long one request may take, all in all.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Tries per ping.
pub const TRIES: u32 = 3;
/// The wait before the second try; it doubles before each later one.
pub const BACKOFF: Duration = Duration::from_secs(1);
/// The failure summary is cut to this many bytes.
pub const BODY_LIMIT: usize = 10 * 1024;
/// How long a stop (or the end of `synctray sync`) waits for queued pings.
pub const FLUSH_WITHIN: Duration = Duration::from_secs(2);

/// What a ping says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    Start,
    Success,
    /// The run failed: its summary.
    Fail(String),
}

/// One request to make.
#[derive(Debug)]
struct Request {
    url: String,
    body: Option<String>,
}

impl Request {
    fn new(ping: &Ping, run_id: &str, signal: Signal) -> Request {
        let (path, body) = match signal {
            Signal::Start => ("/start", None),
            Signal::Success => ("", None),
            Signal::Fail(summary) => ("/fail", Some(cut(summary, BODY_LIMIT))),
        };
        Request {
            url: format!("{}{path}?rid={run_id}", ping.url),
            body,
        }
    }
}

/// `text`, at most `limit` bytes of it, cut at a character's boundary.
fn cut(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// A fresh run id: a random (version 4) UUID.
pub fn run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = [0u8; 16];
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    for (i, half) in bytes.chunks_mut(8).enumerate() {
        // Each RandomState has keys of its own, drawn from the system's randomness.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_usize(i);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// What the worker and the [`Pinger`] share: the requests queued and not yet done, a
/// condition that says when that changes, and whether the pinger has given them up.
#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<usize>,
    changed: Condvar,
    abandoned: AtomicBool,
}

type Pending = Arc<Shared>;

/// How often the worker looks whether the curl in flight has ended (only while one runs).
const POLL: Duration = Duration::from_millis(5);

/// The sender of a workspace's pings.
#[derive(Debug, Default)]
pub struct Pinger {
    worker: Mutex<Option<(mpsc::Sender<Request>, Pending)>>,
}

impl Pinger {
    /// Queues `signal` for the run `run_id`; returns at once.
    pub fn send(&self, ping: &Ping, run_id: &str, signal: Signal) {
        let request = Request::new(ping, run_id, signal);
        let mut worker = self.worker.lock().unwrap();
        let (tx, shared) = worker.get_or_insert_with(start_worker);
        *shared.pending.lock().unwrap() += 1;
        if let Err(mpsc::SendError(request)) = tx.send(request) {
            tracing::warn!("health ping not sent (its worker is gone): {}", request.url);
            *shared.pending.lock().unwrap() -= 1;
        }
    }

    /// Waits until every queued ping is done, at most `within`; whether they all were.
    pub fn flush(&self, within: Duration) -> bool {
        let Some(shared) = self.worker.lock().unwrap().as_ref().map(|w| w.1.clone()) else {
            return true;
        };
        let (left, _) = shared
            .changed
            .wait_timeout_while(shared.pending.lock().unwrap(), within, |n| *n > 0)
            .unwrap();
        if *left > 0 {
            tracing::warn!(
                "{} health ping(s) not sent: the monitor did not answer within {} s of the stop",
                *left,
                within.as_secs()
            );
        }
        *left == 0
    }
}

impl Drop for Pinger {
    /// Gives the queued pings [`FLUSH_WITHIN`], then gives them up: the worker kills the
    /// curl in flight, and this waits (briefly) until it has.
    fn drop(&mut self) {
        if self.flush(FLUSH_WITHIN) {
            return;
        }
        let Some((tx, shared)) = self.worker.lock().unwrap().take() else {
            return;
        };
        shared.abandoned.store(true, Ordering::SeqCst);
        drop(tx);
        let _ = shared
            .changed
            .wait_timeout_while(shared.pending.lock().unwrap(), POLL * 20, |n| *n > 0)
            .unwrap();
    }
}

fn start_worker() -> (mpsc::Sender<Request>, Pending) {
    let (tx, rx) = mpsc::channel::<Request>();
    let shared: Pending = Arc::default();
    let theirs = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("synctray-ping".into())
        .spawn(move || {
            let mut failing = false;
            for request in rx {
                match send_tried(&request, &theirs.abandoned) {
                    Ok(()) if failing => {
                        failing = false;
                        tracing::info!("the health monitor answers again");
                    }
                    Ok(()) => {}
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(
                            "health ping failed after {TRIES} tries: {}: {e} (told once until it answers again)",
                            request.url
                        );
                    }
                    Err(e) => tracing::debug!("health ping failed: {}: {e}", request.url),
                }
                // Given up: what is queued is dropped, uncounted.
                let mut pending = theirs.pending.lock().unwrap();
                *pending = if theirs.abandoned.load(Ordering::SeqCst) {
                    0
                } else {
                    *pending - 1
                };
                theirs.changed.notify_all();
                if *pending == 0 && theirs.abandoned.load(Ordering::SeqCst) {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the health-ping thread: {e}");
    }
    (tx, shared)
}

/// One request, tried up to [`TRIES`] times (not once given up).
fn send_tried(request: &Request, abandoned: &AtomicBool) -> Result<(), String> {
    let mut delay = BACKOFF;
    let mut tries = 1;
    loop {
        let sent = send_once(request, abandoned);
        match sent {
            Ok(()) => return Ok(()),
            Err(e) if tries >= TRIES || abandoned.load(Ordering::SeqCst) => return Err(e),
            Err(e) => tracing::debug!("health ping: {}: {e}; trying again", request.url),
        }
        std::thread::sleep(delay);
        delay *= 2;
        tries += 1;
    }
}

/// One try: a curl that reads the request from its standard input (see [`curl_config`]),
/// waited for at most [`TIMEOUT`] (curl's own limit, and ours), and killed when the
/// pinger gives the pings up.
fn send_once(request: &Request, abandoned: &AtomicBool) -> Result<(), String> {
    let mut child = crate::sys::helper_command(CURL)
        // `-q` first: no ~/.curlrc; the rest of the request comes from standard input.
        .args(["-q", "--config", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{CURL} is not installed (health pings are sent with curl)")
            }
            _ => format!("cannot run {CURL}: {e}"),
        })?;
    let config = curl_config(request);
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(config.as_bytes());
    let ended = wait_within(&mut child, TIMEOUT + Duration::from_secs(1), abandoned);
    let mut said = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut said);
    }
    match ended {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(match said.trim() {
            "" => format!("{CURL} {status}"),
            said => said.trim_start_matches("curl: ").to_owned(),
        }),
        None if abandoned.load(Ordering::SeqCst) => Err("given up at the stop".to_owned()),
        None if written.is_err() => Err(format!("cannot give {CURL} the request")),
        None => Err(format!("{CURL} did not end within {} s", TIMEOUT.as_secs())),
    }
}

/// The program that makes the requests.
const CURL: &str = "curl";

/// Waits for `child` at most `limit`, looking every [`POLL`] (a ping is in flight only for
/// the length of a request); kills and reaps it when the time is up or the pings are given
/// up. Its exit status, or `None` when it was killed.
fn wait_within(
    child: &mut Child,
    limit: Duration,
    abandoned: &AtomicBool,
) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until && !abandoned.load(Ordering::SeqCst) => {
                std::thread::sleep(POLL);
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The request as a curl config file (`--config -`): the URL, and for a failure its
/// summary as the body. `data-raw`, not `data`: a body that begins with `@` is text, not a
/// file for curl to upload. `--fail` makes a 4xx or 5xx answer a failure.
fn curl_config(request: &Request) -> String {
    let mut config = format!(
        "silent\nshow-error\nfail\nproto = \"=http,https\"\nmax-time = {}\nurl = {}\n",
        TIMEOUT.as_secs(),
        quoted(&request.url)
    );
    if let Some(body) = &request.body {
        config.push_str("header = \"Content-Type: text/plain; charset=utf-8\"\n");
        config.push_str(&format!("data-raw = {}\n", quoted(body)));
    }
    config
}

/// `text` as a double-quoted string of a curl config file, whose escapes are `\\`, `\"`,
/// `\n`, `\r`, `\t` and `\v`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_follow_the_healthchecks_protocol() {
        let ping = Ping {
            url: "https://hc-ping.com/abc".into(),
        };
        let url = |s| Request::new(&ping, "r1", s).url;
        assert_eq!(url(Signal::Start), "https://hc-ping.com/abc/start?rid=r1");
        assert_eq!(url(Signal::Success), "https://hc-ping.com/abc?rid=r1");
        assert_eq!(
            url(Signal::Fail("x".into())),
            "https://hc-ping.com/abc/fail?rid=r1"
        );
        let long = "é".repeat(BODY_LIMIT);
        let body = Request::new(&ping, "r", Signal::Fail(long)).body.unwrap();
        assert!(body.len() <= BODY_LIMIT && body.len() > BODY_LIMIT - 2);
    }

    #[test]
    fn run_ids_are_distinct_v4_uuids() {
        let a = run_id();
        let b = run_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!("89ab".contains(&a[19..20]), "{a}");
    }
}
