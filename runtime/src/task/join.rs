//! `JoinHandle` and `JoinError`.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::raw::{HeaderRef, RawTask};
use super::TaskId;
use crate::context::{self, Core};
use crate::scheduler::Shared;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was cancelled (by [`abort`](Self::abort), or because its runtime shut
/// down first). Dropping the handle detaches the task: it keeps running and
/// its output is dropped when it finishes.
///
/// A `JoinHandle` must be awaited inside the runtime that spawned its task;
/// polling it anywhere else panics (the task could never make progress there).
pub struct JoinHandle<T> {
    /// Shares the task's allocation: its output waits there.
    raw: RawTask,
    _output: PhantomData<T>,
}

impl<T: 'static> JoinHandle<T> {
    pub(crate) fn spawn<F>(core: &Core, future: F, location: &'static Location<'static>) -> Self
    where
        F: Future<Output = T> + 'static,
    {
        JoinHandle {
            raw: core.scheduler.spawn(future, location),
            _output: PhantomData,
        }
    }
}

impl<T> JoinHandle<T> {
    /// The handle of a task spawned by [`Scheduler::spawn`] whose output is
    /// a `T`.
    ///
    /// [`Scheduler::spawn`]: crate::scheduler::Scheduler::spawn
    /// The task it shares.
    pub(crate) fn raw(&self) -> &RawTask {
        &self.raw
    }

    pub(crate) fn from_raw(raw: RawTask) -> Self {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Cancels the task: it is dropped at the runtime's next turn, without
    /// being polled again, and awaiting this handle then yields a
    /// cancelled [`JoinError`]. Does nothing if the task already finished.
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.is_finished()
    }

    /// A handle that can abort the task from any thread, without the right
    /// to its output.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            header: self.raw.header_ref(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.header().id
    }

    /// Keeps `waker` to wake when the task finishes, as a poll of this
    /// handle would, without polling it: a [`JoinSet`](super::JoinSet)
    /// gives each task a waker that names its entry.
    pub(crate) fn set_join_waker(&self, waker: &Waker) {
        self.raw.set_join_waker(waker);
    }

    /// The runtime that spawned the task: the only one that can run it.
    pub(crate) fn home(&self) -> &Arc<Shared> {
        &self.raw.header().shared
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    // Inlined into the awaiting future, as the compiler chose to before
    // unrelated changes tipped its budget: an outlined call costs the
    // spawn row about 1 % of its instructions.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let raw = &self.raw;
        if raw.is_joined() {
            panic!("JoinHandle polled after it completed");
        }
        if !raw.is_finished() {
            let home = &raw.header().shared;
            let at_home = context::with_current(|core| Arc::ptr_eq(&core.scheduler.shared, home));
            if at_home != Some(true) {
                panic!(
                    "JoinHandle awaited outside the runtime that spawned task {}: \
                     that task can only run inside its own runtime's block_on",
                    raw.header().id
                );
            }
            raw.set_join_waker(cx.waker());
            return Poll::Pending;
        }
        if super::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        super::coop::spend();
        let mut out: Option<Result<T, JoinError>> = None;
        raw.take_output(&mut out as &mut dyn Any);
        Poll::Ready(out.unwrap_or_else(|| Err(JoinError::cancelled(raw.header().id))))
    }
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

/// Aborts a task, from any thread; from [`JoinHandle::abort_handle`].
///
/// Unlike a [`JoinHandle`] it is `Send + Sync` and has no right to the
/// task's output. [`abort`](Self::abort) may be called on any thread: the
/// task stops at its next turn on its runtime's thread, where its future is
/// dropped without being polled again, and its `JoinHandle` then yields a
/// cancelled [`JoinError`]. Dropping an `AbortHandle` does nothing to the
/// task.
///
/// ```
/// use std::time::Duration;
///
/// solo::block_on(async {
///     let task = solo::spawn(solo::time::sleep(Duration::from_secs(3600)));
///     let abort = task.abort_handle();
///     std::thread::spawn(move || abort.abort()).join().unwrap();
///     assert!(task.await.unwrap_err().is_cancelled());
/// });
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    header: HeaderRef,
}

impl AbortHandle {
    /// Cancels the task, as [`JoinHandle::abort`] does; from any thread.
    /// Does nothing if the task has finished. If its runtime is gone, there
    /// is nothing left to stop.
    pub fn abort(&self) {
        self.header.header().abort();
    }

    /// Whether the task has finished (completed, panicked or been
    /// cancelled). An aborted task counts as finished once its runtime has
    /// dropped it, at its next turn.
    pub fn is_finished(&self) -> bool {
        self.header.header().is_finished()
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.header.header().id
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}

/// Why a task produced no output.
pub struct JoinError {
    id: TaskId,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    pub(crate) fn cancelled(id: TaskId) -> Self {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: TaskId, payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError {
            id,
            repr: Repr::Panic(payload),
        }
    }

    /// The task was cancelled: aborted, or dropped when its runtime shut down.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload, to re-raise with [`std::panic::resume_unwind`].
    ///
    /// # Panics
    ///
    /// Panics if the task did not panic; see [`try_into_panic`](Self::try_into_panic).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .unwrap_or_else(|_| panic!("JoinError::into_panic called on a cancelled task"))
    }

    /// The panic's payload, or the error back if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(p) => Ok(p),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> TaskId {
        self.id
    }

    fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            Repr::Panic(p) => p
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str)),
            Repr::Cancelled => None,
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "task {} was cancelled", self.id),
            (Repr::Panic(_), Some(msg)) => {
                write!(f, "task {} panicked with message {msg:?}", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "JoinError::Cancelled({})", self.id),
            (Repr::Panic(_), Some(msg)) => write!(f, "JoinError::Panic({}, {msg:?})", self.id),
            (Repr::Panic(_), None) => write!(f, "JoinError::Panic({}, ..)", self.id),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(e: JoinError) -> Self {
        std::io::Error::other(e.to_string())
    }
}
