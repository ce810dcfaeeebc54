//! A runtime kept in a thread-local is dropped by the thread's TLS
//! destructors, possibly after solo's own thread-local is gone.

use std::cell::RefCell;
use std::thread;

thread_local! {
    static KEPT: RefCell<Option<solo::Runtime>> = const { RefCell::new(None) };
}

#[test]
fn a_runtime_dropped_by_a_thread_local_destructor_does_not_abort() {
    let worker = thread::spawn(|| {
        // Touch `KEPT` first: thread-locals are destroyed in reverse order
        // of first use, so solo's own (first used by `block_on` below) is
        // destroyed before `KEPT` drops the runtime.
        KEPT.with(|kept| assert!(kept.borrow().is_none()));
        let rt = solo::Runtime::new().expect("a runtime");
        assert_eq!(rt.block_on(async { 1 + 1 }), 2);
        KEPT.with(|kept| *kept.borrow_mut() = Some(rt));
    });
    // Before the fix the whole test process aborted here ("thread local
    // panicked on drop"), so reaching the assertion is the property.
    assert!(worker.join().is_ok());
}
