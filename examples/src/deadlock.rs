//! Two transfers that lock two accounts in opposite orders: a deadlock.
//! On a paused clock solo notices that nothing can happen any more and
//! panics with a dump that names both tasks, where they were spawned, and
//! how often they ran, instead of hanging.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Duration;

use solo::sync::local::Mutex;

/// One transfer: locks `from`, waits a moment, then locks `to`.
async fn transfer(from: Rc<Mutex<u64>>, to: Rc<Mutex<u64>>, amount: u64) {
    let mut from = from.lock().await;
    solo::time::sleep(Duration::from_millis(1)).await; // the other one locks now
    let mut to = to.lock().await;
    *from -= amount;
    *to += amount;
}

/// Runs the two transfers on a paused runtime whose hang timeout is
/// `timeout`, and returns the hang report (the panic message), or `None`
/// if they finished.
pub fn run(timeout: Duration) -> Option<String> {
    let rt = solo::Builder::new()
        .start_paused(true)
        .hang_timeout(timeout)
        .build()
        .expect("a runtime");
    let result = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            let alice = Rc::new(Mutex::new(100));
            let bob = Rc::new(Mutex::new(100));
            let one = solo::task::Builder::new()
                .name("alice pays bob")
                .spawn(transfer(alice.clone(), bob.clone(), 10))
                .expect("spawned");
            let two = solo::task::Builder::new()
                .name("bob pays alice")
                .spawn(transfer(bob, alice, 20))
                .expect("spawned");
            let _ = one.await;
            let _ = two.await;
        })
    }));
    match result {
        Ok(()) => None,
        Err(payload) => Some(match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(_) => "a panic without a message".to_string(),
        }),
    }
}
