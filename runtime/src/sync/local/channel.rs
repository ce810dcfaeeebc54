//! The multi-producer, single-consumer channel: [`bounded`], [`unbounded`].
//!
//! One `Rc<Shared>` shared by the handles. A value sent to a waiting
//! receiver is one `VecDeque` push and one wake; a value received from a
//! non-empty channel is one pop (and, if the channel was full, one wake of
//! the oldest waiting sender). The receiver's waker stays stored between
//! waits, so the usual consumer waits without cloning a waker or touching
//! a wait list. The receiver polled as a `Stream` waits apart from the
//! `Recv` futures, with its own waker: every value sent wakes it too.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::error::{RecvError, SendError, TryRecvError, TrySendError};
use super::wait_list::{wake_all, WaitList};
use crate::task::coop;

/// A channel holding at most `cap` values: once full, [`Sender::send`]
/// waits (in FIFO order among senders) until the receiver takes one.
///
/// The same shape as [`solo::sync::bounded`](crate::sync::bounded), for
/// tasks of one runtime: neither half is `Send`, and there is one
/// [`Receiver`] (it is not `Clone`).
///
/// # Panics
///
/// If `cap` is 0 (as `async-channel`'s does): a rendezvous channel is not
/// supported; use `bounded(1)`.
///
/// ```
/// use solo::sync::local;
///
/// solo::block_on(async {
///     let (tx, rx) = local::bounded::<u32>(1);
///     let producer = solo::spawn(async move {
///         for i in 1..=3 {
///             tx.send(i).await.unwrap(); // waits while the channel is full
///         }
///     }); // `tx` drops here: the channel closes once drained.
///     let mut got = Vec::new();
///     while let Ok(i) = rx.recv().await {
///         got.push(i);
///     }
///     producer.await.unwrap();
///     assert_eq!(got, [1, 2, 3]);
/// });
/// ```
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    assert!(cap > 0, "capacity cannot be zero");
    channel(cap)
}

/// A channel without a bound: [`Sender::send`] never waits.
///
/// The same shape as [`solo::sync::unbounded`](crate::sync::unbounded),
/// for tasks of one runtime; see [`bounded`].
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    channel(usize::MAX)
}

fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Rc::new(Shared {
        state: RefCell::new(Chan {
            queue: VecDeque::new(),
            cap,
            reserved: 0,
            senders: 1,
            closed: false,
            stream_waits: false,
            slot: Slot::Free,
            receivers: WaitList::new(),
            senders_waiting: WaitList::new(),
        }),
        slot_waker: Cell::new(None),
        stream_waker: Cell::new(None),
    });
    (Sender { chan: chan.clone() }, Receiver { chan })
}

struct Shared<T> {
    state: RefCell<Chan<T>>,
    /// The waker of the `Recv` future in [`Chan::slot`] (kept after it is
    /// done, to be compared with `will_wake` on the next wait instead of
    /// cloned; dropped with the `Receiver`). Outside the `RefCell` so that
    /// it is woken with no borrow held.
    slot_waker: Cell<Option<Waker>>,
    /// The waker of the [`Receiver`] polled as a `Stream` while it waits,
    /// taken by the next value sent or by the close. Apart from the slot
    /// and the wait list: the stream's `next()` future can be dropped
    /// without a `Drop` of ours running, so it must hold no place that a
    /// `Recv` future could be waiting behind (a stale one costs one
    /// spurious wake-up).
    stream_waker: Cell<Option<Waker>>,
}

impl<T> Shared<T> {
    /// Wakes the `Recv` future in the slot.
    #[inline]
    fn wake_slot(&self) {
        if let Some(w) = self.slot_waker.take() {
            w.wake_by_ref();
            // Keep it, unless the wake stored a newer one.
            let newer = self.slot_waker.replace(Some(w));
            if newer.is_some() {
                self.slot_waker.set(newer);
            }
        }
    }

    /// Wakes the receiver's stream if it waits.
    #[inline]
    fn wake_stream(&self) {
        if let Some(w) = self.stream_waker.take() {
            w.wake();
        }
    }

    /// Wakes whoever [`Chan::notify_receiver`] chose.
    #[inline]
    fn wake(&self, wake: Wake) {
        match wake {
            Wake::Nobody => {}
            Wake::Slot => self.wake_slot(),
            Wake::Waiter(w) => w.wake(),
            Wake::Stream => self.wake_stream(),
        }
    }
}

/// The place of the first waiting `Recv` future (the usual single one).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// No future waits in it.
    Free,
    /// A future waits for a value.
    Waiting,
    /// A value was sent since it waited; its future has not looked yet.
    Notified,
}

/// Whom to wake once the borrow of the state ends.
enum Wake {
    Nobody,
    Slot,
    Waiter(Waker),
    /// The receiver polled as a `Stream`.
    Stream,
}

