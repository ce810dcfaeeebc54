//! The reactor: one `mio::Poll`, a slab of registrations, and per registration
//! the readiness seen so far and the wakers of the tasks waiting to read and
//! to write.
//!
//! mio is edge-triggered: an event says "this became ready", once. The
//! readiness is cached here until an operation proves it gone (it returned
//! `WouldBlock`, or a read or write showed the socket drained or full); then
//! the caller clears it and waits for the next event.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::{Events, Token};
use slab::Slab;

use crate::io::ready::{ERROR, PRIORITY, READABLE, READ_CLOSED, WRITABLE, WRITE_CLOSED};
use crate::io::Interest;

#[cfg(target_os = "linux")]
mod timerfd;

/// The `mio::Waker` that unblocks `poll` from other threads.
const WAKER_TOKEN: Token = Token(usize::MAX);
/// The timerfd (Linux) that ends `poll` at a timer deadline, to the nanosecond.
#[cfg(target_os = "linux")]
const TIMER_TOKEN: Token = Token(usize::MAX - 1);

/// A token is a slab key in the low bits and a generation in the high bits,
/// so that an event for a closed registration never reaches the new one that
/// reuses its key.
const KEY_BITS: u32 = usize::BITS / 2;
const KEY_MASK: usize = (1 << KEY_BITS) - 1;

/// One of a registration's waiter lists: what an operation, or one part of
/// an [`Interest`], waits for. The discriminant is the list's index, and
/// `1 << index` its bit in [`Interest::directions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
    Priority = 2,
    Error = 3,
}

const DIRECTIONS: [Direction; 4] = [
    Direction::Read,
    Direction::Write,
    Direction::Priority,
    Direction::Error,
];

impl Direction {
    /// Readiness bits that end a wait in this direction (an error ends
    /// every wait, so that the operation reports it).
    const fn mask(self) -> u8 {
        match self {
            Direction::Read => READABLE | READ_CLOSED | ERROR,
            Direction::Write => WRITABLE | WRITE_CLOSED | ERROR,
            Direction::Priority => PRIORITY | READ_CLOSED | ERROR,
            Direction::Error => ERROR,
        }
    }

    /// The bits of [`mask`](Self::mask) that say "closed" or "failed"
    /// rather than "ready".
    const fn final_bits(self) -> u8 {
        self.mask() & !(READABLE | WRITABLE | PRIORITY)
    }

    /// This direction alone, as an interest's direction bits.
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The union of the masks of the directions in `dirs` (an interest's
/// bits), for each of the 16 values of `dirs`.
const MASKS: [u8; 16] = {
    let mut masks = [0; 16];
    let mut dirs = 0;
    while dirs < 16 {
        let mut i = 0;
        while i < DIRECTIONS.len() {
            if dirs & DIRECTIONS[i].bit() != 0 {
                masks[dirs as usize] |= DIRECTIONS[i].mask();
            }
            i += 1;
        }
        dirs += 1;
    }
    masks
};

/// The union of the masks of the directions in `dirs`.
pub(crate) fn mask_of(dirs: u8) -> u8 {
    MASKS[(dirs & 15) as usize]
}

struct ScheduledIo {
    generation: usize,
    readiness: u8,
    /// Indexed by `Direction`.
    waiters: [Waiters; 4],
}

/// The tasks waiting for one direction of a registration; an event in that
/// direction wakes every one of them.
///
/// Two kinds, because they end differently:
/// - a waiting future ([`Readiness`](crate::io::evented::Readiness): the
///   `readable()`, `ready()`, `recv_from()`, `accept()` kind) holds a
///   [`Slot`] and takes its waker out when dropped, so cancelled waits (a
///   `timeout`, an aborted task) leave nothing behind, and any number of
///   futures may wait at once;
/// - a `poll_*` call (`poll_read`, `poll_accept`, `poll_read_ready`, ...)
///   has no future to do that: only the waker of the most recent call is
///   kept, as tokio and async-io do, and an earlier caller's waker is
///   dropped unwoken when a different one replaces it.
///
/// An event wakes a `poll_*` caller once, as tokio does. A solo task's
/// waker is then kept, disarmed, rather than handed out (unless the
/// reactor is told not to keep wakers, see
/// [`Reactor::set_keep_wakers`]): a task waits on the same socket again
/// and again, and finding its waker already there saves a clone and a
/// drop, two atomic reference-count updates, per wait. The kept waker
/// holds the task's allocation (not its future, which is dropped when the
/// task ends) until the registration goes or another waker replaces it.
#[derive(Default)]
struct Waiters {
    /// The most recent `poll_*` caller's waker.
    poll: Option<Waker>,
    /// `poll` waits for the next event: it has not been woken since the
    /// caller last returned `Pending` for it.
    armed: bool,
    /// The wakers of waiting futures, one slot each.
    futures: Slab<Waker>,
    /// How many times an event emptied `futures`: a slot taken before that
    /// is stale, and its key may belong to another future now.
    round: u32,
}

/// Where a waiting future's waker is in one direction's list, as handed
/// out by [`Reactor::poll_ready`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    key: u32,
    round: u32,
}

/// A waiting future's slots, one per direction it waits in.
pub(crate) type Slots = [Option<Slot>; 4];

impl Waiters {
    /// Keeps a `poll_*` caller's `waker` in place of the previous one.
    /// Returns a replaced waker, to be dropped outside the reactor's borrow.
    fn set_poll(&mut self, waker: &Waker) -> Option<Waker> {
        self.armed = true;
        match &self.poll {
            Some(w) if w.will_wake(waker) => None,
            _ => self.poll.replace(waker.clone()),
        }
    }

