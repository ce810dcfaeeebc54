//! `solo::select!`: the first branch to complete wins, the others are
//! dropped; patterns, preconditions, `else` and `biased;`.

use std::collections::HashSet;
use std::time::Duration;

use solo::time::{sleep, Instant};
use solo_tests::{paused, DropCounter};

#[test]
fn the_first_future_to_complete_wins_and_the_others_are_dropped() {
    let drops = DropCounter::new();
    paused(async {
        let start = Instant::now();
        let slow = drops.counted();
        let winner = solo::select! {
            _ = async move {
                let _slow = slow;
                sleep(Duration::from_secs(10)).await;
            } => "slow",
            _ = sleep(Duration::from_secs(1)) => {
                assert_eq!(drops.get(), 1, "the loser was still alive when the handler ran");
                "fast"
            }
        };
        assert_eq!(winner, "fast");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            drops.get(),
            1,
            "the loser was not dropped when the winner ran"
        );
    });
}

#[solo::test(start_paused = true)]
async fn a_branch_whose_pattern_does_not_match_is_disabled_and_the_others_go_on() {
    let got = solo::select! {
        Some(x) = async { None::<u32> } => x,
        v = async {
            sleep(Duration::from_secs(1)).await;
            7
        } => v,
    };
    assert_eq!(got, 7);
}

#[test]
fn else_runs_once_every_branch_is_disabled_and_without_it_select_panics() {
    solo::block_on(async {
        let got = solo::select! {
            Some(x) = async { None::<u32> } => x,
            Ok(x) = async { Err::<u32, ()>(()) } => x,
            else => 99,
        };
        assert_eq!(got, 99);
    });
    let panicked = std::panic::catch_unwind(|| {
        solo::block_on(async {
            solo::select! {
                Some(x) = async { None::<u32> } => x,
            }
        })
    });
    assert!(panicked.is_err());
}

#[solo::test(start_paused = true)]
async fn a_false_precondition_disables_its_branch_without_polling_it() {
    let polled = std::cell::Cell::new(false);
    let got = solo::select! {
        _ = async { polled.set(true); }, if false => "disabled",
        _ = sleep(Duration::from_millis(5)), if true => "enabled",
    };
    assert_eq!(got, "enabled");
    assert!(!polled.get(), "a disabled branch was polled");
}

#[solo::test]
async fn biased_polls_in_order_and_unbiased_starts_anywhere() {
    for _ in 0..50 {
        let first = solo::select! {
            biased;
            _ = async {} => 0,
            _ = async {} => 1,
            _ = async {} => 2,
        };
        assert_eq!(first, 0);
    }
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let first = solo::select! {
            _ = async {} => 0,
            _ = async {} => 1,
            _ = async {} => 2,
        };
        seen.insert(first);
    }
    assert_eq!(
        seen.len(),
        3,
        "unbiased select! always picked from {seen:?}"
    );
}

#[solo::test(start_paused = true)]
async fn handlers_run_in_the_callers_context_and_may_await_break_and_use_the_value() {
    let (tx, rx) = solo::sync::unbounded::<u32>();
    solo::spawn(async move {
        for i in 1..=3 {
            sleep(Duration::from_millis(10)).await;
            tx.send(i).await.unwrap();
        }
    });
    let mut sum = 0;
    loop {
        solo::select! {
            Ok(i) = rx.recv() => {
                sleep(Duration::from_millis(1)).await;
                sum += i;
            }
            _ = sleep(Duration::from_secs(1)) => break,
        }
    }
    assert_eq!(sum, 6);
}

#[solo::test]
async fn futures_need_not_be_unpin_or_fused_and_blocks_work_as_handlers() {
    let not_unpin = async {
        solo::task::yield_now().await;
        5
    };
    let got = solo::select! {
        x = not_unpin => { x * 2 }
        _ = std::future::pending::<()>() => { 0 }
    };
    assert_eq!(got, 10);
}
