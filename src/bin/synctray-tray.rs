//! The tray app, started by `synctray` with no command (or directly). It is its own
//! executable so that `synctray` itself links no GUI library.

// A GUI app on Windows: no console window (also when started at login).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    synctray::cli::run_tray(synctray::cli::Args::parse())
}
