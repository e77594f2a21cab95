//! The baselines measured in the same run as synctray: Debian's cron daemon, the Node
//! original synctray replaces, and `sh` running the same jobs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::on_path;

/// `/usr/sbin/cron -f` with nothing to run.
///
/// It runs in a private mount namespace where /etc/crontab, /etc/cron.d and the user
/// crontabs are empty, so Debian's hourly `run-parts` line cannot fire inside the idle
/// window, and where /run is a scratch folder, so its pid file neither clashes with a
/// cron already running on the machine nor stays behind.
pub fn cron_command(scratch: &Path) -> Result<Command, String> {
    if !Path::new("/usr/sbin/cron").exists() {
        return Err("/usr/sbin/cron is missing: apt-get install -y cron".into());
    }
    if unsafe { libc::geteuid() } != 0 {
        return Err(
            "the cron baseline needs root (it mounts an empty crontab over /etc/crontab)".into(),
        );
    }
    let empty_dir = scratch.join("empty");
    let empty_file = scratch.join("crontab");
    let run_dir = scratch.join("run");
    for dir in [&empty_dir, &run_dir] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(&empty_file, "").map_err(|e| format!("{}: {e}", empty_file.display()))?;
    let script = r#"set -e
mount --bind "$1" /etc/crontab
[ ! -d /etc/cron.d ] || mount --bind "$2" /etc/cron.d
[ ! -d /var/spool/cron/crontabs ] || mount --bind "$2" /var/spool/cron/crontabs
mount --bind "$3" /run
exec /usr/sbin/cron -f"#;
    let mut command = Command::new("unshare");
    command
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .args([&empty_file, &empty_dir, &run_dir]);
    Ok(command)
}

/// `sh -c '/bin/true; /bin/true; …'` with `count` commands: the floor for running `count`
/// no-op jobs one after another.
pub fn sh_true(count: usize) -> Command {
    let script = vec!["/bin/true"; count].join("; ");
    let mut command = Command::new("sh");
    command.arg("-c").arg(script);
    command
}

/// The Node original (benches/original: croner + tsx), installed in a scratch folder
/// that is also its workspace.
pub struct NodeOriginal {
    pub dir: PathBuf,
}

/// Printed by the original's cron-sync.ts once its schedule is set.
pub const NODE_READY_LINE: &str = "Cron scheduler started";

impl NodeOriginal {
    /// Copies benches/original into `dir` and runs `npm ci` there.
    pub fn install(dir: &Path) -> Result<NodeOriginal, String> {
        for tool in ["node", "npm", "npx"] {
            if !on_path(tool) {
                return Err(format!(
                    "`{tool}` is not installed (apt-get install -y nodejs npm)"
                ));
            }
        }
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/original");
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in ["package.json", "package-lock.json", "scripts", "src"] {
            copy_tree(&source.join(entry), &dir.join(entry))?;
        }
        eprintln!("footprint: npm ci for the Node original…");
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run npm: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "npm ci failed ({}): {}",
                output.status,
                stderr.trim()
            ));
        }
        // The original only reads intervalMinutes, and its `*/N * * * *` pattern is
        // refused by croner for N > 60, so the quietest setting it accepts is hourly.
        let config_dir = dir.join("data/config");
        fs::create_dir_all(&config_dir).map_err(|e| e.to_string())?;
        fs::write(config_dir.join("sync.json"), r#"{ "intervalMinutes": 60 }"#)
            .map_err(|e| e.to_string())?;
        Ok(NodeOriginal {
            dir: dir.to_path_buf(),
        })
    }

    /// `npx tsx scripts/cron-sync.ts`, as the original's `npm run cron` ran it, in time
    /// zone `tz` (its hourly run fires at the top of the local hour).
    pub fn command(&self, tz: &str) -> Command {
        let mut command = Command::new("npx");
        command
            .args(["tsx", "scripts/cron-sync.ts"])
            .current_dir(&self.dir)
            .env("TZ", tz);
        command
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let describe = |e: std::io::Error| format!("copying {}: {e}", from.display());
    if from.is_dir() {
        fs::create_dir_all(to).map_err(describe)?;
        for entry in fs::read_dir(from).map_err(describe)? {
            let entry = entry.map_err(describe)?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        fs::copy(from, to).map_err(describe)?;
    }
    Ok(())
}