struct Chan<T> {
    queue: VecDeque<T>,
    /// `usize::MAX` for an unbounded channel.
    cap: usize,
    /// Free slots promised to notified senders that have not sent yet:
    /// `queue.len() + reserved <= cap`, and a new sender gets a slot only
    /// beyond them (FIFO among senders). 0 once closed.
    reserved: usize,
    /// Live `Sender`s; the channel closes when it reaches 0.
    senders: usize,
    closed: bool,
    /// The first parked `Recv` future: notified before `receivers`.
    slot: Slot,
    /// Further parked `Recv` futures: one (or the slot) is notified per
    /// value sent.
    receivers: WaitList,
    /// Parked `Send` futures: a notified one holds a reserved slot.
    senders_waiting: WaitList,
    /// The receiver, polled as a `Stream`, waits with
    /// [`Shared::stream_waker`]: the next value sent must wake it. Looked
    /// at only when no `Recv` future waits (none can while the stream's
    /// `next()` future borrows the receiver), so a send pays nothing for
    /// it otherwise.
    stream_waits: bool,
}

impl<T> Chan<T> {
    /// If a slot is free and a sender waits, reserves the slot for the
    /// oldest one and returns its waker.
    #[inline]
    fn grant_slot(&mut self) -> Option<Waker> {
        if self.senders_waiting.has_waiters() && self.queue.len() + self.reserved < self.cap {
            self.reserved += 1;
            self.senders_waiting.notify_one()
        } else {
            None
        }
    }

    /// Queues `value` and chooses one waiting receiver to wake.
    #[inline]
    fn push(&mut self, value: T) -> Wake {
        self.queue.push_back(value);
        self.notify_receiver()
    }

    /// Notifies the receiver in the slot, or else the oldest in the list.
    #[inline]
    fn notify_receiver(&mut self) -> Wake {
        if self.slot == Slot::Waiting {
            self.slot = Slot::Notified;
            return Wake::Slot;
        }
        match self.receivers.notify_one() {
            Some(w) => Wake::Waiter(w),
            None if self.stream_waits => {
                self.stream_waits = false;
                Wake::Stream
            }
            None => Wake::Nobody,
        }
    }

    /// Closes the channel: returns every waiter's waker and whether the
    /// slot's is to be woken too, or `None` if it was closed already.
    fn close(&mut self) -> Option<(Vec<Waker>, bool)> {
        if self.closed {
            return None;
        }
        self.closed = true;
        self.reserved = 0;
        let slot = self.slot == Slot::Waiting;
        if slot {
            self.slot = Slot::Notified;
        }
        let mut wakers = Vec::new();
        while let Some(w) = self.receivers.notify_one() {
            wakers.push(w);
        }
        while let Some(w) = self.senders_waiting.notify_one() {
            wakers.push(w);
        }
        Some((wakers, slot))
    }

    fn is_full(&self) -> bool {
        self.queue.len() + self.reserved >= self.cap
    }
}

/// Closes `chan` and wakes its waiters; whether this call closed it.
fn close<T>(chan: &Shared<T>) -> bool {
    let wakers = chan.state.borrow_mut().close();
    let closed = wakers.is_some();
    wake_closed(chan, wakers);
    closed
}

fn wake_closed<T>(chan: &Shared<T>, wakers: Option<(Vec<Waker>, bool)>) {
    if let Some((wakers, slot)) = wakers {
        if slot {
            chan.wake_slot();
        }
        chan.wake_stream();
        wake_all(wakers);
    }
}

#[inline]
fn wake(waker: Option<Waker>) {
    if let Some(w) = waker {
        w.wake();
    }
}

/// The sending half; clone it for more producers. The channel closes when
/// the last `Sender` drops (the receiver still drains what is queued).
pub struct Sender<T> {
    chan: Rc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the channel is full. Fails, giving the
    /// value back, if the channel is closed (or closes while waiting).
    ///
    /// Waiting senders are served oldest first. Dropping the future before
    /// it completes does not send the value (it drops with the future), and
    /// a slot the receiver had freed for it passes to the next sender.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            chan: &self.chan,
            value: Some(value),
            key: None,
        }
    }

    /// Sends `value` if there is room now.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut chan = self.chan.state.borrow_mut();
        if chan.closed {
            return Err(TrySendError::Closed(value));
        }
        if chan.is_full() {
            return Err(TrySendError::Full(value));
        }
        let wake = chan.push(value);
        drop(chan);
        self.chan.wake(wake);
        Ok(())
    }

    /// Closes the channel: sends fail from now on, the receiver drains
    /// what is queued. Returns whether this call closed it.
    pub fn close(&self) -> bool {
        close(&self.chan)
    }

    /// Whether the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.chan.state.borrow().closed
    }

    /// Values queued now.
    pub fn len(&self) -> usize {
        self.chan.state.borrow().queue.len()
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a send would wait now (always `false` when unbounded).
    pub fn is_full(&self) -> bool {
        self.chan.state.borrow().is_full()
    }

    /// The bound, or `None` for an unbounded channel.
    pub fn capacity(&self) -> Option<usize> {
        capacity(&self.chan)
    }

    /// Live senders, this one included.
    pub fn sender_count(&self) -> usize {
        self.chan.state.borrow().senders
    }
}

