//! Health pings (`ping`): the healthchecks.io protocol, which Healthchecks, its
//! self-hosted copies and Cronitor-compatible monitors accept. At a run's start
//! `GET <url>/start?rid=<run id>`; at its end `GET <url>?rid=…` on success, or
//! `POST <url>/fail?rid=…` with the failure summary (at most [`BODY_LIMIT`] bytes) as the
//! body. The run id (a UUID) pairs the start with its end.
//!
//! The requests are made by the system's `curl`, the URL (whose path is the check's
//! secret) and the body on its standard input (see [`crate::curl`]), as the monitors' own
//! docs do from cron.
//!
//! A ping never changes a run's result and never delays it: the requests go to one worker
//! thread per workspace ([`crate::outbox`]), started at the first ping, which sends them in
//! order, each with a [`TIMEOUT`] and up to [`TRIES`] tries with a backoff; no connection is
//! kept between requests, and nothing is sent while idle. A failing monitor is logged once
//! per incident (and its return once). When the process stops (the daemon, the end of
//! `synctray sync`) what is still queued gets at most [`FLUSH_WITHIN`], then is given up:
//! the curl in flight is killed, so none outlives synctray.
//!
//! The [`Pinger`] is an [`Observer`] of the runs: the start at a run's start, the success
//! or the failure at its end, under its lock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::config::Ping;
use crate::curl;
pub use crate::curl::{BACKOFF, TIMEOUT, TRIES};
use crate::observe::{Observer, RunEnd, RunStart};
use crate::outbox::Outbox;

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

/// The sender of a workspace's pings.
#[derive(Debug)]
pub struct Pinger {
    outbox: Outbox,
    /// Whether the monitor failed last (told once until it answers again).
    failing: Arc<AtomicBool>,
}

impl Default for Pinger {
    fn default() -> Pinger {
        Pinger {
            outbox: Outbox::new("synctray-ping"),
            failing: Arc::default(),
        }
    }
}

impl Pinger {
    /// Queues `signal` for the run `run_id`; returns at once.
    pub fn send(&self, ping: &Ping, run_id: &str, signal: Signal) {
        let request = Request::new(ping, run_id, signal);
        let failing = Arc::clone(&self.failing);
        let url = request.url.clone();
        let sent = self.outbox.send(Box::new(move |abandon| {
            let request = match request.body {
                None => curl::Request::get(request.url),
                Some(body) => curl::Request::post(request.url, "text/plain; charset=utf-8", body),
            };
            match curl::send_tried(&request, "health ping", abandon) {
                Ok(()) => {
                    if failing.swap(false, Ordering::SeqCst) {
                        tracing::info!("the health monitor answers again");
                    }
                }
                Err(e) if !failing.swap(true, Ordering::SeqCst) => tracing::warn!(
                    "health ping failed after {TRIES} tries: {}: {e} (told once until it answers again)",
                    request.url
                ),
                Err(e) => tracing::debug!("health ping failed: {}: {e}", request.url),
            }
        }));
        if !sent {
            tracing::warn!("health ping not sent (its worker is gone): {url}");
        }
    }

    /// Gives the queued pings until `deadline`, then gives them up.
    pub fn finish(&self, deadline: Instant) {
        let left = self.outbox.finish(deadline);
        if left > 0 {
            tracing::warn!(
                "{left} health ping(s) not sent: the monitor did not answer within {} s of the stop",
                FLUSH_WITHIN.as_secs()
            );
        }
    }
}

impl Drop for Pinger {
    /// Gives the queued pings [`FLUSH_WITHIN`], then gives them up.
    fn drop(&mut self) {
        self.finish(Instant::now() + FLUSH_WITHIN);
    }
}

impl Observer for Pinger {
    fn run_started(&self, run: &RunStart<'_>) {
        if let Some(ping) = &run.config.ping {
            self.send(ping, run.run_id, Signal::Start);
        }
    }

    fn run_ended(&self, run: &mut RunEnd<'_>) {
        if let Some(ping) = &run.config.ping {
            let signal = match &run.record.error {
                None => Signal::Success,
                Some(e) => Signal::Fail(e.clone()),
            };
            self.send(ping, run.run_id, signal);
        }
    }

    fn stop(&self, deadline: Instant) {
        self.finish(deadline);
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
