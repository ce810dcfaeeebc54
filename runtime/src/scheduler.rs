//! The executor: the slab of unfinished tasks, the FIFO ready queue, and
//! the wake path.
//!
//! A task (`task/raw.rs`) is one allocation whose header is its waker, which
//! is `Send + Sync`: woken on the runtime's own thread it pushes onto the
//! ready queue (no lock); woken from anywhere else it goes through the
//! injection queue (`inject.rs`) and the reactor's `mio::Waker`.

use std::cell::{Cell as StdCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use slab::Slab;

use crate::context;
use crate::inject::Inject;
use crate::rng::{self, Rng};
use crate::task::cell::Finished;
use crate::task::coop;
use crate::task::raw::{Header, RawTask, Stats};
use crate::task::TaskId;

/// Slab key of the future given to `block_on`, which is not in the slab.
pub(crate) const MAIN_KEY: u32 = u32::MAX;

/// Names one task in the ready queue: its slab key plus a generation (the
/// low bits of its id), so that a queued reference to a task that has since
/// finished (and whose key was reused) is recognised and skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskRef {
    pub(crate) key: u32,
    generation: u32,
}

impl TaskRef {
    pub(crate) fn new(key: u32, id: TaskId) -> TaskRef {
        TaskRef {
            key,
            generation: id.as_u64() as u32, // truncation intended: a generation
        }
    }
}

/// A future spawned from another thread through a
/// [`Handle`](crate::runtime::Handle), waiting for the runtime's thread to
/// spawn it there. Dropping it unrun cancels it (its `RemoteJoinHandle`
/// then yields a cancelled `JoinError`).
pub(crate) type RemoteSpawn = Box<dyn FnOnce(&Scheduler) + Send>;

/// The part of a runtime other threads may touch.
pub(crate) struct Shared {
    /// Tasks woken from other threads, waiting to join the ready queue.
    injected: Inject<TaskRef>,
    /// Futures spawned from other threads; closed when the runtime goes.
    spawns: Inject<RemoteSpawn>,
    /// Ids for tasks spawned from other threads: the even numbers (the
    /// runtime's thread hands out the odd ones without an atomic).
    remote_ids: AtomicU64,
    /// Unblocks the reactor's `poll` from another thread.
    waker: mio::Waker,
    /// Set once the runtime is gone: remote wakes then do nothing.
    closed: AtomicBool,
    remote_wakes: AtomicU64,
}

impl Shared {
    pub(crate) fn new(waker: mio::Waker) -> Self {
        Shared {
            injected: Inject::new(),
            spawns: Inject::new(),
            remote_ids: AtomicU64::new(2),
            waker,
            closed: AtomicBool::new(false),
            remote_wakes: AtomicU64::new(0),
        }
    }
}

impl Shared {
    /// An id for a task spawned from another thread.
    pub(crate) fn remote_task_id(&self) -> TaskId {
        TaskId::new(self.remote_ids.fetch_add(2, Ordering::Relaxed))
    }

    /// Queues `spawn` for the runtime's thread and signals it. Hands
    /// `spawn` back if the runtime is gone.
    pub(crate) fn spawn_remote(&self, spawn: RemoteSpawn) -> Result<(), RemoteSpawn> {
        if self.spawns.push(spawn)? {
            // Fails only if the poller is gone, and then so is the runtime:
            // its drop takes the queue apart.
            let _ = self.waker.wake();
        }
        Ok(())
    }
}

/// Wakes `task`: the body of every task waker. `queued` is the task's flag
/// that dedups wakes until it runs.
pub(crate) fn wake(queued: &AtomicBool, shared: &Arc<Shared>, task: TaskRef) {
    if queued.swap(true, Ordering::AcqRel) {
        return;
    }
    let local = context::with_current(|core| {
        if Arc::ptr_eq(&core.scheduler.shared, shared) {
            core.scheduler.push_local(task);
            true
        } else {
            false
        }
    });
    if local != Some(true) {
        wake_remote(shared, task);
    }
}

