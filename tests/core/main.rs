//! Integration tests of the engine and the command line, compiled as one binary (see
//! ripgrep's tests/): each module is one topic, `util` holds the fixtures. They drive real
//! processes with unix tools (signals, modes, `sh`); Windows is tested under Wine
//! (`tests/wine.rs`) and by the library's unit tests.

#![cfg(unix)]

#[cfg(target_os = "linux")]
mod disk;
mod util;

#[cfg(target_os = "linux")]
mod alerts;
#[cfg(target_os = "linux")]
mod awake;
mod cli;
#[cfg(target_os = "linux")]
mod conditions;
mod config;
mod daemon;
#[cfg(target_os = "linux")]
mod export;
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
#[cfg(target_os = "linux")]
mod workspaces;
