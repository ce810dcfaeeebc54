//! Tasks: [`spawn`], [`spawn_blocking`], [`JoinHandle`], [`JoinSet`],
//! [`yield_now`], task ids, and named tasks through [`Builder`].
//!
//! A task is a future the runtime polls on its own, concurrently with the
//! others. Tasks need not be `Send`: they never leave the runtime's thread.

mod blocking;
mod builder;
pub(crate) mod cell;
pub(crate) mod coop;
mod join;
mod join_set;
pub(crate) mod raw;
mod remote;
mod task_local;
mod yield_now;

use std::fmt;
use std::future::Future;
use std::num::NonZeroU64;
use std::panic::Location;

pub use blocking::spawn_blocking;
pub use builder::Builder;
pub use coop::{consume_budget, unconstrained, Unconstrained};
pub use join::{AbortHandle, JoinError, JoinHandle};
pub use join_set::JoinSet;
pub(crate) use remote::spawn as spawn_remote;
pub use remote::RemoteJoinHandle;
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use yield_now::{yield_now, YieldNow};

use crate::context;

/// Spawns a task on the runtime running on this thread.
///
/// The task starts at the runtime's next turn, concurrently with the caller.
/// Any code running inside [`block_on`](crate::block_on) may call `spawn`:
/// no handle is needed. The future need not be `Send`.
///
/// The returned [`JoinHandle`] resolves to the task's output. Dropping it
/// detaches the task, which keeps running.
///
/// A task that panics does not take the runtime down: its `JoinHandle`
/// yields a [`JoinError`] holding the panic. Its future is dropped while
/// the panic unwinds, as a thread's stack is, so its destructors see
/// [`std::thread::panicking`] and a `std::sync::Mutex` guard it holds
/// poisons the mutex. A destructor that panics during that unwind is a
/// panic while panicking, and aborts the process, as it would in a thread.
///
/// # Panics
///
/// Panics if called outside a runtime (no `block_on` running on this thread).
/// Use [`Runtime::spawn`](crate::Runtime::spawn) to queue tasks before the
/// runtime runs.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use std::cell::RefCell;
///
/// solo::block_on(async {
///     let log = Rc::new(RefCell::new(Vec::new())); // not Send: fine
///     let l = log.clone();
///     let task = solo::spawn(async move {
///         l.borrow_mut().push("child");
///         7
///     });
///     assert_eq!(task.await.unwrap(), 7);
///     assert_eq!(*log.borrow(), ["child"]);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let location = Location::caller();
    let mut future = Some(future);
    let spawned =
        context::with_current(|core| future.take().map(|f| JoinHandle::spawn(core, f, location)));
    match spawned.flatten() {
        Some(handle) => handle,
        None => panic!(
            "solo::spawn called outside a runtime: call it from code running inside \
             solo::block_on (or Runtime::block_on), or use Runtime::spawn"
        ),
    }
}

/// The id of the task (or `block_on` future) being polled.
///
/// # Panics
///
/// Panics if called outside a task; see [`try_id`].
#[track_caller]
pub fn id() -> TaskId {
    try_id().expect("solo::task::id called outside a task: it only has a value inside a runtime")
}

/// The id of the task (or `block_on` future) being polled, if any.
pub fn try_id() -> Option<TaskId> {
    context::task()
}

/// A task's id, unique among the tasks of one runtime for its whole life
/// (not sequential: tasks spawned from other threads take the even numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    pub(crate) fn new(id: u64) -> Self {
        TaskId(NonZeroU64::new(id).unwrap_or(NonZeroU64::MIN))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
