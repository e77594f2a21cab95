//! The tray app, started by `synctray` with no command (or directly). It is its own
//! executable so that `synctray` itself links no GUI library.

// A GUI app on Windows: no console window (also when started at login).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A tray icon and its menu never draw with OpenGL, but GTK 3 maps the GL driver (and
    // Mesa's LLVM: about 30 MiB of PSS) at start to choose a visual unless told not to.
    // A `GDK_GL` the person set is theirs.
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: the first thing `main` does, before any thread exists that could read
        // the environment.
        unsafe { std::env::set_var("GDK_GL", "disable") };
    }
    synctray::sys::tray::one_malloc_arena();
    synctray::cli::run_tray(synctray::cli::Args::parse())
}
