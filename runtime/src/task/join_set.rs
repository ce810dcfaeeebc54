//! `JoinSet`: a collection of tasks, joined in the order they finish.
//!
//! Finding the next finished task costs O(1), whatever the set's size: each
//! entry's task gets, as its join waker, a small waker that names the entry
//! and pushes its key onto the set's ready list (then wakes whoever awaits
//! the set). The set pops keys from that list; it never scans its entries.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic;
use std::pin::Pin;
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use slab::Slab;

use super::{coop, AbortHandle, JoinError, JoinHandle, TaskId};
use crate::context;
use crate::scheduler::Shared;

/// A collection of tasks spawned on the runtime, whose results come back in
/// the order the tasks finish: tokio's `JoinSet`.
///
/// [`spawn`](Self::spawn) (or [`spawn_blocking`](Self::spawn_blocking))
/// adds a task; [`join_next`](Self::join_next) waits for the next one to
/// finish and yields its result, `Ok(output)` or a [`JoinError`] if it
/// panicked or was cancelled, and `None` once the set is empty. All the
/// tasks' outputs have the same type `T`.
///
/// Dropping a `JoinSet` aborts every task still in it, as
/// [`abort_all`](Self::abort_all) does: each is dropped at the runtime's
/// next turn, without being polled again. [`detach_all`](Self::detach_all)
/// lets them run on instead.
///
/// A `JoinSet` is also a [`Stream`] of the same results as `join_next`,
/// ending when the set is empty.
///
/// Like a [`JoinHandle`], a `JoinSet` belongs to the runtime whose thread
/// spawned its tasks, and is awaited there: waiting for a task anywhere
/// else panics, as that task could never make progress.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use solo::task::JoinSet;
///
/// solo::block_on(async {
///     let mut set = JoinSet::new();
///     for ms in [30, 10, 20] {
///         set.spawn(async move {
///             solo::time::sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut done = Vec::new();
///     while let Some(result) = set.join_next().await {
///         done.push(result.unwrap());
///     }
///     assert_eq!(done, [10, 20, 30]); // in the order they finished
///     assert!(set.is_empty());
/// });
/// ```
pub struct JoinSet<T> {
    /// The tasks spawned and not yet joined (nor detached).
    entries: Slab<JoinHandle<T>>,
    /// `wakers[k]` is the join waker of the task at key `k`. It outlives its
    /// task and serves the next task at `k`, so spawning allocates no waker
    /// once the set has held that many tasks at once.
    wakers: Vec<Waker>,
    /// Keys of entries whose task finished: the order of `join_next`.
    ready: Arc<Ready>,
    /// The runtime that spawned the latest task, the only one that can run
    /// it (weak: a set keeps no runtime's resources alive).
    home: Weak<Shared>,
}

/// The keys of finished tasks, pushed by their wakers from any thread.
///
/// A key may be stale: its entry was detached (its task still holds the
/// waker) and the key reused, or a detached task finished later. A popped
/// key therefore counts only if its entry exists and its task has finished;
/// each task pushes its key once it has finished, so no finished entry is
/// missed.
struct Ready {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    keys: VecDeque<usize>,
    /// Whoever awaits the set: woken (once) by the next push.
    waker: Option<Waker>,
}

impl Ready {
    fn lock(&self) -> MutexGuard<'_, ReadyState> {
        // Nothing panics while the lock is held; a poisoned lock is sound.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, key: usize) {
        let waker = {
            let mut state = self.lock();
            state.keys.push_back(key);
            state.waker.take()
        };
        // Outside the lock: the waker may run anything.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Puts back a key popped but not joined, to be joined first.
    fn push_front(&self, key: usize) {
        self.lock().keys.push_front(key);
    }

    /// The next key; or, if there is none and `waker` is given, `None`
    /// after registering `waker` for the next push (under the same lock, so
    /// no push falls in between).
    fn pop(&self, waker: Option<&Waker>) -> Option<usize> {
        let mut state = self.lock();
        let key = state.keys.pop_front();
        if let (None, Some(waker)) = (key, waker) {
            match &state.waker {
                Some(w) if w.will_wake(waker) => {}
                _ => state.waker = Some(waker.clone()),
            }
        }
        key
    }
}

