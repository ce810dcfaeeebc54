//! `Builder::slow_poll_threshold`: a poll that takes longer is logged at
//! `warn` with the task's id, name and spawn location, and counted. This
//! binary installs its own logger (a process has one), so its tests share
//! the captured lines and tell theirs apart by task name.

use std::sync::Mutex;
use std::time::Duration;

use solo::task::Builder as TaskBuilder;

static LINES: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("solo") {
            let line = record.args().to_string();
            LINES.lock().unwrap().push((record.level(), line));
        }
    }
    fn flush(&self) {}
}

fn capture() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Warn);
}

fn lines_with(needle: &str) -> Vec<(log::Level, String)> {
    let lines = LINES.lock().unwrap();
    lines
        .iter()
        .filter(|(_, l)| l.contains(needle))
        .cloned()
        .collect()
}

#[test]
fn a_slow_poll_is_logged_once_with_its_location_and_counted() {
    capture();
    let rt = solo::Builder::new()
        .slow_poll_threshold(Duration::from_millis(20))
        .build()
        .unwrap();
    let line = line!() + 4; // the `.spawn(` below: where the task was spawned
    rt.block_on(async {
        let slow = TaskBuilder::new()
            .name("slow-one")
            .spawn(async {
                std::thread::sleep(Duration::from_millis(40)); // blocks the loop
                solo::task::yield_now().await; // a second, fast poll
            })
            .unwrap();
        let fast = TaskBuilder::new().name("fast-one").spawn(async {}).unwrap();
        slow.await.unwrap();
        fast.await.unwrap();
    });
    assert_eq!(rt.metrics().slow_polls, 1);
    let logged = lines_with("\"slow-one\"");
    assert_eq!(logged.len(), 1, "{logged:?}");
    let (level, text) = &logged[0];
    assert_eq!(*level, log::Level::Warn);
    assert!(text.contains(&format!("{}:{line}:", file!())), "{text}");
    assert!(text.contains("slow poll"), "{text}");
    assert!(lines_with("\"fast-one\"").is_empty());
}

#[test]
fn a_slow_block_on_future_is_reported_too() {
    capture();
    let rt = solo::Builder::new()
        .slow_poll_threshold(Duration::from_millis(20))
        .build()
        .unwrap();
    rt.block_on(async { std::thread::sleep(Duration::from_millis(40)) });
    assert_eq!(rt.metrics().slow_polls, 1);
}

#[test]
fn off_by_default_nothing_is_counted() {
    let rt = solo::Builder::new().build().unwrap();
    rt.block_on(async {
        solo::spawn(async { std::thread::sleep(Duration::from_millis(30)) })
            .await
            .unwrap();
    });
    assert_eq!(rt.metrics().slow_polls, 0);
}

#[test]
fn a_lost_waker_is_logged_once_per_task() {
    capture();
    let rt = solo::Builder::new().task_tracking(true).build().unwrap();
    rt.block_on(async {
        let lost = TaskBuilder::new()
            .name("loses-its-waker")
            .spawn(std::future::pending::<()>())
            .unwrap();
        solo::task::yield_now().await;
        // Woken by its abort: it is dropped, not polled again.
        lost.abort();
        assert!(lost.await.unwrap_err().is_cancelled());
    });
    let logged = lines_with("\"loses-its-waker\"");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].1.contains("lost waker"), "{:?}", logged[0]);
    assert_eq!(rt.metrics().lost_wakers, 1);
}
