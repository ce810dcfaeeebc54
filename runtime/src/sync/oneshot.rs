//! A channel for a single value, on `futures-channel`'s.
//!
//! Chosen over a `bounded(1)` channel because its [`Sender::send`] is
//! synchronous (no `.await`, so threads and destructors can answer), it
//! consumes the sender (a second send cannot compile), and the receiver
//! learns with [`Canceled`] when the sender is dropped unanswered.
//!
//! The [`Sender`] is `futures-channel`'s own; the [`Receiver`] wraps its
//! receiver so that receiving spends the task's cooperative budget (see
//! [`consume_budget`](crate::task::consume_budget)), as solo's other
//! resources do.
//!
//! ```
//! solo::block_on(async {
//!     let (tx, rx) = solo::sync::oneshot::channel();
//!     std::thread::spawn(move || tx.send(42).unwrap());
//!     assert_eq!(rx.await, Ok(42));
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_channel::oneshot::{Canceled, Cancellation, Sender};

use crate::task::coop;

/// A new channel for one value of type `T`.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = futures_channel::oneshot::channel();
    (tx, Receiver { inner: rx })
}

/// The receiving half: a future of the value, or [`Canceled`] if the
/// [`Sender`] was dropped without sending.
#[must_use = "futures do nothing unless awaited"]
pub struct Receiver<T> {
    inner: futures_channel::oneshot::Receiver<T>,
}

impl<T> Receiver<T> {
    /// Refuses the value: a later [`Sender::send`] fails and gives it back,
    /// and [`Sender::is_canceled`] turns true. A value already sent can
    /// still be received.
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// The value if it has arrived, without waiting: `Ok(None)` if not yet,
    /// `Err(Canceled)` if the sender is gone without sending.
    pub fn try_recv(&mut self) -> Result<Option<T>, Canceled> {
        self.inner.try_recv()
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let ready = Pin::new(&mut self.inner).poll(cx);
        if ready.is_ready() {
            coop::spend();
        }
        ready
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
