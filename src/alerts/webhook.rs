//! A webhook (`"type": "webhook"`): a POST of the event as JSON — the [`Event`] object
//! itself (`json`), `{"text": …}` for a Slack incoming webhook (`slack`), or
//! `{"content": …}` for a Discord webhook (`discord`, at most 2,000 characters as Discord
//! requires) — with the headers `headersFromEnv` names, their values read from the
//! environment when the message is sent.

use super::{Context, Deliver, Event, send_http};
use crate::config::alerts::{Format, Secret};
use crate::curl::Request;
use crate::outbox::Abandon;

/// The longest `content` Discord accepts.
pub const DISCORD_MAX: usize = 2000;

/// A webhook.
#[derive(Debug)]
pub struct Webhook {
    pub url: String,
    pub format: Format,
    pub headers_from_env: Vec<(String, String)>,
}

impl Webhook {
    /// The request for `event`; `Err` when a header's variable is not set.
    pub fn request(&self, event: &Event, cx: &Context) -> Result<Request, String> {
        let mut request = Request::post(
            self.url.clone(),
            "application/json",
            body(self.format, event),
        );
        for (header, var) in &self.headers_from_env {
            let value = Secret::Env(var.clone()).read(&cx.root)?;
            request.headers.push(format!("{header}: {value}"));
        }
        Ok(request)
    }
}

/// The body `format` posts.
pub fn body(format: Format, event: &Event) -> String {
    let value = match format {
        Format::Json => serde_json::to_value(event).expect("an event serialises"),
        Format::Slack => serde_json::json!({ "text": event.chat_text(("*", "*")) }),
        Format::Discord => {
            let text = event.chat_text(("**", "**"));
            let text: String = if text.chars().count() > DISCORD_MAX {
                let mut cut: String = text.chars().take(DISCORD_MAX - 1).collect();
                cut.push('…');
                cut
            } else {
                text
            };
            serde_json::json!({ "content": text })
        }
    };
    value.to_string()
}

impl Deliver for Webhook {
    fn deliver(&self, event: &Event, cx: &Context, abandon: &Abandon) -> Result<(), String> {
        send_http(&self.request(event, cx)?, cx, abandon)
    }
}
