use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use crate::context::{self, Core};
use crate::task::coop;

/// Waits until `duration` has elapsed.
///
/// Never completes early: when it completes, at least `duration` has passed
/// on the runtime clock since `sleep` was called. Dropping the [`Sleep`]
/// cancels it and frees its timer at once. A duration too large to add to
/// the clock is treated as about 30 years.
///
/// The sleep is measured from this call, not from the first `.await`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// solo::block_on(async {
///     let start = Instant::now();
///     solo::time::sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(Instant::now().saturating_add(duration))
}

/// Waits until `deadline`. Completes at once if it has passed.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// It must be polled inside a runtime; polling it elsewhere panics. Moved to
/// another runtime, it moves its timer there.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// The timer, once registered by the first pending poll.
    timer: Option<(Rc<Core>, usize)>,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            timer: None,
        }
    }

    /// When this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline; the sleep is pending again if it is in the
    /// future, and ready at its next poll if it has passed.
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some((core, key)) = &self.timer {
            let ticks = core.clock.ticks(deadline.into_std());
            core.timers.borrow_mut().reset(*key, ticks);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let ready = self.poll_deadline(cx);
        if ready.is_ready() {
            coop::spend();
        }
        ready
    }
}

impl Sleep {
    /// [`poll`](Future::poll) without the cooperative budget.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let this = self;
        if let Some((core, key)) = &this.timer {
            if core.is_current() {
                // Fired (deadline <= now when it did), or not fired but due:
                // a deadline that has passed is ready now, whatever path got
                // it there (a `reset` into the past, a clock that moved
                // before the loop's next timer pass). The clock is read only
                // when the timer has not fired.
                let fired = core.timers.borrow_mut().poll(*key, cx).is_ready();
                if fired || core.clock.now() >= this.deadline.into_std() {
                    this.cancel(); // free the slot now
                    return Poll::Ready(());
                }
                return Poll::Pending;
            }
            // Moved to another runtime: that one must keep the timer.
            this.cancel();
        }
        let core = context::current().unwrap_or_else(|| {
            panic!("solo::time::Sleep polled outside a runtime: await it inside solo::block_on")
        });
        if core.clock.now() >= this.deadline.into_std() {
            return Poll::Ready(());
        }
        let ticks = core.clock.ticks(this.deadline.into_std());
        let key = core.timers.borrow_mut().insert(ticks, cx.waker().clone());
        this.timer = Some((core, key));
        Poll::Pending
    }
}

impl Sleep {
    fn cancel(&mut self) {
        if let Some((core, key)) = self.timer.take() {
            let waker = core
                .timers
                .try_borrow_mut()
                .ok()
                .and_then(|mut t| t.remove(key));
            drop(waker);
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.timer.is_some())
            .finish()
    }
}
