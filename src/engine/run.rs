//! One run under the lock: the wait before it (network, conditions), the jobs in order
//! with their tries, the run log, then its start and its end told to the engine's
//! observers (the status and the history, metrics, pings, logs, the desktop, the alerts).

use tokio::sync::watch;
use tokio::time::Instant;

use super::{Engine, RunOutcome};
use crate::config::{self, Config};
use crate::lock::{self, Acquire, LockError};
use crate::observe::{RunEnd, RunStart};
use crate::runner::{self, JobContext};
use crate::schedule::Trigger;
use crate::shutdown::Stop;
use crate::snapshot::Running;
use crate::status::{Failure, JobFailure, JobResult, Outcome, RunError, RunRecord};
use crate::sys;
use crate::wait::{self, Waited};

/// Whether "cannot keep the machine awake" has been said: once a process.
static AWAKE_WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Engine {
    /// A sleep inhibitor for the run about to start its jobs (`keepAwake`); none when
    /// turned off, or when the system has none or refuses (said once; the run goes on).
    async fn keep_awake(&self, config: &Config) -> Option<sys::Inhibitor> {
        if !config.keep_awake {
            return None;
        }
        match sys::keep_awake(&format!("Syncing {}", self.ws.name)).await {
            Ok(held) => {
                tracing::debug!("keeping the machine awake while the run runs");
                Some(held)
            }
            Err(e) => {
                if !AWAKE_WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    tracing::warn!(
                        "cannot keep the machine awake during runs ({e}); runs go on without"
                    );
                } else {
                    tracing::debug!("cannot keep the machine awake: {e}");
                }
                None
            }
        }
    }

    /// One run, under the lock: the one door every run goes through — the scheduler's
    /// (through [`super::Perform`]), `synctray sync` and the tray's "Sync now" for a
    /// workspace served elsewhere (through [`crate::host::sync_now`]). A scheduled or
    /// catch-up run first waits for what it needs ([`Engine::await_conditions`]; `NotStarted`
    /// when the scheduler stopped meanwhile); then the jobs in order, then the status and
    /// history.
    ///
    /// Skipped (not queued) when another process holds the lock. `stop` ends it early:
    /// no new job starts, and the running one is stopped at the deadline it carries.
    pub async fn run_once(
        &self,
        config: &Config,
        trigger: Trigger,
        stop: watch::Receiver<Stop>,
    ) -> Result<RunOutcome, LockError> {
        self.wait_then(config, trigger, stop, |trigger, waited, stop| {
            self.run_once_after(config, trigger, waited, stop)
        })
        .await
    }

    /// What comes before every run: a scheduled or catch-up run waits for what it needs
    /// ([`Engine::await_conditions`]), then `run` runs with the trigger to record and what
    /// it waited for; `NotStarted` when the scheduler stopped meanwhile. [`Engine::run_once`]
    /// gives it the real run; a simulation gives it a run of simulated time.
    pub async fn wait_then<F, R>(
        &self,
        config: &Config,
        trigger: Trigger,
        stop: watch::Receiver<Stop>,
        run: F,
    ) -> Result<RunOutcome, LockError>
    where
        F: FnOnce(Trigger, Option<Waited>, watch::Receiver<Stop>) -> R,
        R: std::future::Future<Output = Result<RunOutcome, LockError>>,
    {
        let Some((trigger, waited)) = self.await_conditions(config, trigger, stop.clone()).await
        else {
            return Ok(RunOutcome::NotStarted);
        };
        run(trigger, waited, stop).await
    }

    /// [`Engine::run_once`] once its wait is over, for a run that `waited` before it
    /// started, as recorded.
    async fn run_once_after(
        &self,
        config: &Config,
        trigger: Trigger,
        waited: Option<Waited>,
        mut stop: watch::Receiver<Stop>,
    ) -> Result<RunOutcome, LockError> {
        let started_at = self.clock.now();
        let started = Instant::now();
        // The run's processes start under a host started before the lock is taken, so that
        // the holder file's first write records it; declared after the lock, so that it
        // is gone before the lock goes, however the run ends (locals drop in reverse).
        #[allow(
            clippy::needless_late_init,
            reason = "the drop order: where the host drops nothing (Windows), clippy cannot see it matters"
        )]
        let lock;
        let host = sys::JobHost::start();
        lock = match lock::try_acquire_for(
            &self.ws.lock,
            trigger,
            config.stale_lock,
            started_at,
            host.tree_id(),
        )? {
            Acquire::Acquired(lock) => lock,
            Acquire::Held(holder) => {
                host.finish().await;
                tracing::info!(
                    "{trigger} run skipped: a sync of this workspace is already running ({holder})"
                );
                return Ok(RunOutcome::Skipped(holder));
            }
        };
        tracing::info!("{trigger} run started: {} job(s)", config.jobs.len());
        let run_id = crate::ping::run_id();
        let start = RunStart {
            ws: &self.ws,
            config,
            trigger,
            run_id: &run_id,
            started_at,
        };
        for observer in &self.observers {
            observer.run_started(&start);
        }
        // The machine stays awake while the jobs run, and only then.
        let awake = self.keep_awake(config).await;
        // One log a run, each job's output under a header: one file to create per run,
        // whatever the number of jobs.
        let log_path = self.ws.run_log_path(started_at);
        let log = self.ws.create_run_log(&log_path);
        let log_shown = self.ws.shown(&log_path);
        let run_deadline = started + config.stale_lock;
        let total = config.jobs.len();
        let mut results = Vec::with_capacity(total);
        let mut error = RunError::default();
        for (i, job) in config.jobs.iter().enumerate() {
            let cut_short = *stop.borrow() != Stop::Run || Instant::now() >= run_deadline;
            let stopped_early = error.first.is_some() && !config.continue_on_error;
            if cut_short || stopped_early {
                error.interrupted |= *stop.borrow() != Stop::Run;
                results.push(JobResult::not_run(&job.name));
                continue;
            }
            lock.set_job(Some(format!("{}/{total} {}", i + 1, job.name)));
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Here {
                    index: i + 1,
                    total,
                    job: job.name.clone(),
                });
            });
            let cx = JobContext {
                root: &self.ws.root,
                log: log.as_ref(),
                log_shown: log_shown.clone(),
                run_deadline,
                attempt: None,
                lock: Some(&lock),
                host: &host,
            };
            let run = self
                .run_job_tried(config, job, (i + 1, total), cx, &lock, &mut stop)
                .await;
            error.interrupted |= run.interrupted;
            match run.failure {
                Some(failure) => {
                    tracing::info!("job {}: {failure}", job.name);
                    error.add(JobFailure {
                        job: job.name.clone(),
                        failure,
                        tail: run.tail,
                    });
                }
                None => tracing::info!("job {}: exited with code 0", job.name),
            }
            results.push(run.result);
        }
        // The run's work is done: the machine may sleep again.
        drop(awake);
        // The supervisor exits while the result is recorded; it is gone before the lock.
        host.close();
        let finished_at = self.clock.now();
        // Read after the jobs, not between the due time and the first job: only runs
        // holding the lock write it, so it is the one there before this run.
        let previous = RunRecord::read(&self.ws.status_file);
        let next_run = config.next_run_after(started_at, finished_at);
        // `status`, `error` and `interrupted` come from `error` as it is recorded.
        let record = RunRecord {
            last_sync: finished_at,
            outcome: Outcome::Success,
            duration_ms: started.elapsed().as_millis() as u64,
            error: None,
            trigger: Some(trigger),
            started_at: Some(started_at),
            next_run,
            jobs: results,
            interrupted: false,
            // Carried over; this run's end if it succeeds.
            last_success: previous.as_ref().and_then(RunRecord::last_success),
            waited,
        };
        let mut end = RunEnd {
            ws: &self.ws,
            config,
            trigger,
            run_id: &run_id,
            previous: previous.as_ref(),
            record,
            error,
            log: log.is_some().then_some(log_path.as_path()),
        };
        for observer in &self.observers {
            observer.run_ended(&mut end);
        }
        host.finish().await;
        // The status is on disk before the lock goes: whoever sees the lock free sees it.
        drop(lock);
        let status = &end.record;
        match &status.error {
            None => tracing::info!("{trigger} run succeeded in {} ms", status.duration_ms),
            Some(e) => tracing::warn!("{trigger} run failed in {} ms: {e}", status.duration_ms),
        }
        for observer in &self.observers {
            observer.run_released(&end);
        }
        Ok(RunOutcome::Finished(end.record))
    }

    /// Runs one job, and with `retry` runs it again after a backoff while it fails by
    /// itself: the lock stays held, the wait ends at once on shutdown (the job's result is
    /// then its last failure, interrupted), and no wait outlives the run. `place` is the
    /// job's number (from 1) and the run's job count.
    async fn run_job_tried(
        &self,
        config: &Config,
        job: &config::Job,
        (index, total): (usize, usize),
        mut cx: JobContext<'_>,
        lock: &lock::RunLock,
        stop: &mut watch::Receiver<Stop>,
    ) -> runner::JobRun {
        let attempts = config.retry.attempts;
        cx.attempt = (attempts > 1).then_some((1, attempts));
        let mut run = runner::run_job(job, &cx, stop).await;
        let mut tries = 1;
        while let Some(failure) = run.failure.clone().filter(Failure::is_retryable)
            && tries < attempts
        {
            let delay = config.retry.delay_before(tries + 1);
            if Instant::now() + delay >= cx.run_deadline {
                break;
            }
            tries += 1;
            tracing::info!(
                "job {}: {failure}; trying again in {} s (try {tries}/{attempts})",
                job.name,
                delay.as_secs(),
            );
            lock.set_job(Some(format!(
                "{index}/{total} {} (waiting for try {tries}/{attempts})",
                job.name
            )));
            // The wait is long enough to be seen: write it now.
            lock.flush();
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Retrying {
                    index,
                    total,
                    job: job.name.clone(),
                    next_try: tries,
                    attempts,
                    at: self.clock.now() + chrono::TimeDelta::from_std(delay).unwrap_or_default(),
                });
            });
            if !crate::retry::wait(Instant::now() + delay, stop).await {
                tries -= 1;
                run.interrupted = true;
                break;
            }
            lock.set_job(Some(format!(
                "{index}/{total} {} (try {tries}/{attempts})",
                job.name
            )));
            self.snapshot.send_modify(|s| {
                s.running = Some(Running::Here {
                    index,
                    total,
                    job: job.name.clone(),
                });
            });
            cx.attempt = Some((tries, attempts));
            run = runner::run_job(job, &cx, stop).await;
        }
        run.result.attempts = Some(tries);
        run
    }
    /// A scheduled or catch-up run first waits here, holding no lock, until what it needs
    /// holds: online with `network.require`, AC power and an unmetered connection with
    /// `conditions` — these at most `maxDelayMinutes`, then it runs anyway (see
    /// [`wait::wait`]). Manual and CLI runs never wait. The trigger to run with (`manual`
    /// when "Sync now" ended the wait) and what the run waited for, or `None` when the
    /// scheduler stopped meanwhile. A wait is never a failure and never notified.
    pub async fn await_conditions(
        &self,
        config: &Config,
        trigger: Trigger,
        mut stop: watch::Receiver<Stop>,
    ) -> Option<(Trigger, Option<Waited>)> {
        let needs = wait::Needs {
            network: config.network.require.then_some(&config.network),
            conditions: &config.conditions,
        };
        if !needs.any() || !matches!(trigger, Trigger::Schedule | Trigger::CatchUp) {
            return Some((trigger, None));
        }
        // A "Sync now" meant for an earlier wait is no reason to skip this one.
        tokio::select! {
            biased;
            () = self.wait_cut.notified() => {}
            () = std::future::ready(()) => {}
        }
        let mut marker: Option<wait::WaitMarker> = None;
        let mut marker_failed = false;
        let ended = wait::wait(
            needs,
            &*self.sensors,
            &*self.clock,
            &mut stop,
            &self.wait_cut,
            |waiting| {
                match waiting.until {
                    Some(until) => tracing::info!(
                        "{trigger} run waits for {} ({}); it runs anyway at {}",
                        waiting.what,
                        waiting.why,
                        until.with_timezone(&chrono::Local).format("%H:%M:%S"),
                    ),
                    None => {
                        tracing::info!("{trigger} run waits for {}: {}", waiting.what, waiting.why)
                    }
                }
                self.snapshot.send_modify(|s| {
                    s.running = Some(Running::Waiting {
                        what: waiting.what,
                        until: waiting.until,
                    })
                });
                if marker.is_none() && !marker_failed {
                    marker = wait::WaitMarker::create(&wait::marker_path(&self.ws))
                        .inspect_err(|e| tracing::warn!("cannot mark the wait: {e}"))
                        .ok();
                    marker_failed = marker.is_none();
                }
                if let Some(marker) = &marker {
                    let about = wait::About {
                        what: waiting.what,
                        until: waiting.until,
                    };
                    if let Err(e) = marker.tell(about) {
                        tracing::warn!("cannot say what the run waits for: {e}");
                    }
                }
            },
        )
        .await;
        drop(marker);
        if self.is_waiting() {
            self.snapshot.send_modify(|s| s.running = None);
        }
        match ended {
            wait::Ended::Ready(waited) => {
                if let Some(w) = waited {
                    tracing::info!(
                        "the {trigger} run starts after waiting {} s for {}",
                        w.ms / 1000,
                        w.what
                    );
                }
                Some((trigger, waited))
            }
            wait::Ended::SyncNow(waited) => Some((Trigger::Manual, waited)),
            wait::Ended::Stopped => None,
        }
    }

    /// "Sync now" while a scheduled run waits: that run starts now, as a manual one.
    /// Whether a run was waiting.
    pub(super) fn cut_wait(&self) -> bool {
        let waiting = self.is_waiting();
        if waiting {
            self.wait_cut.notify_one();
        }
        waiting
    }

    /// Whether a run of this engine waits for its conditions now.
    fn is_waiting(&self) -> bool {
        self.snapshot
            .borrow()
            .running
            .as_ref()
            .is_some_and(|r| r.waiting_for().is_some())
    }
}
