//! The real Windows build (`synctray.exe`, `synctray-tray.exe` for x86_64-pc-windows-gnu)
//! run under Wine: commands and exit codes, the lock, job trees, the daemon, Ctrl-C, the
//! end of the session, the tray icon, the Windows unit tests of the platform seam, and the
//! installer (built here with makensis from these executables).
//!
//! `.ci/wine` builds the executables once and prints `SYNCTRAY_WINDOWS_BIN` (the folder
//! holding both executables) and `SYNCTRAY_WINDOWS_UNIT_TESTS` (the library's unit-test
//! executable); CI sets them before the README's `cargo test`. Without them, or with a
//! missing tool (wine, the mingw C compiler and objdump, Xvfb, trayer, xwininfo,
//! makensis), every test here fails when `CI` is set, and otherwise says what is missing
//! and passes: a plain `cargo test` on a developer's machine does not build for Windows.
//!
//! Test environment (not product code): a private `WINEPREFIX` under the cargo target
//! folder, made once per run, with a stand-in `bcryptprimitives.dll` that exports
//! `ProcessPrng` (Rust's std needs it; Windows 10+ has it, Wine 8 does not), built here
//! with mingw; and `helper.exe`, a small Windows program used as a job: it says whether it
//! has a console window, can start a grandchild copy of itself, sleeps, and leaves a
//! `MARKER.done` file when it finishes. Its marker argument is what finds its processes in
//! `/proc` (Wine shows the Windows command line there).
//!
//! What Wine cannot show (and so no test here claims): that a file locked with
//! `LockFileEx` cannot be read by another process on real Windows (Wine lets the read
//! through); closing a console window (the session's end is shown, through
//! `wineboot --end-session`, and goes the same way); the tray's menu (Wine's
//! `Shell_NotifyIconGetRect` is a stub and tray-icon drops the click), so the tray test
//! checks the icon docking and the jobs it runs, not the menu.

#![cfg(target_os = "linux")]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod support;

use support::desktop::{Desktop, Parts};
use support::proc::{processes_with, wait_until};
use synctray::shortcut::APP_USER_MODEL_ID;

/// The stand-in for `bcryptprimitives.dll`: `ProcessPrng` over `RtlGenRandom`.
const PRNG_C: &str = r#"
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n; len -= n;
    }
    return TRUE;
}
"#;

/// The job program: `helper.exe MARKER SECONDS [tree]`, or `helper.exe hold FILE MS` to
/// hold FILE open without delete sharing (as many readers do) for MS milliseconds.
const HELPER_C: &str = r#"
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "hold") == 0) {
        HANDLE h = CreateFileA(argv[2], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) return 4;
        printf("holding\n");
        fflush(stdout);
        Sleep((DWORD)atoi(argv[3]));
        CloseHandle(h);
        return 0;
    }
    if (argc < 3) return 2;
    printf("console-window=%d\n", GetConsoleWindow() != NULL);
    fflush(stdout);
    if (argc > 3 && strcmp(argv[3], "tree") == 0) {
        char cmd[1024];
        STARTUPINFOA si = { sizeof si };
        PROCESS_INFORMATION pi;
        snprintf(cmd, sizeof cmd, "\"%s\" %s-grandchild %s", argv[0], argv[1], argv[2]);
        if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return 3;
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    Sleep((DWORD)(atof(argv[2]) * 1000));
    char name[600];
    snprintf(name, sizeof name, "%s.done", argv[1]);
    FILE *f = fopen(name, "w");
    if (f) fclose(f);
    printf("done\n");
    return 0;
}
"#;

/// The Windows build and the prefix it runs in.
struct Wine {
    bin: PathBuf,
    prefix: PathBuf,
    helper: PathBuf,
}

/// The programs the Wine tests need, and the Debian package of each.
const TOOLS: [(&str, &str); 8] = [
    ("wine", "wine"),
    ("wineserver", "wine"),
    ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
    ("Xvfb", "xvfb"),
    ("trayer", "trayer"),
    ("xwininfo", "x11-utils"),
    ("makensis", "nsis"),
    ("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64"),
];

/// The Windows build under Wine, or `None` (with the reason printed) when this run has
/// none. Panics under `CI` when the build is given but a tool is missing.
fn wine() -> Option<&'static Wine> {
    static WINE: OnceLock<Option<Wine>> = OnceLock::new();
    WINE.get_or_init(|| {
        let Some(bin) = std::env::var_os("SYNCTRAY_WINDOWS_BIN").map(PathBuf::from) else {
            let message = "SYNCTRAY_WINDOWS_BIN is not set: `.ci/wine` builds \
                           the Windows executables and sets it";
            if std::env::var_os("CI").is_some() {
                panic!("the Wine tests need the Windows build: {message}");
            }
            eprintln!("skipped: {message}");
            return None;
        };
        let path = std::env::var_os("PATH").unwrap_or_default();
        let missing: Vec<_> = TOOLS
            .iter()
            .filter(|(tool, _)| !std::env::split_paths(&path).any(|d| d.join(tool).is_file()))
            .collect();
        if !missing.is_empty() {
            let packages: Vec<_> = missing.iter().map(|(_, p)| *p).collect();
            let message = format!(
                "missing {:?}; run `apt-get install -y --no-install-recommends {}`",
                missing.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
                packages.join(" ")
            );
            if std::env::var_os("CI").is_some() {
                panic!("the Wine tests need their tools: {message}");
            }
            eprintln!("skipped: {message}");
            return None;
        }
        for exe in ["synctray.exe", "synctray-tray.exe"] {
            assert!(
                bin.join(exe).is_file(),
                "{} is missing: SYNCTRAY_WINDOWS_BIN must hold the Windows build",
                bin.join(exe).display()
            );
        }
        let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix");
        let helper = prefix.join("helper.exe");
        let wine = Wine {
            bin,
            prefix,
            helper,
        };
        wine.prepare();
        Some(wine)
    })
    .as_ref()
}