    /// Stores a waiting future's `waker` in its `slot` (taking a new one if
    /// it has none, or a stale one). Returns a replaced waker, to be dropped
    /// outside the reactor's borrow.
    fn add_future(&mut self, waker: &Waker, slot: &mut Option<Slot>) -> Option<Waker> {
        if let Some(Slot { key, round }) = *slot {
            if round == self.round {
                if let Some(held) = self.futures.get_mut(key as usize) {
                    if held.will_wake(waker) {
                        return None;
                    }
                    return Some(std::mem::replace(held, waker.clone()));
                }
            }
        }
        let key = self.futures.insert(waker.clone());
        *slot = Some(Slot {
            // Keys stay below the number of waiting futures.
            key: u32::try_from(key).unwrap_or(u32::MAX),
            round: self.round,
        });
        None
    }

    /// Takes out the waker in `slot`, if it is still there.
    fn remove_future(&mut self, slot: Slot) -> Option<Waker> {
        if slot.round != self.round {
            return None;
        }
        self.futures.try_remove(slot.key as usize)
    }

    /// Wakes every waiting waker: a solo task's `poll` waker at once, by
    /// reference (its wake only queues the task), kept if `keep`; every
    /// other waker is moved into `to_wake`, to be woken outside the
    /// reactor's borrow.
    fn wake(&mut self, keep: bool, to_wake: &mut Vec<Waker>) {
        if std::mem::take(&mut self.armed) {
            match &self.poll {
                Some(waker) if keep && crate::task::raw::is_task_waker(waker) => {
                    waker.wake_by_ref();
                }
                _ => to_wake.extend(self.poll.take()),
            }
        }
        if !self.futures.is_empty() {
            to_wake.extend(self.futures.drain());
            self.round = self.round.wrapping_add(1);
        }
    }
}

/// Counters of what the reactor did, read by `Runtime::metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ReactorCounters {
    pub(crate) parks: u64,
    pub(crate) io_events: u64,
}

pub(crate) struct Reactor {
    inner: RefCell<Inner>,
}

struct Inner {
    poll: mio::Poll,
    events: Events,
    io: Slab<ScheduledIo>,
    next_generation: usize,
    /// Wakers collected while handling events, woken once the borrow ends.
    to_wake: Vec<Waker>,
    /// Keep a solo task's waker after an event wakes it (see [`Waiters`]).
    keep_wakers: bool,
    counters: ReactorCounters,
    #[cfg(target_os = "linux")]
    timer: Option<timerfd::TimerFd>,
}

/// One registered I/O source, as the reactor knows it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key {
    key: usize,
    generation: usize,
}

