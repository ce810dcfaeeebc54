//! The executor: the slab of tasks, the FIFO ready queue, and the wakers.
//!
//! A task's future lives in the slab on the runtime's thread. Its waker is a
//! small `Arc<Header>` that is `Send + Sync`: woken on the runtime's own thread
//! it pushes onto the ready queue (no lock); woken from anywhere else it goes
//! through the injection queue and the reactor's `mio::Waker`.

use std::cell::{Cell as StdCell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use slab::Slab;

use crate::context;
use crate::task::raw::RawTask;
use crate::task::TaskId;

/// Slab key of the future given to `block_on`, which is not in the slab.
pub(crate) const MAIN_KEY: usize = usize::MAX;

/// Names one task: its slab key plus its unique id, so that a queued
/// reference to a task that has since finished (and whose key was reused)
/// is recognised and skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskRef {
    pub(crate) key: usize,
    pub(crate) id: TaskId,
}

/// The part of a runtime other threads may touch.
pub(crate) struct Shared {
    /// Tasks woken from other threads, waiting to join the ready queue.
    injected: Mutex<Vec<TaskRef>>,
    /// Set by the first remote wake since the runtime last drained
    /// `injected`; that wake also signals `waker`.
    notified: AtomicBool,
    /// Unblocks the reactor's `poll` from another thread.
    waker: mio::Waker,
    /// Set once the runtime is gone: remote wakes then do nothing.
    closed: AtomicBool,
    remote_wakes: AtomicU64,
}

impl Shared {
    pub(crate) fn new(waker: mio::Waker) -> Self {
        Shared {
            injected: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
            waker,
            closed: AtomicBool::new(false),
            remote_wakes: AtomicU64::new(0),
        }
    }
}

/// Wakes `task`: the body of every task waker. `queued` is the task's flag
/// that dedups wakes until it runs.
pub(crate) fn wake(queued: &AtomicBool, shared: &Arc<Shared>, task: TaskRef) {
    if queued.swap(true, Ordering::AcqRel) {
        return;
    }
    let local = context::with_current(|core| {
        if Arc::ptr_eq(&core.scheduler.shared, shared) {
            core.scheduler.push_local(task);
            true
        } else {
            false
        }
    });
    if local != Some(true) {
        wake_remote(shared, task);
    }
}

/// A wake from another thread (or from outside `block_on`): through the
/// injection queue, and the poller's waker if the runtime may be parked.
fn wake_remote(shared: &Shared, task: TaskRef) {
    if shared.closed.load(Ordering::Acquire) {
        return;
    }
    // A poisoned lock only means another waker panicked mid-push; the
    // vector itself is still sound.
    shared
        .injected
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(task);
    shared.remote_wakes.fetch_add(1, Ordering::Relaxed);
    if !shared.notified.swap(true, Ordering::AcqRel) {
        // Fails only if the runtime's poller is gone, and then there is
        // nobody to wake.
        let _ = shared.waker.wake();
    }
}

/// One task in the slab.
struct Slot {
    task: TaskRef,
    /// `None` while the task is being polled (taken out so that the task may
    /// spawn or join other tasks, and is never polled re-entrantly).
    raw: Option<RawTask>,
    join_waker: Option<Waker>,
    finished: bool,
    /// The `JoinHandle` was dropped: remove the slot as soon as it finishes.
    detached: bool,
    /// `abort()` was called: cancel at the next turn instead of polling.
    aborted: bool,
}

/// Counters of what the scheduler did, read by `Runtime::metrics`.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) spawned: StdCell<u64>,
    pub(crate) polls: StdCell<u64>,
    pub(crate) local_wakes: StdCell<u64>,
}

fn bump(c: &StdCell<u64>) {
    c.set(c.get().wrapping_add(1));
}

pub(crate) struct Scheduler {
    tasks: RefCell<Slab<Slot>>,
    ready: RefCell<VecDeque<TaskRef>>,
    pub(crate) shared: Arc<Shared>,
    next_id: StdCell<u64>,
    /// The task (or `block_on` future) being polled, for `task::id()`.
    pub(crate) current: StdCell<Option<TaskId>>,
    pub(crate) counters: Counters,
}

