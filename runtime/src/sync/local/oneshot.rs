//! A channel for one value, for tasks of one runtime.
//!
//! The same shape as [`solo::sync::oneshot`](crate::sync::oneshot): the
//! [`Sender::send`] is synchronous and consumes the sender, the
//! [`Receiver`] is a future of the value, or of [`Canceled`] if the sender
//! dropped without sending. Neither half is `Send`.
//!
//! ```
//! use solo::sync::local::oneshot;
//!
//! solo::block_on(async {
//!     let (tx, rx) = oneshot::channel();
//!     solo::spawn(async move { tx.send(42).unwrap() });
//!     assert_eq!(rx.await, Ok(42));
//! });
//! ```

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::task::coop;

/// A new channel for one value of type `T`.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(RefCell::new(Inner {
        value: None,
        sender_gone: false,
        receiver_gone: false,
        receiver_waker: None,
        sender_waker: None,
    }));
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver { inner },
    )
}

struct Inner<T> {
    value: Option<T>,
    /// The sender has sent or dropped.
    sender_gone: bool,
    /// The receiver has closed or dropped: a send fails.
    receiver_gone: bool,
    receiver_waker: Option<Waker>,
    /// Who waits in [`Sender::closed`].
    sender_waker: Option<Waker>,
}

/// The error of a [`Receiver`] whose [`Sender`] dropped without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot canceled")
    }
}

impl Error for Canceled {}

/// The sending half.
pub struct Sender<T> {
    inner: Rc<RefCell<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value` now, without waiting; gives it back if the receiver
    /// has closed or dropped.
    pub fn send(self, value: T) -> Result<(), T> {
        let mut inner = self.inner.borrow_mut();
        if inner.receiver_gone {
            return Err(value);
        }
        inner.value = Some(value);
        drop(inner);
        Ok(())
        // `self` drops here: marks the sender gone and wakes the receiver.
    }

    /// Whether the receiver has closed or dropped (a send would fail).
    pub fn is_canceled(&self) -> bool {
        self.inner.borrow().receiver_gone
    }

    /// Ready once the receiver has closed or dropped; otherwise stores
    /// `cx`'s waker (the last one polled) to be woken then.
    pub fn poll_canceled(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.inner.borrow_mut();
        if inner.receiver_gone {
            return Poll::Ready(());
        }
        match &mut inner.sender_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Waits until the receiver has closed or dropped: for work whose
    /// answer nobody wants any more.
    pub fn closed(&mut self) -> impl Future<Output = ()> + '_ {
        poll_fn(|cx| self.poll_canceled(cx))
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut inner = self.inner.borrow_mut();
            inner.sender_gone = true;
            inner.receiver_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half: a future of the value, or [`Canceled`] if the
/// [`Sender`] dropped without sending. Dropping it drops a value already
/// sent and makes [`Sender::is_canceled`] true.
#[must_use = "futures do nothing unless awaited"]
pub struct Receiver<T> {
    inner: Rc<RefCell<Inner<T>>>,
}

impl<T> Receiver<T> {
    /// Refuses the value: a later [`Sender::send`] fails and gives it back,
    /// and [`Sender::is_canceled`] turns true. A value already sent can
    /// still be received.
    pub fn close(&mut self) {
        let waker = {
            let mut inner = self.inner.borrow_mut();
            inner.receiver_gone = true;
            inner.sender_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The value if it has arrived, without waiting: `Ok(None)` if not yet,
    /// `Err(Canceled)` if the sender is gone without sending (or the value
    /// was taken already).
    pub fn try_recv(&mut self) -> Result<Option<T>, Canceled> {
        let mut inner = self.inner.borrow_mut();
        match inner.value.take() {
            Some(v) => Ok(Some(v)),
            None if inner.sender_gone => Err(Canceled),
            None => Ok(None),
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut inner = self.inner.borrow_mut();
        let ready = match inner.value.take() {
            Some(v) => Ok(v),
            None if inner.sender_gone => Err(Canceled),
            None => {
                match &mut inner.receiver_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
        };
        coop::spend();
        Poll::Ready(ready)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (waker, value) = {
            let mut inner = self.inner.borrow_mut();
            inner.receiver_gone = true;
            (inner.sender_waker.take(), inner.value.take())
        };
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
