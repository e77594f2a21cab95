//! `synctray export` checked by the schedulers' own tools: `systemd-analyze verify` and
//! `systemd-analyze calendar` (whose times must be `synctray next`'s), kubernetes-validate
//! (PyPI; its schemas are bundled, it works offline), Python's plistlib for the launchd
//! plist and its XML parser for the Task Scheduler task; and `unexport`, which leaves a
//! foreign file alone. A missing tool fails the test under CI and skips it elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{Ws, assert_exit_code, on_path};

/// Whether `program` is here; under CI a missing one fails the test, saying what to
/// install.
fn have(program: &str, install: &str) -> bool {
    if on_path(program) {
        return true;
    }
    let why = format!("{program} is missing: {install}");
    assert!(std::env::var_os("CI").is_none(), "{why}");
    eprintln!("skipped: {why}");
    false
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `synctray export ARGS` in `ws`, with the machine's zone `tz`; its output.
fn export(ws: &Ws, tz: &str, args: &[&str]) -> Output {
    let mut cmd = ws.cmd(&["export"]);
    cmd.args(args).env("TZ", tz).env_remove("SYNCTRAY_LOG");
    run(&mut cmd)
}

fn export_ok(ws: &Ws, tz: &str, args: &[&str]) -> Output {
    let out = export(ws, tz, args);
    assert_exit_code(&out, 0, &format!("synctray export {}", args.join(" ")));
    out
}

/// The `OnCalendar=` values of an exported timer.
fn on_calendar(timer: &str) -> Vec<String> {
    timer
        .lines()
        .filter_map(|l| l.strip_prefix("OnCalendar="))
        .map(str::to_owned)
        .collect()
}

/// The next `n` times systemd elapses `spec` at, as `YYYY-MM-DDTHH:MM:SSZ`, under the
/// wall clock `faketime` gives (`None`: the real one).
fn systemd_times(spec: &str, n: usize, faketime: Option<&str>) -> Vec<String> {
    let mut cmd = match faketime {
        Some(at) => {
            let mut c = Command::new("faketime");
            c.arg(at).arg("systemd-analyze");
            c
        }
        None => Command::new("systemd-analyze"),
    };
    cmd.arg("calendar")
        .arg(format!("--iterations={n}"))
        .arg(spec)
        .env("TZ", "UTC");
    let out = run(&mut cmd);
    assert_exit_code(&out, 0, &format!("systemd-analyze calendar {spec}"));
    text(&out.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("Next elapse:").or_else(|| {
                l.strip_prefix("Iter. #")
                    .and_then(|r| r.split_once(':').map(|x| x.1))
            })
        })
        .map(|t| {
            // "Mon 2026-12-07 08:00:00 UTC"
            let parts: Vec<&str> = t.split_whitespace().collect();
            format!("{}T{}Z", parts[1], parts[2])
        })
        .collect()
}

