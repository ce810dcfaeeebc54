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

/// The instants (from `start`) of `n` ticks after `reset` is applied
/// following the first tick, 4 s into a 10 s interval.
fn ticks_after_reset(reset: fn(&mut time::Interval, Instant), n: usize) -> Vec<Duration> {
    paused(async move {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(10));
        every.tick().await;
        time::advance(Duration::from_secs(4)).await;
        reset(&mut every, start);
        let mut at = Vec::new();
        for _ in 0..n {
            every.tick().await;
            at.push(start.elapsed());
        }
        at
    })
}

fn secs(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&s| Duration::from_secs(s)).collect()
}

#[test]
fn reset_immediately_ticks_at_once_then_every_period_from_then() {
    let at = ticks_after_reset(|i, _| i.reset_immediately(), 3);
    assert_eq!(at, secs(&[4, 14, 24]));
}

#[test]
fn reset_after_ticks_after_that_delay_then_every_period() {
    let at = ticks_after_reset(|i, _| i.reset_after(Duration::from_secs(1)), 3);
    assert_eq!(at, secs(&[5, 15, 25]));
}

#[test]
fn reset_at_ticks_at_the_deadline_then_every_period() {
    let at = ticks_after_reset(|i, start| i.reset_at(start + Duration::from_secs(7)), 2);
    assert_eq!(at, secs(&[7, 17]));
    let past = ticks_after_reset(|i, start| i.reset_at(start), 1);
    assert_eq!(past, secs(&[4]), "a passed deadline ticks at once");
}

#[test]
fn reset_restarts_one_period_from_now() {
    let at = ticks_after_reset(|i, _| i.reset(), 2);
    assert_eq!(at, secs(&[14, 24]));
}
