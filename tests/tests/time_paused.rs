//! The paused clock: long timers finish at once and exactly, in deadline
//! order, and real I/O still works.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::TcpStream;
use solo::task::spawn_blocking;
use solo::time::{self, interval, sleep, Instant};

use solo_tests::{echo_server, paused, with_deadline};

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn an_hourly_interval_ticks_exactly_and_at_once() {
    let wall = std::time::Instant::now();
    let (start, ticks, end) = paused(async {
        let start = Instant::now();
        let mut every = interval(HOUR);
        let mut ticks = Vec::new();
        for _ in 0..4 {
            ticks.push(every.tick().await); // the first at once, then 3 more
        }
        (start, ticks, Instant::now())
    });
    let offsets: Vec<Duration> = ticks.iter().map(|t| *t - start).collect();
    assert_eq!(offsets, [Duration::ZERO, HOUR, HOUR * 2, HOUR * 3]);
    assert_eq!(end - start, HOUR * 3);
    assert!(
        wall.elapsed() < Duration::from_millis(500),
        "{:?}",
        wall.elapsed()
    );
}

#[test]
fn paused_sleeps_fire_in_deadline_order_at_their_deadlines() {
    let secs = [5u64, 1, 3, 2, 4, 3];
    let fired = paused(async {
        let start = Instant::now();
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = secs
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let log = log.clone();
                solo::spawn(async move {
                    sleep(Duration::from_secs(s)).await;
                    log.borrow_mut().push((i, start.elapsed()));
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("sleeper");
        }
        let fired = log.borrow().clone();
        fired
    });
    let mut expected: Vec<(usize, Duration)> = secs
        .iter()
        .enumerate()
        .map(|(i, &s)| (i, Duration::from_secs(s)))
        .collect();
    // Same deadline: in the order they were set.
    expected.sort_by_key(|&(i, d)| (d, i));
    assert_eq!(fired, expected);
}

#[test]
fn advance_moves_the_clock_by_exactly_the_step() {
    paused(async {
        let start = Instant::now();
        let sleeper = solo::spawn(sleep(Duration::from_secs(10)));
        time::advance(Duration::from_secs(4)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        assert!(!sleeper.is_finished());
        time::advance(Duration::from_secs(6)).await;
        sleeper.await.expect("sleeper");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    });
}

#[test]
fn loopback_echo_works_while_the_clock_is_paused() {
    paused(async {
        let addr = echo_server().await;
        // A long timer is pending throughout: the clock may jump to it while
        // the echo waits on the kernel, but the echo must still arrive.
        let hourly = solo::spawn(sleep(HOUR));
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        for i in 0..50 {
            let msg = format!("message {i}");
            stream.write_all(msg.as_bytes()).await.expect("write");
            let mut back = vec![0u8; msg.len()];
            stream.read_exact(&mut back).await.expect("read");
            assert_eq!(back, msg.as_bytes());
        }
        hourly.await.expect("sleep");
    });
}

#[test]
fn after_resume_sleeps_take_real_time_again() {
    paused(async {
        sleep(HOUR).await;
        time::resume();
        let wall = std::time::Instant::now();
        sleep(Duration::from_millis(30)).await;
        assert!(wall.elapsed() >= Duration::from_millis(30));
    });
}

#[test]
fn resume_keeps_the_time_the_paused_clock_reached() {
    paused(async {
        let start = Instant::now();
        sleep(HOUR).await;
        time::resume();
        // The clock goes on from start + 1 h; it never jumps back.
        assert!(Instant::now() - start >= HOUR);
        // A timer set now fires after its real duration, not an hour late.
        let wall = std::time::Instant::now();
        sleep(Duration::from_millis(20)).await;
        let took = wall.elapsed();
        assert!(
            took >= Duration::from_millis(20) && took < Duration::from_secs(5),
            "{took:?}"
        );
        assert!(Instant::now() - start >= HOUR + Duration::from_millis(20));
        // Pausing again freezes it where it is.
        time::pause();
        let frozen = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(Instant::now(), frozen);
    });
}

#[test]
fn advance_returns_after_the_timers_it_passed_have_woken_their_tasks() {
    paused(async {
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        let sleeper = solo::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            *d.borrow_mut() = true;
        });
        solo::task::yield_now().await; // the sleeper sets its timer
        time::advance(Duration::from_secs(1)).await;
        assert!(
            *done.borrow(),
            "the sleeper had not run when advance returned"
        );
        sleeper.await.expect("sleeper");
    });
}

#[test]
fn advance_from_a_task_returns_after_the_woken_tasks_ran() {
    paused(async {
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        let sleeper = solo::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            *d.borrow_mut() = true;
        });
        let seen = solo::spawn(async move {
            solo::task::yield_now().await; // the sleeper sets its timer
            time::advance(Duration::from_secs(1)).await;
            *done.borrow()
        });
        assert!(seen.await.expect("advancer"), "the sleeper had not run");
        sleeper.await.expect("sleeper");
    });
}

