//! timer-accuracy: 1,000 sequential `sleep(1 ms)`. Reports the mean and p99
//! of how long each actually took. [`floor`] does the same with no runtime:
//! a timerfd and `epoll_wait`, the least a Linux program can do to sleep
//! 1 ms in an event loop.

use std::io;
use std::time::{Duration, Instant};

use super::Params;
use crate::measure::{ms, percentile};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "timer-accuracy";
/// What it does.
pub const ABOUT: &str = "1,000 sequential sleep(1 ms)";

/// Sleeps: 1,000, or 200 with `--quick`.
fn sleeps(params: &Params) -> u64 {
    params.size(1_000, 200)
}

/// The figures, from each sleep's length in milliseconds.
fn report(mut took: Vec<f64>) -> Report {
    let mean = took.iter().sum::<f64>() / took.len().max(1) as f64;
    took.sort_by(f64::total_cmp);
    Report::new()
        .lower("mean ms", mean)
        .lower("p99 ms", percentile(&took, 99.0).unwrap_or(f64::NAN))
}

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = sleeps(params);
    R::block_on(async move {
        let mut took = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let start = Instant::now();
            R::sleep(Duration::from_millis(1)).await;
            took.push(ms(start.elapsed()));
        }
        Ok(report(took))
    })
}

/// Runs it with no runtime: one timerfd (`CLOCK_MONOTONIC`, the clock
/// `Instant` reads) armed for an absolute deadline 1 ms after each start,
/// and one `epoll_wait` (through a [`mio::Poll`]) until it fires; timed
/// like the runtimes, from before the deadline is taken to after the wait.
/// What is left is the kernel's timer and the wake-up of a blocked thread.
#[cfg(target_os = "linux")]
pub fn floor(params: &Params) -> io::Result<Report> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};

    let n = sleeps(params);
    // SAFETY: plain system call with constant arguments; the result is
    // checked before it is used as a descriptor.
    let fd = unsafe {
        libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a descriptor timerfd_create just opened, owned only here.
    let timer = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut poll = Poll::new()?;
    poll.registry().register(
        &mut SourceFd(&timer.as_raw_fd()),
        Token(0),
        Interest::READABLE,
    )?;
    let mut events = Events::with_capacity(4);
    let mut took = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let start = Instant::now();
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec to write.
        if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let nsec = now.tv_nsec + 1_000_000;
        let deadline = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: now.tv_sec + nsec / 1_000_000_000,
                tv_nsec: nsec % 1_000_000_000,
            },
        };
        // SAFETY: `timer` is an open timerfd and `deadline` a valid
        // itimerspec; the old value is not asked for.
        let armed = unsafe {
            libc::timerfd_settime(
                timer.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &deadline,
                std::ptr::null_mut(),
            )
        };
        if armed != 0 {
            return Err(io::Error::last_os_error());
        }
        // Wait for the expiry count to be readable (edge-triggered: read it
        // each time, which also clears the readiness).
        let mut expirations = [0u8; 8];
        loop {
            // SAFETY: `expirations` is 8 writable bytes, what a timerfd
            // read takes.
            let read = unsafe {
                libc::read(
                    timer.as_raw_fd(),
                    expirations.as_mut_ptr().cast(),
                    expirations.len(),
                )
            };
            if read == 8 {
                break;
            }
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::WouldBlock => {}
                io::ErrorKind::Interrupted => continue,
                _ => return Err(e),
            }
            match poll.poll(&mut events, Some(Duration::from_secs(20))) {
                Ok(()) if events.is_empty() => {
                    return Err(super::wrong("the floor's timerfd did not fire within 20 s"))
                }
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        took.push(ms(start.elapsed()));
    }
    Ok(report(took))
}

/// The floor needs a timerfd: Linux only.
#[cfg(not(target_os = "linux"))]
pub fn floor(_params: &Params) -> io::Result<Report> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the timer-accuracy floor uses a timerfd: Linux only",
    ))
}
