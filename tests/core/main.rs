//! Integration tests of the engine and the command line, compiled as one binary (see
//! ripgrep's tests/): each module is one topic, `util` holds the fixtures.

#[cfg(target_os = "linux")]
mod disk;
mod util;

mod cli;
#[cfg(target_os = "linux")]
mod conditions;
mod config;
mod daemon;
mod files;
mod lock;
mod metrics;
#[cfg(target_os = "linux")]
mod network;
#[cfg(target_os = "linux")]
mod ping;
mod procs;
mod retry;
mod runs;
mod scheduler;
mod simulation;
mod usage;
