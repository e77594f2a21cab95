//! The person's list of workspaces (`synctray add`, `remove`, `workspaces`), and one
//! daemon serving all of it: each workspace on its own, none delaying another.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::util::{Daemon, Ws, processes_with, sleep_marker, stderr};

/// A home folder of its own: synctray's config folder (and so the list) is in it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `synctray args…` in this home, with no workspace chosen by the environment.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(crate::util::SYNCTRAY);
        cmd.args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join(".config"))
            .env("XDG_DATA_HOME", self.dir.path().join(".local/share"))
            .env("SYNCTRAY_LOG", "debug")
            .env_remove("SYNCTRAY_WORKSPACE")
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs `args` and expects exit 0.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "synctray {args:?}: {}\n{}",
            out.status,
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn list_file(&self) -> PathBuf {
        self.dir.path().join(".config/synctray/workspaces.json")
    }

    /// `synctray --daemon` serving the list, its log in this home.
    fn daemon(&self) -> Daemon {
        let log = self.dir.path().join("daemon.log");
        let child = self
            .cmd(&["--daemon"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Daemon { child, log }
    }
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A workspace whose one job is `command` (JSON), every second.
fn every_second(command: &str) -> Ws {
    Ws::new(&format!(
        r#"{{"schedule": "* * * * * *", "catchUp": false, "jobs": [{{"name": "job", "command": {command}}}]}}"#
    ))
}

#[test]
fn workspaces_are_added_listed_named_and_removed() {
    let home = Home::new();
    let a = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    let b = Ws::new(r#"{"intervalMinutes": 30, "jobs": [{"name": "b", "command": ["true"]}]}"#);
    let not_a_workspace = tempfile::tempdir().unwrap();

    let out = home.run(&["add", arg(not_a_workspace.path())]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds no valid workspace"),
        "{}",
        stderr(&out)
    );
    assert!(!home.list_file().exists(), "nothing listed");

    home.ok(&["add", arg(a.root()), "--name", "alpha"]);
    // The default name is the folder's.
    home.ok(&["add", arg(b.root())]);
    let b_name = b.root().file_name().unwrap().to_string_lossy().into_owned();

    let rows: serde_json::Value =
        serde_json::from_str(&home.ok(&["workspaces", "--json"])).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["name"], "alpha");
    assert_eq!(rows[0]["path"], arg(a.root()));
    assert_eq!(rows[0]["state"], "ok");
    assert!(rows[0]["nextRun"].is_string(), "{rows:?}");
    assert_eq!(rows[1]["name"], b_name.as_str());
    let text = home.ok(&["workspaces"]);
    assert!(text.contains("alpha") && text.contains(&b_name), "{text}");

    // A listed name stands for its folder.
    let status: serde_json::Value =
        serde_json::from_str(&home.ok(&["--workspace", "alpha", "status", "--json"])).unwrap();
    assert_eq!(status["workspace"], arg(a.root()), "{status}");
    home.ok(&["--workspace", "alpha", "sync"]);
    assert_eq!(a.status().unwrap()["status"], "success");

    home.ok(&["remove", "alpha"]);
    let out = home.run(&["remove", "alpha"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no listed workspace"),
        "{}",
        stderr(&out)
    );
    home.ok(&["remove", arg(b.root())]);
    let rows: serde_json::Value =
        serde_json::from_str(&home.ok(&["workspaces", "--json"])).unwrap();
    assert_eq!(rows, serde_json::json!([]));
    assert!(
        a.config_path().exists(),
        "removing keeps the workspace's files"
    );
}

#[test]
fn a_hand_edited_list_that_does_not_parse_is_named_and_never_overwritten() {
    let home = Home::new();
    let a = Ws::new(r#"{"intervalMinutes": 60}"#);
    std::fs::create_dir_all(home.list_file().parent().unwrap()).unwrap();
    let bad = "{ \"workspaces\": [ { \"name\": \"x\", ";
    std::fs::write(home.list_file(), bad).unwrap();
    for args in [
        vec!["workspaces"],
        vec!["add", arg(a.root())],
        vec!["remove", "x"],
        vec!["--daemon"],
    ] {
        let out = home.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&home.list_file().display().to_string()),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read_to_string(home.list_file()).unwrap(), bad);
}

/// Runs recorded in `ws`'s history so far.
fn runs(ws: &Ws) -> usize {
    ws.history().len()
}

#[test]
fn one_daemon_serves_the_list_and_a_hung_or_broken_workspace_never_delays_another() {
    let home = Home::new();
    let marker = sleep_marker(300);
    let fast = every_second(r#"["true"]"#);
    let hung = every_second(&format!(r#"["sleep", "{marker}"]"#));
    let broken = Ws::new(r#"{"intervalMinutes": 15}"#);
    for (ws, name) in [(&fast, "fast"), (&hung, "hung"), (&broken, "broken")] {
        home.ok(&["add", arg(ws.root()), "--name", name]);
    }
    // Broken after it was listed (adding checks the folder).
    broken.write_config(r#"{"intervalMinutes": "often"}"#);

    let mut daemon = home.daemon();
    daemon.wait(
        "the fast workspace runs while the hung one's job runs",
        Duration::from_secs(15),
        || runs(&fast) >= 3 && !processes_with(&marker).is_empty(),
    );
    assert!(hung.lock_exists(), "the hung run holds its own lock");
    daemon.wait_log(
        "workspace{name=broken}: cannot sync: the configuration does not load",
        Duration::from_secs(5),
    );

    // Added while runs are in progress: served within a second or two.
    let late = every_second(r#"["true"]"#);
    home.ok(&["add", arg(late.root()), "--name", "late"]);
    daemon.wait("the added workspace runs", Duration::from_secs(5), || {
        runs(&late) >= 1
    });

    // Removed: no longer scheduled (a run in progress may still end).
    home.ok(&["remove", "fast"]);
    std::thread::sleep(Duration::from_millis(1500));
    let after = runs(&fast);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        runs(&fast) <= after + 1,
        "the removed workspace stopped running"
    );
    assert!(runs(&late) >= 3, "the others go on\n{}", daemon.log());

    // The broken one is picked up once fixed.
    broken.write_config(r#"{"schedule": "* * * * * *", "catchUp": false, "jobs": [{"name": "b", "command": ["true"]}]}"#);
    daemon.wait("the fixed workspace runs", Duration::from_secs(5), || {
        runs(&broken) >= 1
    });

    // SIGTERM twice: the hung job is stopped at once, and nothing is left behind.
    daemon.signal(libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    daemon.signal(libc::SIGTERM);
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert_eq!(processes_with(&marker), Vec::<u32>::new(), "no job is left");
    for ws in [&fast, &hung, &broken, &late] {
        assert!(
            !ws.lock_exists(),
            "{}: the run lock is released",
            ws.root().display()
        );
        assert!(!ws.path("data/.synctray-instance").exists());
    }
    assert_eq!(hung.status().unwrap()["interrupted"], true);
}

#[test]
fn a_workspace_whose_folder_goes_away_comes_back_when_it_does_and_the_other_goes_on() {
    let home = Home::new();
    let stays = every_second(r#"["true"]"#);
    let moves = every_second(r#"["true"]"#);
    home.ok(&["add", arg(stays.root()), "--name", "stays"]);
    home.ok(&["add", arg(moves.root()), "--name", "moves"]);
    let mut daemon = home.daemon();
    daemon.wait(
        "two runs of the workspace that moves",
        Duration::from_secs(10),
        || runs(&moves) >= 2,
    );

    let away = moves.root().with_extension("away");
    std::fs::rename(moves.root(), &away).unwrap();
    daemon.wait("the folder's going is seen", Duration::from_secs(5), || {
        daemon.log().contains("is gone")
    });
    let before = runs(&stays);
    daemon.wait(
        "the other workspace goes on",
        Duration::from_secs(5),
        || runs(&stays) >= before + 2,
    );

    std::fs::rename(&away, moves.root()).unwrap();
    let back = runs(&moves);
    daemon.wait(
        "the workspace runs again once its folder is back",
        Duration::from_secs(8),
        || runs(&moves) >= back + 2,
    );
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(15));
}

#[test]
fn workspace_names_are_1_to_64_printable_characters_at_add_and_in_a_hand_edited_list() {
    let home = Home::new();
    let a = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    for name in ["x".repeat(65), "two\nlines".to_owned(), "  ".to_owned()] {
        let out = home.run(&["add", arg(a.root()), "--name", &name]);
        assert_eq!(out.status.code(), Some(2), "{name:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("must be 1 to 64 printable characters"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!home.list_file().exists(), "nothing listed");
    home.ok(&["add", arg(a.root()), "--name", &"y".repeat(64)]);

    // A hand edit is held to the same rule, and left as it is.
    let bad = serde_json::json!({ "workspaces": [{ "name": "z".repeat(200), "path": a.root() }] })
        .to_string();
    std::fs::write(home.list_file(), &bad).unwrap();
    for args in [
        vec!["workspaces"],
        vec!["add", arg(a.root())],
        vec!["--daemon"],
    ] {
        let out = home.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&home.list_file().display().to_string())
                && err.contains("workspaces[0].name must be 1 to 64 printable characters")
                && err.contains("(200 characters)"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(home.list_file()).unwrap(), bad);
}

#[test]
fn the_workspaces_table_is_sized_to_its_content_and_says_never_synced() {
    let home = Home::new();
    let a = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    let b = Ws::new(r#"{"intervalMinutes": 60, "jobs": [{"name": "b", "command": ["true"]}]}"#);
    home.ok(&["add", arg(a.root()), "--name", "alpha"]);
    home.ok(&["add", arg(b.root()), "--name", "b"]);
    home.ok(&["--workspace", "alpha", "sync"]);
    let text = home.ok(&["workspaces"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("✓ alpha  ok            last "),
        "{text}"
    );
    assert!(
        lines[1].starts_with("· b      never synced  last -"),
        "{text}"
    );
    assert!(!text.contains("✓ ok"), "{text}");
}

/// A daemon serving several workspaces: every line about a workspace names it, no line is
/// a Debug dump, and a workspace removed from the list stops without "press Ctrl-C again".
#[test]
fn a_daemons_log_names_each_workspace_and_fits_each_cause() {
    let home = Home::new();
    let alpha = every_second(r#"["sleep", "30"]"#);
    let beta = every_second(r#"["true"]"#);
    home.ok(&["add", arg(alpha.root()), "--name", "alpha"]);
    home.ok(&["add", arg(beta.root()), "--name", "beta"]);
    let mut daemon = home.daemon();
    daemon.wait("a run of each", Duration::from_secs(10), || {
        runs(&beta) >= 1
            && daemon
                .log()
                .contains("workspace{name=alpha}: schedule run started")
    });
    // alpha's run is in progress when it leaves the list: it gets its grace, and nothing
    // asks for a second Ctrl-C that nobody pressed.
    home.ok(&["remove", "alpha"]);
    daemon.wait("alpha to stop", Duration::from_secs(20), || {
        daemon
            .log()
            .contains("workspace{name=alpha}: scheduler stopped")
    });
    daemon.stop_with(libc::SIGTERM, Duration::from_secs(15));
    let log = daemon.log();
    for line in log.lines() {
        let about_a_run = line.contains("run started") || line.contains("job ");
        assert!(
            !about_a_run || line.contains("workspace{name="),
            "a line about a workspace that does not name it: {line}\n{log}"
        );
        assert!(
            !line.contains(" { ") && !line.contains("Finished("),
            "a Debug dump: {line}"
        );
    }
    let removed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("workspace{name=alpha}") && l.contains("stopping"))
        .collect();
    assert!(!removed.is_empty(), "{log}");
    assert!(removed.iter().all(|l| !l.contains("again")), "{removed:?}");
    assert!(
        log.contains("workspace{name=beta}: schedule run started"),
        "{log}"
    );
}
