//! `JoinSet`: tasks joined in the order they finish, with tokio's meaning.

use std::cell::Cell;
use std::future::{pending, poll_fn};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{FutureExt, Stream, StreamExt};
use solo::task::{yield_now, JoinSet};
use solo::time::sleep;
use solo_tests::DropCounter;

const HOUR: Duration = Duration::from_secs(3600);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The panic message of a payload (`&str` or `String`).
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[solo::test(start_paused = true)]
async fn results_come_in_the_order_the_tasks_finish() {
    // Joined as they finish, and joined after all have finished (their
    // results then wait together).
    for wait_first in [ms(0), ms(50)] {
        let mut set = JoinSet::new();
        let mut ids = Vec::new();
        for n in [30, 10, 40, 20] {
            let abort = set.spawn(async move {
                sleep(ms(n)).await;
                n
            });
            ids.push((abort.id(), n));
        }
        sleep(wait_first).await;
        let mut done = Vec::new();
        while let Some(result) = set.join_next_with_id().await {
            let (id, n) = result.unwrap();
            assert!(ids.contains(&(id, n)), "task {id} gave {n}");
            done.push(n);
        }
        assert_eq!(done, [10, 20, 30, 40], "after waiting {wait_first:?}");
    }
}

#[solo::test]
async fn join_next_on_an_empty_set_is_none() {
    let mut set = JoinSet::<u32>::new();
    assert!(set.join_next().await.is_none());
    assert!(set.join_next_with_id().await.is_none());
    assert!(set.try_join_next().is_none());
    assert!(poll_fn(|cx| set.poll_join_next(cx)).await.is_none());
    // Emptied by joining, it is None again.
    set.spawn(async { 1 });
    assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    assert!(set.join_next().await.is_none());
}

#[solo::test(start_paused = true)]
async fn a_panicking_task_yields_a_panic_error_and_the_others_still_come() {
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(ms(10)).await;
        1
    });
    let bad = set.spawn(async {
        sleep(ms(20)).await;
        panic!("boom")
    });
    set.spawn(async {
        sleep(ms(30)).await;
        3
    });
    assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    let e = set.join_next().await.unwrap().unwrap_err();
    assert!(e.is_panic(), "{e:?}");
    assert_eq!(e.id(), bad.id());
    assert_eq!(message(&*e.into_panic()), "boom");
    assert_eq!(set.join_next().await.unwrap().unwrap(), 3);
    assert!(set.join_next().await.is_none());
}

#[solo::test(start_paused = true)]
async fn abort_all_makes_pending_tasks_yield_cancelled_errors() {
    let drops = DropCounter::new();
    let mut set = JoinSet::new();
    set.spawn(async { 0 });
    yield_now().await; // the first task finishes
    for _ in 0..3 {
        let c = drops.counted();
        set.spawn(async move {
            let _c = c;
            sleep(HOUR).await;
            1
        });
    }
    set.abort_all();
    assert_eq!(set.len(), 4, "aborted tasks stay in the set until joined");
    let mut ok = Vec::new();
    let mut cancelled = 0;
    while let Some(result) = set.join_next().await {
        match result {
            Ok(n) => ok.push(n),
            Err(e) => {
                assert!(e.is_cancelled(), "{e:?}");
                cancelled += 1;
            }
        }
    }
    assert_eq!((ok, cancelled), (vec![0], 3));
    assert_eq!(drops.get(), 3);
}

#[solo::test(start_paused = true)]
async fn an_abort_handle_from_spawn_cancels_that_task_only() {
    let mut set = JoinSet::new();
    let a = set.spawn(async {
        sleep(ms(10)).await;
        "a"
    });
    set.spawn(async {
        sleep(ms(20)).await;
        "b"
    });
    a.abort();
    let e = set.join_next().await.unwrap().unwrap_err();
    assert!(e.is_cancelled());
    assert_eq!(e.id(), a.id());
    assert_eq!(set.join_next().await.unwrap().unwrap(), "b");
}

#[solo::test(start_paused = true)]
async fn dropping_the_set_aborts_its_running_tasks() {
    let drops = DropCounter::new();
    let mut set = JoinSet::new();
    for _ in 0..5 {
        let c = drops.counted();
        set.spawn(async move {
            let _c = c;
            pending::<()>().await;
        });
    }
    yield_now().await; // they all start
    drop(set);
    assert_eq!(
        drops.get(),
        0,
        "aborted tasks go at the runtime's next turn"
    );
    yield_now().await;
    assert_eq!(drops.get(), 5);
    assert_eq!(solo::runtime::metrics().tasks_alive, 0);
}

