//! Linux: a `timerfd` on `CLOCK_REALTIME` with an absolute deadline, which fires when the
//! wall clock reaches it (right after a resume too) and wakes when the clock is set; the
//! steps of [`super::sleep_by_step`] when the kernel gives none.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// Whether the fallback was announced: once a process, not once a sleep.
static FALLBACK_TOLD: AtomicBool = AtomicBool::new(false);

fn tell_fallback(what: std::fmt::Arguments<'_>) {
    if !FALLBACK_TOLD.swap(true, Ordering::Relaxed) {
        tracing::warn!("{what}");
    }
}

/// Sleeps until a wall-clock time.
#[derive(Debug)]
pub struct WallTimer {
    fd: Option<AsyncFd<OwnedFd>>,
}

impl WallTimer {
    /// Must be called inside a tokio runtime (so it is no `Default`).
    #[allow(clippy::new_without_default)]
    pub fn new() -> WallTimer {
        WallTimer {
            fd: timerfd()
                .inspect_err(|e| {
                    tell_fallback(format_args!(
                        "no timerfd ({e}); checking the wall clock every minute"
                    ))
                })
                .ok(),
        }
    }

    /// Returns once the wall clock reads `at` or later — or earlier: when the clock was
    /// set, or (fallback) after a step. Callers re-check the time and sleep again.
    pub async fn sleep_until(&self, at: SystemTime) {
        if let Some(fd) = &self.fd {
            match sleep_on(fd, at).await {
                Ok(()) => return,
                Err(e) => tell_fallback(format_args!("timerfd failed ({e}); sleeping by steps")),
            }
        }
        super::sleep_by_step(at).await;
    }
}

fn timerfd() -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: timerfd_create returns a new descriptor we own, or -1.
    let fd = unsafe {
        libc::timerfd_create(libc::CLOCK_REALTIME, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC)
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is valid and owned by nobody else; the AsyncFd owns it from here, and
    // nothing replaces or closes it while registered.
    unsafe { AsyncFd::register_with_interest(OwnedFd::from_raw_fd(fd), Interest::READABLE) }
        .map_err(|e| e.into())
}

async fn sleep_on(fd: &AsyncFd<OwnedFd>, at: SystemTime) -> io::Result<()> {
    let since_epoch = at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .max(std::time::Duration::from_nanos(1));
    let spec = libc::itimerspec {
        it_interval: libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        },
        it_value: libc::timespec {
            // `as _`: libc's `time_t` alias is deprecated on musl (64-bit since musl 1.2).
            tv_sec: since_epoch.as_secs() as _,
            tv_nsec: since_epoch.subsec_nanos() as libc::c_long,
        },
    };
    let flags = libc::TFD_TIMER_ABSTIME | libc::TFD_TIMER_CANCEL_ON_SET;
    // SAFETY: a valid timerfd and a valid itimerspec; the old value is not asked for.
    if unsafe { libc::timerfd_settime(fd.as_raw_fd(), flags, &spec, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    loop {
        let mut ready = fd.readable().await?;
        let mut expirations = [0u8; 8];
        // SAFETY: reading 8 bytes into an 8-byte buffer.
        let n = unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
        if n == 8 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            // The clock was set: the caller re-plans against the new time.
            Some(libc::ECANCELED) => return Ok(()),
            Some(libc::EAGAIN) => ready.clear_ready(),
            _ => return Err(err),
        }
    }
}
