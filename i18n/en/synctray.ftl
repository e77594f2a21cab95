# synctray's words on the desktop: the tray's menu and tooltip, and the notifications.
# English is the reference: every other language has exactly these messages, with the
# same $variables. A message missing elsewhere is shown in English.
# Keep the symbols (✓ ✗ ⚠ …) and the $variables as they are; change the words and their order.

## Numbers and the clock

# The decimal separator of "3.1 s".
decimal-separator = .
# A time of day on a 12-hour clock; $hour is 1-12, $minute two digits.
time-12h = { $hour }:{ $minute } { $period ->
    [am] AM
   *[pm] PM
}
# The same with seconds.
time-12h-seconds = { $hour }:{ $minute }:{ $second } { $period ->
    [am] AM
   *[pm] PM
}
# When, away from today: "yesterday 14:30", "Mon 09:00", "25 Nov 14:30", "25 Nov 2025 14:30".
at-yesterday = yesterday { $time }
at-tomorrow = tomorrow { $time }
at-weekday = { $weekday } { $time }
at-date = { $day } { $month } { $time }
at-date-year = { $day } { $month } { $year } { $time }
weekday-short = { $weekday ->
    [mon] Mon
    [tue] Tue
    [wed] Wed
    [thu] Thu
    [fri] Fri
    [sat] Sat
   *[sun] Sun
}
month-short = { $month ->
    [jan] Jan
    [feb] Feb
    [mar] Mar
    [apr] Apr
    [may] May
    [jun] Jun
    [jul] Jul
    [aug] Aug
    [sep] Sep
    [oct] Oct
    [nov] Nov
   *[dec] Dec
}
# Lengths of time, short: "3.1 s", "12 min", "2 h", "3 d".
seconds = { $count } s
minutes = { $count } min
hours = { $count } h
days = { $count } d
# Two of them together: "1 h 5 min".
length-two = { $first } { $second }
# How long until something: "in 12 min", and "now" when it is due.
in-time = in { $length }
now = now

## The menu

menu-title = synctray — { $workspace }
# The tooltip's title when the tray serves several workspaces.
tooltip-title-several = synctray — { $count } workspaces
starting = Starting…
never-synced = Never synced
last-sync-ok = ✓ Last sync { $time } · { $length }
last-sync-failed = ✗ Last sync { $time } · failed: { $what }
# What a failed run names when no job failed.
failed-interrupted = interrupted
failed-error = error
# The failing job when no job failed (the run itself).
failing-run = sync
failing-since = ✗ { $job } failing since { $since } ({ $runs ->
    [one] { $runs } run
   *[other] { $runs } runs
})
interrupted = Interrupted { $time } (stopped during the run)
interrupted-last-success = Interrupted { $time } (stopped during the run) · last success { $success }
cannot-sync = ✗ Cannot sync: { $what }
with-data-age = { $line } · data { $age } old
data-old = ⚠ Data is { $age } old (last success { $success })
data-old-never = ⚠ Data is { $age } old (no sync has succeeded)
syncing-job = Syncing { $index }/{ $total }: { $job }…
retrying = Retrying { $job } { $when } (try { $attempt }/{ $attempts })…
waiting-network = Waiting for network…
waiting-power = Waiting for AC power…
waiting-power-until = Waiting for AC power (runs anyway at { $time })…
waiting-unmetered = Waiting for an unmetered network…
waiting-unmetered-until = Waiting for an unmetered network (runs anyway at { $time })…
syncing-elsewhere = Syncing (another process)…
syncing-elsewhere-pid = Syncing (another process, pid { $pid })…
paused = Paused
next-run = Next run { $time } ({ $when })
next-run-at = Next run { $time }
no-run-scheduled = No run scheduled
not-syncing-until-fixed = Not syncing until this is fixed
served-elsewhere = Served by another synctray
served-elsewhere-pid = Served by another synctray (pid { $pid })
quitting = Quitting…
quitting-stopping-sync = Quitting: stopping the sync…
config-not-applied = ⚠ Config not applied: { $what }
notice-already-running = ⚠ a sync is already running
# A run that was due (or asked for) found another process's run: $holder is "pid 4242".
notice-skipped = ⚠ { $trigger ->
    [schedule] Scheduled run
    [catch-up] Catch-up run
   *[manual] Sync now
} skipped: a sync was already running ({ $holder })
notice-not-changed = ⚠ { $edit ->
    [interval] Interval not changed
    [pause] Not paused
   *[resume] Not resumed
}: { $what }
notice-config = ⚠ config: { $what }
# An unknown key with a likely fix, where the line is short (the menu): "⚠ intervalMinuts → intervalMinutes?"
notice-config-typo = ⚠ { $key } → { $fix }?
sync-now = Sync now
change-interval = Change interval
every = Every { $length }
custom = Custom
custom-every = Custom: every { $length }
custom-schedule = Custom: schedule { $schedule }
pause-scheduled = Pause scheduled syncs
# The Pause submenu, and the line of a workspace paused for a while ("Paused until 15:30").
pause = Pause
pause-for-an-hour = For 1 hour
pause-until-tomorrow = Until tomorrow { $time }
pause-until-resumed = Until I resume
resume = Resume
paused-until = Paused until { $time }
recent-runs = Recent runs
no-runs-yet = No runs yet
open-logs = Open logs
edit-config = Edit configuration…
open-folder = Open workspace folder
start-at-login = Start at login
quit = Quit
sync-all = Sync all now
pause-all = Pause all
# The line that sums up one workspace of several: "dashboard: ✓ 14:30 · next 14:45".
summary = { $workspace }: { $state }
state-next = { $state } · next { $time }
summary-syncing = Syncing…
summary-cannot-sync = ✗ Cannot sync
summary-old = ⚠ { $age } old