/// A wake from another thread (or from outside `block_on`): through the
/// injection queue, and the poller's waker if the runtime may be parked.
fn wake_remote(shared: &Shared, task: TaskRef) {
    if shared.closed.load(Ordering::Acquire) {
        return;
    }
    shared.remote_wakes.fetch_add(1, Ordering::Relaxed);
    if shared.injected.push(task) == Ok(true) {
        // Fails only if the runtime's poller is gone, and then there is
        // nobody to wake.
        let _ = shared.waker.wake();
    }
}

/// Counters of what the scheduler did, read by `Runtime::metrics`.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) spawned: StdCell<u64>,
    pub(crate) polls: StdCell<u64>,
    pub(crate) local_wakes: StdCell<u64>,
    pub(crate) lost_wakers: StdCell<u64>,
    pub(crate) slow_polls: StdCell<u64>,
}

fn bump(c: &StdCell<u64>) {
    c.set(c.get().wrapping_add(1));
}

pub(crate) struct Scheduler {
    /// Tasks not yet finished. A slot is `None` while its task is polled
    /// (taken out so that it may spawn, join or abort tasks meanwhile).
    tasks: RefCell<Slab<Option<RawTask>>>,
    ready: RefCell<VecDeque<TaskRef>>,
    pub(crate) shared: Arc<Shared>,
    next_id: StdCell<u64>,
    /// The task (or `block_on` future) being polled, for `task::id()` and
    /// dumps; set only through [`Scheduler::enter_poll`], so that it is
    /// `None` again once no poll is running, even if one unwound.
    current: StdCell<Option<Running>>,
    /// The `block_on` future's task, while `block_on` runs (for dumps).
    main: StdCell<Option<NonNull<Header>>>,
    /// Names given with `task::Builder::name`, by task; a task's flag says
    /// whether it has one, so that unnamed ones never look here.
    names: RefCell<HashMap<TaskId, Rc<str>>>,
    /// The runtime clock in milliseconds as of the loop's last turn: what
    /// tracked tasks record as their spawn and last-poll times.
    now_ms: StdCell<u32>,
    /// Task tracking ([`Builder::task_tracking`]): on if asked for, with a
    /// seed or a slow-poll threshold (`track_always`), or while the clock
    /// is paused.
    ///
    /// [`Builder::task_tracking`]: crate::Builder::task_tracking
    tracking: StdCell<bool>,
    track_always: bool,
    /// While tracking: each tracked task's record, by slab key (a record
    /// whose id is not the task's is a former task's, left behind).
    tracks: RefCell<Vec<Track>>,
    /// The `block_on` future's record, if tracked.
    main_track: StdCell<Option<Track>>,
    /// [`Builder::slow_poll_threshold`](crate::Builder::slow_poll_threshold).
    slow_poll: Option<Duration>,
    pub(crate) counters: Counters,
    /// `UnhandledPanic::ShutdownRuntime`: a task's panic stops `block_on`.
    shutdown_on_panic: bool,
    /// The first task panic seen with `shutdown_on_panic`: its id and
    /// message, for `block_on` to report.
    unhandled_panic: RefCell<Option<(TaskId, Option<String>)>>,
    /// With a seed ([`Builder::seed`](crate::Builder::seed)): the next
    /// task to run is drawn from the whole ready queue, not its front.
    rng: Option<Rng>,
    /// With a seed: a hash of the ids of the tasks polled, in order.
    fingerprint: StdCell<u64>,
}

/// What the scheduler records of a task while tracking is on; a dump
/// shows it. Kept beside the slab rather than in the task, so that a
/// runtime that does not track pays nothing for it, not even memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Track {
    pub(crate) id: TaskId,
    pub(crate) location: &'static Location<'static>,
    /// The runtime clock's milliseconds (truncated) at the spawn, and at
    /// the end of the last poll (or the spawn).
    pub(crate) spawned_ms: u32,
    pub(crate) idle_ms: u32,
    pub(crate) polls: u32,
}

