//! The command line: the arguments, and each command carried out down to an exit status.
//! Every command is a thin door into the engine; errors become exit statuses here only.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process;
use std::sync::Arc;

use chrono::{DateTime, Local, Utc};
use clap::{Parser, Subcommand};

use crate::config::{self, Config, Edit};
use crate::engine::RunOutcome;
use crate::host::{self, Host};
use crate::lock::Holder;
use crate::notify;
use crate::schedule::{Cadence, Trigger};
use crate::snapshot::{Running, Snapshot};
use crate::status::{Outcome, RunRecord, iso_ms};
use crate::wait::Condition;
use crate::workspace::Workspace;

pub mod exit_codes;
mod export;
mod list;
mod pause;
mod runs;
pub use runs::upcoming;
mod usage;

pub use exit_codes::ExitCode;

const ABOUT: &str = "Keeps a workspace's data fresh: runs its sync commands on a schedule, one run at a time, \
records the result in data/sync-status.json and tells the desktop when a run fails.";

const AFTER_HELP: &str = "\
With no command, synctray shows its icon in the system tray (use --daemon where there is no desktop).

A workspace is a folder holding data/config/sync.json. It is the one given with --workspace, else
$SYNCTRAY_WORKSPACE, else the current directory if it holds that file, else a default workspace in
your data folder (created on first use). `synctray status` says which one and why.

Exit statuses: 0 ok; 1 the run failed; 2 bad usage or invalid config; 75 skipped (a sync was running).
Logs go to stderr; set SYNCTRAY_LOG=debug for more, SYNCTRAY_LOG=warn for less.

Examples:
  synctray --daemon                 run the scheduler headless (systemd, launchd, a server)
  synctray sync                     run the jobs once, now
  synctray status                   last run, next run, who is running
  synctray history -n 5             the last five runs
  synctray next                     the next five run times
  synctray logs --run 2             the log of the run before the last
  synctray interval 30              sync every 30 minutes from now on
  synctray alerts test              send a test message through every alert channel";

