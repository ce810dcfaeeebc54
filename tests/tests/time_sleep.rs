//! Sleeps and timeouts on the real clock.

use std::time::{Duration, Instant};

use solo::time::{sleep, sleep_until, timeout};
use solo::Runtime;

#[test]
fn three_sleeps_of_300ms_finish_together_in_300_to_400ms() {
    let start = Instant::now();
    solo::block_on(async {
        let tasks: Vec<_> = (0..3)
            .map(|_| solo::spawn(sleep(Duration::from_millis(300))))
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(400), "{took:?}");
}

#[solo::test]
async fn sleep_never_returns_early() {
    let tasks: Vec<_> = (0..200u64)
        .map(|i| {
            solo::spawn(async move {
                let d = Duration::from_micros(i * 137 % 5000);
                let start = Instant::now();
                sleep(d).await;
                (start.elapsed(), d)
            })
        })
        .collect();
    for t in tasks {
        let (took, asked) = t.await.unwrap();
        assert!(took >= asked, "slept {took:?} for {asked:?}");
    }
}

#[solo::test]
async fn sleep_until_a_past_deadline_completes_at_once() {
    let start = Instant::now();
    sleep_until(solo::time::Instant::now() - Duration::from_secs(1)).await;
    assert!(start.elapsed() < Duration::from_millis(50));
}

#[solo::test]
async fn a_huge_sleep_does_not_overflow() {
    let r = timeout(Duration::from_millis(10), sleep(Duration::MAX)).await;
    assert!(r.is_err());
}

#[test]
fn dropped_sleeps_free_their_timer_slots() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let mut sleeps: Vec<_> = (0..1000)
            .map(|_| Box::pin(sleep(Duration::from_secs(3600))))
            .collect();
        for s in &mut sleeps {
            // Register each timer with one poll.
            assert!(futures_lite::future::poll_once(s.as_mut()).await.is_none());
        }
        drop(sleeps);
    });
    let m = rt.metrics();
    assert_eq!((m.timers_pending, m.timers_stored), (0, 0), "{m:?}");
}

#[test]
fn timeout_returns_elapsed_and_drops_the_inner_future() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let r = timeout(Duration::from_millis(30), sleep(Duration::from_secs(60))).await;
        assert!(r.is_err());
        assert_eq!(r.unwrap_err().to_string(), "deadline has elapsed");
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(30) && took < Duration::from_millis(200),
            "{took:?}"
        );
        assert_eq!(timeout(Duration::from_millis(30), async { 7 }).await, Ok(7));
    });
    assert_eq!(rt.metrics().timers_stored, 0);
}

#[test]
fn an_always_ready_task_cannot_starve_a_timer() {
    // A starving loop would never let the sleep finish: the deadline turns
    // that hang into a failure.
    solo_tests::with_deadline(Duration::from_secs(10), || {
        // The best of three tries: a loaded machine may deschedule the thread
        // once, but a starving loop would be late every time (by the whole run).
        let lateness = (0..3)
            .map(|_| {
                solo::block_on(async {
                    let spinner = solo::spawn(async {
                        loop {
                            solo::task::yield_now().await;
                        }
                    });
                    let start = Instant::now();
                    sleep(Duration::from_millis(50)).await;
                    let late = start.elapsed() - Duration::from_millis(50);
                    spinner.abort();
                    late
                })
            })
            .min()
            .unwrap_or_default();
        assert!(
            lateness < Duration::from_millis(10),
            "timer fired {lateness:?} late"
        );
    });
}

#[cfg(unix)]
#[test]
fn ten_thousand_idle_sleepers_cost_little_cpu() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let tasks: Vec<_> = (0..10_000)
            .map(|_| solo::spawn(sleep(Duration::from_secs(2))))
            .collect();
        solo::task::yield_now().await; // all registered
        if solo_tests::under_valgrind() {
            // rustix's vDSO clock_gettime crashes under valgrind
            // (bytecodealliance/rustix#1559), and valgrind's CPU cost is not
            // ours to measure anyway.
            println!("under valgrind: CPU measurement skipped");
            for t in tasks {
                t.await.unwrap();
            }
            return;
        }
        let cpu = solo_tests::thread_cpu_time();
        for t in tasks {
            t.await.unwrap();
        }
        let used = solo_tests::thread_cpu_time() - cpu;
        // Waking and finishing 10,000 tasks costs about 15 ms in a debug
        // build; a busy loop would burn most of the 2 s. 200 ms leaves room
        // for a noisy machine (cache misses, preemption) and still tells the
        // two apart by a factor of ten.
        assert!(
            used < Duration::from_millis(200),
            "waiting cost {used:?} of CPU"
        );
    });
    let m = rt.metrics();
    assert_eq!(m.timers_fired, 10_000);
    // The thread slept in the kernel, not in a busy loop. The idle benchmark
    // sees 44 to 206 parks for this same load (timer-wheel rounding, spurious
    // wake-ups), so a bound of 100 could fail a correct runtime; a busy loop
    // parks with a zero timeout, hundreds of thousands of times in 2 s.
    assert!(m.parks < 1_000, "{m:?}");
}

#[test]
fn a_sleep_moved_to_another_runtime_still_completes() {
    let a = Runtime::new().unwrap();
    let mut s = Box::pin(sleep(Duration::from_millis(30)));
    a.block_on(async {
        assert!(futures_lite::future::poll_once(s.as_mut()).await.is_none());
    });
    let b = Runtime::new().unwrap();
    let finished = b.block_on(timeout(Duration::from_secs(5), s));
    assert!(finished.is_ok(), "the moved sleep never fired");
    assert_eq!(
        a.metrics().timers_stored,
        0,
        "the old runtime's timer was freed"
    );
}

#[solo::test]
async fn a_sleep_reset_to_a_passed_deadline_is_ready_at_its_next_poll() {
    let mut sleep = Box::pin(solo::time::sleep(Duration::from_millis(100)));
    assert!(futures_lite::future::poll_once(sleep.as_mut())
        .await
        .is_none());
    sleep.as_mut().reset(solo::time::Instant::now());
    assert!(sleep.is_elapsed());
    assert!(
        futures_lite::future::poll_once(sleep.as_mut())
            .await
            .is_some(),
        "elapsed, but the next poll was pending"
    );
}
