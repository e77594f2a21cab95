//! `metrics`: the node_exporter textfile, written after every run, parsed as Prometheus
//! reads it.

use std::collections::BTreeMap;

use crate::util::Ws;

/// The samples of a text exposition: `name{labels}` → value, every line checked.
fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    let mut typed = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["gauge", "counter"].contains(&kind), "{line}");
            typed.insert(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name{labels} value");
        let name = &series[..series.find('{').expect("labels")];
        assert!(typed.contains(name), "{name} has no TYPE line before it");
        assert!(series.ends_with('}'), "{line}");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        assert!(
            samples.insert(series.to_owned(), value).is_none(),
            "twice: {line}"
        );
    }
    samples
}

#[test]
fn the_textfile_holds_the_last_run_and_the_counts_after_every_run() {
    let ws = Ws::new(
        r#"{"metrics": {"textfile": "metrics/synctray.prom"},
            "jobs": [{"name": "tokens", "command": ["true"]},
                     {"name": "quality", "command": ["sh", "-c", "test ! -e FAIL"]}]}"#,
    );
    std::fs::create_dir(ws.path("metrics")).unwrap();
    let label = ws.root().file_name().unwrap().to_str().unwrap().to_owned();
    let w = format!("workspace=\"{label}\"");
    let read = || parse(&std::fs::read_to_string(ws.path("metrics/synctray.prom")).unwrap());

    assert!(ws.run(&["sync"]).status.success());
    let first = read();
    let status = ws.status().unwrap();
    let finished = chrono::DateTime::parse_from_rfc3339(status["lastSync"].as_str().unwrap())
        .unwrap()
        .timestamp_millis() as f64
        / 1000.0;
    assert_eq!(
        first[&format!("synctray_last_run_timestamp_seconds{{{w}}}")],
        finished
    );
    assert_eq!(
        first[&format!("synctray_last_success_timestamp_seconds{{{w}}}")],
        finished
    );
    assert_eq!(
        first[&format!("synctray_last_run_duration_seconds{{{w}}}")],
        status["durationMs"].as_f64().unwrap() / 1000.0
    );
    assert_eq!(first[&format!("synctray_last_run_success{{{w}}}")], 1.0);
    assert_eq!(
        first[&format!("synctray_runs_total{{{w},result=\"success\"}}")],
        1.0
    );
    assert_eq!(
        first[&format!("synctray_runs_total{{{w},result=\"error\"}}")],
        0.0
    );
    for job in ["tokens", "quality"] {
        assert!(first.contains_key(&format!(
            "synctray_job_duration_seconds{{{w},job=\"{job}\"}}"
        )));
    }

    // A failure: the counts go on from the file, the last success stays.
    std::fs::write(ws.path("FAIL"), "").unwrap();
    assert_eq!(ws.run(&["sync"]).status.code(), Some(1));
    let second = read();
    assert_eq!(second[&format!("synctray_last_run_success{{{w}}}")], 0.0);
    assert_eq!(
        second[&format!("synctray_last_success_timestamp_seconds{{{w}}}")],
        finished
    );
    assert!(second[&format!("synctray_last_run_timestamp_seconds{{{w}}}")] > finished);
    assert_eq!(
        second[&format!("synctray_runs_total{{{w},result=\"success\"}}")],
        1.0
    );
    assert_eq!(
        second[&format!("synctray_runs_total{{{w},result=\"error\"}}")],
        1.0
    );
    std::fs::remove_file(ws.path("FAIL")).unwrap();
    assert!(ws.run(&["sync"]).status.success());
    assert_eq!(
        read()[&format!("synctray_runs_total{{{w},result=\"success\"}}")],
        2.0
    );
    // Replaced by a rename, never rewritten in place: no temporary file is left.
    let left: Vec<_> = std::fs::read_dir(ws.path("metrics"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[cfg(unix)]
#[test]
fn a_link_at_the_textfile_is_refused_and_its_target_left_alone() {
    let ws = Ws::new(
        r#"{"metrics": {"textfile": "synctray.prom"}, "jobs": [{"name": "a", "command": ["true"]}]}"#,
    );
    std::fs::write(ws.path("target.txt"), "mine\n").unwrap();
    std::os::unix::fs::symlink(ws.path("target.txt"), ws.path("synctray.prom")).unwrap();
    let out = ws.run(&["sync"]);
    assert!(
        out.status.success(),
        "the run's result stands: {}",
        crate::util::stderr(&out)
    );
    let log = crate::util::stderr(&out);
    assert!(log.contains("cannot write the metrics textfile"), "{log}");
    assert!(
        log.contains("synctray.prom"),
        "the error names the path: {log}"
    );
    assert_eq!(
        std::fs::read_to_string(ws.path("target.txt")).unwrap(),
        "mine\n"
    );
    assert!(
        std::fs::symlink_metadata(ws.path("synctray.prom"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
