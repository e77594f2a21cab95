//! Integration tests of the engine and the command line, compiled as one binary (see
//! ripgrep's tests/): each module is one topic, `util` holds the fixtures.

mod util;

mod config;
mod daemon;
mod files;
mod lock;
mod procs;
mod scheduler;
