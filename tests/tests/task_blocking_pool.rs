//! The `spawn_blocking` pool's bookkeeping when jobs are aborted or leave
//! panicking values behind. In a file of its own: the pool is shared by the
//! whole process, and these tests fill it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use solo::task::spawn_blocking;
use solo_tests::with_deadline;

/// Threads the pool runs at most (`MAX_THREADS` in the runtime).
const POOL_THREADS: usize = 16;
/// A hang fails the test instead of stalling it; generous for valgrind.
const DEADLINE: Duration = Duration::from_secs(60);

/// A value whose destructor panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("a Bomb was dropped");
    }
}

/// A value whose destructor panics with another `RecursiveBomb` as payload:
/// dropping the payload panics again, and so on.
struct RecursiveBomb;

impl Drop for RecursiveBomb {
    fn drop(&mut self) {
        std::panic::panic_any(RecursiveBomb);
    }
}

/// Runs `f` on the pool and aborts its handle once `f` has started, so that
/// what `f` returns (or panics with) has nobody to go to and is dropped on
/// the pool thread.
async fn abandon_after_start<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) {
    let (started_tx, started_rx) = solo::sync::bounded(1);
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let handle = spawn_blocking(move || {
        let _ = started_tx.send_blocking(());
        let _ = release_rx.recv();
        f()
    });
    started_rx.recv().await.expect("the job started");
    handle.abort();
    match handle.await {
        Err(e) => assert!(e.is_cancelled(), "{e}"),
        Ok(_) => panic!("an aborted job's handle yielded its result"),
    }
    drop(release_tx); // the job goes on and returns to nobody
}

#[test]
fn panicking_drops_of_abandoned_results_never_use_up_the_pool() {
    // More jobs than threads: each one that killed its thread without
    // freeing its slot would bring the pool closer to running nothing.
    let value = with_deadline(DEADLINE, || {
        solo::block_on(async {
            for i in 0..POOL_THREADS + 4 {
                if i % 2 == 0 {
                    abandon_after_start(|| Bomb).await;
                } else {
                    abandon_after_start(|| -> () { std::panic::panic_any(Bomb) }).await;
                }
            }
            spawn_blocking(|| 7)
                .await
                .expect("the pool still runs jobs")
        })
    });
    assert_eq!(value, 7);
}

#[test]
fn a_panic_payload_that_panics_on_every_drop_does_not_kill_the_pool_thread() {
    let value = with_deadline(DEADLINE, || {
        solo::block_on(async {
            for _ in 0..POOL_THREADS + 4 {
                abandon_after_start(|| -> () { std::panic::panic_any(RecursiveBomb) }).await;
            }
            spawn_blocking(|| 7)
                .await
                .expect("the pool still runs jobs")
        })
    });
    assert_eq!(value, 7);
}

#[test]
fn a_queued_closure_is_skipped_if_aborted_and_still_runs_if_detached() {
    let (aborted_ran, detached_ran) = with_deadline(DEADLINE, || {
        solo::block_on(async {
            // Hold every pool thread with a job that waits for its release.
            // Dropping `releases` (also on a failed assertion) frees them.
            let (started_tx, started_rx) = solo::sync::unbounded();
            let mut releases = Vec::new();
            let mut busy = Vec::new();
            for _ in 0..POOL_THREADS {
                let (release_tx, release_rx) = mpsc::channel::<()>();
                let started = started_tx.clone();
                busy.push(spawn_blocking(move || {
                    let _ = started.send_blocking(());
                    let _ = release_rx.recv();
                }));
                releases.push(release_tx);
            }
            for _ in 0..POOL_THREADS {
                started_rx.recv().await.expect("a busy job started");
            }
            // Every thread is ours and busy: these closures wait in the queue.
            let aborted_ran = Arc::new(AtomicBool::new(false));
            let flag = aborted_ran.clone();
            let aborted = spawn_blocking(move || flag.store(true, Ordering::SeqCst));
            let detached_ran = Arc::new(AtomicBool::new(false));
            let flag = detached_ran.clone();
            drop(spawn_blocking(move || flag.store(true, Ordering::SeqCst)));
            aborted.abort();
            assert!(aborted.await.expect_err("aborted").is_cancelled());
            // Free one thread: it takes the queue in order, so once the job
            // queued last is done, the two before it were run or skipped.
            let last = spawn_blocking(|| ());
            drop(releases.swap_remove(0));
            last.await.expect("the job queued last");
            let ran = (
                aborted_ran.load(Ordering::SeqCst),
                detached_ran.load(Ordering::SeqCst),
            );
            drop(releases);
            for job in busy {
                job.await.expect("a busy job");
            }
            ran
        })
    });
    assert!(!aborted_ran, "a closure aborted while queued ran anyway");
    assert!(
        detached_ran,
        "a queued closure whose handle was dropped never ran"
    );
}
