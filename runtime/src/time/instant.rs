//! `solo::time::Instant`: `std::time::Instant` read through the runtime's clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A point in monotonic time, as the runtime's clock tells it.
///
/// The same as [`std::time::Instant`], except that [`Instant::now`] follows
/// the runtime's clock: when the clock is [paused](super::pause), `now`
/// stands still and moves only by [`advance`](super::advance) or by the
/// runtime jumping to the next timer. Outside a runtime it is the system's
/// monotonic clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(std::time::Instant);

impl Instant {
    /// The current time on this thread's runtime clock.
    pub fn now() -> Instant {
        if super::clock::all_clocks_are_the_system_clock() {
            // What the runtime's clock would say, without looking it up.
            return Instant(std::time::Instant::now());
        }
        let now = crate::context::with_current(|core| core.clock.now());
        Instant(now.unwrap_or_else(std::time::Instant::now))
    }

    /// Wraps a standard instant.
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant(std)
    }

    /// The standard instant.
    pub fn into_std(self) -> std::time::Instant {
        self.0
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// Same as [`duration_since`](Self::duration_since): never panics.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.0.checked_duration_since(earlier.0)
    }

    /// Time elapsed since `self`, on the runtime clock.
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + d`, or `None` on overflow.
    pub fn checked_add(&self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d).map(Instant)
    }

    /// `self - d`, or `None` on overflow.
    pub fn checked_sub(&self, d: Duration) -> Option<Instant> {
        self.0.checked_sub(d).map(Instant)
    }

    /// `self + d`, saturating at about 30 years from now instead of
    /// overflowing: a deadline that far away never comes anyway.
    pub(crate) fn saturating_add(&self, d: Duration) -> Instant {
        self.checked_add(d)
            .or_else(|| self.checked_add(FAR_FUTURE))
            .unwrap_or(*self)
    }
}

/// What "forever" means for a deadline (as in tokio).
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86400 * 365 * 30);

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On overflow, as `std::time::Instant` does.
    fn add(self, d: Duration) -> Instant {
        Instant(self.0 + d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        self.0 += d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant(self.0 - d)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        self.0 -= d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// Saturates at zero, as `std::time::Instant` does.
    fn sub(self, other: Instant) -> Duration {
        self.duration_since(other)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
