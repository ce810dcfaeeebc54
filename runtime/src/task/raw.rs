//! A task's one allocation: a header (reference count and wake state, which
//! any thread may touch) followed by its stage (future, then output, which
//! only the runtime's thread touches). The header doubles as the task's
//! `Waker`, so spawning allocates once and waking allocates never.
//!
//! This is the crate's only `unsafe` code. It pays: one allocation per task
//! instead of two (an `Arc` waker plus a boxed future) took spawn+join of
//! 100,000 tasks from 127 to 90 million instructions (smol: 128, tokio with a
//! `LocalSet`: 181; `valgrind --tool=callgrind`), and saves 64 bytes per
//! pending task.
//!
//! The rules that keep it sound:
//! 1. The stage is touched only through a [`RawTask`], which is `!Send` and
//!    made on the runtime's thread; a `RawTask` is never polled re-entrantly
//!    (the scheduler takes it out of its slot while polling it).
//! 2. Every `RawTask` drops its stage on its own thread before releasing its
//!    reference, so whichever thread frees the allocation (the last `Waker`
//!    may live anywhere) finds only `Stage::Consumed`, which has no drop
//!    glue that could run user code on the wrong thread.
//! 3. Wakers touch only the header: atomics and `Send + Sync` fields.

use std::any::Any;
use std::cell::UnsafeCell;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use super::cell::Stage;
use crate::scheduler::{Shared, TaskRef};

/// The thread-safe part of a task.
#[repr(C)]
pub(crate) struct Header {
    refs: AtomicUsize,
    /// True while the task sits in a ready queue: waking it again is a no-op,
    /// so a task woken twice before it runs is queued once.
    pub(crate) queued: AtomicBool,
    pub(crate) shared: Arc<Shared>,
    pub(crate) task: TaskRef,
    vtable: &'static Vtable,
}

/// The operations that need the future's type.
struct Vtable {
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> Poll<()>,
    cancel: unsafe fn(NonNull<Header>),
    take_output: unsafe fn(NonNull<Header>, &mut dyn Any),
    consume: unsafe fn(NonNull<Header>),
    dealloc: unsafe fn(NonNull<Header>),
}

/// `repr(C)` puts the header first, so a `Task<F>` pointer is a header pointer.
#[repr(C)]
struct Task<F: Future> {
    header: Header,
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
    /// the runtime's thread (rule 1), and no other reference to the stage is
    /// live for `'a`.
    unsafe fn stage<'a>(ptr: NonNull<Header>) -> Pin<&'a mut Stage<F>> {
        let task = ptr.cast::<Task<F>>().as_ptr();
        // SAFETY: the caller's contract gives exclusive access; the
        // allocation never moves before it is freed, so it may be pinned.
        unsafe { Pin::new_unchecked(&mut *(*task).stage.get()) }
    }

    unsafe fn poll(ptr: NonNull<Header>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: called through a `RawTask` (the vtable's contract).
        unsafe { Self::stage(ptr) }.poll(cx)
    }

    unsafe fn cancel(ptr: NonNull<Header>) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.cancel();
    }

    unsafe fn take_output(ptr: NonNull<Header>, out: &mut dyn Any) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.take_output(out);
    }

    unsafe fn consume(ptr: NonNull<Header>) {
        // SAFETY: as in `poll`.
        unsafe { Self::stage(ptr) }.consume();
    }

    unsafe fn dealloc(ptr: NonNull<Header>) {
        // SAFETY: the last reference is gone, so nobody else can reach the
        // allocation, which `RawTask::new` made with `Box<Task<F>>`. Its stage
        // is `Consumed` (rule 2), so dropping it here runs no user code.
        drop(unsafe { Box::from_raw(ptr.cast::<Task<F>>().as_ptr()) });
    }
}

/// An owned reference to a task, on the runtime's thread. Dropping it drops
/// the stage (future or output), then releases the reference.
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
    /// `!Send` and `!Sync`: the stage belongs to this thread (rule 1).
    _local: PhantomData<*const ()>,
}

impl RawTask {
    /// Allocates a task around `future`.
    pub(crate) fn new<F>(future: F, shared: Arc<Shared>, task: TaskRef, queued: bool) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Self::from_task(Task {
            header: Header::new(shared, task, queued, &Task::<F>::VTABLE),
            stage: UnsafeCell::new(Stage::new(future, task.id)),
        })
    }

    /// A task with nothing to poll: the `block_on` future's waker.
    pub(crate) fn waker_only(shared: Arc<Shared>, task: TaskRef) -> RawTask {
        type Nothing = std::future::Pending<()>;
        Self::from_task(Task::<Nothing> {
            header: Header::new(shared, task, false, &Task::<Nothing>::VTABLE),
            stage: UnsafeCell::new(Stage::Consumed),
        })
    }

    fn from_task<F: Future>(task: Task<F>) -> RawTask {
        RawTask {
            ptr: NonNull::from(Box::leak(Box::new(task))).cast(),
            _local: PhantomData,
        }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: this `RawTask` holds a reference, so the header is alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Polls the future; `Ready` once it has finished.
    pub(crate) fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `RawTask` is on the runtime's thread and `&self` methods
        // never nest (rule 1); the pointer is alive while `self` is.
        unsafe { (self.header().vtable.poll)(self.ptr, cx) }
    }

    /// Drops the future (if still running) and records a cancellation.
    pub(crate) fn cancel(&self) {
        // SAFETY: as in `poll`.
        unsafe { (self.header().vtable.cancel)(self.ptr) }
    }

    /// See `Stage::take_output`.
    pub(crate) fn take_output(&self, out: &mut dyn Any) {
        // SAFETY: as in `poll`.
        unsafe { (self.header().vtable.take_output)(self.ptr, out) }
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
        // SAFETY: as in `poll`; this is rule 2.
        unsafe { (self.header().vtable.consume)(self.ptr) };
        // SAFETY: releases the reference this `RawTask` owned.
        unsafe { release(self.ptr) };
    }
}

impl Header {
    fn new(shared: Arc<Shared>, task: TaskRef, queued: bool, vtable: &'static Vtable) -> Header {
        Header {
            refs: AtomicUsize::new(1),
            queued: AtomicBool::new(queued),
            shared,
            task,
            vtable,
        }
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
    crate::scheduler::wake(&header.queued, &header.shared, header.task);
}

unsafe fn waker_drop(data: *const ()) {
    // SAFETY: an owned waker gives up its reference.
    unsafe { release(NonNull::new_unchecked(data as *mut Header)) }
}
