//! `SOLO_SLOW_POLL_MS`: the environment's slow-poll threshold for runtimes
//! built without an explicit choice. One test, alone in its binary: the
//! environment is the whole process's.

use std::time::Duration;

fn slow_polls(builder: &mut solo::Builder) -> u64 {
    let rt = builder.build().unwrap();
    rt.block_on(async {
        solo::spawn(async { std::thread::sleep(Duration::from_millis(30)) })
            .await
            .unwrap();
    });
    rt.metrics().slow_polls
}

#[test]
fn solo_slow_poll_ms_turns_the_check_on_and_a_bad_value_is_refused() {
    // This binary has one test, so nothing reads the environment meanwhile.
    std::env::set_var("SOLO_SLOW_POLL_MS", "10");
    assert_eq!(slow_polls(&mut solo::Builder::new()), 1);
    // An explicit choice wins over the environment.
    assert_eq!(
        slow_polls(solo::Builder::new().slow_poll_threshold(None)),
        0
    );
    std::env::set_var("SOLO_SLOW_POLL_MS", "soon");
    let err = solo::Builder::new().build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("SOLO_SLOW_POLL_MS"), "{err}");
    std::env::remove_var("SOLO_SLOW_POLL_MS");
    assert_eq!(slow_polls(&mut solo::Builder::new()), 0);
}
