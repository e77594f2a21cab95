//! ntfy (`"type": "ntfy"`): a POST of the message to the topic's URL, with its title,
//! priority (`high` for a failure, a problem or stale data, `default` otherwise) and tags
//! in ntfy's headers, and `Authorization: Bearer <token>` when a token is given (read
//! from `tokenFile` or `tokenEnv` when the message is sent). A title that is not ASCII
//! is sent RFC 2047-encoded, which ntfy decodes.

use super::{Context, Deliver, Event, send_http};
use crate::config::alerts::Secret;
use crate::curl::Request;
use crate::outbox::Abandon;

/// An ntfy topic.
#[derive(Debug)]
pub struct Ntfy {
    pub url: String,
    pub token: Option<Secret>,
}

impl Ntfy {
    /// The request for `event`; `Err` when the token cannot be read.
    pub fn request(&self, event: &Event, cx: &Context) -> Result<Request, String> {
        let mut request = Request::post(
            self.url.clone(),
            "text/plain; charset=utf-8",
            event.message.clone(),
        );
        request
            .headers
            .push(format!("Title: {}", header_text(&event.title)));
        let priority = if event.is_alarm() { "high" } else { "default" };
        request.headers.push(format!("Priority: {priority}"));
        request
            .headers
            .push(format!("Tags: {},{}", tag(event.event), event.event));
        if let Some(token) = &self.token {
            let token = token.read(&cx.root)?;
            request
                .headers
                .push(format!("Authorization: Bearer {token}"));
        }
        Ok(request)
    }
}

impl Deliver for Ntfy {
    fn deliver(&self, event: &Event, cx: &Context, abandon: &Abandon) -> Result<(), String> {
        send_http(&self.request(event, cx)?, cx, abandon)
    }
}

/// The emoji ntfy shows for the event (its tag names one).
fn tag(event: &str) -> &'static str {
    match event {
        "failure" => "rotating_light",
        "problem" => "no_entry",
        "stale" => "hourglass",
        "recovery" | "success" => "white_check_mark",
        _ => "bell",
    }
}

/// `text` as a header's value: as it is when ASCII, else RFC 2047 (`=?UTF-8?B?…?=`); line
/// breaks become spaces.
pub fn header_text(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    if text.is_ascii() {
        return text;
    }
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_that_is_not_ascii_is_encoded() {
        assert_eq!(header_text("Sync failed: quality"), "Sync failed: quality");
        assert_eq!(header_text("a\nb"), "a b");
        assert_eq!(header_text("é"), "=?UTF-8?B?w6k=?=");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }
}
