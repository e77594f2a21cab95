//! A queue of deliveries (a health ping, an alert) made in order on one worker thread of
//! their own, so that none delays a run or the next job: the thread starts at the first
//! delivery and nothing runs while idle. At the end of the process
//! ([`Outbox::finish`]) what is queued gets a deadline, then is given up: the delivery in
//! flight sees [`Abandon::is_set`] and kills what it waits for, so that nothing outlives
//! synctray.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

/// What a delivery in progress must know of the end of the process: once it is
/// *stopping* no new try is waited for (a backoff ends at once: a dead server adds nothing
/// to the stop), and once the deliveries are *given up* the try in flight stops too.
#[derive(Debug, Default)]
pub struct Abandon {
    given_up: AtomicBool,
    stopping: AtomicBool,
}

impl Abandon {
    /// Whether the deliveries are given up: the try in flight must stop now.
    pub fn is_set(&self) -> bool {
        self.given_up.load(Ordering::SeqCst)
    }

    /// Whether the process stops: a try in flight may end, no other begins after a wait.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst) || self.is_set()
    }

    /// Sleeps `delay` (a backoff) unless the process stops meanwhile; whether it slept it
    /// all.
    pub fn sleep(&self, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if self.is_stopping() {
                return false;
            }
            std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
        !self.is_stopping()
    }
}

/// How often a waiting delivery looks whether it is given up.
pub const POLL: Duration = Duration::from_millis(5);

/// One delivery: it makes its tries and logs its own failure.
pub type Delivery = Box<dyn FnOnce(&Abandon) + Send>;

/// What the worker and the [`Outbox`] share: the deliveries queued and not yet done, a
/// condition that says when that changes, and whether they are given up.
#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<usize>,
    changed: Condvar,
    abandon: Abandon,
}

/// A worker thread's queue.
#[derive(Debug)]
pub struct Outbox {
    /// The thread's name.
    name: &'static str,
    worker: Mutex<Option<(mpsc::Sender<Delivery>, Arc<Shared>)>>,
}

impl Outbox {
    pub fn new(name: &'static str) -> Outbox {
        Outbox {
            name,
            worker: Mutex::new(None),
        }
    }

    /// Queues `delivery`; returns at once. `false` when it cannot be queued (the thread
    /// could not start, or the outbox is finished).
    pub fn send(&self, delivery: Delivery) -> bool {
        let mut worker = self.worker.lock().unwrap();
        if worker.is_none() {
            *worker = start_worker(self.name);
        }
        let Some((tx, shared)) = worker.as_ref() else {
            return false;
        };
        *shared.pending.lock().unwrap() += 1;
        if tx.send(delivery).is_err() {
            *shared.pending.lock().unwrap() -= 1;
            return false;
        }
        true
    }

    /// Waits until every queued delivery is done, at most until `deadline`; how many are
    /// left.
    pub fn flush(&self, deadline: Instant) -> usize {
        let Some(shared) = self
            .worker
            .lock()
            .unwrap()
            .as_ref()
            .map(|w| Arc::clone(&w.1))
        else {
            return 0;
        };
        let within = deadline.saturating_duration_since(Instant::now());
        let (left, _) = shared
            .changed
            .wait_timeout_while(shared.pending.lock().unwrap(), within, |n| *n > 0)
            .unwrap();
        *left
    }

    /// Gives what is queued until `deadline`, then gives it up: the delivery in flight
    /// stops, and this waits (briefly) until it has. How many deliveries were given up.
    pub fn finish(&self, deadline: Instant) -> usize {
        if let Some((_, shared)) = self.worker.lock().unwrap().as_ref() {
            shared.abandon.stopping.store(true, Ordering::SeqCst);
        }
        let left = self.flush(deadline);
        let Some((tx, shared)) = self.worker.lock().unwrap().take() else {
            return 0;
        };
        if left == 0 {
            return 0;
        }
        shared.abandon.given_up.store(true, Ordering::SeqCst);
        drop(tx);
        let _ = shared
            .changed
            .wait_timeout_while(shared.pending.lock().unwrap(), POLL * 20, |n| *n > 0)
            .unwrap();
        left
    }
}

fn start_worker(name: &'static str) -> Option<(mpsc::Sender<Delivery>, Arc<Shared>)> {
    let (tx, rx) = mpsc::channel::<Delivery>();
    let shared: Arc<Shared> = Arc::default();
    let theirs = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            for delivery in rx {
                if !theirs.abandon.is_set() {
                    delivery(&theirs.abandon);
                }
                // Given up: what is queued is dropped, uncounted.
                let mut pending = theirs.pending.lock().unwrap();
                *pending = if theirs.abandon.is_set() {
                    0
                } else {
                    *pending - 1
                };
                theirs.changed.notify_all();
                if *pending == 0 && theirs.abandon.is_set() {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => Some((tx, shared)),
        Err(e) => {
            tracing::warn!("cannot start the {name} thread: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_that_hangs_is_given_up_at_the_deadline() {
        let outbox = Outbox::new("test-outbox");
        let done = Arc::new(AtomicBool::new(false));
        let theirs = Arc::clone(&done);
        // A try in flight: it ends only when given up.
        outbox.send(Box::new(move |abandon| {
            while !abandon.is_set() {
                std::thread::sleep(POLL);
            }
            theirs.store(true, Ordering::SeqCst);
        }));
        let started = Instant::now();
        assert_eq!(
            outbox.finish(Instant::now() + Duration::from_millis(200)),
            1
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(
            done.load(Ordering::SeqCst),
            "the delivery saw it was given up"
        );
    }

    #[test]
    fn a_backoff_ends_at_the_stop() {
        let outbox = Outbox::new("test-outbox");
        outbox.send(Box::new(move |abandon| {
            abandon.sleep(Duration::from_secs(60));
        }));
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        assert_eq!(outbox.finish(Instant::now() + Duration::from_secs(5)), 0);
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[test]
    fn deliveries_are_made_in_order() {
        let outbox = Outbox::new("test-outbox");
        let seen = Arc::new(Mutex::new(Vec::new()));
        for i in 0..5 {
            let seen = Arc::clone(&seen);
            outbox.send(Box::new(move |_| seen.lock().unwrap().push(i)));
        }
        assert_eq!(outbox.flush(Instant::now() + Duration::from_secs(5)), 0);
        assert_eq!(*seen.lock().unwrap(), [0, 1, 2, 3, 4]);
    }
}
