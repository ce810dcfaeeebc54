//! [`Runtime`], its [`Builder`], [`block_on`], and the event loop.
//!
//! The loop, one turn at a time:
//! 1. poll the `block_on` future if it was woken;
//! 2. run ready tasks in FIFO order, at most `budget` of them;
//! 3. poll the reactor: without blocking if tasks are still ready, else
//!    until the next timer deadline (or an I/O event, or a remote wake);
//! 4. fire the timers that are due, which queues their tasks.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::context::{self, Core};
use crate::reactor::Reactor;
use crate::scheduler::{Scheduler, Shared};
use crate::task::{coop, JoinHandle};
use crate::time::clock::Clock;
use crate::time::timers::Timers;

mod dump;
mod handle;

pub use dump::{dump, Dump, TaskDump, TaskState};
pub use handle::{Handle, TryCurrentError};

/// Runs `future` to completion on a new runtime owned by this thread, and
/// returns its output.
///
/// Tasks still pending when `future` completes are dropped with the runtime:
/// their destructors run and their sockets deregister. A panic in `future`
/// propagates to the caller (after the runtime is dropped); a panic in a
/// spawned task does not: its [`JoinHandle`] yields the error instead.
///
/// # Panics
///
/// Panics if called inside a runtime (nested `block_on` would block the
/// thread every other task runs on), if `future` panics, or if the
/// operating system refuses to create a poller.
///
/// # Examples
///
/// ```
/// let answer = solo::block_on(async {
///     let task = solo::spawn(async { 6 * 7 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    // Checked here too, before a poller is made for nothing, and so that
    // the panic points at the caller.
    if context::current().is_some() {
        panic!("{}", context::NESTED_BLOCK_ON);
    }
    let rt = Runtime::new().unwrap_or_else(|e| panic!("solo: cannot create a runtime: {e}"));
    rt.block_on(future)
}

/// Configures and builds a [`Runtime`].
///
/// ```
/// let rt = solo::Builder::new().events_capacity(256).budget(32).build().unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    events_capacity: usize,
    budget: usize,
    start_paused: bool,
    unhandled_panic: UnhandledPanic,
    /// `None`: no explicit choice, so `SOLO_SEED` decides.
    seed: Option<Option<u64>>,
    timer_slack: Duration,
    hang_timeout: Option<Duration>,
    /// `None`: no explicit choice, so `SOLO_SLOW_POLL_MS` decides.
    slow_poll: Option<Option<Duration>>,
    task_tracking: bool,
}

/// What a runtime does when a spawned task panics; see
/// [`Builder::unhandled_panic`]. tokio's names and meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Keep running: the panic is caught and kept for the task's
    /// [`JoinHandle`], which yields it as a [`JoinError`](crate::JoinError)
    /// (and is lost if nobody awaits the handle). The default.
    #[default]
    Ignore,
    /// Stop: at the loop's next step, every other task is dropped and
    /// `block_on` panics with the task's id and panic message, whether or
    /// not anyone holds the task's `JoinHandle` (as in tokio). The runtime
    /// is then shut down: tasks spawned on it later never run.
    ShutdownRuntime,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            events_capacity: 1024,
            budget: 61,
            start_paused: false,
            unhandled_panic: UnhandledPanic::Ignore,
            seed: None,
            timer_slack: Duration::from_micros(50),
            hang_timeout: Some(Duration::from_secs(1)),
            slow_poll: None,
            task_tracking: false,
        }
    }
}

impl Builder {
    /// The defaults: 1024 events per poll, a budget of 61 polls per turn,
    /// the real clock.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// How many I/O events one poll of the reactor can return (at least 1).
    pub fn events_capacity(&mut self, capacity: usize) -> &mut Builder {
        self.events_capacity = capacity.max(1);
        self
    }

    /// How many tasks run between two polls of the reactor (at least 1). A
    /// smaller budget checks I/O and timers more often; a larger one makes
    /// fewer system calls when many tasks are ready.
    pub fn budget(&mut self, budget: usize) -> &mut Builder {
        self.budget = budget.max(1);
        self
    }

