use super::*;
use crate::status::{Failure, JobFailure};

fn status(json: &str) -> RunRecord {
    serde_json::from_str(json).unwrap()
}

/// The note a run shows, for a workspace whose alerts are `alerts`.
fn shown(
    alerts: &mut Alerts,
    previous: Option<&RunRecord>,
    run: &RunRecord,
    error: &RunError,
    wanted: &Notifications,
) -> Option<Note> {
    match alerts.after_run(previous, run, error, wanted)? {
        Verdict::Show(note) => Some(note),
        Verdict::Withdraw => None,
    }
}

fn note_for(
    previous: Option<&RunRecord>,
    run: &RunRecord,
    error: &RunError,
    wanted: &Notifications,
) -> Option<Note> {
    shown(&mut Alerts::default(), previous, run, error, wanted)
}

fn failed(job: &str, failure: Failure) -> RunError {
    RunError {
        first: Some(JobFailure {
            job: job.into(),
            failure,
            tail: String::new(),
        }),
        ..RunError::default()
    }
}

#[test]
fn failure_names_the_job_the_reason_and_the_last_line() {
    let run = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error"}"#);
    let error = RunError {
        first: Some(JobFailure {
            job: "quality".into(),
            failure: Failure::Exited(1),
            tail: "warn\nError: ESLint config not found\n\n".into(),
        }),
        ..RunError::default()
    };
    let note = note_for(None, &run, &error, &Notifications::default()).unwrap();
    let (summary, body) = note.text();
    assert_eq!(summary, "Sync failed: quality");
    assert_eq!(body, "exited with code 1\nError: ESLint config not found");
}

#[test]
fn the_same_failure_again_is_counted_not_shown_and_a_different_one_is_shown() {
    let wanted = Notifications::default();
    let mut alerts = Alerts::default();
    let run = status(
        r#"{"lastSync":"2026-11-25T14:15:03.120Z","startedAt":"2026-11-25T14:15:00.000Z","status":"error"}"#,
    );
    let later = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error"}"#);
    let exit1 = failed("quality", Failure::Exited(1));
    assert!(matches!(
        shown(&mut alerts, None, &run, &exit1, &wanted),
        Some(Note::Failed(_))
    ));
    // Another exit code is the same kind of reason: the same incident.
    for _ in 0..4 {
        let exit2 = failed("quality", Failure::Exited(2));
        assert!(shown(&mut alerts, Some(&run), &later, &exit2, &wanted).is_none());
    }
    let streak = alerts.failing().unwrap();
    assert_eq!(streak.job.as_deref(), Some("quality"));
    assert_eq!(streak.runs, 5);
    assert_eq!(streak.since, run.started());
    // A shutdown in the middle of the streak changes nothing.
    let mut cut = failed("quality", Failure::Interrupted);
    cut.interrupted = true;
    assert!(shown(&mut alerts, Some(&later), &later, &cut, &wanted).is_none());
    assert_eq!(alerts.failing().unwrap().runs, 5);
    // A timeout of the same job, or another job: a new incident.
    let timeout = failed(
        "quality",
        Failure::TimedOut(std::time::Duration::from_secs(60)),
    );
    assert!(shown(&mut alerts, Some(&later), &later, &timeout, &wanted).is_some());
    let other = failed(
        "projects",
        Failure::TimedOut(std::time::Duration::from_secs(60)),
    );
    assert!(shown(&mut alerts, Some(&later), &later, &other, &wanted).is_some());
    assert_eq!(alerts.failing().unwrap().runs, 1);
}

#[test]
fn a_problem_is_shown_once_and_its_end_is_a_recovery() {
    let wanted = Notifications::default();
    let mut alerts = Alerts::default();
    let first = alerts.problem(Some(&Blocker::DataReadOnly), &wanted);
    assert!(
        matches!(first, Some(Verdict::Show(Note::Problem(ref w))) if *w == Blocker::DataReadOnly)
    );
    assert!(
        alerts
            .problem(Some(&Blocker::DataReadOnly), &wanted)
            .is_none()
    );
    let (summary, _) = Note::Problem(Blocker::DataReadOnly).text();
    assert_eq!(summary, "Cannot sync: data/ is read-only");
    assert!(matches!(
        alerts.problem(None, &wanted),
        Some(Verdict::Show(Note::Recovered { duration_ms: None }))
    ));
    assert!(alerts.problem(None, &wanted).is_none());
    // A run that gets the lock ends the problem too, and says so once.
    alerts.problem(Some(&Blocker::DiskFull), &wanted);
    let good =
        status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success","durationMs":1500}"#);
    assert!(matches!(
        shown(
            &mut alerts,
            Some(&good),
            &good,
            &RunError::default(),
            &wanted
        ),
        Some(Note::Recovered {
            duration_ms: Some(1500)
        })
    ));
    assert!(alerts.problem(None, &wanted).is_none());
}

