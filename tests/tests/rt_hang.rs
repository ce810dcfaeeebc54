//! `Builder::hang_timeout`: on a paused clock, a runtime where nothing can
//! happen any more panics with a dump of its tasks instead of hanging.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use solo::sync::local::Mutex;
use solo::task::Builder as TaskBuilder;

/// Runs `f` on a paused runtime built by `builder`; the panic message, if
/// it panicked. Fails the test if `block_on` is still running after 20 s:
/// a detector that never fires is a failure, not a hung CI job.
fn hang_message<F: std::future::Future>(builder: &mut solo::Builder, f: F) -> Option<String> {
    let rt = builder.start_paused(true).build().unwrap();
    let (done, watched) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watched.recv_timeout(Duration::from_secs(20)).is_err() {
            eprintln!("rt_hang: block_on still running after 20 s: the hang was not detected");
            std::process::exit(1);
        }
    });
    let result = catch_unwind(AssertUnwindSafe(|| rt.block_on(f)));
    let _ = done.send(());
    match result {
        Ok(_) => None,
        Err(payload) => Some(match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(p) => p.downcast_ref::<&str>().unwrap_or(&"?").to_string(),
        }),
    }
}

#[test]
fn a_deadlocked_pair_fails_within_two_seconds_and_the_dump_names_both() {
    let start = Instant::now();
    let message = hang_message(&mut solo::Builder::new(), async {
        let a = std::rc::Rc::new(Mutex::new(()));
        let b = std::rc::Rc::new(Mutex::new(()));
        let (a2, b2) = (a.clone(), b.clone());
        let first = TaskBuilder::new()
            .name("transfer a->b")
            .spawn(async move {
                let _a = a.lock().await;
                solo::time::sleep(Duration::from_millis(10)).await;
                let _b = b.lock().await;
            })
            .unwrap();
        let second = TaskBuilder::new()
            .name("transfer b->a")
            .spawn(async move {
                let _b = b2.lock().await;
                solo::time::sleep(Duration::from_millis(10)).await;
                let _a = a2.lock().await;
            })
            .unwrap();
        let _ = first.await;
        let _ = second.await;
    })
    .expect("a deadlock must end in a panic");
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(
        elapsed >= Duration::from_secs(1),
        "the default timeout is 1 s: {elapsed:?}"
    );
    assert!(message.contains("solo: hang"), "{message}");
    assert!(message.contains("3 live tasks"), "{message}");
    for name in ["\"transfer a->b\"", "\"transfer b->a\""] {
        let line = message.lines().find(|l| l.contains(name));
        let line = line.unwrap_or_else(|| panic!("{name} missing from {message}"));
        // Waiting since their last poll, on the paused clock (which the
        // real-time wait for the timeout does not move).
        assert!(line.contains(": waiting for 0ns, polled 2 times"), "{line}");
        assert!(line.contains(file!()), "{line}");
    }
    assert!(message.contains("block_on at"), "{message}");
}

#[test]
fn a_lost_waker_hang_says_so() {
    let message = hang_message(
        solo::Builder::new().hang_timeout(Duration::from_millis(50)),
        async {
            TaskBuilder::new()
                .name("forgotten")
                .spawn(std::future::pending::<()>())
                .unwrap()
                .await
        },
    )
    .expect("nothing can wake the task");
    let line = message.lines().find(|l| l.contains("\"forgotten\""));
    let line = line.unwrap_or_else(|| panic!("task missing from {message}"));
    assert!(line.contains("lost waker"), "{line}");
}

#[test]
fn the_timeout_is_configurable_and_none_waits_for_an_outside_wake() {
    // 300 ms of quiet while another thread works: longer than a 100 ms
    // timeout, shorter than the default second.
    let wait_for_thread = || async {
        let (tx, rx) = solo::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let _ = tx.send(7);
        });
        rx.await.unwrap()
    };
    let short = hang_message(
        solo::Builder::new().hang_timeout(Duration::from_millis(100)),
        wait_for_thread(),
    );
    assert!(
        short.is_some_and(|m| m.contains("100ms")),
        "a 100 ms timeout fires"
    );
    assert_eq!(
        hang_message(&mut solo::Builder::new(), wait_for_thread()),
        None
    );
    assert_eq!(
        hang_message(solo::Builder::new().hang_timeout(None), wait_for_thread()),
        None
    );
}

#[test]
fn timers_and_blocking_jobs_are_not_hangs() {
    let message = hang_message(
        solo::Builder::new().hang_timeout(Duration::from_millis(50)),
        async {
            // The paused clock jumps an hour at once.
            solo::time::sleep(Duration::from_secs(3600)).await;
            // A blocking job takes longer than the timeout, in real time.
            solo::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)))
                .await
                .unwrap();
        },
    );
    assert_eq!(message, None);
}

#[test]
fn the_real_clock_is_not_watched() {
    let rt = solo::Builder::new()
        .hang_timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let got = rt.block_on(async {
        let (tx, rx) = solo::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            let _ = tx.send(1);
        });
        rx.await.unwrap()
    });
    assert_eq!(got, 1);
}

#[test]
fn a_timeout_too_long_to_add_to_the_clock_waits_like_none() {
    // Duration::MAX cannot be added to an Instant: no overflow panic, the
    // runtime just waits (here for another thread's send).
    let got = hang_message(solo::Builder::new().hang_timeout(Duration::MAX), async {
        let (tx, rx) = solo::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let _ = tx.send(3);
        });
        assert_eq!(rx.await.unwrap(), 3);
    });
    assert_eq!(got, None);
}
