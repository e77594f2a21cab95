//! `alerts`: ntfy, webhooks and a command against loopback servers that record each
//! request. One message an incident on every channel, never a delay to a run, at most 2 s
//! at the stop, and secrets on no command line and in no log.

use std::time::{Duration, Instant};

use crate::util::http::{Server, dead_url};
use crate::util::{Ws, processes_with, stderr, wait_until};

/// A job that fails while the file FAIL exists, and one that fails while FAIL2 does.
const JOBS: &str = r#"[
    {"name": "quality", "command": ["sh", "-c", "test ! -e FAIL || { echo 'Error: ESLint config not found' >&2; exit 1; }"]},
    {"name": "deploy", "command": ["sh", "-c", "test ! -e FAIL2 || { echo 'rsync: connection refused' >&2; exit 3; }"]}
]"#;

/// The channels of the tests: ntfy with a token from a file, a Slack, a Discord and a JSON
/// webhook (its header from the environment), all on `server`, and a command that appends
/// each event it reads to `events.jsonl`.
fn channels(server: &Server) -> String {
    format!(
        r#"[
            {{"type": "ntfy", "url": "{ntfy}", "tokenFile": "ntfy-token"}},
            {{"type": "webhook", "url": "{slack}", "format": "slack"}},
            {{"type": "webhook", "url": "{discord}", "format": "discord"}},
            {{"type": "webhook", "url": "{json}", "format": "json", "headersFromEnv": {{"Authorization": "HOOK_TOKEN"}}}},
            {{"type": "command", "command": ["sh", "-c", "cat >> events.jsonl; echo >> events.jsonl"]}}
        ]"#,
        ntfy = server.url("/ntfy/topic"),
        slack = server.url("/slack"),
        discord = server.url("/discord"),
        json = server.url("/json"),
    )
}

const NTFY_TOKEN: &str = "tk_ntfy_0a1b2c3d4e";
const HOOK_TOKEN: &str = "Bearer hook_9f8e7d6c5b";

fn workspace(config: &str) -> Ws {
    let ws = Ws::new(config);
    std::fs::write(ws.path("ntfy-token"), format!("{NTFY_TOKEN}\n")).unwrap();
    ws
}