impl Wine {
    /// Makes the prefix (once, and kept for the next run; one left half-made by an
    /// interrupted run is made again) with the `ProcessPrng` stand-in, and builds the
    /// helper.
    fn prepare(&self) {
        // The ready mark holds the sources it was made from: a changed helper remakes it.
        let ready = self.prefix.join("synctray-ready");
        let made_from = format!("{PRNG_C}{HELPER_C}");
        if fs::read_to_string(&ready).is_ok_and(|t| t == made_from) {
            return;
        }
        let _ = fs::remove_dir_all(&self.prefix);
        fs::create_dir_all(&self.prefix).unwrap();
        let started = Instant::now();
        let boot = self
            .command("wineboot")
            .arg("-i")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .output()
            .expect("wineboot runs");
        let system32 = self.prefix.join("drive_c/windows/system32");
        assert!(
            system32.is_dir(),
            "wineboot made no prefix: {}",
            String::from_utf8_lossy(&boot.stderr)
        );
        gcc(
            PRNG_C,
            &["-shared", "-ladvapi32"],
            &system32.join("bcryptprimitives.dll"),
        );
        gcc(HELPER_C, &[], &self.helper);
        // wineboot's own processes must be gone before tests start theirs.
        let _ = self.command("wineserver").arg("-w").status();
        fs::write(&ready, made_from).unwrap();
        eprintln!("wine prefix ready in {:?}", started.elapsed());
    }

