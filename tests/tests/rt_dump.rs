//! Task dumps (`Runtime::dump`, `solo::runtime::dump`), named tasks
//! (`task::Builder`), spawn locations and lost wakers.

use std::panic::Location;
use std::rc::Rc;
use std::time::Duration;

use solo::runtime::{Dump, TaskDump, TaskState};
use solo::sync::local::oneshot;
use solo::task::Builder as TaskBuilder;

fn paused() -> solo::Runtime {
    solo::Builder::new().start_paused(true).build().unwrap()
}

fn find<'a>(dump: &'a Dump, name: &str) -> &'a TaskDump {
    dump.tasks()
        .iter()
        .find(|t| t.name() == Some(name))
        .unwrap_or_else(|| panic!("no task named {name:?} in {dump}"))
}

#[test]
fn a_dump_names_each_task_its_spawn_location_and_its_state() {
    let rt = paused();
    rt.block_on(async {
        let (tx, rx) = oneshot::channel::<()>();
        let waiting_at = Location::caller().line() + 1;
        let waiting = TaskBuilder::new().name("waiting").spawn(rx).unwrap();
        let lost_at = Location::caller().line() + 3; // the `.spawn(` line
        let lost = TaskBuilder::new()
            .name("lost")
            .spawn(std::future::pending::<()>())
            .unwrap();
        solo::task::yield_now().await; // both run once
        let ready_at = Location::caller().line() + 1;
        let _ready = solo::spawn(async {}); // spawned, not yet run

        let dump = solo::runtime::dump();
        assert_eq!(dump.tasks().len(), 4, "{dump}");

        let main = &dump.tasks()[0];
        assert!(main.is_block_on(), "{dump}");
        assert_eq!(main.state(), TaskState::Running);
        assert_eq!(main.location().unwrap().file(), file!());

        let w = find(&dump, "waiting");
        assert_eq!(w.id(), waiting.id());
        assert_eq!(w.state(), TaskState::Waiting);
        assert_eq!(
            (w.location().unwrap().file(), w.location().unwrap().line()),
            (file!(), waiting_at)
        );
        assert_eq!(w.polls(), Some(1));

        let l = find(&dump, "lost");
        assert_eq!(l.id(), lost.id());
        // It has a JoinHandle, but no waker and no abort handle.
        assert_eq!(l.state(), TaskState::LostWaker, "{dump}");
        assert_eq!(l.location().unwrap().line(), lost_at);

        let r = dump
            .tasks()
            .iter()
            .find(|t| t.name().is_none() && !t.is_block_on());
        let r = r.unwrap_or_else(|| panic!("no unnamed task in {dump}"));
        assert_eq!(r.state(), TaskState::Ready);
        assert_eq!(r.polls(), Some(0));
        assert_eq!(r.location().unwrap().line(), ready_at);

        let text = dump.to_string();
        assert!(text.starts_with("4 live tasks:"), "{text}");
        assert!(
            text.contains(&format!(
                "task {} \"waiting\" (spawned at {}:{waiting_at}:",
                waiting.id(),
                file!()
            )),
            "{text}"
        );
        assert!(text.contains("lost waker"), "{text}");
        drop(tx);
    });
}

#[test]
fn a_finished_task_leaves_the_dump() {
    let rt = solo::Runtime::new().unwrap();
    rt.block_on(async {
        let task = TaskBuilder::new().name("brief").spawn(async { 5 }).unwrap();
        assert_eq!(task.await.unwrap(), 5);
        let dump = solo::runtime::dump();
        assert_eq!(dump.tasks().len(), 1, "only block_on's future: {dump}");
        assert!(dump.tasks()[0].is_block_on());
    });
    // Outside block_on, the runtime's dump has no block_on entry.
    assert!(rt.dump().tasks().is_empty());
}

#[test]
fn ages_and_waits_follow_the_paused_clock() {
    let rt = paused();
    rt.block_on(async {
        let (tx, rx) = oneshot::channel::<()>();
        let _task = TaskBuilder::new().name("sleeper").spawn(rx).unwrap();
        solo::time::sleep(Duration::from_secs(2)).await;
        let later = TaskBuilder::new().name("later").spawn(async {}).unwrap();
        solo::time::sleep(Duration::from_secs(3)).await;
        drop(later);

        let dump = solo::runtime::dump();
        let s = find(&dump, "sleeper");
        assert_eq!(s.age(), Some(Duration::from_secs(5)), "{dump}");
        assert_eq!(
            s.idle(),
            Some(Duration::from_secs(5)),
            "polled once, at the start"
        );
        assert_eq!(s.polls(), Some(1));
        assert_eq!(
            dump.tasks()[0].age(),
            Some(Duration::from_secs(5)),
            "block_on's future"
        );
        assert_eq!(
            dump.tasks()[0].idle(),
            Some(Duration::ZERO),
            "it is running"
        );
        drop(tx);
    });
}

