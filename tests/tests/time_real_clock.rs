//! Timers on the real clock: many sleeps at once, timeout precision, and
//! an interval that keeps its schedule.

use std::future::pending;
use std::time::{Duration, Instant as StdInstant};

use solo::time::{interval, sleep, timeout, Instant};

const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn a_thousand_tasks_sleeping_100ms_sleep_at_the_same_time() {
    let (elapsed, shortest) = solo::block_on(async {
        let start = StdInstant::now();
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                solo::spawn(async move {
                    sleep(MS(100)).await;
                    start.elapsed()
                })
            })
            .collect();
        let mut shortest = Duration::MAX;
        for t in tasks {
            shortest = shortest.min(t.await.expect("sleeper"));
        }
        (start.elapsed(), shortest)
    });
    assert!(shortest >= MS(100), "a sleep returned early: {shortest:?}");
    // One after the other would take 100 s; together, a little over 100 ms.
    // A single sample on a shared machine: 1 s is generous and still proves
    // the sleeps overlapped (a hundredth of the serial time).
    assert!(elapsed < MS(1_000), "{elapsed:?}");
}

#[test]
fn timeout_fires_within_20ms_of_its_deadline() {
    // Five tries; the median must be within 20 ms (one try may lose the
    // CPU on a busy machine), and none may fire early or wildly late.
    let mut lateness: Vec<Duration> = (0..5)
        .map(|_| {
            solo::block_on(async {
                let start = StdInstant::now();
                let r = timeout(MS(50), pending::<()>()).await;
                assert!(r.is_err(), "a pending future cannot finish");
                let elapsed = start.elapsed();
                assert!(elapsed >= MS(50), "fired early: {elapsed:?}");
                elapsed - MS(50)
            })
        })
        .collect();
    lateness.sort();
    assert!(lateness[2] < MS(20), "{lateness:?}");
    assert!(lateness[4] < MS(200), "{lateness:?}");
}

#[test]
fn timeout_lets_a_fast_future_through() {
    let r = solo::block_on(timeout(MS(500), async {
        sleep(MS(10)).await;
        7
    }));
    assert_eq!(r.ok(), Some(7));
}

#[test]
fn interval_keeps_its_period_over_50_ticks_without_drift() {
    let period = MS(10);
    let (start, due, last_lateness, total) = solo::block_on(async {
        let start = Instant::now();
        let mut every = interval(period);
        let mut due = Vec::new();
        let mut lateness = Duration::ZERO;
        for _ in 0..50 {
            let d = every.tick().await;
            lateness = Instant::now() - d;
            due.push(d);
        }
        (start, due, lateness, start.elapsed())
    });
    // The schedule is start + k * period, exactly: no drift accumulates.
    for (k, d) in due.iter().enumerate() {
        assert_eq!(*d - due[0], period * k as u32, "tick {k}");
    }
    // Single samples on a shared machine, so generous bounds: drift itself
    // is checked exactly above, these only catch a tick that is wildly late
    // (a drifting or stalled timer, or a first tick a period late).
    assert!(due[0] - start < MS(100), "the first tick is at once");
    assert!(
        last_lateness < MS(100),
        "last tick late by {last_lateness:?}"
    );
    // 49 periods after the first tick, plus the first tick's delay and the
    // last tick's lateness.
    assert!(total >= period * 49, "{total:?}");
    assert!(total < period * 49 + MS(200), "{total:?}");
}