    /// Starts with the clock paused; [`time::pause`](crate::time::pause)
    /// says how a paused clock moves, and what it cannot see.
    pub fn start_paused(&mut self, paused: bool) -> &mut Builder {
        self.start_paused = paused;
        self
    }

    /// How late a timer may fire so that it shares a wake-up with others
    /// (default 50 µs, Linux's own default timer slack).
    ///
    /// Never early: a sleep ends at or after its deadline, and at most
    /// `slack` after it (plus the time the loop takes to get there). In
    /// exchange, timers due within `slack` of one another fire in one
    /// wake-up, and a stream of them wakes the thread about once per
    /// `slack` instead of once per timer. Under a dense stream, where each
    /// wake-up fires several timers (a server's many connection timeouts),
    /// the window doubles per such wake-up up to 4 × `slack`, so a timer
    /// may then fire up to 4 × `slack` late and the thread wakes at most
    /// about once per 4 × `slack`; a wake-up that fires a single timer
    /// narrows it back to `slack`. A lone timer still wakes the loop at its
    /// own deadline. [`Duration::ZERO`] wakes for every deadline to the
    /// nanosecond. A paused clock ignores the slack.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = solo::Builder::new().timer_slack(Duration::ZERO).build().unwrap();
    /// rt.block_on(solo::time::sleep(Duration::from_millis(1)));
    /// ```
    pub fn timer_slack(&mut self, slack: Duration) -> &mut Builder {
        self.timer_slack = slack;
        self
    }

    /// How long a runtime on a paused clock waits for anything to happen,
    /// when nothing can, before it gives up with a panic that lists every
    /// task (default 1 s of real time; `None` waits for ever).
    ///
    /// "Nothing can happen": no task is ready, no timer is armed (a paused
    /// clock would jump to it), no [`spawn_blocking`] job is out, and the
    /// reactor has delivered nothing (no I/O, no wake from another
    /// thread) for `timeout`. That is a deadlock: tasks waiting on each
    /// other, or on a waker nobody kept. The panic message is a
    /// [`Dump`]: each task's id, name, spawn location, state, how long it
    /// has waited and how often it was polled. A test that deadlocks
    /// fails in about a second, with that list, instead of hanging.
    ///
    /// [`Duration::ZERO`] reports a hang at the first moment nothing is
    /// ready; a timeout too long to add to the clock is the same as `None`.
    ///
    /// Only a paused clock (see [`start_paused`](Self::start_paused) and
    /// [`time::pause`](crate::time::pause)) is watched: on the real clock a
    /// quiet loop is a server waiting for clients. A paused-clock program
    /// that waits on outside events taking longer than `timeout` (a child
    /// process, another thread's channel) needs a longer timeout, or `None`.
    ///
    /// [`spawn_blocking`]: crate::task::spawn_blocking
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = solo::Builder::new()
    ///     .start_paused(true)
    ///     .hang_timeout(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// let hung = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(async {
    ///         let (_tx, rx) = solo::sync::oneshot::channel::<()>();
    ///         rx.await // the sender is kept but never used: a deadlock
    ///     })
    /// }));
    /// let message = *hung.unwrap_err().downcast::<String>().unwrap();
    /// assert!(message.contains("hang"), "{message}");
    /// ```
    pub fn hang_timeout(&mut self, timeout: impl Into<Option<Duration>>) -> &mut Builder {
        self.hang_timeout = timeout.into();
        self
    }

