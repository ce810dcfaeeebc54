//! `solo::sync` between tasks, plain threads and `spawn_blocking` work.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use solo::sync::{bounded, oneshot, unbounded, Mutex, Notify, Semaphore};
use solo::task::spawn_blocking;
use solo::time::{sleep, timeout};

const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn a_bounded_channel_carries_values_from_a_thread_in_order_with_back_pressure() {
    let (tx, rx) = bounded::<u32>(1);
    let producer = thread::spawn(move || {
        for i in 0..1000 {
            tx.send_blocking(i).expect("receiver alive");
        }
        // Capacity 1: the thread cannot have run far ahead.
    });
    let got = solo::block_on(async {
        let mut got = Vec::new();
        while let Ok(v) = rx.recv().await {
            got.push(v);
            assert!(rx.len() <= 1);
        }
        got
    });
    producer.join().expect("producer");
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[test]
fn a_task_feeds_a_thread_and_the_thread_answers() {
    let (to_thread, thread_rx) = unbounded::<u64>();
    let (to_task, task_rx) = unbounded::<u64>();
    let worker = thread::spawn(move || {
        while let Ok(v) = thread_rx.recv_blocking() {
            to_task.send_blocking(v * v).expect("task alive");
        }
    });
    let sum = solo::block_on(async move {
        for v in 1..=100 {
            to_thread.send(v).await.expect("thread alive");
        }
        drop(to_thread); // the thread's loop ends, and its sender drops
        let mut sum = 0;
        while let Ok(sq) = task_rx.recv().await {
            sum += sq;
        }
        sum
    });
    worker.join().expect("worker");
    assert_eq!(sum, (1..=100u64).map(|v| v * v).sum());
}

#[test]
fn channels_work_across_a_spawn_blocking_thread_while_the_loop_runs() {
    let (tx, rx) = bounded::<u32>(4);
    let (ticks, received) = solo::block_on(async move {
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        let ticker = solo::spawn(async move {
            loop {
                sleep(MS(5)).await;
                t.set(t.get() + 1);
            }
        });
        let producer = spawn_blocking(move || {
            for i in 0..20 {
                thread::sleep(MS(5));
                tx.send_blocking(i).expect("receiver alive");
            }
        });
        let mut received = Vec::new();
        while let Ok(v) = rx.recv().await {
            received.push(v);
        }
        producer.await.expect("producer");
        ticker.abort();
        (ticks.get(), received)
    });
    assert_eq!(received, (0..20).collect::<Vec<_>>());
    // The producer took ~100 ms; the loop kept ticking meanwhile.
    assert!(ticks >= 5, "only {ticks} ticks: the loop was blocked");
}

#[test]
fn a_oneshot_answer_from_a_thread_arrives_and_a_dropped_sender_cancels() {
    solo::block_on(async {
        let (tx, rx) = oneshot::channel();
        thread::spawn(move || {
            thread::sleep(MS(10));
            let _ = tx.send("answer");
        });
        assert_eq!(rx.await, Ok("answer"));

        let (tx, rx) = oneshot::channel::<u8>();
        thread::spawn(move || drop(tx));
        assert_eq!(rx.await, Err(oneshot::Canceled));
    });
}

#[test]
fn notify_one_from_a_thread_wakes_a_waiting_task() {
    let notify = Arc::new(Notify::new());
    let n = notify.clone();
    solo::block_on(async move {
        let waker = thread::spawn(move || {
            thread::sleep(MS(20));
            n.notify_one();
        });
        timeout(Duration::from_secs(5), notify.notified())
            .await
            .expect("woken by the thread");
        waker.join().expect("thread");
    });
}

#[test]
fn notify_one_without_waiters_stores_a_single_permit() {
    solo::block_on(async {
        let notify = Notify::new();
        notify.notify_one();
        notify.notify_one(); // permits do not add up
        notify.notified().await; // at once
        assert!(timeout(MS(20), notify.notified()).await.is_err());
    });
}

#[test]
fn notify_waiters_wakes_every_waiter_and_stores_nothing() {
    solo::block_on(async {
        let notify = Rc::new(Notify::new());
        let woken = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let (n, w) = (notify.clone(), woken.clone());
                solo::spawn(async move {
                    n.notified().await;
                    w.set(w.get() + 1);
                })
            })
            .collect();
        solo::task::yield_now().await; // let them all wait
        notify.notify_waiters();
        for t in tasks {
            t.await.expect("waiter");
        }
        assert_eq!(woken.get(), 3);
        assert!(timeout(MS(20), notify.notified()).await.is_err());
    });
}

#[test]
fn a_notified_future_dropped_after_its_wakeup_passes_it_on() {
    solo::block_on(async {
        let notify = Rc::new(Notify::new());
        let first = solo::spawn({
            let n = notify.clone();
            async move { n.notified().await }
        });
        solo::task::yield_now().await; // `first` waits
        let second = solo::spawn({
            let n = notify.clone();
            async move { n.notified().await }
        });
        solo::task::yield_now().await; // `second` waits
        notify.notify_one(); // for `first`...
        first.abort(); // ...which is dropped before it sees it
        timeout(Duration::from_secs(5), second)
            .await
            .expect("the wake-up was passed on")
            .expect("second");
    });
}

#[test]
fn a_mutex_is_shared_by_a_task_and_a_thread() {
    let counter = Arc::new(Mutex::new(0u32));
    let c = counter.clone();
    let thread = thread::spawn(move || {
        for _ in 0..1000 {
            *c.lock_blocking() += 1;
        }
    });
    solo::block_on(async {
        for i in 0..1000 {
            let mut guard = counter.lock().await;
            *guard += 1;
            if i % 100 == 0 {
                solo::task::yield_now().await; // held across an await
            }
        }
    });
    thread.join().expect("thread");
    assert_eq!(*counter.lock_blocking(), 2000);
}

#[test]
fn a_semaphore_bounds_how_many_tasks_run_at_once() {
    let max = solo::block_on(async {
        let permits = Rc::new(Semaphore::new(3));
        let (now, max) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (p, now, max) = (permits.clone(), now.clone(), max.clone());
                solo::spawn(async move {
                    let _permit = p.acquire().await;
                    now.set(now.get() + 1);
                    max.set(max.get().max(now.get()));
                    sleep(MS(5)).await;
                    now.set(now.get() - 1);
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        max.get()
    });
    assert_eq!(max, 3);
}
