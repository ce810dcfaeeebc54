//! The task allocation's life at its edges: the last reference a `Waker`,
//! dropped after every `RawTask`, on the runtime's thread or another one;
//! a `JoinHandle` reading an aborted or finished task.
//!
//! Meant for Miri, which catches what a plain run cannot see here: a use
//! after free, a double free, a leak, a data race on the free (the `Acquire`
//! fence in `release`):
//! `cargo +nightly miri test -p solo --lib task::raw` (run by `.ci/run`).
//! Under a plain `cargo test` they still check what is observable: which
//! drops have run, and how many task allocations are alive.
//!
//! No stand-in for the runtime is needed: Miri runs epoll and the eventfd
//! behind `mio::Waker`; the one call it lacks, `timerfd_create`, is skipped
//! under `cfg(miri)` in `reactor/timerfd.rs` (poll's own timeout is the
//! fallback there anyway).
//!
//! Every task header holds an `Arc<Shared>`, and once the runtime is gone
//! nothing else does: so the strong count of its `Shared` counts the task
//! allocations still alive.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Poll, Waker};

use crate::context;
use crate::scheduler::Shared;
use crate::task::yield_now;
use crate::Runtime;

/// The running runtime's `Shared`, to count the task allocations that
/// outlive the runtime.
fn current_shared() -> Weak<Shared> {
    context::with_current(|core| Arc::downgrade(&core.scheduler.shared))
        .expect("called inside block_on")
}

/// Spawns a task that keeps `alive` until it is dropped, hands out a clone
/// of its waker, and never completes. Returns once the task has been polled
/// (so its waker is out) with that waker and the runtime's `Shared`.
fn spawn_pending_task(rt: &Runtime, alive: &Rc<()>) -> (Waker, Weak<Shared>) {
    let alive = alive.clone();
    let slot: Rc<RefCell<Option<Waker>>> = Rc::default();
    let out = slot.clone();
    let handle = rt.spawn(poll_fn(move |cx| {
        let _keep = &alive;
        *out.borrow_mut() = Some(cx.waker().clone());
        Poll::<()>::Pending
    }));
    let shared = rt.block_on(async {
        while slot.borrow().is_none() {
            yield_now().await;
        }
        current_shared()
    });
    drop(handle); // detached: the scheduler's `RawTask` is the last owner
    let waker = slot.take().expect("the task was polled");
    (waker, shared)
}

#[test]
fn the_last_waker_outliving_every_handle_frees_the_task() {
    let alive = Rc::new(());
    let rt = Runtime::new().unwrap();
    let (waker, shared) = spawn_pending_task(&rt, &alive);
    let extra = waker.clone();

    drop(rt);
    assert_eq!(
        Rc::strong_count(&alive),
        1,
        "the future outlived its last owner (rule 2: it must not wait for the wakers)"
    );
    assert_eq!(shared.strong_count(), 1, "the wakers keep one allocation");

    drop(waker);
    assert_eq!(shared.strong_count(), 1, "freed while a waker remains");
    extra.wake_by_ref(); // after shutdown: nothing to do, nothing to touch
    drop(extra);
    assert_eq!(
        shared.strong_count(),
        0,
        "the last waker did not free the task"
    );
}

#[test]
fn a_waker_woken_and_dropped_on_another_thread_after_shutdown_frees_the_task() {
    let alive = Rc::new(());
    let rt = Runtime::new().unwrap();
    let (waker, shared) = spawn_pending_task(&rt, &alive);

    // The thread starts before shutdown and waits for it through a relaxed
    // flag, which orders nothing: only `release`'s `Release` decrement and
    // `Acquire` fence order the runtime thread's last writes to the task
    // (dropping its future) before the other thread frees it. Miri reports
    // a data race if they do not.
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let remote = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            std::thread::yield_now();
        }
        waker.wake_by_ref();
        waker.wake(); // gives up the last reference: frees the task here
    });

    drop(rt);
    assert_eq!(
        Rc::strong_count(&alive),
        1,
        "shutdown did not drop the future"
    );
    shut_down.store(true, Ordering::Relaxed);
    remote.join().expect("a wake after shutdown panicked");
    assert_eq!(
        shared.strong_count(),
        0,
        "the remote waker did not free the task"
    );
}

#[test]
fn joining_an_aborted_pending_task_yields_a_cancelled_error() {
    let alive = Rc::new(());
    let keep = alive.clone();
    crate::block_on(async {
        let handle = crate::spawn(async move {
            let _keep = keep;
            std::future::pending::<String>().await
        });
        let id = handle.id();
        yield_now().await; // the task runs, and pends
        assert!(!handle.is_finished());
        assert_eq!(Rc::strong_count(&alive), 2);

        handle.abort();
        yield_now().await; // the runtime's next turn drops it
        assert!(handle.is_finished(), "abort left the task running");
        let err = handle.await.expect_err("an aborted task produced output");
        assert!(err.is_cancelled(), "{err:?} is not a cancellation");
        assert_eq!(err.id(), id);
        assert_eq!(
            Rc::strong_count(&alive),
            1,
            "the aborted future was not dropped"
        );
    });
}

#[test]
fn aborting_a_finished_task_does_nothing() {
    crate::block_on(async {
        let mut handle = crate::spawn(async { String::from("done") });
        while !handle.is_finished() {
            yield_now().await;
        }

        handle.abort();
        assert!(handle.is_finished());
        let output = (&mut handle).await;
        assert_eq!(
            output.expect("abort discarded a finished task's output"),
            "done"
        );

        handle.abort(); // and once its output is taken
        drop(handle);
    });
}

#[test]
fn an_abort_handle_dropped_last_on_another_thread_frees_the_task() {
    let alive = Rc::new(());
    let rt = Runtime::new().unwrap();
    let task = rt.spawn(std::future::pending::<()>());
    let abort = task.abort_handle();
    let shared = rt.block_on(async {
        yield_now().await;
        current_shared()
    });
    drop(task);
    let (waker, _) = spawn_pending_task(&rt, &alive);
    drop(waker);
    drop(rt);
    assert_eq!(
        shared.strong_count(),
        1,
        "only the abort handle's task is left"
    );
    std::thread::spawn(move || {
        assert!(abort.is_finished());
        abort.abort();
        drop(abort);
    })
    .join()
    .unwrap();
    assert_eq!(
        shared.strong_count(),
        0,
        "the abort handle did not free its task"
    );
}
