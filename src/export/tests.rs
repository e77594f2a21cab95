//! Export and unexport in a folder: what is written, what is replaced, what is left alone.

use super::*;
use crate::workspace::Source;

fn request<'a>(ws: &'a Workspace, config: &'a Config) -> Request<'a> {
    Request {
        ws,
        config,
        scope: Scope::User,
        exe: PathBuf::from("/usr/bin/synctray"),
        local: jiff::tz::TimeZone::get("Europe/Madrid").unwrap(),
        now: "2026-12-06T12:00:00Z".parse().unwrap(),
        user: Some("ana".to_owned()),
        lingering: false,
        image: Some("registry.example/sync:1".to_owned()),
        claim: None,
    }
}

fn config(text: &str) -> Config {
    Config::parse(text).unwrap()
}

#[test]
fn unexport_removes_this_workspaces_files_and_leaves_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path().join("ws"), Source::Flag);
    let other = Workspace::at(dir.path().join("ws2"), Source::Flag);
    let units = dir.path().join("units");
    let config = config(r#"{"intervalMinutes": 15, "timezone": "Europe/Madrid"}"#);
    let made = export(Target::Systemd, &request(&ws, &config)).unwrap();
    let written = write(&made, &ws, &units).unwrap();
    assert_eq!(written.written.len(), 2);
    let theirs = export(Target::Systemd, &request(&other, &config)).unwrap();
    write(&theirs, &other, &units).unwrap();
    std::fs::write(units.join("mine.timer"), "[Timer]\nOnCalendar=daily\n").unwrap();
    // A file of the export's name that it did not write is never replaced.
    let clash = units.join(&made.files[0].name);
    let ours = std::fs::read(&clash).unwrap();
    std::fs::write(&clash, "[Service]\nExecStart=/bin/true\n").unwrap();
    assert!(matches!(
        write(&made, &ws, &units),
        Err(WriteError::Foreign(_))
    ));
    std::fs::write(&clash, ours).unwrap();

    let removed = unexport(Target::Systemd, &ws, &units).unwrap();
    assert_eq!(removed.len(), 2, "{removed:?}");
    let mut left: Vec<String> = std::fs::read_dir(&units)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left.contains(&"mine.timer".to_owned()));
    // Another target's unexport removes none of them.
    assert!(unexport(Target::K8s, &other, &units).unwrap().is_empty());
}

#[test]
fn a_second_export_removes_what_the_first_wrote_and_the_second_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path().join("ws"), Source::Flag);
    let out = dir.path().join("out");
    let config = config(r#"{"intervalMinutes": 15}"#);
    let mut made = export(Target::Systemd, &request(&ws, &config)).unwrap();
    write(&made, &ws, &out).unwrap();
    made.files.truncate(1);
    let done = write(&made, &ws, &out).unwrap();
    assert_eq!(done.removed.len(), 1);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn unit_names_are_safe_and_differ_by_folder() {
    let a = Workspace::at("/srv/My Dashboard", Source::Flag);
    let b = Workspace::at("/home/x/My Dashboard", Source::Flag);
    let (na, nb) = (unit_name(&a), unit_name(&b));
    assert!(na.starts_with("synctray-my-dashboard-"), "{na}");
    assert_ne!(na, nb);
    assert!(
        na.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    );
}

#[test]
fn what_cannot_be_carried_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path(), Source::Flag);
    let every_45 = config(r#"{"intervalMinutes": 45}"#);
    let err = export(Target::K8s, &request(&ws, &every_45)).unwrap_err();
    assert!(err.to_string().contains("every 45 minutes"), "{err}");
    // systemd and launchd carry it as an interval.
    assert!(export(Target::Systemd, &request(&ws, &every_45)).is_ok());
    assert!(export(Target::Launchd, &request(&ws, &every_45)).is_ok());
    let seconds = config(r#"{"schedule": "*/30 * * * * *"}"#);
    let err = export(Target::Systemd, &request(&ws, &seconds)).unwrap_err();
    assert!(err.to_string().contains("seconds"), "{err}");
    let mut no_image = request(&ws, &every_45);
    no_image.image = None;
    assert_eq!(
        export(Target::K8s, &no_image).unwrap_err(),
        Difference::NoImage
    );
}

#[test]
fn daylight_saving_differences_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path(), Source::Flag);
    let spring = config(r#"{"schedule": "30 2 * * *", "timezone": "Europe/Madrid"}"#);
    let made = export(Target::Systemd, &request(&ws, &spring)).unwrap();
    let words: Vec<String> = made.warnings.iter().map(ToString::to_string).collect();
    assert!(
        words
            .iter()
            .any(|w| w.contains("02:30") && w.contains("03:00")),
        "{words:?}"
    );
    let fall = config(r#"{"schedule": "30 2 * * *", "timezone": "Europe/Madrid"}"#);
    let made = export(Target::K8s, &request(&ws, &fall)).unwrap();
    let words: Vec<String> = made.warnings.iter().map(ToString::to_string).collect();
    assert!(
        words
            .iter()
            .any(|w| w.contains("twice") && w.contains("#121594")),
        "{words:?}"
    );
}

#[test]
fn launchd_refuses_a_zone_it_cannot_follow() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir.path(), Source::Flag);
    let ny = config(r#"{"schedule": "0 9 * * 1-5", "timezone": "America/New_York"}"#);
    let err = export(Target::Launchd, &request(&ws, &ny)).unwrap_err();
    assert!(err.to_string().contains("no time zones"), "{err}");
    let madrid = config(r#"{"schedule": "0 9 * * 1-5", "timezone": "Europe/Madrid"}"#);
    assert!(export(Target::Launchd, &request(&ws, &madrid)).is_ok());
}
