//! `solo::signal::ctrl_c`. Alone in its test binary: it sends SIGINT to
//! its own process.
#![cfg(unix)]

use std::time::Duration;

use signal_hook::consts::SIGINT;
use solo::task::yield_now;
use solo::time::timeout;

#[test]
fn ctrl_c_completes_when_the_process_gets_sigint() {
    solo::block_on(async {
        let waiters: Vec<_> = (0..2)
            .map(|_| solo::spawn(solo::signal::ctrl_c()))
            .collect();
        // Let both install their handler before the signal is raised
        // (tasks run first in, first out; a few turns are plenty).
        for _ in 0..3 {
            yield_now().await;
        }
        assert!(waiters.iter().all(|w| !w.is_finished()), "no SIGINT yet");
        signal_hook::low_level::raise(SIGINT).expect("raise SIGINT");
        for w in waiters {
            timeout(Duration::from_secs(5), w)
                .await
                .expect("ctrl_c completes after SIGINT")
                .expect("task")
                .expect("no I/O error");
        }
    });
}

#[test]
fn ctrl_c_outside_a_runtime_is_an_error() {
    // Polling it on a bare executor: AsyncFd needs a runtime.
    let r = futures_lite::future::block_on(solo::signal::ctrl_c());
    assert!(r.is_err());
}