#[test]
fn advance_fires_every_timer_due_by_the_new_time_and_no_later_one() {
    paused(async {
        let start = Instant::now();
        let log = Rc::new(RefCell::new(Vec::new()));
        // More sleepers than a turn's budget (61), at deadlines up to the
        // step, one after it, and a task that sleeps twice within the step.
        let mut steps: Vec<u64> = (1..=100).map(|i| i * 10).collect();
        steps.push(1001);
        for ms in steps {
            let log = log.clone();
            solo::spawn(async move {
                time::sleep_until(start + Duration::from_millis(ms)).await;
                log.borrow_mut().push((ms, start.elapsed()));
            });
        }
        let chain = log.clone();
        solo::spawn(async move {
            time::sleep_until(start + Duration::from_millis(500)).await;
            time::sleep_until(start + Duration::from_secs(1)).await;
            chain.borrow_mut().push((0, start.elapsed()));
        });
        solo::task::yield_now().await; // every sleeper sets its timer
        time::advance(Duration::from_secs(1)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        let mut fired = log.borrow().clone();
        fired.sort();
        let mut expected: Vec<(u64, Duration)> = (1..=100)
            .map(|i| (i * 10, Duration::from_secs(1)))
            .collect();
        expected.insert(0, (0, Duration::from_secs(1))); // the chain
        assert_eq!(fired, expected, "all at the new time, 1,001 ms not yet");
    });
}

#[test]
fn advance_by_more_than_the_clock_can_hold_moves_it_thirty_years() {
    const THIRTY_YEARS: Duration = Duration::from_secs(86400 * 365 * 30);
    paused(async {
        let start = Instant::now();
        let forever = solo::spawn(sleep(Duration::MAX)); // also 30 years
        let hour = solo::spawn(sleep(HOUR));
        solo::task::yield_now().await;
        time::advance(Duration::MAX).await;
        assert_eq!(start.elapsed(), THIRTY_YEARS);
        assert!(hour.is_finished() && forever.is_finished());
        // The clock still works from there.
        time::advance(Duration::from_secs(1)).await;
        assert_eq!(start.elapsed(), THIRTY_YEARS + Duration::from_secs(1));
    });
}

#[test]
fn a_paused_clock_waits_for_spawn_blocking_instead_of_jumping() {
    let (result, waited, slept_wall) = with_deadline(Duration::from_secs(30), || {
        paused(async {
            let start = Instant::now();
            let job = spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(50));
                1
            });
            let result = time::timeout(Duration::from_secs(5), job).await;
            let waited = start.elapsed();
            // The job is done: a paused sleep jumps at once again.
            let wall = std::time::Instant::now();
            sleep(HOUR).await;
            (result.map(|r| r.expect("closure")), waited, wall.elapsed())
        })
    });
    assert_eq!(result, Ok(1), "the 5 s timeout elapsed around a 50 ms job");
    // Meanwhile the clock moved at the real clock's pace: about 50 ms.
    assert!(
        waited < Duration::from_secs(5),
        "the clock jumped {waited:?}"
    );
    assert!(slept_wall < Duration::from_secs(5), "{slept_wall:?}");
}

#[test]
fn a_detached_spawn_blocking_still_holds_the_paused_clock() {
    let done_before_the_sleep_ended = with_deadline(Duration::from_secs(30), || {
        paused(async {
            let done = Arc::new(AtomicBool::new(false));
            let flag = done.clone();
            drop(spawn_blocking(move || {
                std::thread::sleep(Duration::from_millis(50));
                flag.store(true, Ordering::SeqCst);
            }));
            sleep(HOUR).await;
            done.load(Ordering::SeqCst)
        })
    });
    assert!(
        done_before_the_sleep_ended,
        "the clock jumped an hour while the detached job ran"
    );
}

/// A job may wait for something a sleeping task will do. The clock once
/// froze while any job was out, so that sleep never ended: a deadlock.
/// Now it moves at the real clock's pace while a job is out.
#[test]
fn a_blocking_job_that_waits_on_a_sleeping_task_still_gets_its_message() {
    let got = with_deadline(Duration::from_secs(30), || {
        paused(async {
            let (tx, rx) = std::sync::mpsc::channel::<u32>();
            let job = spawn_blocking(move || rx.recv().ok());
            let start = Instant::now();
            sleep(Duration::from_millis(300)).await;
            assert!(start.elapsed() >= Duration::from_millis(300));
            tx.send(7).unwrap();
            job.await.unwrap()
        })
    });
    assert_eq!(got, Some(7));
}

/// A detached job that lives on (a background worker) makes paused sleeps
/// take real time, not forever.
#[test]
fn a_long_lived_detached_job_slows_paused_sleeps_to_real_time_but_never_freezes_them() {
    with_deadline(Duration::from_secs(30), || {
        paused(async {
            let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
            drop(spawn_blocking(move || {
                let _ = stop_rx.recv();
            }));
            let wall = std::time::Instant::now();
            sleep(Duration::from_millis(300)).await;
            let took = wall.elapsed();
            assert!(took >= Duration::from_millis(250), "{took:?}");
            drop(stop_tx);
        })
    });
}

#[test]
fn an_aborted_spawn_blocking_no_longer_holds_the_paused_clock() {
    with_deadline(Duration::from_secs(30), || {
        paused(async {
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let job = spawn_blocking(move || {
                let _ = release_rx.recv();
            });
            job.abort();
            assert!(job.await.expect_err("aborted").is_cancelled());
            // Nobody awaits the job any more: the hour passes at once.
            sleep(HOUR).await;
            drop(release_tx);
        })
    });
}
