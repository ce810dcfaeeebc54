//! Spawning, joining, panics, aborts and shutdown.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use solo::task::{self, yield_now};
use solo::time::sleep;
use solo::Runtime;
use solo_tests::{Counted, DropCounter};

#[test]
fn spawned_tasks_may_hold_rc_and_refcell() {
    let total = solo::block_on(async {
        let shared = Rc::new(RefCell::new(0));
        let handles: Vec<_> = (1..=10)
            .map(|i| {
                let shared = shared.clone();
                solo::spawn(async move {
                    yield_now().await;
                    *shared.borrow_mut() += i;
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        let total = *shared.borrow();
        total
    });
    assert_eq!(total, 55);
}

#[test]
fn yield_now_interleaves_two_tasks_exactly() {
    let lines = solo::block_on(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let spawn_logger = |name: &'static str| {
            let log = log.clone();
            solo::spawn(async move {
                for i in 0..4 {
                    log.borrow_mut().push(format!("{name}{i}"));
                    yield_now().await;
                }
            })
        };
        let a = spawn_logger("a");
        let b = spawn_logger("b");
        a.await.unwrap();
        b.await.unwrap();
        log.take()
    });
    assert_eq!(lines, ["a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3"]);
}

#[solo::test]
async fn a_panicking_task_yields_a_join_error_and_others_go_on() {
    let bad = solo::spawn(async {
        yield_now().await;
        panic!("boom");
    });
    let good = solo::spawn(async {
        yield_now().await;
        yield_now().await;
        "fine"
    });
    let err = bad.await.unwrap_err();
    assert!(err.is_panic() && !err.is_cancelled());
    assert!(err.to_string().contains("boom"), "{err}");
    assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
    assert_eq!(good.await.unwrap(), "fine");
}

#[test]
fn a_panic_in_the_block_on_future_propagates() {
    let caught = std::panic::catch_unwind(|| {
        solo::block_on(async {
            solo::spawn(async { sleep(Duration::from_secs(60)).await });
            yield_now().await;
            panic!("main panicked");
        })
    });
    let payload = caught.unwrap_err();
    assert_eq!(*payload.downcast::<&str>().unwrap(), "main panicked");
    // The thread is usable again: no runtime is left "current".
    assert_eq!(solo::block_on(async { 1 }), 1);
}

#[solo::test]
async fn abort_cancels_a_pending_task_and_runs_its_destructor() {
    let dropped = DropCounter::new();
    let flag = dropped.counted();
    let task = solo::spawn(async move {
        let _flag = flag;
        sleep(Duration::from_secs(3600)).await;
    });
    yield_now().await;
    assert!(!task.is_finished());
    task.abort();
    let err = task.await.unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert_eq!(dropped.get(), 1);
}

#[solo::test]
async fn abort_after_completion_keeps_the_output() {
    let task = solo::spawn(async { 5 });
    yield_now().await;
    assert!(task.is_finished());
    task.abort();
    assert_eq!(task.await.unwrap(), 5);
}

#[test]
fn a_dropped_join_handle_detaches_the_task() {
    let done = Rc::new(RefCell::new(false));
    let d = done.clone();
    // A paused clock: the task's 10 ms sleep ends before the 50 ms one
    // however slowly the task first runs (under valgrind, on a loaded
    // machine, the real clock once let the 50 ms end first).
    let rt = solo::Builder::new().start_paused(true).build().unwrap();
    rt.block_on(async move {
        drop(solo::spawn(async move {
            sleep(Duration::from_millis(10)).await;
            *d.borrow_mut() = true;
        }));
        sleep(Duration::from_millis(50)).await;
    });
    assert!(*done.borrow(), "a detached task must keep running");
    assert_eq!(
        rt.metrics().tasks_alive,
        0,
        "a finished detached task is freed"
    );
}

#[test]
fn dropping_the_runtime_drops_pending_tasks() {
    let drops = DropCounter::new();
    let d = drops.clone();
    solo::block_on(async move {
        for _ in 0..10 {
            let c = d.counted();
            solo::spawn(async move {
                let _c = c;
                sleep(Duration::from_secs(3600)).await;
            });
        }
        yield_now().await;
    });
    assert_eq!(drops.get(), 10);
}

#[test]
fn destructors_that_spawn_during_shutdown_do_not_panic() {
    /// Spawns a task (holding a `Counted`) when dropped, then counts itself.
    struct SpawnOnDrop(Counted);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let c = self.0.counter().counted();
            drop(solo::spawn(async move {
                let _c = c;
                sleep(Duration::from_secs(1)).await
            }));
        }
    }
    let drops = DropCounter::new();
    let d = drops.clone();
    solo::block_on(async move {
        for _ in 0..3 {
            let s = SpawnOnDrop(d.counted());
            solo::spawn(async move {
                let _s = s;
                sleep(Duration::from_secs(3600)).await;
            });
        }
        yield_now().await;
    });
    // The 3 tasks' destructors ran, and so did those of the 3 tasks they
    // spawned during shutdown (dropped unrun, not leaked).
    assert_eq!(drops.get(), 3 + 3);
}

