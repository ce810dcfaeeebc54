//! `solo::join!` and `solo::try_join!`.

use std::time::Duration;

use solo::time::{self, sleep, Instant};
use solo_tests::{paused, DropCounter};

#[solo::test(start_paused = true)]
async fn join_yields_every_output_in_order_after_the_slowest() {
    let start = Instant::now();
    let (a, b, c) = solo::join!(
        async {
            sleep(Duration::from_secs(3)).await;
            1u8
        },
        async {
            sleep(Duration::from_secs(1)).await;
            "two"
        },
        async { 3.0f64 },
    );
    assert_eq!((a, b, c), (1, "two", 3.0));
    assert_eq!(start.elapsed(), Duration::from_secs(3), "not concurrent");
}

#[solo::test]
async fn join_of_one_future_and_a_trailing_comma() {
    let (only,) = solo::join!(async { 5 },);
    assert_eq!(only, 5);
}

#[test]
fn dropping_a_join_drops_the_futures_that_have_not_finished() {
    let drops = DropCounter::new();
    paused(async {
        let (a, b) = (drops.counted(), drops.counted());
        let joined = time::timeout(Duration::from_secs(1), async move {
            solo::join!(
                async move {
                    let _a = a;
                    sleep(Duration::from_secs(3600)).await;
                },
                async move {
                    let _b = b;
                },
            )
        })
        .await;
        assert!(joined.is_err());
    });
    assert_eq!(drops.get(), 2);
}

#[solo::test]
async fn try_join_yields_ok_of_every_value() {
    let r: Result<(u8, &str), ()> = solo::try_join!(async { Ok(1) }, async { Ok("x") });
    assert_eq!(r, Ok((1, "x")));
}

#[test]
fn try_join_returns_the_first_error_at_once_and_drops_the_rest() {
    let drops = DropCounter::new();
    paused(async {
        let start = Instant::now();
        let pending = drops.counted();
        let r: Result<((), u8), String> = solo::try_join!(
            async move {
                let _pending = pending;
                sleep(Duration::from_secs(3600)).await;
                Ok(())
            },
            async {
                sleep(Duration::from_secs(1)).await;
                Err("failed".to_string())
            },
        );
        assert_eq!(r, Err("failed".to_string()));
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "waited past the error"
        );
        assert_eq!(drops.get(), 1, "the other future outlived the error");
    });
}

#[solo::test]
async fn the_callers_own_variables_named_like_the_macros_are_not_shadowed() {
    let f = 3;
    let done = true;
    let (a, b) = solo::join!(async move { f }, async move { (f + 1, done) });
    assert_eq!((a, b), (3, (4, true)));
}