fn capacity<T>(chan: &Shared<T>) -> Option<usize> {
    let cap = chan.state.borrow().cap;
    (cap != usize::MAX).then_some(cap)
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.state.borrow_mut().senders += 1;
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let last = {
            let mut chan = self.chan.state.borrow_mut();
            chan.senders -= 1;
            chan.senders == 0
        };
        if last {
            close(&self.chan);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half; there is one per channel (it is not `Clone`).
///
/// Dropping it closes the channel and drops the values still queued; the
/// senders get theirs back in [`SendError`].
pub struct Receiver<T> {
    chan: Rc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// The next value, waiting while the channel is empty; once the channel
    /// is closed and drained, [`RecvError`].
    ///
    /// Values come in the order they were sent. Dropping the future loses
    /// no value: one it was woken for stays queued, and the wake-up passes
    /// to another `recv` future if one waits.
    pub fn recv(&self) -> Recv<'_, T> {
        Recv {
            chan: &self.chan,
            place: Place::Nowhere,
        }
    }

    /// The next value if one is queued.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut chan = self.chan.state.borrow_mut();
        match chan.queue.pop_front() {
            Some(value) => {
                let waker = chan.grant_slot();
                drop(chan);
                wake(waker);
                Ok(value)
            }
            None if chan.closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Closes the channel: sends fail from now on, and waiting senders get
    /// their values back; what is queued can still be received. Returns
    /// whether this call closed it.
    pub fn close(&self) -> bool {
        close(&self.chan)
    }

    /// Whether the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.chan.state.borrow().closed
    }

    /// Values queued now.
    pub fn len(&self) -> usize {
        self.chan.state.borrow().queue.len()
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a send would wait now (always `false` when unbounded).
    pub fn is_full(&self) -> bool {
        self.chan.state.borrow().is_full()
    }

    /// The bound, or `None` for an unbounded channel.
    pub fn capacity(&self) -> Option<usize> {
        capacity(&self.chan)
    }

    /// Live senders.
    pub fn sender_count(&self) -> usize {
        self.chan.state.borrow().senders
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (wakers, queue) = {
            let mut chan = self.chan.state.borrow_mut();
            (chan.close(), std::mem::take(&mut chan.queue))
        };
        // No `Recv` future outlives the receiver: nothing waits in the slot,
        // and the stream's waker is its own.
        let slot_waker = self.chan.slot_waker.take();
        let stream_waker = self.chan.stream_waker.take();
        // The values drop outside the borrow: one may hold a Sender of
        // this very channel.
        drop(queue);
        drop(slot_waker);
        drop(stream_waker);
        wake_closed(&self.chan, wakers);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The values in the order they were sent, as [`Receiver::recv`] gives
/// them, then `None` once the channel is closed and drained (every
/// [`Sender`] dropped, or `close` called); `async-channel`'s `Receiver` is
/// a `Stream` in the same way.
///
/// A waiting stream is woken by the next value sent or by the close.
/// Dropping its `next()` future loses no value, and a `recv` future
/// started afterwards waits as usual.
///
/// ```
/// use solo::stream::StreamExt;
/// use solo::sync::local;
///
/// solo::block_on(async {
///     let (tx, mut rx) = local::bounded(1);
///     solo::spawn(async move {
///         for word in ["a", "b", "c"] {
///             tx.send(word).await.unwrap();
///         }
///     }); // `tx` drops here: the stream ends once drained.
///     let mut got = Vec::new();
///     while let Some(word) = rx.next().await {
///         got.push(word);
///     }
///     assert_eq!(got, ["a", "b", "c"]);
/// });
/// ```
impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut recv = Recv {
            chan: &self.chan,
            place: Place::Stream,
        };
        Pin::new(&mut recv).poll(cx).map(Result::ok)
    }

    /// At least the values queued now; exactly those once the channel is
    /// closed (no more can come).
    fn size_hint(&self) -> (usize, Option<usize>) {
        let chan = self.chan.state.borrow();
        let len = chan.queue.len();
        (len, chan.closed.then_some(len))
    }
}

/// The future of [`Sender::send`].
#[must_use = "futures do nothing unless polled"]
pub struct Send<'a, T> {
    chan: &'a Shared<T>,
    /// `None` once sent (or given back).
    value: Option<T>,
    /// Our place among the waiting senders.
    key: Option<usize>,
}

// The value is never pinned: it moves into the queue or back to the caller.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut chan = this.chan.state.borrow_mut();
        let granted = match this.key {
            Some(key) if !chan.senders_waiting.is_notified(key) => {
                chan.senders_waiting.update(key, cx.waker());
                return Poll::Pending;
            }
            Some(key) => {
                chan.senders_waiting.remove(key);
                this.key = None;
                true
            }
            None => false,
        };
        let value = this.value.take().expect("Send polled after completion");
        if chan.closed {
            return Poll::Ready(Err(SendError(value)));
        }
        if granted {
            chan.reserved -= 1;
        } else if chan.is_full() {
            this.value = Some(value);
            this.key = Some(chan.senders_waiting.push(cx.waker(), ()));
            return Poll::Pending;
        }
        let wake = chan.push(value);
        drop(chan);
        this.chan.wake(wake);
        coop::spend();
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let waker = {
            let mut chan = self.chan.state.borrow_mut();
            let (granted, ()) = chan.senders_waiting.remove(key);
            if granted && !chan.closed {
                // Hand the slot reserved for us to the next sender.
                chan.reserved -= 1;
                chan.grant_slot()
            } else {
                None
            }
        };
        wake(waker);
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    chan: &'a Shared<T>,
    /// Where this future waits.
    place: Place,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Nowhere,
    Slot,
    List(usize),
    /// The receiver's stream: waits with [`Shared::stream_waker`], holding
    /// no place.
    Stream,
}