#[solo::test(start_paused = true)]
async fn shutdown_aborts_every_task_and_returns_once_each_is_dropped() {
    let drops = DropCounter::new();
    let completed = Rc::new(Cell::new(0));
    let mut set = JoinSet::new();
    for _ in 0..5 {
        let c = drops.counted();
        let completed = completed.clone();
        set.spawn(async move {
            let _c = c;
            sleep(HOUR).await;
            completed.set(completed.get() + 1);
        });
    }
    // A finished task's result (here a panic) is dropped too.
    set.spawn(async { panic!("dropped by shutdown") });
    yield_now().await;
    set.shutdown().await;
    assert_eq!(drops.get(), 5);
    assert_eq!(completed.get(), 0, "shutdown waited instead of aborting");
    assert!(set.is_empty());
    assert_eq!(solo::runtime::metrics().tasks_alive, 0);
}

#[solo::test(start_paused = true)]
async fn detach_all_lets_tasks_run_on_after_the_set_is_dropped() {
    let ran = Rc::new(Cell::new(0));
    let mut set = JoinSet::new();
    for _ in 0..3 {
        let ran = ran.clone();
        set.spawn(async move {
            sleep(ms(10)).await;
            ran.set(ran.get() + 1);
        });
    }
    set.detach_all();
    assert!(set.is_empty());
    assert!(set.try_join_next().is_none());
    drop(set);
    sleep(ms(20)).await;
    assert_eq!(ran.get(), 3);
}

#[solo::test(start_paused = true)]
async fn a_set_reused_after_detach_all_joins_only_its_new_tasks_in_order() {
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(ms(10)).await;
        "detached"
    });
    set.detach_all();
    // The next task takes the detached one's slot. The detached one
    // finishes first: its wake names that slot, but must neither be
    // taken for the new task's result nor hold up the others'.
    set.spawn(async {
        sleep(ms(30)).await;
        "slow"
    });
    set.spawn(async {
        sleep(ms(20)).await;
        "fast"
    });
    sleep(ms(15)).await;
    assert!(set.try_join_next().is_none());
    assert_eq!(set.join_next().await.unwrap().unwrap(), "fast");
    assert_eq!(set.join_next().await.unwrap().unwrap(), "slow");
    assert!(set.join_next().await.is_none());
}

#[solo::test(start_paused = true)]
async fn try_join_next_takes_a_finished_result_without_waiting() {
    let mut set = JoinSet::new();
    set.spawn(async { 1 });
    set.spawn(async {
        sleep(HOUR).await;
        2
    });
    assert!(set.try_join_next().is_none(), "nothing has run yet");
    yield_now().await;
    let (id, n) = set.try_join_next_with_id().unwrap().unwrap();
    assert_eq!(n, 1);
    assert_ne!(id, solo::task::id());
    assert!(set.try_join_next().is_none(), "the other still sleeps");
    assert_eq!(set.len(), 1);
}

#[solo::test(start_paused = true)]
async fn len_and_is_empty_follow_spawns_and_joins() {
    let mut set = JoinSet::new();
    assert_eq!((set.len(), set.is_empty()), (0, true));
    for n in 0..3u64 {
        set.spawn(async move {
            sleep(ms(n)).await;
            n
        });
    }
    assert_eq!((set.len(), set.is_empty()), (3, false));
    yield_now().await;
    sleep(ms(5)).await;
    assert_eq!(set.len(), 3, "finished but not joined tasks count");
    set.join_next().await;
    assert_eq!(set.len(), 2);
    set.join_next().await;
    set.join_next().await;
    assert_eq!((set.len(), set.is_empty()), (0, true));
    assert_eq!(format!("{set:?}"), "JoinSet { len: 0 }");
}

#[solo::test]
async fn spawn_blocking_results_and_panics_are_joined() {
    let mut set = JoinSet::new();
    set.spawn_blocking(|| {
        std::thread::sleep(ms(50));
        "slow"
    });
    set.spawn_blocking(|| "fast");
    set.spawn_blocking(|| panic!("blocking boom"));
    let mut ok = Vec::new();
    let mut panics = Vec::new();
    while let Some(result) = set.join_next().await {
        match result {
            Ok(s) => ok.push(s),
            Err(e) => panics.push(message(&*e.into_panic())),
        }
    }
    ok.sort();
    assert_eq!(ok, ["fast", "slow"]);
    assert_eq!(panics, ["blocking boom"]);
}