    /// Records, for every task, where it was spawned, when, how often it
    /// was polled and when its last poll ended, for [`Dump`]s and the
    /// slow-poll and hang reports; and looks for lost wakers after each
    /// poll ([`Metrics::lost_wakers`]). Off by default (tokio, too, keeps
    /// spawn locations and task dumps behind options), except while the
    /// clock is paused, with a [seed](Self::seed) or with a
    /// [slow-poll threshold](Self::slow_poll_threshold): that is, in tests.
    ///
    /// Untracked, a dump still lists every task with its id, name and
    /// state (a lost waker included), without location, times or polls.
    /// Tracking costs a record of 24 bytes per task beside the task list
    /// and a few instructions per poll; untracked costs nothing
    /// (benches/README.md, "Task dumps").
    ///
    /// ```
    /// let rt = solo::Builder::new().task_tracking(true).build().unwrap();
    /// let line = line!() + 1;
    /// let _task = rt.spawn(async {});
    /// let dump = rt.dump();
    /// assert_eq!(dump.tasks()[0].location().unwrap().line(), line);
    /// ```
    pub fn task_tracking(&mut self, on: bool) -> &mut Builder {
        self.task_tracking = on;
        self
    }

    /// Logs at `warn` every poll of a task that takes `threshold` or
    /// longer: the task's id, name and spawn location, and how long the
    /// poll took; [`Metrics::slow_polls`] counts them. `None` (the
    /// default) turns it off.
    ///
    /// A poll that takes long stops every other task, timer and socket
    /// for that long: blocking calls (`std::thread::sleep`, file or DNS
    /// I/O, a big computation) belong in [`spawn_blocking`]. This names the
    /// task that does it, as asyncio's debug mode does.
    ///
    /// On, it reads the system clock twice per poll; off, it costs one
    /// branch per batch of polls (benches/README.md, "Task dumps").
    /// Without a call to this, the environment variable
    /// `SOLO_SLOW_POLL_MS` (a whole number of milliseconds) sets it;
    /// [`build`](Self::build) fails with `InvalidInput` if it holds
    /// anything else.
    ///
    /// [`spawn_blocking`]: crate::task::spawn_blocking
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = solo::Builder::new()
    ///     .slow_poll_threshold(Duration::from_millis(5))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     solo::spawn(async { std::thread::sleep(Duration::from_millis(10)) })
    ///         .await
    ///         .unwrap();
    /// });
    /// assert_eq!(rt.metrics().slow_polls, 1);
    /// ```
    pub fn slow_poll_threshold(&mut self, threshold: impl Into<Option<Duration>>) -> &mut Builder {
        self.slow_poll = Some(threshold.into());
        self
    }

    /// The slow-poll threshold: the builder's own choice, else
    /// `SOLO_SLOW_POLL_MS`'s.
    fn resolved_slow_poll(&self) -> io::Result<Option<Duration>> {
        if let Some(threshold) = self.slow_poll {
            return Ok(threshold);
        }
        match env_u64("SOLO_SLOW_POLL_MS")? {
            Some(ms) => Ok(Some(Duration::from_millis(ms))),
            None => Ok(None),
        }
    }

    /// What happens when a spawned task panics: by default the panic goes
    /// to its [`JoinHandle`] only ([`UnhandledPanic::Ignore`]); with
    /// [`UnhandledPanic::ShutdownRuntime`] it stops the runtime, so that a
    /// bug in a detached task cannot go unnoticed.
    ///
    /// ```
    /// use solo::runtime::UnhandledPanic;
    ///
    /// let rt = solo::Builder::new()
    ///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
    ///     .build()
    ///     .unwrap();
    /// let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(async {
    ///         solo::spawn(async { panic!("detached task failed") });
    ///         std::future::pending::<()>().await // never completes
    ///     })
    /// }));
    /// assert!(stopped.is_err());
    /// ```
    pub fn unhandled_panic(&mut self, policy: UnhandledPanic) -> &mut Builder {
        self.unhandled_panic = policy;
        self
    }