#[test]
fn runtime_spawn_and_handle_spawn_record_their_callers() {
    let rt = solo::Builder::new().task_tracking(true).build().unwrap();
    let line = line!() + 1;
    let _queued = rt.spawn(async {});
    let dump = rt.dump();
    assert_eq!(dump.tasks().len(), 1, "{dump}");
    assert_eq!(
        (
            dump.tasks()[0].location().unwrap().file(),
            dump.tasks()[0].location().unwrap().line()
        ),
        (file!(), line)
    );

    let handle = rt.handle();
    let line = line!() + 1;
    let remote = std::thread::spawn(move || handle.spawn(std::future::pending::<u8>()))
        .join()
        .unwrap();
    rt.block_on(async {
        // A turn of the loop takes in the remote spawn.
        solo::time::sleep(Duration::from_millis(1)).await;
        let dump = solo::runtime::dump();
        let task = dump.tasks().iter().find(|t| t.id() == remote.id());
        let task = task.unwrap_or_else(|| panic!("no task {} in {dump}", remote.id()));
        assert_eq!(
            (
                task.location().unwrap().file(),
                task.location().unwrap().line()
            ),
            (file!(), line)
        );
        remote.abort();
        assert!(remote.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn a_task_that_loses_its_waker_is_counted_once_per_poll() {
    let rt = solo::Builder::new().task_tracking(true).build().unwrap();
    rt.block_on(async {
        // The task keeps its waker in `keeper` only while `keeper` is
        // empty.
        let keeper: Rc<std::cell::RefCell<Option<std::task::Waker>>> = Rc::default();
        let k = keeper.clone();
        let _task = solo::spawn(std::future::poll_fn(move |cx| {
            if k.borrow().is_none() {
                *k.borrow_mut() = Some(cx.waker().clone());
            }
            std::task::Poll::<()>::Pending
        }));
        solo::task::yield_now().await;
        assert_eq!(solo::runtime::metrics().lost_wakers, 0, "the waker is kept");
        // Wake it and drop the waker: its next pending poll keeps none.
        keeper.borrow_mut().take().unwrap().wake();
        *keeper.borrow_mut() = Some(std::task::Waker::noop().clone()); // not its own
        solo::task::yield_now().await;
        assert_eq!(solo::runtime::metrics().lost_wakers, 1);
    });
}

#[test]
fn a_task_waiting_on_a_timer_or_with_an_abort_handle_has_not_lost_its_waker() {
    let rt = paused();
    rt.block_on(async {
        let timer = TaskBuilder::new()
            .name("timer")
            .spawn(solo::time::sleep(Duration::from_secs(60)))
            .unwrap();
        let abortable = TaskBuilder::new()
            .name("abortable")
            .spawn(std::future::pending::<()>())
            .unwrap();
        let _abort = abortable.abort_handle(); // can still be woken, to be dropped
        solo::task::yield_now().await;
        let dump = solo::runtime::dump();
        assert_eq!(find(&dump, "timer").state(), TaskState::Waiting, "{dump}");
        assert_eq!(
            find(&dump, "abortable").state(),
            TaskState::Waiting,
            "{dump}"
        );
        assert_eq!(solo::runtime::metrics().lost_wakers, 0);
        timer.abort();
    });
}

#[test]
fn untracked_a_dump_shows_ids_names_and_states_only() {
    let rt = solo::Runtime::new().unwrap(); // real clock, no seed: untracked
    rt.block_on(async {
        let lost = TaskBuilder::new()
            .name("lost")
            .spawn(std::future::pending::<()>())
            .unwrap();
        solo::task::yield_now().await;
        let dump = solo::runtime::dump();
        let l = find(&dump, "lost");
        assert_eq!(l.state(), TaskState::LostWaker, "computed at the dump");
        assert_eq!(
            (l.location(), l.age(), l.idle(), l.polls()),
            (None, None, None, None)
        );
        assert!(
            dump.to_string()
                .contains(&format!("task {} \"lost\": lost waker", lost.id())),
            "{dump}"
        );
        // Not looked for after each poll either.
        assert_eq!(solo::runtime::metrics().lost_wakers, 0);
    });
}

#[test]
fn pausing_the_clock_turns_tracking_on_for_tasks_spawned_after() {
    let rt = solo::Runtime::new().unwrap();
    rt.block_on(async {
        let before = TaskBuilder::new()
            .name("before")
            .spawn(std::future::pending::<()>())
            .unwrap();
        solo::time::pause();
        let after = TaskBuilder::new()
            .name("after")
            .spawn(std::future::pending::<()>())
            .unwrap();
        solo::task::yield_now().await;
        let dump = solo::runtime::dump();
        assert_eq!(find(&dump, "before").location(), None, "{dump}");
        assert_eq!(
            find(&dump, "after").location().unwrap().file(),
            file!(),
            "{dump}"
        );
        assert_eq!(find(&dump, "after").polls(), Some(1), "{dump}");
        before.abort();
        after.abort();
    });
}
