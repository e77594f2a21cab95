//! The alert channels (`alerts`): ntfy, webhooks (JSON, Slack, Discord) and a command tell
//! a person away from the desk. [`Channels`] is an [`Observer`] of the runs and of the
//! workspace's changes; each channel has its own [`Alerts`], the desktop's state machine,
//! fed the same runs and changes and deciding with the channel's `on`: a channel gets
//! exactly the incidents the desktop gets (the first failure, a different one, the
//! recovery, data gone stale, a problem that stops runs and its end), never one a run.
//!
//! A message is an [`Event`], one JSON object (documented in the README) that the `json`
//! webhook posts and the command reads on its standard input; ntfy, Slack and Discord
//! get its words. Each channel sends on a worker thread of its own ([`Outbox`]): a
//! channel never delays a run, the next job or another channel; a message is tried up to
//! [`curl::TRIES`] times ([`curl::TIMEOUT`] each; a command has [`command::TIMEOUT`]), and
//! a channel that fails is logged once for that incident. At the end of the process what
//! is queued gets the engine's shared deadline (2 s), then is given up.
//!
//! One file a type of channel (`ntfy.rs`, `webhook.rs`, `command.rs`), each a
//! [`Deliver`]; [`deliverer`] is where a type is registered.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::alerts::Channel;
use crate::config::{Alert, Config};
use crate::curl;
use crate::notify::{Alerts, Note, Verdict};
use crate::observe::{Change, Observer, RunEnd};
use crate::outbox::{Abandon, Outbox};
use crate::status::RunRecord;
use crate::workspace::Workspace;

pub mod command;
pub mod ntfy;
pub mod webhook;

/// At most this many characters of a job's last lines go into a message.
pub const LAST_LINES_CHARS: usize = 4000;

/// What an alert says: the JSON object a `json` webhook posts and a command reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `failure`, `recovery`, `stale`, `problem`, `success`, or `test`.
    pub event: &'static str,
    /// The workspace's name.
    pub workspace: String,
    /// The failing job, when a job failed.
    pub job: Option<String>,
    /// Why: the failure's reason, the problem, how old the data is.
    pub reason: Option<String>,
    /// The failing job's last lines of output.
    pub last_lines: Option<String>,
    #[serde(serialize_with = "iso")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "iso")]
    pub finished_at: Option<DateTime<Utc>>,
    /// When the last successful run finished.
    #[serde(serialize_with = "iso")]
    pub last_success: Option<DateTime<Utc>>,
    /// The run's id (the health ping's `rid`), for a run's event.
    pub run_id: Option<String>,
    /// The machine's host name.
    pub host: String,
    /// The message's title, as the desktop says it in English: "Sync failed: quality".
    pub title: String,
    /// The message's body, as the desktop says it in English.
    pub message: String,
}

fn iso<S: serde::Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

impl Event {
    /// The event for `note` (an incident the state machine decided to tell) in `ws`, with
    /// the run it came from, if any.
    pub fn new(ws: &Workspace, note: &Note, run: Option<&RunEnd<'_>>) -> Option<Event> {
        // In English whatever the desktop's language: a channel's messages go to other
        // people and to machines (the JSON event), and machine-readable output never
        // changes with the locale.
        let (title, message) = crate::i18n::in_english(|| note.text());
        let mut event = Event {
            event: "",
            workspace: ws.name.clone(),
            job: None,
            reason: None,
            last_lines: None,
            started_at: run.and_then(|r| r.record.started_at),
            finished_at: run.map(|r| r.record.last_sync),
            last_success: run.and_then(|r| r.record.last_success()),
            run_id: run.map(|r| r.run_id.to_owned()),
            host: crate::sys::hostname(),
            title,
            message,
        };
        match note {
            Note::Failed(error) => {
                event.event = "failure";
                match &error.first {
                    Some(first) => {
                        event.job = Some(first.job.clone());
                        event.reason = Some(first.failure.to_string());
                        let tail = first.tail.trim_end();
                        if !tail.is_empty() {
                            event.last_lines = Some(last_chars(tail, LAST_LINES_CHARS));
                        }
                    }
                    None => event.reason = Some(error.to_string()),
                }
            }
            Note::Recovered { .. } => event.event = "recovery",
            Note::Problem(what) => {
                event.event = "problem";
                event.reason = Some(what.to_string());
            }
            Note::Overdue { age, last_success } => {
                event.event = "stale";
                event.reason = Some(format!(
                    "no sync has succeeded for {}",
                    crate::notify::age_words(*age)
                ));
                event.last_success = *last_success;
            }
            // The reminder while a failure is why the data is old.
            Note::StillFailing {
                job, reason, age, ..
            } => {
                event.event = "stale";
                event.job = job.clone();
                event.reason = Some(format!(
                    "{reason}; no sync has succeeded for {}",
                    crate::notify::age_words(*age)
                ));
            }
            Note::Succeeded { .. } => event.event = "success",
            // Not incidents: the desktop's alone.
            Note::ConfigError(_)
            | Note::NotStarted(_)
            | Note::AlreadyServed { .. }
            | Note::NoTray { .. }
            | Note::OpenFailed { .. }
            | Note::NotChanged { .. }
            | Note::ConfigWarning(_) => return None,
        }
        Some(event)
    }

