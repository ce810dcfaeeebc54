//! The runtime's clock: the system's monotonic clock, or a paused one for tests.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::context;

/// Each runtime has one. Timer deadlines are kept as nanoseconds since `base`.
pub(crate) struct Clock {
    base: Instant,
    /// `Some(now)` while paused.
    paused: Cell<Option<Instant>>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let base = Instant::now();
        Clock {
            base,
            paused: Cell::new(start_paused.then_some(base)),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        self.paused.get().unwrap_or_else(Instant::now)
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.get().is_some()
    }

    pub(crate) fn pause(&self) {
        if self.paused.get().is_none() {
            self.paused.set(Some(Instant::now()));
        }
    }

    pub(crate) fn resume(&self) {
        self.paused.set(None);
    }

    /// Moves a paused clock forward (never backward) to `to`.
    pub(crate) fn advance_to(&self, to: Instant) {
        if let Some(now) = self.paused.get() {
            self.paused.set(Some(now.max(to)));
        }
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

/// Now, on the current runtime's clock, or the system's outside a runtime.
pub(crate) fn now() -> Instant {
    context::with_current(|core| core.clock.now()).unwrap_or_else(Instant::now)
}
