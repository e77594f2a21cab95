//! Health pings (`ping`): the healthchecks.io protocol, which Healthchecks, its
//! self-hosted copies and Cronitor-compatible monitors accept. At a run's start
//! `GET <url>/start?rid=<run id>`; at its end `GET <url>?rid=…` on success, or
//! `POST <url>/fail?rid=…` with the failure summary (at most [`BODY_LIMIT`] bytes) as the
//! body. The run id (a UUID) pairs the start with its end.
//!
//! A ping never changes a run's result and never delays it: the requests go to one worker
//! thread per workspace, started at the first ping, which sends them in order, each with a
//! [`TIMEOUT`] and up to [`TRIES`] tries with a backoff; no connection is kept between
//! requests, and nothing is sent while idle. A failing monitor is logged once per
//! incident (and its return once). When the [`Pinger`] is dropped (the daemon stops,
//! `synctray sync` ends) it gives what is still queued at most [`FLUSH_WITHIN`], then
//! leaves it.

use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Duration;

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

/// Requests queued and not yet done, and a condition that says when that changes.
type Pending = Arc<(Mutex<usize>, Condvar)>;

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
        let (tx, pending) = worker.get_or_insert_with(start_worker);
        *pending.0.lock().unwrap() += 1;
        if let Err(mpsc::SendError(request)) = tx.send(request) {
            tracing::warn!("health ping not sent (its worker is gone): {}", request.url);
            *pending.0.lock().unwrap() -= 1;
        }
    }

    /// Waits until every queued ping is done, at most `within`; whether they all were.
    pub fn flush(&self, within: Duration) -> bool {
        let Some(pending) = self.worker.lock().unwrap().as_ref().map(|w| w.1.clone()) else {
            return true;
        };
        let (count, done) = &*pending;
        let (left, _) = done
            .wait_timeout_while(count.lock().unwrap(), within, |n| *n > 0)
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
    fn drop(&mut self) {
        self.flush(FLUSH_WITHIN);
    }
}

fn start_worker() -> (mpsc::Sender<Request>, Pending) {
    let (tx, rx) = mpsc::channel::<Request>();
    let pending: Pending = Arc::new((Mutex::new(0), Condvar::new()));
    let theirs = Arc::clone(&pending);
    let spawned = std::thread::Builder::new()
        .name("synctray-ping".into())
        .spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .max_idle_connections(0)
                .tls_config(
                    ureq::tls::TlsConfig::builder()
                        .provider(crate::sys::tls_provider())
                        .build(),
                )
                .build()
                .into();
            let mut failing = false;
            for request in rx {
                match send_tried(&agent, &request) {
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
                let (count, done) = &*theirs;
                *count.lock().unwrap() -= 1;
                done.notify_all();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the health-ping thread: {e}");
    }
    (tx, pending)
}

/// One request, tried up to [`TRIES`] times.
fn send_tried(agent: &ureq::Agent, request: &Request) -> Result<(), ureq::Error> {
    let mut delay = BACKOFF;
    let mut tries = 1;
    loop {
        let sent = match &request.body {
            None => agent.get(&request.url).call().map(drop),
            Some(body) => agent
                .post(&request.url)
                .content_type("text/plain; charset=utf-8")
                .send(body.as_bytes())
                .map(drop),
        };
        match sent {
            Ok(()) => return Ok(()),
            Err(e) if tries >= TRIES => return Err(e),
            Err(e) => tracing::debug!("health ping: {}: {e}; trying again", request.url),
        }
        std::thread::sleep(delay);
        delay *= 2;
        tries += 1;
    }
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
