//! `spawn_blocking`: blocking work on a small, shared thread pool.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

use super::JoinHandle;
use crate::context::{self, Core};
use crate::sync::oneshot;

/// At most this many pool threads run at once; more jobs wait in a queue.
const MAX_THREADS: usize = 16;
/// A pool thread with nothing to do for this long exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the blocking closure `f` on a pool thread, and returns a handle to
/// await its result from the runtime without blocking the runtime's thread.
///
/// Use it for work that blocks or computes for long: file reads, a DNS
/// lookup, compression. The pool is shared by every runtime in the process;
/// it starts threads on demand, up to 16 (further closures queue and run in
/// order as threads free up), and a thread idle for 10 seconds exits.
///
/// Awaiting the handle yields `Ok(f())`, or a [`JoinError`] for which
/// [`is_panic`](super::JoinError::is_panic) holds if `f` panicked (or if no
/// pool thread could be started at all).
///
/// [`abort`](JoinHandle::abort) (or the runtime shutting down) cancels a
/// closure still waiting in the queue: it never runs, and is dropped on a
/// pool thread when its turn comes. A closure that already started runs to
/// the end, since a thread cannot be stopped from outside; only its result
/// is given up. Dropping the handle gives up on the result only: the
/// closure runs, queued or not, as with a detached [`spawn`](super::spawn).
/// A result nobody awaits any more is dropped on the pool thread; a panic
/// there (or in `f`, or in dropping a panic's payload) is caught and goes
/// no further than the panic hook: the pool keeps all its threads.
///
/// # Panics
///
/// Panics if called outside a runtime, like [`spawn`](super::spawn).
///
/// ```
/// solo::block_on(async {
///     let handle = solo::task::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(10));
///         "done"
///     });
///     assert_eq!(handle.await.unwrap(), "done");
/// });
/// ```
///
/// [`JoinError`]: super::JoinError
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // First: outside a runtime this panics before any work is queued.
    let Some(core) = context::current() else {
        panic!(
            "solo::task::spawn_blocking called outside a runtime: call it from code \
             running inside solo::block_on (or Runtime::block_on)"
        )
    };
    let (tx, rx) = oneshot::channel::<thread::Result<T>>();
    let outstanding = Outstanding::new(core.clone());
    let location = std::panic::Location::caller();
    let handle = JoinHandle::spawn(
        &core,
        async move {
            // Counted until this task finishes or is dropped (aborted).
            let _outstanding = outstanding;
            match rx.await {
                Ok(Ok(value)) => value,
                Ok(Err(payload)) => panic::resume_unwind(payload),
                Err(oneshot::Canceled) => {
                    panic!("spawn_blocking: no pool thread could be started to run the closure")
                }
            }
        },
        location,
    );
    pool().submit(Box::new(move || {
        // The receiver is gone if the task was aborted (or its runtime shut
        // down) while the job was queued: nobody wants `f` to run any more.
        if tx.is_canceled() {
            return;
        }
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        // The receiver is gone if the handle's task was aborted: the result
        // is dropped here, and a panic in its destructor caught by the pool.
        let _ = tx.send(result);
    }));
    handle
}

/// One job in its runtime's `Core::blocking_jobs`, for as long as it lives.
struct Outstanding(Rc<Core>);

impl Outstanding {
    fn new(core: Rc<Core>) -> Outstanding {
        core.blocking_jobs.set(core.blocking_jobs.get() + 1);
        Outstanding(core)
    }
}

impl Drop for Outstanding {
    fn drop(&mut self) {
        let jobs = &self.0.blocking_jobs;
        jobs.set(jobs.get().saturating_sub(1));
    }
}

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    state: Mutex<State>,
    /// Signalled when a job is queued.
    work: Condvar,
}

struct State {
    queue: VecDeque<Job>,
    threads: usize,
    /// Threads waiting on `work`.
    idle: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            threads: 0,
            idle: 0,
        }),
        work: Condvar::new(),
    })
}

