//! A mio source registered with the current runtime's reactor.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use mio::event::Source;

use crate::context::{self, Core};
use crate::io::{Interest, Ready};
use crate::reactor::{mask_of, Direction, Key, Slots};
use crate::task::coop;

/// Owns a mio source and its registration. Operations retry until they
/// return `WouldBlock`, then clear the cached readiness and wait for the
/// next event. Dropping it deregisters the source first, then closes it.
pub(crate) struct PollEvented<E: Source> {
    io: Option<E>,
    core: Rc<Core>,
    key: Key,
}

impl<E: Source> PollEvented<E> {
    /// Registers `io` with the runtime running on this thread, for reading
    /// and writing.
    pub(crate) fn new(io: E) -> io::Result<Self> {
        Self::with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` for the readiness `interest` names.
    pub(crate) fn with_interest(mut io: E, interest: Interest) -> io::Result<Self> {
        let core = context::current_or_io_error()?;
        let key = core.reactor.register(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            core,
            key,
        })
    }

    pub(crate) fn get_ref(&self) -> &E {
        // `io` is only `None` inside `drop` and `into_inner`.
        self.io
            .as_ref()
            .expect("PollEvented used after it was taken apart")
    }

    /// Runs `op` once the source is ready in `dir`, until it does not return
    /// `WouldBlock`.
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            let ready = self.core.reactor.poll_ready(self.key, dir.bit(), cx, None);
            if ready.is_pending() {
                if !self.core.is_current() {
                    return Poll::Ready(Err(outside_runtime()));
                }
                return Poll::Pending;
            }
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.core.reactor.clear_ready(self.key, dir);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => {
                    coop::spend();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Forgets the readiness in `dir`, closed and error states included:
    /// an operation returned `WouldBlock`.
    pub(crate) fn clear_ready(&self, dir: Direction) {
        self.core.reactor.clear_ready(self.key, dir);
    }

    /// Forgets the plain readiness in `dir`, keeping closed and error
    /// states: an operation that did not block showed the socket drained
    /// (or full).
    pub(crate) fn clear_drained(&self, dir: Direction) {
        self.core.reactor.clear_drained(self.key, dir);
    }

    /// Forgets exactly the readiness in `ready`.
    pub(crate) fn clear_readiness(&self, ready: Ready) {
        self.core.reactor.clear_bits(self.key, ready.bits());
    }

    /// Whether the source reached a final state in `dir` (closed or error).
    pub(crate) fn is_final(&self, dir: Direction) -> bool {
        self.core.reactor.is_final(self.key, dir)
    }

    /// The readiness cached now that `interest` waits for (empty if none).
    pub(crate) fn readiness(&self, interest: Interest) -> Ready {
        let bits = self.core.reactor.readiness(self.key);
        Ready::from_bits(bits & mask_of(interest.directions()))
    }

    /// Ready, with the readiness found, once the source has (or may have)
    /// readiness in `interest`. For `poll_*` methods: only the most recent
    /// caller's waker is kept (see the reactor's `Waiters`).
    pub(crate) fn poll_ready(
        &self,
        interest: Interest,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Ready>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let dirs = interest.directions();
        if let Poll::Ready(bits) = self.core.reactor.poll_ready(self.key, dirs, cx, None) {
            coop::spend();
            return Poll::Ready(Ok(Ready::from_bits(bits)));
        }
        if !self.core.is_current() {
            return Poll::Ready(Err(outside_runtime()));
        }
        Poll::Pending
    }

    /// Waits until the source has (or may have) readiness in `interest`,
    /// and returns it. The future's wakers are removed from the reactor
    /// when it is dropped, so any number of them may wait at once.
    pub(crate) fn ready(&self, interest: Interest) -> Readiness<'_, E> {
        Readiness {
            evented: self,
            dirs: interest.directions(),
            slots: Slots::default(),
        }
    }

    /// Runs `op` if the source is ready in `interest`, without waiting:
    /// `WouldBlock` if it is not (`op` is then not called), or if `op`
    /// returns it (the readiness in `interest` is then cleared, so the next
    /// wait blocks until a new event).
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        if self.readiness(interest).is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = op(self.get_ref());
        if let Err(e) = &result {
            if e.kind() == io::ErrorKind::WouldBlock {
                self.clear_interest(interest);
            }
        }
        result
    }

    /// Forgets the readiness of every direction in `interest`, closed and
    /// error states included (an operation returned `WouldBlock`).
    pub(crate) fn clear_interest(&self, interest: Interest) {
        let bits = mask_of(interest.directions());
        self.core.reactor.clear_bits(self.key, bits);
    }

    /// Waits for readiness in `dir`, then runs `op` until it does not return
    /// `WouldBlock`: the future form of [`poll_io`](Self::poll_io).
    pub(crate) async fn io<R>(
        &self,
        dir: Direction,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            self.ready_dir(dir).await?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_ready(dir),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    /// [`ready`](Self::ready) for one direction.
    pub(crate) fn ready_dir(&self, dir: Direction) -> Readiness<'_, E> {
        Readiness {
            evented: self,
            dirs: dir.bit(),
            slots: Slots::default(),
        }
    }

    /// Deregisters and gives the source back.
    pub(crate) fn into_inner(mut self) -> E {
        let mut io = self
            .io
            .take()
            .expect("PollEvented used after it was taken apart");
        if let Err(e) = self.core.reactor.deregister(&mut io, self.key) {
            log::debug!("deregister failed: {e}");
        }
        io
    }

    /// The source, mutably (`AsyncFd::get_mut`). The registration follows
    /// the source's descriptor: replacing it through this reference leaves
    /// the old descriptor registered until it is closed.
    pub(crate) fn get_mut(&mut self) -> &mut E {
        // `io` is only `None` inside `drop` and `into_inner`.
        self.io
            .as_mut()
            .expect("PollEvented used after it was taken apart")
    }
}

impl<E: Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister first, then close; ignore errors: destructors must not panic.
            let _ = self.core.reactor.deregister(&mut io, self.key);
            drop(io);
        }
    }
}

/// The future [`PollEvented::ready`] returns.
pub(crate) struct Readiness<'a, E: Source> {
    evented: &'a PollEvented<E>,
    /// The directions it waits in (an interest's bits).
    dirs: u8,
    /// Where this future's wakers are in the reactor, once it waited.
    slots: Slots,
}

impl<E: Source> Future for Readiness<'_, E> {
    type Output = io::Result<Ready>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<Ready>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let this = &mut *self;
        let ev = this.evented;
        let ready = ev
            .core
            .reactor
            .poll_ready(ev.key, this.dirs, cx, Some(&mut this.slots));
        if let Poll::Ready(bits) = ready {
            coop::spend();
            return Poll::Ready(Ok(Ready::from_bits(bits)));
        }
        if !ev.core.is_current() {
            return Poll::Ready(Err(outside_runtime()));
        }
        Poll::Pending
    }
}

impl<E: Source> Drop for Readiness<'_, E> {
    fn drop(&mut self) {
        if self.slots.iter().any(Option::is_some) {
            let ev = self.evented;
            ev.core.reactor.drop_slots(ev.key, &mut self.slots);
        }
    }
}

pub(crate) fn outside_runtime() -> io::Error {
    io::Error::other("solo socket used outside the runtime that created it")
}
