//! `spawn_blocking` and the name resolution that uses it.

use std::cell::Cell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::task::spawn_blocking;
use solo::time::sleep;

const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn the_loop_keeps_running_while_a_closure_blocks() {
    let (value, ticks) = solo::block_on(async {
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        let ticker = solo::spawn(async move {
            loop {
                sleep(MS(10)).await;
                t.set(t.get() + 1);
            }
        });
        let value = spawn_blocking(|| {
            thread::sleep(MS(200));
            "slow"
        })
        .await
        .expect("closure");
        ticker.abort();
        (value, ticks.get())
    });
    assert_eq!(value, "slow");
    assert!(ticks >= 5, "only {ticks} ticks while the closure slept");
}

#[test]
fn a_panicking_closure_is_a_panic_join_error() {
    let err =
        solo::block_on(async { spawn_blocking(|| -> u32 { panic!("boom in the pool") }).await })
            .expect_err("the closure panicked");
    assert!(err.is_panic());
    assert!(err.to_string().contains("boom in the pool"), "{err}");
}

#[test]
fn an_aborted_handle_is_cancelled_and_the_pool_lives_on() {
    solo::block_on(async {
        let handle = spawn_blocking(|| thread::sleep(MS(50)));
        handle.abort();
        assert!(handle.await.expect_err("aborted").is_cancelled());
        assert_eq!(spawn_blocking(|| 5).await.expect("pool"), 5);
    });
}

#[test]
fn the_pool_runs_jobs_in_parallel_on_at_most_16_threads() {
    // 64 jobs of 25 ms: one thread would need 1.6 s; 16 threads need at
    // least 4 rounds (100 ms), so finishing sooner would mean more threads.
    let elapsed = solo::block_on(async {
        let start = Instant::now();
        let jobs: Vec<_> = (0..64)
            .map(|i| {
                spawn_blocking(move || {
                    thread::sleep(MS(25));
                    i
                })
            })
            .collect();
        for (i, j) in jobs.into_iter().enumerate() {
            assert_eq!(j.await.expect("job"), i);
        }
        start.elapsed()
    });
    assert!(elapsed >= MS(100), "{elapsed:?}: more than 16 threads?");
    assert!(elapsed < MS(800), "{elapsed:?}: not parallel");
}

#[test]
fn connect_resolves_localhost() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        solo::spawn(async move {
            let (mut peer, _) = listener.accept().await.expect("accept");
            peer.write_all(b"hi").await.expect("write");
        });
        let mut stream = TcpStream::connect(format!("localhost:{port}"))
            .await
            .expect("localhost resolves and one of its addresses answers");
        assert!(stream.peer_addr().expect("peer").ip().is_loopback());
        let mut text = String::new();
        stream.read_to_string(&mut text).await.expect("read");
        assert_eq!(text, "hi");
    });
}

#[test]
fn an_unknown_host_is_an_error() {
    let r = solo::block_on(TcpStream::connect("no-such-host.invalid:80"));
    assert!(r.is_err());
}

#[test]
fn spawn_blocking_outside_a_runtime_panics_with_a_clear_message() {
    let err = std::panic::catch_unwind(|| drop(spawn_blocking(|| 1))).expect_err("no runtime");
    let msg = err
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(msg.contains("outside a runtime"), "{msg}");
}
