//! Which wakers the `poll_*` methods keep: the most recent caller's, one per
//! direction, as tokio and async-io document; waiting futures keep one each.
#![cfg(unix)]

use std::future::poll_fn;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use solo::io::{AsyncFd, AsyncRead, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};

/// Counts the wakes of the wakers made from it.
#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[test]
fn poll_read_ready_keeps_only_the_most_recent_waker() {
    solo::block_on(async {
        let (a, _b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let fd = AsyncFd::new(a).unwrap();
        let counts: Vec<Arc<Count>> = (0..10_000).map(|_| Arc::default()).collect();
        for count in &counts {
            let waker = Waker::from(count.clone());
            let mut cx = Context::from_waker(&waker);
            assert!(fd.poll_read_ready(&mut cx).is_pending());
        }
        let held = counts.iter().filter(|c| Arc::strong_count(c) > 1).count();
        assert_eq!(
            held, 1,
            "the reactor holds {held} of 10,000 distinct wakers"
        );
        assert_eq!(
            Arc::strong_count(counts.last().unwrap()),
            2,
            "the most recent waker is not the one kept"
        );
    });
}

#[test]
fn the_stale_waker_of_an_earlier_poll_read_is_not_woken() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        let (early, late) = (Arc::new(Count::default()), Arc::new(Count::default()));
        let mut buf = [0; 8];
        for count in [&early, &late] {
            let waker = Waker::from(count.clone());
            let mut cx = Context::from_waker(&waker);
            let poll = Pin::new(&mut &stream).poll_read(&mut cx, &mut buf);
            assert!(poll.is_pending());
        }
        assert_eq!(
            Arc::strong_count(&early),
            1,
            "the earlier waker is still held"
        );
        // The peer writes: the event wakes the most recent poller only.
        (&peer).write_all(b"x").await.unwrap();
        stream.readable().await.unwrap();
        assert_eq!((early.get(), late.get()), (0, 1));
    });
}

#[test]
fn waiting_futures_each_keep_their_own_waker() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = std::rc::Rc::new(
            TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap(),
        );
        let (peer, _) = listener.accept().await.unwrap();
        // Three tasks wait on one stream's readability at once.
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let stream = stream.clone();
                solo::spawn(async move { stream.readable().await.unwrap() })
            })
            .collect();
        // Let them all start waiting.
        let mut polled = false;
        poll_fn(|cx| {
            if polled {
                return Poll::Ready(());
            }
            polled = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await;
        (&peer).write_all(b"x").await.unwrap();
        for waiter in waiters {
            solo::time::timeout(std::time::Duration::from_secs(5), waiter)
                .await
                .expect("a waiting future was not woken")
                .unwrap();
        }
    });
}

/// Yields until `done()` holds, at most `turns` times (each yield lets the
/// loop look at I/O once).
async fn yield_until(turns: usize, done: impl Fn() -> bool) {
    for _ in 0..turns {
        if done() {
            return;
        }
        solo::task::yield_now().await;
    }
}

/// Spawns a task, named "reader", that polls `poll_read` on `stream` once
/// (it is empty, so the task waits) and, once woken, returns `Pending`
/// forever without polling the stream again or keeping any waker: it has
/// lost its waker. Then has `peer` write a byte, and waits until that
/// event has woken the reader. Returns how many times the reader has been
/// polled (2 by then).
async fn reader_woken_then_lost(
    stream: TcpStream,
    peer: &TcpStream,
) -> std::rc::Rc<std::cell::Cell<usize>> {
    let polls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counted = polls.clone();
    solo::task::Builder::new()
        .name("reader")
        .spawn(poll_fn(move |cx| {
            counted.set(counted.get() + 1);
            if counted.get() == 1 {
                let mut buf = [0; 8];
                let poll = Pin::new(&mut &stream).poll_read(cx, &mut buf);
                assert!(poll.is_pending(), "nothing was sent yet");
            }
            Poll::<()>::Pending
        }))
        .unwrap();
    yield_until(10, || polls.get() == 1).await;
    (&*peer).write_all(b"x").await.unwrap();
    yield_until(1_000, || polls.get() == 2).await;
    assert_eq!(polls.get(), 2, "the event did not wake the reader");
    polls
}

#[test]
fn an_event_wakes_a_waiting_poll_read_once() {
    solo::block_on(async {
        let (stream, peer) = solo_tests::tcp_pair().await;
        let polls = reader_woken_then_lost(stream, &peer).await;
        // The reader no longer waits on the stream: more data must not wake
        // it, although the reactor may still hold its waker.
        (&peer).write_all(b"y").await.unwrap();
        yield_until(100, || false).await;
        assert_eq!(
            polls.get(),
            2,
            "a second event woke a task that no longer waits"
        );
    });
}

#[test]
fn a_dump_sees_a_lost_waker_though_the_reactor_keeps_an_old_one() {
    // Untracked (real clock, no seed): the reactor keeps a woken task's
    // waker for its next wait, and the dump must not count it as a way to
    // wake the task.
    let rt = solo::Runtime::new().unwrap();
    rt.block_on(async {
        let (stream, peer) = solo_tests::tcp_pair().await;
        reader_woken_then_lost(stream, &peer).await;
        let dump = solo::runtime::dump();
        let reader = dump
            .tasks()
            .iter()
            .find(|t| t.name() == Some("reader"))
            .unwrap();
        assert_eq!(
            reader.state(),
            solo::runtime::TaskState::LostWaker,
            "{dump}"
        );
    });
}

#[test]
fn while_tracking_a_task_that_stops_waiting_on_a_socket_is_reported_lost() {
    // Tracking checks each pending poll for a lost waker; the reactor must
    // not keep the woken reader's waker then, or that reference would hide
    // the loss. Tracking starts here at `pause()`, on a runtime built
    // untracked (whose reactor kept wakers until then).
    let rt = solo::Runtime::new().unwrap();
    rt.block_on(async {
        let (stream, peer) = solo_tests::tcp_pair().await;
        solo::time::pause();
        assert_eq!(solo::runtime::metrics().lost_wakers, 0);
        reader_woken_then_lost(stream, &peer).await;
        assert_eq!(
            solo::runtime::metrics().lost_wakers,
            1,
            "the reader's lost waker went unseen"
        );
    });
}
