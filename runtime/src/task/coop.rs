//! The cooperative budget: how many operations on solo's own resources a
//! task may complete in one poll before it must give the loop a turn.
//!
//! A task that reads from a socket a peer keeps full would otherwise never
//! return `Pending`, and starve every other task, timers and I/O. As in
//! tokio, each task poll starts with [`BUDGET`] units; each operation on a
//! solo resource that completes (a socket read, write, accept or
//! readiness; a sleep or interval tick; a `Notify` or `oneshot` wake-up; a
//! `JoinHandle`, `spawn_blocking` included) spends one. Once none is left,
//! those operations return `Pending` and wake the task at once, so it goes
//! to the back of the ready queue, behind everything else.
//!
//! Outside a task poll (a future polled by another executor, or in a plain
//! thread) there is no budget: nothing is ever refused.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Units a task gets per poll: tokio's figure.
pub(crate) const BUDGET: u16 = 128;

/// No budget: never refuses.
const UNCONSTRAINED: u16 = u16::MAX;

thread_local! {
    /// The budget left to the task being polled on this thread.
    static LEFT: Cell<u16> = const { Cell::new(UNCONSTRAINED) };
}

/// Runs `poll` with a fresh budget of `units`, and restores the budget
/// before it (unconstrained, outside a task) afterwards, even on unwinding.
#[inline]
pub(crate) fn with_budget<R>(units: u16, poll: impl FnOnce() -> R) -> R {
    struct Restore(u16);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = LEFT.try_with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(LEFT.with(|l| l.replace(units)));
    poll()
}

/// Sets the budget: [`BUDGET`] before a task's poll, [`unset`] after it.
/// For the scheduler's own loop, whose polls never unwind (the task cell
/// catches panics); elsewhere use [`with_budget`].
#[inline]
pub(crate) fn set(units: u16) {
    LEFT.with(|l| l.set(units));
}

/// No budget: outside a task poll.
#[inline]
pub(crate) fn unset() {
    set(UNCONSTRAINED);
}

/// Ready if the task may complete one more operation; otherwise wakes it
/// (so it runs again after the others) and returns `Pending`. Call
/// [`spend`] once the operation completes.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    if LEFT.with(Cell::get) == 0 {
        cx.waker().wake_by_ref();
        return Poll::Pending;
    }
    Poll::Ready(())
}

/// Spends one unit: an operation completed.
#[inline]
pub(crate) fn spend() {
    LEFT.with(|l| {
        let left = l.get();
        // Branch-free: unconstrained and exhausted budgets stay as they are.
        l.set(left - u16::from(left != UNCONSTRAINED && left != 0));
    });
}

/// Whether the current task has budget left (always, outside a task).
pub(crate) fn has_budget_remaining() -> bool {
    LEFT.with(Cell::get) > 0
}

/// Spends one unit of the current task's budget, and if none was left,
/// yields to the runtime first (the task runs again after the others).
///
/// For a loop that does much work without touching a solo resource (which
/// would spend the budget itself): calling this each iteration lets other
/// tasks, timers and I/O run in between, but only once the budget is spent,
/// unlike [`yield_now`](crate::task::yield_now), which always yields.
///
/// ```
/// solo::block_on(async {
///     let mut sum = 0u64;
///     for i in 0..10_000u64 {
///         sum += i;
///         solo::task::consume_budget().await;
///     }
///     assert_eq!(sum, 49_995_000);
/// });
/// ```
pub async fn consume_budget() {
    poll_fn(|cx| {
        if poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        spend();
        Poll::Ready(())
    })
    .await
}

/// Runs `future` without a cooperative budget: the operations inside it
/// never return `Pending` for want of budget.
///
/// Use it sparingly: a task that never yields starves the others, the
/// timers and I/O. The same as tokio's `unconstrained`.
///
/// ```
/// use solo::task::unconstrained;
///
/// solo::block_on(async {
///     let (tx, rx) = solo::sync::oneshot::channel();
///     tx.send(5).unwrap();
///     assert_eq!(unconstrained(rx).await, Ok(5));
/// });
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

pin_project! {
    /// The future returned by [`unconstrained`].
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Unconstrained<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let future = self.project().future;
        with_budget(UNCONSTRAINED, || future.poll(cx))
    }
}

/// Runs `poll` unconstrained: for a timeout's deadline, which must be seen
/// even when the future it guards spent the budget.
pub(crate) fn unconstrained_poll<R>(poll: impl FnOnce() -> R) -> R {
    with_budget(UNCONSTRAINED, poll)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_task::noop_waker_ref;

    #[test]
    fn a_task_is_refused_once_it_has_spent_its_budget() {
        let mut cx = Context::from_waker(noop_waker_ref());
        with_budget(3, || {
            for _ in 0..3 {
                assert!(poll_proceed(&mut cx).is_ready());
                spend();
            }
            assert!(poll_proceed(&mut cx).is_pending());
        });
        // Outside a task: no budget, never refused.
        for _ in 0..1000 {
            spend();
        }
        assert!(poll_proceed(&mut cx).is_ready());
    }

    #[test]
    fn unconstrained_code_is_never_refused_and_the_budget_comes_back() {
        let mut cx = Context::from_waker(noop_waker_ref());
        with_budget(1, || {
            unconstrained_poll(|| {
                for _ in 0..1000 {
                    assert!(poll_proceed(&mut cx).is_ready());
                    spend();
                }
            });
            assert!(
                poll_proceed(&mut cx).is_ready(),
                "the outer budget was lost"
            );
        });
    }
}