/// The events the command has read, in order.
fn command_events(ws: &Ws) -> Vec<serde_json::Value> {
    std::fs::read_to_string(ws.path("events.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What every channel has received: (ntfy, slack, discord, json, command) counts.
fn counts(server: &Server, ws: &Ws) -> [usize; 5] {
    [
        server.seen_at("/ntfy/topic").len(),
        server.seen_at("/slack").len(),
        server.seen_at("/discord").len(),
        server.seen_at("/json").len(),
        command_events(ws).len(),
    ]
}

/// Waits until every channel has received `n` messages (and a little longer, for one
/// too many to show).
fn wait_counts(server: &Server, ws: &Ws, n: usize, log: impl Fn() -> String) {
    let ok = wait_until(Duration::from_secs(20), || {
        counts(server, ws).iter().all(|c| *c >= n)
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        ok,
        "{:?} after 20 s, wanted {n} each: {}",
        counts(server, ws),
        log()
    );
    assert_eq!(counts(server, ws), [n; 5], "{}", log());
}

#[test]
fn ten_identical_failures_send_one_message_a_channel_then_the_recovery_and_a_different_failure_one_more()
 {
    let server = Server::answering();
    let ws = workspace(&format!(
        r#"{{"schedule": "*/1 * * * * *", "catchUp": false, "jobs": {JOBS}, "alerts": {}}}"#,
        channels(&server)
    ));
    std::fs::write(ws.path("FAIL"), "").unwrap();
    let mut daemon = ws.start_daemon({
        let mut cmd = ws.cmd(&["--daemon"]);
        cmd.env("HOOK_TOKEN", HOOK_TOKEN);
        cmd
    });
    daemon.wait("ten failed runs", Duration::from_secs(40), || {
        ws.history().len() >= 10
    });
    wait_counts(&server, &ws, 1, || daemon.log());

    // The failure, on each channel with its fields.
    let ntfy = &server.seen_at("/ntfy/topic")[0];
    assert_eq!(ntfy.method, "POST");
    assert_eq!(ntfy.header("title"), Some("Sync failed: quality"));
    assert_eq!(ntfy.header("priority"), Some("high"));
    assert_eq!(ntfy.header("tags"), Some("rotating_light,failure"));
    assert_eq!(
        ntfy.header("authorization"),
        Some(format!("Bearer {NTFY_TOKEN}").as_str())
    );
    assert!(
        ntfy.body
            .contains("exited with code 1\nError: ESLint config not found"),
        "{ntfy:?}"
    );
    let slack = &server.seen_at("/slack")[0];
    assert_eq!(slack.header("content-type"), Some("application/json"));
    let text = slack.json()["text"].as_str().unwrap().to_owned();
    assert!(text.starts_with("*Sync failed: quality*"), "{text}");
    assert!(text.contains("ESLint config not found"), "{text}");
    let discord = server.seen_at("/discord")[0].json();
    let content = discord["content"].as_str().unwrap();
    assert!(content.starts_with("**Sync failed: quality**"), "{content}");
    let json = &server.seen_at("/json")[0];
    assert_eq!(json.header("authorization"), Some(HOOK_TOKEN));
    let event = json.json();
    assert_eq!(event["event"], "failure");
    assert_eq!(event["job"], "quality");
    assert_eq!(event["reason"], "exited with code 1");
    assert_eq!(event["lastLines"], "Error: ESLint config not found");
    assert_eq!(
        event["workspace"],
        ws.root().file_name().unwrap().to_str().unwrap()
    );
    for key in ["startedAt", "finishedAt", "runId", "host"] {
        assert!(event[key].is_string(), "{key}: {event}");
    }
    assert_eq!(
        command_events(&ws)[0],
        event,
        "the command reads the same object"
    );

    // The recovery: one more on each.
    std::fs::remove_file(ws.path("FAIL")).unwrap();
    wait_counts(&server, &ws, 2, || daemon.log());
    let recovery = server.seen_at("/ntfy/topic")[1].clone();
    assert_eq!(recovery.header("title"), Some("Sync recovered"));
    assert_eq!(recovery.header("priority"), Some("default"));
    assert_eq!(command_events(&ws)[1]["event"], "recovery");
    let successes = ws.history().len();
    daemon.wait("a few successful runs", Duration::from_secs(20), || {
        ws.history().len() >= successes + 3
    });
    assert_eq!(counts(&server, &ws), [2; 5], "a success is no incident");

    // A different failure: one more, then nothing while it repeats.
    std::fs::write(ws.path("FAIL2"), "").unwrap();
    wait_counts(&server, &ws, 3, || daemon.log());
    let runs = ws.history().len();
    daemon.wait("three more failed runs", Duration::from_secs(20), || {
        ws.history().len() >= runs + 3
    });
    assert_eq!(counts(&server, &ws), [3; 5], "{}", daemon.log());
    assert_eq!(command_events(&ws)[2]["job"], "deploy");
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(15));

    // The secrets: in no log, no status, no history.
    let log = daemon.log();
    for secret in [NTFY_TOKEN, "hook_9f8e7d6c5b"] {
        assert!(!log.contains(secret), "{secret} in the log");
        let status = std::fs::read_to_string(ws.path("data/sync-status.json")).unwrap();
        let history = std::fs::read_to_string(ws.path("data/sync-history.jsonl")).unwrap();
        assert!(!status.contains(secret) && !history.contains(secret));
    }
}

#[test]
fn each_timer_run_of_sync_tells_a_failure_once() {
    let server = Server::answering();
    let ws = workspace(&format!(
        r#"{{"jobs": {JOBS}, "alerts": [{{"type": "webhook", "url": "{}"}}]}}"#,
        server.url("/json")
    ));
    std::fs::write(ws.path("FAIL"), "").unwrap();
    for _ in 0..4 {
        ws.assert_exit(&["sync"], 1);
    }
    assert_eq!(
        server.seen_at("/json").len(),
        1,
        "one message for four runs"
    );
    std::fs::remove_file(ws.path("FAIL")).unwrap();
    ws.run_ok(&["sync"]);
    ws.run_ok(&["sync"]);
    let seen = server.seen_at("/json");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].json()["event"], "recovery");
}

/// How long a failing `sync` of `ws` takes, the best of three.
fn sync_time(ws: &Ws) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            ws.assert_exit(&["sync"], 1);
            started.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn a_dead_endpoint_adds_no_measurable_time_to_sync_and_a_hanging_one_at_most_two_seconds() {
    let bare = Ws::new(&format!(r#"{{"jobs": {JOBS}}}"#));
    std::fs::write(bare.path("FAIL"), "").unwrap();
    let baseline = sync_time(&bare);

    let dead = Ws::new(&format!(
        r#"{{"jobs": {JOBS}, "alerts": [{{"type": "ntfy", "url": "{}"}}, {{"type": "webhook", "url": "{}"}}]}}"#,
        dead_url("/t"),
        dead_url("/hook")
    ));
    std::fs::write(dead.path("FAIL"), "").unwrap();
    // Every run a new process: each tells the failure (the first of its streak) when it
    // sees no earlier one; start each from nothing recorded.
    let with_dead = (0..3)
        .map(|_| {
            let _ = std::fs::remove_file(dead.path("data/sync-status.json"));
            let started = Instant::now();
            let out = dead.assert_exit(&["sync"], 1);
            let took = started.elapsed();
            assert!(
                stderr(&out).contains("alert not sent: alerts[0] (ntfy to 127.0.0.1:"),
                "{}",
                stderr(&out)
            );
            took
        })
        .min()
        .unwrap();
    assert!(
        with_dead < baseline + Duration::from_millis(300),
        "a dead endpoint: {with_dead:?}, without alerts {baseline:?}"
    );

    let server = Server::hanging();
    let hanging = Ws::new(&format!(
        r#"{{"jobs": {JOBS}, "alerts": [{{"type": "ntfy", "url": "{}"}}, {{"type": "webhook", "url": "{}", "format": "slack"}}]}}"#,
        server.url("/t"),
        server.url("/hook")
    ));
    std::fs::write(hanging.path("FAIL"), "").unwrap();
    let started = Instant::now();
    let sync = hanging
        .cmd(&["sync"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut curls = Vec::new();
    assert!(
        wait_until(Duration::from_secs(5), || {
            curls = children_named(sync.id(), "curl");
            !curls.is_empty()
        }),
        "no curl started"
    );
    let out = sync.wait_with_output().unwrap();
    let took = started.elapsed();
    eprintln!(
        "failing sync: {baseline:?} without alerts, {with_dead:?} with two dead endpoints, {took:?} with two hanging ones"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        took < baseline + Duration::from_millis(2800),
        "a hanging endpoint held sync {took:?} (without alerts {baseline:?})"
    );
    assert!(
        took > Duration::from_millis(1500),
        "sync gave the alerts their 2 s: {took:?}"
    );
    assert!(
        stderr(&out).contains("alert(s) not sent"),
        "{}",
        stderr(&out)
    );
    assert!(curls.iter().all(|pid| gone(*pid)), "a curl outlived sync");
}

/// The children of `parent` whose command name is `name`.
fn children_named(parent: u32, name: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let comm = head.split_once(" (").map_or("", |(_, c)| c);
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if comm == name
            && ppid == Some(parent)
            && let Ok(pid) = entry.file_name().to_string_lossy().parse()
        {
            found.push(pid);
        }
    }
    found
}

fn gone(pid: u32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The token of an ntfy channel and the value of a webhook's header are on no command
/// line while the requests are in flight, and in no log.
#[test]
fn tokens_are_on_no_command_line_and_in_no_log() {
    let server = Server::hanging();
    let ws = workspace(&format!(
        r#"{{"jobs": {JOBS}, "alerts": [
            {{"type": "ntfy", "url": "{}", "tokenFile": "ntfy-token"}},
            {{"type": "webhook", "url": "{}", "headersFromEnv": {{"Authorization": "HOOK_TOKEN"}}}}]}}"#,
        server.url("/ntfy/topic"),
        server.url("/hook")
    ));
    std::fs::write(ws.path("FAIL"), "").unwrap();
    let sync = ws
        .cmd(&["sync"])
        .env("HOOK_TOKEN", HOOK_TOKEN)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(5), || children_named(sync.id(), "curl")
            .len()
            == 2),
        "no curl started"
    );
    for secret in [NTFY_TOKEN, "hook_9f8e7d6c5b", "/ntfy/topic"] {
        assert_eq!(
            processes_with(secret),
            Vec::<u32>::new(),
            "{secret} is on a command line"
        );
    }
    let out = sync.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = String::from_utf8_lossy(&out.stderr);
    for secret in [NTFY_TOKEN, "hook_9f8e7d6c5b", "/ntfy/topic"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[test]
fn a_hanging_command_is_stopped_with_its_tree_when_sync_ends() {
    let marker = format!("alert-cmd-hang-{}", std::process::id());
    let ws = Ws::new(&format!(
        r#"{{"jobs": {JOBS}, "alerts": [{{"type": "command", "command": ["bash", "-c", "(exec -a {marker}-child sleep 300) & exec -a {marker}-main sleep 301"]}}]}}"#
    ));
    std::fs::write(ws.path("FAIL"), "").unwrap();
    let sync = ws
        .cmd(&["sync"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(5), || processes_with(&marker).len()
            == 2),
        "the command and its child run"
    );
    let started = Instant::now();
    let out = sync.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        wait_until(Duration::from_secs(1), || processes_with(&marker)
            .is_empty()),
        "left: {:?}",
        processes_with(&marker)
    );
}

#[test]
fn a_sync_while_a_daemon_serves_the_workspace_leaves_the_alerts_to_it() {
    let server = Server::answering();
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 1440, "jobs": {JOBS}, "alerts": [{{"type": "webhook", "url": "{}"}}]}}"#,
        server.url("/json")
    ));
    // A success just now: the daemon has no run to catch up at its start, which would
    // race the failing sync below for the lock (and, failing, rightly alert itself).
    ws.assert_exit(&["sync"], 0);
    let mut daemon = ws.daemon();
    daemon.wait_log("scheduler started", Duration::from_secs(10));
    std::fs::write(ws.path("FAIL"), "").unwrap();
    let out = ws.assert_exit(&["sync"], 1);
    assert!(
        stderr(&out).contains("alerts are left to the synctray that serves the workspace"),
        "{}",
        stderr(&out)
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
}