    /// A program run in the prefix, with no display and no output.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "winemenubuilder.exe=d")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SYNCTRAY_WORKSPACE")
            .env("SYNCTRAY_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    /// `wine synctray.exe --workspace WS args…`.
    fn synctray(&self, ws: &Ws, args: &[&str]) -> Command {
        let mut cmd = self.command("wine");
        cmd.arg(self.bin.join("synctray.exe"))
            .arg("--workspace")
            .arg(windows_path(ws.root()))
            .args(args);
        cmd
    }

    fn run(&self, ws: &Ws, args: &[&str]) -> Output {
        self.synctray(ws, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("wine runs synctray.exe")
    }

    /// The helper's path as Windows sees it.
    fn helper(&self) -> String {
        windows_path(&self.helper)
    }
}

fn gcc(source: &str, flags: &[&str], out: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("source.c");
    fs::write(&c, source).unwrap();
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .arg("-O2")
        .arg("-o")
        .arg(out)
        .arg(&c)
        .args(flags)
        .output()
        .expect("mingw gcc runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// A unix path as Wine's Windows programs see it (drive Z: is `/`).
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// A JSON string literal.
fn json(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// A temporary workspace.
struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new(config: &str) -> Ws {
        let ws = Ws {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(ws.path("data/config")).unwrap();
        ws.write_config(config);
        ws
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write_config(&self, text: &str) {
        fs::write(self.path("data/config/sync.json"), text).unwrap();
    }

    fn status(&self) -> Option<serde_json::Value> {
        let text = fs::read_to_string(self.path("data/sync-status.json")).ok()?;
        Some(serde_json::from_str(&text).expect("the status file always parses"))
    }

    fn history_len(&self) -> usize {
        fs::read_to_string(self.path("data/sync-history.jsonl"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// Every run log, concatenated.
    fn logs(&self) -> String {
        let mut all = String::new();
        for entry in fs::read_dir(self.path("data/logs")).into_iter().flatten() {
            all += &fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        }
        all
    }

    fn lock_exists(&self) -> bool {
        self.path("data/.sync-lock").exists()
    }
}

/// A synctray process under Wine, killed (with whatever it started) if the test ends first.
struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    /// Starts `command` in a unix process group of its own, as a terminal starts a
    /// foreground program, with its stderr in `log`.
    fn start(mut command: Command, log: PathBuf) -> Running {
        use std::os::unix::process::CommandExt;
        let child = command
            .stderr(fs::File::create(&log).unwrap())
            .process_group(0)
            .spawn()
            .expect("wine starts");
        Running { child, log }
    }

    /// Ctrl-C in its terminal: SIGINT to its whole process group.
    fn ctrl_c(&self) {
        // SAFETY: kill(2) on the group of a child we started; no memory is touched.
        unsafe { libc::kill(-(self.child.id() as libc::pid_t), libc::SIGINT) };
    }

    fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A marker unique to this test process and call.
fn marker(name: &str) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{name}{}x{n}", std::process::id())
}

/// A job running the helper directly: `MARKER SECONDS [tree]`.
fn helper_job(wine: &Wine, name: &str, mark: &str, seconds: u32, tree: bool) -> String {
    let mut argv = vec![wine.helper(), mark.to_owned(), seconds.to_string()];
    if tree {
        argv.push("tree".into());
    }
    format!(
        r#"{{"name": {}, "command": {}}}"#,
        json(name),
        serde_json::to_string(&argv).unwrap()
    )
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn commands_give_their_exit_codes() {
    let Some(wine) = wine() else { return };
    let ws = Ws::new(r#"{"intervalMinutes": 15, "jobs": [{"name": "ok", "command": "exit 0"}]}"#);
    let check = wine.run(&ws, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    let interval = wine.run(&ws, &["interval", "45"]);
    assert_eq!(interval.status.code(), Some(0), "{}", text(&interval));
    let config = fs::read_to_string(ws.path("data/config/sync.json")).unwrap();
    assert!(config.contains("\"intervalMinutes\": 45"), "{config}");
    let bad = wine.run(&ws, &["interval", "0"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    for (args, paused) in [(["pause"], true), (["resume"], false)] {
        let out = wine.run(&ws, &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let status = wine.run(&ws, &["status", "--json"]);
        let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
        assert_eq!(report["paused"], paused, "{report}");
    }

    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(0), "{}", text(&sync));
    assert_eq!(ws.status().unwrap()["status"], "success");

    ws.write_config(
        r#"{"jobs": [{"name": "fails", "command": "echo Error: broken 1>&2 & exit 3"}]}"#,
    );
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(1), "{}", text(&sync));
    let status = ws.status().unwrap();
    assert_eq!(status["jobs"][0]["exitCode"], 3, "{status}");
    assert!(
        status["error"].as_str().unwrap().contains("Error: broken"),
        "{status}"
    );

    ws.write_config(r#"{"intervalMinutes": 0}"#);
    let check = wine.run(&ws, &["check"]);
    assert_eq!(check.status.code(), Some(2), "{}", text(&check));
    assert!(
        text(&check).contains("intervalMinutes must be a whole number from 1 to 1440, got 0"),
        "{}",
        text(&check)
    );
    assert!(!ws.lock_exists());
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_run_keeps_the_system_awake_from_its_start_to_its_end_unless_keep_awake_is_false() {
    let Some(wine) = wine() else { return };
    let ws = Ws::new(r#"{"jobs": [{"name": "one", "command": "echo one"}]}"#);
    let name = ws
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(0), "{}", text(&sync));
    // The debug log (wine.command sets SYNCTRAY_LOG=debug) says when
    // SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED) took, and when it was
    // reset: around the job.
    let log = String::from_utf8_lossy(&sync.stderr);
    let at = |what: &str| {
        log.find(what)
            .unwrap_or_else(|| panic!("no {what:?} in the log:\n{log}"))
    };
    let held = at(&format!("keeping the system awake: Syncing {name}"));
    let job = at("job one: exited with code 0");
    let released = at(&format!("the system may sleep again: Syncing {name}"));
    assert!(held < job && job < released, "{log}");

    ws.write_config(r#"{"keepAwake": false, "jobs": [{"name": "one", "command": "echo one"}]}"#);
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(0), "{}", text(&sync));
    let log = String::from_utf8_lossy(&sync.stderr);
    assert!(log.contains("job one: exited with code 0"), "{log}");
    assert!(!log.contains("keeping the system awake"), "{log}");
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_string_command_reaches_cmd_exactly_as_written() {
    let Some(wine) = wine() else { return };
    let line = r#"echo "a b" & if "x y"=="x y" echo quoted-compare-ok"#;
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{{"name": "quotes", "command": {}}}]}}"#,
        json(line)
    ));
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(0), "{}", text(&sync));
    let log = ws.logs();
    assert!(
        log.lines().any(|l| l.trim_end() == r#""a b""#),
        "cmd did not get the quotes as written:\n{log}"
    );
    assert!(!log.contains(r#"\""#), "re-quoted:\n{log}");
    assert!(log.contains("quoted-compare-ok"), "{log}");
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_missing_program_under_cmd_is_reported_as_could_not_start() {
    let Some(wine) = wine() else { return };
    let ws = Ws::new(r#"{"jobs": [{"name": "missing", "command": "no-such-program-here --x"}]}"#);
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(sync.status.code(), Some(1), "{}", text(&sync));
    let status = ws.status().unwrap();
    let reason = status["jobs"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("could not start"), "{status}");
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_held_lock_skips_and_a_killed_holder_leaves_no_job_and_no_block() {
    let Some(wine) = wine() else { return };
    let mark = marker("held");
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{}]}}"#,
        helper_job(wine, "slow", &mark, 120, true)
    ));
    let mut holder = Running::start(wine.synctray(&ws, &["sync"]), ws.path("holder.log"));
    assert!(
        wait_until(Duration::from_secs(30), || processes_with(&mark).len() >= 2),
        "the job and its grandchild did not start: {}",
        holder.log()
    );
    let second = wine.run(&ws, &["sync"]);
    assert_eq!(second.status.code(), Some(75), "{}", text(&second));
    assert!(
        text(&second).contains("already running"),
        "{}",
        text(&second)
    );

    // A hard kill: no chance to clean up. The job object's last handle closes with the
    // process, and that ends the job and its grandchild.
    holder.child.kill().unwrap();
    holder.child.wait().unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || processes_with(&mark).is_empty()),
        "the job tree outlived the killed synctray: {:?}",
        processes_with(&mark)
    );
    ws.write_config(r#"{"jobs": [{"name": "quick", "command": "exit 0"}]}"#);
    let next = wine.run(&ws, &["sync"]);
    assert_eq!(next.status.code(), Some(0), "{}", text(&next));
    assert!(
        text(&next).contains("taking over the lock"),
        "{}",
        text(&next)
    );
    assert!(!ws.lock_exists());
}

/// "Running" comes from the OS lock, never from a process id: Wine hands a dead holder's
/// pid straight to the next process (here the `status` command itself), so a pid check
/// would call the dead holder alive.
#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn status_does_not_report_a_killed_holder_as_running() {
    let Some(wine) = wine() else { return };
    let mark = marker("status");
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{}]}}"#,
        helper_job(wine, "slow", &mark, 120, false)
    ));
    let mut holder = Running::start(wine.synctray(&ws, &["sync"]), ws.path("holder.log"));
    assert!(wait_until(Duration::from_secs(30), || !processes_with(
        &mark
    )
    .is_empty()));
    let status = wine.run(&ws, &["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["running"], true, "{report}");
    holder.child.kill().unwrap();
    holder.child.wait().unwrap();
    assert!(wait_until(Duration::from_secs(10), || processes_with(
        &mark
    )
    .is_empty()));
    let status = wine.run(&ws, &["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["running"], false, "{report}");
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_job_past_its_timeout_is_stopped_with_its_whole_tree() {
    let Some(wine) = wine() else { return };
    let mark = marker("timeout");
    let mut job = helper_job(wine, "tree", &mark, 300, true);
    job.insert_str(job.len() - 1, r#", "timeoutMinutes": 1"#);
    let ws = Ws::new(&format!(
        r#"{{"jobs": [{job}, {{"name": "next", "command": "exit 0"}}]}}"#
    ));
    let started = Instant::now();
    let sync = wine.run(&ws, &["sync"]);
    let took = started.elapsed();
    assert_eq!(sync.status.code(), Some(1), "{}", text(&sync));
    assert!(
        took >= Duration::from_secs(59) && took < Duration::from_secs(80),
        "took {took:?}"
    );
    let status = ws.status().unwrap();
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("tree: timed out"),
        "{status}"
    );
    assert_eq!(status["jobs"][1]["status"], "not-run", "{status}");
    assert!(
        wait_until(Duration::from_secs(5), || processes_with(&mark).is_empty()),
        "the job tree outlived its timeout: {:?}",
        processes_with(&mark)
    );
    assert!(!ws.path(&format!("{mark}-grandchild.done")).exists());
    assert!(!ws.lock_exists());
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_daemon_runs_a_seconds_schedule_and_stops_on_ctrl_c() {
    let Some(wine) = wine() else { return };
    let ws = Ws::new(
        r#"{"schedule": "*/1 * * * * *", "jobs": [{"name": "tick", "command": "echo tick"}]}"#,
    );
    let mut daemon = Running::start(wine.synctray(&ws, &["--daemon"]), ws.path("daemon.log"));
    assert!(
        wait_until(Duration::from_secs(30), || ws.history_len() >= 3),
        "three runs, a second apart: {}",
        daemon.log()
    );
    daemon.ctrl_c();
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(!ws.lock_exists());
    assert!(!ws.path("data/.synctray-instance").exists());
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn ctrl_c_gives_the_running_job_its_grace_period() {
    let Some(wine) = wine() else { return };
    let mark = marker("grace");
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{}]}}"#,
        helper_job(wine, "sleeper", &mark, 4, true)
    ));
    // Never synced: the first run starts at once.
    let mut daemon = Running::start(wine.synctray(&ws, &["--daemon"]), ws.path("daemon.log"));
    assert!(
        wait_until(Duration::from_secs(30), || processes_with(&mark).len() >= 2),
        "the job did not start: {}",
        daemon.log()
    );
    // The terminal's Ctrl-C goes to synctray, never to the job (its own process group).
    daemon.ctrl_c();
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(
        ws.path(&format!("{mark}.done")).exists(),
        "the job was cut short instead of finishing in its grace period: {}",
        daemon.log()
    );
    assert_eq!(
        ws.status().unwrap()["status"],
        "success",
        "{}",
        daemon.log()
    );
    assert!(processes_with(&mark).is_empty());
    assert!(!ws.lock_exists());
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn a_second_ctrl_c_stops_the_job_tree_at_once() {
    let Some(wine) = wine() else { return };
    let mark = marker("twice");
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{}]}}"#,
        helper_job(wine, "sleeper", &mark, 120, true)
    ));
    let mut daemon = Running::start(wine.synctray(&ws, &["--daemon"]), ws.path("daemon.log"));
    assert!(
        wait_until(Duration::from_secs(30), || processes_with(&mark).len() >= 2),
        "the job did not start: {}",
        daemon.log()
    );
    daemon.ctrl_c();
    assert!(wait_until(Duration::from_secs(10), || daemon
        .log()
        .contains("press Ctrl-C again")));
    let sent = Instant::now();
    daemon.ctrl_c();
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        daemon.log()
    );
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    assert!(
        wait_until(Duration::from_secs(5), || processes_with(&mark).is_empty()),
        "{:?}",
        processes_with(&mark)
    );
    let status = ws.status().unwrap();
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by shutdown"),
        "{status}"
    );
    assert!(!ws.lock_exists());
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_status_file_is_replaced_while_a_reader_holds_it_open() {
    let Some(wine) = wine() else { return };
    let ws = Ws::new(r#"{"jobs": [{"name": "ok", "command": "exit 0"}]}"#);
    let first = wine.run(&ws, &["sync"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let before = ws.status().unwrap()["lastSync"].clone();

    // A Windows reader that opens the file without delete sharing, for longer than the
    // next sync needs to start and run, and less than the replace's patience.
    let mut reader = wine
        .command("wine")
        .arg(&wine.helper)
        .args([
            "hold",
            &windows_path(&ws.path("data/sync-status.json")),
            "6000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(reader.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "holding");
    let sync = wine.run(&ws, &["sync"]);
    assert_eq!(reader.wait().unwrap().code(), Some(0));
    assert_eq!(sync.status.code(), Some(0), "{}", text(&sync));
    assert_ne!(
        ws.status().unwrap()["lastSync"],
        before,
        "the status was not replaced: {}",
        text(&sync)
    );
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_tray_docks_its_icon_and_runs_jobs_without_a_console_window() {
    let Some(shared) = wine() else { return };
    // A prefix of its own: Wine's desktop process (which hosts notification icons) serves a
    // whole prefix, on the display of whichever program started it first, and the other
    // tests run without one.
    let (dir, wine) = private_prefix(shared);
    let wine = &wine;
    let _prefix = PrivatePrefix(wine);
    // Xvfb and trayer, trayer's panel up.
    let desktop = Desktop::with(Parts {
        xembed_tray: true,
        sni_host: false,
        notifications: false,
    });
    let display = desktop.display();
    let tree = || {
        let out = desktop
            .command("xwininfo")
            .args(["-root", "-tree"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let (argv_mark, cmd_mark) = (marker("trayargv"), marker("traycmd"));
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{}, {{"name": "shell", "command": {}}}]}}"#,
        helper_job(wine, "argv", &argv_mark, 1, false),
        json(&format!("{} {cmd_mark} 1", wine.helper()))
    ));
    let mut command = wine.command("wine");
    command
        .arg(wine.bin.join("synctray-tray.exe"))
        .arg("--workspace")
        .arg(windows_path(ws.root()))
        .env("DISPLAY", display);
    let mut tray = Running::start(command, dir.path().join("tray.log"));
    // Never synced: the catch-up run starts at once.
    assert!(
        wait_until(Duration::from_secs(60), || ws.status().is_some()),
        "no run: {}",
        tray.log()
    );
    let status = ws.status().unwrap();
    assert_eq!(status["status"], "success", "{status}\n{}", tray.log());
    let logs = ws.logs();
    assert_eq!(
        logs.matches("console-window=0").count(),
        2,
        "a job of the tray got a console window:\n{logs}"
    );

    // Wine's explorer docks the notification icon into trayer's panel (XEmbed): the panel
    // gains an icon-sized child window.
    let docked = || {
        let tree = tree();
        let Some(panel) = tree.find("\"panel\"") else {
            return false;
        };
        tree[panel..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("        "))
            .any(icon_sized)
    };
    assert!(
        wait_until(Duration::from_secs(20), docked),
        "no icon docked in the tray:\n{}\n{}",
        tree(),
        tray.log()
    );
    assert!(tray.child.try_wait().unwrap().is_none(), "{}", tray.log());
}

/// A copy of the prepared prefix, for a test that starts Wine's desktop on its own display
/// or ends the session: one wineserver and one desktop process per prefix.
fn private_prefix(shared: &Wine) -> (tempfile::TempDir, Wine) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&shared.prefix)
        .arg(dir.path().join("prefix"))
        .status()
        .unwrap();
    assert!(copied.success());
    let wine = Wine {
        bin: shared.bin.clone(),
        prefix: dir.path().join("prefix"),
        helper: dir.path().join("prefix/helper.exe"),
    };
    (dir, wine)
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_end_of_the_session_stops_the_daemon_gracefully_in_time() {
    let Some(shared) = wine() else { return };
    // Ending the session ends every program of the prefix: a prefix of its own, and a
    // display, since Windows tells a program of the session's end through its windows.
    let (_dir, wine) = private_prefix(shared);
    let wine = &wine;
    let _prefix = PrivatePrefix(wine);
    let desktop = Desktop::with(Parts {
        xembed_tray: false,
        sni_host: false,
        notifications: false,
    });
    let display = desktop.display();
    let mark = marker("session");
    let ws = Ws::new(&format!(
        r#"{{"intervalMinutes": 60, "jobs": [{}]}}"#,
        helper_job(wine, "sleeper", &mark, 120, true)
    ));
    let mut command = wine.synctray(&ws, &["--daemon"]);
    command.env("DISPLAY", display);
    let mut daemon = Running::start(command, ws.path("daemon.log"));
    assert!(
        wait_until(Duration::from_secs(30), || processes_with(&mark).len() >= 2),
        "the job did not start: {}",
        daemon.log()
    );
    // Log off, as Windows does it: every program is told, then ended a few seconds later.
    let ended = wine
        .command("wineboot")
        .arg("--end-session")
        .env("DISPLAY", display)
        .status()
        .unwrap();
    assert!(ended.success());
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        daemon.log()
    );
    let log = daemon.log();
    let drain = log.find("a run in progress has").expect(&log);
    let now = log.find("stopping now").expect(&log);
    assert!(drain < now, "first the grace period, then the stop:\n{log}");
    let status = ws.status().expect(&log);
    assert!(
        status["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by shutdown"),
        "{status}"
    );
    assert!(
        wait_until(Duration::from_secs(5), || processes_with(&mark).is_empty()),
        "{:?}",
        processes_with(&mark)
    );
    assert!(!ws.lock_exists());
}

/// The types of an executable's resources (the top level of its resource directory, as
/// mingw's objdump lists it), and the UTF-16 strings of its resource section, in order.
fn resources(exe: &Path) -> (Vec<u32>, Vec<String>) {
    let out = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(exe)
        .output()
        .expect("mingw objdump runs");
    assert!(out.status.success(), "{}", text(&out));
    let listing = String::from_utf8_lossy(&out.stdout);
    // "010   Entry: ID: 0x000003, Value: …": three spaces is the top level, the types.
    let types = listing
        .lines()
        .filter_map(|l| l.split_once("   Entry: ID: 0x"))
        .filter(|(offset, _)| offset.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|(_, rest)| u32::from_str_radix(&rest[..6], 16).unwrap())
        .collect();
    let bytes = fs::read(exe).unwrap();
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    // The version block's keys and values are NUL-terminated UTF-16 strings, 4-aligned:
    // runs of printable characters (at an even offset, which 4-aligned ones are).
    let strings = units
        .split(|&u| !(0x20..0x7f).contains(&u))
        .filter(|run| run.len() >= 3)
        .map(String::from_utf16_lossy)
        .collect();
    (types, strings)
}

/// Whether an `xwininfo -tree` line is a window of at least 16×16 pixels (trayer's own
/// placeholder child is 1×1).
fn icon_sized(line: &str) -> bool {
    line.split_whitespace().any(|word| {
        let size = word.split('+').next().unwrap_or_default();
        let mut dims = size.split('x').map(|n| n.parse::<u32>().unwrap_or(0));
        matches!((dims.next(), dims.next(), dims.next()), (Some(w), Some(h), None) if w >= 16 && h >= 16)
    })
}

/// Ends every process of a test's own prefix when the test ends, however it ends.
struct PrivatePrefix<'w>(&'w Wine);

impl Drop for PrivatePrefix<'_> {
    fn drop(&mut self) {
        let _ = self.0.command("wineserver").arg("-k").status();
        let _ = self.0.command("wineserver").arg("-w").status();
    }
}

