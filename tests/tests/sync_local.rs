//! `solo::sync::local`: channels, oneshot, `Notify`, `Mutex` and `RwLock`
//! for tasks of one runtime. A stranded waiter shows as a timeout on the
//! paused clock (which jumps to the next timer once every task waits), not
//! as a hung test.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures_lite::future::poll_once;
use solo::stream::{Stream, StreamExt};
use solo::sync::local::{
    self, oneshot, Mutex, Notify, RecvError, RwLock, Semaphore, SendError, TryRecvError,
    TrySendError,
};
use solo::task::yield_now;
use solo::time::timeout;
use solo_tests::{paused, DropCounter};

const HOUR: Duration = Duration::from_secs(3600);

/// `future`'s output, or a panic naming `what` if it never comes (every
/// task waits forever: someone was stranded).
async fn surely<F: Future>(what: &str, future: F) -> F::Output {
    timeout(HOUR, future)
        .await
        .unwrap_or_else(|_| panic!("stranded: {what}"))
}

/// Lets every other ready task run until it waits.
async fn settle() {
    for _ in 0..10 {
        yield_now().await;
    }
}

// ---- channels ----

#[test]
fn values_arrive_in_the_order_they_were_sent() {
    paused(async {
        let (tx, rx) = local::bounded(3);
        let producer = solo::spawn(async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        let mut got = Vec::new();
        while let Ok(i) = rx.recv().await {
            got.push(i);
        }
        producer.await.unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>());

        let (tx, rx) = local::unbounded();
        for i in 0..10 {
            tx.try_send(i).unwrap();
        }
        assert_eq!(rx.len(), 10);
        let got: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn a_full_bounded_channel_makes_send_wait_until_a_value_is_taken() {
    paused(async {
        let (tx, rx) = local::bounded(1);
        assert_eq!(tx.capacity(), Some(1));
        tx.send(1).await.unwrap();
        assert!(tx.is_full());
        assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
        let mut send = tx.send(2);
        assert!(
            poll_once(&mut send).await.is_none(),
            "sent into a full channel"
        );
        assert_eq!(rx.recv().await, Ok(1));
        assert_eq!(poll_once(&mut send).await, Some(Ok(())));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert!(rx.is_empty());
    });
}

#[test]
fn waiting_senders_are_served_oldest_first_and_newcomers_queue_behind_them() {
    paused(async {
        let (tx, rx) = local::bounded(1);
        tx.send(0).await.unwrap();
        let mut senders = Vec::new();
        for i in 1..=4 {
            let tx = tx.clone();
            senders.push(solo::spawn(async move { tx.send(i).await.unwrap() }));
            settle().await; // sender i waits before sender i + 1 starts
        }
        assert_eq!(rx.try_recv(), Ok(0));
        // The freed slot is promised to sender 1, not to a newcomer.
        assert_eq!(tx.try_send(99), Err(TrySendError::Full(99)));
        let mut got = Vec::new();
        for _ in 1..=4 {
            got.push(surely("a waiting sender", rx.recv()).await.unwrap());
        }
        assert_eq!(got, [1, 2, 3, 4]);
        for s in senders {
            s.await.unwrap();
        }
    });
}

#[test]
fn a_cancelled_send_does_not_send_and_passes_its_slot_to_the_next_sender() {
    paused(async {
        let drops = DropCounter::new();
        let (tx, rx) = local::bounded(1);
        tx.send((0, drops.counted())).await.unwrap();
        // Waiting, then cancelled while still waiting.
        let mut early = tx.send((1, drops.counted()));
        assert!(poll_once(&mut early).await.is_none());
        let mut first = tx.send((2, drops.counted()));
        assert!(poll_once(&mut first).await.is_none());
        let (tx2, counted) = (tx.clone(), drops.counted());
        let second = solo::spawn(async move { tx2.send((3, counted)).await.is_ok() });
        settle().await;
        drop(early);
        assert_eq!(drops.get(), 1, "a cancelled send drops its value, once");
        // A slot frees and is handed to `first`, which is then cancelled.
        assert_eq!(rx.try_recv().unwrap().0, 0);
        drop(first);
        assert_eq!(drops.get(), 3);
        // The slot must reach the spawned sender.
        assert!(surely("the next sender", second).await.unwrap());
        assert_eq!(rx.try_recv().unwrap().0, 3);
        assert!(rx.try_recv().unwrap_err().is_empty());
        assert_eq!(drops.get(), 4);
    });
}

#[test]
fn a_woken_recv_future_dropped_unpolled_passes_the_wake_to_the_next_receiver() {
    paused(async {
        let (tx, rx) = local::unbounded();
        let rx = Rc::new(rx);
        let mut first = rx.recv();
        assert!(poll_once(&mut first).await.is_none());
        let r = rx.clone();
        let second = solo::spawn(async move { r.recv().await });
        settle().await;
        tx.try_send(7).unwrap(); // wakes `first`, the oldest
        drop(first);
        assert_eq!(surely("the second receiver", second).await.unwrap(), Ok(7));
    });
}

#[test]
fn a_cancelled_recv_loses_no_value() {
    paused(async {
        let (tx, rx) = local::bounded(1);
        solo::select! {
            _ = rx.recv() => panic!("nothing was sent"),
            _ = yield_now() => {}
        }
        tx.send(5).await.unwrap();
        assert_eq!(rx.recv().await, Ok(5));
    });
}

#[test]
fn when_every_sender_drops_recv_drains_then_fails() {
    paused(async {
        let (tx, rx) = local::bounded(4);
        let tx2 = tx.clone();
        assert_eq!(rx.sender_count(), 2);
        tx.send(1).await.unwrap();
        tx2.send(2).await.unwrap();
        drop(tx);
        assert!(!rx.is_closed());
        drop(tx2);
        assert!(rx.is_closed());
        assert_eq!(rx.recv().await, Ok(1));
        assert_eq!(rx.recv().await, Ok(2));
        assert_eq!(rx.recv().await, Err(RecvError));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

#[test]
fn a_waiting_recv_wakes_when_the_last_sender_drops() {
    paused(async {
        let (tx, rx) = local::bounded::<u32>(1);
        let receiver = solo::spawn(async move { rx.recv().await });
        settle().await;
        drop(tx);
        assert_eq!(
            surely("the receiver", receiver).await.unwrap(),
            Err(RecvError)
        );
    });
}

#[test]
fn dropping_the_receiver_gives_senders_their_values_back_and_drops_the_queue() {
    paused(async {
        let drops = DropCounter::new();
        let (tx, rx) = local::bounded(2);
        tx.send(drops.counted()).await.unwrap();
        tx.send(drops.counted()).await.unwrap();
        let tx2 = tx.clone();
        let waiting = solo::spawn(async move {
            let counter = DropCounter::new();
            match tx2.send(counter.counted()).await {
                Err(SendError(v)) => {
                    drop(v);
                    counter.get()
                }
                Ok(()) => panic!("sent into a dropped receiver"),
            }
        });
        settle().await;
        drop(rx);
        assert_eq!(drops.get(), 2, "queued values drop with the receiver");
        assert_eq!(surely("the waiting sender", waiting).await.unwrap(), 1);
        assert!(tx.is_closed());
        assert!(matches!(tx.send(drops.counted()).await, Err(SendError(_))));
        assert!(tx.try_send(drops.counted()).unwrap_err().is_closed());
        assert_eq!(drops.get(), 4);
    });
}

#[test]
fn closing_from_either_side_fails_sends_and_lets_the_receiver_drain() {
    paused(async {
        for close_on_sender in [true, false] {
            let (tx, rx) = local::unbounded();
            tx.try_send(1).unwrap();
            let closed = if close_on_sender {
                tx.close()
            } else {
                rx.close()
            };
            assert!(closed);
            assert!(!tx.close(), "closing twice reports false");
            assert_eq!(tx.send(2).await, Err(SendError(2)));
            assert_eq!(rx.recv().await, Ok(1));
            assert_eq!(rx.recv().await, Err(RecvError));
        }
    });
}

#[test]
fn values_left_in_a_dropped_channel_drop_exactly_once() {
    let drops = DropCounter::new();
    let (tx, rx) = local::unbounded();
    for _ in 0..5 {
        tx.try_send(drops.counted()).unwrap();
    }
    drop(rx.try_recv().unwrap());
    drop(tx);
    assert_eq!(drops.get(), 1);
    drop(rx);
    assert_eq!(drops.get(), 5);
}

#[test]
fn a_value_holding_a_sender_of_its_own_channel_can_drop_with_it() {
    struct Holds(#[allow(dead_code)] local::Sender<Holds>);
    let (tx, rx) = local::unbounded();
    tx.try_send(Holds(tx.clone())).unwrap();
    drop(tx);
    drop(rx);
}

#[test]
#[should_panic(expected = "capacity cannot be zero")]
fn a_bounded_channel_of_capacity_zero_panics() {
    let _ = local::bounded::<u8>(0);
}

#[test]
fn unbounded_channels_have_no_capacity_and_are_never_full() {
    let (tx, rx) = local::unbounded();
    assert_eq!(rx.capacity(), None);
    for i in 0..1000 {
        tx.try_send(i).unwrap();
    }
    assert!(!tx.is_full());
    assert_eq!(tx.len(), 1000);
}

#[test]
fn a_local_receiver_is_a_stream_that_ends_when_every_sender_is_gone() {
    paused(async {
        let (tx, mut rx) = local::bounded(3);
        let tx2 = tx.clone();
        let producer = solo::spawn(async move {
            for i in 0..50 {
                tx.send(i).await.unwrap();
            }
            drop(tx);
            for i in 50..100 {
                tx2.send(i).await.unwrap();
            }
        });
        let got: Vec<_> = surely("the stream's end", (&mut rx).collect()).await;
        producer.await.unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert_eq!(rx.next().await, None, "an ended stream stays ended");

        let (tx, mut rx) = local::unbounded();
        for i in 0..3 {
            tx.try_send(i).unwrap();
        }
        assert_eq!(rx.size_hint(), (3, None));
        assert_eq!(rx.next().await, Some(0));
        drop(tx);
        assert_eq!(rx.size_hint(), (2, Some(2)));
        let rest: Vec<_> = rx.collect().await;
        assert_eq!(rest, [1, 2]);
    });
}

#[test]
fn a_waiting_stream_is_woken_by_a_send_and_by_the_last_sender_dropping() {
    paused(async {
        let (tx, mut rx) = local::bounded(1);
        let receiver = solo::spawn(async move {
            let first = rx.next().await;
            let end = rx.next().await;
            (first, end)
        });
        settle().await; // the stream waits on the empty channel
        tx.send(7).await.unwrap();
        settle().await; // it took 7 and waits again
        drop(tx);
        assert_eq!(
            surely("the stream", receiver).await.unwrap(),
            (Some(7), None)
        );
    });
}

#[test]
fn a_dropped_next_future_strands_no_later_recv() {
    paused(async {
        let (tx, mut rx) = local::bounded(1);
        assert_eq!(poll_once(rx.next()).await, None, "nothing was sent");
        // The stream's `next()` is gone; a `recv` in another task waits now,
        // and the value must wake that task, not this one.
        let receiver = solo::spawn(async move { rx.recv().await });
        settle().await;
        tx.send(5).await.unwrap();
        assert_eq!(surely("the recv", receiver).await.unwrap(), Ok(5));
    });
}

// ---- oneshot ----

#[test]
fn oneshot_delivers_its_value_or_cancels() {
    paused(async {
        let (tx, rx) = oneshot::channel();
        solo::spawn(async move { tx.send(3).unwrap() });
        assert_eq!(rx.await, Ok(3));

        let (tx, rx) = oneshot::channel::<u8>();
        let waiting = solo::spawn(rx);
        settle().await;
        drop(tx);
        assert_eq!(
            surely("receiver", waiting).await.unwrap(),
            Err(oneshot::Canceled)
        );

        let (tx, mut rx) = oneshot::channel();
        assert_eq!(rx.try_recv(), Ok(None));
        tx.send(4).unwrap();
        assert_eq!(rx.try_recv(), Ok(Some(4)));
    });
}

#[test]
fn a_closed_or_dropped_oneshot_receiver_refuses_the_value_and_tells_the_sender() {
    paused(async {
        let (mut tx, mut rx) = oneshot::channel();
        assert!(!tx.is_canceled());
        rx.close();
        assert!(tx.is_canceled());
        tx.closed().await;
        assert_eq!(tx.send(1), Err(1));

        let (mut tx, rx) = oneshot::channel::<u8>();
        let watcher = solo::spawn(async move {
            tx.closed().await;
            tx.is_canceled()
        });
        settle().await;
        drop(rx);
        assert!(surely("closed()", watcher).await.unwrap());

        let drops = DropCounter::new();
        let (tx, rx) = oneshot::channel();
        tx.send(drops.counted()).unwrap();
        drop(rx);
        assert_eq!(drops.get(), 1, "a sent value drops with the receiver");
    });
}

// ---- Notify ----

#[test]
fn notify_one_stores_one_permit_that_does_not_add_up() {
    paused(async {
        let notify = Notify::new();
        notify.notify_one();
        notify.notify_one();
        notify.notified().await;
        let mut second = notify.notified();
        assert!(poll_once(&mut second).await.is_none(), "permits added up");
        notify.notify_one();
        assert!(poll_once(&mut second).await.is_some());
    });
}

#[test]
fn notify_waiters_wakes_every_waiter_and_stores_no_permit() {
    paused(async {
        let notify = Rc::new(Notify::new());
        let woken = Rc::new(Cell::new(0));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let (n, w) = (notify.clone(), woken.clone());
            tasks.push(solo::spawn(async move {
                n.notified().await;
                w.set(w.get() + 1);
            }));
        }
        settle().await;
        notify.notify_waiters();
        for t in tasks {
            surely("a waiter", t).await.unwrap();
        }
        assert_eq!(woken.get(), 3);
        let mut later = notify.notified();
        assert!(poll_once(&mut later).await.is_none(), "a permit was stored");
        // Nor does a waiter it woke that drops without seeing it.
        notify.notify_waiters();
        drop(later);
        let mut last = notify.notified();
        assert!(poll_once(&mut last).await.is_none(), "a permit was stored");
    });
}

#[test]
fn notify_one_wakes_the_oldest_and_a_dropped_woken_waiter_passes_it_on() {
    paused(async {
        let notify = Rc::new(Notify::new());
        let mut first = notify.notified();
        assert!(poll_once(&mut first).await.is_none());
        let n = notify.clone();
        let second = solo::spawn(async move { n.notified().await });
        settle().await;
        notify.notify_one(); // goes to `first`
        drop(first);
        surely("the second waiter", second).await.unwrap();

        // Nobody left to pass to: it becomes the permit.
        let mut only = notify.notified();
        assert!(poll_once(&mut only).await.is_none());
        notify.notify_one();
        drop(only);
        assert!(poll_once(notify.notified()).await.is_some());
    });
}

// ---- Mutex ----

#[test]
fn the_mutex_excludes_across_awaits_and_serves_waiters_first_come_first_served() {
    paused(async {
        let lock = Rc::new(Mutex::new(Vec::new()));
        let inside = Rc::new(Cell::new(false));
        let mut tasks = Vec::new();
        let held = lock.lock().await;
        for i in 0..5 {
            let (lock, inside) = (lock.clone(), inside.clone());
            tasks.push(solo::spawn(async move {
                let mut order = lock.lock().await;
                assert!(!inside.replace(true), "two tasks inside at once");
                yield_now().await;
                order.push(i);
                inside.set(false);
            }));
            settle().await;
        }
        assert!(lock.try_lock().is_none());
        drop(held);
        // Handed to the oldest waiter: a newcomer cannot take it.
        assert!(lock.try_lock().is_none());
        for t in tasks {
            surely("a lock waiter", t).await.unwrap();
        }
        assert_eq!(*lock.lock().await, [0, 1, 2, 3, 4]);
        let mut lock = Rc::try_unwrap(lock).unwrap();
        lock.get_mut().push(5);
        assert_eq!(lock.into_inner().len(), 6);
    });
}

#[test]
fn a_cancelled_lock_future_handed_the_lock_passes_it_to_the_next_waiter() {
    paused(async {
        let lock = Rc::new(Mutex::new(0));
        let held = lock.lock().await;
        let mut first = lock.lock();
        assert!(poll_once(&mut first).await.is_none());
        let l = lock.clone();
        let second = solo::spawn(async move { *l.lock().await += 1 });
        settle().await;
        drop(held); // hands the lock to `first`
        drop(first);
        surely("the second waiter", second).await.unwrap();
        // And a waiter cancelled before its turn leaves the lock free.
        let held = lock.lock().await;
        let mut waiting = lock.lock();
        assert!(poll_once(&mut waiting).await.is_none());
        drop(waiting);
        drop(held);
        assert_eq!(lock.try_lock().map(|g| *g), Some(1));
    });
}

// ---- RwLock ----

#[test]
fn rwlock_readers_share_and_a_writer_excludes() {
    paused(async {
        let lock = RwLock::new(0);
        let a = lock.read().await;
        let b = lock.read().await;
        assert!(lock.try_write().is_none());
        assert_eq!(*a + *b, 0);
        drop((a, b));
        let mut w = lock.write().await;
        *w += 1;
        assert!(lock.try_read().is_none());
        assert!(lock.try_write().is_none());
        drop(w);
        assert_eq!(lock.try_read().map(|g| *g), Some(1));
    });
}

#[test]
fn a_waiting_writer_holds_back_later_readers_which_then_enter_together() {
    paused(async {
        let lock = Rc::new(RwLock::new(0));
        let log = Rc::new(RefCell::new(Vec::new()));
        let reader = lock.read().await;
        let (l, g) = (lock.clone(), log.clone());
        let writer = solo::spawn(async move {
            *l.write().await += 1;
            g.borrow_mut().push("w");
        });
        settle().await;
        assert!(lock.try_read().is_none(), "a reader overtook the writer");
        let mut readers = Vec::new();
        let both_in = Rc::new(Cell::new(0));
        for _ in 0..2 {
            let (l, g, n) = (lock.clone(), log.clone(), both_in.clone());
            readers.push(solo::spawn(async move {
                let r = l.read().await;
                n.set(n.get() + 1);
                settle().await;
                // Both readers are inside at once.
                assert_eq!(n.get(), 2);
                g.borrow_mut().push(if *r == 1 { "r1" } else { "r0" });
            }));
        }
        settle().await;
        drop(reader);
        surely("the writer", writer).await.unwrap();
        for r in readers {
            surely("a reader", r).await.unwrap();
        }
        assert_eq!(*log.borrow(), ["w", "r1", "r1"]);
    });
}

#[test]
fn a_cancelled_waiting_writer_lets_the_readers_behind_it_in() {
    paused(async {
        let lock = Rc::new(RwLock::new(()));
        let reader = lock.read().await;
        let mut writer = lock.write();
        assert!(poll_once(&mut writer).await.is_none());
        let l = lock.clone();
        let later = solo::spawn(async move { drop(l.read().await) });
        settle().await;
        drop(writer);
        surely("the reader behind the writer", later).await.unwrap();
        drop(reader);
        // A writer granted the lock and then cancelled releases it.
        let reader = lock.read().await;
        let mut writer = lock.write();
        assert!(poll_once(&mut writer).await.is_none());
        drop(reader); // grants `writer`
        drop(writer);
        assert!(lock.try_write().is_some());
    });
}

// ---- Semaphore ----

#[test]
fn semaphore_permits_go_to_waiters_first_come_first_served() {
    paused(async {
        let slots = Rc::new(Semaphore::new(1));
        let held = slots.acquire().await;
        assert_eq!(slots.available_permits(), 0);
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..3 {
            let (s, o) = (slots.clone(), order.clone());
            tasks.push(solo::spawn(async move {
                let _permit = s.acquire().await;
                o.borrow_mut().push(i);
                yield_now().await;
            }));
            settle().await;
        }
        drop(held);
        // Handed to the oldest waiter: a newcomer cannot take it.
        assert!(slots.try_acquire().is_none());
        for t in tasks {
            surely("a semaphore waiter", t).await.unwrap();
        }
        assert_eq!(*order.borrow(), [0, 1, 2]);
        assert_eq!(slots.available_permits(), 1);
        slots.try_acquire().unwrap().forget();
        assert_eq!(slots.available_permits(), 0);
        slots.add_permits(2);
        assert_eq!(slots.available_permits(), 2);
    });
}

#[test]
fn a_cancelled_acquire_handed_a_permit_passes_it_on() {
    paused(async {
        let slots = Rc::new(Semaphore::new(1));
        let held = slots.acquire().await;
        let mut first = slots.acquire();
        assert!(poll_once(&mut first).await.is_none());
        let s = slots.clone();
        let second = solo::spawn(async move { drop(s.acquire().await) });
        settle().await;
        drop(held); // hands the permit to `first`
        drop(first);
        surely("the second waiter", second).await.unwrap();
        assert_eq!(slots.available_permits(), 1);
    });
}
