//! [`Handle`]: how other threads spawn onto a runtime.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::context;
use crate::scheduler::Shared;
use crate::task::RemoteJoinHandle;

/// A handle to a runtime that any thread may hold and spawn through:
/// `Send + Sync + Clone`.
///
/// Get one with [`Handle::current`] inside a runtime, or with
/// [`Runtime::handle`](super::Runtime::handle). A future spawned through it
/// must be `Send` (it crosses to the runtime's thread); it runs there, as
/// a task like any other, while the runtime runs `block_on`. The spawning
/// thread wakes the runtime through its injection queue, the same path as
/// a waker woken from another thread.
///
/// Once the runtime has been dropped, [`spawn`](Self::spawn) still returns
/// a handle, whose `await` yields a cancelled [`JoinError`]; the future is
/// dropped at once. Futures queued but not yet started when the runtime
/// drops are dropped with it, and read as cancelled too.
///
/// # Examples
///
/// A `spawn_blocking` job hands work back to the loop:
///
/// ```
/// use solo::runtime::Handle;
///
/// let total = solo::block_on(async {
///     let handle = Handle::current();
///     let job = solo::task::spawn_blocking(move || {
///         // On a pool thread: spawn onto the loop, and wait for it there.
///         let task = handle.spawn(async { (1..=10).sum::<u32>() });
///         futures_lite::future::block_on(task)
///     });
///     job.await.unwrap().unwrap()
/// });
/// assert_eq!(total, 55);
/// ```
///
/// [`JoinError`]: crate::task::JoinError
#[derive(Clone)]
pub struct Handle {
    pub(super) shared: Arc<Shared>,
}

impl Handle {
    /// The handle of the runtime running on this thread.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime (outside `block_on`, a task, or a
    /// destructor the runtime runs); [`try_current`](Self::try_current)
    /// returns an error instead.
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(e) => panic!("{e}"),
        }
    }

    /// The handle of the runtime running on this thread, or an error
    /// outside a runtime.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::with_current(|core| Handle {
            shared: core.scheduler.shared.clone(),
        })
        .ok_or(TryCurrentError(()))
    }

    /// Spawns `future` onto the runtime, from any thread, and returns a
    /// handle to await its output from any thread.
    ///
    /// On the runtime's own thread the task is spawned at once, as with
    /// [`solo::spawn`](crate::spawn); from another thread it is spawned at
    /// the runtime's next turn. Either way it runs only while the runtime
    /// runs `block_on`. See [`RemoteJoinHandle`] for what awaiting yields,
    /// and the type's docs for what happens once the runtime is gone.
    ///
    /// A remote spawn costs two tasks on the runtime (the future, and one
    /// that carries its output back); [`Metrics::tasks_spawned`] counts
    /// both.
    ///
    /// [`Metrics::tasks_spawned`]: super::Metrics::tasks_spawned
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> RemoteJoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        crate::task::spawn_remote(&self.shared, future)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

/// [`Handle::try_current`] was called outside a runtime.
#[derive(Debug)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no solo runtime is running on this thread: Handle::current works inside \
             block_on; to use a runtime from another thread, pass that thread a Handle",
        )
    }
}

impl Error for TryCurrentError {}
