//! A task's one allocation: a header that any thread may touch (reference
//! count, wake state: it doubles as the task's `Waker`), then the parts only
//! the runtime's thread touches (owners, flags, the joiner's waker, and the
//! stage: future, then output). Spawning allocates once; waking never.
//!
//! This is most of the crate's `unsafe` code (the rest is the Linux read
//! path in `net/drain.rs`: `setsockopt` and `recvmsg` through libc). Why it
//! pays, in measured figures: benches/README.md, "One allocation per task".
//!
//! The rules that keep it sound:
//! 1. Everything past the header (`Local` and the stage) is touched only
//!    through a [`RawTask`], which is `!Send` and made on the runtime's
//!    thread. The stage is never borrowed twice at once: the scheduler polls
//!    a task only after taking it out of its slab slot, and a task is polled
//!    by the scheduler alone.
//! 2. `RawTask`s count themselves in `Local::owners`. The last one to go
//!    drops the stage on its own thread before releasing its reference, so
//!    whichever thread frees the allocation (the last `Waker` may live
//!    anywhere) finds only `Stage::Consumed`, and `Local` with no waker:
//!    nothing whose drop could run user code on the wrong thread.
//! 3. Wakers and `HeaderRef`s (an `AbortHandle`'s) touch only the header:
//!    atomics and `Send + Sync` fields.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use super::cell::{Finished, Stage};
use super::TaskId;
use crate::scheduler::{Shared, TaskRef};

/// The thread-safe part of a task.
pub(crate) struct Header {
    refs: AtomicUsize,
    /// True while the task sits in a ready queue: waking it again is a no-op,
    /// so a task woken twice before it runs is queued once.
    pub(crate) queued: AtomicBool,
    /// The task has finished (completed, panicked or been cancelled). Set
    /// on the runtime's thread only; read from any thread, by an
    /// [`AbortHandle`](super::AbortHandle).
    finished: AtomicBool,
    /// Cancellation was asked for, from any thread; the runtime drops the
    /// future at its next turn.
    aborted: AtomicBool,
    pub(crate) shared: Arc<Shared>,
    vtable: &'static Vtable,
    pub(crate) id: TaskId,
    /// The task's slab key.
    key: u32,
}

impl Header {
    /// The task's slab key (`MAIN_KEY` for `block_on`'s future).
    pub(crate) fn key(&self) -> u32 {
        self.key
    }

    /// How the ready queue names this task.
    pub(crate) fn task(&self) -> TaskRef {
        TaskRef::new(self.key, self.id)
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Marks the task for cancellation and wakes it, so that its runtime
    /// drops it at its next turn. From any thread; does nothing once the
    /// task has finished or was already aborted.
    pub(crate) fn abort(&self) {
        if self.is_finished() {
            return;
        }
        // A task that finishes meanwhile takes the wake as a stale one.
        if !self.aborted.swap(true, Ordering::AcqRel) {
            crate::scheduler::wake(&self.queued, &self.shared, self.task());
        }
    }
}

/// The runtime-thread part of a task (rule 1).
struct Local {
    /// `RawTask`s alive: the scheduler's and the `JoinHandle`'s.
    owners: Cell<u32>,
    /// `JOINED`, `NAMED`, `LOST_REPORTED`.
    flags: Cell<u8>,
    join_waker: Cell<Option<Waker>>,
}

/// The output was taken by the `JoinHandle`.
const JOINED: u8 = 1;
/// The task has a name in the scheduler's name table.
const NAMED: u8 = 2;
/// A lost waker was logged for this task (once per task).
const LOST_REPORTED: u8 = 4;

impl Local {
    fn flag(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    fn set_flag(&self, flag: u8) {
        self.flags.set(self.flags.get() | flag);
    }
}

/// What a task's allocation says about it, for a dump.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stats {
    pub(crate) named: bool,
    /// In a ready queue (or being aborted).
    pub(crate) queued: bool,
    /// References beyond its `RawTask`s': wakers and abort handles. If
    /// every one of them is a waker the reactor keeps disarmed (see
    /// [`Reactor::kept_wakers`](crate::reactor::Reactor::kept_wakers)),
    /// nothing can wake it.
    pub(crate) spare_refs: usize,
    /// The task's address, as its wakers' data pointer.
    pub(crate) addr: *const (),
}

/// The operations that need the future's type.
struct Vtable {
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> Poll<Finished>,
    cancel: unsafe fn(NonNull<Header>),
    take_output: unsafe fn(NonNull<Header>, &mut dyn Any, TaskId),
    consume: unsafe fn(NonNull<Header>),
    dealloc: unsafe fn(NonNull<Header>),
}

/// The part of every task whose layout does not depend on the future.
/// `repr(C)` puts the header first, so a task pointer is a header pointer,
/// and `Local` at the same offset for every `F`.
#[repr(C)]
struct Prefix {
    header: Header,
    local: Local,
}

#[repr(C)]
struct Task<F: Future> {
    prefix: Prefix,
    stage: UnsafeCell<Stage<F>>,
}

impl<F> Task<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    const VTABLE: Vtable = Vtable {
        poll: Self::poll,
        cancel: Self::cancel,
        take_output: Self::take_output,
        consume: Self::consume,
        dealloc: Self::dealloc,
    };

