//! `ping`: health pings against a loopback HTTP server that records each request's
//! method, path (with the run id) and body; and against one that accepts and never answers
//! (the same stand-in as the alert channels').

use std::time::{Duration, Instant};

use crate::util::http::{Server, dead_url};
use crate::util::{Ws, processes_with, wait_until};

/// The monitor's check: the pings go to this path of the loopback server.
const CHECK: &str = "/ping/5f1e";

/// The run id of a ping's path, checked to be a UUID.
fn rid(path: &str) -> String {
    let (_, rid) = path
        .split_once("?rid=")
        .unwrap_or_else(|| panic!("no rid: {path}"));
    assert_eq!(rid.len(), 36, "{rid}");
    assert_eq!(rid.matches('-').count(), 4, "{rid}");
    rid.to_owned()
}

#[test]
fn a_run_pings_its_start_and_its_end_with_one_run_id_and_a_failure_its_summary() {
    let monitor = Server::answering();
    let ws = Ws::new(&format!(
        r#"{{"ping": {{"url": "{}"}},
            "jobs": [{{"name": "quality", "command": ["sh", "-c", "test ! -e FAIL || {{ cat FAIL >&2; exit 1; }}"]}}]}}"#,
        monitor.url(CHECK)
    ));
    assert!(ws.run(&["sync"]).status.success());
    // `sync` waits for its pings (at most 2 s) before it exits.
    let seen = monitor.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert!(
        seen[0].path.starts_with("/ping/5f1e/start?rid="),
        "{seen:?}"
    );
    assert_eq!(seen[1].method, "GET");
    assert!(seen[1].path.starts_with("/ping/5f1e?rid="), "{seen:?}");
    let first = rid(&seen[0].path);
    assert_eq!(rid(&seen[1].path), first, "start and end share the run id");

    // What curl could take for more than text reaches the monitor as it is: quotes,
    // backslashes, a tab, lines, and a line that begins with `@` (not a file to upload).
    std::fs::write(
        ws.path("FAIL"),
        "@/etc/hostname\nESLint config not found: \"a\\b\"\tat .eslintrc\n",
    )
    .unwrap();
    assert_eq!(
        ws.run(&["sync"]).status.code(),
        Some(1),
        "the ping changes no result"
    );
    let seen = monitor.seen();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        seen[2].path.starts_with("/ping/5f1e/start?rid="),
        "{seen:?}"
    );
    assert_eq!(seen[3].method, "POST");
    assert!(seen[3].path.starts_with("/ping/5f1e/fail?rid="), "{seen:?}");
    let second = rid(&seen[3].path);
    assert_eq!(rid(&seen[2].path), second);
    assert_ne!(second, first, "each run has its own id");
    assert_eq!(
        seen[3].body,
        ws.status().unwrap()["error"].as_str().unwrap(),
        "the failure summary is the body"
    );
    assert!(
        seen[3]
            .body
            .contains("@/etc/hostname\nESLint config not found: \"a\\b\"\tat .eslintrc"),
        "{seen:?}"
    );
}

/// The ping's URL holds the check's secret: it never appears on a command line (which
/// every user of the machine can read), and the request still hanging when `sync` ends
/// does not outlive it.
#[test]
fn a_pings_url_is_on_no_command_line_and_a_hanging_ping_ends_with_sync() {
    let monitor = Server::hanging();
    let ws = Ws::new(&format!(
        r#"{{"ping": {{"url": "{}"}}, "jobs": [{{"name": "a", "command": ["true"]}}]}}"#,
        monitor.url(CHECK)
    ));
    let mut sync = ws
        .cmd(&["sync"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut senders = Vec::new();
    assert!(
        wait_until(Duration::from_secs(5), || {
            senders = children_named(sync.id(), "curl");
            !senders.is_empty()
        }),
        "no curl started"
    );
    let address = monitor.url(CHECK).replace("http://", "");
    assert_eq!(
        processes_with(&address),
        Vec::<u32>::new(),
        "the URL is on a command line"
    );
    assert!(sync.wait().unwrap().success());
    for pid in senders {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "curl {pid} outlived sync"
        );
    }
}

/// The children of `parent` whose command name is `name`.
fn children_named(parent: u32, name: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let ppid = stat[close + 2..].split(' ').nth(1);
        if &stat[open + 1..close] == name && ppid == Some(&parent.to_string()) {
            found.extend(stat[..open].trim().parse::<u32>());
        }
    }
    found
}

#[test]
fn a_monitor_that_never_answers_changes_nothing_and_holds_sync_at_most_two_seconds() {
    let monitor = Server::hanging();
    let ws = Ws::new(&format!(
        r#"{{"ping": {{"url": "{}"}},
            "jobs": [{{"name": "a", "command": ["sleep", "1"]}}, {{"name": "b", "command": ["true"]}}]}}"#,
        monitor.url(CHECK)
    ));
    let began = Instant::now();
    let out = ws.run(&["sync"]);
    let took = began.elapsed();
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success");
    // The start ping hangs (10 s timeout): the jobs do not wait for it.
    let ran = status["durationMs"].as_u64().unwrap();
    assert!(ran < 1_800, "the run took {ran} ms");
    // The run, then at most 2 s for the pings, then exit.
    assert!(
        took < Duration::from_millis(ran + 2_000 + 1_000),
        "sync took {took:?} (run {ran} ms)"
    );
    assert!(
        took >= Duration::from_millis(ran + 1_900),
        "it did wait for the pings: {took:?}"
    );
    assert!(
        crate::util::stderr(&out).contains("not sent"),
        "{}",
        crate::util::stderr(&out)
    );
}

#[test]
fn a_daemon_logs_a_failing_monitor_once_and_stops_within_two_seconds_of_its_grace() {
    // A port with no listener: every ping is refused.
    let dead = dead_url("/x");
    let ws = Ws::new(&format!(
        r#"{{"schedule": "* * * * * *", "ping": {{"url": "{dead}"}},
            "jobs": [{{"name": "a", "command": ["true"]}}]}}"#
    ));
    let mut daemon = ws.daemon();
    // Three tries with 1 s and 2 s between them: the first ping fails after ~3 s.
    assert!(
        wait_until(Duration::from_secs(15), || daemon
            .log()
            .contains("health ping failed")),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_secs(4));
    assert!(ws.history().len() >= 4, "runs go on, one a second");
    assert!(ws.history().iter().all(|r| r["status"] == "success"));
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(took < Duration::from_millis(3_000), "stopped in {took:?}");
    let log = daemon.log();
    assert_eq!(log.matches("health ping failed after").count(), 1, "{log}");
}

#[test]
fn a_daemon_stops_at_most_two_seconds_late_when_its_monitor_never_answers() {
    let monitor = Server::hanging();
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "ping": {{"url": "{}"}},
            "jobs": [{{"name": "a", "command": ["true"]}}]}}"#,
        monitor.url(CHECK)
    ));
    let mut daemon = ws.daemon();
    assert!(
        wait_until(Duration::from_secs(10), || ws.status().is_some()),
        "{}",
        daemon.log()
    );
    assert_eq!(ws.status().unwrap()["status"], "success");
    // The start ping hangs (10 s timeout) and the end ping waits behind it.
    let took = daemon.stop_with(libc::SIGTERM, Duration::from_secs(10));
    assert!(
        took < Duration::from_millis(2_800),
        "stopped in {took:?}: {}",
        daemon.log()
    );
    assert!(daemon.log().contains("not sent"), "{}", daemon.log());
}
