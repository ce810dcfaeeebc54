//! `Semaphore`: a count of permits, for tasks of one runtime.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::WaitList;

/// A fair count of permits: the shape of
/// [`solo::sync::Semaphore`](crate::sync::Semaphore) (`async-lock`'s), for
/// tasks of one runtime. Not `Sync`: share it between tasks in an `Rc`.
///
/// Waiters get permits one each, in the order they first polled
/// [`acquire`](Self::acquire); a released permit goes straight to the
/// oldest, so a newcomer (even [`try_acquire`](Self::try_acquire)) cannot
/// take it in between. Dropping an `acquire()` future gives up its place,
/// and a permit already handed to it passes to the next waiter.
///
/// ```
/// use solo::sync::local::Semaphore;
///
/// solo::block_on(async {
///     let slots = Semaphore::new(2);
///     let a = slots.acquire().await;
///     let _b = slots.acquire().await;
///     assert!(slots.try_acquire().is_none());
///     drop(a);
///     assert!(slots.try_acquire().is_some());
/// });
/// ```
pub struct Semaphore {
    /// Permits nobody holds and nobody was handed. Nonzero only while
    /// nobody waits.
    permits: Cell<usize>,
    waiters: RefCell<WaitList>,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub const fn new(permits: usize) -> Self {
        Semaphore {
            permits: Cell::new(permits),
            waiters: RefCell::new(WaitList::new()),
        }
    }

    /// Waits for a permit; see the type's docs for the order.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            key: None,
        }
    }

    /// A permit if one is free and nobody waits for one.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        let free = self.permits.get();
        if free == 0 {
            return None;
        }
        self.permits.set(free - 1);
        Some(SemaphoreGuard { semaphore: self })
    }

    /// Adds `n` permits, handing them to waiters first.
    pub fn add_permits(&self, n: usize) {
        for _ in 0..n {
            self.release();
        }
    }

    /// Permits free now.
    pub fn available_permits(&self) -> usize {
        self.permits.get()
    }

    /// Hands a permit to the oldest waiter, or frees it.
    fn release(&self) {
        let waker = self.waiters.borrow_mut().notify_one();
        match waker {
            Some(w) => w.wake(),
            None => self.permits.set(self.permits.get() + 1),
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.permits.get())
            .finish_non_exhaustive()
    }
}

/// The future of [`Semaphore::acquire`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    key: Option<usize>,
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphoreGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let semaphore = self.semaphore;
        let mut waiters = semaphore.waiters.borrow_mut();
        match self.key {
            None if semaphore.permits.get() > 0 => {
                semaphore.permits.set(semaphore.permits.get() - 1);
            }
            None => {
                self.key = Some(waiters.push(cx.waker(), ()));
                return Poll::Pending;
            }
            // Handed a permit by `release`.
            Some(key) if waiters.is_notified(key) => {
                waiters.remove(key);
                self.key = None;
            }
            Some(key) => {
                waiters.update(key, cx.waker());
                return Poll::Pending;
            }
        }
        Poll::Ready(SemaphoreGuard { semaphore })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let (handed, ()) = self.semaphore.waiters.borrow_mut().remove(key);
        if handed {
            self.semaphore.release();
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

/// Holds one permit of a [`Semaphore`]; dropping it hands the permit to the
/// oldest waiter.
pub struct SemaphoreGuard<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphoreGuard<'_> {
    /// Keeps the permit: the semaphore has one fewer from now on.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

impl fmt::Debug for SemaphoreGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreGuard").finish_non_exhaustive()
    }
}