#[test]
fn alerts_test_says_which_channel_worked_and_exits_1_if_one_failed() {
    let server = Server::answering();
    let ws = workspace(&format!(
        r#"{{"alerts": [{{"type": "ntfy", "url": "{}", "tokenFile": "ntfy-token"}},
                       {{"type": "webhook", "url": "{}", "format": "discord"}}]}}"#,
        server.url("/ntfy/topic"),
        dead_url("/discord")
    ));
    let out = ws.assert_exit(&["alerts", "test"], 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("alerts[0] (ntfy to 127.0.0.1:"), "{text}");
    assert!(text.lines().next().unwrap().ends_with(": ok"), "{text}");
    assert!(
        text.lines().nth(1).unwrap().contains(": FAILED: "),
        "{text}"
    );
    let seen = server.seen_at("/ntfy/topic");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("title"), Some("synctray: test alert"));
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {NTFY_TOKEN}").as_str())
    );

    let only_good = Ws::new(&format!(
        r#"{{"alerts": [{{"type": "webhook", "url": "{}", "format": "slack"}}]}}"#,
        server.url("/slack")
    ));
    only_good.run_ok(&["alerts", "test"]);
    assert!(server.seen_at("/slack")[0].json()["text"].is_string());
    let none = Ws::new("{}");
    none.assert_exit(&["alerts", "test"], 1);
}

#[test]
fn an_unreadable_token_file_is_a_config_error_naming_the_key() {
    let ws = Ws::new(
        r#"{"alerts": [{"type": "ntfy", "url": "https://ntfy.sh/t", "tokenFile": "missing-token"}]}"#,
    );
    let out = ws.assert_exit(&["check"], 2);
    assert!(
        stderr(&out).contains("alerts[0].tokenFile cannot read the token file"),
        "{}",
        stderr(&out)
    );
}