impl Reactor {
    /// Creates the poller, and the `mio::Waker` other threads use to wake it.
    pub(crate) fn new(events_capacity: usize) -> io::Result<(Reactor, mio::Waker)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        #[cfg(target_os = "linux")]
        let timer = match timerfd::TimerFd::new(poll.registry(), TIMER_TOKEN) {
            Ok(t) => Some(t),
            Err(e) => {
                log::debug!("timerfd unavailable ({e}); timers use poll's millisecond timeout");
                None
            }
        };
        let inner = Inner {
            poll,
            events: Events::with_capacity(events_capacity.max(1)),
            io: Slab::new(),
            next_generation: 0,
            to_wake: Vec::new(),
            keep_wakers: true,
            counters: ReactorCounters::default(),
            #[cfg(target_os = "linux")]
            timer,
        };
        Ok((
            Reactor {
                inner: RefCell::new(inner),
            },
            waker,
        ))
    }

    /// Registers `source` for the readiness `interest` names (sockets:
    /// readable and writable).
    pub(crate) fn register(&self, source: &mut impl Source, interest: Interest) -> io::Result<Key> {
        let mut inner = self.inner.borrow_mut();
        let generation = inner.next_generation;
        inner.next_generation = generation.wrapping_add(1) & (usize::MAX >> KEY_BITS);
        let entry = inner.io.vacant_entry();
        let key = entry.key();
        // The key must fit KEY_BITS, and the two highest keys are never
        // used, so that no token can equal WAKER_TOKEN or TIMER_TOKEN
        // (all ones in the key bits, and all ones minus one) whatever the
        // generation. With 32-bit `usize` that is 65,534 registrations.
        if key >= KEY_MASK - 1 {
            return Err(io::Error::other(
                "too many registrations in one solo reactor",
            ));
        }
        let token = Token(key | (generation << KEY_BITS));
        inner
            .poll
            .registry()
            .register(source, token, interest.to_mio())?;
        inner.io.insert(ScheduledIo {
            generation,
            readiness: 0,
            waiters: Default::default(),
        });
        log::debug!("registered io {key} (generation {generation})");
        Ok(Key { key, generation })
    }

    /// Deregisters `source` and frees its slot. Its wakers are dropped unwoken.
    pub(crate) fn deregister(&self, source: &mut impl Source, key: Key) -> io::Result<()> {
        let (result, removed) = {
            let mut inner = self.inner.borrow_mut();
            let result = inner.poll.registry().deregister(source);
            let removed = match inner.io.get(key.key) {
                Some(io) if io.generation == key.generation => Some(inner.io.remove(key.key)),
                _ => None,
            };
            (result, removed)
        };
        drop(removed); // wakers may run code on drop: outside the borrow
        log::debug!("deregistered io {}", key.key);
        result
    }

    /// Ready, with the readiness found, if the cached readiness allows an
    /// operation in one of the directions `dirs` names (an interest's
    /// bits); otherwise keeps `cx`'s waker for the next event in each of
    /// them and returns `Pending`.
    ///
    /// A waiting future passes its `slots`, which
    /// [`drop_slots`](Self::drop_slots) empties when it is dropped before
    /// the event; a `poll_*` caller passes `None`, and only its waker, the
    /// most recent, is kept per direction (see [`Waiters`]). A registration
    /// that is gone is ready, with nothing: the operation reports the error.
    #[inline]
    pub(crate) fn poll_ready(
        &self,
        key: Key,
        dirs: u8,
        cx: &mut Context<'_>,
        slots: Option<&mut Slots>,
    ) -> Poll<u8> {
        match slots {
            None if dirs.is_power_of_two() => {
                self.poll_ready_one(key, dirs.trailing_zeros() as usize & 3, cx)
            }
            slots => self.poll_ready_many(key, dirs, cx, slots),
        }
    }

    /// [`poll_ready`](Self::poll_ready) for waiting futures, and for
    /// several directions at once.
    #[inline(never)]
    fn poll_ready_many(
        &self,
        key: Key,
        dirs: u8,
        cx: &mut Context<'_>,
        slots: Option<&mut Slots>,
    ) -> Poll<u8> {
        let mut replaced: [Option<Waker>; 4] = Default::default();
        {
            let mut inner = self.inner.borrow_mut();
            let Some(io) = inner.io_mut(key) else {
                return Poll::Ready(0);
            };
            let ready = io.readiness & mask_of(dirs);
            if ready != 0 {
                if let Some(slots) = slots {
                    // Any slot of ours was emptied by the event that set
                    // this, or is still held in a direction that is not
                    // ready: take those out now.
                    for (d, slot) in DIRECTIONS.iter().zip(slots.iter_mut()) {
                        if let Some(slot) = slot.take() {
                            replaced[*d as usize] = io.waiters[*d as usize].remove_future(slot);
                        }
                    }
                    drop(inner);
                    drop(replaced); // outside the borrow
                }
                return Poll::Ready(ready);
            }
            match slots {
                Some(slots) => {
                    for d in DIRECTIONS.iter().filter(|d| dirs & d.bit() != 0) {
                        let i = *d as usize;
                        replaced[i] = io.waiters[i].add_future(cx.waker(), &mut slots[i]);
                    }
                }
                None => {
                    for d in DIRECTIONS.iter().filter(|d| dirs & d.bit() != 0) {
                        let i = *d as usize;
                        replaced[i] = io.waiters[i].set_poll(cx.waker());
                    }
                }
            }
        }
        drop(replaced); // a waker may run code on drop: outside the borrow
        Poll::Pending
    }

    /// [`poll_ready`](Self::poll_ready) for a `poll_*` caller in one
    /// direction (its index): the hot path of every socket read and write.
    #[inline]
    fn poll_ready_one(&self, key: Key, dir: usize, cx: &mut Context<'_>) -> Poll<u8> {
        let replaced = {
            let mut inner = self.inner.borrow_mut();
            let Some(io) = inner.io_mut(key) else {
                return Poll::Ready(0);
            };
            let ready = io.readiness & MASKS[1 << dir];
            if ready != 0 {
                return Poll::Ready(ready);
            }
            io.waiters[dir].set_poll(cx.waker())
        };
        drop(replaced); // a waker may run code on drop: outside the borrow
        Poll::Pending
    }

    /// Takes a dropped future's wakers out of its `slots`, where no event
    /// took them first.
    pub(crate) fn drop_slots(&self, key: Key, slots: &mut Slots) {
        // Dropping a future never happens inside a reactor borrow (wakers
        // are woken and dropped outside it), but a destructor must not
        // panic: if it ever did, the waker just stays until the next event.
        let mut removed: [Option<Waker>; 4] = Default::default();
        {
            let Ok(mut inner) = self.inner.try_borrow_mut() else {
                return;
            };
            let Some(io) = inner.io_mut(key) else {
                return;
            };
            for (i, slot) in slots.iter_mut().enumerate() {
                if let Some(slot) = slot.take() {
                    removed[i] = io.waiters[i].remove_future(slot);
                }
            }
        }
        drop(removed);
    }

    /// Forgets the readiness bits `bits` (a [`Ready`](crate::io::Ready)'s):
    /// `clear_ready_matching`.
    pub(crate) fn clear_bits(&self, key: Key, bits: u8) {
        self.clear(key, bits);
    }

    /// The readiness cached for the registration (0 if it is gone).
    pub(crate) fn readiness(&self, key: Key) -> u8 {
        self.inner
            .borrow_mut()
            .io_mut(key)
            .map_or(0, |io| io.readiness)
    }

    /// Forgets the readiness in `dir`: an operation returned `WouldBlock`.
    ///
    /// That clears the closed and error bits of `dir` too: an operation
    /// that would block proves them stale (a connected UDP socket's ICMP
    /// error was already returned by the previous `recv`; a FIFO's writer
    /// came back). Kept, they would make every later poll ready and the
    /// operation loop spin on `WouldBlock` forever. A state that is truly
    /// final (a TCP peer's FIN, a reset) never gives `WouldBlock`, and a new
    /// error or hang-up brings a new event.
    pub(crate) fn clear_ready(&self, key: Key, dir: Direction) {
        self.clear(key, dir.mask());
    }

    /// Forgets only the plain readiness in `dir`, keeping closed and error
    /// bits: a read or write that did not block showed the socket drained
    /// or full, which says nothing of a FIN or an error already seen.
    pub(crate) fn clear_drained(&self, key: Key, dir: Direction) {
        self.clear(key, dir.mask() & !dir.final_bits());
    }

    fn clear(&self, key: Key, bits: u8) {
        if let Some(io) = self.inner.borrow_mut().io_mut(key) {
            io.readiness &= !bits;
        }
    }

    /// Whether the registration has seen a closed or error state in `dir`
    /// since it was last cleared.
    pub(crate) fn is_final(&self, key: Key, dir: Direction) -> bool {
        self.inner
            .borrow_mut()
            .io_mut(key)
            .is_some_and(|io| io.readiness & dir.final_bits() != 0)
    }

    /// Whether to keep a solo task's waker after an event wakes it (see
    /// [`Waiters`]); on by default. Task tracking turns it off: a kept
    /// waker counts as a reference to its task, and would hide a task that
    /// waits with no waker anywhere else (a lost waker); turning it off
    /// drops the wakers kept so far.
    pub(crate) fn set_keep_wakers(&self, keep: bool) {
        let mut kept = Vec::new();
        {
            let mut inner = self.inner.borrow_mut();
            inner.keep_wakers = keep;
            if !keep {
                for (_, io) in inner.io.iter_mut() {
                    for waiters in &mut io.waiters {
                        if !waiters.armed {
                            kept.extend(waiters.poll.take());
                        }
                    }
                }
            }
        }
        drop(kept); // a waker may run code on drop: outside the borrow
    }

    /// How many disarmed wakers the reactor keeps of each solo task, by
    /// the task's address (its wakers' data pointer): references to the
    /// task that cannot wake it, for a dump to tell a lost waker.
    pub(crate) fn kept_wakers(&self) -> HashMap<*const (), usize> {
        let mut kept = HashMap::new();
        for (_, io) in self.inner.borrow().io.iter() {
            for waiters in io.waiters.iter().filter(|w| !w.armed) {
                if let Some(waker) = &waiters.poll {
                    *kept.entry(waker.data()).or_insert(0) += 1;
                }
            }
        }
        kept
    }

    pub(crate) fn registrations(&self) -> usize {
        self.inner.borrow().io.len()
    }

    pub(crate) fn counters(&self) -> ReactorCounters {
        self.inner.borrow().counters
    }

    /// Waits for I/O events until `deadline` (`None`: until an event comes),
    /// then wakes the tasks they concern. A deadline in the past polls
    /// without blocking. Returns the number of events handled.
    pub(crate) fn park(&self, deadline: Option<Instant>) -> io::Result<usize> {
        let mut to_wake;
        let handled;
        {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            let timeout = inner.timeout_for(deadline);
            log::trace!("park, timeout {timeout:?}");
            inner.counters.parks += 1;
            if let Err(e) = inner.poll.poll(&mut inner.events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            to_wake = std::mem::take(&mut inner.to_wake);
            let mut n = 0;
            for event in inner.events.iter() {
                n += 1;
                let token = event.token();
                log::trace!("event {token:?}: {event:?}");
                if token == WAKER_TOKEN {
                    continue;
                }
                #[cfg(target_os = "linux")]
                if token == TIMER_TOKEN {
                    if let Some(timer) = &mut inner.timer {
                        timer.fired();
                    }
                    continue;
                }
                dispatch(
                    &mut inner.io,
                    token,
                    readiness_of(event),
                    inner.keep_wakers,
                    &mut to_wake,
                );
            }
            inner.counters.io_events += n as u64;
            handled = n;
        }
        for waker in to_wake.drain(..) {
            waker.wake();
        }
        // Give the (now empty) buffer back, keeping its capacity.
        self.inner.borrow_mut().to_wake = to_wake;
        Ok(handled)
    }
}

