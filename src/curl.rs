//! HTTP requests made by the system's `curl` (on the PATH of Linux, macOS and Windows 10
//! and later), for the health pings and the alert channels: it brings the system's trust
//! store (a self-hosted server behind a company CA works), the proxy settings of the
//! environment, and costs synctray no HTTP or TLS code — an idle daemon maps none. The
//! whole request — the URL (whose path may be a secret: a check's UUID, a Slack hook), the
//! headers (a token) and the body — reaches curl as a config file on its standard input
//! (`--config -`), never on its command line, which other users can read.
//!
//! A request is made on an [`Outbox`](crate::outbox::Outbox)'s thread: up to [`TRIES`]
//! tries, each within [`TIMEOUT`], with a backoff between them; the curl in flight is
//! killed when the deliveries are given up.

use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::outbox::{Abandon, POLL};

/// How long one try may take, all in all.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Tries per request.
pub const TRIES: u32 = 3;
/// The wait before the second try; it doubles before each later one.
pub const BACKOFF: Duration = Duration::from_secs(1);

/// The program that makes the requests.
const CURL: &str = "curl";

/// One request: a GET without a body, else a POST of the body.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    /// `Name: value` lines; they may hold secrets, and are never shown.
    pub headers: Vec<String>,
    /// The body and its content type.
    pub body: Option<(String, String)>,
}

impl std::fmt::Debug for Request {
    /// Without the headers' values (a token) or the body.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .headers
            .iter()
            .map(|h| h.split(':').next().unwrap_or(""))
            .collect();
        f.debug_struct("Request")
            .field("url", &self.url)
            .field("headers", &names)
            .field("body", &self.body.as_ref().map(|(_, b)| b.len()))
            .finish()
    }
}

impl Request {
    pub fn get(url: String) -> Request {
        Request {
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn post(url: String, content_type: &str, body: String) -> Request {
        Request {
            url,
            headers: Vec::new(),
            body: Some((content_type.to_owned(), body)),
        }
    }
}

/// `request`, tried up to [`TRIES`] times with a backoff (no other try once the process
/// stops); `what` names it in the debug log of each failed try.
pub fn send_tried(request: &Request, what: &str, abandon: &Abandon) -> Result<(), String> {
    let mut delay = BACKOFF;
    let mut tries = 1;
    loop {
        match send_once(request, abandon) {
            Ok(()) => return Ok(()),
            Err(e) if tries >= TRIES || abandon.is_stopping() => return Err(e),
            Err(e) => tracing::debug!("{what}: {e}; trying again"),
        }
        if !abandon.sleep(delay) {
            return Err("given up at the stop".to_owned());
        }
        delay *= 2;
        tries += 1;
    }
}

/// One try: a curl that reads the request from its standard input (see `config`),
/// waited for at most [`TIMEOUT`] (curl's own limit, and ours), and killed when the
/// deliveries are given up.
pub fn send_once(request: &Request, abandon: &Abandon) -> Result<(), String> {
    let mut child = crate::sys::helper_command(CURL)
        // `-q` first: no ~/.curlrc; the rest of the request comes from standard input.
        .args(["-q", "--config", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{CURL} is not installed (synctray makes its HTTP requests with curl)")
            }
            _ => format!("cannot run {CURL}: {e}"),
        })?;
    let text = config(request);
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes());
    let ended = wait_within(&mut child, TIMEOUT + Duration::from_secs(1), abandon);
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
        None if abandon.is_set() => Err("given up at the stop".to_owned()),
        None if written.is_err() => Err(format!("cannot give {CURL} the request")),
        None => Err(format!("{CURL} did not end within {} s", TIMEOUT.as_secs())),
    }
}

/// Waits for `child` at most `limit`, looking every [`POLL`] (a request is in flight only
/// for its length); kills and reaps it when the time is up or the deliveries are given
/// up. Its exit status, or `None` when it was killed.
fn wait_within(
    child: &mut Child,
    limit: Duration,
    abandon: &Abandon,
) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until && !abandon.is_set() => {
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

/// The request as a curl config file (`--config -`): the URL, the headers, the body.
/// `data-raw`, not `data`: a body that begins with `@` is text, not a file for curl to
/// upload. `--fail` makes a 4xx or 5xx answer a failure; only http and https are spoken,
/// redirects included.
fn config(request: &Request) -> String {
    let mut config = format!(
        "silent\nshow-error\nfail\nproto = \"=http,https\"\nmax-time = {}\nurl = {}\n",
        TIMEOUT.as_secs(),
        quoted(&request.url)
    );
    for header in &request.headers {
        config.push_str(&format!("header = {}\n", quoted(header)));
    }
    if let Some((content_type, body)) = &request.body {
        config.push_str(&format!(
            "header = {}\n",
            quoted(&format!("Content-Type: {content_type}"))
        ));
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
    fn headers_and_body_go_into_the_config_quoted() {
        let mut request = Request::post(
            "https://ntfy.example/t".into(),
            "text/plain; charset=utf-8",
            "line \"one\"\nline two".into(),
        );
        request.headers.push("Authorization: Bearer s3cr\"t".into());
        let text = config(&request);
        assert!(
            text.contains("url = \"https://ntfy.example/t\"\n"),
            "{text}"
        );
        assert!(
            text.contains("header = \"Authorization: Bearer s3cr\\\"t\"\n"),
            "{text}"
        );
        assert!(
            text.contains("data-raw = \"line \\\"one\\\"\\nline two\"\n"),
            "{text}"
        );
        let shown = format!("{request:?}");
        assert!(!shown.contains("s3cr"), "{shown}");
    }
}