#[derive(Debug, Parser)]
#[command(name = "synctray", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    /// The workspace: its folder (the one holding data/config/sync.json), or its name in
    /// the workspace list. The tray and --daemon take it several times.
    #[arg(long, short = 'w', value_name = "DIR|NAME", global = true)]
    pub workspace: Vec<PathBuf>,

    /// Run the scheduler without a tray icon; stops on SIGTERM or Ctrl-C.
    #[arg(long)]
    pub daemon: bool,

    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the sync jobs once now, in this process, under the lock.
    ///
    /// Exits 0 if every job succeeded, 1 if one failed, 75 if another process is running a
    /// sync of this workspace (nothing is queued), 2 if the configuration is invalid.
    Sync {
        /// Run as the scheduler would at a due time (for systemd, launchd, Task Scheduler or
        /// Kubernetes, see `export`): recorded with trigger `schedule`, it first waits for
        /// the network and the conditions the config asks for, and is skipped (exit 0)
        /// while scheduled syncs are paused.
        #[arg(long)]
        scheduled: bool,
    },
    /// Write units that run this workspace's syncs from the machine's scheduler instead of
    /// synctray's: systemd, launchd, windows (Task Scheduler) or k8s (a CronJob).
    ///
    /// Without --output the files are printed (a dry run). Each runs `synctray --workspace W
    /// sync --scheduled` at the schedule's times. What the target cannot carry as synctray
    /// runs it is refused (exit 2) or warned about on stderr, by name.
    Export(export::ExportArgs),
    /// Remove the files `export` wrote for this workspace from a folder, and nothing else.
    Unexport(export::UnexportArgs),
    /// Show the workspace, the last run, the next run and whether a sync is running.
    Status {
        /// Print one JSON object (camelCase keys) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sync every N minutes (1 to 1440); replaces a `schedule` in the config.
    ///
    /// N dividing 60 runs at the multiples of N past the hour; N hours dividing 24 at the top
    /// of those hours; any other N, N minutes after the previous run started.
    Interval {
        #[arg(value_name = "N", value_parser = interval_minutes())]
        minutes: u32,
    },
    /// Pause scheduled syncs (`synctray sync` still works): until `synctray resume`, or
    /// for a while.
    ///
    /// With `--for` or `--until` scheduled syncs resume by themselves at that time, with
    /// one catch-up run if a due time passed meanwhile (with `catchUp`).
    Pause {
        /// Pause for this long: 2h, 90m, 1h30m, 1d.
        #[arg(long = "for", value_name = "DURATION", value_parser = pause::parse_duration, conflicts_with = "until")]
        for_: Option<chrono::TimeDelta>,
        /// Pause until this time: 08:00 (the next one), or 2026-11-26T08:00.
        #[arg(long, value_name = "TIME", value_parser = pause::parse_until)]
        until: Option<pause::Until>,
    },
    /// Resume scheduled syncs.
    Resume,
    /// Check the configuration; exits 0 if it is valid, 2 if not.
    Check,
    /// Show the last runs, newest first: start, result, trigger, duration, what failed.
    History {
        /// How many runs.
        #[arg(short = 'n', value_name = "N", default_value = "10", value_parser = runs::parse_count)]
        count: usize,
        /// Print a JSON array of the history records instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the next times the scheduler will run, in local time and UTC; exits 2 if the
    /// configuration is invalid.
    Next {
        /// How many times.
        #[arg(short = 'n', value_name = "N", default_value = "5", value_parser = runs::parse_count)]
        count: usize,
        /// Print a JSON array of ISO-8601 UTC times instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the log of the last run, or of the run K runs back; exits 1 if there is none.
    Logs {
        /// 1 is the last run, 2 the one before, …
        #[arg(long = "run", value_name = "K", default_value = "1", value_parser = runs::parse_count)]
        run: usize,
    },
    /// Add a workspace to the list that the tray and --daemon serve (the current folder if
    /// no DIR); exits 2 if the folder holds no valid workspace.
    Add {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// What to call it (default: the folder's name).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Remove a workspace from the list, by its name or its folder (its files stay).
    Remove {
        #[arg(value_name = "NAME|DIR")]
        what: String,
    },
    /// List the workspaces of the list: name, folder, state, last run, next run.
    Workspaces {
        /// Print a JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The alert channels of the configuration (`alerts`: ntfy, webhooks, a command).
    Alerts {
        #[command(subcommand)]
        what: AlertsCmd,
    },
    /// Print the completion script for SHELL (bash, zsh, fish, elvish, powershell).
    ///
    /// bash: `synctray completions bash > ~/.local/share/bash-completion/completions/synctray`;
    /// zsh: into a folder on $fpath as `_synctray`; fish: `~/.config/fish/completions/synctray.fish`.
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

/// What `synctray alerts` does.
#[derive(Debug, Subcommand)]
pub enum AlertsCmd {
    /// Send a test message through every channel and say which worked; exits 1 if one
    /// failed (or there is none), 2 if the configuration is invalid.
    Test,
}

/// `N` of `synctray interval`: a whole number in [`config::INTERVAL_MINUTES`].
fn interval_minutes() -> clap::builder::RangedI64ValueParser<u32> {
    let range = config::INTERVAL_MINUTES;
    clap::value_parser!(u32).range(i64::from(*range.start())..=i64::from(*range.end()))
}

/// The Windows installer's own step, `synctray --set-shortcut-app-id LNK`
/// (data/windows/synctray.nsi): writes synctray's AppUserModelID into the Start-menu
/// shortcut it made. Not a command of the command line (no help text, man page or
/// completion offers it); `None` for any other command line. Exits 1, saying why, when
/// the shortcut cannot be written.
pub fn installer_step(args: &[std::ffi::OsString]) -> Option<process::ExitCode> {
    match args {
        [_, flag, lnk] if flag == "--set-shortcut-app-id" => {
            Some(match crate::shortcut::set_app_id(Path::new(lnk)) {
                Ok(()) => process::ExitCode::SUCCESS,
                Err(e) => fail(ExitCode::Failed, format_args!("{e}")),
            })
        }
        _ => None,
    }
}

/// Carries out the command line of `synctray`.
pub fn run(args: Args) -> process::ExitCode {
    if !args.daemon && args.command.is_none() {
        return launch_tray();
    }
    if args.daemon && args.command.is_some() {
        use clap::CommandFactory;
        Args::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--daemon takes no command",
            )
            .exit();
    }
    // Made from the argument definitions alone: no workspace is looked for (or created).
    if let Some(Cmd::Completions { shell }) = args.command {
        return usage::print_completions(shell);
    }
    init_logging(if args.daemon {
        tracing::Level::INFO
    } else {
        tracing::Level::WARN
    });
    match &args.command {
        Some(Cmd::Add { dir, name }) => return list::add(dir.as_deref(), name.as_deref()),
        Some(Cmd::Remove { what }) => return list::remove(what),
        Some(Cmd::Workspaces { json }) => return list::show(*json),
        _ => {}
    }
    if args.command.is_none() {
        // The daemon's notifications are read on the desktop: in the person's language.
        // The CLI's own output stays English.
        crate::i18n::init_from_env();
        return match list::served(&args.workspace) {
            Ok(list::Served::One(ws)) => daemon(ws),
            Ok(list::Served::Many(wss, list)) => {
                crate::fleet::serve_daemon(wss, list);
                process::ExitCode::SUCCESS
            }
            Err(e) => fail(ExitCode::Usage, format_args!("{e}")),
        };
    }
    let ws = match list::one(&args.workspace) {
        Ok(ws) => ws,
        Err(e) => return fail(ExitCode::Usage, format_args!("{e}")),
    };
    ws.clean_temp_files();
    match args.command {
        None => unreachable!("the daemon is served above"),
        Some(Cmd::Sync { scheduled }) => sync(ws, scheduled),
        Some(Cmd::Export(args)) => export::export(&ws, args),
        Some(Cmd::Unexport(args)) => export::unexport(&ws, args),
        Some(Cmd::Status { json }) => status(&ws, json),
        Some(Cmd::Interval { minutes }) => edit(&ws, Edit::Interval(minutes)),
        Some(Cmd::Pause { for_, until }) => {
            let now = Local::now();
            match (for_, until) {
                (Some(d), _) => edit(&ws, Edit::PausedUntil(Some(now.with_timezone(&Utc) + d))),
                (None, Some(u)) => edit(&ws, Edit::PausedUntil(Some(u.resolve(now)))),
                (None, None) => edit(&ws, Edit::Paused(true)),
            }
        }
        Some(Cmd::Resume) => edit(&ws, Edit::Paused(false)),
        Some(Cmd::Check) => check(&ws),
        Some(Cmd::History { count, json }) => runs::history(&ws, count, json),
        Some(Cmd::Next { count, json }) => runs::next(&ws, count, json),
        Some(Cmd::Logs { run }) => runs::logs(&ws, run),
        Some(Cmd::Alerts {
            what: AlertsCmd::Test,
        }) => alerts_test(&ws),
        Some(
            Cmd::Completions { .. } | Cmd::Add { .. } | Cmd::Remove { .. } | Cmd::Workspaces { .. },
        ) => {
            unreachable!("carried out before a workspace is chosen")
        }
    }
}

fn init_logging(default: tracing::Level) {
    // SYNCTRAY_LOG is one level: error, warn, info, debug or trace ("synctray=debug",
    // RUST_LOG style, is taken as its level).
    let level = std::env::var("SYNCTRAY_LOG")
        .ok()
        .and_then(|l| l.rsplit('=').next().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(default);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

fn fail(code: ExitCode, message: std::fmt::Arguments<'_>) -> process::ExitCode {
    let _ = writeln!(std::io::stderr(), "synctray: {message}");
    code.into()
}

/// Prints a line on stdout. Output into a closed pipe (`synctray status | head -1`) ends
/// quietly: the error is dropped, never a panic as `println!` would.
pub fn say(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{message}");
}

/// Loads the workspace's configuration, or prints why not.
fn load_config(ws: &Workspace) -> Result<Config, process::ExitCode> {
    host::load_config(ws).map_err(|e| fail(ExitCode::Usage, format_args!("{e}")))
}

/// `synctray alerts test`: a test message through each channel, with its tries; a line
/// for each, `ok` or why not.
fn alerts_test(ws: &Workspace) -> process::ExitCode {
    let config = match load_config(ws) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if config.alerts.is_empty() {
        return fail(
            ExitCode::Failed,
            format_args!(
                "{} has no alert channels (`alerts`): nothing to test",
                ws.config.display()
            ),
        );
    }
    let mut failed = 0;
    for (channel, sent) in crate::alerts::send_test(ws, &config) {
        match sent {
            Ok(()) => say(format_args!("{channel}: ok")),
            Err(e) => {
                failed += 1;
                say(format_args!("{channel}: FAILED: {e}"));
            }
        }
    }
    if failed > 0 {
        ExitCode::Failed.into()
    } else {
        ExitCode::Success.into()
    }
}

fn daemon(ws: Workspace) -> process::ExitCode {
    let host = match Host::open(ws, "daemon") {
        Ok(host) => host,
        Err(e) => return fail(ExitCode::Usage, format_args!("{e}")),
    };
    tracing::info!(
        "synctray daemon for {} ({})",
        host.ws.root.display(),
        host.ws.source
    );
    // Served as several are: a fleet of one (every line about the workspace names it).
    crate::fleet::serve_daemon_host(host);
    process::ExitCode::SUCCESS
}

/// The name of the tray's own executable, installed beside `synctray`.
pub const TRAY_EXE: &str = "synctray-tray";

/// `synctray` with no command: hands over to the tray executable beside this one, with
/// the same arguments. The tray is a binary of its own so that this one links no GUI
/// library: the CLI and `--daemon` start in a millisecond and a few MB, display or not.
fn launch_tray() -> process::ExitCode {
    let exe = std::env::current_exe()
        .ok()
        .map(|me| me.with_file_name(format!("{TRAY_EXE}{}", std::env::consts::EXE_SUFFIX)))
        .filter(|tray| tray.is_file());
    let Some(exe) = exe else {
        return fail(
            ExitCode::Usage,
            format_args!(
                "the tray is not installed beside this program (a build without the `tray` feature); run `synctray --daemon`"
            ),
        );
    };
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(std::env::args_os().skip(1));
    match crate::sys::hand_over(&mut cmd) {
        Ok(code) => code,
        Err(e) => fail(
            ExitCode::Usage,
            format_args!("cannot start {}: {e}", exe.display()),
        ),
    }
}

/// Carries out the tray executable's command line: the workspace options of `synctray`,
/// and no command.
#[cfg(feature = "tray")]
pub fn run_tray(args: Args) -> process::ExitCode {
    if args.daemon || args.command.is_some() {
        return fail(
            ExitCode::Usage,
            format_args!("{TRAY_EXE} only shows the tray; commands and --daemon are `synctray`'s"),
        );
    }
    init_logging(tracing::Level::INFO);
    crate::i18n::init_from_env();
    match list::served(&args.workspace) {
        Ok(list::Served::One(ws)) => {
            ws.clean_temp_files();
            tray_exit(crate::tray::run(vec![ws], None))
        }
        Ok(list::Served::Many(wss, list)) => {
            for ws in &wss {
                ws.clean_temp_files();
            }
            tray_exit(crate::tray::run(wss, list))
        }
        Err(e) => fail(ExitCode::Usage, format_args!("{e}")),
    }
}

/// The tray's end as an exit status: 2 when it did not start (or no panel showed it), 1
/// when the session ended under it.
#[cfg(feature = "tray")]
fn tray_exit(ended: Result<(), crate::tray::Ended>) -> process::ExitCode {
    match ended {
        Ok(()) => ExitCode::Success,
        Err(crate::tray::Ended::NotStarted | crate::tray::Ended::NoPanel) => ExitCode::Usage,
        Err(crate::tray::Ended::SessionLost) => ExitCode::Failed,
    }
    .into()
}

fn sync(ws: Workspace, scheduled: bool) -> process::ExitCode {
    let config = match load_config(&ws) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if scheduled && config.paused {
        say(format_args!(
            "skipped: scheduled syncs are paused (`synctray resume` resumes them)"
        ));
        return process::ExitCode::SUCCESS;
    }
    let trigger = if scheduled {
        Trigger::Schedule
    } else {
        Trigger::Cli
    };
    let outcome = host::run_once(ws, &config, Box::new(notify::Silent), trigger);
    match outcome {
        Ok(RunOutcome::Finished(status)) => {
            print_run(&status);
            if status.is_success() {
                process::ExitCode::SUCCESS
            } else {
                ExitCode::Failed.into()
            }
        }
        Ok(RunOutcome::NotStarted) => fail(ExitCode::Failed, format_args!("the run did not start")),
        Ok(RunOutcome::Skipped(holder)) => fail(
            ExitCode::Skipped,
            format_args!("skipped: a sync of this workspace is already running ({holder})"),
        ),
        Err(e) => fail(ExitCode::Failed, format_args!("{e}")),
    }
}

fn print_run(status: &RunRecord) {
    let mut out = std::io::stdout().lock();
    for job in &status.jobs {
        let (mark, detail) = match job.status {
            Outcome::Success => ("✓", String::new()),
            Outcome::Error => (
                "✗",
                format!(": {}", job.reason.as_deref().unwrap_or("failed")),
            ),
            Outcome::NotRun => ("-", " (not run)".to_owned()),
        };
        let took = job
            .duration_ms
            .map(|ms| format!(" {:.1} s", ms as f64 / 1000.0))
            .unwrap_or_default();
        let log = job
            .log
            .as_deref()
            .filter(|_| job.status == Outcome::Error)
            .map(|l| format!("  [{l}]"))
            .unwrap_or_default();
        let _ = writeln!(out, "{mark} {}{took}{detail}{log}", job.name);
    }
    let _ = match &status.error {
        None => writeln!(
            out,
            "sync succeeded in {:.1} s",
            status.duration_ms as f64 / 1000.0
        ),
        Some(e) => writeln!(
            out,
            "sync failed in {:.1} s: {e}",
            status.duration_ms as f64 / 1000.0
        ),
    };
}

/// What `synctray status` reports: the workspace's [`Snapshot`], as the files say it.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    workspace: &'a Path,
    workspace_source: crate::workspace::Source,
    #[serde(with = "iso_ms::option")]
    last_sync: Option<DateTime<Utc>>,
    status: Option<Outcome>,
    error: Option<&'a str>,
    /// When the last successful run finished (kept through later failures).
    #[serde(with = "iso_ms::option")]
    last_success: Option<DateTime<Utc>>,
    /// No run has succeeded for longer than `overdueAfterMinutes`.
    overdue: bool,
    /// Scheduled runs cannot start: `{ what, since }`.
    problem: Option<&'a crate::health::Problem>,
    #[serde(with = "iso_ms::option")]
    next_run: Option<DateTime<Utc>>,
    running: bool,
    /// A scheduled run has fallen due while offline and waits for the network.
    waiting_for_network: bool,
    /// What a scheduled run that has fallen due waits for: `network`, `power`,
    /// `unmetered`, or null.
    waiting_for: Option<Condition>,
    /// The time a run waiting for a condition starts anyway (not serialised: the text
    /// says it).
    #[serde(skip)]
    waiting_until: Option<DateTime<Utc>>,
    lock_holder: Option<&'a Holder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<&'a str>,
    paused: bool,
    /// When a pause for a while ends (`pausedUntil`, while it is ahead); null otherwise.
    #[serde(with = "iso_ms::option")]
    paused_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config_error: Option<String>,
}

fn status(ws: &Workspace, json: bool) -> process::ExitCode {
    let config = Config::load_in(ws).map_err(Arc::new);
    let now = Utc::now();
    let snap = Snapshot::read(ws, config.as_ref().map_err(Arc::clone), now);
    let overdue = snap.overdue(now);
    let last = snap.last.as_ref();
    let holder = match &snap.running {
        Some(Running::Elsewhere(holder)) => Some(holder),
        _ => None,
    };
    let cadence = config.as_ref().ok().map(|c| &c.cadence);
    let waiting_for = snap.running.as_ref().and_then(Running::waiting_for);
    let report = Report {
        workspace: &ws.root,
        workspace_source: ws.source,
        last_sync: last.map(|s| s.last_sync),
        status: last.map(|s| s.outcome),
        error: last.and_then(|s| s.error.as_deref()),
        last_success: snap.last_success(),
        overdue: overdue.is_some(),
        problem: snap.problem.as_ref(),
        next_run: snap.next_run,
        running: holder.is_some(),
        waiting_for_network: waiting_for == Some(Condition::Network),
        waiting_for,
        waiting_until: match &snap.running {
            Some(Running::Waiting { until, .. }) => *until,
            _ => None,
        },
        lock_holder: holder,
        interval_minutes: cadence.and_then(Cadence::minutes),
        schedule: cadence.and_then(Cadence::expr),
        paused: snap.paused,
        paused_until: snap.paused_until,
        config_error: snap.config_error.as_ref().map(ToString::to_string),
    };
    if json {
        say(format_args!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serialises")
        ));
        return process::ExitCode::SUCCESS;
    }
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "workspace  {} ({})", ws.root.display(), ws.source);
    let _ = match last {
        None => writeln!(out, "last sync  never"),
        Some(s) => writeln!(
            out,
            "last sync  {} {} ({:.1} s{}){}",
            if s.is_success() { "✓" } else { "✗" },
            local(s.last_sync),
            s.duration_ms as f64 / 1000.0,
            s.trigger.map(|t| format!(", {t}")).unwrap_or_default(),
            s.error
                .as_deref()
                .map(|e| format!("\n           {}", e.replace('\n', "\n           ")))
                .unwrap_or_default(),
        ),
    };
    if let Some(p) = &snap.problem {
        let _ = writeln!(
            out,
            "problem    ✗ cannot sync: {} (since {})",
            p.what,
            local(p.since)
        );
    }
    if let Some(age) = overdue {
        let _ = match snap.last_success() {
            Some(at) => writeln!(
                out,
                "fresh      ⚠ data is {} old (last success {})",
                crate::notify::age_words(age),
                local(at)
            ),
            None => writeln!(
                out,
                "fresh      ⚠ data is {} old (no sync has succeeded)",
                crate::notify::age_words(age)
            ),
        };
    }
    let _ = match (&config, snap.next_run) {
        (Err(e), _) => writeln!(out, "config     invalid: {e}"),
        (Ok(c), _) if c.paused => writeln!(
            out,
            "next run   paused ({}; `synctray resume` to resume)",
            c.describe_schedule()
        ),
        (Ok(c), Some(at)) if snap.paused => writeln!(
            out,
            "next run   {} (paused until {}; {})",
            local(at),
            snap.paused_until.map(local).unwrap_or_default(),
            c.describe_schedule()
        ),
        (Ok(c), Some(at)) => writeln!(out, "next run   {} ({})", local(at), c.describe_schedule()),
        (Ok(c), None) => writeln!(
            out,
            "next run   never ({} does not fire again)",
            c.describe_schedule()
        ),
    };
    let _ = match holder {
        None => match (report.waiting_for, report.waiting_until) {
            (Some(what), Some(until)) => writeln!(
                out,
                "running    no: a scheduled run waits for {what} (it runs anyway at {})",
                local(until)
            ),
            (Some(what), None) => writeln!(out, "running    no: a scheduled run waits for {what}"),
            (None, _) => writeln!(out, "running    no"),
        },
        Some(h) => writeln!(
            out,
            "running    yes: {h}{}",
            h.job
                .as_deref()
                .map(|j| format!(", job {j}"))
                .unwrap_or_default()
        ),
    };
    process::ExitCode::SUCCESS
}

fn edit(ws: &Workspace, change: Edit) -> process::ExitCode {
    match config::edit(&ws.config, change) {
        Ok(config) => {
            match change {
                Edit::Interval(_) => say(format_args!(
                    "synctray will sync {}",
                    config.describe_schedule()
                )),
                Edit::Paused(true) => say(format_args!(
                    "scheduled syncs paused (`synctray sync` still runs one now)"
                )),
                Edit::PausedUntil(Some(until)) => say(format_args!(
                    "scheduled syncs paused until {} (`synctray resume` resumes them now)",
                    until
                        .with_timezone(&Local)
                        .format("%a %Y-%m-%d %H:%M:%S %:z")
                )),
                Edit::PausedUntil(None) | Edit::Paused(false) => say(format_args!(
                    "scheduled syncs resumed: {}",
                    config.describe_schedule()
                )),
            }
            process::ExitCode::SUCCESS
        }
        Err(e) => fail(ExitCode::Usage, format_args!("{e}")),
    }
}

fn check(ws: &Workspace) -> process::ExitCode {
    match load_config(ws) {
        Ok(config) => {
            for warning in &config.warnings {
                say(format_args!("{}: warning: {warning}", ws.config.display()));
            }
            let warned = match config.warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".to_owned(),
                n => format!(", {n} warnings"),
            };
            say(format_args!(
                "{}: valid{warned}; {}, {} job(s): {}",
                ws.config.display(),
                config.describe_schedule(),
                config.jobs.len(),
                config
                    .jobs
                    .iter()
                    .map(|j| j.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            process::ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Args::command().debug_assert();
    }
}