    /// Runs ready tasks in a pseudo-random order drawn from `seed`, instead
    /// of first come, first served; `None` keeps the FIFO order whatever
    /// `SOLO_SEED` says.
    ///
    /// With a seed, whenever several tasks are ready the next one to run is
    /// drawn from all of them, each as likely. Tasks woken by timers due at
    /// the same instant, or by one batch of I/O events, are ready together,
    /// so their order is drawn too; so is the start branch of an unbiased
    /// [`select!`](crate::select). On a paused clock with no outside input
    /// (no real sockets, no threads), the same program and seed give the
    /// same schedule, step for step: a bug that depends on the order of
    /// tasks shows up under some seed, and that seed replays it.
    /// [`Metrics::schedule_fingerprint`] (a hash of the ids of the tasks
    /// polled, in order) tells two schedules apart.
    /// [`solo::test::explore`](crate::test::explore) runs a test under many
    /// seeds.
    ///
    /// Without a call to `seed`, the environment variable `SOLO_SEED` (a
    /// decimal `u64`) sets it; [`build`](Self::build) fails with
    /// `InvalidInput` if it holds anything else.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// fn order(seed: u64) -> Vec<u32> {
    ///     let rt = solo::Builder::new().seed(seed).build().unwrap();
    ///     rt.block_on(async {
    ///         let order = Rc::new(RefCell::new(Vec::new()));
    ///         let tasks: Vec<_> = (0..8)
    ///             .map(|i| {
    ///                 let order = order.clone();
    ///                 solo::spawn(async move { order.borrow_mut().push(i) })
    ///             })
    ///             .collect();
    ///         for task in tasks {
    ///             task.await.unwrap();
    ///         }
    ///         order.take()
    ///     })
    /// }
    /// assert_eq!(order(7), order(7)); // one seed, one schedule
    /// assert_ne!(order(7), (0..8).collect::<Vec<_>>()); // not FIFO
    /// ```
    pub fn seed(&mut self, seed: impl Into<Option<u64>>) -> &mut Builder {
        self.seed = Some(seed.into());
        self
    }

    /// The seed this builder's runtimes get: its own choice, else
    /// `SOLO_SEED`'s.
    fn resolved_seed(&self) -> io::Result<Option<u64>> {
        if let Some(seed) = self.seed {
            return Ok(seed);
        }
        env_u64("SOLO_SEED")
    }

    /// Builds the runtime.
    ///
    /// # Errors
    ///
    /// If the operating system refuses to create the poller or its waker
    /// (out of file descriptors, for instance), or if `SOLO_SEED` or
    /// `SOLO_SLOW_POLL_MS` holds something other than a whole number (see
    /// [`seed`](Self::seed) and
    /// [`slow_poll_threshold`](Self::slow_poll_threshold)).
    pub fn build(&self) -> io::Result<Runtime> {
        let seed = self.resolved_seed()?;
        let slow_poll = self.resolved_slow_poll()?;
        let (reactor, waker) = Reactor::new(self.events_capacity)?;
        let core = Core {
            scheduler: Scheduler::new(
                Arc::new(Shared::new(waker)),
                self.unhandled_panic == UnhandledPanic::ShutdownRuntime,
                seed,
                slow_poll,
                self.task_tracking,
                self.start_paused,
            ),
            reactor,
            timers: RefCell::new(Timers::new(self.timer_slack, self.start_paused)),
            clock: Clock::new(self.start_paused),
            blocking_jobs: Cell::new(0),
        };
        core.reactor.set_keep_wakers(!core.scheduler.is_tracking());
        Ok(Runtime {
            core: Rc::new(core),
            budget: self.budget,
            hang_timeout: self.hang_timeout,
        })
    }
}

/// The environment variable `name` as a decimal `u64`; `None` if unset or
/// blank, `InvalidInput` if it holds anything else.
fn env_u64(name: &str) -> io::Result<Option<u64>> {
    let invalid = |v: &dyn fmt::Debug| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name}={v:?} is not valid here: expected a decimal u64"),
        )
    };
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v.trim().parse().map(Some).map_err(|_| invalid(&v)),
        Err(std::env::VarError::NotUnicode(v)) => Err(invalid(&v)),
    }
}

