//! `Mutex`: an await-able lock for tasks of one runtime.

use std::cell::{Cell, RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::WaitList;

/// A fair lock whose guard may be held across `.await`: the shape of
/// [`solo::sync::Mutex`](crate::sync::Mutex) (`async-lock`'s), for tasks of
/// one runtime. Not `Sync`: share it between tasks in an `Rc` (which
/// keeps it on this thread).
///
/// Waiters get the lock in the order they first polled [`lock`](Self::lock);
/// an unlock hands it straight to the oldest, so a newcomer (even
/// [`try_lock`](Self::try_lock)) cannot take it in between. Dropping a
/// `lock()` future gives up its place, and a lock already handed to it
/// passes to the next waiter.
///
/// ```
/// use std::rc::Rc;
/// use solo::sync::local::Mutex;
///
/// solo::block_on(async {
///     let count = Rc::new(Mutex::new(0));
///     let c = count.clone();
///     let task = solo::spawn(async move {
///         let mut n = c.lock().await;
///         solo::task::yield_now().await; // the guard is held across it
///         *n += 1;
///     });
///     task.await.unwrap();
///     assert_eq!(*count.lock().await, 1);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    /// Held by a guard, or handed to a notified waiter. While a waiter is
    /// queued it is true.
    locked: Cell<bool>,
    waiters: RefCell<WaitList>,
    value: RefCell<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Mutex {
            locked: Cell::new(false),
            waiters: RefCell::new(WaitList::new()),
            value: RefCell::new(value),
        }
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock; see the type's docs for the order.
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            key: None,
        }
    }

    /// The lock if it is free and nobody waits for it.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        if self.locked.get() {
            return None;
        }
        self.locked.set(true);
        Some(self.guard())
    }

    /// The value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            mutex: self,
            value: Some(self.value.borrow_mut()),
        }
    }

    /// Hands the lock to the oldest waiter, or frees it.
    fn unlock(&self) {
        let waker = self.waiters.borrow_mut().notify_one();
        match waker {
            Some(w) => w.wake(),
            None => self.locked.set(false),
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => d.field("value", &&*guard),
            None => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The future of [`Mutex::lock`].
#[must_use = "futures do nothing unless polled"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    key: Option<usize>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mutex = self.mutex;
        let mut waiters = mutex.waiters.borrow_mut();
        match self.key {
            None if !mutex.locked.get() => mutex.locked.set(true),
            None => {
                self.key = Some(waiters.push(cx.waker(), ()));
                return Poll::Pending;
            }
            // Handed to us by `unlock`.
            Some(key) if waiters.is_notified(key) => {
                waiters.remove(key);
                self.key = None;
            }
            Some(key) => {
                waiters.update(key, cx.waker());
                return Poll::Pending;
            }
        }
        drop(waiters);
        Poll::Ready(mutex.guard())
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let (handed, ()) = self.mutex.waiters.borrow_mut().remove(key);
        if handed {
            self.mutex.unlock();
        }
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

/// Holds a [`Mutex`] locked; dropping it hands the lock to the oldest
/// waiter.
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// `Some` until dropped: released before the lock is handed on.
    value: Option<RefMut<'a, T>>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.as_deref().expect("guard is live")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_deref_mut().expect("guard is live")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.value = None;
        self.mutex.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
