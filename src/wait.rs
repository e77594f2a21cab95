//! The one wait before a scheduled or catch-up run: for the network (`network.require`)
//! and for the `conditions` (AC power, an unmetered connection), holding no lock.
//!
//! [`wait`] checks what the run needs in that order — online, on AC, unmetered — and
//! returns as soon as all of it holds. The conditions have a deadline: once a run has
//! waited `maxDelayMinutes` it runs anyway (whatever still does not hold is recorded in
//! [`Waited`]); being online has none, since a run offline could only fail. While it
//! waits it looks again every [`CHECK_NETWORK_EVERY`] when offline and every
//! [`CHECK_CONDITIONS_EVERY`] otherwise, and at once on a platform's change event (the
//! [`Sensors`]' `changed`); nothing here runs, and no sensor is open, while idle. Manual
//! and CLI runs never come here. A wait is never a failure and never notified.
//!
//! Other processes (`synctray status`) learn of a wait through a marker file,
//! `data/.sync-wait`, that exists while a run waits and carries an OS lock held by the
//! waiting process, and `data/.sync-wait.json` beside it, which says what the run waits
//! for and until when. The lock, not the files, is the fact: a marker left by a killed
//! process has no lock, and reads as "not waiting". Nobody reads the locked file itself.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::clock::Clock;
pub use crate::condition::Condition;
use crate::config::{Conditions, Network};
use crate::network::Offline;
use crate::shutdown::Stop;
pub use crate::status::Waited;
use crate::workspace::Workspace;

pub use crate::condition::{CHECK_CONDITIONS_EVERY, CHECK_NETWORK_EVERY};

/// A future as the sensors hand it out.
pub type SensorFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Where the wait reads the machine's state: the system in production
/// ([`SystemSensors`]), a stand-in in simulations.
pub trait Sensors: Send + Sync {
    /// Opens the sensors for one wait; whatever they hold open (a bus connection) is
    /// closed when the value is dropped, so nothing is open while idle.
    fn open(&self) -> Box<dyn Gauges + '_>;
}

/// The sensors, open for one wait.
pub trait Gauges {
    /// Whether the machine is online as `network` defines it.
    fn online<'a>(&'a mut self, network: &'a Network) -> SensorFuture<'a, Result<(), Offline>> {
        Box::pin(crate::network::check(network))
    }
    /// Whether the machine runs on AC power (a system that cannot say counts as yes).
    fn on_ac(&mut self) -> bool;
    /// Whether the connection is metered (a system that cannot say counts as no).
    fn metered(&mut self) -> SensorFuture<'_, bool>;
    /// Ends when something the gauges follow may have changed (a change event); never
    /// where there are none.
    fn changed(&mut self) -> SensorFuture<'_, ()>;
}

/// The machine's own sensors, behind [`crate::sys`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemSensors;

impl Sensors for SystemSensors {
    fn open(&self) -> Box<dyn Gauges + '_> {
        Box::new(SystemGauges { cost: None })
    }
}

struct SystemGauges {
    /// The connection's cost, followed from the first question until the wait ends.
    cost: Option<Option<crate::sys::CostWatch>>,
}

impl Gauges for SystemGauges {
    fn on_ac(&mut self) -> bool {
        match crate::sys::on_ac_power() {
            Ok(ac) => ac,
            Err(e) => {
                tracing::debug!("cannot tell the power source ({e}); assuming AC power");
                true
            }
        }
    }

    fn metered(&mut self) -> SensorFuture<'_, bool> {
        Box::pin(async move {
            if self.cost.is_none() {
                self.cost = Some(
                    crate::sys::CostWatch::open()
                        .await
                        .inspect_err(warn_no_cost)
                        .ok(),
                );
            }
            match self.cost.as_mut().and_then(Option::as_mut) {
                Some(watch) => watch.metered(),
                None => false,
            }
        })
    }

    fn changed(&mut self) -> SensorFuture<'_, ()> {
        Box::pin(async move {
            match self.cost.as_mut().and_then(Option::as_mut) {
                Some(watch) => watch.changed().await,
                None => std::future::pending().await,
            }
        })
    }
}

/// "Cannot tell whether the connection is metered", once a process.
fn warn_no_cost(e: &io::Error) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        tracing::warn!(
            "cannot tell whether the connection is metered ({e}); counting it as unmetered"
        );
    });
}

