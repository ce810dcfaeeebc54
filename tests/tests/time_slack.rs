//! `Builder::timer_slack`: timers due close together share a wake-up, a
//! lone timer still wakes the loop at its deadline, and no sleep ends early.
//! Real-clock tests with generous bounds (listed in `.ci/run`'s
//! VALGRIND_TIMING), and one on the paused clock.

use std::time::{Duration, Instant as StdInstant};

use solo::time::{sleep, sleep_until, Instant};

const MS: fn(u64) -> Duration = Duration::from_millis;
const US: fn(u64) -> Duration = Duration::from_micros;

fn runtime(slack: Duration) -> solo::Runtime {
    solo::Builder::new().timer_slack(slack).build().unwrap()
}

/// Spawns `n` tasks sleeping until `start + first + i * step`; returns how
/// many times the loop polled the reactor until all were done.
fn parks_for_spread_timers(slack: Duration, n: u32, first: Duration, step: Duration) -> u64 {
    runtime(slack).block_on(async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let deadline = start + first + step * i;
                solo::spawn(async move {
                    sleep_until(deadline).await;
                    let now = Instant::now();
                    assert!(now >= deadline, "woke {:?} early", deadline - now);
                })
            })
            .collect();
        solo::task::yield_now().await; // every task sets its timer
        let before = solo::runtime::metrics().parks;
        for t in tasks {
            t.await.unwrap();
        }
        solo::runtime::metrics().parks - before
    })
}

#[test]
fn timers_within_the_slack_fire_in_one_wake_up() {
    // 25 deadlines 2 ms apart, 48 ms in all, under a 200 ms slack: one
    // blocking park covers them (a few more non-blocking ones while the
    // woken tasks run are allowed).
    let parks = parks_for_spread_timers(MS(200), 25, MS(10), MS(2));
    assert!(parks <= 5, "{parks} parks for timers within one slack");
}

#[test]
fn a_dense_stream_of_timers_widens_the_window_to_four_slacks() {
    // 200 deadlines 1 ms apart under a 10 ms slack: ten per slack. A
    // window fixed at the slack would wake the loop about 20 times; one
    // that widens to 40 ms after the first crowded wake-ups, about 8.
    let parks = parks_for_spread_timers(MS(10), 200, MS(10), MS(1));
    assert!(
        parks <= 13,
        "{parks} parks: the window did not widen for a dense stream"
    );
}

#[test]
fn a_zero_slack_wakes_for_each_deadline() {
    // The same timers without slack: the loop wakes for them one by one
    // (some may share a wake-up if the machine is busy and the loop slow
    // to get back).
    let parks = parks_for_spread_timers(Duration::ZERO, 25, MS(10), MS(2));
    assert!(
        parks >= 8,
        "only {parks} parks: zero slack coalesced timers"
    );
}

#[test]
fn a_lone_timer_wakes_the_loop_at_its_deadline_not_a_slack_later() {
    // With a 200 ms slack, a timer alone in its window still fires on time.
    let late = runtime(MS(200)).block_on(async {
        let start = StdInstant::now();
        sleep(MS(5)).await;
        start.elapsed() - MS(5)
    });
    assert!(late < MS(100), "a lone timer fired {late:?} late");
}

#[test]
fn no_sleep_ends_before_its_deadline_whatever_the_slack() {
    for slack in [Duration::ZERO, US(50), MS(3)] {
        runtime(slack).block_on(async {
            let tasks: Vec<_> = (0..2000u64)
                .map(|i| {
                    let d = US(i * 7919 % 20_000);
                    solo::spawn(async move {
                        let start = StdInstant::now();
                        sleep(d).await;
                        let took = start.elapsed();
                        assert!(took >= d, "sleep({d:?}) ended after {took:?}");
                        took - d
                    })
                })
                .collect();
            let mut latest = Duration::ZERO;
            for t in tasks {
                latest = latest.max(t.await.unwrap());
            }
            // Lateness is bounded by the slack plus the loop's own delay.
            assert!(
                latest < slack + MS(500),
                "slack {slack:?}: a sleep ended {latest:?} late"
            );
        });
    }
}

#[test]
fn a_paused_clock_ignores_the_slack() {
    let rt = solo::Builder::new()
        .timer_slack(MS(50))
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let a = solo::spawn(async move {
            sleep(MS(10)).await;
            start.elapsed()
        });
        let b = solo::spawn(async move {
            sleep(MS(30)).await;
            start.elapsed()
        });
        assert_eq!(a.await.unwrap(), MS(10));
        assert_eq!(b.await.unwrap(), MS(30));
    });
}
