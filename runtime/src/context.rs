//! The per-runtime state (`Core`) and the thread-local that says which runtime,
//! if any, is running on this thread.
//!
//! Three modules know each other here, on purpose:
//! - `context` → `scheduler`: a `Core` owns its scheduler (and reactor,
//!   timers, clock).
//! - `scheduler` → `task`: the scheduler owns the tasks (`RawTask`s) and
//!   polls them.
//! - `task` → `scheduler` → `context`: a task's waker is `Send`, so it
//!   cannot hold an `Rc<Core>`; when woken it calls `scheduler::wake`,
//!   which asks this thread-local whether the task's runtime is the one
//!   running here (then it queues the task without a lock) or not (then it
//!   goes through the injection queue). `spawn` and `JoinHandle` reach the
//!   current `Core` the same way.
//!
//! Breaking the cycle would take a handle threaded through every waker and
//! `spawn` call, which is the cost this design avoids: `solo::spawn` works
//! anywhere inside the loop, and a local wake is a push onto a `VecDeque`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::reactor::Reactor;
use crate::scheduler::Scheduler;
use crate::task::TaskId;
use crate::time::clock::Clock;
use crate::time::timers::Timers;

/// Everything one runtime owns. Lives on one thread, behind an `Rc`.
///
/// Sockets, sleeps and join handles keep an `Rc<Core>`, so they can reach
/// their runtime without a thread-local lookup.
pub(crate) struct Core {
    pub(crate) scheduler: Scheduler,
    pub(crate) reactor: Reactor,
    pub(crate) timers: RefCell<Timers>,
    pub(crate) clock: Clock,
    /// `spawn_blocking` jobs whose result a task of this runtime still
    /// awaits (counted from the spawn until the task finishes or is
    /// dropped). While it is not zero, a paused clock does not jump ahead.
    pub(crate) blocking_jobs: Cell<usize>,
}

impl Core {
    /// Whether this core is the one running on the current thread.
    pub(crate) fn is_current(self: &Rc<Self>) -> bool {
        CURRENT
            .try_with(|c| c.borrow().as_ref().is_some_and(|cur| Rc::ptr_eq(cur, self)))
            .unwrap_or(false)
    }

    /// The clock was paused (or resumed): what follows it. Tasks are
    /// tracked while it is paused (unless always), the reactor keeps
    /// woken tasks' wakers only while they are not (a kept waker would
    /// hide a lost one), and paused timers take no slack.
    pub(crate) fn clock_paused(&self, paused: bool) {
        self.scheduler.set_paused(paused);
        self.reactor.set_keep_wakers(!self.scheduler.is_tracking());
        self.timers.borrow_mut().set_paused(paused);
    }
}

/// The panic message of a `block_on` inside a running runtime.
pub(crate) const NESTED_BLOCK_ON: &str = "solo::block_on called from inside a running runtime: \
     this would block the thread that drives every other task. Use `.await` (or `solo::spawn`) \
     instead.";

thread_local! {
    /// The runtime whose `block_on` (or shutdown) is running on this thread.
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Runs `f` with the current runtime, or returns `None` outside one.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Rc<Core>) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| c.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// The current runtime, if any.
pub(crate) fn current() -> Option<Rc<Core>> {
    with_current(Rc::clone)
}

/// The current runtime, or an I/O error saying there is none.
pub(crate) fn current_or_io_error() -> std::io::Result<Rc<Core>> {
    current().ok_or_else(|| {
        std::io::Error::other("no solo runtime is running on this thread: use solo::block_on")
    })
}

/// Makes `core` the current runtime until the guard drops.
///
/// `nested_ok` is false for `block_on`, which must not run inside another
/// `block_on`; shutdown may happen inside another runtime and passes true.
pub(crate) fn enter(core: Rc<Core>, nested_ok: bool) -> EnterGuard {
    // `try_with`: a runtime dropped by another thread-local's destructor may
    // run after `CURRENT` is gone; it then just is not made current (with
    // `with` the access panicked inside a destructor, aborting the process).
    let previous = CURRENT
        .try_with(|c| c.borrow_mut().replace(core))
        .ok()
        .flatten();
    if previous.is_some() && !nested_ok {
        // Put the outer runtime back before we unwind.
        CURRENT.with(|c| *c.borrow_mut() = previous);
        panic!("{NESTED_BLOCK_ON}");
    }
    EnterGuard { previous }
}

/// Restores the previous runtime (usually none) when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Rc<Core>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

/// The task being polled on this thread's runtime, if any.
pub(crate) fn task() -> Option<TaskId> {
    with_current(|core| core.scheduler.current()).flatten()
}
