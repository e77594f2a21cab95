//! `synctray export TARGET` and `synctray unexport TARGET`: the request is gathered here
//! (the program's path, the machine's zone, the user), [`crate::export`] makes the files,
//! and they are printed (the dry run) or written into `--output`.

use std::path::{Path, PathBuf};
use std::process;

use super::{ExitCode, fail, load_config, say};
use crate::export::{self, Scope, Target};
use crate::workspace::Workspace;

/// The options of `synctray export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The scheduler to write for.
    #[arg(value_enum)]
    pub target: Target,
    /// Write the files into DIR (created if missing) instead of printing them.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// k8s: the container image holding synctray and the jobs' tools.
    #[arg(long, value_name = "IMG")]
    pub image: Option<String>,
    /// k8s: the PersistentVolumeClaim holding the workspace (default: the CronJob's name).
    #[arg(long, value_name = "NAME")]
    pub claim: Option<String>,
}

/// `--user` (the default) or `--system`.
#[derive(Debug, clap::Args)]
pub struct ScopeArgs {
    /// Units for your user (the default): systemd --user, a LaunchAgent, a task run as you.
    #[arg(long, conflicts_with = "system")]
    pub user: bool,
    /// Units for the whole system: /etc/systemd/system (run as you), a LaunchDaemon, a task
    /// run as SYSTEM.
    #[arg(long)]
    pub system: bool,
}

impl ScopeArgs {
    fn scope(&self) -> Scope {
        if self.system {
            Scope::System
        } else {
            Scope::User
        }
    }
}

/// The options of `synctray unexport`.
#[derive(Debug, clap::Args)]
pub struct UnexportArgs {
    #[arg(value_enum)]
    pub target: Target,
    /// The folder the files were written to (default: where systemd or launchd reads them).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// The user the units run as.
fn user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

fn home() -> Option<PathBuf> {
    ["HOME", "USERPROFILE"]
        .iter()
        .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
}

pub fn export(ws: &Workspace, args: ExportArgs) -> process::ExitCode {
    let config = match load_config(ws) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let exe = match std::env::current_exe().and_then(std::fs::canonicalize) {
        Ok(exe) => exe,
        Err(e) => {
            return fail(
                ExitCode::Failed,
                format_args!("cannot find this program's path: {e}"),
            );
        }
    };
    let user = user();
    let lingering = user
        .as_deref()
        .is_some_and(|u| Path::new("/var/lib/systemd/linger").join(u).exists());
    let req = export::Request {
        ws,
        config: &config,
        scope: args.scope.scope(),
        exe,
        // The system's zone with its IANA name (from TZ or /etc/localtime's link), which
        // a CronJob's timeZone needs.
        local: jiff::tz::TimeZone::system(),
        now: jiff::Timestamp::now(),
        user,
        lingering,
        image: args.image,
        claim: args.claim,
    };
    let made = match export::export(args.target, &req) {
        Ok(made) => made,
        Err(difference) => {
            return fail(
                ExitCode::Usage,
                format_args!("cannot export to {}: {difference}", args.target),
            );
        }
    };
    for warning in &made.warnings {
        eprintln!("synctray: warning: {warning}");
    }
    let Some(dir) = args.output else {
        // The dry run: the files on stdout, each under its name when there are several.
        let several = made.files.len() > 1;
        for file in &made.files {
            if several {
                say(format_args!("# ==> {} <==", file.name));
            }
            say(format_args!("{}", file.shown().trim_end()));
        }
        for line in &made.install {
            eprintln!("synctray: to install: {line}");
        }
        return process::ExitCode::SUCCESS;
    };
    match export::write(&made, ws, &dir) {
        Ok(done) => {
            for path in &done.removed {
                say(format_args!(
                    "removed {} (no longer exported)",
                    path.display()
                ));
            }
            for path in &done.written {
                say(format_args!("wrote {}", path.display()));
            }
            for line in &made.install {
                say(format_args!("to install: {line}"));
            }
            process::ExitCode::SUCCESS
        }
        Err(e) => fail(ExitCode::Failed, format_args!("{e}")),
    }
}

pub fn unexport(ws: &Workspace, args: UnexportArgs) -> process::ExitCode {
    let scope = args.scope.scope();
    let home = home();
    let Some(dir) = args
        .output
        .or_else(|| export::default_dir(args.target, scope, home.as_deref()))
    else {
        return fail(
            ExitCode::Usage,
            format_args!(
                "{} has no folder of its own: give the folder the files were written to with --output DIR",
                args.target
            ),
        );
    };
    match export::unexport(args.target, ws, &dir) {
        Ok(removed) if removed.is_empty() => {
            say(format_args!(
                "nothing to remove: no {} export of {} in {}",
                args.target,
                ws.root.display(),
                dir.display()
            ));
            process::ExitCode::SUCCESS
        }
        Ok(removed) => {
            for path in &removed {
                say(format_args!("removed {}", path.display()));
            }
            if let Some(hint) = export::after_unexport(args.target, ws, scope) {
                say(format_args!("then: {hint}"));
            }
            process::ExitCode::SUCCESS
        }
        Err(e) => fail(ExitCode::Failed, format_args!("{e}")),
    }
}
