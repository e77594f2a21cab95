use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    if let Some(code) = synctray::cli::installer_step(&args) {
        return code;
    }
    synctray::cli::run(synctray::cli::Args::parse_from(args))
}
