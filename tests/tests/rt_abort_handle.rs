//! `AbortHandle`: abort a task from any thread.

use std::time::Duration;

use solo::task::{yield_now, AbortHandle};
use solo::time::sleep;
use solo_tests::DropCounter;

#[test]
fn an_abort_handle_is_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<AbortHandle>();
}

#[test]
fn abort_from_another_thread_cancels_a_pending_task_and_drops_its_future() {
    let drops = DropCounter::new();
    solo::block_on(async {
        let counted = drops.counted();
        let task = solo::spawn(async move {
            let _counted = counted;
            sleep(Duration::from_secs(3600)).await;
        });
        yield_now().await; // the task starts and sleeps
        let abort = task.abort_handle();
        assert!(!abort.is_finished());
        std::thread::spawn(move || abort.abort()).join().unwrap();
        let err = solo::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the aborted task never stopped")
            .unwrap_err();
        assert!(err.is_cancelled());
    });
    assert_eq!(drops.get(), 1);
}

#[test]
fn is_finished_turns_true_on_another_thread_once_the_task_completes() {
    solo::block_on(async {
        let task = solo::spawn(async { 7 });
        let abort = task.abort_handle();
        let watcher = std::thread::spawn(move || {
            let start = std::time::Instant::now();
            while !abort.is_finished() {
                assert!(start.elapsed() < Duration::from_secs(5), "never finished");
                std::thread::yield_now();
            }
        });
        assert_eq!(task.await.unwrap(), 7);
        watcher.join().unwrap();
    });
}

#[test]
fn abort_of_a_finished_task_keeps_its_output() {
    solo::block_on(async {
        let task = solo::spawn(async { "done" });
        let abort = task.abort_handle();
        while !task.is_finished() {
            yield_now().await;
        }
        abort.abort();
        assert_eq!(task.await.unwrap(), "done");
        assert!(abort.is_finished());
    });
}

#[test]
fn an_abort_handle_outlives_its_runtime_harmlessly() {
    let rt = solo::Runtime::new().unwrap();
    let task = rt.spawn(sleep(Duration::from_secs(3600)));
    let abort = task.abort_handle();
    assert_eq!(abort.id(), task.id());
    drop(task);
    drop(rt); // the task is dropped with its runtime
    assert!(abort.is_finished());
    std::thread::spawn(move || {
        abort.abort(); // nothing left to stop: no panic
        drop(abort);
    })
    .join()
    .unwrap();
}

#[test]
fn an_aborted_task_counts_as_finished_only_after_its_runtime_drops_it() {
    solo::block_on(async {
        let task = solo::spawn(sleep(Duration::from_secs(3600)));
        yield_now().await;
        let abort = task.abort_handle();
        abort.abort();
        assert!(
            !abort.is_finished(),
            "finished before the runtime dropped it"
        );
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(abort.is_finished());
    });
}