    /// # Safety
    /// `ptr` comes from a `Task<F>` that is still allocated, the caller is on
    /// the runtime's thread, and no other reference to the stage is live for
    /// `'a` (rule 1).
    unsafe fn stage<'a>(ptr: NonNull<Header>) -> Pin<&'a mut Stage<F>> {
        let task = ptr.cast::<Task<F>>().as_ptr();
        // SAFETY: the caller's contract gives exclusive access; the
        // allocation never moves before it is freed, so it may be pinned.
        unsafe { Pin::new_unchecked(&mut *(*task).stage.get()) }
    }

    unsafe fn poll(ptr: NonNull<Header>, cx: &mut Context<'_>) -> Poll<Finished> {
        // SAFETY: called through a `RawTask` (the vtable's contract).
        unsafe { Self::stage(ptr) }.poll(cx)
    }

    unsafe fn cancel(ptr: NonNull<Header>) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.cancel();
    }

    unsafe fn take_output(ptr: NonNull<Header>, out: &mut dyn Any, id: TaskId) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.take_output(out, id);
    }

    unsafe fn consume(ptr: NonNull<Header>) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.consume();
    }

    unsafe fn dealloc(ptr: NonNull<Header>) {
        // SAFETY: the last reference is gone, so nobody else can reach the
        // allocation, which `RawTask::new` made with `Box<Task<F>>`. Its stage
        // is `Consumed` and its join waker taken (rule 2), so dropping it
        // here runs no user code.
        drop(unsafe { Box::from_raw(ptr.cast::<Task<F>>().as_ptr()) });
    }
}

/// An owned reference to a task, on the runtime's thread: the scheduler
/// holds one while the task runs, its `JoinHandle` another.
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
    /// `!Send` and `!Sync`: the task's local part belongs to this thread.
    _local: PhantomData<*const ()>,
}

