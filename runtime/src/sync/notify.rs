//! `Notify`: a wake-up without data.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use slab::Slab;

use crate::task::coop;

/// Wakes tasks (or threads' futures) waiting for an event that carries no
/// data, like tokio's `Notify`.
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
/// `Notify` is `Send + Sync`: share it in an `Arc` with other threads.
///
/// ```
/// use std::sync::Arc;
/// use solo::sync::Notify;
///
/// solo::block_on(async {
///     let ready = Arc::new(Notify::new());
///     let r = ready.clone();
///     std::thread::spawn(move || r.notify_one());
///     ready.notified().await; // returns once the thread has notified
/// });
/// ```
#[derive(Default)]
pub struct Notify {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    permit: bool,
    waiters: Slab<Waiter>,
    /// Keys of the waiters not yet woken, oldest first.
    queue: VecDeque<usize>,
}

struct Waiter {
    waker: Waker,
    woken: Option<Wake>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wake {
    One,
    All,
}

impl Notify {
    /// A `Notify` with no waiters and no permit.
    pub fn new() -> Self {
        Self::default()
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
        let waker = Self::wake_one(&mut self.lock());
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every task waiting now. Stores no permit.
    pub fn notify_waiters(&self) {
        let wakers: Vec<Waker> = {
            let mut state = self.lock();
            let State { waiters, queue, .. } = &mut *state;
            queue
                .drain(..)
                .map(|key| {
                    let w = &mut waiters[key];
                    w.woken = Some(Wake::All);
                    w.waker.clone()
                })
                .collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    fn wake_one(state: &mut State) -> Option<Waker> {
        match state.queue.pop_front() {
            Some(key) => {
                let w = &mut state.waiters[key];
                w.woken = Some(Wake::One);
                Some(w.waker.clone())
            }
            None => {
                state.permit = true;
                None
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing here panics while holding the lock, but a poisoned state
        // would still be consistent: every update is a single step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Notify")
            .field("permit", &state.permit)
            .field("waiters", &state.queue.len())
            .finish()
    }
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// Our slot in `waiters`, once registered.
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
        let ready = self.as_mut().poll_notified(cx);
        if ready.is_ready() {
            coop::spend();
        }
        ready
    }
}

impl Notified<'_> {
    /// [`poll`](Future::poll) without the cooperative budget.
    fn poll_notified(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let notify = self.notify;
        let mut state = notify.lock();
        match self.key {
            None if state.permit => {
                state.permit = false;
                drop(state);
                self.done = true;
                Poll::Ready(())
            }
            None => {
                let key = state.waiters.insert(Waiter {
                    waker: cx.waker().clone(),
                    woken: None,
                });
                state.queue.push_back(key);
                drop(state);
                self.key = Some(key);
                Poll::Pending
            }
            Some(key) => {
                let w = &mut state.waiters[key];
                if w.woken.is_some() {
                    state.waiters.remove(key);
                    drop(state);
                    self.key = None;
                    self.done = true;
                    Poll::Ready(())
                } else {
                    if !w.waker.will_wake(cx.waker()) {
                        w.waker = cx.waker().clone();
                    }
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let waker = {
            let mut state = self.notify.lock();
            let waiter = state.waiters.remove(key);
            match waiter.woken {
                None => {
                    state.queue.retain(|&k| k != key);
                    None
                }
                // Woken for a single waiter and never saw it: pass it on.
                Some(Wake::One) => Notify::wake_one(&mut state),
                Some(Wake::All) => None,
            }
        };
        if let Some(w) = waker {
            w.wake();
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
