use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    synctray::cli::run(synctray::cli::Args::parse())
}
