//! The timing examples (`sleepers`, `mock_io`): exact under a paused clock,
//! and within generous bounds on the real clock.

use std::time::Duration;

use examples::{mock_io, sleepers};

use solo_tests::paused;

const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn sleepers_take_the_longest_sleep_not_the_sum() {
    let wall = std::time::Instant::now();
    let report = paused(sleepers::run(&[
        Duration::from_secs(2),
        Duration::from_secs(3),
    ]));
    assert_eq!(report.total, Duration::from_secs(3));
    assert_eq!(
        report.results,
        ["task 1 slept 2.00 s", "task 2 slept 3.00 s"]
    );
    assert!(
        wall.elapsed() < Duration::from_secs(1),
        "{:?}",
        wall.elapsed()
    );
}

#[test]
fn sleepers_overlap_on_the_real_clock() {
    // Four equal sleeps: 200 ms if they overlap, 800 ms one after the other.
    // The bound sits halfway, 300 ms of slack either way for a noisy machine.
    let report = solo::block_on(sleepers::run(&[MS(200); 4]));
    assert!(report.total >= MS(200), "{:?}", report.total);
    assert!(
        report.total < MS(500),
        "{:?} is closer to the sum",
        report.total
    );
}

#[test]
fn mock_io_concurrent_takes_one_latency_sequential_takes_three() {
    let latency = Duration::from_secs(3);
    let (c, s) = paused(async {
        (
            mock_io::concurrent(3, latency).await,
            mock_io::sequential(3, latency).await,
        )
    });
    assert_eq!(c.responses, [200, 200, 200]);
    assert_eq!(c.total, latency);
    assert_eq!(s.responses, [200, 200, 200]);
    assert_eq!(s.total, latency * 3);
}

#[test]
fn mock_io_overlaps_on_the_real_clock() {
    // Five requests of 150 ms: 150 ms concurrently, 750 ms sequentially. The
    // concurrent bound sits halfway, 300 ms of slack either way.
    let (c, s) = solo::block_on(async {
        (
            mock_io::concurrent(5, MS(150)).await,
            mock_io::sequential(5, MS(150)).await,
        )
    });
    assert_eq!(c.responses, [200; 5]);
    assert_eq!(s.responses, [200; 5]);
    assert!(c.total >= MS(150) && c.total < MS(450), "{:?}", c.total);
    assert!(s.total >= MS(750), "{:?}", s.total);
}
