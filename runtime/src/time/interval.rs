use std::future::poll_fn;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{sleep_until, Instant, Sleep};

/// Ticks every `period`, the first tick at once.
///
/// # Panics
///
/// Panics if `period` is zero.
///
/// ```
/// use std::time::Duration;
///
/// solo::block_on(async {
///     let mut every = solo::time::interval(Duration::from_millis(5));
///     let first = every.tick().await; // at once
///     let third = { every.tick().await; every.tick().await };
///     assert!(third - first >= Duration::from_millis(10));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// Panics if `period` is zero.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "solo::time::interval: period must be non-zero"
    );
    Interval {
        sleep: sleep_until(start),
        period,
        missed: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does when ticks were missed (the task was busy, or
/// the loop was blocked, for longer than a period). Same as tokio's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per `tick()`, until caught up; the
    /// schedule keeps its original phase. The default.
    #[default]
    Burst,
    /// Fire one tick now, then a period after it: the schedule shifts.
    Delay,
    /// Fire one tick now, then at the next multiple of the period on the
    /// original schedule, skipping the missed ones.
    Skip,
}

/// A stream of ticks; see [`interval`].
///
/// It is also a [`Stream`](futures_core::Stream) of the instants its ticks
/// were due (it never ends), so
/// [`StreamExt`](crate::stream::StreamExt) works on it; tokio needs the
/// `IntervalStream` wrapper for that.
#[derive(Debug)]
pub struct Interval {
    sleep: Sleep,
    period: Duration,
    missed: MissedTickBehavior,
}

impl Interval {
    /// Completes at the next tick, returning the instant it was due.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.sleep.deadline();
        let now = Instant::now();
        let next = match self.missed {
            _ if now.duration_since(due) < self.period => due.saturating_add(self.period),
            MissedTickBehavior::Burst => due.saturating_add(self.period),
            MissedTickBehavior::Delay => now.saturating_add(self.period),
            MissedTickBehavior::Skip => {
                let behind = now.duration_since(due).as_nanos();
                let period = self.period.as_nanos();
                let periods = behind / period + 1;
                let skip = u64::try_from(periods * period).unwrap_or(u64::MAX);
                due.saturating_add(Duration::from_nanos(skip))
            }
        };
        self.sleep.reset(next);
        Poll::Ready(due)
    }

    /// Sets what happens when ticks are missed.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }

    /// What happens when ticks are missed.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        self.sleep.reset(Instant::now().saturating_add(self.period));
    }

    /// Restarts the schedule from now: the next tick is due at once (its
    /// next poll is ready), the one after a period later.
    pub fn reset_immediately(&mut self) {
        self.sleep.reset(Instant::now());
    }

    /// Restarts the schedule: the next tick is `after` from now, then one
    /// every period.
    ///
    /// ```
    /// use std::time::Duration;
    /// use solo::time::{self, Instant};
    ///
    /// solo::Builder::new().start_paused(true).build().unwrap().block_on(async {
    ///     let mut every = time::interval(Duration::from_secs(10));
    ///     every.tick().await; // the first tick, at once
    ///     let start = Instant::now();
    ///     every.reset_after(Duration::from_secs(3));
    ///     every.tick().await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(3));
    ///     every.tick().await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(13));
    /// });
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        self.sleep.reset(Instant::now().saturating_add(after));
    }

    /// Restarts the schedule: the next tick is at `deadline` (at once if it
    /// has passed), then one every period.
    pub fn reset_at(&mut self, deadline: Instant) {
        self.sleep.reset(deadline);
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
