//! Intervals and missed-tick behaviour, exact under the paused clock.

use std::time::Duration;

use solo::time::{self, interval, Instant, MissedTickBehavior};
use solo_tests::paused;

const P: Duration = Duration::from_millis(100);

/// Ticks of an interval whose task was blocked for 350 ms after the first tick.
fn ticks_after_stall(behavior: MissedTickBehavior) -> Vec<Duration> {
    paused(async move {
        let start = Instant::now();
        let mut every = interval(P);
        every.set_missed_tick_behavior(behavior);
        let mut at = vec![every.tick().await - start];
        time::advance(Duration::from_millis(350)).await;
        for _ in 0..4 {
            every.tick().await;
            at.push(Instant::now() - start);
        }
        at
    })
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&m| Duration::from_millis(m)).collect()
}

#[test]
fn first_tick_completes_at_once_and_then_every_period() {
    paused(async {
        let start = Instant::now();
        let mut every = interval(P);
        assert_eq!(every.tick().await, start);
        for k in 1..=5u32 {
            let due = every.tick().await;
            assert_eq!(due - start, P * k);
            assert_eq!(Instant::now() - start, P * k);
        }
    });
}

#[test]
fn burst_fires_missed_ticks_at_once_then_keeps_phase() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Burst),
        ms(&[0, 350, 350, 350, 400])
    );
}

#[test]
fn delay_shifts_the_schedule() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Delay),
        ms(&[0, 350, 450, 550, 650])
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_phase() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Skip),
        ms(&[0, 350, 400, 500, 600])
    );
}

#[test]
fn a_one_hour_interval_runs_in_milliseconds_when_paused() {
    let wall = std::time::Instant::now();
    paused(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(3600));
        for k in 0..4u32 {
            assert_eq!(every.tick().await - start, Duration::from_secs(3600) * k);
        }
    });
    assert!(wall.elapsed() < Duration::from_secs(1));
}

#[test]
#[should_panic(expected = "period must be non-zero")]
fn a_zero_period_is_refused() {
    solo::block_on(async {
        interval(Duration::ZERO);
    });
}