/// `synctray next -n N --json` as `YYYY-MM-DDTHH:MM:SSZ`, under `faketime`'s clock.
fn synctray_times(ws: &Ws, n: usize, faketime: Option<&str>) -> Vec<String> {
    let mut cmd = match faketime {
        Some(at) => {
            let mut c = Command::new("faketime");
            c.arg(at).arg(env!("CARGO_BIN_EXE_synctray"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_synctray")),
    };
    cmd.arg("--workspace")
        .arg(ws.root())
        .args(["next", "-n", &n.to_string(), "--json"])
        .env("TZ", "UTC");
    let out = run(&mut cmd);
    assert_exit_code(&out, 0, "synctray next --json");
    let times: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    times
        .iter()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .unwrap()
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .collect()
}

const SCHEDULES: [(&str, &str); 4] = [
    (
        "every 15 min",
        r#""intervalMinutes": 15, "timezone": "Europe/Madrid""#,
    ),
    (
        "every 2 h",
        r#""intervalMinutes": 120, "timezone": "Europe/Madrid""#,
    ),
    (
        "weekdays 9-18",
        r#""schedule": "0 9-18 * * 1-5", "timezone": "Europe/Madrid""#,
    ),
    (
        "daily in New York",
        r#""schedule": "30 7 * * *", "timezone": "America/New_York""#,
    ),
];

fn ws_with(schedule: &str) -> Ws {
    Ws::new(&format!(
        r#"{{{schedule}, "jobs": [{{"name": "a", "command": ["true"]}}]}}"#
    ))
}

#[test]
fn systemd_timers_elapse_exactly_when_synctray_would_run() {
    if !have("systemd-analyze", "apt-get install systemd") {
        return;
    }
    for (what, schedule) in SCHEDULES {
        let ws = ws_with(schedule);
        // A workspace that never ran is due now (catch-up); one that ran is due at its
        // schedule's next times.
        ws.run_ok(&["sync"]);
        let out = export_ok(&ws, "UTC", &["systemd"]);
        let specs = on_calendar(&text(&out.stdout));
        assert_eq!(specs.len(), 1, "{what}: {}", text(&out.stdout));
        // The two lists are read a moment apart: a slot can pass in between, so read
        // again if they differ.
        let mut tries = 0;
        loop {
            let theirs = systemd_times(&specs[0], 20, None);
            let ours = synctray_times(&ws, 20, None);
            assert_eq!(theirs.len(), 20, "{what}: {theirs:?}");
            if theirs == ours || tries == 2 {
                assert_eq!(theirs, ours, "{what}: OnCalendar={}", specs[0]);
                break;
            }
            tries += 1;
        }
    }
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    if !have("systemd-analyze", "apt-get install systemd") {
        return;
    }
    for (what, schedule) in SCHEDULES
        .iter()
        .copied()
        .chain([("every 45 min", r#""intervalMinutes": 45, "catchUp": false"#)])
    {
        let ws = ws_with(schedule);
        let dir = tempfile::tempdir().unwrap();
        let out = export_ok(
            &ws,
            "UTC",
            &["systemd", "--output", dir.path().to_str().unwrap()],
        );
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 2, "{what}: {}", text(&out.stdout));
        let service = files
            .iter()
            .find(|f| f.extension().unwrap() == "service")
            .unwrap();
        let body = std::fs::read_to_string(service).unwrap();
        for line in [
            "Type=oneshot",
            "SuccessExitStatus=75",
            "TimeoutStartSec=60min",
            "sync --scheduled",
        ] {
            assert!(body.contains(line), "{what}: {line} in\n{body}");
        }
        assert!(!body.contains("Restart="), "{body}");
        let verify = run(Command::new("systemd-analyze").arg("verify").args(&files));
        assert_exit_code(&verify, 0, &format!("{what}: systemd-analyze verify"));
        let said = text(&verify.stderr);
        assert!(
            !said.contains("synctray"),
            "{what}: systemd-analyze verify says:\n{said}"
        );
        let timer = files
            .iter()
            .find(|f| f.extension().unwrap() == "timer")
            .unwrap();
        let timer = std::fs::read_to_string(timer).unwrap();
        assert!(timer.contains("AccuracySec=1s"), "{timer}");
        if what == "every 45 min" {
            // Not a calendar: 45 minutes after the previous start, no catch-up at start.
            assert!(timer.contains("OnUnitActiveSec=45min"), "{timer}");
            assert!(timer.contains("OnActiveSec=45min"), "{timer}");
            assert!(!timer.contains("Persistent"), "{timer}");
        } else {
            assert!(timer.contains("Persistent=true"), "{timer}");
        }
    }
}

#[test]
fn systemd_skips_a_time_in_the_spring_forward_gap_and_export_says_so() {
    if !have("systemd-analyze", "apt-get install systemd")
        || !have("faketime", "apt-get install faketime")
    {
        return;
    }
    // Without catch-up, a workspace that never ran is due at its next time, not now.
    let ws = ws_with(r#""schedule": "30 2 * * *", "timezone": "Europe/Madrid", "catchUp": false"#);
    let out = export_ok(&ws, "UTC", &["systemd"]);
    let warned = text(&out.stderr);
    assert!(
        warned.contains("skips the 02:30 (2027-03-28 02:30) run") && warned.contains("at 03:00"),
        "{warned}"
    );
    let spec = &on_calendar(&text(&out.stdout))[0];
    // The day before the clocks change in Madrid.
    let at = "2027-03-27 12:00:00";
    let theirs = systemd_times(spec, 3, Some(at));
    let ours = synctray_times(&ws, 3, Some(at));
    // synctray runs at 03:00 CEST (01:00 UTC) on the 28th; systemd not at all that day.
    assert_eq!(
        ours,
        [
            "2027-03-28T01:00:00Z",
            "2027-03-29T00:30:00Z",
            "2027-03-30T00:30:00Z"
        ]
    );
    assert_eq!(
        theirs,
        [
            "2027-03-29T00:30:00Z",
            "2027-03-30T00:30:00Z",
            "2027-03-31T00:30:00Z"
        ]
    );
}

#[test]
fn the_cronjob_passes_kubernetes_validate_strict() {
    if !have(
        "kubernetes-validate",
        "python3 -m pip install kubernetes-validate",
    ) {
        return;
    }
    let ws = ws_with(r#""schedule": "0 9-18 * * 1-5", "timezone": "Europe/Madrid""#);
    let dir = tempfile::tempdir().unwrap();
    export_ok(
        &ws,
        "UTC",
        &[
            "k8s",
            "--image",
            "registry.example/dash:1",
            "--claim",
            "dash-data",
            "--output",
            dir.path().to_str().unwrap(),
        ],
    );
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let validate = run(Command::new("kubernetes-validate")
        .arg("--strict")
        .arg(&file));
    assert_exit_code(&validate, 0, "kubernetes-validate --strict");
    let yaml = std::fs::read_to_string(&file).unwrap();
    for line in [
        "schedule: \"0 9-18 * * 1-5\"",
        "timeZone: \"Europe/Madrid\"",
        "concurrencyPolicy: Forbid",
        "backoffLimit: 0",
        "activeDeadlineSeconds: 3600",
        "restartPolicy: Never",
        "image: \"registry.example/dash:1\"",
        "claimName: \"dash-data\"",
        r#"command: ["synctray", "--workspace", "/workspace", "sync", "--scheduled"]"#,
    ] {
        assert!(yaml.contains(line), "{line} in\n{yaml}");
    }
    // The longest gap of the schedule, Friday 18:00 to Monday 09:00, with catchUp.
    assert!(yaml.contains("startingDeadlineSeconds: 226800"), "{yaml}");

    // A fixed time in the hour New York repeats in November runs twice there.
    let ws = ws_with(r#""schedule": "30 1 * * *", "timezone": "America/New_York""#);
    let out = export_ok(&ws, "UTC", &["k8s", "--image", "x:1"]);
    assert!(
        text(&out.stderr).contains("#121594"),
        "{}",
        text(&out.stderr)
    );
    // An interval that is not a calendar is refused by name.
    let ws = ws_with(r#""intervalMinutes": 45"#);
    let out = export(&ws, "UTC", &["k8s", "--image", "x:1"]);
    assert_exit_code(&out, 2, "export k8s every 45 min");
    assert!(
        text(&out.stderr).contains("every 45 minutes"),
        "{}",
        text(&out.stderr)
    );
}

/// The plist at `path` as JSON, read by Python's plistlib.
fn plist(path: &Path) -> serde_json::Value {
    let out = run(Command::new("python3")
        .arg("-c")
        .arg(
            "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        )
        .arg(path));
    assert_exit_code(&out, 0, "plistlib");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_launchd_plist_reads_with_plistlib_and_holds_every_time() {
    if !have("python3", "apt-get install python3") {
        return;
    }
    let ws = ws_with(r#""schedule": "0 9-18 * * 1-5", "timezone": "Europe/Madrid""#);
    let dir = tempfile::tempdir().unwrap();
    // On a machine in Madrid: the same times.
    export_ok(
        &ws,
        "Europe/Madrid",
        &["launchd", "-o", dir.path().to_str().unwrap()],
    );
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let p = plist(&file);
    let args = p["ProgramArguments"].as_array().unwrap();
    assert_eq!(
        args[1..],
        [
            "--workspace",
            ws.root().to_str().unwrap(),
            "sync",
            "--scheduled"
        ]
    );
    assert_eq!(p["RunAtLoad"], true);
    let entries = p["StartCalendarInterval"].as_array().unwrap();
    let mut seen: Vec<(u64, u64, u64)> = entries
        .iter()
        .map(|e| {
            assert_eq!(e.as_object().unwrap().len(), 3, "{e}");
            (
                e["Weekday"].as_u64().unwrap(),
                e["Hour"].as_u64().unwrap(),
                e["Minute"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let expected: Vec<(u64, u64, u64)> = (1..=5)
        .flat_map(|d| (9..=18).map(move |h| (d, h, 0)))
        .collect();
    assert_eq!(seen, expected);

    // On a machine in UTC: Madrid's summer time cannot be followed, refused by name.
    let out = export(&ws, "UTC", &["launchd"]);
    assert_exit_code(&out, 2, "export launchd from UTC");
    assert!(
        text(&out.stderr).contains("no time zones"),
        "{}",
        text(&out.stderr)
    );

    // Every 15 minutes holds in any zone that differs by whole hours: four entries.
    let ws = ws_with(r#""intervalMinutes": 15, "timezone": "Europe/Madrid""#);
    let out = export_ok(&ws, "UTC", &["launchd"]);
    let file = dir.path().join("dry.plist");
    std::fs::write(&file, &out.stdout).unwrap();
    let minutes: Vec<u64> = plist(&file)["StartCalendarInterval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Minute"].as_u64().unwrap())
        .collect();
    assert_eq!(minutes, [0, 15, 30, 45]);
    // An interval that divides no hour is StartInterval.
    let ws = ws_with(r#""intervalMinutes": 45"#);
    let out = export_ok(&ws, "UTC", &["launchd"]);
    std::fs::write(&file, &out.stdout).unwrap();
    assert_eq!(plist(&file)["StartInterval"], 45 * 60);
}

#[test]
fn the_task_xml_parses_with_its_triggers_and_settings() {
    if !have("python3", "apt-get install python3") {
        return;
    }
    let ws = ws_with(r#""schedule": "0 9-18 * * 1-5", "timezone": "Europe/Madrid""#);
    let dir = tempfile::tempdir().unwrap();
    let out = export_ok(
        &ws,
        "Europe/Madrid",
        &["windows", "-o", dir.path().to_str().unwrap()],
    );
    assert!(
        text(&out.stdout).contains("schtasks /Create /XML"),
        "{}",
        text(&out.stdout)
    );
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // Task Scheduler's own encoding: UTF-16 with a byte-order mark.
    assert_eq!(std::fs::read(&file).unwrap()[..2], [0xFF, 0xFE]);
    let script = r#"
import json, sys, xml.etree.ElementTree as ET
ns = {'t': 'http://schemas.microsoft.com/windows/2004/02/mit/task'}
root = ET.parse(sys.argv[1]).getroot()
def text(path): return root.find(path, ns).text
triggers = root.findall('t:Triggers/t:CalendarTrigger', ns)
print(json.dumps({
  'triggers': [{
     'start': t.find('t:StartBoundary', ns).text,
     'interval': t.find('t:Repetition/t:Interval', ns).text,
     'duration': t.find('t:Repetition/t:Duration', ns).text,
     'days': [d.tag.split('}')[1] for d in t.find('t:ScheduleByWeek/t:DaysOfWeek', ns)],
  } for t in triggers],
  'instances': text('t:Settings/t:MultipleInstancesPolicy'),
  'whenAvailable': text('t:Settings/t:StartWhenAvailable'),
  'battery': [text('t:Settings/t:DisallowStartIfOnBatteries'), text('t:Settings/t:StopIfGoingOnBatteries')],
  'limit': text('t:Settings/t:ExecutionTimeLimit'),
  'args': text('t:Actions/t:Exec/t:Arguments'),
}))
"#;
    let parsed = run(Command::new("python3").arg("-c").arg(script).arg(&file));
    assert_exit_code(&parsed, 0, "the task XML parsed");
    let task: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
    let triggers = task["triggers"].as_array().unwrap();
    assert_eq!(triggers.len(), 1, "{task}");
    let t = &triggers[0];
    assert!(t["start"].as_str().unwrap().ends_with("T09:00:00"), "{t}");
    // Every hour from 09:00 through 18:00.
    assert_eq!(t["interval"], "PT60M");
    assert_eq!(t["duration"], "PT541M");
    assert_eq!(
        t["days"],
        serde_json::json!(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    );
    assert_eq!(task["instances"], "IgnoreNew");
    assert_eq!(task["whenAvailable"], "true");
    assert_eq!(task["battery"], serde_json::json!(["false", "false"]));
    assert_eq!(task["limit"], "PT60M");
    assert!(
        task["args"].as_str().unwrap().ends_with("sync --scheduled"),
        "{task}"
    );
}

#[test]
fn unexport_removes_what_export_wrote_and_leaves_a_foreign_file() {
    let ws = ws_with(r#""intervalMinutes": 15"#);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    export_ok(&ws, "UTC", &["systemd", "-o", out_dir]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    let foreign = dir.path().join("backup.timer");
    std::fs::write(
        &foreign,
        "[Timer]\nOnCalendar=daily\n# synctray-export mentioned\n",
    )
    .unwrap();
    // The same export again replaces its own files.
    export_ok(&ws, "UTC", &["systemd", "-o", out_dir]);
    let out = ws.run(&["unexport", "systemd", "-o", out_dir]);
    assert_exit_code(&out, 0, "unexport systemd");
    assert_eq!(
        text(&out.stdout).matches("removed").count(),
        2,
        "{}",
        text(&out.stdout)
    );
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left, [foreign]);
    // Nothing left to remove: said, not an error.
    let out = ws.run(&["unexport", "systemd", "-o", out_dir]);
    assert_exit_code(&out, 0, "unexport systemd again");
    assert!(text(&out.stdout).contains("nothing to remove"));
}

#[test]
fn sync_scheduled_is_recorded_as_a_scheduled_run_and_skips_while_paused() {
    let ws = ws_with(r#""intervalMinutes": 15"#);
    ws.run_ok(&["sync", "--scheduled"]);
    assert_eq!(ws.status().unwrap()["trigger"], "schedule");
    ws.run_ok(&["pause"]);
    let out = ws.run_ok(&["sync", "--scheduled"]);
    assert!(
        text(&out.stdout).contains("paused"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(ws.history().len(), 1, "a paused workspace does not run");
    // A plain sync still runs, as the CLI's own.
    ws.run_ok(&["sync"]);
    assert_eq!(ws.status().unwrap()["trigger"], "cli");
}

/// What Wine 8's `schtasks /Create /XML` shows, and all it shows: it reads the UTF-16 file
/// and registers the task, keeping its settings, and refuses a file that is not a task;
/// its Task Scheduler keeps no triggers and no action (they are stubs there), so the
/// triggers are checked by the XML test above, not here.
#[test]
fn wine_schtasks_registers_the_exported_task_with_its_settings() {
    if !have("wine", "apt-get install wine wine64 (or run .ci/wine)") {
        return;
    }
    let ws = ws_with(r#""schedule": "0 9-18 * * 1-5", "timezone": "Europe/Madrid""#);
    let dir = tempfile::tempdir().unwrap();
    export_ok(
        &ws,
        "Europe/Madrid",
        &["windows", "-o", dir.path().to_str().unwrap()],
    );
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let not_a_task = dir.path().join("not-a-task.xml");
    std::fs::write(&not_a_task, "<Task>\n").unwrap();
    // A prefix of this test's own, kept for the next run (wineboot takes a while).
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-wine-prefix");
    let schtasks = |file: &Path, name: &str| {
        run(Command::new("wine")
            .args(["schtasks", "/Create", "/XML"])
            .arg(format!("Z:{}", file.display()).replace('/', "\\"))
            .args(["/TN", name, "/F"])
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env_remove("DISPLAY"))
    };
    let name = format!("synctray\\test-{}", std::process::id());
    let created = schtasks(&file, &name);
    assert_exit_code(&created, 0, "wine schtasks /Create /XML");
    let stored = prefix
        .join("drive_c/windows/system32/tasks")
        .join(name.replace('\\', "/"));
    let kept = std::fs::read(&stored).unwrap();
    let kept = String::from_utf8_lossy(&kept);
    for setting in [
        "<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
        "<StartWhenAvailable>true</StartWhenAvailable>",
        "<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
        "<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
        "<ExecutionTimeLimit>PT60M</ExecutionTimeLimit>",
    ] {
        assert!(kept.contains(setting), "{setting} in\n{kept}");
    }
    let _ = std::fs::remove_file(&stored);
    let refused = schtasks(&not_a_task, &format!("{name}-bad"));
    assert_ne!(
        refused.status.code(),
        Some(0),
        "Wine's schtasks took a file that is no task"
    );
}
