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

mod handle;

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
    /// `slack` instead of once per timer. A lone timer still wakes the loop
    /// at its own deadline. [`Duration::ZERO`] wakes for every deadline to
    /// the nanosecond. A paused clock ignores the slack.
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
        match std::env::var("SOLO_SEED") {
            Err(std::env::VarError::NotPresent) => Ok(None),
            Ok(v) if v.trim().is_empty() => Ok(None),
            Ok(v) => v.trim().parse().map(Some).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("SOLO_SEED={v:?} is not a seed: expected a decimal u64"),
                )
            }),
            Err(std::env::VarError::NotUnicode(v)) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("SOLO_SEED={v:?} is not a seed: expected a decimal u64"),
            )),
        }
    }

    /// Builds the runtime.
    ///
    /// # Errors
    ///
    /// If the operating system refuses to create the poller or its waker
    /// (out of file descriptors, for instance), or if `SOLO_SEED` holds
    /// something other than a seed (see [`seed`](Self::seed)).
    pub fn build(&self) -> io::Result<Runtime> {
        let seed = self.resolved_seed()?;
        let (reactor, waker) = Reactor::new(self.events_capacity)?;
        let core = Core {
            scheduler: Scheduler::new(
                Arc::new(Shared::new(waker)),
                self.unhandled_panic == UnhandledPanic::ShutdownRuntime,
                seed,
            ),
            reactor,
            timers: RefCell::new(Timers::new(self.timer_slack, self.start_paused)),
            clock: Clock::new(self.start_paused),
            blocking_jobs: Cell::new(0),
        };
        Ok(Runtime {
            core: Rc::new(core),
            budget: self.budget,
        })
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
}

impl Runtime {
    /// A runtime with the default [`Builder`] settings.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Spawns a task on this runtime; it runs during `block_on`.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        JoinHandle::spawn(&self.core, future)
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
        let main = scheduler.main_task(main_id);
        let waker = main.waker();
        let mut cx = Context::from_waker(&waker);
        let mut main_woken = true;
        // Polls since the reactor was last polled.
        let mut polls = 0;
        loop {
            if main_woken {
                scheduler.main_polled(&main);
                let polling = scheduler.enter_poll(main_id);
                let poll = coop::with_budget(coop::BUDGET, || future.as_mut().poll(&mut cx));
                drop(polling);
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
        // Parking runs no task, so no timer was added meanwhile: with none
        // before, there is nothing to fire (and no clock to read).
        if next_timer.is_some() {
            self.fire_timers();
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
            None => {
                core.reactor.park(None)?;
            }
        }
        Ok(())
    }

    fn fire_timers(&self) {
        let core = &*self.core;
        crate::time::timers::fire_due(&core.timers, core.clock.ticks(core.clock.now()));
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
}
