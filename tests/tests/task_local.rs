//! `task_local!`: values that belong to a future, not to a thread.

use std::cell::Cell;
use std::rc::Rc;

use solo::task::yield_now;

solo::task_local! {
    static NUMBER: u32;
    static NAME: String;
}

#[test]
fn a_scoped_value_survives_across_awaits() {
    solo::block_on(async {
        NUMBER
            .scope(1, async {
                for _ in 0..3 {
                    yield_now().await;
                    assert_eq!(NUMBER.get(), 1);
                }
            })
            .await;
    });
}

#[test]
fn a_value_set_in_one_task_is_invisible_in_another() {
    solo::block_on(async {
        // Two tasks interleave on one thread, each with its own value, and
        // a third with none.
        let a = solo::spawn(NUMBER.scope(10, async {
            for _ in 0..5 {
                assert_eq!(NUMBER.get(), 10);
                yield_now().await;
            }
        }));
        let b = solo::spawn(NUMBER.scope(20, async {
            for _ in 0..5 {
                assert_eq!(NUMBER.get(), 20);
                yield_now().await;
            }
        }));
        let none = solo::spawn(async {
            for _ in 0..5 {
                assert!(NUMBER.try_with(|_| ()).is_err(), "saw another task's value");
                yield_now().await;
            }
        });
        a.await.unwrap();
        b.await.unwrap();
        none.await.unwrap();
    });
}

#[test]
fn outside_a_scope_try_with_is_an_error_and_with_panics() {
    solo::block_on(async {
        let err = NUMBER.try_with(|n| *n).unwrap_err();
        assert_eq!(err.to_string(), "task-local value not set");
    });
    let panic = std::panic::catch_unwind(|| NUMBER.with(|n| *n)).unwrap_err();
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(msg.contains("outside a scope"), "{msg}");
}

#[test]
fn an_inner_scope_shadows_the_outer_one_until_it_ends() {
    solo::block_on(async {
        NAME.scope("outer".to_string(), async {
            NAME.scope("inner".to_string(), async {
                yield_now().await;
                assert_eq!(NAME.get(), "inner");
            })
            .await;
            assert_eq!(NAME.get(), "outer");
        })
        .await;
        assert!(NAME.try_with(|_| ()).is_err());
    });
}

#[test]
fn sync_scope_sets_the_value_for_a_closure_and_restores_it_after_a_panic() {
    assert_eq!(NUMBER.sync_scope(5, || NUMBER.get() + 1), 6);
    let panicked = std::panic::catch_unwind(|| {
        NUMBER.sync_scope(6, || panic!("inside the scope"));
    });
    assert!(panicked.is_err());
    assert!(
        NUMBER.try_with(|_| ()).is_err(),
        "the value leaked out of a panicking scope"
    );
}

#[test]
fn the_scoped_futures_destructors_see_the_value() {
    let seen = Rc::new(Cell::new(None));
    /// Records `NUMBER` as its destructor sees it.
    struct Probe(Rc<Cell<Option<u32>>>);
    impl Drop for Probe {
        fn drop(&mut self) {
            self.0.set(NUMBER.try_with(|n| *n).ok());
        }
    }
    solo::block_on(async {
        let probe = Probe(seen.clone());
        let mut scoped = Box::pin(NUMBER.scope(42, async move {
            let _probe = probe;
            std::future::pending::<()>().await;
        }));
        assert!(futures_lite::future::poll_once(scoped.as_mut())
            .await
            .is_none());
        drop(scoped); // cancelled mid-way
    });
    assert_eq!(seen.get(), Some(42));
}
