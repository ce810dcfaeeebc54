//! A `JoinSet` frees a task's slot when it is joined: memory stays flat
//! under spawn/join churn through one set. Alone in its own test binary:
//! RSS is per process, and other tests running in parallel would move it.

#[cfg(target_os = "linux")]
#[test]
fn memory_stays_flat_under_spawn_and_join_churn_through_one_set() {
    // Under valgrind: 20,000 cycles, and no RSS check (valgrind's own
    // memory moves RSS); leaks then show up in valgrind's report instead.
    let cycles = solo_tests::count(1_000_000, 20_000);
    solo::block_on(async {
        let rss = || solo_tests::rss_bytes().expect("RSS from /proc/self/status");
        let mut set = solo::task::JoinSet::new();
        let mut after_warmup = 0;
        for i in 0..cycles {
            if i == 10_000 {
                after_warmup = rss();
            }
            set.spawn(async move { i });
            assert_eq!(set.join_next().await.unwrap().unwrap(), i);
        }
        let end = rss();
        if solo_tests::under_valgrind() {
            println!("under valgrind: RSS check skipped ({after_warmup} -> {end} bytes)");
        } else {
            assert!(
                end <= after_warmup + after_warmup / 10,
                "RSS grew from {after_warmup} to {end} bytes over {cycles} cycles"
            );
        }
        assert!(set.is_empty());
        assert_eq!(solo::runtime::metrics().tasks_alive, 0);
    });
}

#[cfg(not(target_os = "linux"))]
#[test]
fn memory_stays_flat_under_spawn_and_join_churn_through_one_set() {
    println!("skipped: RSS is read from /proc, which only Linux has here");
}
