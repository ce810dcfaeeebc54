//! Dropping a `solo::signal::unix::Signal`. Alone in its test binary: it
//! counts the process's open descriptors, which parallel tests would
//! change.
#![cfg(target_os = "linux")]

use std::time::Duration;

use signal_hook::consts::signal::SIGALRM;
use signal_hook::low_level::raise;
use solo::signal::unix::{signal, SignalKind};
use solo::time::sleep;
use solo_tests::{open_fds, with_deadline};

#[test]
fn dropping_a_signal_closes_its_fds_and_a_later_delivery_is_ignored() {
    with_deadline(Duration::from_secs(20), || {
        solo::block_on(async {
            let before = open_fds();
            let listeners: Vec<_> = (0..3)
                .map(|_| signal(SignalKind::alarm()).expect("signal"))
                .collect();
            assert_eq!(open_fds(), before + 6, "a socket pair per listener");
            drop(listeners);
            assert_eq!(open_fds(), before, "dropping closes both ends");
            // SIGALRM's default action terminates the process; the handler
            // stays installed with no listener, so this is ignored.
            raise(SIGALRM).expect("raise SIGALRM");
            sleep(Duration::from_millis(10)).await;
        })
    });
}
