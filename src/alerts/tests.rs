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

/// The processes whose command line holds `marker`.
#[cfg(target_os = "linux")]
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(marker) {
            found.push(pid);
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn a_command_reads_the_event_and_one_that_hangs_is_stopped_with_its_tree() {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context {
        root: dir.path().to_owned(),
        label: "alerts[0] (command sh)".into(),
    };
    let event = failure_event();
    let reader = command::Command {
        argv: vec![
            "sh".into(),
            "-c".into(),
            "cat > event.json; echo \"$SYNCTRAY_EVENT|$SYNCTRAY_WORKSPACE|$SYNCTRAY_JOB|$SYNCTRAY_REASON\" > env.txt".into(),
        ],
        timeout: command::TIMEOUT,
    };
    reader.deliver(&event, &cx, &Abandon::default()).unwrap();
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("event.json")).unwrap())
            .unwrap();
    assert_eq!(got, serde_json::to_value(&event).unwrap());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("env.txt")).unwrap(),
        "failure|dashboard|quality|exited with code 2\n"
    );

    // A shell that started a child of its own, both hanging (bash names them, so that
    // they can be found).
    let marker = format!("alert-hang-{}", std::process::id());
    let hanging = command::Command {
        argv: vec![
            "bash".into(),
            "-c".into(),
            format!("(exec -a {marker}-a sleep 300) & exec -a {marker}-b sleep 301"),
        ],
        timeout: std::time::Duration::from_secs(3),
    };
    assert!(processes_with(&marker).is_empty());
    let started = std::time::Instant::now();
    let delivery = std::thread::spawn(move || {
        let cx = cx;
        hanging.deliver(&event, &cx, &Abandon::default())
    });
    let mut seen = 0;
    while started.elapsed() < std::time::Duration::from_millis(2900) && seen < 2 {
        seen = processes_with(&marker).len();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(seen, 2, "both processes of the tree ran");
    let e = delivery.join().unwrap().unwrap_err();
    assert!(e.starts_with("did not end within 3 s"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    assert_eq!(
        processes_with(&marker),
        Vec::<u32>::new(),
        "the tree is gone"
    );
}

#[cfg(unix)]
#[test]
fn a_problem_its_end_and_stale_data_are_told_once_each_and_as_on_says() {
    use crate::observe::Change;
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path(), crate::workspace::Source::Flag);
    let config = Config::parse(
        r#"{"alerts": [
            {"type": "command", "command": ["sh", "-c", "cat >> all.jsonl; echo >> all.jsonl"]},
            {"type": "command", "command": ["sh", "-c", "cat >> some.jsonl; echo >> some.jsonl"], "on": ["problem"]}
        ]}"#,
    )
    .unwrap();
    let channels = Channels::new(&ws);
    for _ in 0..3 {
        channels.changed(
            &config,
            Change::Problem(Some(&crate::health::Blocker::DataReadOnly)),
        );
    }
    channels.changed(&config, Change::Problem(None));
    for _ in 0..3 {
        channels.changed(
            &config,
            Change::Overdue {
                age: Some(chrono::TimeDelta::hours(3)),
                last_success: None,
            },
        );
    }
    channels.stop(Instant::now() + std::time::Duration::from_secs(10));
    let events = |name: &str| -> Vec<(String, Option<String>)> {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["event"].as_str().unwrap().to_owned(),
                    v["reason"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    assert_eq!(
        events("all.jsonl"),
        [
            ("problem".to_owned(), Some("data/ is read-only".to_owned())),
            ("recovery".to_owned(), None),
            (
                "stale".to_owned(),
                Some("no sync has succeeded for 3 h".to_owned())
            ),
        ]
    );
    // `on: ["problem"]`: its end is no recovery to tell, and stale data is not wanted.
    assert_eq!(
        events("some.jsonl"),
        [("problem".to_owned(), Some("data/ is read-only".to_owned()))]
    );
}

#[test]
fn an_alert_is_in_english_whatever_the_desktops_language() {
    let spanish = std::sync::Arc::new(crate::i18n::Lang::new(&["es_ES.UTF-8"], None));
    let note = crate::notify::Note::Recovered { duration_ms: None };
    let event = crate::i18n::using(spanish, || Event::new(&ws(), &note, None)).unwrap();
    assert_eq!(event.title, "Sync recovered");
}