impl Scheduler {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Scheduler {
            tasks: RefCell::new(Slab::new()),
            ready: RefCell::new(VecDeque::new()),
            shared,
            next_id: StdCell::new(1),
            current: StdCell::new(None),
            counters: Counters::default(),
        }
    }

    pub(crate) fn next_task_id(&self) -> TaskId {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        TaskId::new(id)
    }

    /// A waker for the `block_on` future: waking it queues `MAIN_KEY`.
    pub(crate) fn main_task(&self, id: TaskId) -> RawTask {
        RawTask::waker_only(self.shared.clone(), TaskRef { key: MAIN_KEY, id })
    }

    /// The `block_on` future is about to be polled: wakes queue it again.
    pub(crate) fn main_polled(&self, main: &RawTask) {
        main.header().queued.store(false, Ordering::Release);
    }

    pub(crate) fn remote_wakes(&self) -> u64 {
        self.shared.remote_wakes.load(Ordering::Relaxed)
    }

    pub(crate) fn alive(&self) -> usize {
        self.tasks.borrow().len()
    }

    fn push_local(&self, task: TaskRef) {
        bump(&self.counters.local_wakes);
        self.ready.borrow_mut().push_back(task);
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.borrow().is_empty()
    }

    /// Moves remotely woken tasks onto the ready queue.
    pub(crate) fn drain_injected(&self) {
        if !self.shared.notified.swap(false, Ordering::AcqRel) {
            return;
        }
        let injected = std::mem::take(
            &mut *self
                .shared
                .injected
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        self.ready.borrow_mut().extend(injected);
    }

    /// Adds a task and queues it to run.
    pub(crate) fn spawn<F>(&self, future: F) -> (TaskRef, TaskId)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.next_task_id();
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let task = TaskRef {
            key: entry.key(),
            id,
        };
        entry.insert(Slot {
            task,
            raw: Some(RawTask::new(future, self.shared.clone(), task, true)),
            join_waker: None,
            finished: false,
            detached: false,
            aborted: false,
        });
        drop(tasks);
        bump(&self.counters.spawned);
        self.ready.borrow_mut().push_back(task);
        log::trace!("spawned task {id}");
        (task, id)
    }

    /// Runs ready tasks in FIFO order until the queue is empty, `budget`
    /// tasks have run, or the `block_on` future's turn comes. Returns how
    /// many ran, and whether the `block_on` future is next (the caller polls it).
    pub(crate) fn run_ready(&self, budget: usize) -> (usize, bool) {
        let mut ran = 0;
        while ran < budget {
            let Some(task) = self.ready.borrow_mut().pop_front() else {
                break;
            };
            if task.key == MAIN_KEY {
                return (ran, true);
            }
            self.run_task(task);
            ran += 1;
        }
        (ran, false)
    }

    fn run_task(&self, task: TaskRef) {
        let (raw, aborted) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(task.key).filter(|s| s.task == task) else {
                return; // a stale wake for a task that has finished
            };
            if slot.finished {
                return;
            }
            let Some(raw) = slot.raw.take() else {
                return;
            };
            raw.header().queued.store(false, Ordering::Release);
            (raw, slot.aborted)
        };

        let done = if aborted {
            raw.cancel();
            true
        } else {
            bump(&self.counters.polls);
            log::trace!("polling task {}", task.id);
            let waker = raw.waker();
            let mut cx = Context::from_waker(&waker);
            let previous = self.current.replace(Some(task.id));
            let poll = raw.poll(&mut cx);
            self.current.set(previous);
            poll.is_ready()
        };

        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_mut(task.key) else {
            return;
        };
        if !done {
            let requeue = slot.aborted && !raw.header().queued.swap(true, Ordering::AcqRel);
            slot.raw = Some(raw);
            drop(tasks);
            if requeue {
                self.push_local(task);
            }
            return;
        }
        slot.raw = Some(raw);
        slot.finished = true;
        log::trace!("task {} finished", task.id);
        if slot.detached {
            let slot = tasks.remove(task.key);
            drop(tasks);
            drop(slot); // the output's destructor may re-enter the scheduler
        } else if let Some(waker) = slot.join_waker.take() {
            drop(tasks);
            waker.wake();
        }
    }

    /// `JoinHandle::poll`: the output if the task finished, else registers
    /// `cx`'s waker. `None` means the task is gone (its runtime shut down).
    pub(crate) fn poll_join(
        &self,
        task: TaskRef,
        cx: &mut Context<'_>,
        out: &mut dyn std::any::Any,
    ) -> Poll<bool> {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_mut(task.key).filter(|s| s.task == task) else {
            return Poll::Ready(false);
        };
        if !slot.finished {
            match &mut slot.join_waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                w => *w = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        if let Some(raw) = &slot.raw {
            raw.take_output(out);
        }
        let slot = tasks.remove(task.key);
        drop(tasks);
        drop(slot);
        Poll::Ready(true)
    }

    /// The `JoinHandle` is gone: free a finished task now, else when it ends.
    pub(crate) fn detach(&self, task: TaskRef) {
        let Ok(mut tasks) = self.tasks.try_borrow_mut() else {
            return;
        };
        let Some(slot) = tasks.get_mut(task.key).filter(|s| s.task == task) else {
            return;
        };
        if slot.finished {
            let slot = tasks.remove(task.key);
            drop(tasks);
            drop(slot);
        } else {
            slot.detached = true;
            slot.join_waker = None;
        }
    }

    /// Marks a task for cancellation and queues it so the loop drops it.
    pub(crate) fn abort(&self, task: TaskRef) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_mut(task.key).filter(|s| s.task == task) else {
            return;
        };
        if slot.finished || slot.aborted {
            return;
        }
        slot.aborted = true;
        // A task aborting itself is not in its slot: `run_task` queues it
        // after its poll.
        let queue = slot
            .raw
            .as_ref()
            .is_some_and(|raw| !raw.header().queued.swap(true, Ordering::AcqRel));
        drop(tasks);
        if queue {
            self.push_local(task);
        }
    }

    pub(crate) fn is_finished(&self, task: TaskRef) -> bool {
        self.tasks
            .borrow()
            .get(task.key)
            .filter(|s| s.task == task)
            .is_none_or(|s| s.finished)
    }

    /// Drops every task, including those spawned by destructors meanwhile.
    /// Called with this runtime current, so destructors may use it.
    pub(crate) fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        loop {
            let slots: Vec<Slot> = self.tasks.borrow_mut().drain().collect();
            if slots.is_empty() {
                break;
            }
            log::debug!("shutdown: dropping {} tasks", slots.len());
            for mut slot in slots {
                // A destructor that panics must not stop the others from running.
                // `RawTask`'s drop catches a panicking destructor itself.
                drop(slot.raw.take());
            }
        }
        self.ready.borrow_mut().clear();
    }
}
