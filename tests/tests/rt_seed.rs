//! Seeded schedules: `Builder::seed`, `Metrics::schedule_fingerprint` and
//! `solo::test::explore`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::{Duration, Instant};

use solo::Builder;

/// Runs a small program of tasks that yield, sleep and wake each other on
/// a paused clock with `seed`, and returns the order of the steps they took
/// and the schedule fingerprint.
fn program(seed: Option<u64>) -> (Vec<(u32, u32)>, Option<u64>) {
    let rt = Builder::new()
        .start_paused(true)
        .seed(seed)
        .build()
        .unwrap();
    let steps = rt.block_on(async {
        let steps = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..6)
            .map(|task| {
                let steps = steps.clone();
                solo::spawn(async move {
                    for step in 0..4 {
                        steps.borrow_mut().push((task, step));
                        if step % 2 == 0 {
                            solo::task::yield_now().await;
                        } else {
                            solo::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        steps.take()
    });
    (steps, rt.metrics().schedule_fingerprint)
}

#[test]
fn one_seed_replays_the_same_schedule_step_for_step() {
    for seed in [0, 1, 42, u64::MAX] {
        let (a, fa) = program(Some(seed));
        let (b, fb) = program(Some(seed));
        assert_eq!(a, b, "seed {seed}: two runs took different steps");
        assert!(fa.is_some());
        assert_eq!(fa, fb, "seed {seed}: two fingerprints");
    }
}

#[test]
fn different_seeds_explore_different_orders() {
    let runs: Vec<_> = (0..20).map(|seed| program(Some(seed))).collect();
    let orders: BTreeSet<_> = runs.iter().map(|(steps, _)| steps.clone()).collect();
    let prints: BTreeSet<_> = runs.iter().map(|(_, print)| *print).collect();
    // 6 tasks in 4 rounds: 20 seeds all but surely give 20 orders.
    assert!(
        orders.len() >= 18,
        "only {} orders in 20 seeds",
        orders.len()
    );
    assert_eq!(prints.len(), orders.len(), "one fingerprint per order");
}

#[test]
fn without_a_seed_the_order_is_fifo_and_there_is_no_fingerprint() {
    let (steps, print) = program(None);
    assert_eq!(print, None);
    // Each round: the tasks in spawn order.
    let want: Vec<_> = (0..4)
        .flat_map(|step| (0..6).map(move |task| (task, step)))
        .collect();
    assert_eq!(steps, want);
}

#[test]
fn timers_due_at_one_instant_fire_in_a_seeded_order() {
    let wake_order = |seed: u64| {
        let rt = Builder::new()
            .start_paused(true)
            .seed(seed)
            .build()
            .unwrap();
        rt.block_on(async {
            let order = Rc::new(RefCell::new(Vec::new()));
            let tasks: Vec<_> = (0..5)
                .map(|i| {
                    let order = order.clone();
                    solo::spawn(async move {
                        solo::time::sleep(Duration::from_secs(1)).await;
                        order.borrow_mut().push(i);
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            order.take()
        })
    };
    assert_eq!(wake_order(3), wake_order(3));
    let orders: BTreeSet<_> = (0..20).map(wake_order).collect();
    assert!(
        orders.len() > 5,
        "{} orders of 5 timers in 20 seeds",
        orders.len()
    );
}

#[test]
fn an_unbiased_select_starts_where_the_seed_says() {
    let winner = |seed: u64| {
        let rt = Builder::new().seed(seed).build().unwrap();
        rt.block_on(async {
            solo::select! {
                _ = async {} => 'a',
                _ = async {} => 'b',
            }
        })
    };
    let winners: Vec<char> = (0..32).map(winner).collect();
    assert_eq!(
        winners,
        (0..32).map(winner).collect::<Vec<_>>(),
        "not replayed"
    );
    assert!(
        winners.contains(&'a') && winners.contains(&'b'),
        "{winners:?}"
    );
}

/// The planted bug: each withdrawal checks the balance, then updates it
/// after an `.await`. Under FIFO the first withdrawal is done before the
/// second is spawned, so the bug never shows; a seeded order can run the
/// second check inside the first one's gap.
async fn bank() {
    let balance = Rc::new(Cell::new(100i64));
    let withdraw = |amount| {
        let balance = balance.clone();
        solo::spawn(async move {
            solo::task::yield_now().await;
            if balance.get() >= amount {
                solo::task::yield_now().await; // the gap
                balance.set(balance.get() - amount);
            }
        })
    };
    let first = withdraw(80);
    // Under FIFO the first withdrawal finishes before the second starts.
    for _ in 0..3 {
        solo::task::yield_now().await;
    }
    let second = withdraw(70);
    first.await.unwrap();
    second.await.unwrap();
    assert!(balance.get() >= 0, "overdrawn: balance {}", balance.get());
}

#[test]
fn under_fifo_the_planted_bug_never_shows() {
    Builder::new()
        .start_paused(true)
        .seed(None)
        .build()
        .unwrap()
        .block_on(bank());
}

#[test]
fn explore_finds_the_planted_bug_and_its_seed_replays_it() {
    let failure = std::panic::catch_unwind(|| solo::test::explore(1000, bank)).unwrap_err();
    let message = failure.downcast_ref::<String>().expect("a message");
    assert!(message.contains("overdrawn: balance -50"), "{message}");
    let seed: u64 = message
        .strip_prefix("failed with seed ")
        .and_then(|rest| rest.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seed in {message:?}"));
    assert!(
        message.contains(&format!("replay with SOLO_SEED={seed}")),
        "{message}"
    );
    // The replay: that seed alone fails the same way, at the same step.
    let replay = || {
        let rt = Builder::new()
            .start_paused(true)
            .seed(seed)
            .build()
            .unwrap();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(bank())));
        let message = *failed.unwrap_err().downcast::<String>().unwrap();
        (message, rt.metrics().schedule_fingerprint)
    };
    let (first, print) = replay();
    assert_eq!(first, "overdrawn: balance -50");
    assert_eq!(replay(), (first, print), "the replay took another schedule");
}

#[test]
fn explore_of_a_passing_test_runs_every_seed_quickly() {
    let runs = Cell::new(0);
    let start = Instant::now();
    solo::test::explore(1000, || {
        runs.set(runs.get() + 1);
        async {
            let a = solo::spawn(async { 1 });
            let b = solo::spawn(async { 2 });
            assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
        }
    });
    assert_eq!(runs.get(), 1000);
    let took = start.elapsed();
    println!("1,000 seeds in {took:?}");
    if !solo_tests::under_valgrind() {
        // "Well under a second" on an idle machine; generous for a busy one.
        assert!(took < Duration::from_secs(10), "1,000 seeds took {took:?}");
    }
}

#[test]
fn explore_returns_the_first_err_as_it_is() {
    let runs = Cell::new(0u64);
    let out: Result<(), String> = solo::test::explore(100, || {
        runs.set(runs.get() + 1);
        let n = runs.get();
        async move {
            if n == 7 {
                Err(format!("run {n}"))
            } else {
                Ok(())
            }
        }
    });
    assert_eq!(out, Err("run 7".to_string()));
    assert_eq!(runs.get(), 7, "explore went on after a failure");
}