/// The task being polled.
#[derive(Clone, Copy)]
struct Running {
    id: TaskId,
    /// Alive while it runs: the poller holds a reference.
    ptr: NonNull<Header>,
}

/// Where [`Scheduler::for_each_task`] found a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The `block_on` future, not being polled.
    Main,
    /// The `block_on` future, being polled.
    RunningMain,
    /// A task being polled.
    Running,
    /// A task in the slab: ready or waiting.
    Slab,
}

/// Restores the scheduler's current task when dropped; from
/// [`Scheduler::enter_poll`].
pub(crate) struct PollGuard<'a> {
    previous: Option<Running>,
    current: &'a StdCell<Option<Running>>,
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.current.set(self.previous);
    }
}

impl Scheduler {
    pub(crate) fn new(
        shared: Arc<Shared>,
        shutdown_on_panic: bool,
        seed: Option<u64>,
        slow_poll: Option<Duration>,
        track: bool,
        paused: bool,
    ) -> Self {
        let track_always = track || seed.is_some() || slow_poll.is_some();
        Scheduler {
            tasks: RefCell::new(Slab::new()),
            ready: RefCell::new(VecDeque::new()),
            shared,
            next_id: StdCell::new(1),
            current: StdCell::new(None),
            main: StdCell::new(None),
            names: RefCell::new(HashMap::new()),
            now_ms: StdCell::new(0),
            tracking: StdCell::new(track_always || paused),
            track_always,
            tracks: RefCell::new(Vec::new()),
            main_track: StdCell::new(None),
            slow_poll,
            counters: Counters::default(),
            shutdown_on_panic,
            unhandled_panic: RefCell::new(None),
            rng: seed.map(Rng::new),
            fingerprint: StdCell::new(rng::FOLD_START),
        }
    }

    /// The seeded generator, if the runtime has a seed.
    pub(crate) fn rng(&self) -> Option<&Rng> {
        self.rng.as_ref()
    }

    /// The schedule fingerprint, if the runtime has a seed.
    pub(crate) fn fingerprint(&self) -> Option<u64> {
        self.rng.as_ref().map(|_| self.fingerprint.get())
    }

    /// The next local id: odd numbers, from 1 (the even ones are for
    /// tasks spawned from other threads, [`Shared::remote_task_id`]).
    pub(crate) fn next_task_id(&self) -> TaskId {
        let id = self.next_id.get();
        self.next_id.set(id + 2);
        TaskId::new(id)
    }

