//! The system-tray front end (placeholder until the tray lands).

use std::process::ExitCode;

use crate::workspace::Workspace;

pub fn run(_ws: Workspace) -> ExitCode {
    eprintln!("synctray: the tray is not built yet; run `synctray --daemon`");
    ExitCode::from(crate::cli::EXIT_USAGE)
}
