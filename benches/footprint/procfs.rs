//! What the kernel says about a running process tree, read from `/proc`.
//!
//! A daemon is measured as its whole process tree, because the Node original is several
//! processes (npm exec, tsx's parent, the node that runs the script, esbuild's service)
//! and counting only the first one would flatter it.

use std::collections::HashMap;
use std::fs;

/// One look at a process tree: memory now, and counters that only grow, so that two
/// samples taken a minute apart give what happened in that minute.
#[derive(Clone, Copy, Debug, Default)]
pub struct TreeSample {
    /// Sum of `VmRSS` over the tree, in KiB.
    pub rss_kib: u64,
    /// Sum of `RssAnon` over the tree, in KiB: the anonymous pages (heap, stacks), which
    /// only swap can take back; the rest of RSS is mostly clean file pages (the binary's
    /// code) the kernel can drop and read again.
    pub anon_kib: u64,
    /// Sum of `Pss` (`/proc/PID/smaps_rollup`) over the tree, in KiB: each shared page
    /// counted as a share of the processes that map it, so shared libraries count only
    /// in part.
    pub pss_kib: u64,
    /// Sum of voluntary + nonvoluntary context switches over every thread of the tree.
    /// A sleeping thread that wakes up and sleeps again adds one, so the growth over an
    /// idle minute counts wake-ups.
    pub ctxt_switches: u64,
    /// Sum of utime + stime over the tree, in clock ticks (USER_HZ, 100 a second).
    pub cpu_ticks: u64,
    /// How many processes the tree holds.
    pub processes: usize,
}

/// Samples the tree rooted at `root`, or `None` once `root` has exited.
pub fn sample_tree(root: i32) -> Option<TreeSample> {
    let (_, root_ticks) = stat_fields(root)?;
    let mut sample = TreeSample::default();
    let mut add = |pid: i32, ticks: u64| {
        sample.rss_kib += vm_rss_kib(pid).unwrap_or(0);
        sample.anon_kib += rss_anon_kib(pid).unwrap_or(0);
        sample.pss_kib += pss_kib(pid).unwrap_or(0);
        sample.ctxt_switches += ctxt_switches(pid);
        sample.cpu_ticks += ticks;
        sample.processes += 1;
    };
    add(root, root_ticks);
    for (pid, ticks) in descendants(root) {
        add(pid, ticks);
    }
    Some(sample)
}

/// The descendants of `root` with their CPU ticks, found by walking every process's parent.
fn descendants(root: i32) -> Vec<(i32, u64)> {
    let mut children: HashMap<i32, Vec<(i32, u64)>> = HashMap::new();
    for pid in all_pids() {
        if let Some((ppid, ticks)) = stat_fields(pid) {
            children.entry(ppid).or_default().push((pid, ticks));
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(parent) = stack.pop() {
        for &(pid, ticks) in children.get(&parent).map(Vec::as_slice).unwrap_or(&[]) {
            found.push((pid, ticks));
            stack.push(pid);
        }
    }
    found
}

fn all_pids() -> impl Iterator<Item = i32> {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
}

/// The parent pid and utime + stime of `pid`, from `/proc/PID/stat`.
fn stat_fields(pid: i32) -> Option<(i32, u64)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself hold spaces or parentheses,
    // so fields are counted from the last ')'. After it: state ppid ... utime stime,
    // with utime the 14th field of the line and so the 12th after the name.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((ppid, utime + stime))
}

/// `VmRSS` of `pid` in KiB (absent for zombies and kernel threads).
pub fn vm_rss_kib(pid: i32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_value(&status, "VmRSS:")
}

/// `RssAnon` of `pid` in KiB (absent for zombies and kernel threads).
pub fn rss_anon_kib(pid: i32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_value(&status, "RssAnon:")
}

/// `Pss` of `pid` in KiB, from `/proc/PID/smaps_rollup` (absent for zombies and kernel
/// threads).
pub fn pss_kib(pid: i32) -> Option<u64> {
    let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    status_value(&rollup, "Pss:")
}

/// Voluntary + nonvoluntary context switches summed over every thread of `pid`.
fn ctxt_switches(pid: i32) -> u64 {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| fs::read_to_string(task.path().join("status")).ok())
        .map(|status| {
            status_value(&status, "voluntary_ctxt_switches:").unwrap_or(0)
                + status_value(&status, "nonvoluntary_ctxt_switches:").unwrap_or(0)
        })
        .sum()
}

/// The first number after `key` at the start of a line of a `/proc/*/status` file.
fn status_value(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// The machine the figures were measured on, printed above the table.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, model)| model.trim().to_string())
            .unwrap_or_else(|| "unknown CPU".to_string());
        let cores = cpuinfo
            .lines()
            .filter(|line| line.starts_with("processor"))
            .count();
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|release| release.trim().to_string())
            .unwrap_or_else(|_| "unknown".to_string());
        Machine { cpu, cores, kernel }
    }
}
