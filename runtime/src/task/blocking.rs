//! `spawn_blocking`: blocking work on a small, shared thread pool.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

use super::{spawn, JoinHandle};
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
/// pool thread could be started at all). [`abort`](JoinHandle::abort) and
/// dropping the handle only give up on the result: a closure that already
/// started runs to the end, since a thread cannot be stopped from outside.
///
/// # Panics
///
/// Panics if called outside a runtime, like [`spawn`].
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
    let (tx, rx) = oneshot::channel::<thread::Result<T>>();
    // Spawn first: outside a runtime this panics before any work is queued.
    let handle = spawn(async move {
        match rx.await {
            Ok(Ok(value)) => value,
            Ok(Err(payload)) => panic::resume_unwind(payload),
            Err(oneshot::Canceled) => {
                panic!("spawn_blocking: no pool thread could be started to run the closure")
            }
        }
    });
    pool().submit(Box::new(move || {
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        // The receiver is gone if the handle's task was aborted: fine.
        let _ = tx.send(result);
    }));
    handle
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
        state.threads += 1;
        let spawned = thread::Builder::new()
            .name("solo-blocking".into())
            .spawn(move || self.run());
        if let Err(e) = spawned {
            state.threads -= 1;
            log::error!("spawn_blocking: could not start a pool thread: {e}");
            if state.threads == 0 {
                state.queue.clear();
            }
        }
    }

    /// A pool thread's loop: run jobs until idle for `IDLE_TIMEOUT`.
    fn run(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                // Jobs catch their own panics (see `spawn_blocking`).
                job();
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
                state.threads -= 1;
                return;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Jobs run outside the lock, so a poisoned lock holds sound state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
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
