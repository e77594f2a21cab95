use super::*;

fn acquire(path: &Path) -> Acquire {
    try_acquire(path, Trigger::Cli, Duration::from_secs(3600), Utc::now()).unwrap()
}

fn lock_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".sync-lock");
    (dir, path)
}

#[test]
fn second_holder_is_refused_until_the_first_drops() {
    let (dir, path) = lock_path();
    let Acquire::Acquired(first) = acquire(&path) else {
        panic!("free lock not taken")
    };
    let Acquire::Held(holder) = acquire(&path) else {
        panic!("held lock taken twice")
    };
    assert_eq!(holder.pid, Some(std::process::id()));
    drop(first);
    assert!(!path.exists(), "lock file left behind");
    assert!(
        !dir.path().join(HOLDER_FILE).exists(),
        "holder file left behind"
    );
    assert!(matches!(acquire(&path), Acquire::Acquired(_)));
}

#[test]
fn a_second_instance_is_refused_and_told_who_serves_until_the_first_drops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".synctray-instance");
    let first = instance(&path)
        .unwrap()
        .expect("a free instance lock is taken");
    let Err(holder) = instance(&path).unwrap() else {
        panic!("the instance lock was taken twice")
    };
    assert_eq!(holder.pid, Some(std::process::id()));
    drop(first);
    assert!(!path.exists(), "instance file left behind");
    assert!(
        !dir.path().join(".synctray-instance.json").exists(),
        "holder file left behind"
    );
    assert!(instance(&path).unwrap().is_ok());
}

#[test]
fn the_lock_file_holds_only_the_time_and_the_holder_is_beside_it() {
    let (dir, path) = lock_path();
    let now = Utc::now();
    let Acquire::Acquired(lock) = try_acquire(&path, Trigger::Cli, DEFAULT_STALE, now).unwrap()
    else {
        panic!()
    };
    lock.set_job(Some("2/3 quality\npid=1\nhost=fake".into()));
    lock.flush();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text, iso_ms::format(&now), "only the time, no newline");
    let holder: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join(HOLDER_FILE)).unwrap()).unwrap();
    assert_eq!(holder["pid"], std::process::id());
    let seen = inspect(&path).unwrap();
    assert_eq!(
        seen.pid,
        Some(std::process::id()),
        "a newline in a job name forges nothing"
    );
    assert_eq!(seen.job.as_deref(), Some("2/3 quality\npid=1\nhost=fake"));
}

#[test]
fn deleting_the_lock_file_by_hand_does_not_let_a_second_run_start() {
    let (_dir, path) = lock_path();
    let Acquire::Acquired(first) = acquire(&path) else {
        panic!()
    };
    fs::remove_file(&path).unwrap();
    assert!(inspect(&path).is_some(), "still running");
    assert!(matches!(acquire(&path), Acquire::Held(_)));
    drop(first);
    assert!(inspect(&path).is_none());
    assert!(matches!(acquire(&path), Acquire::Acquired(_)));
}

#[test]
fn a_probe_holding_the_lock_shared_never_makes_a_run_skip() {
    let (dir, path) = lock_path();
    drop(acquire(&path)); // creates the OS-lock file
    let probe = File::open(dir.path().join(OS_LOCK_FILE)).unwrap();
    probe.try_lock_shared().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        probe.unlock().unwrap();
    });
    assert!(
        matches!(acquire(&path), Acquire::Acquired(_)),
        "a probe made a run skip"
    );
    release.join().unwrap();
}

#[test]
fn stale_lock_of_dead_process_is_taken_over() {
    let (dir, path) = lock_path();
    // A lock taken a minute ago by a synctray of this host that no longer runs: its
    // OS lock went with it; the files stayed.
    let since = Utc::now() - chrono::TimeDelta::minutes(1);
    let dead = Holder {
        pid: Some(999_999_999),
        ..Holder::ours(Some(Trigger::Cli), since)
    };
    fs::write(
        dir.path().join(HOLDER_FILE),
        serde_json::to_vec(&dead).unwrap(),
    )
    .unwrap();
    fs::write(&path, iso_ms::format(&since)).unwrap();
    assert_eq!(inspect(&path), None, "a dead holder is not running");
    let Acquire::Acquired(lock) = acquire(&path) else {
        panic!("a dead holder's lock was not taken over")
    };
    assert_eq!(lock.holder().pid, Some(std::process::id()));
}

#[test]
fn unprovable_lock_is_honoured_until_stale() {
    let (_dir, path) = lock_path();
    let ten_min_ago = Utc::now() - chrono::TimeDelta::minutes(10);
    // The original's lock: only a time.
    fs::write(&path, iso_ms::format(&ten_min_ago)).unwrap();
    let stale = |minutes: u64| {
        try_acquire(
            &path,
            Trigger::Cli,
            Duration::from_secs(60 * minutes),
            Utc::now(),
        )
        .unwrap()
    };
    assert!(
        matches!(stale(60), Acquire::Held(h) if h.since == Some(chrono::SubsecRound::trunc_subsecs(ten_min_ago, 3)))
    );
    assert!(
        inspect(&path).is_some(),
        "the original's run reads as running"
    );
    assert!(path.exists(), "an honoured lock is left alone");
    assert!(matches!(stale(5), Acquire::Acquired(_)));
}

#[test]
fn a_lock_time_in_the_future_counts_as_the_files_modification_time() {
    let (_dir, path) = lock_path();
    let tomorrow = Utc::now() + chrono::TimeDelta::days(1);
    fs::write(&path, iso_ms::format(&tomorrow)).unwrap();
    let just_now = |minutes: u64| {
        try_acquire(
            &path,
            Trigger::Cli,
            Duration::from_secs(60 * minutes),
            Utc::now(),
        )
        .unwrap()
    };
    // Written just now: honoured, as if taken now, not until tomorrow and one hour.
    assert!(matches!(just_now(60), Acquire::Held(_)));
    let file = File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(2 * 3600))
        .unwrap();
    assert!(matches!(just_now(60), Acquire::Acquired(_)));
}

#[test]
fn a_garbage_lock_file_is_not_a_run() {
    let (_dir, path) = lock_path();
    fs::write(&path, "2026-11-25T14:30:00.000Z\npid=1\nhost=x\n").unwrap();
    assert_eq!(inspect(&path), None);
    assert!(matches!(acquire(&path), Acquire::Acquired(_)));
}

#[test]
#[cfg(unix)]
fn symlinked_lock_path_is_refused() {
    let (dir, path) = lock_path();
    let target = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let err = try_acquire(&path, Trigger::Cli, Duration::from_secs(60), Utc::now()).unwrap_err();
    assert!(matches!(err, LockError::Symlink(_)), "{err}");
    assert!(!target.exists(), "followed the link");
    assert_eq!(inspect(&path), None);
}