#[solo::test(start_paused = true)]
async fn join_all_returns_the_outputs_in_completion_order() {
    let mut set = JoinSet::new();
    for n in [3u64, 1, 2] {
        set.spawn(async move {
            sleep(ms(n)).await;
            n
        });
    }
    assert_eq!(set.join_all().await, [1, 2, 3]);
}

#[solo::test(start_paused = true)]
async fn join_all_resumes_a_tasks_panic_and_aborts_the_rest() {
    let drops = DropCounter::new();
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(ms(10)).await;
        panic!("task boom")
    });
    for _ in 0..3 {
        let c = drops.counted();
        set.spawn(async move {
            let _c = c;
            sleep(HOUR).await;
        });
    }
    let payload = AssertUnwindSafe(set.join_all())
        .catch_unwind()
        .await
        .unwrap_err();
    assert_eq!(message(&*payload), "task boom");
    yield_now().await;
    assert_eq!(drops.get(), 3, "the other tasks were not aborted");
}

#[solo::test(start_paused = true)]
async fn join_all_panics_on_a_cancelled_task() {
    let mut set = JoinSet::new();
    let a = set.spawn(sleep(HOUR));
    a.abort();
    let payload = AssertUnwindSafe(set.join_all())
        .catch_unwind()
        .await
        .unwrap_err();
    assert_eq!(message(&*payload), format!("task {} was cancelled", a.id()));
}

#[solo::test(start_paused = true)]
async fn the_stream_yields_every_result_then_ends() {
    let mut set: JoinSet<u64> = [20u64, 10, 30]
        .into_iter()
        .map(|n| async move {
            sleep(ms(n)).await;
            n
        })
        .collect();
    set.extend([async { 0u64 }]);
    assert_eq!(set.size_hint(), (4, Some(4)));
    let results: Vec<u64> = (&mut set).map(Result::unwrap).collect().await;
    assert_eq!(results, [0, 10, 20, 30]);
    assert!(set.next().await.is_none());
}

#[test]
fn a_join_set_awaited_in_another_runtime_panics_instead_of_hanging() {
    solo_tests::with_deadline(Duration::from_secs(30), || {
        let a = solo::Runtime::new().unwrap();
        let mut set = a.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(sleep(HOUR));
            set
        });
        let payload = std::panic::catch_unwind(AssertUnwindSafe(|| {
            solo::block_on(set.join_next());
        }))
        .unwrap_err();
        let msg = message(&*payload);
        assert!(msg.contains("outside the runtime that spawned"), "{msg}");
        // At home, the same set still works.
        a.block_on(async {
            set.abort_all();
            assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
        });
    });
}

#[solo::test]
async fn the_join_loop_spends_the_cooperative_budget() {
    let n = 1000;
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(async move { i });
    }
    yield_now().await; // all finish
    let other_ran = Rc::new(Cell::new(false));
    let flag = other_ran.clone();
    solo::spawn(async move { flag.set(true) });
    let mut joined = 0;
    while set.join_next().await.is_some() {
        joined += 1;
        if other_ran.get() {
            break;
        }
    }
    assert!(other_ran.get(), "joining {joined} results never yielded");
    assert!(joined < n, "the other task only ran once the set was empty");
}

#[test]
fn a_hundred_thousand_tasks_join_with_constant_work_each() {
    let n = solo_tests::count(100_000, 5_000);
    // Scanning every handle per join would take some 10^10 steps here: a
    // hang, turned into a failure.
    solo_tests::with_deadline(Duration::from_secs(60), move || {
        solo::block_on(async move {
            let mut set = JoinSet::new();
            let start = Instant::now();
            let polls_before = solo::runtime::metrics().polls;
            for i in 0..n {
                set.spawn(async move {
                    // Finish in an order unrelated to spawning.
                    if i % 3 == 0 {
                        yield_now().await;
                    }
                    i
                });
            }
            let mut sum = 0;
            while let Some(result) = set.join_next().await {
                sum += result.unwrap();
            }
            assert_eq!(sum, n * (n - 1) / 2);
            // One poll per task, two for a third of them: the set wakes no
            // task on its own account.
            let polls = solo::runtime::metrics().polls - polls_before;
            assert!(polls <= (n + n / 3 + 1) as u64, "{polls} polls");
            if !solo_tests::under_valgrind() {
                let took = start.elapsed();
                assert!(took < Duration::from_secs(5), "took {took:?}");
            }
        })
    });
}
