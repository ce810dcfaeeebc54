//! Task-local values: [`task_local!`](crate::task_local), [`LocalKey`].
//!
//! A task-local value belongs to a future, not to a thread: it is set for
//! the duration of [`LocalKey::scope`] and is visible to that future
//! (whatever task polls it, across every `.await` inside the scope) and to
//! nothing else. Each poll of the scoped future puts the value into a
//! thread-local slot, and takes it back out when the poll returns, so
//! another task polled on the same thread in between never sees it.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Declares task-local keys of type [`LocalKey`], as tokio's `task_local!`.
///
/// ```
/// solo::task_local! {
///     static REQUEST_ID: u64;
///     pub static USER: String;
/// }
///
/// solo::block_on(async {
///     REQUEST_ID.scope(7, async {
///         solo::task::yield_now().await; // survives across awaits
///         assert_eq!(REQUEST_ID.get(), 7);
///     }).await;
///     assert!(REQUEST_ID.try_with(|_| ()).is_err(), "gone outside its scope");
/// });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __SOLO_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(&__SOLO_TASK_LOCAL)
        };
    };
}

/// A key for a task-local value, declared with
/// [`task_local!`](crate::task_local).
///
/// [`scope`](Self::scope) sets the value for a future;
/// [`with`](Self::with), [`try_with`](Self::try_with) and
/// [`get`](Self::get) read it from inside.
pub struct LocalKey<T: 'static> {
    inner: &'static std::thread::LocalKey<RefCell<Option<T>>>,
}

/// The task-local value was read outside any scope that set it; from
/// [`LocalKey::try_with`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccessError(());

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessError")
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl Error for AccessError {}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(inner: &'static std::thread::LocalKey<RefCell<Option<T>>>) -> Self {
        LocalKey { inner }
    }

    /// Runs `future` with the value set to `value`: every poll of the
    /// returned future, and the drop of `future`, see it; code outside
    /// does not. A scope inside another scope of the same key shadows it
    /// until it ends.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with the value set to `value`, synchronously.
    ///
    /// # Panics
    ///
    /// If the key's value is borrowed (by [`with`](Self::with)) when the
    /// scope is entered.
    #[track_caller]
    pub fn sync_scope<F: FnOnce() -> R, R>(&'static self, value: T, f: F) -> R {
        let mut slot = Some(value);
        let _entered = self.enter(&mut slot);
        f()
    }

    /// Runs `f` with a reference to the value.
    ///
    /// # Panics
    ///
    /// Outside a scope that set the value; see [`try_with`](Self::try_with).
    #[track_caller]
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(_) => panic!(
                "cannot access a task-local value outside a scope that set it \
                 (LocalKey::scope or sync_scope)"
            ),
        }
    }

    /// Runs `f` with a reference to the value, or returns [`AccessError`]
    /// outside a scope that set it.
    pub fn try_with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> Result<R, AccessError> {
        let f = Some(f);
        self.inner
            .try_with(|cell| {
                let value = cell.try_borrow().map_err(|_| AccessError(()))?;
                match (value.as_ref(), f) {
                    (Some(v), Some(f)) => Ok(f(v)),
                    _ => Err(AccessError(())),
                }
            })
            .unwrap_or(Err(AccessError(())))
    }

    /// A clone of the value.
    ///
    /// # Panics
    ///
    /// Outside a scope that set the value.
    #[track_caller]
    pub fn get(&'static self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// Swaps `slot` into the thread-local; the guard swaps it back.
    #[track_caller]
    fn enter<'a>(&'static self, slot: &'a mut Option<T>) -> Entered<'a, T> {
        self.swap(slot);
        Entered { key: self, slot }
    }

    #[track_caller]
    fn swap(&'static self, slot: &mut Option<T>) {
        let swapped = self.inner.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut value) => {
                std::mem::swap(slot, &mut *value);
                true
            }
            Err(_) => false,
        });
        if swapped != Ok(true) {
            panic!(
                "cannot enter or leave a task-local scope while its value is borrowed \
                 (inside LocalKey::with) or after the thread's locals were destroyed"
            );
        }
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

/// Puts the outer value back when a scope's poll (or drop) ends, on
/// unwinding too.
struct Entered<'a, T: 'static> {
    key: &'static LocalKey<T>,
    slot: &'a mut Option<T>,
}

impl<T: 'static> Drop for Entered<'_, T> {
    fn drop(&mut self) {
        // Cannot fail: the borrow checks in `swap` passed on entry, and a
        // `with` borrow cannot outlive the code between entry and here.
        self.key.swap(self.slot);
    }
}

pin_project! {
    /// The future returned by [`LocalKey::scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct TaskLocalFuture<T: 'static, F> {
        key: &'static LocalKey<T>,
        // The value while it is not in the thread-local (between polls).
        slot: Option<T>,
        // `None` once it completed (or was dropped in `drop`).
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.future.is_some() {
                // The future's destructors see the value too, as tokio's.
                let key = *this.key;
                let _entered = key.enter(this.slot);
                let mut future = this.future;
                future.set(None);
            }
        }
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let key = *this.key;
        let _entered = key.enter(this.slot);
        let mut future = this.future;
        let Some(inner) = future.as_mut().as_pin_mut() else {
            panic!("TaskLocalFuture polled after it completed");
        };
        let poll = inner.poll(cx);
        if poll.is_ready() {
            future.set(None);
        }
        poll
    }
}

impl<T: 'static + fmt::Debug, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}
