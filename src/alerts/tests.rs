use super::*;
use crate::config::alerts::{Format, Secret};
use crate::status::{Failure, JobFailure, RunError};

fn ws() -> Workspace {
    let dir = std::env::temp_dir().join("synctray-alerts-unit");
    let mut ws = Workspace::at(&dir, crate::workspace::Source::Flag);
    ws.name = "dashboard".into();
    ws
}

fn failure_event() -> Event {
    let error = RunError {
        first: Some(JobFailure {
            job: "quality".into(),
            failure: Failure::Exited(2),
            tail: "checking…\nError: ESLint config not found\n".into(),
        }),
        ..RunError::default()
    };
    Event::new(&ws(), &Note::Failed(error), None).unwrap()
}

#[test]
fn a_failure_event_names_the_job_the_reason_and_the_last_lines() {
    let event = failure_event();
    let json: serde_json::Value = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event"], "failure");
    assert_eq!(json["workspace"], "dashboard");
    assert_eq!(json["job"], "quality");
    assert_eq!(json["reason"], "exited with code 2");
    assert_eq!(
        json["lastLines"],
        "checking…\nError: ESLint config not found"
    );
    assert_eq!(json["title"], "Sync failed: quality");
    for key in [
        "startedAt",
        "finishedAt",
        "lastSuccess",
        "runId",
        "host",
        "message",
    ] {
        assert!(json.get(key).is_some(), "{key} is always there: {json}");
    }
    assert!(event.is_alarm());
}

#[test]
fn slack_and_discord_bodies_carry_their_required_field() {
    let event = failure_event();
    let slack: serde_json::Value =
        serde_json::from_str(&webhook::body(Format::Slack, &event)).unwrap();
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.starts_with("*Sync failed: quality* (dashboard on "),
        "{text}"
    );
    assert!(text.contains("ESLint config not found"), "{text}");
    let mut long = event.clone();
    long.message = "x".repeat(5000);
    let discord: serde_json::Value =
        serde_json::from_str(&webhook::body(Format::Discord, &long)).unwrap();
    let content = discord["content"].as_str().unwrap();
    assert!(content.starts_with("**Sync failed: quality**"), "{content}");
    assert_eq!(content.chars().count(), webhook::DISCORD_MAX);
}

#[test]
fn ntfy_says_high_priority_for_a_failure_and_default_for_a_recovery_and_sends_the_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), "tk_secret\n").unwrap();
    let ntfy = ntfy::Ntfy {
        url: "https://ntfy.sh/t".into(),
        token: Some(Secret::File("token".into())),
    };
    let cx = Context {
        root: dir.path().to_owned(),
        label: "alerts[0] (ntfy)".into(),
    };
    let request = ntfy.request(&failure_event(), &cx).unwrap();
    assert!(
        request.headers.contains(&"Priority: high".to_owned()),
        "{:?}",
        request.headers
    );
    assert!(
        request
            .headers
            .contains(&"Authorization: Bearer tk_secret".to_owned())
    );
    assert!(
        request
            .headers
            .contains(&"Title: Sync failed: quality".to_owned())
    );
    let recovered = Event::new(
        &ws(),
        &Note::Recovered {
            duration_ms: Some(1200),
        },
        None,
    )
    .unwrap();
    let request = ntfy.request(&recovered, &cx).unwrap();
    assert!(request.headers.contains(&"Priority: default".to_owned()));
    assert_eq!(recovered.event, "recovery");
    let gone = ntfy::Ntfy {
        url: "https://ntfy.sh/t".into(),
        token: Some(Secret::File("nowhere".into())),
    };
    let e = gone.request(&recovered, &cx).unwrap_err();
    assert!(e.starts_with("cannot read the token file"), "{e}");
}

#[test]
fn the_log_names_a_channel_by_its_host_never_its_url() {
    let config = Config::parse(
        r#"{"alerts": [{"type": "webhook", "url": "https://hooks.slack.com/services/T0/B0/s3cret", "format": "slack"},
                       {"type": "command", "command": ["/usr/local/bin/page-me"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        label(&config.alerts[0]),
        "alerts[0] (webhook to hooks.slack.com)"
    );
    assert_eq!(
        label(&config.alerts[1]),
        "alerts[1] (command /usr/local/bin/page-me)"
    );
}
