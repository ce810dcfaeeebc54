//! `RwLock`: many readers or one writer, for tasks of one runtime.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::WaitList;

/// A fair reader-writer lock whose guards may be held across `.await`: the
/// shape of [`solo::sync::RwLock`](crate::sync::RwLock) (`async-lock`'s),
/// for tasks of one runtime. Not `Sync`: share it between tasks in an `Rc`
/// (which keeps it on this thread).
///
/// Readers share the lock; a writer excludes everyone. Requests are served
/// in the order they first waited: a waiting writer makes later readers
/// wait too (so a stream of readers cannot starve it), and when a writer
/// unlocks, the readers queued right behind it get the lock together.
/// Dropping a `read()` or `write()` future gives up its place, and a lock
/// already granted to it is released to the next in line.
///
/// ```
/// use solo::sync::local::RwLock;
///
/// solo::block_on(async {
///     let lock = RwLock::new(1);
///     {
///         let a = lock.read().await;
///         let b = lock.read().await; // readers share
///         assert_eq!(*a + *b, 2);
///         assert!(lock.try_write().is_none());
///     }
///     *lock.write().await += 1;
///     assert_eq!(lock.into_inner(), 2);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    /// Read guards held or granted to notified waiters.
    readers: Cell<usize>,
    /// A write guard held or granted to a notified waiter.
    writer: Cell<bool>,
    waiters: RefCell<WaitList<Access>>,
    value: RefCell<T>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    Read,
    Write,
}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    pub const fn new(value: T) -> Self {
        RwLock {
            readers: Cell::new(0),
            writer: Cell::new(false),
            waiters: RefCell::new(WaitList::new()),
            value: RefCell::new(value),
        }
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits to read; see the type's docs for the order.
    pub fn read(&self) -> Read<'_, T> {
        Read {
            acquire: Acquire::new(self, Access::Read),
        }
    }

    /// Waits to write; see the type's docs for the order.
    pub fn write(&self) -> Write<'_, T> {
        Write {
            acquire: Acquire::new(self, Access::Write),
        }
    }

    /// A read guard if no writer holds the lock or waits for it.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.try_acquire(Access::Read).then(|| self.read_guard())
    }

    /// A write guard if nobody holds the lock or waits for it.
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.try_acquire(Access::Write).then(|| self.write_guard())
    }

    /// The value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Takes the lock for `access` if that is allowed now and nobody waits.
    fn try_acquire(&self, access: Access) -> bool {
        if self.waiters.borrow().has_waiters() || !self.free_for(access) {
            return false;
        }
        self.take(access);
        true
    }

    fn free_for(&self, access: Access) -> bool {
        !self.writer.get() && (access == Access::Read || self.readers.get() == 0)
    }

    fn take(&self, access: Access) {
        match access {
            Access::Read => self.readers.set(self.readers.get() + 1),
            Access::Write => self.writer.set(true),
        }
    }

    fn release(&self, access: Access) {
        match access {
            Access::Read => self.readers.set(self.readers.get() - 1),
            Access::Write => self.writer.set(false),
        }
        self.grant();
    }

    /// Grants the lock to the waiters at the front that it allows now.
    fn grant(&self) {
        loop {
            let waker = {
                let mut waiters = self.waiters.borrow_mut();
                match waiters.front() {
                    Some((key, access)) if self.free_for(access) => {
                        self.take(access);
                        waiters.notify(key)
                    }
                    _ => return,
                }
            };
            waker.wake();
        }
    }

    fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        RwLockReadGuard {
            lock: self,
            value: Some(self.value.borrow()),
        }
    }

    fn write_guard(&self) -> RwLockWriteGuard<'_, T> {
        RwLockWriteGuard {
            lock: self,
            value: Some(self.value.borrow_mut()),
        }
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.value.try_borrow() {
            Ok(value) if !self.writer.get() => d.field("value", &&*value),
            _ => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The waiting shared by [`Read`] and [`Write`].
struct Acquire<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    access: Access,
    key: Option<usize>,
}

impl<'a, T: ?Sized> Acquire<'a, T> {
    fn new(lock: &'a RwLock<T>, access: Access) -> Self {
        Acquire {
            lock,
            access,
            key: None,
        }
    }

    /// Ready once the lock is ours for `access` (counted in its state).
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let lock = self.lock;
        match self.key {
            None if lock.try_acquire(self.access) => Poll::Ready(()),
            None => {
                let mut waiters = lock.waiters.borrow_mut();
                self.key = Some(waiters.push(cx.waker(), self.access));
                Poll::Pending
            }
            Some(key) => {
                let mut waiters = lock.waiters.borrow_mut();
                if waiters.is_notified(key) {
                    waiters.remove(key);
                    self.key = None;
                    Poll::Ready(())
                } else {
                    waiters.update(key, cx.waker());
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: ?Sized> Drop for Acquire<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let (granted, access) = self.lock.waiters.borrow_mut().remove(key);
        if granted {
            self.lock.release(access);
        } else {
            // We may have been the writer that kept readers behind us waiting.
            self.lock.grant();
        }
    }
}

/// The future of [`RwLock::read`].
#[must_use = "futures do nothing unless polled"]
pub struct Read<'a, T: ?Sized> {
    acquire: Acquire<'a, T>,
}

impl<'a, T: ?Sized> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let ready = self.acquire.poll(cx);
        ready.map(|()| self.acquire.lock.read_guard())
    }
}

impl<T: ?Sized> fmt::Debug for Read<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("waiting", &self.acquire.key.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of [`RwLock::write`].
#[must_use = "futures do nothing unless polled"]
pub struct Write<'a, T: ?Sized> {
    acquire: Acquire<'a, T>,
}

impl<'a, T: ?Sized> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let ready = self.acquire.poll(cx);
        ready.map(|()| self.acquire.lock.write_guard())
    }
}

impl<T: ?Sized> fmt::Debug for Write<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("waiting", &self.acquire.key.is_some())
            .finish_non_exhaustive()
    }
}

/// Shared access to an [`RwLock`]; dropping the last one lets a waiting
/// writer in.
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// `Some` until dropped: released before the lock is handed on.
    value: Option<Ref<'a, T>>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.as_deref().expect("guard is live")
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.value = None;
        self.lock.release(Access::Read);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwLock`]; dropping it hands the lock to the
/// next waiter (or the readers queued together behind it).
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// `Some` until dropped: released before the lock is handed on.
    value: Option<RefMut<'a, T>>,
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.as_deref().expect("guard is live")
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_deref_mut().expect("guard is live")
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.value = None;
        self.lock.release(Access::Write);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
