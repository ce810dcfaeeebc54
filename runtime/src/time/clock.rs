//! The runtime's clock: the system's monotonic clock, or a paused one for tests.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set, for good, once any clock in the process is paused. Until then every
/// clock reads the system clock as is.
static EVER_PAUSED: AtomicBool = AtomicBool::new(false);

/// Whether every runtime's clock (on any thread) reads the system's
/// monotonic clock as is: true until a clock is first paused. A caller
/// that sees true may read `Instant::now()` instead of finding its
/// runtime's clock.
#[inline]
pub(crate) fn all_clocks_are_the_system_clock() -> bool {
    // Relaxed: a clock is paused on the thread that reads it, which sees
    // its own store; another thread's clock is unaffected either way.
    !EVER_PAUSED.load(Ordering::Relaxed)
}

/// Each runtime has one. Timer deadlines are kept as nanoseconds since `base`.
///
/// The clock reads `origin.0` at the system instant `origin.1`, and runs with
/// the system clock from there unless paused. Pausing freezes it; resuming
/// lets it run again from where it stood, so it never goes back.
pub(crate) struct Clock {
    base: Instant,
    origin: Cell<(Instant, Instant)>,
    paused: Cell<bool>,
    /// `origin` for [`now_ms`](Self::now_ms): the clock's milliseconds
    /// since `base` at the origin, and [`coarse_ms`] then.
    origin_ms: Cell<(u64, u64)>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        if start_paused {
            EVER_PAUSED.store(true, Ordering::Relaxed);
        }
        let base = Instant::now();
        Clock {
            base,
            origin: Cell::new((base, base)),
            paused: Cell::new(start_paused),
            origin_ms: Cell::new((0, coarse_ms())),
        }
    }

    /// The clock in whole milliseconds since it was made, cheaply: from
    /// the system's coarse clock while it runs (a few milliseconds of
    /// resolution), exactly while paused. For task dumps, which read it
    /// once per turn of the loop.
    pub(crate) fn now_ms(&self) -> u64 {
        let (clock_ms, coarse) = self.origin_ms.get();
        if self.paused.get() {
            clock_ms
        } else {
            clock_ms + coarse_ms().saturating_sub(coarse)
        }
    }

    /// Moves `origin` (and `origin_ms` with it).
    fn set_origin(&self, clock: Instant, system: Instant) {
        self.origin.set((clock, system));
        let clock_ms = clock.saturating_duration_since(self.base).as_millis();
        self.origin_ms
            .set((u64::try_from(clock_ms).unwrap_or(u64::MAX), coarse_ms()));
    }

    pub(crate) fn now(&self) -> Instant {
        let (clock, system) = self.origin.get();
        if self.paused.get() {
            clock
        } else if clock == system {
            // In step with the system clock (never paused, or back in step):
            // its reading as is, without the arithmetic.
            Instant::now()
        } else {
            clock + Instant::now().saturating_duration_since(system)
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.get()
    }

    pub(crate) fn pause(&self) {
        if !self.paused.get() {
            EVER_PAUSED.store(true, Ordering::Relaxed);
            self.set_origin(self.now(), Instant::now());
            self.paused.set(true);
        }
    }

    pub(crate) fn resume(&self) {
        if self.paused.get() {
            self.set_origin(self.now(), Instant::now());
            self.paused.set(false);
        }
    }

    /// Moves a paused clock forward (never backward) to `to`.
    pub(crate) fn advance_to(&self, to: Instant) {
        if self.paused.get() {
            let (clock, system) = self.origin.get();
            self.set_origin(clock.max(to), system);
        }
    }

    /// The system instant at which this clock will read `t` (if it runs).
    pub(crate) fn to_system(&self, t: Instant) -> Instant {
        let (clock, system) = self.origin.get();
        system + t.saturating_duration_since(clock)
    }

    /// `t` as a timer tick: nanoseconds since the clock was made.
    pub(crate) fn ticks(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    pub(crate) fn instant(&self, ticks: u64) -> Instant {
        self.base
            .checked_add(Duration::from_nanos(ticks))
            .unwrap_or(self.base)
    }
}

/// Milliseconds of the system's monotonic clock at its coarsest, which is
/// the cheapest to read: on Linux `CLOCK_MONOTONIC_COARSE` (read from the
/// vDSO, no system call, no conversion of a fine reading), a tick of a few
/// milliseconds. Only differences of it mean anything.
///
/// Through libc rather than rustix: rustix parses the vDSO itself, which
/// crashes under valgrind (CI runs the tests there); glibc's call does not.
/// Measured (callgrind, `compare --child echo-latency solo --quick`): a
/// precise reading per turn cost 14.7 % more instructions, this one
/// about 1 % (benches/README.md, "Task dumps").
#[cfg(target_os = "linux")]
fn coarse_ms() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable `timespec`, and the clock id is a
    // constant Linux has had since 2.6.32; on failure `t` stays zero.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut t) };
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(t.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1000) + nanos / 1_000_000
}

/// Elsewhere: the monotonic clock, since the first reading.
#[cfg(not(target_os = "linux"))]
fn coarse_ms() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let since = START.get_or_init(Instant::now).elapsed().as_millis();
    u64::try_from(since).unwrap_or(u64::MAX)
}
