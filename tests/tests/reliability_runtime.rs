//! Reliability of the runtime itself: lost wake-ups, cancellation at every
//! await point, re-entrant destructors, half-closed peers, memory under churn.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::task::yield_now;
use solo::time::sleep;
use solo::Runtime;
use solo_tests::{Counted, DropCounter};

/// A tiny deterministic generator (xorshift), so that failures replay.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[derive(Default)]
struct Flag {
    set: bool,
    waker: Option<Waker>,
}

/// Completes once another thread sets the flag.
async fn wait_flag(flag: Arc<Mutex<Flag>>) {
    std::future::poll_fn(|cx| {
        let mut f = flag.lock().unwrap();
        if f.set {
            f.set = false;
            Poll::Ready(())
        } else {
            f.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    })
    .await
}

fn set_flag(flag: &Mutex<Flag>) {
    let waker = {
        let mut f = flag.lock().unwrap();
        f.set = true;
        f.waker.take()
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// The tests here run one at a time: the descriptor check counts the whole
/// process's `/proc/self/fd`, which a test opening sockets in parallel
/// would move (seen under valgrind, where the tests overlap more).
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn no_wake_up_is_lost_when_threads_wake_tasks_while_the_loop_parks() {
    let _serial = one_at_a_time();
    // Fewer under valgrind, which serialises the threads and runs ~30x slower.
    let tasks_n = solo_tests::count(2000, 200);
    const ROUNDS: usize = 5;
    solo_tests::with_deadline(Duration::from_secs(60), move || {
        let flags: Vec<_> = (0..tasks_n)
            .map(|_| Arc::new(Mutex::new(Flag::default())))
            .collect();
        let wakers: Vec<_> = (0..4)
            .map(|t| {
                let mine: Vec<_> = flags.iter().skip(t).step_by(4).cloned().collect();
                std::thread::spawn(move || {
                    let mut rng = Rng(0x9E37_79B9 + t as u64);
                    for _ in 0..ROUNDS {
                        for f in &mine {
                            // Random gaps let the loop park between wakes.
                            if rng.next() % 16 == 0 {
                                std::thread::sleep(Duration::from_micros(rng.next() % 300));
                            }
                            // Wait until the task consumed the previous wake.
                            while f.lock().unwrap().set {
                                std::thread::yield_now();
                            }
                            set_flag(f);
                        }
                    }
                })
            })
            .collect();
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            let tasks: Vec<_> = flags
                .iter()
                .cloned()
                .map(|f| {
                    solo::spawn(async move {
                        for _ in 0..ROUNDS {
                            wait_flag(f.clone()).await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
        for w in wakers {
            w.join().unwrap();
        }
        assert!(rt.metrics().remote_wakes > 0);
    });
}

/// Polls the inner future at most `polls` times, then drops it. (Only the
/// Linux test below uses it.)
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct CancelAfter<F> {
    inner: Option<Pin<Box<F>>>,
    polls: usize,
}

impl<F: Future> Future for CancelAfter<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls == 0 {
            self.inner = None;
            return Poll::Ready(None);
        }
        self.polls -= 1;
        match self.inner.as_mut().map(|f| f.as_mut().poll(cx)) {
            Some(Poll::Ready(v)) => Poll::Ready(Some(v)),
            _ => Poll::Pending,
        }
    }
}

/// A full TCP exchange: connect, accept, request, response, close.
async fn exchange(listener: Rc<TcpListener>) -> Vec<u8> {
    let addr = listener.local_addr().unwrap();
    let server = solo::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut req = [0; 5];
        s.read_exact(&mut req).await.unwrap();
        sleep(Duration::from_millis(1)).await;
        s.write_all(b"world").await.unwrap();
    });
    let mut c = TcpStream::connect(addr).await.unwrap();
    c.write_all(b"hello").await.unwrap();
    let mut resp = Vec::new();
    c.read_to_end(&mut resp).await.unwrap();
    server.await.unwrap();
    resp
}

#[cfg(target_os = "linux")]
#[test]
fn cancelling_a_tcp_exchange_at_any_await_point_leaks_nothing() {
    let _serial = one_at_a_time();
    let rt = Runtime::new().unwrap();
    let listener = Rc::new(rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap());
    let base_regs = rt.metrics().io_registrations;
    let base_fds = solo_tests::open_fds();
    let mut completed = false;
    for polls in 0..200 {
        let l = listener.clone();
        let out = rt.block_on(async move {
            let run = CancelAfter {
                inner: Some(Box::pin(exchange(l))),
                polls,
            };
            let out = run.await;
            // Let aborted tasks be dropped and detached ones finish.
            for _ in 0..3 {
                yield_now().await;
            }
            out
        });
        // Drop whatever is still running from this round.
        let m = rt.metrics();
        if let Some(resp) = out {
            assert_eq!(resp, b"world");
            completed = true;
            break;
        }
        assert!(m.io_registrations <= base_regs + 2, "round {polls}: {m:?}");
    }
    assert!(completed, "the exchange never completed within 200 polls");
    drop(listener);
    drop(rt);
    assert!(
        solo_tests::open_fds() < base_fds,
        "file descriptors leaked: {} open, {} before (listener included)",
        solo_tests::open_fds(),
        base_fds
    );
}

#[test]
fn dropping_the_runtime_mid_exchange_deregisters_everything() {
    let _serial = one_at_a_time();
    for stop_after_ms in [0u64, 1, 2, 5] {
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            let listener = Rc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
            for _ in 0..10 {
                solo::spawn(exchange(listener.clone()));
            }
            sleep(Duration::from_millis(stop_after_ms)).await;
        });
        drop(rt); // tasks mid-exchange are dropped here; must not panic
    }
}

#[test]
fn destructors_that_wake_abort_and_drop_other_tasks_during_shutdown_are_fine() {
    let _serial = one_at_a_time();
    struct Mayhem {
        victim: Option<solo::JoinHandle<()>>,
        waker: Rc<RefCell<Option<Waker>>>,
        drops: Counted,
    }
    impl Drop for Mayhem {
        fn drop(&mut self) {
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
            if let Some(v) = self.victim.take() {
                v.abort();
                drop(v);
            }
            let c = self.drops.counter().counted();
            drop(solo::spawn(async move {
                let _c = c;
                yield_now().await
            }));
        }
    }
    const TASKS: u32 = 50;
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let waker = Rc::new(RefCell::new(None));
        let mut previous = None;
        for _ in 0..TASKS {
            let w = waker.clone();
            let victim = previous.take();
            let counted = drops.counted();
            let handle = solo::spawn(async move {
                let _m = Mayhem {
                    victim,
                    waker: w.clone(),
                    drops: counted,
                };
                std::future::poll_fn(|cx| {
                    *w.borrow_mut() = Some(cx.waker().clone());
                    Poll::<()>::Pending
                })
                .await;
            });
            previous = Some(handle);
        }
        yield_now().await;
    });
    assert_eq!(drops.get(), 0, "every task still pending");
    drop(rt);
    // Every Mayhem ran its destructor once, and so did the future of each
    // task those destructors spawned during shutdown (dropped, not leaked).
    assert_eq!(drops.get(), TASKS + TASKS);
}

#[test]
fn a_half_closed_peer_still_gets_its_answer() {
    let _serial = one_at_a_time();
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = solo::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            s.read_to_end(&mut req).await.unwrap(); // until the client's FIN
            s.write_all(&req).await.unwrap();
            s.write_all(b"!").await.unwrap();
        });
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(b"question").await.unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = Vec::new();
        solo::time::timeout(Duration::from_secs(5), c.read_to_end(&mut answer))
            .await
            .expect("hung after a half-close")
            .unwrap();
        assert_eq!(answer, b"question!");
        server.await.unwrap();
    });
}