#[test]
fn join_handle_of_a_task_dropped_at_shutdown_is_cancelled() {
    let rt = Runtime::new().unwrap();
    let task = rt.spawn(async { sleep(Duration::from_secs(3600)).await });
    drop(rt);
    // The handle outlives its runtime: it reports, and awaiting it (with any
    // executor) says "cancelled" instead of hanging.
    assert!(task.is_finished());
    let err = futures_lite::future::block_on(task).unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
}

#[test]
fn task_ids_are_distinct_and_visible_inside_the_task() {
    solo::block_on(async {
        let a = solo::spawn(async { task::id() });
        let b = solo::spawn(async { task::id() });
        let (ida, idb) = (a.id(), b.id());
        assert_ne!(ida, idb);
        assert_eq!(a.await.unwrap(), ida);
        assert_eq!(b.await.unwrap(), idb);
        assert!(task::try_id().is_some(), "block_on's future has an id too");
    });
    assert!(task::try_id().is_none());
}

#[test]
fn runtime_spawn_queues_tasks_for_the_next_block_on() {
    let rt = Runtime::new().unwrap();
    let a = rt.spawn(async { 1 });
    let b = rt.spawn(async {
        sleep(Duration::from_millis(5)).await;
        2
    });
    let sum = rt.block_on(async move { a.await.unwrap() + b.await.unwrap() });
    assert_eq!(sum, 3);
    // Tasks spawned in one block_on keep running in the next.
    let spawn_sleeper = || {
        solo::spawn(async {
            sleep(Duration::from_millis(5)).await;
            3
        })
    };
    let c = rt.block_on(async { Some(spawn_sleeper()) }).unwrap();
    assert_eq!(rt.block_on(c).unwrap(), 3);
}

#[test]
fn a_task_woken_twice_before_it_runs_is_polled_once() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let waker = Rc::new(RefCell::new(None));
        let polls = Rc::new(RefCell::new(0));
        let (w, p) = (waker.clone(), polls.clone());
        // Never completes: counts its polls and keeps its waker.
        let task = solo::spawn(std::future::poll_fn(move |cx| {
            *p.borrow_mut() += 1;
            *w.borrow_mut() = Some(cx.waker().clone());
            std::task::Poll::<()>::Pending
        }));
        yield_now().await;
        assert_eq!(*polls.borrow(), 1);
        let waker = waker.borrow_mut().take().unwrap();
        waker.wake_by_ref();
        waker.wake_by_ref();
        waker.wake_by_ref();
        for _ in 0..3 {
            yield_now().await;
        }
        assert_eq!(
            *polls.borrow(),
            2,
            "three wakes before it ran must poll it once"
        );
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        // Waking a finished task is harmless.
        waker.wake();
        yield_now().await;
    });
}