#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_windows_unit_tests_of_the_platform_seam_pass() {
    let Some(wine) = wine() else { return };
    let Some(tests) = std::env::var_os("SYNCTRAY_WINDOWS_UNIT_TESTS") else {
        panic!("SYNCTRAY_WINDOWS_UNIT_TESTS must name the library's Windows unit-test executable");
    };
    // The seam's own tests: same_file, the retrying replace, process liveness, the Run
    // value through the registry API.
    let out = wine
        .command("wine")
        .arg(&tests)
        .args(["sys::", "--test-threads=1"])
        // The prefix is this run's own: the real Run key may be written.
        .env("SYNCTRAY_TEST_REAL_RUN_KEY", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    for name in [
        "a_file_replaced_at_its_path_is_not_the_same_file",
        "the_status_is_replaced_once_a_reader_that_blocks_it_lets_go",
        "a_process_is_alive_until_it_exits",
        "the_run_value_is_written_read_and_removed_through_the_registry",
        "enable_writes_the_run_value_that_windows_starts_at_login",
        "windows_arguments_survive_the_c_runtime_parser",
    ] {
        assert!(
            shown.contains(&format!("{name} ... ok")),
            "{name} did not pass:\n{shown}"
        );
    }
}

/// The Windows installer (`data/windows/synctray.nsi`), built here with `makensis` from the
/// executables under test, installed silently in a prefix of its own, used, and uninstalled
/// the way "Apps" does it (its `QuietUninstallString`): nothing of the program is left, and
/// the user's data is. While the installed program runs, neither uninstalling nor
/// installing over it changes anything.
#[test]
#[cfg_attr(not(windows_build), ignore = "needs the Windows build: .ci/wine")]
fn the_installer_installs_per_user_and_the_uninstaller_keeps_the_users_data() {
    let Some(shared) = wine() else { return };
    // Installing writes HKCU (and the uninstall removes the Run value, which the unit
    // tests of the seam write in the shared prefix): a prefix of its own.
    let (dir, wine) = private_prefix(shared);
    let wine = &wine;
    let _prefix = PrivatePrefix(wine);
    let version = env!("CARGO_PKG_VERSION");

    let setup = dir.path().join(format!("synctray-{version}-setup.exe"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/windows/synctray.nsi");
    let built = Command::new("makensis")
        .arg("-V2")
        // The debug executables are large and the installer is thrown away: not compressed.
        .arg("-DUNCOMPRESSED")
        .arg(format!("-DVERSION={version}"))
        .arg(format!(
            "-DBIN={}",
            wine.bin.canonicalize().unwrap().display()
        ))
        .arg(format!("-DOUTFILE={}", setup.display()))
        .arg(&script)
        .output()
        .expect("makensis runs");
    assert!(built.status.success(), "makensis:\n{}", text(&built));
    eprintln!(
        "installer: {} bytes (debug executables)",
        fs::metadata(&setup).unwrap().len()
    );

    // The folders as Windows names them for this user, and where they are here.
    let folder = |var: &str| {
        let out = wine
            .command("wine")
            .args(["cmd", "/c", &format!("echo %{var}%")])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let windows = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(windows.contains(":\\"), "%{var}% is {windows:?}");
        let unix = wine
            .command("winepath")
            .args(["-u", &windows])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let unix = PathBuf::from(String::from_utf8_lossy(&unix.stdout).trim());
        (windows, unix)
    };
    let (local_win, local) = folder("LOCALAPPDATA");
    let (_, roaming) = folder("APPDATA");
    let install_win = format!(r"{local_win}\Programs\synctray");
    let install = local.join("Programs/synctray");
    let shortcut = roaming.join("Microsoft/Windows/Start Menu/Programs/synctray.lnk");
    let uninstall_key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\synctray";
    let run_key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
    let reg_query = |key: &str, value: Option<&str>| {
        let mut cmd = wine.command("wine");
        cmd.args(["reg", "query", key]);
        if let Some(value) = value {
            cmd.args(["/v", value]);
        }
        let out = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).replace('\r', ""))
    };

    // Silent install, as a user (the installer asks for no administrator).
    let installed = wine
        .command("wine")
        .arg(&setup)
        .arg("/S")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(installed.status.code(), Some(0), "{}", text(&installed));
    let _ = wine.command("wineserver").arg("-w").status();
    for file in [
        "synctray.exe",
        "synctray-tray.exe",
        "README.md",
        "Uninstall.exe",
    ] {
        assert!(install.join(file).is_file(), "{file} not installed");
    }
    // The Start-menu shortcut starts the tray (the .lnk holds its path).
    let lnk = fs::read(&shortcut).expect("the Start-menu shortcut");
    let target = r"Programs\synctray\synctray-tray.exe";
    let utf16: Vec<u8> = target.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(
        lnk.windows(target.len()).any(|w| w == target.as_bytes())
            || lnk.windows(utf16.len()).any(|w| w == utf16),
        "the shortcut does not start synctray-tray.exe"
    );
    // It carries synctray's AppUserModelID (System.AppUserModel.ID, in its property store),
    // and the id is registered with the name and icon Windows shows on synctray's toasts.
    assert_eq!(
        synctray::shortcut::app_id(&lnk),
        Ok(Some(APP_USER_MODEL_ID.to_owned())),
        "the shortcut's System.AppUserModel.ID"
    );
    assert_eq!(
        lnkparse_app_id(&shortcut).as_deref(),
        Some(APP_USER_MODEL_ID),
        "the shortcut's System.AppUserModel.ID, as LnkParse3 reads it"
    );
    let app_id_key = format!(r"HKCU\Software\Classes\AppUserModelId\{APP_USER_MODEL_ID}");
    let registered = reg_query(&app_id_key, None).expect("the AppUserModelID's registration");
    for line in [
        "DisplayName    REG_SZ    synctray\n".to_owned(),
        format!("IconUri    REG_SZ    {install_win}\\synctray.png\n"),
    ] {
        assert!(
            registered.to_lowercase().contains(&line.to_lowercase()),
            "no {line:?} in\n{registered}"
        );
    }
    assert!(install.join("synctray.png").is_file(), "the toasts' icon");
    let entry = reg_query(uninstall_key, None).expect("the uninstall entry");
    for (name, value) in [
        ("DisplayName", "synctray".to_owned()),
        ("DisplayVersion", version.to_owned()),
        ("Publisher", "synctray developers".to_owned()),
        ("DisplayIcon", format!(r"{install_win}\synctray-tray.exe,0")),
        (
            "UninstallString",
            format!(r#""{install_win}\Uninstall.exe""#),
        ),
        (
            "QuietUninstallString",
            format!(r#""{install_win}\Uninstall.exe" /S"#),
        ),
    ] {
        let line = format!("{name}    REG_SZ    {value}\n");
        assert!(
            entry.to_lowercase().contains(&line.to_lowercase()),
            "no {line:?} in\n{entry}"
        );
    }

    // Both executables carry the app icon and their version information as resources
    // (what Explorer, the Start menu and "Apps" show).
    for (exe, description) in [
        ("synctray.exe", "synctray command line and daemon"),
        ("synctray-tray.exe", "synctray"),
    ] {
        let (types, strings) = resources(&install.join(exe));
        // RT_ICON (3), RT_GROUP_ICON (14), RT_VERSION (16).
        assert_eq!(types, [3, 14, 16], "{exe}'s resource types");
        for (key, value) in [
            ("FileDescription", description),
            ("ProductName", "synctray"),
            ("ProductVersion", version),
            ("FileVersion", version),
            ("OriginalFilename", exe),
        ] {
            assert!(
                strings.windows(2).any(|w| w == [key, value]),
                "{exe} has no {key} {value:?}: {strings:?}"
            );
        }
    }

    // The installed program works.
    let installed_exe = install.join("synctray.exe");
    let out = wine
        .command("wine")
        .arg(&installed_exe)
        .arg("--version")
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("synctray {version}"),
        "{}",
        text(&out)
    );
    let ws = Ws::new(r#"{"intervalMinutes": 15, "jobs": [{"name": "ok", "command": "exit 0"}]}"#);
    let check = wine
        .command("wine")
        .arg(&installed_exe)
        .arg("--workspace")
        .arg(windows_path(ws.root()))
        .arg("check")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    // The user's data: the default workspace, made by the installed program (no
    // --workspace, and a current folder that holds none).
    let elsewhere = tempfile::tempdir().unwrap();
    let status = wine
        .command("wine")
        .arg(&installed_exe)
        .arg("status")
        .current_dir(elsewhere.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let user_data = roaming.join("synctray");
    let user_config = user_data.join("data/data/config/sync.json");
    let config_text = fs::read_to_string(&user_config).expect("the default workspace's config");

    // While synctray runs from the program folder, uninstalling changes nothing (Windows
    // would refuse to delete the running exe and half a program would be left): run in
    // place (`_?=`), so that its exit code is the uninstaller's own, 2 for "aborted".
    // The installed daemon's toasts (a failing run's) are sent with synctray's id.
    let failing =
        Ws::new(r#"{"schedule": "*/1 * * * * *", "jobs": [{"name": "no", "command": "exit 3"}]}"#);
    let mut daemon = wine.command("wine");
    daemon
        .arg(&installed_exe)
        .arg("--workspace")
        .arg(windows_path(failing.root()))
        .arg("--daemon");
    let mut daemon = Running::start(daemon, failing.path("daemon.log"));
    let as_synctray = format!("toast sent with the AppUserModelID {APP_USER_MODEL_ID}");
    assert!(
        wait_until(Duration::from_secs(30), || daemon
            .log()
            .contains(&as_synctray)),
        "the installed daemon sent no toast as synctray: {}",
        daemon.log()
    );
    assert!(!daemon.log().contains("toast sent as Windows PowerShell"));
    let refused = wine
        .command("wine")
        .arg(install.join("Uninstall.exe"))
        .arg("/S")
        .arg(format!(r"_?={install_win}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    for file in ["synctray.exe", "synctray-tray.exe", "Uninstall.exe"] {
        assert!(install.join(file).is_file(), "{file} removed while running");
    }
    assert!(shortcut.exists() && reg_query(uninstall_key, None).is_some());
    // Nor does installing over it (an upgrade): it could not replace the running exe.
    let over = wine
        .command("wine")
        .arg(&setup)
        .arg("/S")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(over.status.code(), Some(2), "{}", text(&over));
    daemon.ctrl_c();
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        daemon.log()
    );

    // "Start at login", as the tray's menu writes it.
    let run_value = format!(r#""{install_win}\synctray-tray.exe" --workspace "C:\work space""#);
    let added = wine
        .command("wine")
        .args([
            "reg", "add", run_key, "/v", "synctray", "/t", "REG_SZ", "/d",
        ])
        .arg(&run_value)
        .arg("/f")
        .status()
        .unwrap();
    assert!(added.success());
    assert!(reg_query(run_key, Some("synctray")).is_some());

    // Uninstall as "Apps" does: the registered QuietUninstallString. The uninstaller copies
    // itself to %TEMP% and re-launches (so that it can delete itself); `wineserver -w` waits
    // for that copy too.
    let quiet = entry
        .lines()
        .find_map(|l| l.trim().strip_prefix("QuietUninstallString    REG_SZ    "))
        .unwrap()
        .to_owned();
    let (program, args) = quiet[1..].split_once("\" ").unwrap();
    let uninstalled = wine
        .command("wine")
        .arg(program)
        .arg(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(uninstalled.status.code(), Some(0), "{}", text(&uninstalled));
    let _ = wine.command("wineserver").arg("-w").status();

    assert!(
        !install.exists(),
        "the program folder is left: {:?}",
        fs::read_dir(&install).map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
    );
    assert!(!shortcut.exists(), "the Start-menu shortcut is left");
    assert_eq!(
        reg_query(uninstall_key, None),
        None,
        "the uninstall entry is left"
    );
    assert_eq!(
        reg_query(run_key, Some("synctray")),
        None,
        "the Run value is left"
    );
    assert_eq!(
        fs::read_to_string(&user_config).expect("the user's data is kept"),
        config_text
    );
    assert!(
        ws.path("data/config/sync.json").is_file(),
        "the workspace is kept"
    );
    assert_eq!(
        reg_query(&app_id_key, None),
        None,
        "the AppUserModelID's registration is left"
    );

    // Not installed (the zip, run as it is): the id is not registered and Windows would
    // drop a toast sent with it, so they go out as notify-rust's default sender.
    // (A workspace of its own: the first one's incident was told already.)
    let failing =
        Ws::new(r#"{"schedule": "*/1 * * * * *", "jobs": [{"name": "no", "command": "exit 3"}]}"#);
    let daemon = wine.synctray(&failing, &["--daemon"]);
    let mut daemon = Running::start(daemon, failing.path("daemon.log"));
    assert!(
        wait_until(Duration::from_secs(30), || daemon
            .log()
            .contains("toast sent as Windows PowerShell")),
        "the unpacked daemon's toast: {}",
        daemon.log()
    );
    assert!(!daemon.log().contains(&as_synctray));
    daemon.ctrl_c();
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        daemon.log()
    );
}

/// `System.AppUserModel.ID` of the shell link at `lnk`, as LnkParse3 (`lnkparse`, from
/// PyPI) reads it: a reader of the format other than synctray's own.
fn lnkparse_app_id(lnk: &Path) -> Option<String> {
    let out = Command::new("lnkparse")
        .arg("-j")
        .arg(lnk)
        .output()
        .expect("lnkparse runs: `python3 -m pip install lnkparse3==1.6.0` (.ci/wine does)");
    assert!(out.status.success(), "lnkparse: {}", text(&out));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("lnkparse -j");
    let stores = parsed["extra"]["METADATA_PROPERTIES_BLOCK"]["property_store"].as_array()?;
    stores
        .iter()
        .filter(|s| s["format_id"] == "9F4C2855-9F79-4B39-A8D0-E1D42DE1D5F3")
        .flat_map(|s| {
            s["serialized_property_values"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .find(|v| v["id"] == 5 && v["value_type"] == "VT_LPWSTR")
        .and_then(|v| v["value"].as_str().map(str::to_owned))
}
