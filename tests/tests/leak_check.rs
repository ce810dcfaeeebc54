//! The leak check itself (`solo_tests::leak_checked`): it must catch what
//! it names, or the files that rely on it would pass while leaking.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use solo_tests::{leak_checked_within, TempDir};

/// Runs `leak` under the check (with a short settle time) and returns the
/// check's panic message, or `None` if it passed.
fn check(leak: impl FnOnce()) -> Option<String> {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| {
        leak_checked_within(Duration::from_millis(200), leak)
    }));
    std::panic::set_hook(quiet);
    let panic = result.err()?;
    Some(
        panic
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "a panic without message".into()),
    )
}

// One test for all: each case leaves its leak in place until checked,
// and must clean it up before the next begins.
#[test]
fn leak_checked_catches_what_a_test_leaves_behind_and_passes_a_clean_one() {
    assert_eq!(check(|| drop(TempDir::new("leak-clean"))), None);

    let mut kept = None;
    let msg = check(|| kept = Some(TempDir::new("leak-temp"))).expect("a temp dir left");
    assert!(msg.contains("temp entry"), "{msg}");
    drop(kept);

    #[cfg(target_os = "linux")]
    {
        let mut kept = None;
        let msg = check(|| kept = Some(std::fs::File::open("/dev/null").unwrap()))
            .expect("a descriptor left");
        assert!(msg.contains("-> /dev/null"), "{msg}");
        drop(kept);

        let mut kept = None;
        let msg = check(|| kept = Some(std::process::Command::new("true").spawn().unwrap()))
            .expect("a zombie left");
        assert!(msg.contains("child ") && msg.contains("(state Z)"), "{msg}");
        kept.unwrap().wait().unwrap();
        assert_eq!(solo_tests::zombie_children(), Vec::<u32>::new());

        let mut kept = None;
        let msg = check(|| {
            kept = Some(
                std::process::Command::new("sleep")
                    .arg("60")
                    .spawn()
                    .unwrap(),
            )
        })
        .expect("a running child left");
        assert!(msg.contains("child ") && msg.contains("sleep"), "{msg}");
        let mut child = kept.unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    assert_eq!(check(|| ()), None, "the cleanups left something");
}
