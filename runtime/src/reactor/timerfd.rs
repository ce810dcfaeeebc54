//! Linux only: a timerfd registered with the poller, so that a timer wakes the
//! loop at its deadline to the nanosecond. epoll's own timeout counts whole
//! milliseconds and rounds up, which turns `sleep(1 ms)` into about 2 ms.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use rustix::time::{
    timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags,
    Timespec,
};

pub(super) struct TimerFd {
    fd: OwnedFd,
    /// The deadline the timer is armed for, if it has not fired yet.
    armed: Option<Instant>,
}

impl TimerFd {
    pub(super) fn new(registry: &Registry, token: Token) -> io::Result<TimerFd> {
        // Miri has no timerfd and stops the program at the call instead of
        // failing it: take the caller's fallback (poll's own timeout) there.
        if cfg!(miri) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no timerfd under Miri",
            ));
        }
        let fd = timerfd_create(
            TimerfdClockId::Monotonic,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )?;
        registry.register(&mut SourceFd(&fd.as_raw_fd()), token, Interest::READABLE)?;
        Ok(TimerFd { fd, armed: None })
    }

    /// Makes sure the timer fires no later than `deadline`. Returns false if
    /// the timer could not be armed (the caller falls back to poll's timeout).
    ///
    /// Re-arming costs a system call, so an armed timer that fires at or
    /// before `deadline` is left alone; firing early only costs a spurious
    /// wake-up of the loop.
    pub(super) fn arm(&mut self, deadline: Instant, now: Instant) -> bool {
        if matches!(self.armed, Some(armed) if armed <= deadline && armed > now) {
            return true;
        }
        let wait = deadline
            .saturating_duration_since(now)
            .max(Duration::from_nanos(1));
        let spec = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: Timespec {
                tv_sec: wait.as_secs().try_into().unwrap_or(i64::MAX),
                tv_nsec: wait.subsec_nanos().into(),
            },
        };
        match timerfd_settime(&self.fd, TimerfdTimerFlags::empty(), &spec) {
            Ok(_) => {
                self.armed = Some(deadline);
                true
            }
            Err(e) => {
                log::debug!("timerfd_settime failed: {e}");
                self.armed = None;
                false
            }
        }
    }

    /// The timer expired. Its expiration count need not be read: re-arming
    /// resets it, and each expiry is a new edge for the poller.
    pub(super) fn fired(&mut self) {
        self.armed = None;
    }
}