impl Pool {
    /// Queues `job`, waking an idle thread or starting one. If no thread
    /// exists and none can be started, the job is dropped (its handle then
    /// reports a panic) rather than left queued forever.
    fn submit(&'static self, job: Job) {
        let mut state = self.lock();
        state.queue.push_back(job);
        if state.idle >= state.queue.len() || state.threads >= MAX_THREADS {
            self.work.notify_one();
            return;
        }
        let dropped = self.start_thread(&mut state);
        // Dropping jobs runs their captures' destructors: not under the lock.
        drop(state);
        drop(dropped);
    }

    /// A pool thread's loop: run jobs until idle for `IDLE_TIMEOUT`.
    ///
    /// Never unwinds: a panic anywhere in a job (the closure, dropping its
    /// result or its captures, dropping a panic payload) is caught here, so
    /// the thread lives on and its slot in `threads` stays accounted for.
    fn run(&'static self) {
        // Frees this thread's slot if the loop unwinds after all.
        let mut slot = Slot {
            pool: self,
            held: true,
        };
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(job)) {
                    drop_payload(payload);
                }
                state = self.lock();
                continue;
            }
            state.idle += 1;
            let (guard, wait) = self
                .work
                .wait_timeout(state, IDLE_TIMEOUT)
                .unwrap_or_else(|e| e.into_inner());
            state = guard;
            state.idle -= 1;
            if wait.timed_out() && state.queue.is_empty() {
                // Under the lock that saw the queue empty: a job queued
                // from now on finds one thread fewer and starts its own.
                state.threads -= 1;
                slot.held = false;
                return;
            }
        }
    }

    /// Starts a pool thread for the queue, counting it in `threads`. If the
    /// system refuses and no thread is left to run the queue, takes the
    /// queue out, for the caller to drop once the lock is released (each
    /// handle then reports a panic) rather than leave it queued forever.
    fn start_thread(&'static self, state: &mut State) -> VecDeque<Job> {
        state.threads += 1;
        let spawned = thread::Builder::new()
            .name("solo-blocking".into())
            .spawn(move || self.run());
        match spawned {
            Ok(_) => VecDeque::new(),
            Err(e) => {
                state.threads -= 1;
                log::error!("spawn_blocking: could not start a pool thread: {e}");
                if state.threads == 0 {
                    std::mem::take(&mut state.queue)
                } else {
                    VecDeque::new()
                }
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Jobs run outside the lock, so a poisoned lock holds sound state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A pool thread's place in `State::threads`, while `held`.
struct Slot {
    pool: &'static Pool,
    held: bool,
}

impl Drop for Slot {
    /// Only reached with `held` if `Pool::run` unwinds, which it is built
    /// not to do: frees the slot, and starts a thread in this one's place
    /// if jobs wait and no idle thread will take them.
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let mut state = self.pool.lock();
        state.threads -= 1;
        let dropped = if !state.queue.is_empty() && state.idle < state.queue.len() {
            self.pool.start_thread(&mut state)
        } else {
            VecDeque::new()
        };
        drop(state);
        // Already unwinding: a second panic here would abort, so jobs that
        // could not run are forgotten, not dropped.
        std::mem::forget(dropped);
    }
}

/// Drops a caught panic's payload on a pool thread, and never unwinds. The
/// payload's destructor may panic too, and so may the destructor of that
/// second panic's payload: a third payload, if it comes to that, is leaked.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        if let Err(third) = panic::catch_unwind(AssertUnwindSafe(move || drop(again))) {
            std::mem::forget(third);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_jobs_run_on_at_most_max_threads() {
        use std::collections::HashSet;
        let names = crate::block_on(async {
            let handles: Vec<_> = (0..40)
                .map(|_| {
                    spawn_blocking(|| {
                        thread::sleep(Duration::from_millis(5));
                        thread::current().id()
                    })
                })
                .collect();
            let mut ids = HashSet::new();
            for h in handles {
                ids.insert(h.await.unwrap());
            }
            ids
        });
        assert!(
            !names.is_empty() && names.len() <= MAX_THREADS,
            "{}",
            names.len()
        );
        assert!(pool().lock().threads <= MAX_THREADS);
    }
}
