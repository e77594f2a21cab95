//! `cargo bench --bench footprint`: synctray's cost at rest and per run, against
//! baselines measured in the same run, printed as one markdown table.
//!
//! | figures | what | against |
//! | --- | --- | --- |
//! | 1–3 | an idle `--daemon`: memory, wake-ups and CPU over one minute (headless and tray builds) | Debian's cron, the Node original |
//! | 4 | the idle tray under Xvfb + trayer (RSS, PSS, wake-ups) | a bare tao loop with the same menu and status icon (this binary, `--bare-tray`) |
//! | 5 | lateness of the runs of an every-second schedule | cron's whole-minute granularity |
//! | 6–7 | `sync` of no-op jobs, `status --json` | `sh` running the same jobs, `cat` of the status file |
//! | 8 | peak memory of a sync whose job prints 500 MB | the same sync with a silent job |
//! | 9 | release binary sizes | — |
//!
//! The machine is noisy, so timings are medians over repeated runs and the goals are
//! ratios to a baseline wherever one exists. Figures 1–5 share one window (every subject
//! rests at once while the every-second daemon runs), which keeps the measuring to about
//! two and a half minutes after the builds.
//!
//! `footprint --bare-tray` runs the bare tray loop instead of the bench.

// The modules live in benches/footprint/ (a bench's root file resolves `mod` beside itself).
#[cfg(unix)]
#[path = "footprint/app.rs"]
mod app;
#[cfg(unix)]
#[path = "footprint/bare_tray.rs"]
mod bare_tray;
#[cfg(unix)]
#[path = "footprint/baselines.rs"]
mod baselines;
#[cfg(unix)]
#[path = "footprint/commands.rs"]
mod commands;
#[cfg(unix)]
#[path = "footprint/desktop.rs"]
mod desktop;
#[cfg(unix)]
#[path = "footprint/idle.rs"]
mod idle;
#[cfg(unix)]
#[path = "footprint/lateness.rs"]
mod lateness;
#[cfg(unix)]
#[path = "footprint/process.rs"]
mod process;
#[cfg(unix)]
#[path = "footprint/procfs.rs"]
mod procfs;
#[cfg(unix)]
#[path = "footprint/report.rs"]
mod report;
#[cfg(unix)]
#[path = "footprint/stats.rs"]
mod stats;

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

/// The bench itself: it reads Linux's /proc and starts Linux's cron, trayer and Xvfb.
#[cfg(unix)]
mod unix {
    use std::path::Path;
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    use crate::app::Binaries;
    use crate::baselines::NodeOriginal;
    use crate::commands::{CommandTimes, OutputMemory, binary_size_rows};
    use crate::desktop::Desktop;
    use crate::idle::{self, IdleSubjects};
    use crate::lateness::{self, Lateness, LatenessRun};
    use crate::procfs::Machine;
    use crate::report::{Row, print_machine, print_table};

    /// The idle window of figures 1–4.
    const IDLE_WINDOW: Duration = Duration::from_secs(60);

    pub fn main() -> ExitCode {
        // cargo passes `--bench` (and any filter); only `--bare-tray` means anything here.
        if std::env::args().any(|arg| arg == "--bare-tray") {
            crate::bare_tray::run();
        }
        match bench() {
            Ok(()) => ExitCode::SUCCESS,
            Err(why) => {
                eprintln!("footprint: {why}");
                ExitCode::FAILURE
            }
        }
    }

    fn bench() -> Result<(), String> {
        let started = Instant::now();
        // The baselines that must never be skipped: fail early, naming the package.
        if !Path::new("/usr/sbin/cron").exists() {
            return Err(
                "Debian's cron is the baseline of figures 1–3 and is missing: apt-get install -y cron"
                    .into(),
            );
        }
        let scratch = tempfile::Builder::new()
            .prefix("footprint-")
            .tempdir()
            .map_err(|e| format!("temporary folder: {e}"))?;

        let binaries = Binaries::locate_and_build();
        if let Err(why) = &binaries.headless {
            eprintln!("footprint: {why}; the headless figures are reported as failed");
        }
        let node_dir = scratch.path().join("node-original");
        let node = NodeOriginal::install(&node_dir);
        if let Err(why) = &node {
            println!("Node original skipped (its column is left out): {why}");
        }
        let desktop = Desktop::start(scratch.path());
        if let Err(why) = &desktop {
            println!("Tray rows skipped: no desktop for the tray ({why}).");
        }

        let (idle, lateness) = measure_at_rest(&binaries, &node, &desktop, scratch.path());
        drop(desktop);
        let times = CommandTimes::measure(&binaries);
        let output = OutputMemory::measure(&binaries.tray, scratch.path());

        let mut rows: Vec<Row> = idle.rows();
        rows.extend(lateness.rows());
        rows.extend(times.rows());
        rows.push(output.row());
        rows.extend(binary_size_rows(&binaries));

        print_machine(&Machine::read());
        print_table(&rows);
        println!(
            "Measured in {} s (after the builds).",
            started.elapsed().as_secs()
        );
        Ok(())
    }

    /// Figures 1–5 in one window: the idle subjects rest for [`IDLE_WINDOW`] while the
    /// every-second daemon collects its runs, which take a little longer.
    fn measure_at_rest(
        binaries: &Binaries,
        node: &Result<NodeOriginal, String>,
        desktop: &Result<Desktop, String>,
        scratch: &Path,
    ) -> (idle::IdleFigures, Lateness) {
        eprintln!("footprint: starting the idle daemons, cron, the Node original and the trays…");
        // Nothing the idle subjects schedule may fall due while they are measured: set-up,
        // the window and the wait for the lateness runs all fit in four minutes.
        let mut subjects =
            IdleSubjects::start(binaries, node, desktop, scratch, Duration::from_secs(240));

        // The every-second daemon starts as the window opens, after everyone else's start-up
        // work, so that start-up does not show up as lateness.
        let (build, binary) = match &binaries.headless {
            Ok(headless) => ("headless build", headless),
            Err(_) => ("tray build", &binaries.tray),
        };
        let lateness_run = LatenessRun::start(build, binary, scratch);
        eprintln!("footprint: idle window of {} s…", IDLE_WINDOW.as_secs());
        let idle = subjects.measure(IDLE_WINDOW);
        drop(subjects);

        eprintln!(
            "footprint: waiting for {} every-second runs…",
            lateness::RUNS
        );
        let lateness = match lateness_run {
            Ok(run) => run.finish(),
            Err(why) => Lateness::failed(build, why),
        };
        (idle, lateness)
    }
}

/// The bench reads Linux's /proc and starts Linux's cron, trayer and Xvfb: elsewhere it
/// only says so (and the targets of every platform still build).
#[cfg(not(unix))]
fn main() {
    eprintln!("footprint: this bench measures Linux processes; run it on Linux");
}
