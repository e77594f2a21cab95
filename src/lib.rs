//! synctray runs a workspace's sync commands on a schedule, one run at a time across every
//! process on the machine, records each result where a dashboard reads it, and tells the
//! desktop when a run fails. The tray app, `synctray --daemon` and the CLI commands are
//! thin front ends over one engine.
//!
//! Layout:
//! - [`workspace`]: which workspace, and the paths of its files.
//! - [`workspaces`]: the person's list of workspaces (`workspaces.json`), which the tray
//!   and the daemon serve together.
//! - [`config`]: `data/config/sync.json`, parsed then validated into a typed [`config::Config`]
//!   (the top level in `mod.rs`; `jobs`, `retry` and `network` in files of their own);
//!   rewriting the keys synctray owns (`edit.rs`).
//! - [`schedule`]: cron expressions and "every N minutes", and the pure planning function
//!   that decides the next run and catch-up ([`config::Config::next_run`] is the one call
//!   every next run comes from).
//! - [`lock`]: the cross-process run lock, held as a guard value.
//! - [`runner`]: one job in its own process tree, with a bounded log, timeout and stop.
//! - [`shutdown`]: the shutdown signal ([`shutdown::Stop`]: run, drain until a deadline, stop
//!   now) that the front ends set and the scheduler, the wait, the retries and a job watch.
//! - [`status`]: the status file and the run history; a job's [`status::Failure`] and a
//!   run's [`status::RunError`], the typed values its texts are rendered from.
//! - [`health`]: whether the data can be trusted: how fresh it is (overdue) and what keeps
//!   scheduled runs from starting (a problem).
//! - [`snapshot`]: the state of a workspace as the front ends show it, from the scheduler
//!   or read from the files.
//! - [`clock`]: wall-clock time that also sleeps, a parameter of the scheduler and the wait.
//! - [`command`]: what a front end (the menu, a notification's action) asks of the scheduler.
//! - [`engine`]: the orchestrator ([`engine::Engine::run_once`]) and the scheduler loop
//!   ([`engine::serve`]) that every front end drives.
//! - [`export`]: the workspace's schedule written for systemd, launchd, Task Scheduler or
//!   a Kubernetes CronJob (`synctray export`), and removed again (`synctray unexport`).
//! - [`fleet`]: several workspaces served by one process, a thread and a host each,
//!   following the person's list.
//! - [`host`]: the one door that builds a runtime and wires the stop signals: it hosts a
//!   workspace's scheduler for `--daemon` and the tray (config, instance lock, the
//!   two-stage stop, then the engine), and runs one run now for `synctray sync`
//!   ([`host::run_once`]). It knows no exit status.
//! - [`retry`]: the backoff between a failing job's tries, as the `retry` key sets it.
//! - [`network`]: what "online" means, for the `network` key.
//! - [`condition`]: the conditions a run can wait for, as one table (key, words, check
//!   interval, deadline).
//! - [`wait`]: the one wait before a scheduled run — for the network and the `conditions`
//!   (AC power, an unmetered connection), with a deadline.
//! - [`runs`]: the runs recorded so far, as the tray's "Recent runs" and the CLI read them:
//!   the last runs, why one failed, its log file.
//! - [`metrics`]: the node_exporter textfile written after every run (`metrics`).
//! - [`observe`]: what follows a run, as observers registered on the engine: the status
//!   file and the history, metrics, pings, log pruning, the desktop, the alert channels.
//! - [`outbox`]: a worker thread that makes deliveries (pings, alerts) in order, never
//!   delaying a run, given a deadline at the end of the process.
//! - [`curl`]: HTTP requests made by the system's curl, the request on its standard input.
//! - [`alerts`]: the alert channels (ntfy, webhooks, a command), one message an incident.
//! - [`ping`]: health pings to a healthchecks.io-style monitor at each run's start and end.
//! - [`notify`]: which changes of state deserve a desktop notification (one per
//!   incident), and showing it.
//! - [`shortcut`]: synctray's AppUserModelID on Windows (its toasts), written into the
//!   Start-menu shortcut the installer makes.
//! - [`cli`]: the command line: arguments, and each command (the daemon included), down to
//!   an exit status ([`cli::ExitCode`], the front ends' own; the tray's end is mapped there
//!   too); `history`, `next` and `logs` in its `runs` module; its `usage` module makes the
//!   shell completions and the man pages from the command-line definition.
//! - `tray` (feature `tray`): the system-tray front end (`mod.rs`: the event loop and the
//!   threads; `gui.rs`: the GUI thread's side; `state/`: snapshot → what to show).
//! - [`sys`]: the platform seam, and the only place with an OS `cfg`: one folder per
//!   capability (process trees, signals and the shell, file modes and links, the wall-clock
//!   timer, the conditions' sensors, notification hints, start at login, the tray's platform
//!   parts), each picking one file per OS in its `mod.rs`; the atomic write.

pub mod alerts;
pub mod cli;
pub mod clock;
pub mod command;
pub mod condition;
pub mod config;
pub mod curl;
pub mod engine;
pub mod export;
pub mod fleet;
mod fsutil;
pub mod health;
pub mod host;
pub mod i18n;
pub mod lock;
pub mod metrics;
pub mod network;
pub mod notify;
pub mod observe;
pub mod outbox;
pub mod ping;
pub mod retry;
pub mod runner;
pub mod runs;
pub mod schedule;
pub mod shortcut;
pub mod shutdown;
pub mod snapshot;
pub mod status;
pub mod sys;
#[cfg(feature = "tray")]
pub mod tray;
pub mod wait;
mod watch;
pub mod workspace;
pub mod workspaces;