    /// The message `synctray alerts test` sends.
    pub fn test(ws: &Workspace, last: Option<&RunRecord>) -> Event {
        Event {
            event: "test",
            workspace: ws.name.clone(),
            job: None,
            reason: None,
            last_lines: None,
            started_at: None,
            finished_at: None,
            last_success: last.and_then(RunRecord::last_success),
            run_id: None,
            host: crate::sys::hostname(),
            title: "synctray: test alert".into(),
            message: format!(
                "A test message from synctray for the workspace {} on {}.",
                ws.name,
                crate::sys::hostname()
            ),
        }
    }

    /// Whether it says something is wrong (ntfy's high priority).
    pub fn is_alarm(&self) -> bool {
        matches!(self.event, "failure" | "problem" | "stale")
    }

    /// The title and the message in one text, for the chats: "**title**\nmessage".
    pub fn chat_text(&self, bold: (&str, &str)) -> String {
        let mut text = format!("{}{}{}", bold.0, self.title, bold.1);
        if self.workspace != self.title {
            text.push_str(&format!(" ({} on {})", self.workspace, self.host));
        }
        if !self.message.is_empty() {
            text.push('\n');
            text.push_str(&self.message);
        }
        text
    }
}

/// The last `n` characters of `text`.
fn last_chars(text: &str, n: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(n)).collect()
}

/// What a channel's delivery knows besides the event.
#[derive(Debug, Clone)]
pub struct Context {
    /// The workspace folder (a relative `tokenFile` is from there).
    pub root: PathBuf,
    /// `alerts[N] (ntfy)`, as the log names the channel: never its URL, which may be a
    /// secret (a Slack hook).
    pub label: String,
}

/// Sends an event through one type of channel.
pub trait Deliver: Send + Sync {
    /// Sends `event`, with the tries the channel makes; why it did not, else. Called on
    /// the channel's worker thread; returns early once `abandon` is set.
    fn deliver(&self, event: &Event, cx: &Context, abandon: &Abandon) -> Result<(), String>;
}

/// The registration of the types of channel: the [`Deliver`] for `channel`.
pub fn deliverer(channel: &Channel) -> Arc<dyn Deliver> {
    match channel {
        Channel::Ntfy { url, token } => Arc::new(ntfy::Ntfy {
            url: url.clone(),
            token: token.clone(),
        }),
        Channel::Webhook {
            url,
            format,
            headers_from_env,
        } => Arc::new(webhook::Webhook {
            url: url.clone(),
            format: *format,
            headers_from_env: headers_from_env.clone(),
        }),
        Channel::Command { argv } => Arc::new(command::Command {
            argv: argv.clone(),
            timeout: command::TIMEOUT,
        }),
    }
}

/// How the log names a channel: its key and its type, and for HTTP its host (never the
/// whole URL: its path may be the secret).
pub fn label(alert: &Alert) -> String {
    let host = match &alert.channel {
        Channel::Ntfy { url, .. } | Channel::Webhook { url, .. } => url
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
            .map(|h| h.rsplit_once('@').map_or(h, |(_, h)| h))
            .map(|h| format!(" to {h}")),
        Channel::Command { argv } => Some(format!(" {}", argv[0])),
    };
    format!(
        "{} ({}{})",
        alert.key,
        alert.channel.kind(),
        host.unwrap_or_default()
    )
}

/// One configured channel: its incidents so far, and its worker.
struct Member {
    alert: Alert,
    alerts: Alerts,
    outbox: Arc<Outbox>,
    deliver: Arc<dyn Deliver>,
}

/// The workspace's alert channels, as an [`Observer`].
pub struct Channels {
    ws: Workspace,
    /// The last run recorded when the engine started: where a channel's incidents start.
    last: Option<RunRecord>,
    members: Mutex<Vec<Member>>,
}