    /// Makes `raw` the current task until the guard drops, which restores
    /// the one before (usually none), on unwinding too.
    #[inline(always)]
    pub(crate) fn enter_poll(&self, raw: &RawTask) -> PollGuard<'_> {
        let running = Running {
            id: raw.header().id,
            ptr: raw.as_ptr(),
        };
        PollGuard {
            previous: self.current.replace(Some(running)),
            current: &self.current,
        }
    }

    /// The id of the task being polled, if any.
    pub(crate) fn current(&self) -> Option<TaskId> {
        self.current.get().map(|r| r.id)
    }

    /// A waker for the `block_on` future: waking it queues `MAIN_KEY`.
    /// It also carries the future's dump entry (`location`: the caller of
    /// `block_on`); the scheduler knows of it until [`main_done`].
    ///
    /// [`main_done`]: Self::main_done
    pub(crate) fn main_task(&self, id: TaskId, location: &'static Location<'static>) -> RawTask {
        let main = RawTask::waker_only(self.shared.clone(), MAIN_KEY, id);
        self.main.set(Some(main.as_ptr()));
        self.main_track
            .set(self.tracking.get().then(|| self.track(id, location)));
        main
    }

    /// `block_on` is returning (or unwinding): its future's task goes.
    pub(crate) fn main_done(&self) {
        self.main.set(None);
        self.main_track.set(None);
    }

    /// The `block_on` future was polled (and returned `Pending`).
    pub(crate) fn main_tracked_poll(&self) {
        if let Some(mut track) = self.main_track.get() {
            track.polls = track.polls.saturating_add(1);
            track.idle_ms = self.now_ms.get();
            self.main_track.set(Some(track));
        }
    }

    /// A new record for a task spawned at `location`, now.
    fn track(&self, id: TaskId, location: &'static Location<'static>) -> Track {
        let now_ms = self.now_ms.get();
        Track {
            id,
            location,
            spawned_ms: now_ms,
            idle_ms: now_ms,
            polls: 0,
        }
    }

    /// Whether tasks are being tracked.
    pub(crate) fn is_tracking(&self) -> bool {
        self.tracking.get()
    }

    /// The clock was paused (or resumed): tracking follows, unless asked
    /// for anyway.
    pub(crate) fn set_paused(&self, paused: bool) {
        self.tracking.set(self.track_always || paused);
    }

    /// The record of task `id` at slab key `key`, if it is tracked.
    fn track_of(&self, key: u32, id: TaskId) -> Option<Track> {
        let tracks = self.tracks.borrow();
        tracks.get(key as usize).copied().filter(|t| t.id == id)
    }

    #[cold]
    #[inline(never)]
    fn track_spawn(&self, key: u32, id: TaskId, location: &'static Location<'static>) {
        let track = self.track(id, location);
        let mut tracks = self.tracks.borrow_mut();
        let key = key as usize;
        if tracks.len() <= key {
            tracks.resize(key + 1, track);
        }
        tracks[key] = track;
    }

    /// A tracked task's poll ended; `pending`: it returned `Pending`.
    fn track_poll(&self, raw: &RawTask, pending: bool) {
        let header = raw.header();
        if let Some(track) = self.tracks.borrow_mut().get_mut(header.key() as usize) {
            if track.id == header.id {
                track.polls = track.polls.saturating_add(1);
                track.idle_ms = self.now_ms.get();
            }
        }
        if pending && raw.waker_lost() {
            self.lost_waker(raw);
        }
    }

    /// The runtime clock's time, once per turn of the loop.
    pub(crate) fn set_now_ms(&self, now_ms: u32) {
        self.now_ms.set(now_ms);
    }

    pub(crate) fn now_ms(&self) -> u32 {
        self.now_ms.get()
    }

    /// Names `raw`'s task.
    pub(crate) fn set_name(&self, raw: &RawTask, name: Rc<str>) {
        raw.set_named();
        self.names.borrow_mut().insert(raw.header().id, name);
    }

    pub(crate) fn name(&self, id: TaskId) -> Option<Rc<str>> {
        self.names.borrow().get(&id).cloned()
    }

    /// The slow-poll threshold, if set.
    pub(crate) fn slow_poll(&self) -> Option<Duration> {
        self.slow_poll
    }

    /// The `block_on` future is about to be polled: wakes queue it again.
    pub(crate) fn main_polled(&self, main: &RawTask) {
        main.header().queued.store(false, Ordering::Release);
    }

    /// A task panic that must stop the runtime, if one happened
    /// (`UnhandledPanic::ShutdownRuntime`).
    pub(crate) fn take_unhandled_panic(&self) -> Option<(TaskId, Option<String>)> {
        self.unhandled_panic.borrow_mut().take()
    }

    pub(crate) fn remote_wakes(&self) -> u64 {
        self.shared.remote_wakes.load(Ordering::Relaxed)
    }

    pub(crate) fn alive(&self) -> usize {
        self.tasks.borrow().len()
    }

    fn push_local(&self, task: TaskRef) {
        bump(&self.counters.local_wakes);
        self.ready.borrow_mut().push_back(task);
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.borrow().is_empty()
    }

    /// Moves remotely woken tasks onto the ready queue, and spawns the
    /// futures other threads spawned.
    pub(crate) fn drain_injected(&self) {
        self.shared.injected.drain(&mut *self.ready.borrow_mut());
        struct Spawner<'a>(&'a Scheduler);
        impl Extend<RemoteSpawn> for Spawner<'_> {
            fn extend<I: IntoIterator<Item = RemoteSpawn>>(&mut self, spawns: I) {
                for spawn in spawns {
                    spawn(self.0);
                }
            }
        }
        self.shared.spawns.drain(&mut Spawner(self));
    }

    /// Adds a task spawned at `location` and queues it to run. Returns
    /// the `JoinHandle`'s owner.
    pub(crate) fn spawn<F>(&self, future: F, location: &'static Location<'static>) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_with_id(future, self.next_task_id(), location)
    }

    /// [`spawn`](Self::spawn), with an id from elsewhere.
    pub(crate) fn spawn_with_id<F>(
        &self,
        future: F,
        id: TaskId,
        location: &'static Location<'static>,
    ) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let key = u32::try_from(entry.key())
            .ok()
            .filter(|&k| k != MAIN_KEY)
            .unwrap_or_else(|| panic!("solo: more than {MAIN_KEY} tasks alive in one runtime"));
        let task = TaskRef::new(key, id);
        let raw = RawTask::new(future, self.shared.clone(), key, id);
        if self.tracking.get() {
            self.track_spawn(key, id, location);
        }
        let handle = raw.another();
        entry.insert(Some(raw));
        drop(tasks);
        bump(&self.counters.spawned);
        self.ready.borrow_mut().push_back(task);
        log::trace!("spawned task {id}");
        handle
    }

    /// Runs ready tasks in FIFO order until the queue is empty, `budget`
    /// tasks have run, or the `block_on` future's turn comes. Returns how
    /// many ran, and whether the `block_on` future is next (the caller polls it).
    pub(crate) fn run_ready(&self, budget: usize) -> (usize, bool) {
        if self.rng.is_some() || self.slow_poll.is_some() || self.tracking.get() {
            return self.run_ready_instrumented(budget);
        }
        let mut ran = 0;
        while ran < budget {
            let Some(task) = self.ready.borrow_mut().pop_front() else {
                self.shrink_ready();
                break;
            };
            if task.key == MAIN_KEY {
                return (ran, true);
            }
            self.run_task::<false, false>(task, &mut None);
            ran += 1;
        }
        (ran, false)
    }

    /// [`run_ready`](Self::run_ready) with a seed, a slow-poll threshold
    /// or task tracking.
    ///
    /// With a seed, each next task is drawn from all the ready ones, each
    /// as likely (the others keep their order), and folded into the
    /// schedule fingerprint. Apart from the runtime's, this is the only
    /// place a seed changes anything. With a threshold, each poll is timed,
    /// with one clock read per poll: a poll is timed from the end of the
    /// one before it in this batch (the scheduler's own few nanoseconds
    /// between them count as the poll's). Tracking records each poll. The FIFO path above pays one branch for
    /// all three.
    #[cold]
    #[inline(never)]
    fn run_ready_instrumented(&self, budget: usize) -> (usize, bool) {
        let mut ran = 0;
        let mut clock = self.slow_poll.map(|_| Instant::now());
        let timed = clock.is_some();
        while ran < budget {
            let next = {
                let mut ready = self.ready.borrow_mut();
                match (&self.rng, ready.len()) {
                    (_, 0) => None,
                    (Some(rng), n) => ready.remove(rng.below(n)),
                    (None, _) => ready.pop_front(),
                }
            };
            let Some(task) = next else {
                self.shrink_ready();
                break;
            };
            if self.rng.is_some() {
                let print = u64::from(task.key) << 32 | u64::from(task.generation);
                self.fingerprint
                    .set(rng::fold(self.fingerprint.get(), print));
            }
            if task.key == MAIN_KEY {
                return (ran, true);
            }
            // Tracking is on whenever a threshold is.
            match (timed, self.tracking.get()) {
                (true, _) => self.run_task::<true, true>(task, &mut clock),
                (false, true) => self.run_task::<false, true>(task, &mut None),
                (false, false) => self.run_task::<false, false>(task, &mut None),
            }
            ran += 1;
        }
        (ran, false)
    }

    // Inlined into both loops, as it was into the one loop before seeds:
    // a call per task costs the spawn row about 2 % of its instructions.
    // `TIMED`: time the poll against the slow-poll threshold, from
    // `*clock` (the end of the poll before), and set `*clock` to its end;
    // `TRACK`: record it (and look for a lost waker).
    #[inline(always)]
    fn run_task<const TIMED: bool, const TRACK: bool>(
        &self,
        task: TaskRef,
        clock: &mut Option<Instant>,
    ) {
        let key = task.key as usize;
        let raw = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return; // a stale wake for a task that has finished
            };
            match slot.take() {
                Some(raw) if raw.header().task() == task => raw,
                other => {
                    *slot = other; // stale: the key was reused
                    return;
                }
            }
        };
        raw.header().queued.store(false, Ordering::Release);

        let done = if raw.is_aborted() {
            raw.cancel();
            if let (true, Some(start)) = (TIMED, clock.as_mut()) {
                *start = Instant::now(); // a slow destructor is not the next poll's
            }
            true
        } else {
            bump(&self.counters.polls);
            log::trace!("polling task {}", raw.header().id);
            let waker = raw.waker();
            let mut cx = Context::from_waker(&waker);
            let polling = self.enter_poll(&raw);
            // The poll never unwinds (the task cell catches panics), so
            // the budget is unset after it without a guard.
            coop::set(coop::BUDGET);
            let poll = raw.poll(&mut cx);
            if let (true, Some(start)) = (TIMED, clock.as_mut()) {
                let end = Instant::now();
                self.check_slow_poll(&raw, end.saturating_duration_since(*start));
                *start = end;
            }
            coop::unset();
            drop(polling);
            if TRACK {
                self.track_poll(&raw, poll.is_pending());
            }
            match poll {
                Poll::Pending => false,
                Poll::Ready(Finished::Completed) => true,
                Poll::Ready(Finished::Panicked(message)) => {
                    if self.shutdown_on_panic && self.unhandled_panic.borrow().is_none() {
                        *self.unhandled_panic.borrow_mut() = Some((raw.header().id, message));
                    }
                    true
                }
            }
        };

        if !done {
            if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
                *slot = Some(raw);
            }
            return;
        }
        log::trace!("task {} finished", raw.header().id);
        self.tasks.borrow_mut().try_remove(key);
        if raw.is_named() {
            self.names.borrow_mut().remove(&raw.header().id);
        }
        let joiner = raw.set_finished();
        // The output's destructor (if the handle is gone) and the joiner's
        // wake may re-enter the scheduler: no borrow is held here.
        drop(raw);
        if let Some(waker) = joiner {
            waker.wake();
        }
    }

    /// A poll that took `took`: logged and counted if over the threshold.
    /// Also for the `block_on` future.
    pub(crate) fn check_slow_poll(&self, raw: &RawTask, took: Duration) {
        if self.slow_poll.is_some_and(|limit| took >= limit) {
            self.slow_poll_seen(raw, took);
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_poll_seen(&self, raw: &RawTask, took: Duration) {
        bump(&self.counters.slow_polls);
        let id = raw.header().id;
        log::warn!(
            "slow poll: {} took {took:?} (threshold {:?}): the loop ran nothing else meanwhile",
            self.describe(id, self.location_of(raw)),
            self.slow_poll.unwrap_or_default(),
        );
    }

    /// `raw` returned `Pending` and nothing can wake it.
    #[cold]
    #[inline(never)]
    fn lost_waker(&self, raw: &RawTask) {
        bump(&self.counters.lost_wakers);
        if raw.first_lost_report() {
            log::warn!(
                "lost waker: {} returned Pending, but no waker for it exists: it will never \
                 run again (a future that returns Pending must keep the context's waker, \
                 or hand it to whatever will wake it)",
                self.describe(raw.header().id, self.location_of(raw)),
            );
        }
    }

    /// Where `raw`'s task was spawned, if it is tracked.
    fn location_of(&self, raw: &RawTask) -> Option<&'static Location<'static>> {
        let header = raw.header();
        if header.key() == MAIN_KEY {
            return self.main_track.get().map(|t| t.location);
        }
        self.track_of(header.key(), header.id).map(|t| t.location)
    }

    /// "task 7 \"name\" (spawned at src/main.rs:3:5)", for log lines.
    fn describe(&self, id: TaskId, location: Option<&Location<'_>>) -> String {
        let name = self.name(id).map(|n| format!(" {n:?}")).unwrap_or_default();
        match location {
            Some(location) => format!("task {id}{name} (spawned at {location})"),
            None => format!("task {id}{name}"),
        }
    }

    /// Every live task, as the dump sees it: the tasks in the slab, the
    /// one being polled, and the `block_on` future.
    pub(crate) fn for_each_task(&self, mut f: impl FnMut(TaskId, Stats, Option<Track>, Place)) {
        let running = self.current.get();
        if let Some(main) = self.main.get() {
            // SAFETY: `block_on` holds the main task's `RawTask` until it
            // calls `main_done`; this is its thread.
            let stats = unsafe { crate::task::raw::stats(main) };
            // SAFETY: as above.
            let id = unsafe { main.as_ref() }.id;
            let place = if running.is_some_and(|r| r.ptr == main) {
                Place::RunningMain
            } else {
                Place::Main
            };
            f(id, stats, self.main_track.get(), place);
        }
        if let Some(r) = running.filter(|r| Some(r.ptr) != self.main.get()) {
            // SAFETY: the poller holds the task's `RawTask` while it runs,
            // and this is the runtime's thread.
            let (stats, key) = unsafe { (crate::task::raw::stats(r.ptr), r.ptr.as_ref().key()) };
            f(r.id, stats, self.track_of(key, r.id), Place::Running);
        }
        let tasks = self.tasks.borrow();
        for (_, raw) in tasks.iter() {
            if let Some(raw) = raw {
                let header = raw.header();
                let track = self.track_of(header.key(), header.id);
                f(header.id, raw.stats(), track, Place::Slab);
            }
        }
    }

    /// Gives back the memory of a burst of ready tasks (a million spawned at
    /// once, say) once the queue has drained.
    fn shrink_ready(&self) {
        let mut ready = self.ready.borrow_mut();
        if ready.capacity() > 4096 {
            ready.shrink_to(1024);
        }
    }

    /// Drops every task, including those spawned by destructors meanwhile.
    /// Called with this runtime current, so destructors may use it.
    pub(crate) fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        // Futures other threads spawned that never ran: dropped here, which
        // tells their handles "cancelled"; later spawns fail the same way.
        drop(self.shared.spawns.close());
        loop {
            let slots: Vec<Option<RawTask>> = self.tasks.borrow_mut().drain().collect();
            if slots.is_empty() {
                break;
            }
            log::debug!("shutdown: dropping {} tasks", slots.len());
            self.names.borrow_mut().clear();
            for raw in slots.into_iter().flatten() {
                // Drops the future (catching a panicking destructor); a
                // surviving `JoinHandle` then reads "cancelled".
                raw.cancel();
                drop(raw.set_finished());
            }
        }
        self.ready.borrow_mut().clear();
    }
}