/// An event's readiness as the reactor's bits.
fn readiness_of(event: &mio::event::Event) -> u8 {
    let mut ready = 0;
    if event.is_readable() {
        ready |= READABLE;
    }
    if event.is_writable() {
        ready |= WRITABLE;
    }
    if event.is_read_closed() {
        ready |= READ_CLOSED;
    }
    if event.is_write_closed() {
        ready |= WRITE_CLOSED;
    }
    if event.is_error() {
        ready |= ERROR;
    }
    if event.is_priority() {
        ready |= PRIORITY;
    }
    ready
}

/// Records `ready` on the registration `token` names and wakes the
/// wakers it concerns (see [`Waiters::wake`]). An event whose generation
/// does not match (its registration is gone, and the key may be reused)
/// is ignored.
fn dispatch(
    io: &mut Slab<ScheduledIo>,
    token: Token,
    ready: u8,
    keep: bool,
    to_wake: &mut Vec<Waker>,
) {
    let (key, generation) = (token.0 & KEY_MASK, token.0 >> KEY_BITS);
    let Some(io) = io.get_mut(key).filter(|io| io.generation == generation) else {
        return;
    };
    io.readiness |= ready;
    for d in DIRECTIONS {
        if ready & d.mask() != 0 {
            io.waiters[d as usize].wake(keep, to_wake);
        }
    }
}

