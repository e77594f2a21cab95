//! The real scheduler loop driven through simulated days in moments of real time.
//!
//! Time is tokio's paused clock: whenever every task waits, the runtime jumps to the next
//! timer, so a day of one-minute runs takes milliseconds, and the same seed gives the same
//! run. On it, [`SimClock`] is a wall clock that the test moves as a suspend or someone
//! setting the time does (the wall clock jumps, the monotonic clock stands still), and
//! [`SimRuns`] performs runs that take simulated time, some longer than the interval. The
//! loop is the production one ([`engine::serve_with`]); only the run is a stand-in.
//!
//! After every step (each run start, each event) the invariants are checked: never two
//! runs at once, no run after a stop or while paused, no busy waiting (wake-ups per
//! simulated hour bounded, and no two dozen sleeps at one instant), no due time run twice
//! or slept through, a catch-up only for a due time that was missed and only once, and a
//! stop obeyed within the grace period. Where nothing disturbs the schedule, each run must
//! start exactly when the contract says.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use synctray::config::Config;
use synctray::engine::{
    self, Clock, Command, Engine, Perform, RunFuture, RunOutcome, ServeOptions, Sleep,
};
use synctray::schedule::{Planning, Trigger};
use synctray::shutdown::Stop;
use synctray::snapshot::Snapshot;
use synctray::status::{Outcome, RunRecord};
use synctray::wait::{Condition, Gauges, SensorFuture, Sensors, Waited};
use synctray::workspace::{Source, Workspace};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::util::Ws;

/// A stop's grace period, as the front ends give it.
const GRACE: Duration = Duration::from_secs(10);
/// Timers fire on whole milliseconds; the loop may start a run this much after its time.
const EPS: TimeDelta = TimeDelta::milliseconds(3);

/// splitmix64: a few lines, seeded, the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A wall clock on tokio's paused monotonic clock, with a hand on it.
struct SimClock {
    base_wall: DateTime<Utc>,
    base: Instant,
    offset: Mutex<TimeDelta>,
    /// Ends every sleep when the wall clock jumps, as the system's wall-clock timer does.
    set: watch::Sender<()>,
    /// The instant of the latest sleep and how many sleeps began at it.
    same_instant: Mutex<(Instant, u32)>,
    /// When each sleep began: the loop's wake-ups.
    sleeps: Mutex<Vec<Instant>>,
}

impl SimClock {
    /// Must be called inside the paused runtime.
    fn new(start: DateTime<Utc>) -> SimClock {
        SimClock {
            base_wall: start,
            base: Instant::now(),
            offset: Mutex::new(TimeDelta::zero()),
            set: watch::Sender::new(()),
            same_instant: Mutex::new((Instant::now(), 0)),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    fn jump(&self, by: TimeDelta) {
        *self.offset.lock().unwrap() += by;
        self.set.send_replace(());
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        let mono = TimeDelta::from_std(Instant::now() - self.base).unwrap();
        self.base_wall + mono + *self.offset.lock().unwrap()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        let t = Instant::now();
        {
            let mut same = self.same_instant.lock().unwrap();
            if same.0 == t {
                same.1 += 1;
                // Each sleep at one instant follows an event (a command, a run's end, a
                // jump); more than a few dozen is a loop that does not wait.
                assert!(
                    same.1 < 25,
                    "busy loop: {} sleeps at {} without time passing (sleeping until {at})",
                    same.1,
                    self.now()
                );
            } else {
                *same = (t, 1);
            }
        }
        self.sleeps.lock().unwrap().push(t);
        let mut set = self.set.subscribe();
        let left = (at - self.now()).to_std().unwrap_or_default();
        Box::pin(async move {
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                _ = set.changed() => {}
            }
        })
    }
}

/// One run, as the stand-in performed it.
#[derive(Debug, Clone)]
struct Run {
    trigger: Trigger,
    start: DateTime<Utc>,
    start_mono: Instant,
    end: Option<DateTime<Utc>>,
    /// The next run as the scheduler loop showed it (the tray's "next") while it waited
    /// for this run: its snapshot's `next_run` when this run started.
    shown: Option<DateTime<Utc>>,
    /// The next run as each reader of the files plans it the moment this run ended: the
    /// status file's `nextRun`, `synctray status` and `synctray next`.
    predicted: Vec<(&'static str, Option<DateTime<Utc>>)>,
}

/// What the test knows that the loop does not tell it.
#[derive(Default)]
struct World {
    /// The instant of the latest event that may move the schedule (a jump, a command).
    last_event: Option<Instant>,
    /// The instant of the latest jump back of the wall clock, and the time it then read.
    last_set_back: Option<Instant>,
    set_back_to: Option<DateTime<Utc>>,
    /// The instant "Sync now" was last sent.
    sync_now: Option<Instant>,
    /// When each event happened.
    events: Vec<Instant>,
    stopping: bool,
}

/// Runs that take simulated time, checked as they start.
struct SimRuns {
    clock: Arc<SimClock>,
    ws_config: std::path::PathBuf,
    ws: Workspace,
    /// The loop's snapshots: what the tray shows.
    snapshot: watch::Receiver<Snapshot>,
    rng: RefCell<Rng>,
    /// Percent of runs that take longer than the interval.
    long_percent: u64,
    since: DateTime<Utc>,
    running: Cell<bool>,
    runs: RefCell<Vec<Run>>,
    world: RefCell<World>,
    trace: RefCell<String>,
}

impl SimRuns {
    fn length(&self, config: &Config) -> Duration {
        let mut rng = self.rng.borrow_mut();
        // Odd milliseconds: a run never ends on the very instant of a slot.
        let odd = |ms: u64| Duration::from_millis(ms | 1);
        if rng.chance(self.long_percent) {
            // A cron schedule's runs are as long as the default interval's.
            let minutes = config.cadence.minutes().unwrap_or(15);
            let interval = u64::from(minutes) * 60_000;
            let cap = (interval * 3).clamp(3_000, 6 * 3_600_000);
            odd(rng.range(interval.min(cap), cap))
        } else {
            odd(rng.range(200, 20_000))
        }
    }

    /// What the files say of the next run once `record` is written: the `nextRun` a real
    /// run records, the snapshot `synctray status` reads, and the first time of
    /// `synctray next`.
    fn predict(
        &self,
        config: &Config,
        mut record: RunRecord,
    ) -> Vec<(&'static str, Option<DateTime<Utc>>)> {
        let (started, ended) = record.span();
        record.next_run = config.next_run_after(started, ended);
        record.write(&self.ws.status_file).unwrap();
        let status = Snapshot::read(&self.ws, Ok(config), ended).next_run;
        let next = synctray::cli::upcoming(config, Some((started, ended)), ended, 1);
        vec![
            ("nextRun", record.next_run),
            ("status", status),
            ("next", next.first().map(|d| d.at)),
        ]
    }