impl RawTask {
    /// The task's pointer, for the scheduler's note of which task is
    /// being polled ([`stats`] reads it).
    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    /// Allocates a task around `future`, queued to run. More owners come
    /// from [`another`](Self::another).
    pub(crate) fn new<F>(future: F, shared: Arc<Shared>, key: u32, id: TaskId) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Self::from_task(Task {
            prefix: Prefix::new(shared, key, id, true, &Task::<F>::VTABLE),
            stage: UnsafeCell::new(Stage::new(future)),
        })
    }

    /// A task with nothing to poll: the `block_on` future's waker.
    pub(crate) fn waker_only(shared: Arc<Shared>, key: u32, id: TaskId) -> RawTask {
        type Nothing = std::future::Pending<()>;
        Self::from_task(Task::<Nothing> {
            prefix: Prefix::new(shared, key, id, false, &Task::<Nothing>::VTABLE),
            stage: UnsafeCell::new(Stage::Consumed),
        })
    }

    fn from_task<F: Future>(task: Task<F>) -> RawTask {
        RawTask {
            ptr: NonNull::from(Box::leak(Box::new(task))).cast(),
            _local: PhantomData,
        }
    }

    /// Another owner of the same task.
    pub(crate) fn another(&self) -> RawTask {
        let local = self.local();
        local.owners.set(local.owners.get() + 1);
        // Relaxed suffices for an increment, as in `Arc::clone`.
        self.header().refs.fetch_add(1, Ordering::Relaxed);
        RawTask {
            ptr: self.ptr,
            _local: PhantomData,
        }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: this `RawTask` holds a reference, so the header is alive.
        unsafe { self.ptr.as_ref() }
    }

    fn local(&self) -> &Local {
        // SAFETY: every task starts with a `Prefix` (`repr(C)`), alive while
        // `self` holds a reference; `Local` is touched only on this thread,
        // through `RawTask`s (rule 1), and its `Cell`s are never borrowed.
        unsafe { &self.ptr.cast::<Prefix>().as_ref().local }
    }

    /// Polls the future; `Ready` once it has finished.
    pub(crate) fn poll(&self, cx: &mut Context<'_>) -> Poll<Finished> {
        // SAFETY: rule 1 holds for `RawTask`; the pointer is alive while
        // `self` is.
        unsafe { (self.header().vtable.poll)(self.ptr, cx) }
    }

    /// Drops the future (if still running) and records a cancellation.
    pub(crate) fn cancel(&self) {
        // SAFETY: as in `poll`.
        unsafe { (self.header().vtable.cancel)(self.ptr) }
    }

    /// See `Stage::take_output`.
    pub(crate) fn take_output(&self, out: &mut dyn Any) {
        self.local().set_flag(JOINED);
        // SAFETY: as in `poll`.
        unsafe { (self.header().vtable.take_output)(self.ptr, out, self.header().id) }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.header().is_finished()
    }

    /// Marks the task finished and returns its joiner's waker, if any.
    pub(crate) fn set_finished(&self) -> Option<Waker> {
        self.header().finished.store(true, Ordering::Release);
        self.local().join_waker.take()
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.header().is_aborted()
    }

    /// See [`Header::abort`].
    pub(crate) fn abort(&self) {
        self.header().abort();
    }

    /// A reference to the header alone, which any thread may hold: an
    /// [`AbortHandle`](super::AbortHandle)'s.
    pub(crate) fn header_ref(&self) -> HeaderRef {
        // Relaxed suffices for an increment, as in `Arc::clone`.
        self.header().refs.fetch_add(1, Ordering::Relaxed);
        HeaderRef { ptr: self.ptr }
    }

    pub(crate) fn is_joined(&self) -> bool {
        self.local().flag(JOINED)
    }

    /// Marks the task as having a name in the scheduler's table.
    pub(crate) fn set_named(&self) {
        self.local().set_flag(NAMED);
    }

    pub(crate) fn is_named(&self) -> bool {
        self.local().flag(NAMED)
    }

    /// After a poll returned `Pending`: whether nothing can wake the task
    /// any more. Not queued, and no reference but its `RawTask`s' (no
    /// waker, no abort handle). Only the runtime's thread makes `RawTask`s,
    /// so a count equal to theirs cannot grow behind this check.
    #[inline(always)]
    pub(crate) fn waker_lost(&self) -> bool {
        let header = self.header();
        !header.queued.load(Ordering::Acquire)
            && header.refs.load(Ordering::Acquire) == self.local().owners.get() as usize
    }

    /// Marks a lost waker as reported; true the first time.
    pub(crate) fn first_lost_report(&self) -> bool {
        let local = self.local();
        let first = !local.flag(LOST_REPORTED);
        local.set_flag(LOST_REPORTED);
        first
    }

    pub(crate) fn stats(&self) -> Stats {
        // SAFETY: `self` holds a reference, on the runtime's thread.
        unsafe { stats(self.ptr) }
    }

    /// Keeps `waker` to wake when the task finishes.
    pub(crate) fn set_join_waker(&self, waker: &Waker) {
        let local = self.local();
        let old = local.join_waker.take();
        let new = match old {
            Some(w) if w.will_wake(waker) => w,
            _ => waker.clone(),
        };
        local.join_waker.set(Some(new));
    }

    /// A `Waker` borrowed from this task: no reference count change. Clones
    /// of it are real references.
    pub(crate) fn waker(&self) -> ManuallyDrop<Waker> {
        // SAFETY: the vtable's functions uphold `RawWaker`'s contract (they
        // touch only the header's atomics and thread-safe fields, rule 3),
        // and `ManuallyDrop` keeps this borrowed waker from releasing the
        // reference `self` owns.
        ManuallyDrop::new(unsafe { Waker::from_raw(raw_waker(self.ptr)) })
    }
}

impl Drop for RawTask {
    fn drop(&mut self) {
        let local = self.local();
        let owners = local.owners.get() - 1;
        local.owners.set(owners);
        if owners == 0 {
            // Rule 2: what may run user code is dropped here, on this thread.
            drop(local.join_waker.take());
            // SAFETY: as in `poll`.
            unsafe { (self.header().vtable.consume)(self.ptr) };
        }
        // SAFETY: releases the reference this `RawTask` owned.
        unsafe { release(self.ptr) };
    }
}

impl Prefix {
    fn new(
        shared: Arc<Shared>,
        key: u32,
        id: TaskId,
        queued: bool,
        vtable: &'static Vtable,
    ) -> Prefix {
        Prefix {
            header: Header {
                refs: AtomicUsize::new(1),
                queued: AtomicBool::new(queued),
                finished: AtomicBool::new(false),
                aborted: AtomicBool::new(false),
                shared,
                vtable,
                id,
                key,
            },
            local: Local {
                owners: Cell::new(1),
                flags: Cell::new(0),
                join_waker: Cell::new(None),
            },
        }
    }
}

