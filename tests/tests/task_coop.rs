//! The cooperative budget: a task that always finds its resources ready
//! still gives the loop a turn.

use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use solo::io::AsyncReadExt;
use solo::net::TcpListener;
use solo::task::{consume_budget, unconstrained};
use solo::time::timeout;

#[test]
fn a_timeout_around_a_loop_reading_a_socket_that_is_always_full_fires() {
    solo_tests::with_deadline(Duration::from_secs(30), || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let writer_stop = stop.clone();
            // A plain thread keeps the socket full for up to 10 s.
            let writer = std::thread::spawn(move || {
                let mut peer = std::net::TcpStream::connect(addr).unwrap();
                let chunk = vec![7u8; 64 * 1024];
                let start = Instant::now();
                while !writer_stop.load(Ordering::Relaxed)
                    && start.elapsed() < Duration::from_secs(10)
                {
                    if peer.write_all(&chunk).is_err() {
                        break;
                    }
                }
            });
            let (mut stream, _) = listener.accept().await.unwrap();
            // Let the writer fill the buffers first.
            solo::time::sleep(Duration::from_millis(100)).await;
            let start = Instant::now();
            let mut read = 0u64;
            let result = timeout(Duration::from_millis(10), async {
                let mut buf = [0u8; 16]; // small reads: the writer stays ahead
                loop {
                    read += stream.read(&mut buf).await.unwrap() as u64;
                }
            })
            .await;
            let took = start.elapsed();
            stop.store(true, Ordering::Relaxed);
            drop(stream);
            writer.join().unwrap();
            assert!(result.is_err());
            // Without the budget it would wait for the writer to stop
            // (10 s); under valgrind's slowdown a wider bound still says so.
            let bound = Duration::from_secs(if solo_tests::under_valgrind() { 8 } else { 2 });
            assert!(
                took < bound,
                "a 10 ms timeout fired after {took:?} ({read} bytes read)"
            );
        })
    });
}

#[test]
fn a_loop_of_consume_budget_lets_other_tasks_run() {
    solo_tests::with_deadline(Duration::from_secs(30), || {
        solo::block_on(async {
            let flag = Rc::new(Cell::new(false));
            let seen = flag.clone();
            let spinner = solo::spawn(async move {
                let mut spins = 0u64;
                while !seen.get() {
                    consume_budget().await;
                    spins += 1;
                }
                spins
            });
            solo::spawn(async move { flag.set(true) });
            let spins = spinner.await.unwrap();
            assert!(spins <= 129, "the other task ran only after {spins} spins");
        })
    });
}

#[test]
fn unconstrained_runs_past_the_budget_in_one_poll() {
    solo::block_on(async {
        let polls_of = |body: fn() -> solo::task::JoinHandle<()>| async move {
            let before = solo::runtime::metrics().polls;
            body().await.unwrap();
            solo::runtime::metrics().polls - before
        };
        let constrained = polls_of(|| {
            solo::spawn(async {
                for _ in 0..1000 {
                    consume_budget().await;
                }
            })
        })
        .await;
        let free = polls_of(|| {
            solo::spawn(unconstrained(async {
                for _ in 0..1000 {
                    consume_budget().await;
                }
            }))
        })
        .await;
        assert!(constrained >= 1000 / 128, "polled {constrained} times");
        assert_eq!(free, 1, "an unconstrained task was made to yield");
    });
}

#[test]
fn ready_oneshots_spend_the_budget_too() {
    solo::block_on(async {
        let task = solo::spawn(async {
            let mut yields = 0;
            for _ in 0..1000 {
                let (tx, rx) = solo::sync::oneshot::channel();
                tx.send(()).unwrap();
                let mut rx = std::pin::pin!(rx);
                // Ready at once unless the budget refuses it.
                if futures_lite::future::poll_once(rx.as_mut()).await.is_none() {
                    yields += 1;
                    rx.await.unwrap();
                }
            }
            yields
        });
        let yields = task.await.unwrap();
        assert!(
            yields >= 1000 / 129,
            "only {yields} refusals in 1000 receives"
        );
    });
}