    fn fail(&self, what: String) -> ! {
        panic!("{what}\n--- trace ---\n{}", self.trace.borrow());
    }

    /// The invariants that hold when a run starts.
    fn check_start(&self, trigger: Trigger, start: DateTime<Utc>, config: &Config) {
        let now = Instant::now();
        let world = self.world.borrow();
        if self.running.get() {
            self.fail(format!("two runs at once: {trigger} at {start}"));
        }
        if world.stopping {
            self.fail(format!("{trigger} run at {start} after the stop"));
        }
        if trigger == Trigger::Manual && world.sync_now != Some(now) {
            self.fail(format!("manual run at {start} without \"Sync now\""));
        }
        if trigger == Trigger::Manual {
            return;
        }
        if config.paused_at(start) {
            self.fail(format!("{trigger} run at {start} while paused"));
        }
        if trigger == Trigger::CatchUp && !config.catch_up {
            self.fail(format!("catch-up run at {start} without catchUp"));
        }
        let runs = self.runs.borrow();
        let Some(prev) = runs.last() else {
            // A workspace that never ran: at once with catchUp, else at the first slot.
            let first = config.cadence.next_after(&config.zone, self.since).unwrap();
            let ok = match trigger {
                Trigger::CatchUp => true,
                _ => world.last_event.is_some() || start + EPS >= first,
            };
            if !ok {
                self.fail(format!("first run {trigger} at {start}, before {first}"));
            }
            return;
        };
        let set_back = world.last_set_back.is_some_and(|t| t >= prev.start_mono);
        let slot = config.cadence.next_after(&config.zone, prev.start).unwrap();
        // Never early, so never twice for one slot; and a catch-up only once a slot after
        // the previous run has passed.
        // A previous run dated after this one (set back, or a bad file) counts as now.
        if !set_back && prev.start <= start && start + EPS < slot {
            self.fail(format!(
                "{trigger} run at {start} before its slot {slot} (previous run at {})",
                prev.start
            ));
        }
        let quiet = world.last_event.is_none_or(|t| t < prev.start_mono);
        let Some(end) = prev.end else {
            self.fail("a run started before the previous one ended".into());
        };
        // The run recorded before the loop started (trigger `cli`) may have missed its
        // slot before the loop could act; only the rules above hold for the run after it.
        if !quiet || prev.trigger == Trigger::Cli || (end - slot).abs() <= EPS {
            return;
        }
        // Undisturbed: exactly as the contract says.
        let (want, at) = if end < slot {
            (Trigger::Schedule, slot)
        } else if config.catch_up {
            // A slot passed during the previous run: one catch-up as it ends.
            (Trigger::CatchUp, end)
        } else {
            let next = config
                .cadence
                .next_slot_after(&config.zone, prev.start, end)
                .unwrap();
            (Trigger::Schedule, next)
        };
        if trigger != want || (start - at).abs() > EPS {
            self.fail(format!(
                "{trigger} run at {start}; expected {want} at {at} (previous run {} → {end})",
                prev.start
            ));
        }
    }

