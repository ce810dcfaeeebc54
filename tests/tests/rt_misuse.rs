//! Bad use gets a clear panic message, never UB or a hang.

use std::time::Duration;

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    let msg = panic_message(|| {
        drop(solo::spawn(async {}));
    });
    assert!(msg.contains("outside a runtime"), "{msg}");
}

#[test]
fn nested_block_on_panics_with_a_clear_message() {
    let msg = panic_message(|| {
        solo::block_on(async {
            solo::block_on(async {});
        })
    });
    assert!(msg.contains("inside a running runtime"), "{msg}");
}

#[test]
fn nested_runtime_block_on_panics_too() {
    let msg = panic_message(|| {
        let outer = solo::Runtime::new().unwrap();
        outer.block_on(async {
            let inner = solo::Runtime::new().unwrap();
            inner.block_on(async {});
        })
    });
    assert!(msg.contains("inside a running runtime"), "{msg}");
}

#[test]
fn awaiting_a_join_handle_in_another_runtime_panics() {
    let msg = panic_message(|| {
        let a = solo::Runtime::new().unwrap();
        let b = solo::Runtime::new().unwrap();
        let task = a.spawn(async { solo::time::sleep(Duration::from_secs(1)).await });
        b.block_on(task).ok();
    });
    assert!(msg.contains("outside the runtime that spawned"), "{msg}");
}

#[test]
fn a_socket_used_outside_its_runtime_errors_instead_of_hanging() {
    let listener = solo::block_on(solo::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    // The runtime that registered the listener is gone; a new one must not
    // wait forever on a reactor nobody polls.
    let err = solo::block_on(async { listener.accept().await.map(drop) }).unwrap_err();
    assert!(err.to_string().contains("outside the runtime"), "{err}");
}
