//! `Notify`: a wake-up without data, for tasks of one runtime.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::{wake_all, WaitList};
use crate::task::coop;

/// Wakes tasks waiting for an event that carries no data, with the rules
/// of [`solo::sync::Notify`](crate::sync::Notify) (tokio's):
///
/// * [`notify_one`](Self::notify_one) wakes the oldest waiter; if nobody
///   waits, it stores one permit and the next [`notified`](Self::notified)
///   returns at once. Permits do not add up: two calls store one.
/// * [`notify_waiters`](Self::notify_waiters) wakes every current waiter
///   and stores no permit.
///
/// A [`Notified`] future becomes a waiter when first polled. Dropping one
/// that was woken by `notify_one` but not yet polled passes the wake-up on
/// to the next waiter (or back into the permit), so none is lost.
///
/// Not `Sync`: share it between tasks in an `Rc` (which keeps it on this
/// thread).
///
/// ```
/// use std::rc::Rc;
/// use solo::sync::local::Notify;
///
/// solo::block_on(async {
///     let ready = Rc::new(Notify::new());
///     let r = ready.clone();
///     solo::spawn(async move { r.notify_one() });
///     ready.notified().await; // returns once the task has notified
/// });
/// ```
pub struct Notify {
    permit: Cell<bool>,
    waiters: RefCell<WaitList<Wake>>,
}

/// How a waiter was woken (its kind in the list; `One` while waiting).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wake {
    One,
    All,
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl Notify {
    /// A `Notify` with no waiters and no permit.
    pub const fn new() -> Self {
        Notify {
            permit: Cell::new(false),
            waiters: RefCell::new(WaitList::new()),
        }
    }

    /// Waits for a notification; see the type's docs.
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            key: None,
            done: false,
        }
    }

    /// Wakes the oldest waiter, or stores a permit if none waits.
    pub fn notify_one(&self) {
        let waker = self.waiters.borrow_mut().notify_one();
        match waker {
            Some(w) => w.wake(),
            None => self.permit.set(true),
        }
    }

    /// Wakes every task waiting now. Stores no permit.
    pub fn notify_waiters(&self) {
        let mut wakers = Vec::new();
        {
            let mut waiters = self.waiters.borrow_mut();
            while let Some((key, _)) = waiters.front() {
                waiters.set_kind(key, Wake::All);
                wakers.push(waiters.notify(key));
            }
        }
        wake_all(wakers);
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("permit", &self.permit.get())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// Our place among the waiters, once registered.
    key: Option<usize>,
    done: bool,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let notify = self.notify;
        let mut waiters = notify.waiters.borrow_mut();
        match self.key {
            None if notify.permit.get() => notify.permit.set(false),
            None => {
                self.key = Some(waiters.push(cx.waker(), Wake::One));
                return Poll::Pending;
            }
            Some(key) if waiters.is_notified(key) => {
                waiters.remove(key);
                self.key = None;
            }
            Some(key) => {
                waiters.update(key, cx.waker());
                return Poll::Pending;
            }
        }
        self.done = true;
        coop::spend();
        Poll::Ready(())
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut waiters = self.notify.waiters.borrow_mut();
        let (woken, how) = waiters.remove(key);
        // Woken for a single waiter and never saw it: pass it on.
        if woken && how == Wake::One {
            drop(waiters);
            self.notify.notify_one();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