/// A single-threaded runtime: an executor, a reactor and a timer store.
///
/// Keep one around to call [`block_on`](Runtime::block_on) more than once;
/// tasks spawned in one call keep running in the next. Dropping the runtime
/// drops every task left.
///
/// ```
/// let rt = solo::Runtime::new().unwrap();
/// let task = rt.spawn(async { "queued before the loop ran" });
/// assert_eq!(rt.block_on(task).unwrap(), "queued before the loop ran");
/// ```
pub struct Runtime {
    core: Rc<Core>,
    budget: usize,
    hang_timeout: Option<Duration>,
}

impl Runtime {
    /// A runtime with the default [`Builder`] settings.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Spawns a task on this runtime; it runs during `block_on`.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        JoinHandle::spawn(&self.core, future, std::panic::Location::caller())
    }

    /// A handle other threads can spawn onto this runtime through.
    pub fn handle(&self) -> Handle {
        Handle {
            shared: self.core.scheduler.shared.clone(),
        }
    }

    /// Runs `future` to completion on this thread, along with the tasks.
    ///
    /// # Panics
    ///
    /// Panics if called inside a runtime, or if `future` panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter(self.core.clone(), false);
        let scheduler = &self.core.scheduler;
        let mut future = pin!(future);
        let main_id = scheduler.next_task_id();
        let main = scheduler.main_task(main_id, std::panic::Location::caller());
        // Unwinding too: the scheduler forgets `main` before it is freed.
        struct MainDone<'a>(&'a Scheduler);
        impl Drop for MainDone<'_> {
            fn drop(&mut self) {
                self.0.main_done();
            }
        }
        let _main_done = MainDone(scheduler);
        let waker = main.waker();
        let mut cx = Context::from_waker(&waker);
        let mut main_woken = true;
        // Polls since the reactor was last polled.
        let mut polls = 0;
        loop {
            if main_woken {
                scheduler.main_polled(&main);
                let polling = scheduler.enter_poll(&main);
                let start = scheduler.slow_poll().map(|_| Instant::now());
                let poll = coop::with_budget(coop::BUDGET, || future.as_mut().poll(&mut cx));
                if let Some(start) = start {
                    scheduler.check_slow_poll(&main, start.elapsed());
                }
                drop(polling);
                if scheduler.is_tracking() {
                    scheduler.main_tracked_poll();
                }
                if let Poll::Ready(output) = poll {
                    return output;
                }
                polls += 1;
            }
            let (ran, main_next) = scheduler.run_ready(self.budget.saturating_sub(polls));
            polls += ran;
            if let Some((id, message)) = scheduler.take_unhandled_panic() {
                self.shut_down_on_panic(id, message);
            }
            main_woken = main_next;
            // Poll the reactor when nothing is ready, or when the budget is
            // spent (so that ready tasks cannot starve I/O and timers).
            if !main_woken || polls >= self.budget {
                self.turn(main_woken);
                polls = 0;
            }
        }
    }

    /// `UnhandledPanic::ShutdownRuntime`: drops every task, then panics
    /// with the one that panicked.
    #[cold]
    fn shut_down_on_panic(&self, id: crate::task::TaskId, message: Option<String>) -> ! {
        self.core.scheduler.shutdown();
        match message {
            Some(message) => panic!(
                "solo: task {id} panicked with message {message:?}, and the runtime was built \
                 with UnhandledPanic::ShutdownRuntime"
            ),
            None => panic!(
                "solo: task {id} panicked, and the runtime was built with \
                 UnhandledPanic::ShutdownRuntime"
            ),
        }
    }

    /// Polls the reactor and fires due timers. Blocks only if nothing is
    /// ready to run.
    fn turn(&self, main_woken: bool) {
        let core = &*self.core;
        core.scheduler.drain_injected();
        let has_work = main_woken || core.scheduler.has_ready();
        let next_timer = core.timers.borrow_mut().next_deadline();
        let result = if has_work {
            // Check I/O without blocking, unless nothing is registered.
            if core.reactor.registrations() > 0 {
                core.reactor.park(Some(Instant::now())).map(drop)
            } else {
                Ok(())
            }
        } else if core.clock.is_paused() {
            self.turn_paused(next_timer)
        } else {
            core.reactor
                .park(next_timer.map(|t| core.clock.to_system(core.clock.instant(t))))
                .map(drop)
        };
        if let Err(e) = result {
            // The poller failing is not something a task can fix; say so
            // loudly rather than spin.
            panic!("solo: polling the reactor failed: {e}");
        }
        // The times tracked tasks record (spawned, last polled) until the
        // next turn, from the cheap coarse clock. Truncated: milliseconds
        // wrap after 49 days, and a dump's ages are differences of them.
        if core.scheduler.is_tracking() {
            core.scheduler.set_now_ms(core.clock.now_ms() as u32);
        }
        // Parking runs no task, so no timer was added meanwhile: with none
        // before, there is nothing to fire (and no clock to read).
        if next_timer.is_some() {
            crate::time::timers::fire_due(&core.timers, core.clock.ticks(core.clock.now()));
        }
        core.scheduler.drain_injected();
    }

    /// With a paused clock and nothing to run: take any I/O that is ready,
    /// and if there is none, jump the clock to the next timer.
    ///
    /// Not while a `spawn_blocking` job is outstanding, though: its result
    /// comes back in real time, through a remote wake. Then the clock moves
    /// at the real clock's pace instead: wait for the wake (or I/O) until
    /// the next timer is due in real time, and move the clock on by the
    /// time that passed. It never freezes: a job that itself waits for
    /// something a sleeping task will do (a channel it reads) still gets it.
    fn turn_paused(&self, next_timer: Option<u64>) -> io::Result<()> {
        let core = &*self.core;
        let events = core.reactor.park(Some(Instant::now()))?;
        core.scheduler.drain_injected();
        if events > 0 || core.scheduler.has_ready() {
            return Ok(());
        }
        let now = core.clock.now();
        match next_timer {
            // Due already: the caller fires it.
            Some(t) if t <= core.clock.ticks(now) => {}
            Some(t) if core.blocking_jobs.get() == 0 => {
                core.clock.advance_to(core.clock.instant(t));
            }
            Some(t) => {
                let wait = core.clock.instant(t).saturating_duration_since(now);
                let start = Instant::now();
                core.reactor.park(Some(start + wait))?;
                core.clock.advance_to(now + start.elapsed().min(wait));
            }
            None => match self.hang_timeout {
                // A timeout too long to add to now waits for ever.
                Some(timeout) if core.blocking_jobs.get() == 0 => {
                    let Some(deadline) = Instant::now().checked_add(timeout) else {
                        core.reactor.park(None)?;
                        return Ok(());
                    };
                    core.reactor.park(Some(deadline))?;
                    core.scheduler.drain_injected();
                    // An event that woke nothing (and the poller's own
                    // timer event) is not progress; the wait's end is.
                    if !core.scheduler.has_ready() && Instant::now() >= deadline {
                        self.hung(timeout);
                    }
                }
                _ => {
                    core.reactor.park(None)?;
                }
            },
        }
        Ok(())
    }

    /// Nothing can happen any more ([`Builder::hang_timeout`]): panics
    /// with the dump.
    #[cold]
    #[inline(never)]
    fn hung(&self, timeout: Duration) -> ! {
        let dump = dump::of(&self.core);
        panic!(
            "solo: hang: on a paused clock, no task is ready, no timer is armed and nothing \
             happened for {timeout:?} (Builder::hang_timeout), so nothing ever will; {dump}"
        )
    }

    /// The live tasks of this runtime: see [`Dump`].
    ///
    /// ```
    /// let rt = solo::Runtime::new().unwrap();
    /// let _task = rt.spawn(async {});
    /// let dump = rt.dump();
    /// assert_eq!(dump.tasks().len(), 1); // spawned, not yet run
    /// assert_eq!(dump.tasks()[0].state(), solo::runtime::TaskState::Ready);
    /// ```
    pub fn dump(&self) -> Dump {
        dump::of(&self.core)
    }

    /// A snapshot of the runtime's counters.
    pub fn metrics(&self) -> Metrics {
        core_metrics(&self.core)
    }
}

