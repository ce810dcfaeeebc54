//! `SOLO_SEED`: the environment's seed for runtimes built without an
//! explicit choice, and `explore`'s replay. One test, alone in its binary:
//! the environment is the whole process's.

use std::cell::Cell;

use solo::Builder;

fn fingerprint(builder: &mut Builder) -> Option<u64> {
    let rt = builder.build().unwrap();
    rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                solo::spawn(async {
                    for _ in 0..4 {
                        solo::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    rt.metrics().schedule_fingerprint
}

#[test]
fn solo_seed_seeds_runtimes_without_a_choice_and_replays_explore() {
    // SAFETY (of the test's reasoning, no unsafe code): this binary has one
    // test, so nothing reads the environment meanwhile.
    std::env::set_var("SOLO_SEED", "123");
    let from_env = fingerprint(&mut Builder::new());
    assert_eq!(from_env, fingerprint(Builder::new().seed(123)));
    assert!(from_env.is_some());
    // An explicit choice wins over the environment.
    assert_eq!(fingerprint(Builder::new().seed(None)), None);
    assert_ne!(fingerprint(Builder::new().seed(124)), from_env);

    // explore with SOLO_SEED set runs that seed only.
    let runs = Cell::new(0);
    solo::test::explore(1000, || {
        runs.set(runs.get() + 1);
        async {}
    });
    assert_eq!(runs.get(), 1, "the replay ran more than its seed");

    // A value that is not a seed is a clear error, not a silent FIFO.
    std::env::set_var("SOLO_SEED", "twelve");
    let err = Builder::new().build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("SOLO_SEED=\"twelve\""), "{err}");

    std::env::remove_var("SOLO_SEED");
    assert_eq!(fingerprint(&mut Builder::new()), None);
}
