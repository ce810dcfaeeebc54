//! Memory stays flat under churn. Alone in its own test binary: RSS is
//! per process, and other tests running in parallel would move it.

use std::time::Duration;

use solo::time::sleep;

#[cfg(target_os = "linux")]
fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
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