/// A snapshot of the counters of the runtime running on this thread.
///
/// # Panics
///
/// Panics outside a runtime; use [`Runtime::metrics`] there.
#[track_caller]
pub fn metrics() -> Metrics {
    match context::with_current(|core| core_metrics(core)) {
        Some(m) => m,
        None => panic!("solo::runtime::metrics called outside a runtime"),
    }
}

fn core_metrics(core: &Core) -> Metrics {
    {
        let reactor = core.reactor.counters();
        let timers = core.timers.borrow();
        let counters = &core.scheduler.counters;
        Metrics {
            tasks_spawned: counters.spawned.get(),
            tasks_alive: core.scheduler.alive(),
            polls: counters.polls.get(),
            local_wakes: counters.local_wakes.get(),
            remote_wakes: core.scheduler.remote_wakes(),
            parks: reactor.parks,
            io_events: reactor.io_events,
            io_registrations: core.reactor.registrations(),
            timers_fired: timers.fired(),
            timers_pending: timers.pending(),
            timers_stored: timers.len(),
            schedule_fingerprint: core.scheduler.fingerprint(),
            lost_wakers: counters.lost_wakers.get(),
            slow_polls: counters.slow_polls.get(),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Destructors of tasks may spawn, wake or deregister: let them see
        // this runtime as current.
        let _enter = context::enter(self.core.clone(), true);
        self.core.scheduler.shutdown();
        let wakers = self.core.timers.borrow_mut().clear();
        drop(wakers);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("budget", &self.budget)
            .field("metrics", &self.metrics())
            .finish()
    }
}

/// What a runtime has done so far, from [`Runtime::metrics`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Tasks spawned since the runtime was built.
    pub tasks_spawned: u64,
    /// Tasks spawned and not yet finished (or aborted). A finished task
    /// whose output its `JoinHandle` has not read yet is not counted.
    pub tasks_alive: usize,
    /// Task polls.
    pub polls: u64,
    /// Wake-ups from the runtime's own thread (including yields).
    pub local_wakes: u64,
    /// Wake-ups from other threads (or from outside `block_on`).
    pub remote_wakes: u64,
    /// Calls to the poller (blocking or not).
    pub parks: u64,
    /// I/O events received, including timer and waker events.
    pub io_events: u64,
    /// I/O sources registered right now.
    pub io_registrations: usize,
    /// Timers that fired.
    pub timers_fired: u64,
    /// Timers waiting to fire.
    pub timers_pending: usize,
    /// Timer slots in use (pending, or fired but not yet dropped).
    pub timers_stored: usize,
    /// With a seed ([`Builder::seed`]): a hash of the ids of the tasks
    /// polled so far (the `block_on` future included), in order. Two runs
    /// of one program with one seed give the same value; a different
    /// schedule almost surely a different one. `None` without a seed.
    pub schedule_fingerprint: Option<u64>,
    /// Polls after which a task was left with no waker: it returned
    /// `Pending`, but nothing held a waker (or abort handle) for it, so it
    /// can never run again. Each is a bug in a future; the first for each
    /// task is logged at `warn`. Looked for only while
    /// [tasks are tracked](Builder::task_tracking) (on a paused clock, for
    /// one); a [`Dump`] shows such a task as [`TaskState::LostWaker`]
    /// either way.
    pub lost_wakers: u64,
    /// Polls that took [`Builder::slow_poll_threshold`] or longer (the
    /// `block_on` future's included); each is logged at `warn`.
    pub slow_polls: u64,
}