impl Channels {
    pub fn new(ws: &Workspace) -> Channels {
        Channels {
            ws: ws.clone(),
            last: RunRecord::read(&ws.status_file),
            members: Mutex::new(Vec::new()),
        }
    }

    /// Lets each channel of `config` decide, and queues what it says. The channels follow
    /// the configuration: one whose settings stay keeps its incidents.
    fn each(
        &self,
        config: &Config,
        mut decide: impl FnMut(&Alert, &mut Alerts) -> Option<Verdict>,
        run: Option<&RunEnd<'_>>,
    ) {
        let mut members = self.members.lock().unwrap();
        let same = members.len() == config.alerts.len()
            && members
                .iter()
                .zip(&config.alerts)
                .all(|(m, a)| m.alert == *a);
        if !same {
            let mut old: Vec<Member> = std::mem::take(&mut *members);
            for alert in &config.alerts {
                let kept = old
                    .iter()
                    .position(|m| m.alert.channel == alert.channel && m.alert.on == alert.on);
                members.push(match kept {
                    Some(i) => {
                        let mut m = old.swap_remove(i);
                        m.alert.key.clone_from(&alert.key);
                        m
                    }
                    None => Member {
                        alert: alert.clone(),
                        alerts: Alerts::resume(self.last.as_ref()),
                        outbox: Arc::new(Outbox::new("synctray-alert")),
                        deliver: deliverer(&alert.channel),
                    },
                });
            }
            // A channel taken out of the file: its worker sends what it has queued, then
            // ends (each curl within its own 10 s).
            drop(old);
        }
        for member in members.iter_mut() {
            let Some(Verdict::Show(note)) = decide(&member.alert, &mut member.alerts) else {
                continue;
            };
            if let Some(event) = Event::new(&self.ws, &note, run) {
                queue(member, event, &self.ws.root);
            }
        }
    }
}

/// Queues `event` on `member`'s worker.
fn queue(member: &Member, event: Event, root: &Path) {
    let cx = Context {
        root: root.to_owned(),
        label: label(&member.alert),
    };
    let deliver = Arc::clone(&member.deliver);
    let what = event.event;
    let sent = member.outbox.send(Box::new(move |abandon| {
        match deliver.deliver(&event, &cx, abandon) {
            Ok(()) => tracing::info!("alert sent: {} ({what})", cx.label),
            // Once for the incident: each message is one.
            Err(e) => tracing::warn!("alert not sent: {} ({what}): {e}", cx.label),
        }
    }));
    if !sent {
        tracing::warn!(
            "alert not sent: {} ({what}): its worker is gone",
            label(&member.alert)
        );
    }
}

impl Observer for Channels {
    fn run_released(&self, run: &RunEnd<'_>) {
        self.each(
            run.config,
            |alert, alerts| alerts.after_run(run.previous, &run.record, &run.error, alert.on),
            Some(run),
        );
    }

    fn changed(&self, config: &Config, change: Change<'_>) {
        self.each(
            config,
            |alert, alerts| alerts.take_in(change, alert.on),
            None,
        );
    }

    fn stop(&self, deadline: Instant) {
        let members = self.members.lock().unwrap();
        for member in members.iter() {
            let left = member.outbox.finish(deadline);
            if left > 0 {
                tracing::warn!(
                    "{left} alert(s) not sent: {} did not answer before the stop",
                    label(&member.alert)
                );
            }
        }
    }
}

/// `synctray alerts test`: sends a test message through each of `config`'s channels, one
/// after the other with their tries, and says for each whether it went (`Err`: why not).
pub fn send_test(ws: &Workspace, config: &Config) -> Vec<(String, Result<(), String>)> {
    let event = Event::test(ws, RunRecord::read(&ws.status_file).as_ref());
    let abandon = Abandon::default();
    config
        .alerts
        .iter()
        .map(|alert| {
            let cx = Context {
                root: ws.root.clone(),
                label: label(alert),
            };
            let sent = deliverer(&alert.channel).deliver(&event, &cx, &abandon);
            (cx.label, sent)
        })
        .collect()
}

/// The tries of an HTTP channel: [`curl::send_tried`], naming the channel.
fn send_http(request: &curl::Request, cx: &Context, abandon: &Abandon) -> Result<(), String> {
    curl::send_tried(request, &cx.label, abandon)
}

#[cfg(test)]
mod tests;
