//! Wake-ups from other threads reach a parked runtime.

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use solo::Runtime;

/// A future completed from another thread.
#[derive(Default)]
struct Slot {
    done: bool,
    waker: Option<Waker>,
}

fn remote_future(slot: Arc<Mutex<Slot>>) -> impl std::future::Future<Output = ()> {
    std::future::poll_fn(move |cx| {
        let mut s = slot.lock().unwrap();
        if s.done {
            Poll::Ready(())
        } else {
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    })
}

fn complete_from_thread(slot: Arc<Mutex<Slot>>, after: Duration) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let waker = {
            let mut s = slot.lock().unwrap();
            s.done = true;
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    })
}

#[test]
fn a_wake_from_another_thread_unblocks_the_parked_loop() {
    let rt = Runtime::new().unwrap();
    let slot = Arc::new(Mutex::new(Slot::default()));
    let thread = complete_from_thread(slot.clone(), Duration::from_millis(50));
    let start = Instant::now();
    rt.block_on(async {
        // In a task, not just the main future.
        solo::spawn(remote_future(slot)).await.unwrap();
    });
    assert!(start.elapsed() < Duration::from_secs(2));
    thread.join().unwrap();
    assert!(rt.metrics().remote_wakes >= 1);
}

#[test]
fn the_block_on_future_can_be_woken_from_another_thread() {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let thread = complete_from_thread(slot.clone(), Duration::from_millis(20));
    solo_tests::with_deadline(Duration::from_secs(10), move || {
        solo::block_on(remote_future(slot))
    });
    thread.join().unwrap();
}

#[test]
fn thousands_of_tasks_woken_from_several_threads_all_complete() {
    solo_tests::with_deadline(Duration::from_secs(30), || {
        solo::block_on(async {
            // Fewer under valgrind: each wake spawns an OS thread.
            let slots: Vec<_> = (0..solo_tests::count(2000, 200))
                .map(|_| Arc::new(Mutex::new(Slot::default())))
                .collect();
            let tasks: Vec<_> = slots
                .iter()
                .map(|s| solo::spawn(remote_future(s.clone())))
                .collect();
            solo::task::yield_now().await;
            let threads: Vec<_> = slots
                .chunks(slots.len() / 4)
                .map(|chunk| {
                    let chunk: Vec<_> = chunk.to_vec();
                    std::thread::spawn(move || {
                        for (i, s) in chunk.into_iter().enumerate() {
                            if i % 50 == 0 {
                                std::thread::sleep(Duration::from_micros(200));
                            }
                            complete_from_thread(s, Duration::ZERO).join().unwrap();
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            for t in threads {
                t.join().unwrap();
            }
        })
    });
}

#[test]
fn a_waker_kept_after_its_runtime_is_gone_is_harmless() {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let rt = Runtime::new().unwrap();
    let s = slot.clone();
    rt.spawn(remote_future(s));
    rt.block_on(solo::task::yield_now());
    drop(rt);
    let waker = slot
        .lock()
        .unwrap()
        .waker
        .take()
        .expect("task registered a waker");
    std::thread::spawn(move || {
        waker.wake_by_ref();
        waker.wake();
    })
    .join()
    .unwrap();
}

#[test]
fn a_task_outlived_by_its_waker_on_another_thread_drops_its_future_and_output_at_home() {
    struct Home(
        std::thread::ThreadId,
        &'static str,
        Arc<Mutex<Vec<&'static str>>>,
    );
    impl Drop for Home {
        fn drop(&mut self) {
            assert_eq!(
                std::thread::current().id(),
                self.0,
                "{} dropped on another thread",
                self.1
            );
            self.2.lock().unwrap().push(self.1);
        }
    }
    let dropped = Arc::new(Mutex::new(Vec::new()));
    let stash: Arc<Mutex<Option<Waker>>> = Arc::default();
    let (d, s) = (dropped.clone(), stash.clone());
    solo::block_on(async move {
        let home = std::thread::current().id();
        let (d2, s2) = (d.clone(), s.clone());
        let task = solo::spawn(async move {
            let _future_part = Home(home, "future", d2.clone());
            // Hand a clone of our waker to the stash (another thread drops it).
            std::future::poll_fn(|cx| {
                *s2.lock().unwrap() = Some(cx.waker().clone());
                Poll::Ready(())
            })
            .await;
            Home(home, "output", d2)
        });
        solo::task::yield_now().await;
        assert!(task.is_finished());
        drop(task); // detached after finishing: the output goes now, here
    });
    let waker = stash.lock().unwrap().take().unwrap();
    std::thread::spawn(move || drop(waker)).join().unwrap();
    let mut got = dropped.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, ["future", "output"]);
}
