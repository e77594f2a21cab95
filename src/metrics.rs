//! The node_exporter textfile (`metrics.textfile`): after every run, the file is replaced
//! atomically (never through a link) with the workspace's figures in the text exposition
//! format, each with a `workspace` label (the workspace folder's name):
//!
//! - `synctray_last_run_timestamp_seconds`: when the last run finished;
//! - `synctray_last_success_timestamp_seconds`: when the last successful run finished
//!   (absent until one has);
//! - `synctray_last_run_duration_seconds`, `synctray_last_run_success` (0 or 1);
//! - `synctray_runs_total{result="success|error"}`: runs since the file was first
//!   written, carried from the file itself from one run to the next (a new file starts
//!   again from 0, which Prometheus reads as a counter reset);
//! - `synctray_job_duration_seconds{job="…"}`: each job of the last run that ran.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::config::Metrics;
use crate::fsutil::{self, Durability};
use crate::status::RunRecord;
use crate::workspace::Workspace;

/// The textfile's path: as configured, a relative one from the workspace folder.
pub fn textfile_path(ws: &Workspace, metrics: &Metrics) -> PathBuf {
    ws.root.join(&metrics.textfile)
}

/// The `workspace` label: the workspace folder's name.
pub fn workspace_label(ws: &Workspace) -> String {
    ws.root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ws.root.display().to_string())
}

/// Replaces the textfile with the figures of the run that `status` records.
pub fn write(ws: &Workspace, metrics: &Metrics, status: &RunRecord) -> io::Result<()> {
    let path = textfile_path(ws, metrics);
    let label = workspace_label(ws);
    let (mut successes, mut errors) = previous_counts(&path, &label);
    if status.is_success() {
        successes += 1;
    } else {
        errors += 1;
    }
    let text = render(&label, status, successes, errors);
    fsutil::atomic_write(&path, text.as_bytes(), 0o644, Durability::Renamed)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// The exposition text.
pub fn render(workspace: &str, status: &RunRecord, successes: u64, errors: u64) -> String {
    let ws = format!("workspace=\"{}\"", escape(workspace));
    let seconds = |at: chrono::DateTime<chrono::Utc>| at.timestamp_millis() as f64 / 1000.0;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    };
    metric(
        "synctray_last_run_timestamp_seconds",
        "gauge",
        "When the last run finished (Unix time).",
        &[(ws.clone(), format!("{:.3}", seconds(status.last_sync)))],
    );
    if let Some(at) = status.last_success() {
        metric(
            "synctray_last_success_timestamp_seconds",
            "gauge",
            "When the last successful run finished (Unix time).",
            &[(ws.clone(), format!("{:.3}", seconds(at)))],
        );
    }
    metric(
        "synctray_last_run_duration_seconds",
        "gauge",
        "How long the last run took.",
        &[(
            ws.clone(),
            format!("{:.3}", status.duration_ms as f64 / 1000.0),
        )],
    );
    metric(
        "synctray_last_run_success",
        "gauge",
        "1 if the last run succeeded, else 0.",
        &[(ws.clone(), u8::from(status.is_success()).to_string())],
    );
    metric(
        "synctray_runs_total",
        "counter",
        "Finished runs, by result.",
        &[
            (format!("{ws},result=\"success\""), successes.to_string()),
            (format!("{ws},result=\"error\""), errors.to_string()),
        ],
    );
    let jobs: Vec<(String, String)> = status
        .jobs
        .iter()
        .filter_map(|job| {
            let ms = job.duration_ms?;
            Some((
                format!("{ws},job=\"{}\"", escape(&job.name)),
                format!("{:.3}", ms as f64 / 1000.0),
            ))
        })
        .collect();
    if !jobs.is_empty() {
        metric(
            "synctray_job_duration_seconds",
            "gauge",
            "How long each job of the last run took.",
            &jobs,
        );
    }
    out
}

/// A label value as the exposition format writes it: `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The run counts the file holds for `workspace` (0 and 0 when there is no such file, or
/// it is not synctray's: a link, a folder, a file without the counter).
fn previous_counts(path: &Path, workspace: &str) -> (u64, u64) {
    let mut text = String::new();
    let read = crate::sys::open_regular(path, std::fs::OpenOptions::new().read(true), false)
        .and_then(|mut f| f.read_to_string(&mut text));
    if read.is_err() {
        return (0, 0);
    }
    let count = |result: &str| {
        let prefix = format!(
            "synctray_runs_total{{workspace=\"{}\",result=\"{result}\"}} ",
            escape(workspace)
        );
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    (count("success"), count("error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("x\ny"), "x\\ny");
    }

    #[test]
    fn counts_are_carried_from_the_file_for_this_workspace_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.prom");
        assert_eq!(previous_counts(&path, "w"), (0, 0));
        std::fs::write(
            &path,
            "synctray_runs_total{workspace=\"w\",result=\"success\"} 7\n\
             synctray_runs_total{workspace=\"w\",result=\"error\"} 2\n\
             synctray_runs_total{workspace=\"other\",result=\"error\"} 9\n",
        )
        .unwrap();
        assert_eq!(previous_counts(&path, "w"), (7, 2));
        assert_eq!(previous_counts(&path, "v"), (0, 0));
    }
}