/// What a wait needs before the run starts.
#[derive(Debug, Clone, Copy)]
pub struct Needs<'a> {
    /// Online, when `network.require`.
    pub network: Option<&'a Network>,
    pub conditions: &'a Conditions,
}

impl Needs<'_> {
    /// Whether the run waits for anything at all.
    pub fn any(&self) -> bool {
        Condition::ALL.into_iter().any(|c| self.asks(c))
    }

    /// Whether the run waits for `condition`.
    pub fn asks(&self, condition: Condition) -> bool {
        match condition {
            Condition::Network => self.network.is_some(),
            Condition::Power | Condition::Unmetered => self.conditions.asks(condition),
        }
    }
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Everything holds (or the deadline passed): run. What it waited for, if it did.
    Ready(Option<Waited>),
    /// "Sync now" was chosen meanwhile: run now, whatever holds.
    SyncNow(Option<Waited>),
    /// The scheduler is stopping: run nothing.
    Stopped,
}

/// A wait in progress, as [`wait`] tells it: what the run waits for now, why, and until
/// when it waits at most (`None`: no deadline, for the network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub what: Condition,
    pub why: String,
    pub until: Option<DateTime<Utc>>,
}

/// Waits until what `needs` asks holds, the deadline passes, "Sync now" (`sync_now`) or
/// a stop. `waiting` is called when the run starts to wait, and again each time what it
/// waits for changes.
pub async fn wait(
    needs: Needs<'_>,
    sensors: &dyn Sensors,
    clock: &dyn Clock,
    stop: &mut watch::Receiver<Stop>,
    sync_now: &Notify,
    mut waiting: impl FnMut(&Waiting),
) -> Ended {
    if !needs.any() {
        return Ended::Ready(None);
    }
    let began = clock.now();
    let deadline = needs.conditions.any().then(|| {
        began + chrono::TimeDelta::from_std(needs.conditions.max_delay).unwrap_or_default()
    });
    let mut gauges = sensors.open();
    let mut now_for: Option<Condition> = None;
    let waited = |now_for: Option<Condition>| {
        now_for.map(|what| Waited {
            what,
            ms: (clock.now() - began).num_milliseconds().max(0) as u64,
        })
    };
    loop {
        if *stop.borrow() != Stop::Run {
            return Ended::Stopped;
        }
        let past_deadline = deadline.is_some_and(|d| clock.now() >= d);
        let unmet = tokio::select! {
            unmet = first_unmet(&needs, &mut *gauges, past_deadline) => unmet,
            () = stopped(stop) => return Ended::Stopped,
            () = sync_now.notified() => return Ended::SyncNow(waited(now_for)),
        };
        let Some((what, why)) = unmet else {
            if past_deadline && let Some(what) = now_for.filter(|c| c.has_deadline()) {
                tracing::info!(
                    "waited {} min for {what}: the run starts anyway",
                    needs.conditions.max_delay.as_secs() / 60
                );
            }
            return Ended::Ready(waited(now_for));
        };
        if now_for != Some(what) {
            now_for = Some(what);
            waiting(&Waiting {
                what,
                why,
                until: deadline.filter(|_| what.has_deadline()),
            });
        } else {
            tracing::debug!("still waiting for {what}: {why}");
        }
        let every = what.check_every();
        let at_deadline = async {
            match deadline.filter(|_| !past_deadline) {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = gauges.changed() => tracing::debug!("a change event: looking again"),
            () = at_deadline => {}
            () = stopped(stop) => return Ended::Stopped,
            () = sync_now.notified() => return Ended::SyncNow(waited(now_for)),
        }
    }
}

/// The first of the needs that does not hold, and why, in [`Condition::ALL`]'s order; past
/// the deadline only those without one count.
async fn first_unmet(
    needs: &Needs<'_>,
    gauges: &mut dyn Gauges,
    past_deadline: bool,
) -> Option<(Condition, String)> {
    for condition in Condition::ALL {
        if !needs.asks(condition) || (past_deadline && condition.has_deadline()) {
            continue;
        }
        if let Some(why) = unmet(condition, needs, gauges).await {
            return Some((condition, why));
        }
    }
    None
}

/// Why `condition` does not hold now, read from its sensor; `None` when it holds.
async fn unmet(condition: Condition, needs: &Needs<'_>, gauges: &mut dyn Gauges) -> Option<String> {
    match condition {
        Condition::Network => {
            let network = needs.network?;
            gauges
                .online(network)
                .await
                .err()
                .map(|why| why.to_string())
        }
        Condition::Power => (!gauges.on_ac()).then(|| "on battery".into()),
        Condition::Unmetered => gauges
            .metered()
            .await
            .then(|| "the connection is metered".into()),
    }
}

async fn stopped(stop: &mut watch::Receiver<Stop>) {
    let _ = stop.wait_for(|s| *s != Stop::Run).await;
}

/// The marker file of a waiting run.
pub fn marker_path(ws: &Workspace) -> PathBuf {
    ws.wait_marker()
}

/// What the marker says: the file beside it.
fn about_path(marker: &Path) -> PathBuf {
    marker.with_extension("json")
}

/// What a waiting run waits for, as other processes read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    #[serde(rename = "for")]
    pub what: Condition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// A run is waiting while this value lives: the marker file exists and its OS lock is
/// held. Dropping it removes the files, then releases the lock.
#[derive(Debug)]
#[must_use = "the wait is over when this value is dropped"]
pub struct WaitMarker {
    file: File,
    path: PathBuf,
}

impl WaitMarker {
    /// Creates the marker (refusing a symbolic link at its path) and locks it.
    pub fn create(path: &Path) -> io::Result<WaitMarker> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let mut file = crate::sys::open_nofollow(path).map_err(named)?;
        // A reader holds its shared lock for an instant only.
        file.lock().map_err(named)?;
        let text = format!("pid={}\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.write_all(text.as_bytes()))
            .map_err(named)?;
        Ok(WaitMarker {
            file,
            path: path.to_owned(),
        })
    }

    /// Says what the run waits for now (replaced atomically, never through a link).
    pub fn tell(&self, about: About) -> io::Result<()> {
        let text = serde_json::to_vec(&about).expect("serialises");
        crate::fsutil::atomic_write(
            &about_path(&self.path),
            &text,
            0o644,
            crate::fsutil::Durability::Renamed,
        )
    }
}

impl Drop for WaitMarker {
    fn drop(&mut self) {
        if crate::sys::same_file(&self.file, &self.path).unwrap_or(false) {
            let about = about_path(&self.path);
            if std::fs::symlink_metadata(&about).is_ok_and(|m| m.is_file()) {
                let _ = std::fs::remove_file(about);
            }
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What some process's waiting run in this workspace waits for, if one waits.
pub fn waiting(path: &Path) -> Option<About> {
    if std::fs::symlink_metadata(path).map_or(true, |m| !m.is_file()) {
        return None;
    }
    let file = File::open(path).ok()?;
    match file.try_lock_shared() {
        Err(std::fs::TryLockError::WouldBlock) => {}
        Ok(()) | Err(std::fs::TryLockError::Error(_)) => return None,
    }
    // Written just after the lock is taken: a reader in between sees the network.
    let about = crate::sys::open_regular(
        &about_path(path),
        std::fs::OpenOptions::new().read(true),
        false,
    )
    .ok()
    .and_then(|f| serde_json::from_reader(io::BufReader::new(f)).ok());
    Some(about.unwrap_or(About {
        what: Condition::Network,
        until: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_says_waiting_only_while_its_holder_lives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".sync-wait");
        assert_eq!(waiting(&path), None);
        let marker = WaitMarker::create(&path).unwrap();
        assert_eq!(waiting(&path).unwrap().what, Condition::Network);
        let until = Some(Utc::now());
        marker
            .tell(About {
                what: Condition::Power,
                until,
            })
            .unwrap();
        assert_eq!(
            waiting(&path),
            Some(About {
                what: Condition::Power,
                until
            })
        );
        drop(marker);
        assert_eq!(waiting(&path), None);
        assert!(!path.exists());
        assert!(!about_path(&path).exists());
        // A marker left behind by a killed process holds no lock.
        std::fs::write(&path, "pid=1\n").unwrap();
        assert_eq!(waiting(&path), None);
    }

    #[test]
    fn waited_is_written_as_for_and_ms() {
        let w = Waited {
            what: Condition::Unmetered,
            ms: 120_000,
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"for":"unmetered","ms":120000}"#
        );
    }
}
