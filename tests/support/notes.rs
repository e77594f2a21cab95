//! A notifier that keeps every note it is given, for tests that check what the person
//! would be told (the engine's desktop notifications) without a desktop.

use std::sync::{Arc, Mutex};

use synctray::notify::{Note, Notifier};

/// Collects the notes; clone it to keep a handle on them after the engine takes one.
#[derive(Default, Clone)]
pub struct Collect(pub Arc<Mutex<Vec<Note>>>);

impl Notifier for Collect {
    fn notify(&self, note: Note) {
        self.0.lock().unwrap().push(note);
    }
}