/// The dump's view of the task at `ptr`.
///
/// # Safety
/// `ptr` is a live task (someone holds a reference for the duration of
/// the call), and the caller is on its runtime's thread (rule 1).
pub(crate) unsafe fn stats(ptr: NonNull<Header>) -> Stats {
    // SAFETY: the caller's contract; `Local` is read through `Cell::get`
    // only, so no borrow of it is held.
    let (header, local) = unsafe { (ptr.as_ref(), &ptr.cast::<Prefix>().as_ref().local) };
    let queued = header.queued.load(Ordering::Acquire);
    Stats {
        named: local.flag(NAMED),
        queued,
        spare_refs: header
            .refs
            .load(Ordering::Acquire)
            .saturating_sub(local.owners.get() as usize),
        addr: ptr.as_ptr() as *const (),
    }
}

/// Drops one reference; frees the task with the last one.
///
/// # Safety
/// The caller owns a reference to a live task and gives it up.
unsafe fn release(ptr: NonNull<Header>) {
    // SAFETY: the caller's reference keeps the header alive until here.
    let header = unsafe { ptr.as_ref() };
    if header.refs.fetch_sub(1, Ordering::Release) == 1 {
        // Every other thread's use of the task happens before the free.
        fence(Ordering::Acquire);
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(ptr) };
    }
}

/// An owned reference to a task's header alone: no access to the future or
/// the output, so it may live on, and be dropped on, any thread (rule 3).
pub(crate) struct HeaderRef {
    ptr: NonNull<Header>,
}

// SAFETY: a `HeaderRef` touches only the header: atomics and `Send + Sync`
// fields (rule 3); the reference count it owns is released atomically.
unsafe impl Send for HeaderRef {}
// SAFETY: as above; `&HeaderRef` only reads atomics and calls `abort`,
// which is safe from any thread.
unsafe impl Sync for HeaderRef {}

impl HeaderRef {
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: this `HeaderRef` holds a reference, so the header is alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl Clone for HeaderRef {
    fn clone(&self) -> Self {
        // Relaxed suffices for an increment, as in `Arc::clone`.
        self.header().refs.fetch_add(1, Ordering::Relaxed);
        HeaderRef { ptr: self.ptr }
    }
}

impl Drop for HeaderRef {
    fn drop(&mut self) {
        // SAFETY: releases the reference this `HeaderRef` owned. If it is
        // the last, every `RawTask` is gone, so the stage was consumed on
        // the runtime's thread (rule 2) and freeing runs no user code.
        unsafe { release(self.ptr) };
    }
}

/// Whether `waker` is a solo task's waker, whose wake only queues its
/// task (locally, or through the injection queue): it runs no user code,
/// so the reactor may wake it while borrowed.
pub(crate) fn is_task_waker(waker: &Waker) -> bool {
    std::ptr::eq(waker.vtable(), &WAKER_VTABLE)
}

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

fn raw_waker(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr() as *const (), &WAKER_VTABLE)
}

unsafe fn waker_clone(data: *const ()) -> RawWaker {
    // SAFETY: `data` is the header of a live task: the waker being cloned
    // holds (or borrows from a `RawTask`) a reference.
    let header = unsafe { &*(data as *const Header) };
    // Relaxed suffices for an increment, as in `Arc::clone`.
    if header.refs.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
        std::process::abort(); // a leak of 2^63 wakers: give up, like Arc
    }
    // SAFETY: `data` is non-null: it came from a `NonNull`.
    raw_waker(unsafe { NonNull::new_unchecked(data as *mut Header) })
}

unsafe fn waker_wake(data: *const ()) {
    // SAFETY: an owned waker: wake, then give its reference up.
    unsafe {
        waker_wake_by_ref(data);
        waker_drop(data);
    }
}

unsafe fn waker_wake_by_ref(data: *const ()) {
    // SAFETY: the waker holds or borrows a reference, so the header is alive.
    let header = unsafe { &*(data as *const Header) };
    crate::scheduler::wake(&header.queued, &header.shared, header.task());
}

unsafe fn waker_drop(data: *const ()) {
    // SAFETY: an owned waker gives up its reference.
    unsafe { release(NonNull::new_unchecked(data as *mut Header)) }
}

#[cfg(test)]
#[path = "raw_tests.rs"]
mod tests;
