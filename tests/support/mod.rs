//! Test support shared by `tests/core`, `tests/tray.rs`, `tests/wine.rs` and the footprint
//! bench, each of which includes it as a module:
//! - [`ws`]: a temporary workspace and the `synctray` command run on it;
//! - [`http`]: a loopback HTTP server that records each request (ntfy, webhooks);
//! - [`proc`]: polling with a deadline, finding and stopping processes;
//! - [`notes`]: a notifier that collects the engine's notes;
//! - [`desktop`]: a private desktop session in memory: an X server (Xvfb), a session bus,
//!   trayer as an XEmbed system tray, a notification server that records every call with
//!   its id (`notification_server.py`), and a StatusNotifierItem host ([`sni`]) as KDE and GNOME show tray
//!   items, driven over D-Bus.
//!
//! Not every crate that includes it uses every item.
#![allow(dead_code)]

pub mod desktop;
pub mod http;
pub mod notes;
pub mod proc;
pub mod sni;
pub mod ws;
