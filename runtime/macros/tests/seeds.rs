//! `seed = N` and `seeds = N`: seeded schedules under the attributes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

thread_local! {
    static RUNS: Cell<u32> = const { Cell::new(0) };
}

/// The order in which eight ready tasks run.
async fn order() -> Vec<u32> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let order = order.clone();
            solo::spawn(async move { order.borrow_mut().push(i) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    order.take()
}

#[solo::test(seed = 7)]
async fn seed_runs_the_tasks_in_the_seeds_order() {
    let seeded = order().await;
    // A seeded order of 8 tasks is all but never FIFO (and seed 7's is not).
    assert_ne!(seeded, (0..8).collect::<Vec<_>>());
    assert!(solo::runtime::metrics().schedule_fingerprint.is_some());
}

#[solo::test(seeds = 50)]
async fn seeds_runs_the_body_once_per_seed_on_a_paused_clock() {
    RUNS.with(|r| r.set(r.get() + 1));
    let start = solo::time::Instant::now();
    solo::time::sleep(std::time::Duration::from_secs(60)).await;
    assert_eq!(start.elapsed(), std::time::Duration::from_secs(60));
    assert!(solo::runtime::metrics().schedule_fingerprint.is_some());
}

#[test]
fn seeds_ran_fifty_times() {
    // Run here, so that the count is this call's alone.
    RUNS.with(|r| r.set(0));
    seeds_runs_the_body_once_per_seed_on_a_paused_clock();
    assert_eq!(RUNS.with(Cell::get), 50);
}

#[solo::test(seeds = 1000)]
#[should_panic(expected = "replay with SOLO_SEED=")]
async fn seeds_finds_a_lost_update_and_names_its_seed() {
    let total = Rc::new(Cell::new(0));
    let add = |n| {
        let total = total.clone();
        solo::spawn(async move {
            let seen = total.get();
            solo::task::yield_now().await; // the bug: a gap
            total.set(seen + n);
        })
    };
    let a = add(1);
    for _ in 0..2 {
        solo::task::yield_now().await;
    }
    let b = add(2);
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 3, "lost an update");
}

#[solo::test(seeds = 10)]
async fn seeds_works_with_a_result_and_the_question_mark() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "3".parse()?;
    assert_eq!(n, 3);
    Ok(())
}
