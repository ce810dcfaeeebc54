//! The multi-producer, single-consumer channel: [`bounded`], [`unbounded`].
//!
//! One `Rc<RefCell<Chan>>` shared by the handles. A value sent to a waiting
//! receiver is one `VecDeque` push and one wake; a value received from a
//! non-empty channel is one pop (and, if the channel was full, one wake of
//! the oldest waiting sender).

use std::cell::RefCell;
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
    let chan = Rc::new(RefCell::new(Chan {
        queue: VecDeque::new(),
        cap,
        reserved: 0,
        senders: 1,
        closed: false,
        receivers: WaitList::new(),
        senders_waiting: WaitList::new(),
    }));
    (Sender { chan: chan.clone() }, Receiver { chan })
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
    /// Parked `Recv` futures: one is notified per value sent.
    receivers: WaitList,
    /// Parked `Send` futures: a notified one holds a reserved slot.
    senders_waiting: WaitList,
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

    /// Queues `value` and returns the waker of one waiting receiver.
    #[inline]
    fn push(&mut self, value: T) -> Option<Waker> {
        self.queue.push_back(value);
        self.receivers.notify_one()
    }

    /// Closes the channel: returns every waiter's waker, or `None` if it
    /// was closed already.
    fn close(&mut self) -> Option<Vec<Waker>> {
        if self.closed {
            return None;
        }
        self.closed = true;
        self.reserved = 0;
        let mut wakers = Vec::new();
        while let Some(w) = self.receivers.notify_one() {
            wakers.push(w);
        }
        while let Some(w) = self.senders_waiting.notify_one() {
            wakers.push(w);
        }
        Some(wakers)
    }

    fn is_full(&self) -> bool {
        self.queue.len() + self.reserved >= self.cap
    }
}

/// Closes `chan` and wakes its waiters; whether this call closed it.
fn close<T>(chan: &RefCell<Chan<T>>) -> bool {
    let wakers = chan.borrow_mut().close();
    let closed = wakers.is_some();
    if let Some(wakers) = wakers {
        wake_all(wakers);
    }
    closed
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
    chan: Rc<RefCell<Chan<T>>>,
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
        let mut chan = self.chan.borrow_mut();
        if chan.closed {
            return Err(TrySendError::Closed(value));
        }
        if chan.is_full() {
            return Err(TrySendError::Full(value));
        }
        let waker = chan.push(value);
        drop(chan);
        wake(waker);
        Ok(())
    }

    /// Closes the channel: sends fail from now on, the receiver drains
    /// what is queued. Returns whether this call closed it.
    pub fn close(&self) -> bool {
        close(&self.chan)
    }

    /// Whether the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.chan.borrow().closed
    }

    /// Values queued now.
    pub fn len(&self) -> usize {
        self.chan.borrow().queue.len()
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a send would wait now (always `false` when unbounded).
    pub fn is_full(&self) -> bool {
        self.chan.borrow().is_full()
    }

    /// The bound, or `None` for an unbounded channel.
    pub fn capacity(&self) -> Option<usize> {
        capacity(&self.chan)
    }

    /// Live senders, this one included.
    pub fn sender_count(&self) -> usize {
        self.chan.borrow().senders
    }
}

fn capacity<T>(chan: &RefCell<Chan<T>>) -> Option<usize> {
    let cap = chan.borrow().cap;
    (cap != usize::MAX).then_some(cap)
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.borrow_mut().senders += 1;
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let last = {
            let mut chan = self.chan.borrow_mut();
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
    chan: Rc<RefCell<Chan<T>>>,
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
            key: None,
        }
    }

    /// The next value if one is queued.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut chan = self.chan.borrow_mut();
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
        self.chan.borrow().closed
    }

    /// Values queued now.
    pub fn len(&self) -> usize {
        self.chan.borrow().queue.len()
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a send would wait now (always `false` when unbounded).
    pub fn is_full(&self) -> bool {
        self.chan.borrow().is_full()
    }

    /// The bound, or `None` for an unbounded channel.
    pub fn capacity(&self) -> Option<usize> {
        capacity(&self.chan)
    }

    /// Live senders.
    pub fn sender_count(&self) -> usize {
        self.chan.borrow().senders
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (wakers, queue) = {
            let mut chan = self.chan.borrow_mut();
            (chan.close(), std::mem::take(&mut chan.queue))
        };
        // The values drop outside the borrow: one may hold a Sender of
        // this very channel.
        drop(queue);
        if let Some(wakers) = wakers {
            wake_all(wakers);
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The future of [`Sender::send`].
#[must_use = "futures do nothing unless polled"]
pub struct Send<'a, T> {
    chan: &'a RefCell<Chan<T>>,
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
        let mut chan = this.chan.borrow_mut();
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
        let waker = chan.push(value);
        drop(chan);
        wake(waker);
        coop::spend();
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let waker = {
            let mut chan = self.chan.borrow_mut();
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
    chan: &'a RefCell<Chan<T>>,
    /// Our place among the waiting receivers.
    key: Option<usize>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut chan = this.chan.borrow_mut();
        if let Some(value) = chan.queue.pop_front() {
            if let Some(key) = this.key.take() {
                chan.receivers.remove(key);
            }
            let waker = chan.grant_slot();
            drop(chan);
            wake(waker);
            coop::spend();
            return Poll::Ready(Ok(value));
        }
        if chan.closed {
            if let Some(key) = this.key.take() {
                chan.receivers.remove(key);
            }
            return Poll::Ready(Err(RecvError));
        }
        match this.key {
            Some(key) if !chan.receivers.is_notified(key) => {
                chan.receivers.update(key, cx.waker());
            }
            Some(key) => {
                // Woken, but another future took the value: queue again.
                chan.receivers.remove(key);
                this.key = Some(chan.receivers.push(cx.waker(), ()));
            }
            None => this.key = Some(chan.receivers.push(cx.waker(), ())),
        }
        Poll::Pending
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let waker = {
            let mut chan = self.chan.borrow_mut();
            let (woken, ()) = chan.receivers.remove(key);
            // Woken for a value we will not take: pass the wake-up on.
            if woken && !chan.queue.is_empty() {
                chan.receivers.notify_one()
            } else {
                None
            }
        };
        wake(waker);
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}
