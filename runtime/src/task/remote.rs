//! [`RemoteJoinHandle`]: the handle of a task spawned from another thread
//! through a [`Handle`](crate::runtime::Handle).
//!
//! A task's own bookkeeping is single-threaded (`task/raw.rs`: that is
//! what makes a spawn cheap), so its [`JoinHandle`] is `!Send`. A remote
//! spawn therefore runs two tasks on the runtime's thread: the future
//! itself, and a small forwarder that awaits its `JoinHandle` and moves
//! the result into a shared slot under a lock, which the
//! `RemoteJoinHandle` reads from any thread.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::{AbortHandle, JoinError, JoinHandle, TaskId};
use crate::scheduler::{RemoteSpawn, Scheduler, Shared};

/// An owned permission to await a task spawned through
/// [`Handle::spawn`](crate::runtime::Handle::spawn): `Send` (when the
/// output is), and awaitable from any thread or runtime.
///
/// It is what [`JoinHandle`] is for a local spawn, with the same meaning:
/// awaiting it yields the task's output, or a [`JoinError`] if the task
/// panicked or was cancelled ([`abort`](Self::abort), or its runtime was
/// dropped before the task finished, or before it even started). Dropping
/// it detaches the task, which runs on.
///
/// solo's [`JoinHandle`] is `!Send`, unlike tokio's: a local task's
/// bookkeeping uses no atomics. Hence a type of its own here.
///
/// # Examples
///
/// ```
/// let rt = solo::Runtime::new().unwrap();
/// let handle = rt.handle();
/// // Another thread spawns onto the runtime; the handle it gets is `Send`.
/// let task = std::thread::spawn(move || handle.spawn(async { 6 * 7 }))
///     .join()
///     .unwrap();
/// // The task runs while the runtime runs `block_on`.
/// assert_eq!(rt.block_on(task).unwrap(), 42);
/// ```
pub struct RemoteJoinHandle<T> {
    slot: Arc<Slot<T>>,
    id: TaskId,
}

/// What the runtime's thread and the handle share.
struct Slot<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The task's result, until the handle takes it.
    output: Option<Result<T, JoinError>>,
    /// The handle took the output.
    joined: bool,
    /// The handle's waker, woken when `output` is set.
    waker: Option<Waker>,
    /// The task's abort handle, once it runs.
    abort: Option<AbortHandle>,
    /// `abort` was called (before the task started, it never will).
    abort_requested: bool,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Nothing that panics runs under this lock; should one anyway, the
        // state is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the result (the first one wins) and wakes the handle.
    fn complete(&self, result: Result<T, JoinError>) {
        let mut state = self.lock();
        if state.output.is_some() || state.joined {
            return;
        }
        state.output = Some(result);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Completes the slot with "cancelled" when dropped, unless defused: the
/// runtime dropped the spawn or the forwarder before the task finished.
struct CancelOnDrop<T> {
    slot: Option<Arc<Slot<T>>>,
    id: TaskId,
}

impl<T> CancelOnDrop<T> {
    fn complete(mut self, result: Result<T, JoinError>) {
        if let Some(slot) = self.slot.take() {
            slot.complete(result);
        }
    }
}

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            slot.complete(Err(JoinError::cancelled(self.id)));
        }
    }
}

/// Spawns `future` on the runtime whose shared part is `shared`, from any
/// thread; see [`Handle::spawn`](crate::runtime::Handle::spawn).
#[track_caller]
pub(crate) fn spawn<F>(shared: &Arc<Shared>, future: F) -> RemoteJoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let location = std::panic::Location::caller();
    let id = shared.remote_task_id();
    let slot = Arc::new(Slot {
        state: Mutex::new(State {
            output: None,
            joined: false,
            waker: None,
            abort: None,
            abort_requested: false,
        }),
    });
    let guard = CancelOnDrop {
        slot: Some(slot.clone()),
        id,
    };
    let spawn: RemoteSpawn = Box::new(move |scheduler: &Scheduler| {
        let Some(slot) = guard.slot.clone() else {
            return;
        };
        // Under the lock, so that `abort` either comes first (and the task
        // never starts) or finds the task's abort handle.
        let mut state = slot.lock();
        if state.abort_requested {
            return; // `guard` drops: cancelled
        }
        let task: JoinHandle<F::Output> =
            JoinHandle::from_raw(scheduler.spawn_with_id(future, id, location));
        state.abort = Some(task.abort_handle());
        drop(state);
        let forwarder = scheduler.spawn(
            async move {
                let result = task.await;
                guard.complete(result);
            },
            location,
        );
        // Detached: it finishes with the task, or drops with the runtime
        // (and then `guard` says "cancelled").
        drop(JoinHandle::<()>::from_raw(forwarder));
    });
    let on_our_thread = crate::context::with_current(|core| {
        Arc::ptr_eq(&core.scheduler.shared, shared).then(|| core.clone())
    })
    .flatten();
    match on_our_thread {
        // The runtime's own thread: spawn now, in order with `solo::spawn`.
        Some(core) => spawn(&core.scheduler),
        // The runtime is gone: `spawn` drops here, and the slot reads
        // "cancelled".
        None => drop(shared.spawn_remote(spawn)),
    }
    RemoteJoinHandle { slot, id }
}

impl<T> RemoteJoinHandle<T> {
    /// Cancels the task: it is dropped at its runtime's next turn (or never
    /// starts), and awaiting this handle then yields a cancelled
    /// [`JoinError`]. Does nothing once the task has finished. From any
    /// thread.
    pub fn abort(&self) {
        let abort = {
            let mut state = self.slot.lock();
            state.abort_requested = true;
            state.abort.clone()
        };
        match abort {
            Some(abort) => abort.abort(),
            // Not started yet: it never will (checked under the lock when
            // the runtime takes it). Say so now, so that a handle awaited
            // while that runtime is not running still returns.
            None => self.slot.complete(Err(JoinError::cancelled(self.id))),
        }
    }

    /// Whether the task has finished (completed, panicked or been
    /// cancelled), so that awaiting this handle returns at once.
    pub fn is_finished(&self) -> bool {
        let state = self.slot.lock();
        state.output.is_some() || state.joined
    }

    /// The task's id; [`solo::task::id`](crate::task::id) returns the same
    /// inside it.
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl<T> Future for RemoteJoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.slot.lock();
        if let Some(output) = state.output.take() {
            state.joined = true;
            return Poll::Ready(output);
        }
        if state.joined {
            panic!("RemoteJoinHandle polled after it completed");
        }
        match &mut state.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            w => *w = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Unpin for RemoteJoinHandle<T> {}

impl<T> fmt::Debug for RemoteJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJoinHandle")
            .field("id", &self.id)
            .finish()
    }
}