    /// No due time is slept through: with nothing running and nothing paused, the loop's
    /// next run is not in the past.
    fn check_not_stalled(&self) {
        if self.running.get() || self.world.borrow().stopping {
            return;
        }
        let config = Config::load(&self.ws_config).unwrap();
        let now = self.clock.now();
        let runs = self.runs.borrow();
        let prev = runs.last();
        // A run dated after the clock was set back counts as starting then.
        let (set_back_at, set_back_to) = {
            let world = self.world.borrow();
            (world.last_set_back, world.set_back_to)
        };
        let last = prev.map(|r| match (set_back_at, set_back_to) {
            (Some(at), Some(to)) if r.start > to && r.start_mono <= at => to,
            _ => r.start,
        });
        let since = self.since.min(set_back_to.unwrap_or(self.since));
        let planning = Planning {
            last,
            since,
            now,
            ran_until: None,
        };
        let Some(due) = config.next_run(planning) else {
            return;
        };
        if due.at + EPS >= now {
            return;
        }
        // A slot that passed during the previous run, without catchUp: the next slot.
        if let Some(prev) = prev
            && let Some(end) = prev.end
            && !config.catch_up
            && due.at <= end
            && end <= now
        {
            let next = config
                .cadence
                .next_slot_after(&config.zone, prev.start.min(end), end)
                .unwrap();
            if next + EPS >= now {
                return;
            }
        }
        self.fail(format!(
            "stalled: {} run due at {} and nothing ran by {now}",
            due.trigger, due.at
        ));
    }
}

impl Perform for SimRuns {
    fn perform(
        &self,
        config: Arc<Config>,
        trigger: Trigger,
        mut stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_> {
        // As the loop starts the run, before it shows anything new.
        let shown = self.snapshot.borrow().next_run;
        Box::pin(async move {
            let start = self.clock.now();
            let start_mono = Instant::now();
            self.check_start(trigger, start, &config);
            self.running.set(true);
            let _ = writeln!(self.trace.borrow_mut(), "{start} {trigger} run starts");
            self.runs.borrow_mut().push(Run {
                trigger,
                start,
                start_mono,
                end: None,
                shown,
                predicted: Vec::new(),
            });
            let natural = start_mono + self.length(&config);
            loop {
                let until = match *stop.borrow() {
                    Stop::Run => natural,
                    Stop::Drain(deadline) => natural.min(deadline),
                    Stop::Now => Instant::now(),
                };
                if Instant::now() >= until {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep_until(until) => {}
                    changed = stop.changed() => if changed.is_err() {
                        tokio::time::sleep_until(until).await;
                    },
                }
            }
            let end = self.clock.now();
            let _ = writeln!(self.trace.borrow_mut(), "{end} run ends");
            let took = Instant::now() - start_mono;
            let predicted = self.predict(&config, succeeded(trigger, start, end, took));
            let mut runs = self.runs.borrow_mut();
            let run = runs.last_mut().unwrap();
            run.end = Some(end);
            run.predicted = predicted;
            drop(runs);
            self.running.set(false);
            Ok(RunOutcome::Finished(succeeded(trigger, start, end, took)))
        })
    }
}

/// A runtime on tokio's paused clock: time jumps to the next timer whenever all wait.
fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

/// The record of a stand-in run that succeeded.
fn succeeded(
    trigger: Trigger,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    took: Duration,
) -> RunRecord {
    RunRecord {
        last_sync: end,
        outcome: Outcome::Success,
        duration_ms: took.as_millis() as u64,
        error: None,
        trigger: Some(trigger),
        started_at: Some(start),
        next_run: None,
        jobs: Vec::new(),
        interrupted: false,
        last_success: Some(end),
        waited: None,
    }
}

/// Something the test does to the scheduler at a simulated moment.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The machine sleeps: the wall clock jumps forward, the monotonic clock does not.
    Suspend(TimeDelta),
    /// Someone sets the clock (forward or back).
    SetClock(TimeDelta),
    Command(Command),
    /// SIGTERM: stop, with the grace period.
    Stop,
}

/// One simulated stretch of time.
struct Scenario {
    seed: u64,
    /// The config file's text, without `jobs`.
    config: String,
    start: DateTime<Utc>,
    length: Duration,
    /// A status file with a run this long before `start`; none: a workspace never run.
    ran_before: Option<TimeDelta>,
    /// Events at monotonic offsets from the start, in order.
    events: Vec<(Duration, Event)>,
    long_percent: u64,
}

/// What a scenario did.
struct Simulated {
    runs: Vec<Run>,
    /// The config file's text at the end.
    config: String,
}

fn simulate(sc: &Scenario) -> Simulated {
    let ws = Ws::new(&format!(
        r#"{{{}, "jobs": [{{"name": "a", "command": ["true"]}}]}}"#,
        sc.config
    ));
    if let Some(ago) = sc.ran_before {
        let stamp = (sc.start - ago).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        std::fs::write(
            ws.path("data/sync-status.json"),
            format!(r#"{{"lastSync":"{stamp}","status":"success","startedAt":"{stamp}"}}"#),
        )
        .unwrap();
    }
    paused_runtime().block_on(async {
        let clock = Arc::new(SimClock::new(sc.start));
        let engine = Engine::new(
            Workspace::at(ws.root(), Source::Flag),
            clock.clone(),
            Box::new(synctray::notify::Silent),
        );
        let config = Config::load(&ws.config_path()).unwrap();
        let runs = SimRuns {
            clock: clock.clone(),
            ws_config: ws.config_path(),
            ws: Workspace::at(ws.root(), Source::Flag),
            snapshot: engine.subscribe(),
            rng: RefCell::new(Rng(sc.seed ^ 0x5eed)),
            long_percent: sc.long_percent,
            since: sc.start,
            running: Cell::new(false),
            runs: RefCell::new(match sc.ran_before {
                Some(ago) => vec![Run {
                    trigger: Trigger::Cli,
                    start: sc.start - ago,
                    start_mono: Instant::now(),
                    end: Some(sc.start - ago),
                    shown: None,
                    predicted: Vec::new(),
                }],
                None => Vec::new(),
            }),
            world: RefCell::new(World::default()),
            trace: RefCell::new(format!("seed {} config {}\n", sc.seed, sc.config)),
        };
        let (stop_tx, stop_rx) = watch::channel(Stop::Run);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let options = ServeOptions {
            follow_files: false,
        };
        let began = Instant::now();
        let served = Cell::new(None);
        let serve = async {
            engine::serve_with(&engine, &runs, config, commands_rx, stop_rx, options).await;
            served.set(Some(Instant::now()));
        };
        let drive = async {
            let mut stopped = None;
            let mut events = sc.events.clone();
            events.push((sc.length, Event::Stop));
            for (at, event) in events {
                tokio::time::sleep_until(began + at).await;
                runs.check_not_stalled();
                check_wake_ups(&clock, &runs, began);
                let now = Instant::now();
                let _ = writeln!(runs.trace.borrow_mut(), "{} {event:?}", clock.now());
                let mut world = runs.world.borrow_mut();
                world.last_event = Some(now);
                world.events.push(now);
                match event {
                    Event::Suspend(by) | Event::SetClock(by) => {
                        if by < TimeDelta::zero() {
                            world.last_set_back = Some(now);
                        }
                        clock.jump(by);
                        if by < TimeDelta::zero() {
                            world.set_back_to = Some(clock.now());
                        }
                    }
                    Event::Command(command) => {
                        if command == Command::SyncNow {
                            world.sync_now = Some(now);
                        }
                        commands.send(command).unwrap();
                    }
                    Event::Stop => {
                        world.stopping = true;
                        stop_tx.send_replace(Stop::Drain(now + GRACE));
                        stopped = Some(now);
                        break;
                    }
                }
            }
            stopped.unwrap()
        };
        let ((), stopped) = tokio::join!(serve, drive);
        let took = served.get().unwrap() - stopped;
        assert!(
            took <= GRACE,
            "seed {}: the loop ended {took:?} after the stop",
            sc.seed
        );
        assert!(!runs.running.get());
        check_wake_ups(&clock, &runs, began);
        let mut all = runs.runs.into_inner();
        if sc.ran_before.is_some() {
            all.remove(0);
        }
        Simulated {
            runs: all,
            config: std::fs::read_to_string(ws.config_path()).unwrap(),
        }
    })
}

/// No busy waiting: in every simulated hour the loop wakes a few times for each run and
/// each event, and not otherwise.
fn check_wake_ups(clock: &SimClock, runs: &SimRuns, began: Instant) {
    let hour = |t: Instant| (t - began).as_secs() / 3600;
    let mut wakes = std::collections::BTreeMap::<u64, u64>::new();
    for t in clock.sleeps.lock().unwrap().iter() {
        *wakes.entry(hour(*t)).or_default() += 1;
    }
    let mut work = std::collections::BTreeMap::<u64, u64>::new();
    for run in runs.runs.borrow().iter().filter(|r| r.start_mono >= began) {
        *work.entry(hour(run.start_mono)).or_default() += 1;
    }
    for t in runs.world.borrow().events.iter() {
        *work.entry(hour(*t)).or_default() += 1;
    }
    for (h, n) in wakes {
        let allowed = 3 * work.get(&h).copied().unwrap_or(0) + 6;
        if n > allowed {
            runs.fail(format!(
                "busy waiting: {n} wake-ups in simulated hour {h} (at most {allowed})"
            ));
        }
    }
}

/// A config's text for "every N minutes".
fn every(minutes: u32, zone: Option<&str>, catch_up: bool) -> String {
    let tz = zone.map_or(String::new(), |z| format!(r#", "timezone": "{z}""#));
    format!(r#""intervalMinutes": {minutes}, "catchUp": {catch_up}{tz}"#)
}

fn cron(expr: &str, zone: Option<&str>, catch_up: bool) -> String {
    let tz = zone.map_or(String::new(), |z| format!(r#", "timezone": "{z}""#));
    format!(r#""schedule": "{expr}", "catchUp": {catch_up}{tz}"#)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Daylight-saving changes of 2026: America/New_York and Europe/Madrid, spring and autumn.
const CHANGES: [&str; 4] = [
    "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-10-25T01:00:00Z",
];

/// A quiet stretch around a daylight-saving change: short runs, no events.
fn quiet(config: String, change: &str, seed: u64) -> Scenario {
    Scenario {
        seed,
        config,
        start: utc(change) - TimeDelta::hours(5) + TimeDelta::milliseconds(7),
        length: Duration::from_secs(10 * 3600),
        ran_before: Some(TimeDelta::milliseconds(5)),
        events: Vec::new(),
        long_percent: 0,
    }
}

fn starts(runs: &[Run]) -> Vec<DateTime<Utc>> {
    runs.iter().map(|r| r.start).collect()
}

/// Two lists of run times are the same; else says where they part.
fn assert_same_runs(got: &[DateTime<Utc>], want: &[DateTime<Utc>], what: &str) {
    if got == want {
        return;
    }
    let at = got.iter().zip(want).position(|(a, b)| a != b);
    let at = at.unwrap_or(got.len().min(want.len()));
    panic!(
        "{what}: {} runs, expected {}; they part at run {at}: got {:?}, expected {:?}",
        got.len(),
        want.len(),
        got.get(at.saturating_sub(1)..(at + 2).min(got.len())),
        want.get(at.saturating_sub(1)..(at + 2).min(want.len())),
    );
}

/// "Every N minutes" for N dividing 60 fires on every multiple of N real minutes through
/// both changes (in whole-hour zones the multiples are the same in UTC).
fn check_aligned_minutes(zone: Option<&str>) {
    for change in CHANGES {
        for n in [1u32, 5, 15, 20, 30, 60] {
            let sc = quiet(every(n, zone, true), change, u64::from(n));
            let got = starts(&simulate(&sc).runs);
            let step = TimeDelta::minutes(i64::from(n));
            let end = sc.start + TimeDelta::from_std(sc.length).unwrap();
            let mut want = Vec::new();
            let mut t = DateTime::from_timestamp(
                sc.start.timestamp() - sc.start.timestamp().rem_euclid(step.num_seconds()),
                0,
            )
            .unwrap();
            while t <= end {
                if t > sc.start {
                    want.push(t);
                }
                t += step;
            }
            assert_same_runs(
                &got,
                &want,
                &format!("every {n} min across {change} in {zone:?}"),
            );
        }
    }
}

/// The first valid time at or after a local `hh:mm` on `date` in `tz`, once: a time in a
/// gap is the gap's end; a time that comes twice, the first.
fn daily(date: jiff::civil::Date, hh: i8, mm: i8, tz: &jiff::tz::TimeZone) -> DateTime<Utc> {
    let mut civil = date.at(hh, mm, 0, 0);
    loop {
        let ambiguous = tz.to_ambiguous_timestamp(civil);
        match ambiguous.offset() {
            jiff::tz::AmbiguousOffset::Gap { .. } => {
                civil = civil.checked_add(jiff::Span::new().minutes(1)).unwrap();
            }
            _ => {
                let ts = ambiguous.earlier().unwrap();
                return DateTime::from_timestamp_millis(ts.as_millisecond()).unwrap();
            }
        }
    }
}

/// A daily time that does not exist runs once at the first valid time after it; one that
/// exists twice runs once.
fn check_daily_times(zone: Option<&str>, tz: &jiff::tz::TimeZone) {
    for change in CHANGES {
        for (hh, mm) in [(2i8, 30i8), (1, 30), (3, 0), (2, 0)] {
            let mut sc = quiet(cron(&format!("{mm} {hh} * * *"), zone, true), change, 1);
            sc.start = utc(change) - TimeDelta::hours(30) + TimeDelta::milliseconds(7);
            sc.length = Duration::from_secs(60 * 3600);
            let got = starts(&simulate(&sc).runs);
            let first = jiff::Timestamp::from_millisecond(sc.start.timestamp_millis())
                .unwrap()
                .to_zoned(tz.clone())
                .date();
            let end = sc.start + TimeDelta::from_std(sc.length).unwrap();
            let want: Vec<_> = (-1..4)
                .map(|d| {
                    daily(
                        first.checked_add(jiff::Span::new().days(d)).unwrap(),
                        hh,
                        mm,
                        tz,
                    )
                })
                .filter(|t| *t > sc.start && *t < end)
                .collect();
            assert_same_runs(
                &got,
                &want,
                &format!("{mm} {hh} * * * across {change} in {zone:?}"),
            );
        }
    }
}

#[test]
fn every_n_minutes_fires_every_n_real_minutes_through_dst_in_a_named_zone() {
    check_aligned_minutes(Some("America/New_York"));
    check_aligned_minutes(Some("Europe/Madrid"));
}

#[test]
fn a_daily_time_runs_once_on_dst_nights_in_a_named_zone() {
    for name in ["America/New_York", "Europe/Madrid"] {
        check_daily_times(Some(name), &jiff::tz::TimeZone::get(name).unwrap());
    }
}

/// The local zone is the process's: this test runs itself again with `TZ` set, and the
/// child checks the local zone exactly as the named zone is checked, run for run.
#[test]
fn the_local_zone_follows_dst_exactly_as_a_named_zone() {
    const NAME: &str = "simulation::the_local_zone_follows_dst_exactly_as_a_named_zone";
    let Some(zone) = std::env::var_os("SYNCTRAY_SIM_LOCAL") else {
        for zone in ["America/New_York", "Europe/Madrid"] {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
                .env("TZ", zone)
                .env("SYNCTRAY_SIM_LOCAL", zone)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "in TZ={zone}:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        return;
    };
    let name = zone.to_str().unwrap();
    let tz = jiff::tz::TimeZone::get(name).unwrap();
    assert_eq!(jiff::tz::TimeZone::system().iana_name(), Some(name));
    check_aligned_minutes(None);
    check_daily_times(None, &tz);
    // Every other interval and a few expressions: the same runs as in the named zone.
    for change in CHANGES {
        let configs: [fn(Option<&str>) -> String; 8] = [
            |z| every(45, z, true),
            |z| every(90, z, false),
            |z| every(120, z, true),
            |z| every(180, z, true),
            |z| every(360, z, false),
            |z| cron("0 */3 * * *", z, true),
            |z| cron("*/10 0-4 * * *", z, true),
            |z| cron("0 9-18 * * MON-FRI", z, true),
        ];
        for config in configs {
            let mut local = quiet(config(None), change, 3);
            local.length = Duration::from_secs(30 * 3600);
            let mut named = quiet(config(Some(name)), change, 3);
            named.length = local.length;
            assert_same_runs(
                &starts(&simulate(&local).runs),
                &starts(&simulate(&named).runs),
                &format!("{} across {change}", local.config),
            );
        }
    }
}

#[test]
fn runs_that_outlast_their_slots_are_followed_by_one_catch_up_each_while_the_loop_sleeps() {
    for catch_up in [true, false] {
        let mut sc = quiet(every(1, None, catch_up), CHANGES[1], 9);
        sc.long_percent = 100;
        let runs = simulate(&sc).runs;
        // Each run is checked as it starts: with catchUp, one catch-up as the previous
        // run ends; without, the next slot. The wake-ups stay a few per run.
        assert!(runs.len() > 100, "{} runs", runs.len());
        let want = if catch_up {
            Trigger::CatchUp
        } else {
            Trigger::Schedule
        };
        assert!(runs[1..].iter().all(|r| r.trigger == want), "{runs:?}");
    }
}

#[test]
fn next_run_after_an_overrun_is_when_the_next_run_really_starts() {
    // Runs longer than the slots: on a grid (every minute, every 3 s as cron) and N
    // minutes after the previous start (7), with and without catchUp.
    let configs = [
        every(1, None, false),
        every(1, None, true),
        every(7, None, false),
        every(7, None, true),
        cron("*/3 * * * * *", None, false),
        cron("*/3 * * * * *", None, true),
    ];
    for (i, config) in configs.into_iter().enumerate() {
        let mut sc = quiet(config.clone(), CHANGES[1], 40 + i as u64);
        sc.long_percent = 60;
        let runs = simulate(&sc).runs;
        assert!(runs.len() > 20, "{config}: {} runs", runs.len());
        let parsed = Config::parse(&format!("{{{config}}}")).unwrap();
        let overruns = runs
            .iter()
            .filter(|r| {
                let slot = parsed.cadence.next_after(&parsed.zone, r.start).unwrap();
                slot <= r.end.unwrap()
            })
            .count();
        assert!(overruns > 5, "{config}: only {overruns} overruns");
        for w in runs.windows(2) {
            let (run, next) = (&w[0], &w[1]);
            for (reader, said) in &run.predicted {
                let ok = said.is_some_and(|at| (at - next.start).abs() <= EPS);
                assert!(
                    ok,
                    "{config}: after the run {} → {:?}, {reader} said {said:?}; the next run ({}) started at {}",
                    run.start, run.end, next.trigger, next.start
                );
            }
            // While it sleeps until a run, the loop shows that run's time (a catch-up
            // starts as the run before ends, with no sleep between to show it).
            if next.trigger == Trigger::Schedule {
                let ok = next.shown.is_some_and(|at| (at - next.start).abs() <= EPS);
                assert!(
                    ok,
                    "{config}: the loop showed {:?} as the next run; it started at {}",
                    next.shown, next.start
                );
            }
        }
    }
}

#[test]
fn a_pause_for_a_while_ends_by_itself_with_one_catch_up_and_leaves_the_file() {
    for catch_up in [true, false] {
        // Ahead of the real clock: an edit refuses a pausedUntil already past.
        let start = utc("2031-03-04T09:00:00.007Z");
        let paused_at = Duration::from_secs(3600 + 120);
        let until = utc("2031-03-04T13:05:00Z");
        let sc = Scenario {
            seed: 70,
            config: every(15, None, catch_up),
            start,
            length: Duration::from_secs(8 * 3600),
            ran_before: Some(TimeDelta::milliseconds(5)),
            events: vec![(paused_at, Event::Command(Command::PauseUntil(until)))],
            long_percent: 0,
        };
        let simulated = simulate(&sc);
        assert!(
            !simulated.config.contains("pausedUntil"),
            "the pause that ended is still in the file: {}",
            simulated.config
        );
        let ws_runs = simulated.runs;
        let pause_start = start + TimeDelta::from_std(paused_at).unwrap();
        let during: Vec<_> = ws_runs
            .iter()
            .filter(|r| r.start > pause_start && r.start < until)
            .collect();
        assert!(during.is_empty(), "runs during the pause: {during:?}");
        let after: Vec<_> = ws_runs.iter().filter(|r| r.start >= until).collect();
        let (want, at) = if catch_up {
            (Trigger::CatchUp, until)
        } else {
            (Trigger::Schedule, utc("2031-03-04T13:15:00Z"))
        };
        assert_eq!(
            (after[0].trigger, after[0].start),
            (want, at),
            "catchUp {catch_up}: {after:?}"
        );
        // Then the grid, one run a slot.
        assert_eq!(after[1].trigger, Trigger::Schedule);
        assert_eq!(
            after[1].start,
            utc("2031-03-04T13:15:00Z") + TimeDelta::minutes(if catch_up { 0 } else { 15 })
        );
        assert!(
            after
                .iter()
                .filter(|r| r.trigger == Trigger::CatchUp)
                .count()
                <= 1
        );
    }
}

#[test]
fn a_last_run_dated_in_the_future_counts_as_now() {
    for catch_up in [true, false] {
        let mut sc = quiet(every(15, None, catch_up), CHANGES[0], 5);
        // The status says the last run started five hours from now.
        sc.ran_before = Some(-TimeDelta::hours(5));
        sc.length = Duration::from_secs(3600);
        let got = starts(&simulate(&sc).runs);
        let first = utc("2026-03-08T02:15:00Z");
        let want: Vec<_> = (0..4).map(|k| first + TimeDelta::minutes(15 * k)).collect();
        assert_same_runs(&got, &want, &format!("catchUp {catch_up}"));
    }
}

#[test]
fn a_clock_set_back_five_hours_goes_on_at_the_next_slot_of_the_new_time() {
    for catch_up in [true, false] {
        let mut sc = quiet(every(15, None, catch_up), CHANGES[0], 6);
        sc.length = Duration::from_secs(3 * 3600);
        sc.events = vec![(
            Duration::from_millis(3_600_001),
            Event::SetClock(-TimeDelta::hours(5)),
        )];
        let runs = simulate(&sc).runs;
        // Every 15 real minutes all along: the set-back neither stalls nor repeats.
        assert_eq!(runs.len(), 12, "{runs:?}");
        for pair in runs.windows(2) {
            let gap = pair[1].start_mono - pair[0].start_mono;
            assert!(gap <= Duration::from_secs(15 * 60), "{pair:?}");
        }
        assert_eq!(runs[4].start, utc("2026-03-07T22:15:00Z"), "{runs:?}");
    }
}

#[test]
fn every_interval_from_1_to_1440_minutes_runs_on_its_slots() {
    // Undisturbed, with runs that sometimes outlast the interval: every run is checked
    // against the contract as it starts (see SimRuns::check_start).
    for n in 1..=1440u32 {
        let mut rng = Rng(u64::from(n));
        let catch_up = rng.chance(50);
        let zone = if rng.chance(50) {
            Some("Europe/Madrid")
        } else {
            None
        };
        let change = CHANGES[rng.range(0, 3) as usize];
        let span = (4 * 60 * u64::from(n)).clamp(6 * 3600, 3 * 86_400);
        let sc = Scenario {
            seed: u64::from(n),
            config: every(n, zone, catch_up),
            start: utc(change) - TimeDelta::seconds(rng.range(0, span) as i64)
                + TimeDelta::milliseconds(7),
            length: Duration::from_secs(span),
            ran_before: rng
                .chance(70)
                .then(|| TimeDelta::seconds(rng.range(1, 2 * 60 * u64::from(n)) as i64)),
            events: Vec::new(),
            long_percent: 20,
        };
        let runs = simulate(&sc).runs;
        assert!(
            runs.len() as u64 >= span / (60 * u64::from(n)) / 4,
            "every {n} min: only {} runs in {span} s",
            runs.len()
        );
    }
}

/// Random events at random moments: suspends, clock changes both ways, "Sync now",
/// "Change interval", pause and resume, and an early stop, over days with DST changes.
#[test]
fn random_days_with_suspends_clock_changes_commands_and_stops_keep_every_invariant() {
    let expressions = [
        "*/1 * * * * *",
        "*/15 * * * *",
        "30 2 * * *",
        "0 9-18 * * MON-FRI",
        "*/7 * * * *",
        "0 */2 * * *",
    ];
    let mut total_runs = 0;
    // SIM_SEED=N replays one scenario; SIM_SEEDS=N tries that many.
    let only: Option<u64> = std::env::var("SIM_SEED").ok().map(|s| s.parse().unwrap());
    let seeds: u64 = std::env::var("SIM_SEEDS").map_or(300, |s| s.parse().unwrap());
    for seed in 0..seeds {
        if only.is_some_and(|o| o != seed) {
            continue;
        }
        let mut rng = Rng(seed);
        let zone = match rng.range(0, 2) {
            0 => None,
            1 => Some("Europe/Madrid"),
            _ => Some("America/New_York"),
        };
        let catch_up = rng.chance(60);
        let per_second = rng.chance(5);
        let config = if per_second {
            cron(expressions[0], zone, catch_up)
        } else if rng.chance(30) {
            cron(expressions[rng.range(1, 5) as usize], zone, catch_up)
        } else {
            let n = match rng.range(0, 3) {
                0 => [1, 5, 15, 30, 60, 120, 1440][rng.range(0, 6) as usize],
                1 => rng.range(1, 120) as u32,
                _ => rng.range(1, 1440) as u32,
            };
            every(n, zone, catch_up)
        };
        let length = if per_second {
            Duration::from_secs(rng.range(60, 2 * 3600))
        } else {
            Duration::from_secs(rng.range(3600, 3 * 86_400))
        };
        let mut events = Vec::new();
        let mut paused = false;
        for _ in 0..rng.range(0, 40) {
            let at = Duration::from_millis(rng.range(0, length.as_millis() as u64 - 1) | 1);
            let event = match rng.range(0, 9) {
                0 => Event::Suspend(TimeDelta::seconds(rng.range(60, 10 * 3600) as i64)),
                1 => Event::SetClock(TimeDelta::seconds(rng.range(1, 2 * 3600) as i64)),
                2 => Event::SetClock(-TimeDelta::seconds(rng.range(1, 6 * 3600) as i64)),
                3 | 4 => Event::Command(Command::SyncNow),
                5 => Event::Command(Command::SetInterval(
                    [1, 2, 10, 15, 45, 90, 120, 1440][rng.range(0, 7) as usize],
                )),
                6 | 7 => {
                    paused = !paused;
                    Event::Command(Command::SetPaused(paused))
                }
                _ => Event::Stop,
            };
            events.push((at, event));
        }
        events.sort_by_key(|(at, _)| *at);
        if let Some(i) = events.iter().position(|(_, e)| matches!(e, Event::Stop)) {
            events.truncate(i);
        }
        let change = CHANGES[rng.range(0, 3) as usize];
        let sc = Scenario {
            seed,
            config,
            // An even millisecond: events (at odd ones) never meet a slot on its instant.
            start: utc(change) - TimeDelta::seconds(rng.range(0, 86_400) as i64)
                + TimeDelta::milliseconds(2 * rng.range(0, 499) as i64),
            length,
            ran_before: rng
                .chance(70)
                .then(|| TimeDelta::seconds(rng.range(1, 86_400) as i64)),
            events,
            long_percent: rng.range(0, 40),
        };
        total_runs += simulate(&sc).runs.len();
    }
    assert!(
        only.is_some() || total_runs > 10_000,
        "only {total_runs} runs in all"
    );
}

/// A run that takes a minute of simulated time.
struct MinuteRun;

impl Perform for MinuteRun {
    fn perform(
        &self,
        _config: Arc<Config>,
        trigger: Trigger,
        _stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_> {
        Box::pin(async move {
            let start = Utc::now();
            tokio::time::sleep(Duration::from_secs(60)).await;
            let took = Duration::from_secs(60);
            Ok(RunOutcome::Finished(succeeded(trigger, start, start, took)))
        })
    }
}

#[test]
fn already_running_is_said_during_a_run_and_goes_when_the_run_ends() {
    let ws = Ws::new(r#"{"intervalMinutes": 15, "jobs": [{"name": "a", "command": ["true"]}]}"#);
    paused_runtime().block_on(async {
        let clock = Arc::new(SimClock::new(utc("2026-11-25T14:00:00Z")));
        let engine = Engine::new(
            Workspace::at(ws.root(), Source::Flag),
            clock,
            Box::new(synctray::notify::Silent),
        );
        let config = Config::load(&ws.config_path()).unwrap();
        let snapshots = engine.subscribe();
        let (stop_tx, stop_rx) = watch::channel(Stop::Run);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let options = ServeOptions {
            follow_files: false,
        };
        let serve = engine::serve_with(&engine, &MinuteRun, config, commands_rx, stop_rx, options);
        let drive = async {
            let began = Instant::now();
            let message = || {
                snapshots
                    .borrow()
                    .message
                    .as_ref()
                    .map(|m| m.what.to_string())
            };
            // The workspace never ran: its first run starts at once and takes a minute.
            tokio::time::sleep_until(began + Duration::from_secs(5)).await;
            commands.send(Command::SyncNow).unwrap();
            tokio::time::sleep_until(began + Duration::from_secs(6)).await;
            assert_eq!(message().as_deref(), Some("a sync is already running"));
            tokio::time::sleep_until(began + Duration::from_secs(65)).await;
            assert_eq!(message(), None, "the run it spoke of has ended");
            stop_tx.send_replace(Stop::Drain(Instant::now() + GRACE));
        };
        tokio::join!(serve, drive);
    });
}

/// Power and cost as a test sets them. Power sends no change event (as on Linux, where
/// `/sys` files are read); a change of cost is announced, as NetworkManager does.
#[derive(Default)]
struct SimSensors {
    ac: std::sync::atomic::AtomicBool,
    metered: std::sync::atomic::AtomicBool,
    cost_changed: tokio::sync::Notify,
    /// How many times the power source was read.
    power_reads: std::sync::atomic::AtomicU32,
}

struct SimGauges<'a>(&'a SimSensors);

impl Sensors for SimSensors {
    fn open(&self) -> Box<dyn Gauges + '_> {
        Box::new(SimGauges(self))
    }
}

impl Gauges for SimGauges<'_> {
    fn on_ac(&mut self) -> bool {
        self.0.power_reads.fetch_add(1, Ordering::SeqCst);
        self.0.ac.load(Ordering::SeqCst)
    }

    fn metered(&mut self) -> SensorFuture<'_, bool> {
        let metered = self.0.metered.load(Ordering::SeqCst);
        Box::pin(async move { metered })
    }

    fn changed(&mut self) -> SensorFuture<'_, ()> {
        Box::pin(self.0.cost_changed.notified())
    }
}

/// A run's trigger and start, and what it waited for.
type WaitedRun = (Trigger, DateTime<Utc>, Option<Waited>);

/// The engine's own wait for the conditions (`Engine::wait_then`, as every run), then a run
/// of a simulated minute.
struct WaitThenRun<'a> {
    engine: &'a Engine,
    clock: Arc<SimClock>,
    runs: RefCell<Vec<WaitedRun>>,
}

impl Perform for WaitThenRun<'_> {
    fn perform(
        &self,
        config: Arc<Config>,
        trigger: Trigger,
        stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_> {
        Box::pin(async move {
            self.engine
                .wait_then(
                    &config,
                    trigger,
                    stop,
                    |trigger, waited, _stop| async move {
                        let start = self.clock.now();
                        self.runs.borrow_mut().push((trigger, start, waited));
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        let end = self.clock.now();
                        let mut status = succeeded(trigger, start, end, Duration::from_secs(60));
                        status.waited = waited;
                        Ok(RunOutcome::Finished(status))
                    },
                )
                .await
        })
    }
}

/// Serves `config` from 14:00 UTC with `sensors`, while `drive` acts on it; the runs.
fn serve_conditions<F: Future<Output = ()>>(
    config: &str,
    sensors: Arc<SimSensors>,
    drive: impl FnOnce(
        Instant,
        watch::Receiver<synctray::snapshot::Snapshot>,
        mpsc::UnboundedSender<Command>,
    ) -> F,
    length: Duration,
) -> Vec<WaitedRun> {
    let ws = Ws::new(&format!(
        r#"{{{config}, "jobs": [{{"name": "a", "command": ["true"]}}]}}"#
    ));
    paused_runtime().block_on(async {
        let clock = Arc::new(SimClock::new(utc("2026-11-25T14:00:00Z")));
        let engine = Engine::new(
            Workspace::at(ws.root(), Source::Flag),
            clock.clone(),
            Box::new(synctray::notify::Silent),
        )
        .with_sensors(sensors);
        let config = Config::load(&ws.config_path()).unwrap();
        let runs = WaitThenRun {
            engine: &engine,
            clock,
            runs: RefCell::new(Vec::new()),
        };
        let (stop_tx, stop_rx) = watch::channel(Stop::Run);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let options = ServeOptions {
            follow_files: false,
        };
        let began = Instant::now();
        let serve = engine::serve_with(&engine, &runs, config, commands_rx, stop_rx, options);
        let snapshots = engine.subscribe();
        let act = async {
            drive(began, snapshots, commands).await;
            tokio::time::sleep_until(began + length).await;
            stop_tx.send_replace(Stop::Drain(Instant::now() + GRACE));
        };
        tokio::join!(serve, act);
        runs.runs.into_inner()
    })
}

#[test]
fn a_condition_that_never_holds_runs_each_due_time_once_at_its_deadline() {
    // On battery throughout: every 15 min, waiting at most an hour.
    let sensors = Arc::new(SimSensors::default());
    let config = r#""intervalMinutes": 15, "catchUp": true,
                    "conditions": {"power": "ac", "maxDelayMinutes": 60}"#;
    let runs = serve_conditions(
        config,
        sensors.clone(),
        |began, snapshots, _| async move {
            tokio::time::sleep_until(began + Duration::from_secs(600)).await;
            let running = snapshots.borrow().running.clone();
            assert_eq!(
                running,
                Some(synctray::snapshot::Running::Waiting {
                    what: Condition::Power,
                    until: Some(utc("2026-11-25T15:00:00Z")),
                }),
                "the tray is told what the run waits for, and until when"
            );
        },
        Duration::from_secs(220 * 60),
    );
    // The catch-up due at 14:00 waits until 15:00 and runs (a minute); the slots that
    // passed meanwhile are one due time, the next slot after its start (15:15) waits
    // until 16:15, and so on: one run per due time, each at its deadline.
    let got: Vec<_> = runs.iter().map(|(t, at, _)| (*t, *at)).collect();
    assert_eq!(
        got,
        [
            (Trigger::CatchUp, utc("2026-11-25T15:00:00Z")),
            (Trigger::Schedule, utc("2026-11-25T16:15:00Z")),
            (Trigger::Schedule, utc("2026-11-25T17:30:00Z")),
        ]
    );
    for (_, _, waited) in &runs {
        assert_eq!(
            *waited,
            Some(Waited {
                what: Condition::Power,
                ms: 3_600_000
            })
        );
    }
    // Looked at every 30 s while waiting, not more: 121 a wait, three waits and the
    // fourth's first 10 minutes.
    let reads = sensors.power_reads.load(Ordering::SeqCst);
    assert!(reads <= 3 * 122 + 22, "{reads} reads of the power source");
    assert!(reads >= 3 * 120, "{reads} reads of the power source");
}

#[test]
fn a_condition_that_comes_to_hold_during_the_wait_starts_the_run_then() {
    // Plugged in at 14:10: no event, so the 30 s look sees it.
    let sensors = Arc::new(SimSensors::default());
    let config = r#""intervalMinutes": 60, "conditions": {"power": "ac"}"#;
    let runs = serve_conditions(
        config,
        sensors.clone(),
        |began, _, _| {
            let sensors = sensors.clone();
            async move {
                tokio::time::sleep_until(began + Duration::from_secs(600)).await;
                sensors.ac.store(true, Ordering::SeqCst);
            }
        },
        Duration::from_secs(30 * 60),
    );
    assert_eq!(runs.len(), 1, "{runs:?}");
    let (trigger, start, waited) = runs[0];
    assert_eq!(trigger, Trigger::CatchUp);
    let ten = utc("2026-11-25T14:10:00Z");
    assert!(
        start >= ten && start <= ten + TimeDelta::seconds(30),
        "started at {start}"
    );
    let waited = waited.unwrap();
    assert_eq!(waited.what, Condition::Power);
    assert_eq!(
        waited.ms,
        (start - utc("2026-11-25T14:00:00Z")).num_milliseconds() as u64
    );

    // Metered, then not: NetworkManager says so, and the run starts on the event.
    let sensors = Arc::new(SimSensors::default());
    sensors.ac.store(true, Ordering::SeqCst);
    sensors.metered.store(true, Ordering::SeqCst);
    let config = r#""intervalMinutes": 60, "conditions": {"power": "ac", "network": "unmetered"}"#;
    let runs = serve_conditions(
        config,
        sensors.clone(),
        |began, _, _| {
            let sensors = sensors.clone();
            async move {
                tokio::time::sleep_until(began + Duration::from_millis(300_007)).await;
                sensors.metered.store(false, Ordering::SeqCst);
                sensors.cost_changed.notify_one();
            }
        },
        Duration::from_secs(30 * 60),
    );
    assert_eq!(runs.len(), 1, "{runs:?}");
    let (_, start, waited) = runs[0];
    assert_eq!(
        start,
        utc("2026-11-25T14:05:00.007Z"),
        "on the event, not at the next look"
    );
    assert_eq!(
        waited,
        Some(Waited {
            what: Condition::Unmetered,
            ms: 300_007
        })
    );
}

#[test]
fn sync_now_during_a_wait_runs_at_once_and_a_manual_run_never_waits() {
    let sensors = Arc::new(SimSensors::default());
    let config = r#""intervalMinutes": 60, "conditions": {"power": "ac", "maxDelayMinutes": 120}"#;
    let runs = serve_conditions(
        config,
        sensors,
        |began, _, commands| async move {
            tokio::time::sleep_until(began + Duration::from_secs(300)).await;
            commands.send(Command::SyncNow).unwrap();
            // Another "Sync now" later, with nothing waiting: it runs at once.
            tokio::time::sleep_until(began + Duration::from_secs(1800)).await;
            commands.send(Command::SyncNow).unwrap();
        },
        Duration::from_secs(40 * 60),
    );
    let got: Vec<_> = runs.iter().map(|(t, at, _)| (*t, *at)).collect();
    assert_eq!(
        got,
        [
            (Trigger::Manual, utc("2026-11-25T14:05:00Z")),
            (Trigger::Manual, utc("2026-11-25T14:30:00Z")),
        ]
    );
    assert_eq!(runs[1].2, None, "a manual run does not wait");
}

/// A stand-in run of a fixed length, recording when each run starts.
struct FixedRuns {
    clock: Arc<SimClock>,
    length: Duration,
    starts: RefCell<Vec<DateTime<Utc>>>,
}

impl Perform for FixedRuns {
    fn perform(
        &self,
        _config: Arc<Config>,
        trigger: Trigger,
        _stop: watch::Receiver<Stop>,
    ) -> RunFuture<'_> {
        Box::pin(async move {
            let start = self.clock.now();
            self.starts.borrow_mut().push(start);
            let started = Instant::now();
            tokio::time::sleep(self.length).await;
            let end = self.clock.now();
            Ok(RunOutcome::Finished(succeeded(
                trigger,
                start,
                end,
                Instant::now() - started,
            )))
        })
    }
}

/// Several workspaces in one process: one whose runs take 50 minutes (every 15 minutes)
/// beside one that runs every 5 minutes. Even on one thread, the busy one never delays the
/// other: every 5-minute slot of the day starts on time.
#[test]
fn a_workspace_with_long_runs_never_delays_anothers_due_times() {
    let start = utc("2026-03-02T00:00:00Z");
    let slow_ws = Ws::new(&format!(
        r#"{{{}, "jobs": [{{"name": "a", "command": ["true"]}}]}}"#,
        every(15, None, false)
    ));
    let quick_ws = Ws::new(&format!(
        r#"{{{}, "jobs": [{{"name": "b", "command": ["true"]}}]}}"#,
        every(5, None, false)
    ));
    let day = Duration::from_secs(24 * 3600);
    let (slow, quick) = paused_runtime().block_on(async {
        let clock = Arc::new(SimClock::new(start));
        let runs = |length| FixedRuns {
            clock: clock.clone(),
            length,
            starts: RefCell::new(Vec::new()),
        };
        let slow_runs = runs(Duration::from_secs(50 * 60 + 1));
        let quick_runs = runs(Duration::from_millis(1201));
        let (stop_tx, stop_rx) = watch::channel(Stop::Run);
        let serve = |ws: &Ws, runs| {
            let engine = Engine::new(
                Workspace::at(ws.root(), Source::Flag),
                clock.clone(),
                Box::new(synctray::notify::Silent),
            );
            let config = Config::load(&ws.config_path()).unwrap();
            let stop_rx = stop_rx.clone();
            async move {
                let (_commands, commands_rx) = mpsc::unbounded_channel();
                let options = ServeOptions {
                    follow_files: false,
                };
                engine::serve_with(&engine, runs, config, commands_rx, stop_rx, options).await;
            }
        };
        let stop = async {
            tokio::time::sleep(day).await;
            stop_tx.send_replace(Stop::Now);
        };
        tokio::join!(
            serve(&slow_ws, &slow_runs),
            serve(&quick_ws, &quick_runs),
            stop
        );
        (
            slow_runs.starts.into_inner(),
            quick_runs.starts.into_inner(),
        )
    });
    // The slow workspace ran, run after run (each overrunning its slots).
    assert!(slow.len() >= 20, "{} slow runs", slow.len());
    // The quick one started on every one of its slots (catchUp off: the first is the
    // first slot after the start).
    let want: Vec<DateTime<Utc>> = (1..=288)
        .map(|i| start + TimeDelta::minutes(5 * i))
        .collect();
    assert_same_runs(&quick, &want, "the 5-minute workspace beside a busy one");
}
