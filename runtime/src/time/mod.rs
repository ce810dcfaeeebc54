//! Time: [`sleep`], [`timeout`], [`interval`], and the clock they read.
//!
//! All of them run on the runtime's timer store: a pending timer costs a
//! slab slot and a heap entry, and dropping the future cancels it at once.
//! On Linux the loop wakes for a timer through a timerfd, to the nanosecond;
//! elsewhere through the poller's timeout (kqueue's is also sub-millisecond).

pub(crate) mod clock;
mod instant;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod timers;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};

use std::time::Duration;

use crate::context;

/// Pauses the current runtime's clock, for tests.
///
/// While paused, [`Instant::now`] stands still, and whenever no task can run
/// and no I/O is ready, the runtime jumps the clock to the next timer instead
/// of waiting for it: a test of a one-hour interval finishes in milliseconds,
/// and its timings are exact. Real I/O still works. See also
/// [`Builder::start_paused`](crate::Builder::start_paused).
///
/// The clock does not jump while a
/// [`spawn_blocking`](crate::task::spawn_blocking) job is outstanding, that
/// is, while a task of this runtime (aborted ones excepted, detached ones
/// included) still awaits its result: it then moves at the real clock's
/// pace, so `timeout(5s, spawn_blocking(..))` sees the job finish, not
/// `Elapsed`, and a sleep that the job waits on (it reads a channel a
/// sleeping task fills) still ends, after its real duration. A long-lived
/// detached job thus makes the paused sleeps around it take real time.
/// Work on a plain [`std::thread`] that answers through a channel is not
/// covered: the runtime cannot see it, and the clock may jump past a timeout
/// or sleep while it runs. Use `spawn_blocking` for such work in a paused
/// test.
///
/// ```
/// use std::time::Duration;
/// use solo::{task, time};
///
/// solo::block_on(async {
///     time::pause();
///     let job = task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20)));
///     // The clock waits for the job instead of jumping 5 s ahead.
///     assert!(time::timeout(Duration::from_secs(5), job).await.is_ok());
/// });
/// ```
///
/// ```
/// use std::time::Duration;
/// use solo::time::{self, Instant};
///
/// solo::block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(3600)).await; // returns at once
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
///
/// # Panics
///
/// Panics outside a runtime.
#[track_caller]
pub fn pause() {
    with_clock("pause", |core| {
        core.clock.pause();
        core.clock_paused(true);
    });
}

/// Resumes a paused clock: it runs at the system clock's pace again, from the
/// time it reads now (it never jumps back).
///
/// # Panics
///
/// Panics outside a runtime.
#[track_caller]
pub fn resume() {
    with_clock("resume", |core| {
        core.clock.resume();
        core.clock_paused(false);
    });
}

/// Moves a paused clock forward by `duration`, fires every timer due at the
/// new time, and returns once the tasks those timers woke have been polled.
///
/// With a paused clock, when the returned future completes:
/// - [`Instant::now`] reads exactly `duration` later than before;
/// - every timer with a deadline at or before that time has fired, all at
///   that same time (in deadline order);
/// - every task those timers woke has been polled once, ahead of the caller;
///   tasks woken in turn by those polls may not have run yet. A new sleep
///   whose deadline has passed completes at once, so a task that sleeps
///   twice within the step has got past both.
///
/// A `duration` too large to add to the clock ([`Duration::MAX`], say)
/// moves it about 30 years, the same far future a [`sleep`] of that
/// duration waits for: every sleep set with such a duration fires.
///
/// Without a paused clock it only sleeps `duration`.
///
/// ```
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// use solo::time::{self, Instant};
///
/// solo::Builder::new().start_paused(true).build().unwrap().block_on(async {
///     let start = Instant::now();
///     let rang = Rc::new(Cell::new(false));
///     let alarm = rang.clone();
///     solo::spawn(async move {
///         time::sleep(Duration::from_secs(60)).await;
///         alarm.set(true);
///     });
///     solo::task::yield_now().await; // the alarm sets its timer
///     time::advance(Duration::from_secs(60)).await;
///     assert!(rang.get());
///     assert_eq!(start.elapsed(), Duration::from_secs(60));
/// });
/// ```
///
/// # Panics
///
/// Panics outside a runtime.
pub async fn advance(duration: Duration) {
    let paused = {
        let core = context::current()
            .unwrap_or_else(|| panic!("solo::time::advance called outside a runtime"));
        let clock = &core.clock;
        let paused = clock.is_paused();
        if paused {
            let to = Instant::from_std(clock.now()).saturating_add(duration);
            clock.advance_to(to.into_std());
            // Their tasks join the FIFO ready queue now; the yield below
            // queues the caller behind them.
            timers::fire_due(&core.timers, core.clock.ticks(core.clock.now()));
        }
        paused
    };
    if paused {
        crate::task::yield_now().await;
    } else {
        sleep(duration).await;
    }
}

#[track_caller]
fn with_clock<R>(what: &str, f: impl FnOnce(&context::Core) -> R) -> R {
    match context::with_current(|core| f(core)) {
        Some(r) => r,
        None => panic!("solo::time::{what} called outside a runtime"),
    }
}
