//! Memory stays flat under churn. Alone in its own test binary: RSS is
//! per process, and other tests running in parallel would move it.

#[cfg(target_os = "linux")]
use std::time::Duration;

#[cfg(target_os = "linux")]
use solo::time::sleep;

/// Measured, or the test fails: a reading of 0 would pass without checking.
#[cfg(target_os = "linux")]
fn rss_bytes() -> u64 {
    solo_tests::rss_bytes().expect("RSS from /proc/self/status")
}

#[cfg(target_os = "linux")]
#[test]
fn memory_stays_flat_under_spawn_and_sleep_churn() {
    // Under valgrind: 20,000 cycles, and no RSS check (valgrind's own
    // memory moves RSS); leaks then show up in valgrind's report instead.
    let cycles = solo_tests::count(1_000_000, 20_000);
    solo::block_on(async {
        let mut after_warmup = 0;
        for i in 0..cycles {
            if i == 10_000 {
                after_warmup = rss_bytes();
            }
            // One spawn/complete cycle and one sleep/cancel cycle.
            solo::spawn(async move { i }).await.unwrap();
            let mut s = Box::pin(sleep(Duration::from_secs(3600)));
            assert!(futures_lite::future::poll_once(s.as_mut()).await.is_none());
            drop(s);
        }
        let end = rss_bytes();
        if solo_tests::under_valgrind() {
            println!("under valgrind: RSS check skipped ({after_warmup} -> {end} bytes)");
        } else {
            assert!(
                end <= after_warmup + after_warmup / 10,
                "RSS grew from {after_warmup} to {end} bytes over {cycles} cycles"
            );
        }
        let m = solo::runtime::metrics();
        assert_eq!((m.tasks_alive, m.timers_stored), (0, 0), "{m:?}");
    });
}

#[cfg(not(target_os = "linux"))]
#[test]
fn memory_stays_flat_under_spawn_and_sleep_churn() {
    println!("skipped: RSS is read from /proc, which only Linux has here");
}