## Notifications

# A notification about one workspace of several: "dashboard: Sync failed: quality".
note-named = { $workspace }: { $title }
sync-failed = Sync failed: { $job }
sync-failed-run = Sync failed: run
exited = exited with code { $code }
killed = killed by signal { $signal }
ended-abnormally = ended abnormally ({ $status })
command-not-found = could not start: command not found (exit code { $code })
could-not-start = could not start "{ $program }": { $why }
not-waited = could not be waited for: { $why }
timed-out = timed out after { $length }
run-timed-out = timed out (the run reached staleLockMinutes)
interrupted-by-shutdown = interrupted by shutdown
failed-at-data-old = Failed at { $time } · data { $age } old
failing-since-data-old = Failing since { $time } ({ $runs ->
    [one] { $runs } run
   *[other] { $runs } runs
}) · data { $age } old
sync-recovered = Sync recovered
all-jobs-succeeded = All jobs succeeded in { $length }.
runs-can-start = Scheduled runs can start again.
cannot-sync-title = Cannot sync: { $what }
runs-cannot-start = Scheduled runs cannot start until this is fixed.
data-old-title = Data is { $age } old
last-success-at = Last successful sync: { $time }.
no-success-yet = No sync has succeeded yet.
sync-succeeded = Sync succeeded
config-not-applied-title = synctray: configuration not applied
last-good-config = The last good configuration stays in use.
not-started-title = synctray: the tray did not start
already-served = synctray is already running for { $path } ({ $holder }); not starting a second tray
no-tray = cannot show the tray: { $why } (or run `synctray --daemon`)
cannot-open-title = synctray: cannot open { $name }
does-not-exist = it does not exist
its-path = Its path: { $path }
not-changed-title = synctray: { $edit ->
    [interval] interval not changed
    [pause] not paused
   *[resume] not resumed
}
fix-the-file-first = Fix the file first; the configuration in force stays.
check-config-title = synctray: check the configuration
show-log = Show log
pause-one-hour = Pause 1 h

## Why scheduled runs cannot start ("✗ Cannot sync: …"), and what a configuration that loads still has wrong ("⚠ config: …")
# Keep file paths (data/, $file), key names, "network.probe", PATH and program names as they are.

blocker-workspace-gone = the workspace folder { $path } is gone
blocker-data-gone = the data/ folder is gone
# $why: the operating system's words.
blocker-data-unreadable = data/ cannot be read: { $why }
blocker-data-not-folder = data/ is not a folder
blocker-data-read-only = data/ is read-only
blocker-not-writable = data/ is not writable (permission denied)
blocker-disk-full = the disk is full
blocker-quota-full = the disk quota is used up
blocker-data-unusable = data/ cannot be used: { $why }
# $file: data/.sync-lock or data/sync-status.json.
blocker-not-regular = { $file } is not a regular file (remove it)
blocker-leftover-run = the previous run's processes (under pid { $pid }) did not end
# $why: what is wrong in the file.
blocker-config-broken = the configuration does not load: { $why }
# The workspace's instance lock cannot be used: $why is the lock's error.
blocker-unserved = { $why }
# An unknown key and the known key it most likely meant: "retry.tries: unknown key (did you mean retry.attempts?)".
warning-unknown-key-fix = { $path }: unknown key (did you mean { $fix }?)
# An unknown key and, comma-separated, the keys known at that place.
warning-unknown-key = { $path }: unknown key, ignored (known: { $known })
warning-probe-without-require = "network.probe" is only used with "network.require": true (runs do not wait for the network)
# $kind: the channel's type (ntfy, webhook, command).
warning-not-for-channel = { $key }: not a key of a { $kind } channel, ignored
warning-env-not-set = { $key }: { $var } is not set in this process's environment
warning-not-on-path = jobs.{ $job }: "{ $program }" is not on PATH (the job cannot start)