/// Records `task::try_id()` as its destructor sees it.
struct RecordIdOnDrop(Rc<RefCell<Option<Option<task::TaskId>>>>);

impl Drop for RecordIdOnDrop {
    fn drop(&mut self) {
        *self.0.borrow_mut() = Some(task::try_id());
    }
}

fn block_on_that_panics(rt: &Runtime) {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main panicked") })
    }));
    assert!(caught.is_err(), "block_on must propagate the panic");
}

#[test]
fn a_panic_in_block_on_leaves_no_task_id_for_destructors_at_shutdown() {
    let rt = Runtime::new().unwrap();
    block_on_that_panics(&rt);
    let seen = Rc::new(RefCell::new(None));
    let record = RecordIdOnDrop(seen.clone());
    let task = rt.spawn(async move {
        let _record = record;
        std::future::pending::<()>().await
    });
    rt.block_on(yield_now()); // the task starts, then waits for good
    drop(task);
    drop(rt); // drops the task, outside any poll
    assert_eq!(
        *seen.borrow(),
        Some(None),
        "a destructor run at shutdown saw the panicked block_on's task id"
    );
}

#[test]
fn a_runtime_whose_block_on_panicked_runs_the_next_block_on_with_right_ids() {
    let rt = Runtime::new().unwrap();
    block_on_that_panics(&rt);
    let seen = Rc::new(RefCell::new(None));
    let record = RecordIdOnDrop(seen.clone());
    rt.block_on(async {
        let main = task::id();
        let child = solo::spawn(async { task::id() });
        let child_id = child.id();
        assert_eq!(child.await.unwrap(), child_id);
        assert_ne!(main, child_id);
        assert_eq!(task::id(), main, "the main future's id, after a task ran");
        // An aborted task is dropped by the loop, outside any poll.
        let doomed = solo::spawn(async move {
            let _record = record;
            std::future::pending::<()>().await
        });
        yield_now().await;
        doomed.abort();
        assert!(doomed.await.unwrap_err().is_cancelled());
    });
    assert_eq!(
        *seen.borrow(),
        Some(None),
        "a destructor run by the loop saw the panicked block_on's task id"
    );
    assert!(task::try_id().is_none());
}

#[test]
// The lock is held across an await on purpose: that is the case pinned.
#[allow(clippy::await_holding_lock)]
fn a_panicking_task_is_dropped_while_unwinding_so_its_mutex_guard_poisons() {
    use std::sync::{Arc, Mutex};
    /// Records `std::thread::panicking()` as its destructor sees it.
    struct SeesPanic(Rc<RefCell<Option<bool>>>);
    impl Drop for SeesPanic {
        fn drop(&mut self) {
            *self.0.borrow_mut() = Some(std::thread::panicking());
        }
    }
    let state = Arc::new(Mutex::new(0));
    let seen = Rc::new(RefCell::new(None));
    solo::block_on(async {
        let (s, witness) = (state.clone(), SeesPanic(seen.clone()));
        // One branch holds the lock across an await with the state half
        // written; the other panics. The holder is not a local of the
        // frames that unwind: only dropping the task's future drops it.
        let holder = async move {
            let _witness = witness;
            let mut guard = s.lock().unwrap();
            *guard = 1;
            std::future::pending::<()>().await;
            *guard = 2;
        };
        let panicker = async {
            yield_now().await;
            panic!("boom");
        };
        let task = solo::spawn(futures_lite::future::zip(holder, panicker));
        assert!(task.await.unwrap_err().is_panic());
    });
    assert_eq!(
        *seen.borrow(),
        Some(true),
        "the future was dropped after the panic was caught"
    );
    assert!(
        state.is_poisoned(),
        "a guard held by a panicking task left the mutex unpoisoned"
    );
}