#[test]
fn stale_data_is_told_once_and_a_success_recovers_it() {
    let wanted = Notifications::default();
    let mut alerts = Alerts::default();
    let age = Some(TimeDelta::hours(3));
    let Some(Verdict::Show(note)) = alerts.overdue(age, None, &wanted) else {
        panic!("stale data is told");
    };
    assert_eq!(note.text().0, "Data is 3 h old");
    assert!(
        alerts
            .overdue(Some(TimeDelta::hours(4)), None, &wanted)
            .is_none()
    );
    let good =
        status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success","durationMs":1500}"#);
    let bad = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"x"}"#);
    assert!(matches!(
        shown(
            &mut alerts,
            Some(&bad),
            &good,
            &RunError::default(),
            &wanted
        ),
        Some(Note::Recovered { .. })
    ));
    // Paused while stale: the reminder is taken down, nothing new is said.
    alerts.overdue(age, None, &wanted);
    assert!(matches!(
        alerts.overdue(None, None, &wanted),
        Some(Verdict::Withdraw)
    ));
}

#[test]
fn a_recovery_not_wanted_takes_the_failure_down() {
    let wanted = Notifications {
        on_recovery: false,
        ..Notifications::default()
    };
    let mut alerts = Alerts::default();
    let bad = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"x"}"#);
    let good = status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success"}"#);
    alerts.after_run(None, &bad, &failed("quality", Failure::Exited(1)), &wanted);
    assert!(matches!(
        alerts.after_run(Some(&bad), &good, &RunError::default(), &wanted),
        Some(Verdict::Withdraw)
    ));
}

#[test]
fn ages_read_in_the_largest_whole_unit() {
    assert_eq!(age_words(TimeDelta::minutes(45)), "45 min");
    assert_eq!(age_words(TimeDelta::minutes(190)), "3 h");
    assert_eq!(age_words(TimeDelta::hours(50)), "2 d");
}

#[test]
fn an_interrupted_run_notifies_nothing_and_the_next_success_is_no_recovery() {
    let cut = status(
        r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"interrupted by shutdown","interrupted":true}"#,
    );
    let error = RunError {
        first: Some(JobFailure {
            job: "quality".into(),
            failure: Failure::Interrupted,
            tail: String::new(),
        }),
        interrupted: true,
        ..RunError::default()
    };
    let wanted = Notifications::default();
    assert!(note_for(None, &cut, &error, &wanted).is_none());
    let ok = status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success"}"#);
    assert!(note_for(Some(&cut), &ok, &RunError::default(), &wanted).is_none());
}

#[test]
fn a_run_that_failed_without_a_failed_job_says_why() {
    let run = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error"}"#);
    let error = RunError {
        unrecorded: vec!["data/sync-status.json: cannot write: No space left on device".into()],
        ..RunError::default()
    };
    let (summary, body) = note_for(None, &run, &error, &Notifications::default())
        .unwrap()
        .text();
    assert_eq!(summary, "Sync failed: run");
    assert_eq!(
        body,
        "the result could not be recorded: data/sync-status.json: cannot write: No space left on device"
    );
}

