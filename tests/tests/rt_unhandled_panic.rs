//! `Builder::unhandled_panic`: what a task's panic does to the runtime.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use solo::runtime::UnhandledPanic;
use solo::time::sleep;
use solo_tests::DropCounter;

fn runtime(policy: UnhandledPanic) -> solo::Runtime {
    solo::Builder::new()
        .unhandled_panic(policy)
        .build()
        .unwrap()
}

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn shutdown_runtime_makes_block_on_panic_with_the_tasks_id_and_message() {
    let rt = runtime(UnhandledPanic::ShutdownRuntime);
    let drops = DropCounter::new();
    let counted = drops.counted();
    let mut failing_id = None;
    let panic = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            // A bystander that would run for an hour.
            solo::spawn(async move {
                let _counted = counted;
                sleep(Duration::from_secs(3600)).await;
            });
            let failing = solo::spawn(async {
                solo::task::yield_now().await;
                panic!("the detached task failed");
            });
            failing_id = Some(failing.id());
            drop(failing); // nobody joins it
            sleep(Duration::from_secs(3600)).await;
        })
    }))
    .expect_err("block_on went on after the task panicked");
    let message = message(panic);
    let id = failing_id.unwrap();
    assert!(message.contains("the detached task failed"), "{message}");
    assert!(message.contains(&format!("task {id}")), "{message}");
    assert_eq!(drops.get(), 1, "the other tasks were not dropped first");
}

#[test]
fn by_default_a_task_panic_goes_to_its_join_handle_only() {
    let rt = runtime(UnhandledPanic::Ignore);
    let value = rt.block_on(async {
        let failing = solo::spawn(async { panic!("kept for the handle") });
        let err = failing.await.unwrap_err();
        assert!(err.is_panic());
        solo::spawn(async { panic!("detached, ignored") });
        sleep(Duration::from_millis(5)).await;
        7
    });
    assert_eq!(value, 7);
}

#[test]
fn with_shutdown_runtime_a_panic_in_block_on_s_own_future_propagates_as_it_is() {
    let rt = runtime(UnhandledPanic::ShutdownRuntime);
    let panic = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { panic!("from the main future") })
    }))
    .unwrap_err();
    assert_eq!(message(panic), "from the main future");
}
