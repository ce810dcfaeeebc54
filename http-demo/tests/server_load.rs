//! The server under many connections: thousands held idle do not slow a
//! new client and are closed after the idle timeout; the demo client's
//! concurrent GETs, round after round, all succeed in bounded time and
//! memory stays flat.
//!
//! Short form by default (a few seconds in debug builds). `SOLO_LONG=1`
//! runs the long form of the load test: 5,000 concurrent connections for
//! 10 s (`SOLO_LONG=1 cargo test -p http-demo --test server_load --release`).
//!
//! Its own test binary: both tests raise the open-file limit and the load
//! test reads this process's RSS.
#![cfg(unix)]

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use http_demo::demo::{self, Options};
use http_demo::server::{self, Config};
use solo_tests::rss_bytes;

mod common;

/// The two tests each need most of the open-file limit: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Descriptors kept free for the test harness, the runtimes and the probes.
const SPARE_FDS: u64 = 256;

/// Raises the soft open-file limit to the hard one (with http-demo's own
/// helper) and returns how many connections with both ends in this process
/// fit under it, at most `wanted`.
fn connections_that_fit(wanted: usize) -> usize {
    // An error only means fewer than `needed` fit; the limit is raised anyway.
    let needed = 2 * wanted as u64 + SPARE_FDS;
    if let Err(e) = demo::ensure_descriptors(needed) {
        println!("scaling down: {e}");
    }
    let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    let fit = (soft.saturating_sub(SPARE_FDS) / 2) as usize;
    assert!(
        fit >= 100,
        "an open-file limit of {soft} is too low to test"
    );
    wanted.min(fit)
}

fn long_form() -> bool {
    std::env::var_os("SOLO_LONG").is_some_and(|v| v == "1")
}

/// One GET on a new connection; the time to the complete response.
fn probe(addr: SocketAddr) -> Duration {
    let start = Instant::now();
    common::get_two_bytes(&mut TcpStream::connect(addr).unwrap());
    start.elapsed()
}

/// Waits (polling, up to `limit`) until `done()` holds; whether it did.
fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn ten_thousand_idle_connections_neither_slow_a_new_client_nor_outlive_the_idle_timeout() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let idle_timeout = Duration::from_secs(4);
    let mut config = Config::default();
    config.idle_timeout = idle_timeout;
    let server = server::spawn_thread("127.0.0.1:0", config).unwrap();
    let addr = server.local_addr();
    let n = connections_that_fit(10_000);
    println!("holding {n} idle connections");

    let start = Instant::now();
    let idle: Vec<TcpStream> = (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect();
    assert!(
        wait_until(Duration::from_secs(30), || server.stats().open == n),
        "only {:?} of {n} connections accepted",
        server.stats()
    );
    let all_open = start.elapsed();
    assert!(
        all_open < idle_timeout,
        "opening {n} connections took {all_open:?}, longer than the idle timeout"
    );

    // A new client is answered at once, idle crowd or not (best of three,
    // against scheduler noise on a busy machine).
    let best = (0..3).map(|_| probe(addr)).min().unwrap();
    assert!(
        best < Duration::from_millis(100),
        "with {n} idle connections a new client waited {best:?}"
    );
    // (The last probe's connection may not be counted closed yet.)
    let stats = server.stats();
    assert!(
        stats.open >= n,
        "idle connections closed too early: {stats:?}"
    );

    // Past the timeout the server closes every one of them: each client
    // end reads end-of-stream.
    assert!(
        wait_until(idle_timeout + Duration::from_secs(10), || {
            server.stats().open == 0
        }),
        "idle connections still open long after the timeout: {:?}",
        server.stats()
    );
    let closed_after = start.elapsed();
    assert!(
        closed_after >= idle_timeout,
        "closed after {closed_after:?}, before the {idle_timeout:?} timeout"
    );
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(s.read(&mut buf).unwrap(), 0, "the server did not close");
    }
}

#[test]
fn concurrent_gets_round_after_round_all_succeed_and_memory_stays_flat() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (wanted, run_for) = if long_form() {
        (5_000, Duration::from_secs(10))
    } else {
        (1_000, Duration::from_secs(4))
    };
    let server = server::spawn_thread("127.0.0.1:0", Config::default()).unwrap();
    let url = format!("http://{}/delay/10", server.local_addr());
    let concurrency = connections_that_fit(wanted);
    // A stuck request fails its round at this deadline instead of hanging.
    let request_timeout = Duration::from_secs(10);
    let mut options = Options::new(concurrency);
    options.timeout = request_timeout;

    let start = Instant::now();
    let mut rounds = 0;
    let mut after_first = None;
    let mut slowest = Duration::ZERO;
    // At least three rounds, then until the time is up (bounded in count).
    while rounds < 3 || (start.elapsed() < run_for && rounds < 1_000) {
        let report = demo::run_concurrent(&url, &options).unwrap();
        assert!(
            report.all_ok(),
            "round {rounds}: {} of {} failed: {:?}",
            report.failures,
            report.requests,
            report.failure_examples
        );
        slowest = slowest.max(report.percentile(100.0).unwrap());
        if after_first.is_none() {
            after_first = rss_bytes();
        }
        rounds += 1;
    }
    let after_last = rss_bytes();
    println!(
        "{rounds} rounds of {concurrency} concurrent GETs in {:?}, slowest {slowest:?}, \
         RSS {after_first:?} -> {after_last:?}",
        start.elapsed()
    );
    assert!(slowest < request_timeout);
    let stats = server.stats();
    assert_eq!(stats.requests, rounds * concurrency, "{stats:?}");
    // Connecting a thousand sockets takes longer than one 10 ms delay in a
    // debug build, so not all overlap (about two thirds did here, on a busy
    // two-core machine); a tenth at least must, or this was no load test.
    assert!(
        stats.max_in_flight >= concurrency / 10,
        "the requests hardly overlapped: {stats:?}"
    );
    if let (Some(first), Some(last)) = (after_first, after_last) {
        assert!(
            last <= first + first / 5,
            "RSS grew from {first} to {last} bytes over {rounds} rounds"
        );
    } else {
        println!("RSS not readable on this platform: memory check skipped");
    }
}
