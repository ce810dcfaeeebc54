use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{sleep, sleep_until, Instant, Sleep};
use crate::task::coop;

/// Runs `future` for at most `duration`.
///
/// Yields `Ok(output)` if the future completes first, or `Err(Elapsed)` once
/// the duration has passed (the future is then dropped with the `Timeout`).
/// The future is polled before the deadline is checked, so a future that is
/// ready at once always wins.
///
/// ```
/// use std::time::Duration;
/// use solo::time::{sleep, timeout};
///
/// solo::block_on(async {
///     let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(10))).await;
///     assert!(slow.is_err());
///     let fast = timeout(Duration::from_secs(10), async { 5 }).await;
///     assert_eq!(fast.unwrap(), 5);
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

/// Runs `future` until `deadline` at the latest; see [`timeout`].
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The wrapped future, dropping the timer.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(v) = this.future.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        let mut poll_deadline = || match Pin::new(&mut *this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        };
        // A future that spent the budget must not hide the deadline: check
        // it without the budget then (as tokio does).
        if had_budget && !coop::has_budget_remaining() {
            coop::unconstrained_poll(poll_deadline)
        } else {
            poll_deadline()
        }
    }
}

/// The error of a [`Timeout`] whose deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> Self {
        std::io::ErrorKind::TimedOut.into()
    }
}
