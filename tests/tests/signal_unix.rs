//! `solo::signal::unix`: streams of signal deliveries. Signals are
//! process-wide, so each test raises its own signal. Each test runs alone
//! under `leak_checked`: the self-pipes of its `Signal`s must be closed
//! once it ends (`signal_unix_drop.rs` counts them while the runtime runs).
#![cfg(unix)]

use std::time::Duration;

use futures_lite::StreamExt;
use signal_hook::consts::signal::{
    SIGBUS, SIGFPE, SIGHUP, SIGILL, SIGKILL, SIGSEGV, SIGSTOP, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH,
};
use signal_hook::low_level::raise;
use solo::signal::unix::{signal, SignalKind};
use solo::task::yield_now;
use solo::time::timeout;
use solo_tests::with_deadline;

/// Long enough for any delivery the test expects, under valgrind too.
const DELIVERY: Duration = Duration::from_secs(5);
/// Long enough to show a `recv` waits.
const NOTHING: Duration = Duration::from_millis(50);

#[test]
fn a_raised_sigusr1_completes_a_waiting_recv() {
    solo_tests::leak_checked(|| {
        with_deadline(Duration::from_secs(20), || {
            solo::block_on(async {
                let mut s = signal(SignalKind::user_defined1()).expect("signal");
                let waiter = solo::spawn(async move { s.recv().await });
                for _ in 0..3 {
                    yield_now().await;
                }
                assert!(!waiter.is_finished(), "recv waits until SIGUSR1");
                raise(SIGUSR1).expect("raise SIGUSR1");
                let got = timeout(DELIVERY, waiter)
                    .await
                    .expect("recv completes after SIGUSR1")
                    .expect("task");
                assert_eq!(got, Some(()));
            })
        });
    });
}

#[test]
fn every_listener_of_a_signal_gets_each_delivery() {
    solo_tests::leak_checked(|| {
        with_deadline(Duration::from_secs(20), || {
            solo::block_on(async {
                let mut a = signal(SignalKind::user_defined2()).expect("signal a");
                let mut b = signal(SignalKind::user_defined2()).expect("signal b");
                raise(SIGUSR2).expect("raise SIGUSR2");
                assert_eq!(timeout(DELIVERY, a.recv()).await, Ok(Some(())), "a");
                assert_eq!(timeout(DELIVERY, b.recv()).await, Ok(Some(())), "b");
            })
        });
    });
}

#[test]
fn deliveries_before_a_recv_are_coalesced_into_one() {
    solo_tests::leak_checked(|| {
        with_deadline(Duration::from_secs(20), || {
            solo::block_on(async {
                let mut s = signal(SignalKind::hangup()).expect("signal");
                for _ in 0..3 {
                    raise(SIGHUP).expect("raise SIGHUP");
                }
                assert_eq!(timeout(DELIVERY, s.recv()).await, Ok(Some(())));
                assert!(
                    timeout(NOTHING, s.recv()).await.is_err(),
                    "three deliveries before a recv count once: the next recv waits"
                );
                raise(SIGHUP).expect("raise SIGHUP");
                assert_eq!(
                    timeout(DELIVERY, s.recv()).await,
                    Ok(Some(())),
                    "a new delivery is seen after the wait"
                );
            })
        });
    });
}

#[test]
fn a_delivery_between_signal_and_the_first_recv_is_not_lost() {
    solo_tests::leak_checked(|| {
        with_deadline(Duration::from_secs(20), || {
            solo::block_on(async {
                let mut s = signal(SignalKind::window_change()).expect("signal");
                raise(SIGWINCH).expect("raise SIGWINCH");
                assert_eq!(timeout(DELIVERY, s.recv()).await, Ok(Some(())));
            })
        });
    });
}

#[test]
fn a_signal_is_a_stream_of_deliveries() {
    solo_tests::leak_checked(|| {
        with_deadline(Duration::from_secs(20), || {
            solo::block_on(async {
                let mut s = signal(SignalKind::from_raw(SIGURG)).expect("signal");
                raise(SIGURG).expect("raise SIGURG");
                assert_eq!(timeout(DELIVERY, s.next()).await, Ok(Some(())));
                assert!(timeout(NOTHING, s.next()).await.is_err(), "then it waits");
            })
        });
    });
}

#[test]
fn uncatchable_signals_and_bogus_numbers_are_invalid_input() {
    solo_tests::leak_checked(|| {
        solo::block_on(async {
            for signum in [SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, 0, -1] {
                let e = signal(SignalKind::from_raw(signum)).expect_err("refused");
                assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{signum}: {e}");
            }
            // Past the last signal: the operating system says no.
            let e = signal(SignalKind::from_raw(10_000)).expect_err("no such signal");
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
        });
    });
}

#[test]
fn signal_outside_a_runtime_is_an_error() {
    solo_tests::leak_checked(|| {
        // SIGUSR1 is valid: the error is the missing runtime.
        assert!(signal(SignalKind::user_defined1()).is_err());
    });
}

#[test]
fn signal_kinds_are_the_usual_numbers() {
    solo_tests::leak_checked(|| {
        use signal_hook::consts::signal::*;
        let kinds = [
            (SignalKind::alarm(), SIGALRM),
            (SignalKind::child(), SIGCHLD),
            (SignalKind::hangup(), SIGHUP),
            (SignalKind::interrupt(), SIGINT),
            (SignalKind::io(), SIGIO),
            (SignalKind::pipe(), SIGPIPE),
            (SignalKind::quit(), SIGQUIT),
            (SignalKind::terminate(), SIGTERM),
            (SignalKind::user_defined1(), SIGUSR1),
            (SignalKind::user_defined2(), SIGUSR2),
            (SignalKind::window_change(), SIGWINCH),
        ];
        for (kind, signum) in kinds {
            assert_eq!(kind.as_raw_value(), signum);
            assert_eq!(SignalKind::from_raw(signum), kind);
            assert_eq!(i32::from(kind), signum);
        }
    });
}