impl Inner {
    /// The registration `key` names, unless it is gone (its slot may hold a
    /// newer registration: the generation tells them apart).
    fn io_mut(&mut self, key: Key) -> Option<&mut ScheduledIo> {
        self.io
            .get_mut(key.key)
            .filter(|io| io.generation == key.generation)
    }

    /// The timeout to give `poll` so that it returns by `deadline`. On Linux
    /// the timerfd is armed for the exact deadline and poll's own
    /// (millisecond) timeout is only a backstop.
    fn timeout_for(&mut self, deadline: Option<Instant>) -> Option<Duration> {
        let deadline = deadline?;
        let now = Instant::now();
        let wait = deadline.saturating_duration_since(now);
        if wait.is_zero() {
            return Some(Duration::ZERO);
        }
        #[cfg(target_os = "linux")]
        if let Some(timer) = &mut self.timer {
            if timer.arm(deadline, now) {
                return Some(wait + Duration::from_millis(1));
            }
        }
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Interest {
        Interest::READABLE | Interest::WRITABLE
    }

    fn token(key: Key) -> Token {
        Token(key.key | (key.generation << KEY_BITS))
    }

    #[test]
    fn a_stale_event_never_reaches_the_registration_that_reuses_its_key() {
        let (reactor, _waker) = Reactor::new(8).unwrap();
        let mut a = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let old = reactor.register(&mut a, both()).unwrap();
        reactor.deregister(&mut a, old).unwrap();
        let mut b = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let new = reactor.register(&mut b, both()).unwrap();
        assert_eq!(old.key, new.key, "the slab reuses the key");
        assert_ne!(token(old), token(new));

        // An event for the old registration arrives late.
        let mut inner = reactor.inner.borrow_mut();
        let mut to_wake = Vec::new();
        dispatch(&mut inner.io, token(old), READABLE, true, &mut to_wake);
        assert_eq!(inner.io[new.key].readiness, 0, "stale readiness leaked");
        dispatch(&mut inner.io, token(new), READABLE, true, &mut to_wake);
        assert_eq!(inner.io[new.key].readiness, READABLE);
    }

    /// Counts the wakes of the wakers made from it.
    #[derive(Default)]
    struct Count(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    impl Count {
        fn get(&self) -> usize {
            self.0.load(std::sync::atomic::Ordering::SeqCst)
        }
    }

    #[test]
    fn a_dropped_future_takes_its_waker_out_and_only_its_own() {
        use std::sync::Arc;
        let (reactor, _waker) = Reactor::new(8).unwrap();
        let mut socket = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let key = reactor.register(&mut socket, both()).unwrap();
        let (a, b) = (Arc::new(Count::default()), Arc::new(Count::default()));
        let (wa, wb) = (Waker::from(a.clone()), Waker::from(b.clone()));
        let wait = |waker: &Waker, slots: &mut Slots| {
            let mut cx = Context::from_waker(waker);
            assert!(reactor
                .poll_ready(key, Direction::Read.bit(), &mut cx, Some(slots))
                .is_pending());
        };
        let event = || {
            let mut inner = reactor.inner.borrow_mut();
            let mut to_wake = Vec::new();
            dispatch(&mut inner.io, token(key), READABLE, true, &mut to_wake);
            inner.io[key.key].readiness = 0; // as if a read then blocked
            to_wake
        };

        // A waits and is cancelled: its waker is gone at once.
        let mut slot_a = Slots::default();
        wait(&wa, &mut slot_a);
        assert_eq!(Arc::strong_count(&a), 3, "the reactor holds a's waker");
        reactor.drop_slots(key, &mut slot_a);
        assert_eq!(Arc::strong_count(&a), 2, "a's waker outlived its future");

        // A waits again; an event empties the slots. B then waits and gets
        // the same slot key. A's future, dropped late, must not take B's
        // waker out.
        let mut slot_a = Slots::default();
        wait(&wa, &mut slot_a);
        event().into_iter().for_each(Waker::wake);
        assert_eq!(a.get(), 1);
        let mut slot_b = Slots::default();
        wait(&wb, &mut slot_b);
        assert_eq!(
            slot_a[0].unwrap().key,
            slot_b[0].unwrap().key,
            "the key is reused"
        );
        reactor.drop_slots(key, &mut slot_a);
        event().into_iter().for_each(Waker::wake);
        assert_eq!(b.get(), 1, "a stale slot took another future's waker");
        reactor.deregister(&mut socket, key).unwrap();
    }
}
