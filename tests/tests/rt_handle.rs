//! `solo::runtime::Handle`: spawning onto a runtime from other threads, and
//! the `RemoteJoinHandle` that comes back.

use std::future::{pending, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use futures_lite::future::block_on as block_on_any;
use solo::runtime::Handle;
use solo::task::RemoteJoinHandle;
use solo::Runtime;
use solo_tests::{count, with_deadline};

/// Counts its drops; `Send`, unlike `solo_tests::DropCounter`.
#[derive(Clone, Default)]
struct Drops(Arc<AtomicUsize>);

struct Guard(Drops);

impl Drop for Guard {
    fn drop(&mut self) {
        (self.0).0.fetch_add(1, SeqCst);
    }
}

impl Drops {
    fn guard(&self) -> Guard {
        Guard(self.clone())
    }
    fn get(&self) -> usize {
        self.0.load(SeqCst)
    }
}

/// Runs the runtime until `done` holds (checked every millisecond of the
/// runtime's clock), failing after `limit`.
fn run_until(rt: &Runtime, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    rt.block_on(async {
        while !done() {
            assert!(start.elapsed() < limit, "not done within {limit:?}");
            solo::time::sleep(Duration::from_millis(1)).await;
        }
    });
}

#[test]
fn handle_and_remote_join_handle_cross_threads() {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    fn send<T: Send>() {}
    send_sync_clone::<Handle>();
    send::<RemoteJoinHandle<String>>();
}

#[test]
fn eight_threads_spawning_ten_thousand_tasks_each_all_run() {
    let per_thread = count(10_000, 300);
    with_deadline(Duration::from_secs(120), move || {
        let rt = Runtime::new().unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                let (handle, ran) = (rt.handle(), ran.clone());
                thread::spawn(move || {
                    let tasks: Vec<_> = (0..per_thread as u64)
                        .map(|i| {
                            let ran = ran.clone();
                            handle.spawn(async move {
                                ran.fetch_add(1, SeqCst);
                                t * 1_000_000 + i
                            })
                        })
                        .collect();
                    // Awaited on this thread, with another executor.
                    block_on_any(async {
                        let mut sum = 0;
                        for task in tasks {
                            sum += task.await.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        run_until(&rt, Duration::from_secs(100), || {
            threads.iter().all(|t| t.is_finished())
        });
        let n = per_thread as u64;
        for (t, thread) in (0..8u64).zip(threads) {
            let want = t * 1_000_000 * n + n * (n - 1) / 2;
            assert_eq!(thread.join().unwrap(), want, "thread {t}'s outputs");
        }
        assert_eq!(ran.load(SeqCst), 8 * per_thread);
    });
}

#[test]
fn a_spawn_after_the_runtime_is_gone_reads_cancelled_and_drops_its_future() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    drop(rt);
    let drops = Drops::default();
    let guard = drops.guard();
    let task = handle.spawn(async move {
        drop(guard);
        unreachable!("ran after its runtime was dropped")
    });
    assert_eq!(drops.get(), 1, "the future was kept");
    assert!(task.is_finished());
    let err = block_on_any(task).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
}

#[test]
fn a_queued_spawn_that_never_ran_is_cancelled_when_the_runtime_drops() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    // A handle that outlives the runtime keeps its queue alive: the
    // runtime's drop must empty it, not leave it to the last handle.
    let _kept = rt.handle();
    let drops = Drops::default();
    let guard = drops.guard();
    let task = thread::spawn(move || {
        handle.spawn(async move {
            let _guard = guard;
            unreachable!("the runtime never ran block_on")
        })
    })
    .join()
    .unwrap();
    assert!(!task.is_finished());
    drop(rt);
    assert_eq!(drops.get(), 1, "the queued future was not dropped");
    let err = block_on_any(task).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
}

#[test]
fn a_task_still_running_when_the_runtime_drops_reads_cancelled() {
    let rt = Runtime::new().unwrap();
    let drops = Drops::default();
    let guard = drops.guard();
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let task = rt.handle().spawn(async move {
        let _guard = guard;
        s.store(1, SeqCst);
        pending::<()>().await
    });
    run_until(&rt, Duration::from_secs(10), || started.load(SeqCst) == 1);
    assert!(!task.is_finished());
    drop(rt);
    assert_eq!(drops.get(), 1);
    assert!(block_on_any(task).unwrap_err().is_cancelled());
}

#[test]
fn a_waiting_thread_wakes_when_the_runtime_drops() {
    // A thread blocked on the handle must not hang when the runtime goes.
    with_deadline(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let task = rt.handle().spawn(pending::<()>());
        let waiter = thread::spawn(move || block_on_any(task));
        rt.block_on(solo::time::sleep(Duration::from_millis(20)));
        drop(rt);
        assert!(waiter.join().unwrap().unwrap_err().is_cancelled());
    });
}

#[test]
fn abort_before_the_task_starts_means_it_never_runs() {
    let rt = Runtime::new().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let handle = rt.handle();
    let task = thread::spawn(move || {
        handle.spawn(async move {
            r.fetch_add(1, SeqCst);
        })
    })
    .join()
    .unwrap();
    task.abort();
    assert!(
        task.is_finished(),
        "an aborted, never started task is finished"
    );
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    rt.block_on(solo::task::yield_now());
    assert_eq!(ran.load(SeqCst), 0, "an aborted task ran");
}

#[test]
fn abort_from_another_thread_cancels_a_running_task() {
    with_deadline(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let drops = Drops::default();
        let guard = drops.guard();
        let started = Arc::new(AtomicUsize::new(0));
        let s = started.clone();
        let task = rt.handle().spawn(async move {
            let _guard = guard;
            s.store(1, SeqCst);
            pending::<()>().await
        });
        run_until(&rt, Duration::from_secs(10), || started.load(SeqCst) == 1);
        let result = rt.block_on(async {
            // Another thread aborts and awaits; the task is dropped here, at
            // a turn of this loop, before its handle reads "cancelled".
            let waiter = thread::spawn(move || {
                task.abort();
                block_on_any(task)
            });
            while !waiter.is_finished() {
                solo::time::sleep(Duration::from_millis(1)).await;
            }
            waiter.join().unwrap()
        });
        assert!(result.unwrap_err().is_cancelled());
        assert_eq!(drops.get(), 1, "the aborted future was not dropped");
    });
}

#[test]
fn a_panic_in_a_remote_task_reaches_its_handle() {
    let rt = Runtime::new().unwrap();
    let task = rt.handle().spawn(async { panic!("remote boom") as u32 });
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(
        err.into_panic().downcast_ref::<&str>(),
        Some(&"remote boom")
    );
}

#[test]
fn the_handle_id_is_the_task_id_inside() {
    let rt = Runtime::new().unwrap();
    let task = rt.handle().spawn(async { solo::task::id() });
    let id = task.id();
    assert_eq!(rt.block_on(task).unwrap(), id);
    // Distinct from the ids of local tasks.
    let local = rt.spawn(async { solo::task::id() });
    assert_ne!(rt.block_on(local).unwrap(), id);
}

#[test]
fn on_the_runtime_thread_a_remote_spawn_runs_in_order_with_local_ones() {
    let order = solo::block_on(async {
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (a, b, c) = (order.clone(), order.clone(), order.clone());
        let first = solo::spawn(async move { a.lock().unwrap().push(1) });
        let second = Handle::current().spawn(async move { b.lock().unwrap().push(2) });
        let third = solo::spawn(async move { c.lock().unwrap().push(3) });
        first.await.unwrap();
        second.await.unwrap();
        third.await.unwrap();
        Arc::try_unwrap(order).unwrap().into_inner().unwrap()
    });
    assert_eq!(order, [1, 2, 3]);
}

#[test]
fn a_blocking_job_spawns_back_onto_the_loop() {
    let on_loop = solo::block_on(async {
        let loop_thread = thread::current().id();
        let handle = Handle::current();
        solo::task::spawn_blocking(move || {
            assert_ne!(thread::current().id(), loop_thread);
            block_on_any(handle.spawn(async move { thread::current().id() == loop_thread }))
        })
        .await
        .unwrap()
        .unwrap()
    });
    assert!(on_loop, "the spawned task ran off the runtime's thread");
}

#[test]
fn handle_current_outside_a_runtime_is_a_clear_error() {
    let err = Handle::try_current().unwrap_err();
    assert!(err.to_string().contains("no solo runtime"), "{err}");
    let panic = std::panic::catch_unwind(Handle::current).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("no solo runtime"), "{message}");
}

/// Counts its polls and is ready at the second.
struct TwoPolls(u32);

impl Future for TwoPolls {
    type Output = u32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.0 += 1;
        if self.0 == 2 {
            Poll::Ready(self.0)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[test]
fn a_remote_handle_awaited_on_its_own_runtime_wakes_its_awaiter() {
    let out = solo::block_on(async {
        let handle = Handle::current();
        let task = thread::spawn(move || handle.spawn(TwoPolls(0)))
            .join()
            .unwrap();
        task.await.unwrap()
    });
    assert_eq!(out, 2);
}