/// The join waker of the task at one key of a set.
struct EntryWaker {
    key: usize,
    ready: Arc<Ready>,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.push(self.key);
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        JoinSet {
            entries: Slab::new(),
            wakers: Vec::new(),
            ready: Arc::new(Ready {
                state: Mutex::new(ReadyState {
                    keys: VecDeque::new(),
                    waker: None,
                }),
            }),
            home: Weak::new(),
        }
    }

    /// How many tasks are in the set: spawned and not yet joined, whether
    /// they have finished or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Aborts every task in the set, as [`JoinHandle::abort`] does: each is
    /// dropped at the runtime's next turn without being polled again. The
    /// tasks stay in the set: joining them yields a cancelled [`JoinError`]
    /// for those that had not finished, and their result for those that had.
    pub fn abort_all(&mut self) {
        for (_, handle) in &self.entries {
            handle.abort();
        }
    }

    /// Removes every task from the set without aborting it: each keeps
    /// running, as after dropping its [`JoinHandle`], and its output is
    /// dropped when it finishes. The set is then empty.
    pub fn detach_all(&mut self) {
        self.entries.clear();
        self.ready.lock().keys.clear();
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns `future` as a task in this set, as [`spawn`](super::spawn)
    /// does, and returns a handle that can abort it.
    ///
    /// # Panics
    ///
    /// Panics if called outside a runtime, like [`spawn`](super::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::spawn(future))
    }

    /// Runs the blocking closure `f` on the blocking pool, as
    /// [`spawn_blocking`](super::spawn_blocking) does, with its result
    /// joined through this set. Aborting it cancels `f` only while it waits
    /// in the pool's queue; once started, it runs to the end.
    ///
    /// # Panics
    ///
    /// Panics if called outside a runtime, like
    /// [`spawn_blocking`](super::spawn_blocking).
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(super::spawn_blocking(f))
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let entry = self.entries.vacant_entry();
        let key = entry.key();
        while self.wakers.len() <= key {
            let waker = Arc::new(EntryWaker {
                key: self.wakers.len(),
                ready: self.ready.clone(),
            });
            self.wakers.push(Waker::from(waker));
        }
        handle.set_join_waker(&self.wakers[key]);
        if self.home.as_ptr() != Arc::as_ptr(handle.home()) {
            self.home = Arc::downgrade(handle.home());
        }
        entry.insert(handle);
        abort
    }

    /// Waits for the next task of the set to finish and yields its result:
    /// `Ok(output)`, or a [`JoinError`] if it panicked or was cancelled.
    /// Results come in the order the tasks finished. `None` if the set is
    /// empty. The task leaves the set.
    ///
    /// Cancel-safe: if this future is dropped before it completes, no
    /// result is lost; the task stays in the set.
    ///
    /// Like awaiting a [`JoinHandle`], taking a result spends one unit of
    /// the cooperative [budget](super::consume_budget).
    ///
    /// # Panics
    ///
    /// Panics if it has to wait outside the runtime that spawned the tasks
    /// (they could never finish), as awaiting a [`JoinHandle`] there does.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// As [`join_next`](Self::join_next), with the finished task's id next
    /// to its output (a [`JoinError`] carries it too).
    pub async fn join_next_with_id(&mut self) -> Option<Result<(TaskId, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// Polls for the next finished task: `Ready(Some(result))` as
    /// [`join_next`](Self::join_next) yields it, `Ready(None)` if the set is
    /// empty, or `Pending` (and `cx`'s waker is woken when a task finishes).
    ///
    /// # Panics
    ///
    /// Panics where `join_next` does: if it would return `Pending` outside
    /// the runtime that spawned the tasks.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|next| next.map(|result| result.map(|(_, output)| output)))
    }

    /// As [`poll_join_next`](Self::poll_join_next), with the task's id.
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(TaskId, T), JoinError>>> {
        if self.entries.is_empty() {
            return Poll::Ready(None);
        }
        while let Some(key) = self.ready.pop(Some(cx.waker())) {
            let Some(handle) = self.finished(key) else {
                continue;
            };
            let id = handle.id();
            // Ready, unless the cooperative budget is spent: then `cx` was
            // woken, and the key goes back to be joined first next time.
            match Pin::new(handle).poll(cx) {
                Poll::Ready(result) => {
                    self.entries.remove(key);
                    return Poll::Ready(Some(result.map(|output| (id, output))));
                }
                Poll::Pending => {
                    self.ready.push_front(key);
                    return Poll::Pending;
                }
            }
        }
        self.assert_at_home();
        Poll::Pending
    }

    /// About to wait for a task: panics, as a [`JoinHandle`] does, unless
    /// this thread runs the tasks' runtime, as it would otherwise wait
    /// forever. (A set moved on to a later runtime holds only finished
    /// tasks of the earlier one: its shutdown cancelled them.)
    fn assert_at_home(&self) {
        let home = self.home.as_ptr();
        let at_home =
            context::with_current(|core| ptr::eq(Arc::as_ptr(&core.scheduler.shared), home));
        if at_home != Some(true) {
            panic!(
                "JoinSet awaited outside the runtime that spawned its tasks: \
                 they can only run inside their own runtime's block_on"
            );
        }
    }

    /// The result of a task that has already finished, without waiting:
    /// `None` if no task in the set has finished (or the set is empty).
    /// Results come in the order the tasks finished. Unlike
    /// [`join_next`](Self::join_next), it ignores the cooperative budget.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|result| result.map(|(_, output)| output))
    }

    /// As [`try_join_next`](Self::try_join_next), with the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(TaskId, T), JoinError>> {
        let mut cx = Context::from_waker(futures_task::noop_waker_ref());
        while let Some(key) = self.ready.pop(None) {
            let Some(handle) = self.finished(key) else {
                continue;
            };
            let id = handle.id();
            match coop::unconstrained_poll(|| Pin::new(handle).poll(&mut cx)) {
                Poll::Ready(result) => {
                    self.entries.remove(key);
                    return Some(result.map(|output| (id, output)));
                }
                // Unconstrained, a finished task is always ready.
                Poll::Pending => {
                    self.ready.push_front(key);
                    return None;
                }
            }
        }
        None
    }

    /// The entry at `key`, if it exists and its task has finished (a key
    /// from the ready list may be stale: see [`Ready`]).
    fn finished(&mut self, key: usize) -> Option<&mut JoinHandle<T>> {
        self.entries.get_mut(key).filter(|h| h.is_finished())
    }

    /// Aborts every task, then waits until each has finished (cancelled,
    /// or finished meanwhile), dropping their results, panics included.
    /// The set is then empty.
    ///
    /// Unlike dropping the set, which only asks the tasks to stop, this
    /// returns once every task has been dropped.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs, in the order the
    /// tasks finished (not the order they were spawned). A convenience for
    /// [`join_next`](Self::join_next) in a loop.
    ///
    /// # Panics
    ///
    /// If a task failed, this panics, and the tasks left in the set are
    /// aborted as the set is dropped: a task that panicked has its panic
    /// resumed (with its payload); a cancelled task's [`JoinError`] is the
    /// panic message. To handle errors otherwise, call `join_next` in a
    /// loop.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(e) if e.is_panic() => panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("{e}"),
            }
        }
        outputs
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts every task still in the set (see [`JoinSet::abort_all`]).
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

/// The results of the set's tasks, in the order they finish, as
/// [`JoinSet::join_next`] yields them; the stream ends when the set is
/// empty (and yields more if tasks are spawned into it afterwards).
impl<T: 'static> Stream for JoinSet<T> {
    type Item = Result<T, JoinError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_join_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }
}

/// Spawns each future as a task of the new set, as [`JoinSet::spawn`] does.
///
/// # Panics
///
/// Panics if called outside a runtime, like [`spawn`](super::spawn).
impl<F> FromIterator<F> for JoinSet<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

/// Spawns each future as a task of the set, as [`JoinSet::spawn`] does.
///
/// # Panics
///
/// Panics if called outside a runtime, like [`spawn`](super::spawn).
impl<F> Extend<F> for JoinSet<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for future in iter {
            self.spawn(future);
        }
    }
}
