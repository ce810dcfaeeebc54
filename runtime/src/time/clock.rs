//! The runtime's clock: the system's monotonic clock, or a paused one for tests.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Each runtime has one. Timer deadlines are kept as nanoseconds since `base`.
///
/// The clock reads `origin.0` at the system instant `origin.1`, and runs with
/// the system clock from there unless paused. Pausing freezes it; resuming
/// lets it run again from where it stood, so it never goes back.
pub(crate) struct Clock {
    base: Instant,
    origin: Cell<(Instant, Instant)>,
    paused: Cell<bool>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let base = Instant::now();
        Clock {
            base,
            origin: Cell::new((base, base)),
            paused: Cell::new(start_paused),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        let (clock, system) = self.origin.get();
        if self.paused.get() {
            clock
        } else {
            clock + Instant::now().saturating_duration_since(system)
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.get()
    }

    pub(crate) fn pause(&self) {
        if !self.paused.get() {
            self.origin.set((self.now(), Instant::now()));
            self.paused.set(true);
        }
    }

    pub(crate) fn resume(&self) {
        if self.paused.get() {
            self.origin.set((self.now(), Instant::now()));
            self.paused.set(false);
        }
    }

    /// Moves a paused clock forward (never backward) to `to`.
    pub(crate) fn advance_to(&self, to: Instant) {
        if self.paused.get() {
            let (clock, system) = self.origin.get();
            self.origin.set((clock.max(to), system));
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
