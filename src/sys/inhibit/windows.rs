//! Windows: `SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)` on a thread of
//! its own, which lives as long as the inhibitor and resets the state before it ends.

use std::io;
use std::sync::mpsc;
use std::thread::JoinHandle;

use windows_sys::Win32::System::Power::{
    ES_CONTINUOUS, ES_SYSTEM_REQUIRED, SetThreadExecutionState,
};

/// The thread holding the state; dropping the sender ends it.
#[derive(Debug)]
pub struct Held {
    release: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

pub async fn hold(why: &str) -> io::Result<Held> {
    let (release, released) = mpsc::channel::<()>();
    let (said, told) = mpsc::channel::<bool>();
    let why = why.to_owned();
    let thread = std::thread::Builder::new()
        .name("keep-awake".into())
        .spawn(move || {
            // SAFETY: a plain Win32 call on this thread's own state.
            let previous = unsafe { SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED) };
            let _ = said.send(previous != 0);
            if previous != 0 {
                tracing::debug!("keeping the system awake: {why}");
                // Until the inhibitor drops (the sender with it).
                let _ = released.recv();
                // SAFETY: as above; back to the default before the thread ends.
                unsafe { SetThreadExecutionState(ES_CONTINUOUS) };
                tracing::debug!("the system may sleep again: {why}");
            }
        })?;
    let ok = told.recv().unwrap_or(false);
    let held = Held {
        release: Some(release),
        thread: Some(thread),
    };
    if ok {
        Ok(held)
    } else {
        Err(io::Error::other("SetThreadExecutionState refused"))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