impl<T> Recv<'_, T> {
    /// Stops waiting (the future is done): leaves the slot or the list.
    fn leave(&mut self, chan: &mut Chan<T>) {
        match std::mem::replace(&mut self.place, Place::Nowhere) {
            Place::Nowhere | Place::Stream => {}
            Place::Slot => chan.slot = Slot::Free,
            Place::List(key) => {
                chan.receivers.remove(key);
            }
        }
    }
}

impl<T> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut chan = this.chan.state.borrow_mut();
        if !chan.queue.is_empty() {
            if coop::poll_proceed(cx).is_pending() {
                return Poll::Pending;
            }
            let value = chan.queue.pop_front().expect("not empty");
            this.leave(&mut chan);
            let waker = chan.grant_slot();
            drop(chan);
            wake(waker);
            coop::spend();
            return Poll::Ready(Ok(value));
        }
        if chan.closed {
            this.leave(&mut chan);
            return Poll::Ready(Err(RecvError));
        }
        match this.place {
            Place::Stream => {
                chan.stream_waits = true;
                drop(chan);
                store_waker(&this.chan.stream_waker, cx.waker());
            }
            Place::Nowhere if chan.slot == Slot::Free => {
                chan.slot = Slot::Waiting;
                this.place = Place::Slot;
                drop(chan);
                store_waker(&this.chan.slot_waker, cx.waker());
            }
            Place::Slot => {
                // Waiting still, or woken but another future took the value.
                chan.slot = Slot::Waiting;
                drop(chan);
                store_waker(&this.chan.slot_waker, cx.waker());
            }
            Place::Nowhere => this.place = Place::List(chan.receivers.push(cx.waker(), ())),
            Place::List(key) if !chan.receivers.is_notified(key) => {
                chan.receivers.update(key, cx.waker());
            }
            Place::List(key) => {
                // Woken, but another future took the value: queue again.
                chan.receivers.remove(key);
                this.place = Place::List(chan.receivers.push(cx.waker(), ()));
            }
        }
        Poll::Pending
    }
}

/// Stores `waker` in `cell` unless the one there wakes the same task.
#[inline(always)]
fn store_waker(cell: &Cell<Option<Waker>>, waker: &Waker) {
    match cell.take() {
        Some(w) if w.will_wake(waker) => cell.set(Some(w)),
        _ => cell.set(Some(waker.clone())),
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        let wake = {
            let mut chan = self.chan.state.borrow_mut();
            let woken = match self.place {
                Place::Nowhere | Place::Stream => return,
                Place::Slot => chan.slot == Slot::Notified,
                Place::List(key) => chan.receivers.is_notified(key),
            };
            self.leave(&mut chan);
            // Woken for a value we will not take: pass the wake-up on.
            if woken && !chan.queue.is_empty() {
                chan.notify_receiver()
            } else {
                Wake::Nobody
            }
        };
        self.chan.wake(wake);
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("waiting", &(self.place != Place::Nowhere))
            .finish_non_exhaustive()
    }
}