#[test]
fn recovery_is_told_once_and_success_is_quiet_by_default() {
    let bad = status(r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error","error":"x"}"#);
    let good =
        status(r#"{"lastSync":"2026-11-25T14:45:03.120Z","status":"success","durationMs":1500}"#);
    let wanted = Notifications::default();
    let ok = RunError::default();
    assert!(matches!(
        note_for(Some(&bad), &good, &ok, &wanted),
        Some(Note::Recovered {
            duration_ms: Some(1500)
        })
    ));
    assert!(note_for(Some(&good), &good, &ok, &wanted).is_none());
    let all = Notifications {
        on_success: true,
        ..wanted
    };
    assert!(matches!(
        note_for(Some(&good), &good, &ok, &all),
        Some(Note::Succeeded { duration_ms: 1500 })
    ));
    let none = Notifications {
        on_error: false,
        on_recovery: false,
        on_success: false,
    };
    let failed = RunError {
        interrupted: true,
        ..RunError::default()
    };
    assert!(note_for(Some(&bad), &bad, &failed, &none).is_none());
}

#[test]
fn a_new_process_goes_on_with_the_recorded_failure_and_tells_a_different_one() {
    let wanted = Notifications::default();
    let last = status(
        r#"{"lastSync":"2026-11-25T14:30:03.120Z","status":"error",
            "jobs":[{"name":"quality","status":"error","exitCode":1}]}"#,
    );
    // `synctray sync` from a timer: each run a new process.
    let mut alerts = Alerts::resume(Some(&last));
    let again = failed("quality", Failure::Exited(1));
    assert!(shown(&mut alerts, Some(&last), &last, &again, &wanted).is_none());
    assert_eq!(alerts.failing().unwrap().runs, 2);
    let other = failed(
        "quality",
        Failure::TimedOut(std::time::Duration::from_secs(60)),
    );
    assert!(shown(&mut alerts, Some(&last), &last, &other, &wanted).is_some());
    let mut fresh = Alerts::resume(Some(&last));
    let elsewhere = failed("deploy", Failure::Exited(1));
    assert!(shown(&mut fresh, Some(&last), &last, &elsewhere, &wanted).is_some());
    // A success after it is the recovery, told once.
    let good = status(r#"{"lastSync":"2026-11-25T14:35:03.120Z","status":"success"}"#);
    let mut alerts = Alerts::resume(Some(&last));
    assert!(matches!(
        shown(
            &mut alerts,
            Some(&last),
            &good,
            &RunError::default(),
            &wanted
        ),
        Some(Note::Recovered { .. })
    ));
    // Nothing recorded, or a success: nothing to go on with.
    assert!(Alerts::resume(None).failing().is_none());
    assert!(Alerts::resume(Some(&good)).failing().is_none());
}

#[test]
fn a_failure_that_makes_the_data_stale_stays_the_headline_with_the_age_and_actions() {
    let wanted = Notifications::default();
    let mut alerts = Alerts::default();
    let bad = status(
        r#"{"lastSync":"2026-11-25T11:17:03.120Z","startedAt":"2026-11-25T11:17:00.000Z","status":"error","error":"quality: exited with code 1: boom",
            "jobs":[{"name":"quality","status":"error","reason":"exited with code 1"}]}"#,
    );
    assert!(matches!(
        shown(
            &mut alerts,
            None,
            &bad,
            &failed("quality", Failure::Exited(1)),
            &wanted
        ),
        Some(Note::Failed(_))
    ));
    for _ in 0..3 {
        assert!(
            shown(
                &mut alerts,
                Some(&bad),
                &bad,
                &failed("quality", Failure::Exited(1)),
                &wanted
            )
            .is_none()
        );
    }
    let Some(Verdict::Show(note)) = alerts.overdue(Some(TimeDelta::minutes(3)), None, &wanted)
    else {
        panic!("the reminder is shown");
    };
    let (summary, body) = note.text();
    assert_eq!(summary, "Sync failed: quality");
    let since = bad.started().with_timezone(&chrono::Local).format("%H:%M");
    assert_eq!(
        body,
        format!("exited with code 1\nFailing since {since} (4 runs) · data 3 min old")
    );
    assert_eq!(
        note.actions(),
        [
            NoteAction::ShowLog,
            NoteAction::SyncNow,
            NoteAction::PauseHour
        ]
    );
    assert!(note.is_incident() && note.is_alarm());
    // Said once: older still, nothing more.
    assert!(
        alerts
            .overdue(Some(TimeDelta::minutes(9)), None, &wanted)
            .is_none()
    );
    // The recovery takes its place.
    let good =
        status(r#"{"lastSync":"2026-11-25T11:30:03.120Z","status":"success","durationMs":1500}"#);
    assert!(matches!(
        shown(
            &mut alerts,
            Some(&bad),
            &good,
            &RunError::default(),
            &wanted
        ),
        Some(Note::Recovered { .. })
    ));
}

#[test]
fn a_scheduler_started_on_a_failing_stale_workspace_says_the_failure_once() {
    let wanted = Notifications::default();
    let bad = status(
        r#"{"lastSync":"2026-11-25T11:17:03.120Z","status":"error","error":"quality: exited with code 1: boom",
            "jobs":[{"name":"quality","status":"error","reason":"exited with code 1"}]}"#,
    );
    let mut alerts = Alerts::resume(Some(&bad));
    let Some(Verdict::Show(note)) = alerts.overdue(Some(TimeDelta::minutes(5)), None, &wanted)
    else {
        panic!("the failure is told");
    };
    assert!(matches!(note, Note::StillFailing { .. }), "{note:?}");
    assert_eq!(note.text().0, "Sync failed: quality");
    assert!(
        note.text().1.contains("data 5 min old"),
        "{:?}",
        note.text()
    );
    // The catch-up run fails the same way: the same incident, nothing new on screen.
    assert!(
        shown(
            &mut alerts,
            Some(&bad),
            &bad,
            &failed("quality", Failure::Exited(1)),
            &wanted
        )
        .is_none()
    );
    assert_eq!(alerts.failing().unwrap().runs, 2);
    // Stale without a failure: the stale notice, as before.
    let mut fresh = Alerts::resume(Some(&status(
        r#"{"lastSync":"2026-11-25T11:17:03.120Z","status":"success"}"#,
    )));
    let Some(Verdict::Show(note)) = fresh.overdue(Some(TimeDelta::minutes(5)), None, &wanted)
    else {
        panic!("stale data is told");
    };
    assert_eq!(note.text().0, "Data is 5 min old");
    assert!(note.actions().is_empty());
}

#[test]
fn what_to_fix_looks_like_a_warning_and_what_stops_runs_like_an_alarm() {
    let open = Note::OpenFailed {
        path: "/ws/data/logs".into(),
        why: Some("no opener".into()),
    };
    assert_eq!(open.severity(), Severity::Warning);
    assert_eq!(
        Note::ConfigWarning(vec![crate::config::ConfigWarning::ProbeWithoutRequire]).severity(),
        Severity::Warning
    );
    assert_eq!(Note::Problem(Blocker::DiskFull).severity(), Severity::Alarm);
    assert_eq!(
        Note::Recovered { duration_ms: None }.severity(),
        Severity::Info
    );
}
